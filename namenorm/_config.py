"""Thresholds and settings of the Python side, in one place: those of
running text (`namenorm.scan`) and of batches.

The matcher's own (cutoffs, costs, factors, the candidate cuts) are the
compiled core's, in `core/config.rs`; those a `Resolver` takes as
arguments are read from there. Every constant here can be overridden
per call where its argument says so.
"""

from __future__ import annotations

from . import _core

#: A candidate must score at least this to be returned by `resolve` (its
#: score is the probability that it is the entity meant).
SCORE_CUTOFF: float = _core.SCORE_CUTOFF

#: And its similarity at least this (see the core's `config::MIN_SIMILARITY`).
MIN_SIMILARITY: float = _core.MIN_SIMILARITY

#: And its false-match rate must be at most this: how often a name that is
#: not in the gazetteer scores as high against it (by default, for any kind
#: but a person) ...
MAX_FALSE_MATCH: float = _core.MAX_FALSE_MATCH

#: ... and this for a person, who is screened (a wrong match costs more than
#: a name left for review, and a list's people have namesakes).
MAX_FALSE_MATCH_PERSON: float = _core.MAX_FALSE_MATCH_PERSON

#: The default `max_false_match` for a match of an entity of a kind.
max_false_match_of = _core.max_false_match_of

#: A match is `ambiguous` when another entity scores within this margin of it.
AMBIGUITY_MARGIN: float = _core.AMBIGUITY_MARGIN

#: Factor on a person matched by part of the name (surname alone): the score
#: of a surname found as written in running text.
PARTIAL_NAME_FACTOR: float = dict(_core.WEIGHTS)["partial_name_factor"]

#: Default number of candidates returned by `candidates`.
DEFAULT_LIMIT = 5

#: How many names each thread of `Resolver.resolve_many` takes at a time:
#: enough that handing them over costs little beside resolving them.
CHUNKSIZE = 64

#: A table's names (`namenorm.resolve_arrow`, `namenorm resolve --table`,
#: the DuckDB and Spark functions) are each resolved once: this many are
#: remembered with their answers (about 300 bytes each), then forgotten
#: together.
TABLE_NAMES = 200_000

#: How deep an entity's attrs may nest (a table in a list in a table ...)
#: to be read from a file or stored in a compiled index: far past any real
#: record, and inside what JSON readers take (serde_json, which checks a
#: compiled index's attrs when it is loaded, takes 128).
MAX_ATTRS_DEPTH = 64

#: A word of running text longer than this (letters) is not read: no name
#: has one, and a regular expression's work on it grows with its length.
MAX_WORD_LETTERS = 1_000

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

#: Taken from a place found in running text outside the countries the text
#: is about (see `ABOUT_SHARE`): a garbled name near a town of another
#: continent is more likely a place of the text's own.
FOREIGN_WEIGHT = 0.25

#: A text is about the countries of the places it names as written at least
#: this share as often as the most named one.
ABOUT_SHARE = 0.25

#: A line of at least this many words (function words and numbers left
#: out), this share of them capitalized, that does not end with a full stop,
#: is a headline: a capital says nothing there about a name, so its single
#: words are not tried as variants.
HEADLINE_MIN_WORDS = 3
HEADLINE_CAPITALS = 0.85
#: Such a line of more words than this, full stop or not, is not a
#: headline but text in capitals: only aliases are found in it.
HEADLINE_MAX_WORDS = 25

#: How many `where` filters a Resolver keeps the entities of (each a list
#: of positions), the oldest dropped first.
FILTER_CACHE = 256

# `namenorm serve`'s limits (each a command-line option, --max-...): a request past
# one is refused with 413 (the body) or 422 (the others), saying which.

#: The bytes of a request's body.
SERVE_MAX_BODY_BYTES = 16 * 2**20

#: The names of one request: the queries of a reconciliation batch, the
#: names of a /match, the ids of a data extension.
SERVE_MAX_NAMES = 10_000

#: The characters of one name.
SERVE_MAX_NAME_LENGTH = 1_000

#: The candidates one query may ask for.
SERVE_MAX_LIMIT = 100

#: The candidates of one request, its names' limits added up (10,000 names
#: at the default limit of 5): what keeps an answer's size in bounds.
SERVE_MAX_CANDIDATES = 50_000

#: The properties one query may filter on, or one data extension fetch.
SERVE_MAX_PROPERTIES = 50

#: The characters of a value that an error quotes.
SERVE_SHOWN = 80

#: The size of the preview OpenRefine shows in a frame (pixels).
PREVIEW_WIDTH = 420
PREVIEW_HEIGHT = 180

#: The properties `/properties` proposes unless asked for fewer or more.
PROPOSE_LIMIT = 50

#: The characters of a JSONP callback's name.
CALLBACK_LENGTH = 100

#: How many names of a batch go to the core's threads at a time while other
#: requests are matching: a huge batch takes turns with the requests that
#: come after it, in steps this big (bench/serve.py, 34,006 cities, 2
#: cores: one-name requests from 8 clients beside a stream of 1,000-name
#: batches were answered at 126 requests/s, p99 183 ms, with steps of 32
#: names; at 272-330/s, p99 60 ms, with steps of 4, against 330-375/s alone).
SERVE_CHUNK = 4

#: ... and while it is the only one: steps this big keep both threads busy
#: to the end of a step (a batch of 100 names in steps of 4 took 1.39x the
#: time of one step of 100), and a request that comes during one waits for
#: no more than it.
SERVE_CHUNK_ALONE = 16

#: The candidates a suggest request gets unless it asks for fewer or more.
SUGGEST_LIMIT = 10
