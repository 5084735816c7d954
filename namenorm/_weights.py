"""The tunable weights of scoring, with defaults from the compiled core's
`config` (which scores with them)."""

from __future__ import annotations

from dataclasses import dataclass

from . import _core

_DEFAULTS = dict(_core.WEIGHTS)


@dataclass(frozen=True, slots=True)
class Weights:
    """Weights of the scoring stage. Each defaults to the constant of the same
    name, in capitals, of the core (`core/config.rs`).

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

    same_class_cost: float = _DEFAULTS["same_class_cost"]
    vowel_indel_cost: float = _DEFAULTS["vowel_indel_cost"]
    initial_similarity: float = _DEFAULTS["initial_similarity"]
    partial_name_factor: float = _DEFAULTS["partial_name_factor"]
    reorder_factor: float = _DEFAULTS["reorder_factor"]
    surname_cutoff: float = _DEFAULTS["surname_cutoff"]
    optional_word_factor: float = _DEFAULTS["optional_word_factor"]
    partial_place_factor: float = _DEFAULTS["partial_place_factor"]
    extra_words_factor: float = _DEFAULTS["extra_words_factor"]
    abjad_vowel_indel_cost: float = _DEFAULTS["abjad_vowel_indel_cost"]
    epenthetic_vowel_cost: float = _DEFAULTS["epenthetic_vowel_cost"]

    def as_core(self) -> tuple[float, ...]:
        """The weights in the order the compiled core takes them."""
        return tuple(float(getattr(self, name)) for name, _ in _core.WEIGHTS)
