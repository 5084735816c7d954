"""Thresholds and weights of the matcher, in one place.

Every constant here can be overridden per `Resolver` (see its arguments); the
scoring code never hard-codes a number of its own.
"""

from __future__ import annotations

#: A candidate must score at least this to be returned by `resolve`.
SCORE_CUTOFF = 0.62

#: A match is `ambiguous` when another entity scores within this margin of it.
AMBIGUITY_MARGIN = 0.03

#: Score of two tokens that differ only by script or diacritics.
TRANSLITERATED_SIMILARITY = 0.98

#: Phonetic edit costs (see `namenorm.phonetic_similarity`). Inserting or
#: deleting a consonant, or swapping it for one of another class, costs 1.
#: Swapping a letter for another of its sound class (b/p, k/kh/h/g, s/ts/sh),
#: or a vowel for another vowel:
SAME_CLASS_COST = 0.3
#: Inserting or deleting a vowel, which scripts without short vowels drop:
VOWEL_INDEL_COST = 0.5

#: Score of a one-letter initial against a given name that starts with it.
INITIAL_SIMILARITY = 0.9

#: Factor on a person matched by part of the name (surname alone, no middle name).
PARTIAL_NAME_FACTOR = 0.9

#: Factor on a name whose words came in another order ("Pashinyan, Nikol").
REORDER_FACTOR = 0.98

#: How far the prior (prominence) may lift a candidate when ranking; it only
#: reorders candidates whose string scores are closer than this.
PRIOR_WEIGHT = 0.02

#: Names longer than this (normalized characters) are not matched at all:
#: no name is this long, and edit distances grow with the square of length.
MAX_NAME_LENGTH = 200

#: Default number of candidates returned by `candidates`.
DEFAULT_LIMIT = 5

#: A person's surname must agree at least this well: given names vary
#: (Nikol, Nicole, Nikola) but another surname is another person.
SURNAME_CUTOFF = 0.8
