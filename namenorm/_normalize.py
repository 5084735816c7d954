"""Stage 1: normalize a name's spelling without changing its script.

`normalize` folds the differences that never distinguish two names: Unicode
compatibility forms, case, punctuation, hyphens, dotted acronyms and spacing.
Letters keep their script and diacritics; removing those is transliteration's
job (`namenorm._translit`), so that "Erdoğan" and "Erdogan" can be told apart
as a transliterated rather than a normalized match.
"""

from __future__ import annotations

import unicodedata

import regex

# "U.N.", "U.S.A." -> "UN", "USA": a dotted acronym is one word.
_ACRONYM = regex.compile(r"(?<![\p{L}\p{M}])(?:\p{L}\.)+\p{L}\.?(?![\p{L}\p{M}])")
# Apostrophes and modifier letters used as apostrophes join, never split: "O'Brien",
# "T'agher", "Qur'an".
APOSTROPHE_MARKS = "\u0027\u2018\u2019\u02bb\u02bc\u02be\u02bf\u0060\u00b4\u05f4"
APOSTROPHES = regex.compile(f"[{APOSTROPHE_MARKS}]")
# In Hebrew an apostrophe after a letter is the geresh (׳), which makes it
# another letter: ג׳ is j, צ׳ is ch. It is kept, as the geresh, in its word;
# the gershayim of acronyms (צה״ל) joins like an apostrophe.
_GERESH = regex.compile(r"(?<=[\u05d0-\u05ea])[\u0027\u2019\u05f3]")
_LONE_GERESH = regex.compile(r"(?<![\u05d0-\u05ea])\u05f3")
# Invisible format characters (soft hyphen, zero-width joiners, bidi marks)
# sit inside words: drop them rather than split the word.
_INVISIBLE = regex.compile(r"\p{Cf}+")
# Everything that is not a letter, a mark on a letter, or a digit separates words.
_SEPARATORS = regex.compile(r"[^\p{L}\p{M}\p{Nd}\u05f3]+")


def normalize(text: str) -> str:
    """Normalize a name for comparison, keeping its script.

    Applies Unicode NFKC, case folding, joins dotted acronyms, drops
    apostrophes and invisible format characters (soft hyphens, zero-width
    joiners), turns every other non-letter (punctuation, hyphens, symbols,
    spacing) into single spaces. An apostrophe after a Hebrew letter is the
    geresh (׳) that makes it another letter (ג׳ is j), and stays as one.
    Idempotent.

    Args:
        text: Any string.

    Returns:
        The normalized string; empty if `text` has no letters or digits.

    Raises:
        TypeError: If `text` is not a `str`.

    >>> normalize("  U.N. Security-Council ")
    'un security council'
    >>> normalize("Nagorno–Karabakh’s")
    'nagorno karabakhs'
    """
    if not isinstance(text, str):
        raise TypeError(f"a name must be a str, not {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text)
    text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    text = _LONE_GERESH.sub(" ", _GERESH.sub("\u05f3", _INVISIBLE.sub("", text)))
    text = APOSTROPHES.sub("", text.casefold())
    text = unicodedata.normalize("NFC", text)
    return _SEPARATORS.sub(" ", text).strip()
