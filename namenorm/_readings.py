"""Stage 4b: other readings of a query, looked up and scored as it is.

A name may be a transcription of another spelling: syllables written apart
("ao ka la"), Wade-Giles ("Ch'ing-p'u-hsien"), Arabic letters romanized one by
one ("qrwh"), words translated ("Западная Ковина", West Covina); or it may
carry what a gazetteer name lacks: a qualifier after a comma, a Lithuanian
ending, the Arabic article joined to its word. The resolver tries each reading
when no name is spelled as the query is, at a factor on its scores; a match
through a reading keeps the method of the reading's own match.
"""

from __future__ import annotations

from typing import NamedTuple

from . import _config
from ._core import abjad_reading, equivalent, pinyin_reading, without_article, without_case_ending, without_qualifier
from ._keys import NameKeys, name_keys


class OtherReading(NamedTuple):
    """A query read otherwise, looked up and scored as the query is."""

    text: str
    factor: float  # on the scores of its matches: what was set aside or read otherwise is not full evidence
    note: str  # what was read otherwise, for the evidence
    people: bool = True  # whether it may name a person: words translated name places, not people


def readings(name: str, query: NameKeys) -> list[OtherReading]:
    """Other readings of a query, each looked up and scored like the query.

    Args:
        name: The query as the user gave it.
        query: Its keys (`namenorm._keys.name_keys`).

    Returns:
        Each reading: syllables joined, Wade-Giles as pinyin, translated
        words in English, a Lithuanian ending or a qualifier set aside, Latin
        letters read as Arabic ones, and the Arabic article set aside, of the
        query and of those readings.
    """
    found: list[OtherReading] = []
    if len(query.words) > 1 and all(
        len(w.romanized) <= _config.SYLLABLE_MAX_LETTERS and w.romanized.isalpha() for w in query.words
    ):
        # A name written syllable by syllable ("ao ka la", "Hau-gang", "pa bi ya
        # ni cai"), as transcriptions from Chinese and other syllabic scripts
        # are, is one word.
        # Keep a capital if the query had one: it tells a name written out from
        # a transcription (see `abjad_reading`, `NameKeys.syllabic`).
        def case(text: str) -> str:
            return text if name.islower() else text.capitalize()

        syllables = [w.normalized for w in query.words]
        found.append(OtherReading(case("".join(syllables)), 1.0, "syllables joined"))
        core = [i for i, w in enumerate(query.words) if not w.optional]
        if core and core[0] < core[-1] and len(core) < len(syllables):
            # Also with its optional words apart ("zhong duo zhen": Zhongduo town).
            joined = case("".join(syllables[core[0] : core[-1] + 1]))
            text = " ".join([*syllables[: core[0]], joined, *syllables[core[-1] + 1 :]])
            found.append(OtherReading(text, 1.0, "syllables joined"))
    pinyin = pinyin_reading(name)
    if pinyin is not None:
        # "Ch'ing-p'u-hsien": pinyin qing pu xian, which names Qingpu (xian: county).
        words = name_keys(pinyin).words
        joined = "".join(w.normalized for w in words if not w.optional)
        text = " ".join([joined, *(w.normalized for w in words if w.optional)])
        found.append(OtherReading(text, 1.0, f"read as Wade-Giles: {pinyin}"))
    stem = without_case_ending(name)
    if stem is not None:
        ending = name.strip()[len(stem.strip()) :]
        found.append(OtherReading(stem, _config.CASE_ENDING_FACTOR, f"Lithuanian ending set aside: -{ending}"))
    english = [equivalent(w.romanized) for w in query.words]
    if any(english):
        # "Западная Ковина": West Covina, a name half translated. Its words
        # agree with the English ones anyway (`word_similarity`); read in
        # English, the name is also found by the English words' keys. Words
        # are capitalized unless the query was all lowercase, which tells how
        # it was transcribed (see `NameKeys.syllabic`).
        in_english = [e or w.normalized for e, w in zip(english, query.words)]
        text = " ".join(in_english if name.islower() else [w.capitalize() for w in in_english])
        found.append(OtherReading(text, _config.EQUIVALENT_WORD_SIMILARITY, f"read in English: {text}", people=False))
    head = without_qualifier(name)
    if head is not None:
        # "Tacoma, Washington": the part before the comma may be the name.
        note = f"set aside after the comma: {name[len(head) :].strip()!r}"
        found.append(OtherReading(head, _config.QUALIFIER_FACTOR, note))
    for reading in [OtherReading(name, 1.0, ""), *found]:
        script = abjad_reading(reading.text)
        if script is not None:
            note = f"{reading.note}; " * bool(reading.note) + f"read as Arabic letters: {script}"
            found.append(reading._replace(text=script, note=note))
    for reading in [OtherReading(name, 1.0, ""), *found]:
        bare = without_article(reading.text)
        if bare is not None:
            # الديوانية is al-Diwaniyah, whose article the gazetteer may spell apart or not at all.
            note = f"{reading.note}; " * bool(reading.note) + "Arabic article al- set aside"
            found.append(reading._replace(text=bare, note=note))
    return found
