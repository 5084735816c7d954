"""Screening names against the OFAC SDN list: namenorm against what screening tools use.

Data: the US Treasury OFAC Specially Designated Nationals list in its legacy
CSV form, `sdn.csv` and its alternate names `alt.csv` (Latin-1, no header
row, "-0-" for empty), read in place from ../shared/data/sanctions/ or from
--sdn/--alt (OFAC publishes today's list under the same names). Listed
individuals and entities (organisations) are kept; vessels and aircraft are
left out.

The gazetteer holds each listed individual or entity once, by its primary
name only, without aliases: `Entity(id="ofac:<ent_num>", name=..., kind=
"person" or "org")`, an individual's "SURNAME, Given Names" put in "Given
Names SURNAME" order (split at the first ", "; a name without one is kept as
it is). The queries are the listed alternate names (a.k.a., f.k.a., n.k.a.)
of those individuals and entities, a person's reordered the same way, kept
when (a) the alternate differs from its entity's primary name once folded
(unidecode, lower case, letters and digits only), (b) its folded form belongs
to one entity only, and (c) it folds to no other entity's primary name; one
query per distinct (entity, query). Three sets: persons, organisations, and
"persons as listed": the same sampled person queries as OFAC writes them
("VAZIRI, Hossein Nosratollah"). The person and the organisation queries
are each sampled with a fixed seed over the sorted eligible list: the "tune"
sample (seed 1) is for tuning, the "report" sample (seed 2, drawn from what
the tune sample left) is the one to quote; 1,500 queries a set by default.

Each system searches only the entities of the query's kind (a screening user
filters persons or organisations). Side by side, on the same queries, in the
same run:

- namenorm: `Resolver(Gazetteer(all entities))`; its top 5 from
  `candidates(q, kind=k, limit=5)`, its decision from `resolve(q, kind=k)`;
- rapidfuzz `process.extract` with `fuzz.ratio` over unidecode-folded,
  lowercased names; decision: top score >= 90;
- the same with `fuzz.token_sort_ratio`; decision: top score >= 90;
- moov-io/watchman's best-pairs Jaro-Winkler, as its
  `internal/stringscore/jaro_winkler.go` (`BestPairsJaroWinkler`,
  `customJaroWinkler`, `scalingFactor`; commit 160a9820) and
  `internal/stringscore/phonetics.go` (`firstCharacterSoundexMatch`) score:
  names split into words; each query word paired with each name word whose
  first letters fall in the same soundex class (its default phonetic
  filter), by Jaro-Winkler (boost threshold 0.7, prefix 4: rapidfuzz's
  `JaroWinkler`), times 1 - 0.3 (1 - r) when the two words' length ratio r
  is below 0.9, times 0.9 when their first letters differ; the best pairs
  taken greedily, best first, each word used once; their average weighted by
  the two words' lengths (over the query's length and the matched name
  words' length), times 1 - 0.15 x the unmatched share of the name's
  letters. Text is prepared as its `precompute` (cmd/server/
  pipeline_normalize.go): "." and "," dropped, "-" a space, lower case,
  diacritics dropped (here by unidecode); its indexing steps that drop
  stopwords (by detected language) and company suffixes are not reproduced.
  Equal pair scores are taken in query-word order (Go's sort is not stable).
  Decision: top score >= 0.85 (watchman's search API has no decision
  threshold of its own: `minMatch` defaults to 0 and it lists its top 10);
- nomenklatura's LogicV2, the matcher behind OpenSanctions' yente,
  reranking a rapidfuzz shortlist: the top 20 names by `token_sort_ratio`
  and the top 20 by Jaro-Winkler (whole folded names), each scored by
  `LogicV2.compare(query, result, ScoringConfig.defaults())` as
  FollowTheMoney entities (Person or Organization, with the name property);
  decision: top score >= 0.70. nomenklatura pins its own packages, so it runs
  in a virtualenv of its own (--nomenklatura-python; default
  /work/venv-nomenklatura/bin/python), as a worker fed JSON, after the other
  systems; it is skipped, with a note, if that interpreter is missing or fails.

Figures, per system and set: acc@1 and acc@5 (the right entity first, within
the top 5); the decision right / wrong / none on the closed set; the open
set answered: the same queries against the gazetteer without that set's
answers (one gazetteer a set), where any answer is false; "right at an equal
open-set rate": a cutoff on the system's own top score set where its open set
is answered as often as namenorm's `resolve` answers it (or the nearest rate
it reaches), and the share it then answers rightly on the closed set; the
same at open-set rates of 1% and 3% (for namenorm, its frontier by a cutoff
on its top candidate's score); the median time a query (namenorm's around
`candidates()`; nomenklatura's is its shortlist and its scoring). For
namenorm also: the expected calibration error of the top candidate's
`Match.score` (10 equal bins), the share of queries with no candidate, and
its person acc@1 by whether the query has fewer, as many or more words (runs
of letters and digits) than the listed name.

The whole run (1,500 queries a set, all systems) takes about 5 minutes on 2 cores.

    python bench/people.py [--sample report|tune] [--n 1500] [--sdn PATH] [--alt PATH]
        [--json OUT] [--queries OUT.tsv] [--failures N] [--nomenklatura-python PATH]
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import gzip
import json
import math
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import rapidfuzz
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler
from unidecode import unidecode

import namenorm

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "sanctions"
NOMENKLATURA_PYTHON = Path("/work/venv-nomenklatura/bin/python")
SEEDS = {"tune": 1, "report": 2}
DEFAULT_N = 1500
KINDS = {"individual": "person", "": "org"}  # SDN_Type -> kind; vessels and aircraft are left out
LIMIT = 5  # candidates ranked
OPEN_RATES = (0.01, 0.03)  # the frontier: right at these open-set rates

RAPIDFUZZ_DECISION = 0.90  # fuzz scores are read in [0, 1]
WATCHMAN_DECISION = 0.85
LOGIC_V2_DECISION = 0.70
SHORTLIST = 20  # LogicV2 reranks the top SHORTLIST by token_sort_ratio and by Jaro-Winkler

# moov-io/watchman internal/stringscore/jaro_winkler.go defaults
WATCHMAN_LENGTH_CUTOFF = 0.9  # lengthDifferenceCutoffFactor
WATCHMAN_LENGTH_PENALTY = 0.3  # lengthDifferencePenaltyWeight
WATCHMAN_LETTER_PENALTY = 0.9  # differentLetterPenaltyWeight
WATCHMAN_UNMATCHED_PENALTY = 0.15  # unmatchedIndexPenaltyWeight
WATCHMAN_PHONETIC_FILTER = True  # DISABLE_PHONETIC_FILTERING unset
# internal/stringscore/phonetics.go soundexMap: the classes of a word's first letter
_SOUNDEX_CLASSES = {"a": "aeiouy", "b": "bfpv", "c": "cgjkqsxz", "d": "dt", "l": "l", "m": "mn", "r": "r", "h": "hw"}
_SOUNDEX = {letter: name for name, letters in _SOUNDEX_CLASSES.items() for letter in letters}

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Record:
    """A listed individual or entity, as the gazetteer holds it."""

    id: str  # "ofac:<ent_num>"
    name: str  # the primary name, a person's reordered
    kind: str  # "person" or "org"


@dataclass(frozen=True)
class Query:
    """An alternate name to look up, and the entity it belongs to."""

    text: str  # as asked
    listed: str  # as OFAC lists it
    answer: str  # the entity's id
    kind: str


@dataclass(frozen=True)
class Found:
    """What a system answers for one query."""

    ranked: tuple[tuple[str, float], ...]  # up to LIMIT (id, score in [0, 1]), best first
    decision: str | None  # the entity it commits to, or None
    seconds: float


class Searcher(Protocol):
    """A system with its index built over some records."""

    def search(self, text: str, kind: str) -> Found:
        """Rank the entities of `kind` for `text`, and decide."""
        ...


def reorder(name: str) -> str:
    """Put "SURNAME, Given Names" in "Given Names SURNAME" order (a name without ", " stays as it is)."""
    surname, comma, given = name.partition(", ")
    return f"{given} {surname}" if comma else name


def fold(text: str) -> str:
    """unidecode, lower case, letters and digits only."""
    return _NOT_ALNUM.sub("", unidecode(text).lower())


def lower_ascii(text: str) -> str:
    """How the rapidfuzz baselines see a name: unidecode, lower case."""
    return unidecode(text).lower()


def read_rows(path: Path, width: int) -> list[list[str]]:
    """The rows of an OFAC legacy CSV file (gzipped or not), fields stripped
    and "-0-" made empty. Shorter rows are left out: the files end with a DOS
    end-of-file mark (^Z) on a line of its own."""
    with path.open("rb") as raw:
        gzipped = raw.read(2) == b"\x1f\x8b"
    with (
        gzip.open(path, "rt", encoding="latin-1", newline="") if gzipped else path.open(encoding="latin-1", newline="")
    ) as stream:
        return [
            ["" if f.strip() == "-0-" else f.strip() for f in row] for row in csv.reader(stream) if len(row) >= width
        ]


@dataclass
class Data:
    """The gazetteer's records, the eligible queries of each kind, and counts."""

    records: list[Record]
    pools: dict[str, list[Query]]  # kind -> eligible queries, sorted
    counts: dict[str, Any]


def load(sdn: Path, alt: Path) -> Data:
    """Read the SDN and alternate-name files into records and eligible queries (see the module's docstring)."""
    sdn_rows = read_rows(sdn, 12)
    alt_rows = read_rows(alt, 5)
    if not sdn_rows or not alt_rows:
        raise ValueError(f"no records in {sdn if not sdn_rows else alt}: is it OFAC's legacy CSV?")
    records: dict[str, Record] = {}
    types: Counter[str] = Counter()
    for ent_num, name, sdn_type, *_ in sdn_rows:
        types[sdn_type or "entity"] += 1
        kind = KINDS.get(sdn_type.lower())
        if kind is not None and name:
            records[f"ofac:{ent_num}"] = Record(f"ofac:{ent_num}", reorder(name) if kind == "person" else name, kind)
    primaries: defaultdict[str, set[str]] = defaultdict(set)
    for r in records.values():
        primaries[fold(r.name)].add(r.id)
    alternates: dict[tuple[str, str], str] = {}  # (id, text as asked) -> as listed, first listed kept
    for ent_num, _, _, alt_name, _ in sorted(alt_rows, key=lambda row: (int(row[0]), int(row[1]))):
        record = records.get(f"ofac:{ent_num}")
        if record is not None and alt_name:
            text = reorder(alt_name) if record.kind == "person" else alt_name
            alternates.setdefault((record.id, text), alt_name)
    owners: defaultdict[str, set[str]] = defaultdict(set)
    for entity_id, text in alternates:
        owners[fold(text)].add(entity_id)
    pools: dict[str, list[Query]] = {"person": [], "org": []}
    left_out: Counter[str] = Counter()
    for (entity_id, text), listed in sorted(alternates.items()):
        record, folded = records[entity_id], fold(text)
        if not folded or folded == fold(record.name):
            left_out["same as its primary name, folded"] += 1
        elif owners[folded] != {entity_id}:
            left_out["shared with another entity"] += 1
        elif primaries.get(folded):
            left_out["another entity's primary name"] += 1
        else:
            pools[record.kind].append(Query(text, listed, entity_id, record.kind))
    kinds = Counter(r.kind for r in records.values())
    counts = {
        "sdn_rows": len(sdn_rows),
        "sdn_types": dict(types),
        "alt_rows": len(alt_rows),
        "entities": dict(kinds),
        "alternates": dict(Counter(records[i].kind for i, _ in alternates)),
        "eligible": {kind: len(pool) for kind, pool in pools.items()},
        "left_out": dict(left_out),
    }
    return Data(sorted(records.values(), key=lambda r: r.id), pools, counts)


def samples(pools: dict[str, list[Query]], n: int, which: str) -> dict[str, list[Query]]:
    """The three sets of the `which` sample."""
    chosen = {}
    for kind, pool in pools.items():
        tune = random.Random(SEEDS["tune"]).sample(pool, min(n, len(pool)))
        if which == "tune":
            chosen[kind] = tune
        else:
            taken = set(tune)
            rest = [q for q in pool if q not in taken]
            chosen[kind] = random.Random(SEEDS["report"]).sample(rest, min(n, len(rest)))
    return {
        "persons": chosen["person"],
        "organisations": chosen["org"],
        "persons as listed": [dataclasses.replace(q, text=q.listed) for q in chosen["person"]],
    }


def by_kind(records: Iterable[Record]) -> dict[str, list[Record]]:
    """Records grouped by kind, in their order."""
    groups: defaultdict[str, list[Record]] = defaultdict(list)
    for r in records:
        groups[r.kind].append(r)
    return dict(groups)


class NamenormSearcher:
    """namenorm: candidates() ranks (and is timed), resolve() decides."""

    def __init__(self, records: Sequence[Record]) -> None:
        entities = [namenorm.Entity(id=r.id, name=r.name, kind=r.kind) for r in records]
        self.resolver = namenorm.Resolver(namenorm.Gazetteer(entities))
        # The false-match background is measured once, when first needed:
        # now, rather than in the first query's time.
        self.resolver.false_match_score()

    def search(self, text: str, kind: str) -> Found:
        """See `Searcher.search`."""
        start = time.perf_counter()
        matches = self.resolver.candidates(text, kind=kind, limit=LIMIT)
        seconds = time.perf_counter() - start
        decided = self.resolver.resolve(text, kind=kind)
        ranked = tuple((m.entity.id, m.score) for m in matches)
        return Found(ranked, None if decided is None else decided.entity.id, seconds)


class FuzzSearcher:
    """rapidfuzz's process.extract with one scorer over unidecode-folded,
    lowercased names; decides on the top score."""

    def __init__(self, records: Sequence[Record], scorer: Callable[..., float], threshold: float) -> None:
        self.scorer = scorer
        self.threshold = threshold
        self.index = {
            kind: ([lower_ascii(r.name) for r in group], [r.id for r in group])
            for kind, group in by_kind(records).items()
        }

    def search(self, text: str, kind: str) -> Found:
        """See `Searcher.search`."""
        start = time.perf_counter()
        choices, ids = self.index.get(kind, ([], []))
        found = process.extract(lower_ascii(text), choices, scorer=self.scorer, limit=LIMIT)
        seconds = time.perf_counter() - start
        ranked = tuple((ids[i], score / 100) for _, score, i in found)
        return Found(ranked, ranked[0][0] if ranked and ranked[0][1] >= self.threshold else None, seconds)


def watchman_words(text: str) -> list[str]:
    """A name as watchman's precompute leaves it, split into words."""
    return unidecode(text).replace(".", "").replace(",", "").replace("-", " ").lower().split()


def soundex_class(word: str) -> str:
    """The soundex class of a word's first letter (the letter itself if it has none)."""
    return _SOUNDEX.get(word[0], word[0])


class WatchmanIndex:
    """The names of one kind, with the distinct words of all of them: the
    per-word scores of a query are computed once a word and gathered into a
    (name, query word, name word) array."""

    def __init__(self, group: Sequence[Record]) -> None:
        self.ids = [r.id for r in group]
        names = [watchman_words(r.name) for r in group]
        vocabulary = sorted({w for words in names for w in words})
        self.vocabulary = vocabulary
        number = {w: i for i, w in enumerate(vocabulary)}
        width = max((len(words) for words in names), default=0) or 1
        pad = len(vocabulary)  # a word of no name, that pairs with nothing
        self.words = np.full((len(names), width), pad, dtype=np.int64)
        for row, words in enumerate(names):
            self.words[row, : len(words)] = [number[w] for w in words]
        self.lengths = np.array([len(w) for w in vocabulary] + [0], dtype=np.float64)
        self.name_lengths = self.lengths[self.words].sum(axis=1)
        self.firsts = np.array([w[0] for w in vocabulary])
        self.classes = np.array([soundex_class(w) for w in vocabulary])

    def scores(self, query: Sequence[str]) -> npt.NDArray[np.float64]:
        """BestPairsJaroWinkler(query, name) for every name."""
        count, width = len(self.ids), self.words.shape[1]
        if not query or not count:
            return np.zeros(count)
        pairs = np.full((len(query), len(self.vocabulary) + 1), -np.inf)
        if self.vocabulary:
            similarity = process.cdist(query, self.vocabulary, scorer=JaroWinkler.similarity, dtype=np.float64)
            query_lengths = np.array([len(w) for w in query], dtype=np.float64)[:, None]
            shorter = np.minimum(query_lengths, self.lengths[None, :-1])
            ratio = shorter / np.maximum(query_lengths, self.lengths[None, :-1])
            similarity *= np.where(ratio < WATCHMAN_LENGTH_CUTOFF, 1 - (1 - ratio) * WATCHMAN_LENGTH_PENALTY, 1.0)
            firsts = np.array([w[0] for w in query])[:, None]
            similarity *= np.where(firsts != self.firsts[None, :], WATCHMAN_LETTER_PENALTY, 1.0)
            if WATCHMAN_PHONETIC_FILTER:
                classes = np.array([soundex_class(w) for w in query])[:, None]
                similarity[classes != self.classes[None, :]] = -np.inf
            pairs[:, :-1] = similarity
        work = pairs[:, self.words].transpose(1, 0, 2).copy()  # (name, query word, name word)
        rows = np.arange(count)
        query_lengths_1d = np.array([len(w) for w in query], dtype=np.float64)
        total = np.zeros(count)
        matched = np.zeros(count)
        for _ in range(min(len(query), width)):
            flat = work.reshape(count, -1).argmax(axis=1)
            q, n = np.divmod(flat, width)
            best = work[rows, q, n]
            live = best > -np.inf
            if not live.any():
                break
            lengths = self.lengths[self.words[rows, n]]
            total[live] += best[live] * (query_lengths_1d[q[live]] + lengths[live])
            matched[live] += lengths[live]
            work[rows[live], q[live], :] = -np.inf
            work[rows[live], :, n[live]] = -np.inf
        average = total / (query_lengths_1d.sum() + matched)
        share = np.divide(matched, self.name_lengths, out=np.zeros(count), where=self.name_lengths > 0)
        return np.asarray(average * (1 - (1 - share) * WATCHMAN_UNMATCHED_PENALTY), dtype=np.float64)


class WatchmanSearcher:
    """moov-io/watchman's best-pairs Jaro-Winkler over every name of the kind."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.index = {kind: WatchmanIndex(group) for kind, group in by_kind(records).items()}

    def search(self, text: str, kind: str) -> Found:
        """See `Searcher.search`."""
        start = time.perf_counter()
        index = self.index.get(kind)
        ranked: tuple[tuple[str, float], ...] = ()
        if index is not None:
            scores = index.scores(watchman_words(text))
            top = np.argsort(-scores, kind="stable")[:LIMIT]
            ranked = tuple((index.ids[i], float(scores[i])) for i in top)
        seconds = time.perf_counter() - start
        return Found(ranked, ranked[0][0] if ranked and ranked[0][1] >= WATCHMAN_DECISION else None, seconds)


class Shortlister:
    """The rapidfuzz shortlist that LogicV2 reranks: the top SHORTLIST names
    by token_sort_ratio, then those of the top SHORTLIST by Jaro-Winkler not
    yet in it."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.index = {
            kind: ([lower_ascii(r.name) for r in group], [r.id for r in group])
            for kind, group in by_kind(records).items()
        }

    def shortlist(self, text: str, kind: str) -> list[str]:
        """The ids to rerank for `text`."""
        choices, ids = self.index.get(kind, ([], []))
        query = lower_ascii(text)
        found: dict[str, None] = {}
        for scorer in (fuzz.token_sort_ratio, JaroWinkler.normalized_similarity):
            for _, _, i in process.extract(query, choices, scorer=scorer, limit=SHORTLIST):
                found[ids[i]] = None
        return list(found)


# The nomenklatura worker: run by the interpreter of its own virtualenv, it
# reads {"names": {id: name}, "queries": [{"id", "schema", "text", "closed":
# [ids], "open": [ids]}]} and writes {"version", "results": [{"closed":
# [scores], "open": [scores], "seconds"}]}, the seconds those of the closed
# shortlist's scoring.
NOMENKLATURA_WORKER = r"""
import json, sys, time
from importlib.metadata import version
from followthemoney import model
from nomenklatura.matching import LogicV2, ScoringConfig

with open(sys.argv[1], encoding="utf-8") as f:
    job = json.load(f)
config = ScoringConfig.defaults()
made = {}

def entity(schema, id, name):
    # LogicV2 caches name analyses by entity id: one entity an id.
    if id not in made:
        e = model.make_entity(schema)
        e.id = id
        e.add("name", name)
        made[id] = e
    return made[id]

# The first comparisons load reference data: not a query's time.
for schema, a, b in (("Person", "John Smith", "Jon Smyth"), ("Organization", "Acme Trading LLC", "ACME TRADING")):
    LogicV2.compare(entity(schema, "warm:q:" + schema, a), entity(schema, "warm:r:" + schema, b), config)
results = []
for q in job["queries"]:
    query = entity(q["schema"], q["id"], q["text"])
    scores = {}
    start = time.perf_counter()
    for c in q["closed"]:
        scores[c] = LogicV2.compare(query, entity(q["schema"], c, job["names"][c]), config).score
    seconds = time.perf_counter() - start
    for c in q["open"]:
        if c not in scores:
            scores[c] = LogicV2.compare(query, entity(q["schema"], c, job["names"][c]), config).score
    closed, opened = [scores[c] for c in q["closed"]], [scores[c] for c in q["open"]]
    results.append({"closed": closed, "open": opened, "seconds": seconds})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump({"version": version("nomenklatura"), "results": results}, f)
"""

SCHEMAS = {"person": "Person", "org": "Organization"}


def rerank(ids: Sequence[str], scores: Sequence[float], seconds: float) -> Found:
    """LogicV2's answer from its scores of a shortlist (equal scores in shortlist order)."""
    order = sorted(range(len(ids)), key=lambda i: -scores[i])
    ranked = tuple((ids[i], float(scores[i])) for i in order[:LIMIT])
    return Found(ranked, ranked[0][0] if ranked and ranked[0][1] >= LOGIC_V2_DECISION else None, seconds)


def run_nomenklatura(
    python: Path | None, records: Sequence[Record], jobs: list[tuple[str, Query, list[str], list[str], float]]
) -> tuple[list[tuple[Found, Found]] | None, str]:
    """Score the shortlists with LogicV2 in nomenklatura's interpreter.

    `jobs` holds (query id, query, closed shortlist, open shortlist,
    shortlist seconds). Returns the (closed, open) answers in that order and
    the nomenklatura version, or None and why it was skipped.
    """
    if python is None or not python.exists():
        where = python or NOMENKLATURA_PYTHON
        return None, (
            f"no interpreter at {where} (python3 -m venv /work/venv-nomenklatura && "
            "/work/venv-nomenklatura/bin/pip install nomenklatura, or give --nomenklatura-python)"
        )
    job = {
        "names": {r.id: r.name for r in records},
        "queries": [
            {"id": qid, "schema": SCHEMAS[q.kind], "text": q.text, "closed": closed, "open": opened}
            for qid, q, closed, opened, _ in jobs
        ],
    }
    with tempfile.TemporaryDirectory(prefix="people-bench-") as tmp:
        job_path, out_path = Path(tmp) / "job.json", Path(tmp) / "scores.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        try:
            done = subprocess.run(
                [str(python), "-c", NOMENKLATURA_WORKER, str(job_path), str(out_path)],
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as e:
            return None, f"{python} could not be run: {e}"
        if done.returncode != 0 or not out_path.exists():
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            return None, f"the worker failed under {python} (exit {done.returncode}): {last}"
        answer = json.loads(out_path.read_text(encoding="utf-8"))
    found = [
        (rerank(closed, res["closed"], seconds + res["seconds"]), rerank(opened, res["open"], 0.0))
        for (_, _, closed, opened, seconds), res in zip(jobs, answer["results"])
    ]
    return found, str(answer["version"])


@dataclass(frozen=True)
class Cut:
    """A cutoff on a system's own top score, where its open set is answered
    at `open_rate`, and the share of the closed set it then answers right."""

    cutoff: float | None  # accept a top score >= cutoff; None: accept none
    open_rate: float
    right: float


def cut_at(closed: Sequence[tuple[float | None, bool]], opened: Sequence[float | None], rate: float) -> Cut:
    """The cutoff at which the open set's top scores are accepted nearest to
    `rate` (the lower rate on a tie), the lowest cutoff giving that rate.

    `closed` holds each query's (top score, whether the top is right),
    `opened` its top score on the open set; None when it had no candidate.
    """
    n = len(opened)
    scores = sorted((s for s in opened if s is not None), reverse=True)
    # Accepting the k best is possible where the k-th scores more than the next.
    options = [k for k in range(len(scores) + 1) if k in (0, len(scores)) or scores[k - 1] > scores[k]]
    k = min(options, key=lambda k: (abs(k / n - rate), k))
    if k < len(scores):
        cutoff: float | None = math.nextafter(scores[k], math.inf)
    else:
        cutoff = scores[-1] if scores else None
    right = 0 if cutoff is None else sum(ok for s, ok in closed if s is not None and s >= cutoff)
    return Cut(cutoff, k / n, right / len(closed))


def expected_calibration_error(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> float:
    """Over `bins` equal-width bins of the score, |share right - mean score|
    weighted by how many fall in each."""
    inside: defaultdict[int, list[tuple[float, bool]]] = defaultdict(list)
    for p, ok in pairs:
        inside[min(int(p * bins), bins - 1)].append((p, ok))
    return sum(
        abs(statistics.fmean(p for p, _ in group) - sum(ok for _, ok in group) / len(group)) * len(group) / len(pairs)
        for group in inside.values()
    )


@dataclass(frozen=True)
class Figures:
    """One system's figures on one set."""

    acc1: float
    acc5: float
    right: float
    wrong: float
    none: float
    open_answered: float
    at_namenorm_rate: Cut
    at_rates: dict[str, Cut]  # "1%", "3%"
    median_ms: float


def figures(queries: Sequence[Query], outcomes: Sequence[tuple[Found, Found]], rate: float) -> Figures:
    """A system's figures from its (closed, open) answers, `rate` being
    namenorm's open-set rate on the same set."""
    n = len(queries)
    ranks = [[i for i, _ in closed.ranked] for closed, _ in outcomes]
    decided = [closed.decision for closed, _ in outcomes]
    tops = [
        (closed.ranked[0][1], closed.ranked[0][0] == q.answer) if closed.ranked else (None, False)
        for q, (closed, _) in zip(queries, outcomes)
    ]
    open_tops = [opened.ranked[0][1] if opened.ranked else None for _, opened in outcomes]
    right = sum(d == q.answer for d, q in zip(decided, queries))
    answered = sum(d is not None for d in decided)
    return Figures(
        acc1=sum(bool(r) and r[0] == q.answer for r, q in zip(ranks, queries)) / n,
        acc5=sum(q.answer in r[:LIMIT] for r, q in zip(ranks, queries)) / n,
        right=right / n,
        wrong=(answered - right) / n,
        none=(n - answered) / n,
        open_answered=sum(opened.decision is not None for _, opened in outcomes) / n,
        at_namenorm_rate=cut_at(tops, open_tops, rate),
        at_rates={f"{r:.0%}": cut_at(tops, open_tops, r) for r in OPEN_RATES},
        median_ms=statistics.median(closed.seconds for closed, _ in outcomes) * 1000,
    )


def word_count(text: str) -> int:
    """Runs of letters and digits."""
    return len(_WORD.findall(text))


def namenorm_details(
    sets: dict[str, list[Query]], outcomes: dict[str, list[tuple[Found, Found]]], names: dict[str, str]
) -> dict[str, Any]:
    """namenorm's calibration, no-candidate share and person acc@1 by word count."""
    details: dict[str, Any] = {"ece": {}, "no_candidate": {}, "persons_by_words": {}}
    for set_name, queries in sets.items():
        pairs = [
            (c.ranked[0][1], c.ranked[0][0] == q.answer) for q, (c, _) in zip(queries, outcomes[set_name]) if c.ranked
        ]
        details["ece"][set_name] = expected_calibration_error(pairs) if pairs else None
        details["no_candidate"][set_name] = sum(not c.ranked for c, _ in outcomes[set_name]) / len(queries)
    groups: defaultdict[str, list[bool]] = defaultdict(list)
    for q, (closed, _) in zip(sets["persons"], outcomes["persons"]):
        asked, listed = word_count(q.text), word_count(names[q.answer])
        group = "fewer" if asked < listed else "same" if asked == listed else "more"
        groups[group].append(bool(closed.ranked) and closed.ranked[0][0] == q.answer)
    for group in ("fewer", "same", "more"):
        got = groups[group]
        details["persons_by_words"][group] = {"queries": len(got), "acc1": sum(got) / len(got) if got else None}
    return details


def cutoff_text(cut: Cut) -> str:
    """A cutoff for the table."""
    return "  none" if cut.cutoff is None else f"{cut.cutoff:6.3f}"


def print_table(set_name: str, n: int, rate: float, rows: dict[str, Figures]) -> None:
    """One set's table, all systems as rows."""
    print()
    print(f"{set_name}: {n} queries; namenorm's resolve answers {rate:.1%} of the open set")
    print(
        f"  {'system':28} {'acc@1':>6} {'acc@5':>6} {'right':>6} {'wrong':>6} {'none':>6} {'open':>6}"
        f"  | {'cutoff':>6} {'open':>6} {'right':>6} | {'r@1%':>6} {'r@3%':>6} | {'ms':>7}"
    )
    for system, f in rows.items():
        eq = f.at_namenorm_rate
        print(
            f"  {system:28} {f.acc1:6.3f} {f.acc5:6.3f} {f.right:6.3f} {f.wrong:6.3f} {f.none:6.3f} "
            f"{f.open_answered:6.3f}  | {cutoff_text(eq)} {eq.open_rate:6.3f} {eq.right:6.3f} | "
            f"{f.at_rates['1%'].right:6.3f} {f.at_rates['3%'].right:6.3f} | {f.median_ms:7.2f}"
        )


def print_failures(
    sets: dict[str, list[Query]], outcomes: dict[str, list[tuple[Found, Found]]], names: dict[str, str], count: int
) -> None:
    """The first `count` queries of each set whose namenorm top candidate is not the answer."""
    for set_name, queries in sets.items():
        misses = [
            (q, c) for q, (c, _) in zip(queries, outcomes[set_name]) if not c.ranked or c.ranked[0][0] != q.answer
        ]
        print()
        print(f"namenorm misses, {set_name}: {len(misses)} of {len(queries)}; the first {min(count, len(misses))}")
        for q, c in misses[:count]:
            got = f"{names[c.ranked[0][0]]} ({c.ranked[0][1]:.3f})" if c.ranked else "no candidate"
            print(f"  {q.text!r} -> expected {names[q.answer]!r}; top: {got}")


def write_queries(path: Path, sets: dict[str, list[Query]], names: dict[str, str]) -> None:
    """The sampled queries as TSV: set, query, answer id, answer name."""
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter="\t", lineterminator="\n")
        out.writerow(["set", "query", "answer_id", "answer_name"])
        for set_name, queries in sets.items():
            out.writerows([set_name, q.text, q.answer, names[q.answer]] for q in queries)


Outcomes = dict[str, dict[str, list[tuple[Found, Found]]]]  # system -> set -> (closed, open) a query
Job = tuple[str, Query, list[str], list[str], float]  # see run_nomenklatura

SYSTEMS: dict[str, Callable[[Sequence[Record]], Searcher]] = {
    "namenorm": NamenormSearcher,
    "rapidfuzz ratio": lambda records: FuzzSearcher(records, fuzz.ratio, RAPIDFUZZ_DECISION),
    "rapidfuzz token_sort_ratio": lambda records: FuzzSearcher(records, fuzz.token_sort_ratio, RAPIDFUZZ_DECISION),
    "watchman best-pairs JW": WatchmanSearcher,
}
LOGIC_V2 = "nomenklatura LogicV2 rerank"


def run_systems(records: Sequence[Record], sets: dict[str, list[Query]]) -> tuple[Outcomes, list[Job]]:
    """Every system's (closed, open) answers to every query, the systems
    interleaved query by query; and LogicV2's shortlists, to score after."""
    closed = {system: build(records) for system, build in SYSTEMS.items()}
    shortlister = Shortlister(records)
    outcomes: Outcomes = {system: {} for system in SYSTEMS}
    jobs: list[Job] = []
    opened_for: dict[frozenset[str], tuple[dict[str, Searcher], Shortlister]] = {}
    for set_name, queries in sets.items():
        print(f"{set_name}: {len(queries)} queries ...", file=sys.stderr)
        answers = frozenset(q.answer for q in queries)
        if answers not in opened_for:  # persons as listed share the persons' open gazetteer
            rest = [r for r in records if r.id not in answers]
            opened_for[answers] = ({system: build(rest) for system, build in SYSTEMS.items()}, Shortlister(rest))
        opened, open_shortlister = opened_for[answers]
        for system in SYSTEMS:
            outcomes[system][set_name] = []
        for number, q in enumerate(queries):
            for system in SYSTEMS:  # interleaved, so drift hits all alike
                outcomes[system][set_name].append(
                    (closed[system].search(q.text, q.kind), opened[system].search(q.text, q.kind))
                )
            start = time.perf_counter()
            shortlist = shortlister.shortlist(q.text, q.kind)
            seconds = time.perf_counter() - start
            jobs.append(
                (f"query:{set_name}:{number}", q, shortlist, open_shortlister.shortlist(q.text, q.kind), seconds)
            )
    return outcomes, jobs


def print_report(
    args: argparse.Namespace,
    data: Data,
    sets: dict[str, list[Query]],
    report: dict[str, Any],
    table: dict[str, dict[str, Figures]],
) -> None:
    """The header (machine, versions, data, sample, decisions) and the tables."""
    counts, versions = data.counts, report["versions"]
    print(
        f"machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(
        f"versions: namenorm {versions['namenorm']}, rapidfuzz {versions['rapidfuzz']}, "
        f"nomenklatura {versions['nomenklatura'] or 'not run'}"
    )
    types = ", ".join(f"{v} {k}" for k, v in counts["sdn_types"].items())
    print(f"data: {args.sdn} ({counts['sdn_rows']} rows: {types})")
    print(f"      {args.alt} ({counts['alt_rows']} alternate names)")
    print(
        f"gazetteer: {counts['entities'].get('person', 0)} persons, {counts['entities'].get('org', 0)} organisations "
        "(primary names only); distinct alternates: "
        + ", ".join(f"{counts['alternates'].get(k, 0)} of {k}s" for k in ("person", "org"))
        + "; eligible queries: "
        + ", ".join(f"{counts['eligible'][k]} {k}" for k in ("person", "org"))
        + " (left out: "
        + ", ".join(f"{v} {k}" for k, v in sorted(counts["left_out"].items()))
        + ")"
    )
    sizes = ", ".join(f"{len(qs)} {s}" for s, qs in sets.items())
    print(f"sample: '{args.sample}' (seed {SEEDS[args.sample]}), {sizes}")
    print(
        "decisions: namenorm resolve(); rapidfuzz top >= "
        f"{RAPIDFUZZ_DECISION * 100:g}; watchman top >= {WATCHMAN_DECISION}; LogicV2 top >= {LOGIC_V2_DECISION} "
        f"(of the top {SHORTLIST} by token_sort_ratio and by Jaro-Winkler)"
    )
    if report["nomenklatura_skipped"]:
        print(f"nomenklatura skipped: {report['nomenklatura_skipped']}")
    print(
        "columns: right/wrong/none = the decision on the closed set; open = share of the open set (that set's "
        "answers removed) answered;\n  cutoff/open/right = a cutoff on the system's own top score where its open "
        "set is answered as often as namenorm's resolve answers it\n  (or the nearest rate it reaches), the rate "
        "reached and the closed-set share answered right; r@1%/r@3% = the same at open-set rates 1% and 3%;\n"
        "  ms = median per query (namenorm: candidates(); LogicV2: its shortlist and scoring)"
    )
    for set_name, queries in sets.items():
        print_table(set_name, len(queries), report["namenorm_open_rate"][set_name], table[set_name])
    details = report["namenorm"]
    print()
    print("namenorm: calibration of the top candidate's Match.score (ECE, 10 bins) and queries with no candidate")
    for set_name in sets:
        ece = details["ece"][set_name]
        print(
            f"  {set_name:18} ECE {'-' if ece is None else f'{ece:.3f}'}, no candidate "
            f"{details['no_candidate'][set_name]:.3f}; cutoffs at open 1%/3%: "
            + "/".join(cutoff_text(table[set_name]["namenorm"].at_rates[r]).strip() for r in ("1%", "3%"))
        )
    print("namenorm person acc@1 by the query's words against the listed name's:")
    print(
        "  "
        + ", ".join(
            f"{g} {'-' if v['acc1'] is None else format(v['acc1'], '.3f')} ({v['queries']})"
            for g, v in details["persons_by_words"].items()
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; 0 on success, 2 on a missing or unreadable data file."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sdn", type=Path, default=DATA / "ofac_sdn.csv.gz", help="OFAC sdn.csv (or .gz)")
    parser.add_argument("--alt", type=Path, default=DATA / "ofac_alt.csv.gz", help="OFAC alt.csv (or .gz)")
    parser.add_argument("--sample", choices=SEEDS, default="report", help="which sample (default report)")
    parser.add_argument("--n", type=int, default=DEFAULT_N, help=f"queries per set (default {DEFAULT_N})")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every figure as JSON to OUT")
    parser.add_argument("--queries", type=Path, metavar="OUT.tsv", help="write the sampled queries as TSV")
    parser.add_argument("--failures", type=int, default=0, metavar="N", help="print N namenorm misses per set")
    parser.add_argument(
        "--nomenklatura-python",
        type=Path,
        default=NOMENKLATURA_PYTHON if NOMENKLATURA_PYTHON.exists() else None,
        metavar="PATH",
        help=f"the interpreter of a virtualenv with nomenklatura (default {NOMENKLATURA_PYTHON} if it exists)",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")

    started = time.perf_counter()
    for flag, path in (("--sdn", args.sdn), ("--alt", args.alt)):
        if not path.is_file():
            print(f"error: data file not found: {path} (give its path with {flag})", file=sys.stderr)
            return 2
    try:
        data = load(args.sdn, args.alt)
    except (OSError, ValueError, UnicodeError, csv.Error) as e:
        print(f"error: cannot read the OFAC files: {e}", file=sys.stderr)
        return 2
    sets = samples(data.pools, args.n, args.sample)
    empty = [set_name for set_name, queries in sets.items() if not queries]
    if empty:
        print(f"error: no eligible queries for {', '.join(empty)} in {args.sdn} and {args.alt}", file=sys.stderr)
        return 2
    names = {r.id: r.name for r in data.records}
    if args.queries:
        write_queries(args.queries, sets, names)

    outcomes, jobs = run_systems(data.records, sets)
    print("nomenklatura LogicV2 ...", file=sys.stderr)
    reranked, nomenklatura = run_nomenklatura(args.nomenklatura_python, data.records, jobs)
    if reranked is not None:
        outcomes[LOGIC_V2] = {}
        for set_name, queries in sets.items():
            outcomes[LOGIC_V2][set_name], reranked = reranked[: len(queries)], reranked[len(queries) :]

    rates = {s: sum(o.decision is not None for _, o in outcomes["namenorm"][s]) / len(qs) for s, qs in sets.items()}
    table = {
        set_name: {system: figures(queries, outcomes[system][set_name], rates[set_name]) for system in outcomes}
        for set_name, queries in sets.items()
    }
    ran = LOGIC_V2 in outcomes
    report: dict[str, Any] = {
        "machine": {
            "platform": platform.platform(),
            "machine": platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
        "versions": {
            "namenorm": namenorm.__version__,
            "rapidfuzz": rapidfuzz.__version__,
            "nomenklatura": nomenklatura if ran else None,
        },
        "nomenklatura_skipped": None if ran else nomenklatura,
        "data": {"sdn": str(args.sdn), "alt": str(args.alt), **data.counts},
        "sample": {
            "name": args.sample,
            "seed": SEEDS[args.sample],
            "n": args.n,
            **{s: len(q) for s, q in sets.items()},
        },
        "decisions": {
            "rapidfuzz": RAPIDFUZZ_DECISION,
            "watchman": WATCHMAN_DECISION,
            "logic_v2": LOGIC_V2_DECISION,
            "shortlist": SHORTLIST,
        },
        "namenorm_open_rate": rates,
        "sets": {s: {system: dataclasses.asdict(f) for system, f in rows.items()} for s, rows in table.items()},
        "namenorm": namenorm_details(sets, outcomes["namenorm"], names),
    }
    print_report(args, data, sets, report, table)
    if args.failures:
        print_failures(sets, outcomes["namenorm"], names, args.failures)
    report["seconds"] = time.perf_counter() - started
    print()
    print(f"run took {report['seconds']:.0f} s")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
