"""Stage 2: transliterate a normalized name into lowercase ASCII.

Each script has its own table under `namenorm/data/translit/`, loaded the first
time a name in that script is seen. A table's `[map]` gives one romanization
per letter; its `[alternatives]`, the other common ones, which matching
accepts at a small cost (see `alternatives`). Letters no table covers go through
`unidecode`. ASCII input takes a fast path and is returned as it is.

Two readings go the other way, for Latin names that are themselves
romanizations: `abjad_reading` (the Arabic table's `[from_latin]`) and
`pinyin_reading` (Wade-Giles to pinyin, `wade_giles.toml`).
"""

from __future__ import annotations

import tomllib
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Any

import regex
from unidecode import unidecode

from ._normalize import APOSTROPHES, normalize

# The scripts that have a table, and how to recognise their letters.
_SCRIPT_TABLES: dict[str, regex.Pattern[str]] = {
    "cyrillic": regex.compile(r"\p{Script=Cyrillic}"),
    "armenian": regex.compile(r"\p{Script=Armenian}"),
    "georgian": regex.compile(r"\p{Script=Georgian}"),
    "greek": regex.compile(r"\p{Script=Greek}"),
    "arabic": regex.compile(r"\p{Script=Arabic}"),
    "hebrew": regex.compile(r"\p{Script=Hebrew}"),
    "latin": regex.compile(r"[^\x00-\x7f]"),
}
# Marks are dropped (accents, vowel points) except on Latin letters, whose
# marked forms the Latin table spells out, on Cyrillic, where й and ё are
# letters of their own, and the Arabic madda and hamza, which make letters of
# their own (آ أ إ ؤ ئ).
_KEEP_MARKS_AFTER = regex.compile(r"[\p{Script=Latin}\p{Script=Cyrillic}]")
_KEEP_MARKS = frozenset("\u0653\u0654\u0655")
_NOT_ASCII_WORD = regex.compile(r"[^a-z0-9 ]+")


@lru_cache(maxsize=None)
def _load(script: str) -> dict[str, Any]:
    # lru_cache makes this a load-once; a rare concurrent first call loads twice,
    # which is harmless since the tables are read-only.
    path = resources.files("namenorm") / "data" / "translit" / f"{script}.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    for letter in data.get("alternatives", {}):
        if letter not in data["map"]:
            raise ValueError(f"{path}: alternatives for {letter!r}, which [map] lacks")
    return data


def _table(script: str) -> dict[str, str]:
    table: dict[str, str] = _load(script)["map"]
    return table


def alternatives() -> frozenset[tuple[str, str]]:
    """Pairs (romanization, another common romanization) of a letter, from
    the `[alternatives]` of every script's table: ("kh", "h") for х, as BGN
    and English practice spell it.

    Raises:
        ValueError: If a table gives alternatives for a letter its map lacks.
    """
    pairs: set[tuple[str, str]] = set()
    for script in _SCRIPT_TABLES:
        data = _load(script)
        for letter, others in data.get("alternatives", {}).items():
            pairs.update((data["map"][letter], other) for other in others)
    return frozenset(pairs)


# A Latin name that may be an abjad's letters, one by one: lowercase, as such
# romanizations are written, only letters of the Arabic table's [from_latin]
# (no vowel letter but a, alif), and a trace of the script: w or y (waw, ya)
# or a word with no vowel or three consonants running.
_ABJAD_TRACE = regex.compile(r"[wy]|\b[^a ]+\b|[^a ]{3}")


@lru_cache(maxsize=1)
def _from_latin() -> tuple[dict[str, str], frozenset[str]]:
    # The Arabic table's [from_latin], and the Latin letters it reads (and space).
    table: dict[str, str] = _load("arabic")["from_latin"]
    return table, frozenset("".join(table)) | {" "}


def abjad_reading(text: str) -> str | None:
    """The Arabic-script name that a Latin one romanizes letter by letter,
    short vowels left out as the script leaves them ("twl fransh" is تول
    فرانش, Toul, France; "mhmd" is محمد), or None when it does not look like
    one: it has a capital letter (a name written out, or an acronym), a
    vowel letter other than a (alif), or no trace of the script (w or y for
    waw and ya, a word with no vowel or three consonants running). Each letter
    or digraph stands for the letter `[from_latin]` of the Arabic table gives
    it.

    >>> abjad_reading("twl  fransh")
    'تول فرانش'
    >>> abjad_reading("Toul") is None
    True
    """
    if not text.islower():
        return None
    name = normalize(text)
    table, letters = _from_latin()
    if not set(name) <= letters or not _ABJAD_TRACE.search(name):
        return None
    words = []
    for word in name.split():
        out = []
        i = 0
        while i < len(word):
            size = 2 if word[i : i + 2] in table else 1
            if word[i : i + size] not in table:
                return None
            out.append(table[word[i : i + size]])
            i += size
        words.append("".join(out))
    return " ".join(words)


# A syllable of Wade-Giles: an initial, aspirated or not, and a final.
_WADE_GILES_SYLLABLE = regex.compile(r"(ch'|ch|hs|ts'|tz'|ts|tz|ss|sz|sh|k'|p'|t'|[jkptmfnlhsyw])?(\w+)")
# What only Wade-Giles writes: an aspirate apostrophe, hs, -ih, -ieh.
_WADE_GILES_MARK = regex.compile(r"(?:ch|[kpt]|ts|tz)'|\bhs|ih\b|ieh\b")
# The initials after which u and ŭ are pinyin i: tzŭ is zi, ssŭ is si.
_APICAL = frozenset({"tz", "tz'", "ss", "sz"})
# The initials that keep a final o as o (po, mo); after k and h it is e (ko is
# ge), after any other uo (lo is luo).
_ROUNDED = frozenset({"", "p", "p'", "m", "f", "w", "y"})


@lru_cache(maxsize=1)
def _wade_giles() -> tuple[dict[str, Any], dict[str, str]]:
    # The table, and every final it knows with its pinyin (same_finals are spelled alike).
    table = _load("wade_giles")
    return table, {**{f: f for f in table["same_finals"]}, **table["finals"]}


def pinyin_reading(text: str) -> str | None:
    """The pinyin of a Chinese name written in Wade-Giles, syllable by
    syllable ("Ch'ing-p'u-hsien" is "qing pu xian", Qingpu county), or None
    when it is not one: every word must be a Wade-Giles syllable, and one at
    least must show what only Wade-Giles writes (an aspirate apostrophe, hs,
    -ih or -ieh). The rules are the table `data/translit/wade_giles.toml`.

    >>> pinyin_reading("Ch’ing-p’u-hsien")
    'qing pu xian'
    >>> pinyin_reading("K'un-shan-ch'eng"), pinyin_reading("Hadrut")
    ('kun shan cheng', None)
    """
    # Any apostrophe normalize would drop marks aspiration here.
    name = APOSTROPHES.sub("'", unicodedata.normalize("NFC", text).casefold())
    if not _WADE_GILES_MARK.search(name):
        return None
    table, finals = _wade_giles()
    out = []
    for syllable in regex.split(r"[\s\-]+", name.strip()):
        if syllable in table["syllables"]:
            out.append(table["syllables"][syllable])
            continue
        found = _WADE_GILES_SYLLABLE.fullmatch(syllable)
        if found is None or found.group(2) not in finals:
            return None
        initial, final = found.group(1) or "", found.group(2)
        if final in ("u", "ŭ") and initial in _APICAL:
            out.append(table["initials"][initial][1] + "i")
            continue
        if final == "o" and initial not in _ROUNDED:
            final = "e" if initial in ("k", "k'", "h") else "uo"
        front = final[0] in "iü" and final != "ih"
        initial = table["initials"].get(initial, [initial, initial])[0 if front else 1]
        out.append(initial + finals[final])
    return " ".join(out)


def _drop_marks(text: str) -> str:
    out: list[str] = []
    base = ""
    for ch in unicodedata.normalize("NFD", text):
        if unicodedata.combining(ch):
            if ch in _KEEP_MARKS or _KEEP_MARKS_AFTER.match(base):
                out.append(ch)
            continue
        base = ch
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def transliterate(text: str) -> str:
    """Spell a name in lowercase ASCII letters, digits and spaces.

    Normalizes it first (see `namenorm.normalize`).

    Args:
        text: A name in any script.

    Returns:
        Its romanization: one conventional spelling for each script
        (Russian BGN/PCGN, Eastern Armenian, Georgian national, ELOT Greek,
        UNGEGN Arabic, Academy Hebrew), `unidecode` for any other.

    Raises:
        TypeError: If `text` is not a `str`.

    >>> transliterate("Никол Пашинян")
    'nikol pashinyan'
    >>> transliterate("Հադրութ")
    'hadrut'
    >>> transliterate("Recep Tayyip Erdoğan")
    'recep tayyip erdogan'
    """
    return romanize(normalize(text))


def romanize(text: str) -> str:
    """`transliterate` for text that is already normalized."""
    if text.isascii():
        return text
    text = _drop_marks(text)
    table: dict[str, str] = {}
    for script, pattern in _SCRIPT_TABLES.items():
        if pattern.search(text):
            table.update(_table(script))
    longest = max((len(k.strip("^$")) for k in table), default=1)
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        word_start = i == 0 or text[i - 1] == " "
        # At the start of a word, its own spellings ("^е" -> "ye") win over
        # longer ones that ignore the word start; likewise at its end ("ه$").
        sizes = range(min(longest, n - i), 0, -1)
        keys = [
            *(("^" + text[i : i + s], s) for s in sizes if word_start),
            *((text[i : i + s] + "$", s) for s in sizes if i + s == n or text[i + s] == " "),
            *((text[i : i + s], s) for s in sizes),
        ]
        for key, size in keys:
            if key in table:
                out.append(table[key])
                break
        else:
            size = 1
            ch = text[i]
            out.append(ch if ch.isascii() else unidecode(ch).lower())
        i += size
    return " ".join(_NOT_ASCII_WORD.sub("", "".join(out)).split())
