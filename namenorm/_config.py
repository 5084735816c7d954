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
SAME_CLASS_COST = 0.4
#: Inserting or deleting a vowel, which scripts without short vowels drop:
VOWEL_INDEL_COST = 0.4

#: Cost of deleting a vowel of a query transcribed through a syllabic script
#: (Japanese "bureisuburijji" for Bracebridge, Korean, Chinese "ao si lu" for
#: Oslo), which adds vowels a name lacks; in such a query r and l swap at
#: `ALTERNATIVE_COST`, as those scripts have one of them only.
EPENTHETIC_VOWEL_COST = 0.15

#: Cost of swapping a letter's romanization for another common one (the
#: `[alternatives]` of the tables in data/translit/: kh / h / ch / x for х).
ALTERNATIVE_COST = 0.2

#: In a name without short vowels, cost of reading waw (w) as o or u, or ya
#: (i) as e, and of reading them as any other vowel.
NEAR_VOWEL_COST = 0.1
FAR_VOWEL_COST = 0.6

#: Similarity of two words that translate each other in names ("Восточный"
#: and "East", "Сен" and "Saint": `[equivalents]` of data/generic.toml), and
#: factor on a query read with such words in English.
EQUIVALENT_WORD_SIMILARITY = 0.95
#: Factor on a match of the part of a query before its comma ("Tacoma" of
#: "Tacoma, Washington"): the qualifier is set aside, not checked.
QUALIFIER_FACTOR = 0.97

#: Factor on a match of a query read without its Lithuanian nominative ending
#: ("Dilizanas" as Dilizan): letters were set aside, so it is not full evidence.
CASE_ENDING_FACTOR = 0.95

#: Cost of inserting or deleting a vowel when either name is written in a
#: script that leaves short vowels out (Arabic, Hebrew): their absence is the
#: rule there, not a difference.
ABJAD_VOWEL_INDEL_COST = 0.25

#: A multi-word name whose words are all letters and this short is also read
#: as one word written syllable by syllable ("ao ka la" for Ocala, "Hau-gang",
#: "dong tan xiang shan"); the longest pinyin syllables have six letters
#: (zhuang).
SYLLABLE_MAX_LETTERS = 6

#: Factor for each optional word (an article, "city of", "district") that one
#: name has and the other has not: "Kota Kinabalu" is closer to itself than
#: to "Kinabalu".
OPTIONAL_WORD_FACTOR = 0.97

#: An optional word is paired with a word of the other name only if they
#: agree at least this well; otherwise it is left unmatched.
OPTIONAL_MATCH_MIN = 0.8

#: Factor on a fuzzy match of a query spelled exactly like a real place that
#: is not in the gazetteer ("Paris" against Parukh): below the cutoff, so it
#: may rank candidates but never resolves the name by itself.
RIVAL_FACTOR = 0.6

#: Score of a one-letter initial against a given name that starts with it.
INITIAL_SIMILARITY = 0.9

#: Factor on a person matched by part of the name (surname alone, no middle name).
PARTIAL_NAME_FACTOR = 0.9

#: Factor on an entity other than a person named by part of its name ("Mantes" for
#: "Mantes-la-Jolie", "Texmelucan" for San Martin Texmelucan): it ranks with
#: places spelled nearly as the query, but `resolve` never returns such a
#: match by itself ("Union" is not the Soviet Union).
PARTIAL_PLACE_FACTOR = 0.8
#: Factor on an entity other than a person named with words its name lacks
#: ("Kansanshi Mine", "Deerfield Beach" for Deerfield): those words may name
#: another place, so the match ranks far below a full one, under the cutoff.
EXTRA_WORDS_FACTOR = 0.6

#: Factor on a name whose words came in another order ("Pashinyan, Nikol").
REORDER_FACTOR = 0.98

#: A name of at most this many letters, all capitals, is an acronym ("OSCE",
#: "США"): it matches only when spelled the same, since one letter off is
#: another acronym rather than a misspelling.
ACRONYM_MAX_LETTERS = 6

#: A name is scored only if it shares at least this share of the query's
#: sound-key bigrams (the candidate index's cheap rejection).
CANDIDATE_MIN_SHARED = 0.5

#: At most this many names are scored for a query (the expensive scores):
#: those most alike by the cheap ones below.
CANDIDATE_LIMIT = 150

#: When more names qualify than `CANDIDATE_LIMIT`, they are cut by this weight
#: times their gram Dice coefficient (at most 0.5), plus four similarities
#: computed in one batch by rapidfuzz (each at most 1): Jaro-Winkler and
#: Levenshtein of the romanized spelling, Levenshtein of the sound key, and
#: the token set ratio of the romanized words.
CANDIDATE_GRAMS_WEIGHT = 2.0

#: The cheap similarities are computed for at most this many names, those
#: sharing the most grams: a short query can admit a tenth of a gazetteer.
CANDIDATE_PRESELECT = 5000

#: Names longer than this (normalized characters) are not matched at all:
#: no name is this long, and edit distances grow with the square of length.
MAX_NAME_LENGTH = 200

#: Default number of candidates returned by `candidates`.
DEFAULT_LIMIT = 5

#: A person's surname must agree at least this well: given names vary
#: (Nikol, Nicole, Nikola) but another surname is another person.
SURNAME_CUTOFF = 0.8

#: A query in several words matches a one-word name joined ("Kuchuk Chekmejeh" /
#: "Küçükçekmece") only at this similarity or more.
SPLIT_MIN_SIMILARITY = 0.8

#: A gazetteer of at least this many names is keyed on every core when its
#: index is built, in chunks of `KEYING_CHUNK` names.
PARALLEL_MIN_NAMES = 100_000
KEYING_CHUNK = 20_000

#: How many names a worker process of `Resolver.resolve_many` takes at a time:
#: enough that sending them costs little beside resolving them.
CHUNKSIZE = 64

#: Running text (`namenorm.scan`): a name is looked for in spans of at most
#: this many words of a run of capitalized words.
MAX_SPAN_WORDS = 4

#: A word of running text in capitals with at most this many letters is an
#: acronym ("UN", "EU"): it matches only an alias that is one too, not a
#: name so spelled in lower case ("Un", a town in India).
TEXT_ACRONYM_LETTERS = 3

#: A single word of running text shorter than this is found only as an
#: alias: three letters are too few to tell a variant from another word
#: ("Bok" is no Baku).
TEXT_MIN_LETTERS = 4

#: How many candidates of a span are weighed with its context.
TEXT_CANDIDATES = 3

#: A name is scored for a span of running text only if it shares this share
#: of the span's sound-key bigrams (`CANDIDATE_MIN_SHARED` for a name by itself).
TEXT_MIN_SHARED = 0.5

#: At most this many names of the index are scored for a span of running
#: text (`CANDIDATE_LIMIT` for a name looked up by itself): the cheap cut
#: (see `CANDIDATE_GRAMS_WEIGHT`) puts the few that could clear
#: `TEXT_SCORE_CUTOFF` first.
TEXT_CANDIDATE_NAMES = 12

#: And they are chosen among at most this many (`CANDIDATE_PRESELECT` for
#: a name by itself).
TEXT_PRESELECT = 500

#: And only names at least this alike by the cheap similarities (the sum
#: that `CANDIDATE_GRAMS_WEIGHT` describes, at most 5) are scored: most
#: capitalized words of a text are not names of the gazetteer, and this
#: rejects them before the expensive scores.
TEXT_MIN_ALIKE = 2.75

#: Nor names less alike than the most alike by more than this: a span needs
#: its best few. Of the queries of bench/accuracy.py that `resolve` gets
#: right at 0.65 or more (what running text could accept with context), this
#: cut and the four above keep 96.6% on the tune sample (96.1% on dev), at a
#: median 1.1 ms a query against 12.8 ms; 150 names among 5,000 at 2.75 would
#: keep 99.5% at 5.7 ms, and 20 names without this 96.8% at 1.4 ms.
TEXT_ALIKE_WITHIN = 1.0

#: At most this many rounds weigh the variants of a text against the names
#: the round before found (`namenorm._scan`); they agree after two or three.
CONTEXT_ROUNDS = 4

#: How many spans' candidates a scanner keeps (an LRU cache), as the same
#: names recur from one text to the next: about 4 KB a span, so 32 MB.
TEXT_CACHE_SIZE = 8_192

#: How many words' keys and shapes are kept (`namenorm._text`).
WORD_CACHE_SIZE = 65_536

#: A single word of a script without capitals (Arabic, Hebrew), where
#: nothing marks a name, is linked as a variant only at this score or more,
#: before context:
#: as another script's spelling of a name ("هادروت", Hadrut), not as a
#: resemblance (القرى, "the villages", is no Ankara).
TEXT_UNCASED_CUTOFF = 0.95

#: A person's surname alone is found as written only if it has at least this
#: many letters.
SURNAME_MIN_LETTERS = 3

#: A variant found in running text (not an alias written as the gazetteer
#: writes it) is kept only at this score or more, context included: a text
#: holds many capitalized words, and most are not names of the gazetteer.
TEXT_SCORE_CUTOFF = 0.75

#: Added to a match in running text of the kind a cue word next to it says
#: ("Qadr region": a place), taken from a match of another kind.
CUE_WEIGHT = 0.05

#: Added to a match in running text of an entity found elsewhere in the
#: text, or related to one found there (located in, part of, member of).
RELATED_WEIGHT = 0.05

#: A line of at least this many words (function words and numbers left
#: out), this share of them capitalized, that does not end with a full stop,
#: is a headline: a capital says nothing there about a name, so its single
#: words are not tried as variants.
HEADLINE_MIN_WORDS = 3
HEADLINE_CAPITALS = 0.85
#: Such a line of more words than this, full stop or not, is not a
#: headline but text in capitals: only aliases are found in it.
HEADLINE_MAX_WORDS = 25
