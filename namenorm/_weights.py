"""The tunable weights of scoring, with defaults from `namenorm._config`."""

from __future__ import annotations

from dataclasses import dataclass

from . import _config


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the scoring stage. Each defaults to the constant of the same
    name in `namenorm._config`.

    Attributes:
        same_class_cost: Cost of swapping a unit for one of its sound class.
        vowel_indel_cost: Cost of inserting or deleting a vowel.
        initial_similarity: Score of an initial against a name it begins.
        partial_name_factor: Factor on a person named in part.
        reorder_factor: Factor on a name whose words came in another order.
        surname_cutoff: A person's surname must agree at least this well.
        partial_place_factor: Factor on an entity other than a person named by
            part of its name.
        extra_words_factor: Factor on an entity other than a person named with
            words its name lacks.
        optional_word_factor: Factor for each optional word (article, "city
            of", "district") that one name has and the other has not.
        abjad_vowel_indel_cost: `vowel_indel_cost` when a name is written in
            Arabic or Hebrew script, which leave short vowels out.
        epenthetic_vowel_cost: Cost of deleting a vowel of a query
            transcribed through a syllabic script (see `NameKeys.syllabic`).
    """

    same_class_cost: float = _config.SAME_CLASS_COST
    vowel_indel_cost: float = _config.VOWEL_INDEL_COST
    initial_similarity: float = _config.INITIAL_SIMILARITY
    partial_name_factor: float = _config.PARTIAL_NAME_FACTOR
    reorder_factor: float = _config.REORDER_FACTOR
    surname_cutoff: float = _config.SURNAME_CUTOFF
    optional_word_factor: float = _config.OPTIONAL_WORD_FACTOR
    partial_place_factor: float = _config.PARTIAL_PLACE_FACTOR
    extra_words_factor: float = _config.EXTRA_WORDS_FACTOR
    abjad_vowel_indel_cost: float = _config.ABJAD_VOWEL_INDEL_COST
    epenthetic_vowel_cost: float = _config.EPENTHETIC_VOWEL_COST
