"""The records namenorm reads and the answers it gives."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import _config
from ._core import normalize


def _check_str(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str, not {type(value).__name__}")
    if not value.strip():
        raise ValueError(f"{what} must not be empty")
    return value


def _check_name(value: Any, what: str) -> None:
    _check_str(value, what)
    if not normalize(value):
        raise ValueError(f"{what} {value!r} has no letters or digits, so nothing could ever match it")


def attrs_problem(attrs: Mapping[str, Any]) -> str | None:
    """What keeps `attrs` from being stored as JSON (in a compiled index), or
    None if nothing does.

    Keys must be str; values str, int, float (finite, as JSON has no NaN or
    infinity), bool, None, lists and tables of these, nested at most
    `MAX_ATTRS_DEPTH` deep; no string may hold a lone surrogate (UTF-8
    cannot). Walked without recursion, so a structure of any depth gets an
    answer.

    >>> attrs_problem({"country": "AM", "codes": ["AM", "ARM"]}) is None
    True
    >>> attrs_problem({"area": float("inf")})
    "attrs['area'] is inf, which JSON cannot hold: only finite numbers"
    """
    stack: list[tuple[str, Any, int]] = [("attrs", attrs, 0)]
    while stack:
        where, value, depth = stack.pop()
        if isinstance(value, (Mapping, list)):
            if depth >= _config.MAX_ATTRS_DEPTH:
                shown = where if len(where) <= 60 else where[:57] + "..."
                return f"{shown} is nested deeper than {_config.MAX_ATTRS_DEPTH} levels"
            items = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in items:
                if isinstance(value, Mapping):
                    if not isinstance(key, str):
                        return f"{where} has a key {key!r} that is not a str"
                    if _lone_surrogate(key):
                        return f"{where} has a key {key!r} with a lone surrogate, which UTF-8 cannot store"
                stack.append((f"{where}[{key!r}]", item, depth + 1))
        elif isinstance(value, str):
            if _lone_surrogate(value):
                return f"{where} holds a lone surrogate, which UTF-8 cannot store"
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{where} is {value!r}, which JSON cannot hold: only finite numbers"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**1023:
            return f"{where} is a number too large for JSON readers (a double)"
        elif value is not None and not isinstance(value, (bool, int, float)):
            return (
                f"{where} is a {type(value).__name__}; attrs hold JSON values only: str, numbers, booleans, "
                "None, lists and tables"
            )
    return None


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


@dataclass(frozen=True)
class Entity:
    """A canonical entity: one person, place, organisation or thing.

    Attributes:
        id: Stable identifier, unique within a gazetteer ("person:nikol-pashinyan").
        name: Canonical name ("Nikol Pashinyan").
        kind: "person", "place", "org", or any kind a gazetteer defines. A
            person's names are matched part against part (in any order, with
            middle names, patronymics or a second surname left out or
            added, initials for given names); an organisation's ("org")
            legal form ("LLC", "OOO", "GmbH") is neither needed nor enough.
        aliases: Other real names and spellings, in any script (strong
            aliases: FollowTheMoney's `alias`, OFAC's a.k.a.).
        prior: Non-negative prominence (population, mention count). It breaks
            near ties toward the more prominent entity, never more.
        attrs: Free-form attributes (country, Wikidata id, ...): JSON values
            (see `attrs_problem`) if the gazetteer is to be compiled.
        previous_names: Names it went by before (f.k.a.): matched as its
            other names are.
        weak_aliases: Nicknames, short and partial names (FollowTheMoney's
            `weakAlias`, OFAC's weak a.k.a.): a match of one alone counts
            for less.

    Raises:
        TypeError: If a field has the wrong type.
        ValueError: If id, name or kind is empty, or prior is negative or not finite.

    >>> Entity(id="x:1", name="Hadrut", kind="place", aliases=["Gadrut"]).names
    ('Hadrut', 'Gadrut')
    """

    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    prior: float = 0.0
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False)
    previous_names: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_str(self.id, "Entity.id")
        _check_name(self.name, "Entity.name")
        _check_str(self.kind, "Entity.kind")
        for what, names in (
            ("aliases", self.aliases),
            ("previous_names", self.previous_names),
            ("weak_aliases", self.weak_aliases),
        ):
            if isinstance(names, str) or not isinstance(names, (list, tuple)):
                raise TypeError(f"Entity.{what} must be a list or tuple of str, not {type(names).__name__}")
            for alias in names:
                _check_name(alias, f"an alias of {self.id!r},")
        if isinstance(self.prior, bool) or not isinstance(self.prior, (int, float)):
            raise TypeError(f"Entity.prior must be a number, not {type(self.prior).__name__}")
        try:
            finite = math.isfinite(self.prior)
        except OverflowError:  # an int too large for a float
            finite = False
        if not finite or self.prior < 0:
            raise ValueError(f"Entity.prior must be a finite number >= 0, not {self.prior!r}")
        if not isinstance(self.attrs, Mapping):
            raise TypeError(f"Entity.attrs must be a mapping, not {type(self.attrs).__name__}")
        # Own copies, so that the caller's list or dict can change without us.
        object.__setattr__(self, "aliases", tuple(self.aliases))
        object.__setattr__(self, "previous_names", tuple(self.previous_names))
        object.__setattr__(self, "weak_aliases", tuple(self.weak_aliases))
        object.__setattr__(self, "prior", float(self.prior))
        object.__setattr__(self, "attrs", dict(self.attrs))

    @classmethod
    def _trusted(
        cls,
        id: str,
        name: str,
        kind: str,
        aliases: list[tuple[str, str]],
        prior: float,
        attrs: dict[str, Any],
    ) -> Entity:
        """An entity from fields already checked, as a compiled index stores
        them (each alias with its kind: "alias", "previous_name" or
        "weak_alias"): built without `__post_init__`'s checks, which cost
        more than the rest of loading (each name is normalized)."""
        entity = cls.__new__(cls)
        # A frozen dataclass's fields live in its __dict__: filled at once,
        # past the __setattr__ that refuses changes.
        entity.__dict__.update(
            id=id,
            name=name,
            kind=kind,
            aliases=tuple(a for a, k in aliases if k == "alias"),
            prior=prior,
            attrs=attrs,
            previous_names=tuple(a for a, k in aliases if k == "previous_name"),
            weak_aliases=tuple(a for a, k in aliases if k == "weak_alias"),
        )
        return entity

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name followed by the aliases, previous names and
        weak aliases, without repeats."""
        return tuple(dict.fromkeys((self.name, *self.aliases, *self.previous_names, *self.weak_aliases)))

    def _labelled_aliases(self) -> list[tuple[str, str]]:
        """Its other names, each with its kind, as the core takes them."""
        return [
            *((a, "alias") for a in self.aliases),
            *((a, "previous_name") for a in self.previous_names),
            *((a, "weak_alias") for a in self.weak_aliases),
        ]


@dataclass(frozen=True)
class Match:
    """One entity that a name may refer to, and why.

    Attributes:
        query: The name as it was given.
        entity: The entity matched.
        score: How sure the match is: the probability that this is the
            entity meant, given that the gazetteer holds the one meant
            (calibrated on GeoNames, from its similarity, its lead over the
            runner-up, how many names crowd near it, its method and the
            query's length and script; data/calibration.toml).
        alias: The name of the entity that matched best (canonical name or alias).
        alias_kind: What that name is: "name" (the canonical name),
            "alias", "previous_name" or "weak_alias" (a match of a weak
            alias alone counts for less).
        method: How it matched: "exact", "normalized", "transliterated",
            "translated", "phonetic", "fuzzy", "initials", "surname" or "partial".
        ambiguous: True when another entity scored within the ambiguity margin.
        runner_up: The best other entity, if any was scored.
        runner_up_score: Its score.
        evidence: (what was compared, similarity) pairs behind the score.
        similarity: How alike the query and the matched name are, in [0, 1],
            before any competitor is considered.
        ranking: (feature, value) pairs the ranker weighed (see the core's
            `rank`).
        false_match: How often a name that is *not* in this gazetteer scores
            at least `score` against it (measured on the gazetteer, with a
            background of real names it lacks): 0.01 is 1 time in 100.
            `resolve` answers only at most `max_false_match` (by default
            0.03 for a person, 0.05 for the rest).
        settles_in_part: Whether, matched in part (method "partial"), it may
            settle its name all the same: a person's, or an organisation's
            whose words that agree say twice as much as those left out. A place
            matched in part never does ("Union" is not the Soviet Union).
    """

    query: str
    entity: Entity
    score: float
    alias: str
    method: str
    ambiguous: bool = False
    runner_up: Entity | None = None
    runner_up_score: float | None = None
    evidence: tuple[tuple[str, float], ...] = ()
    similarity: float | None = None
    ranking: tuple[tuple[str, float], ...] = ()
    false_match: float | None = None
    alias_kind: str = "name"
    settles_in_part: bool = False

    def explain(self) -> str:
        """A few lines that say what matched, how, and what came second.

        >>> import namenorm
        >>> print(namenorm.resolve("Gadrut").explain())  # doctest: +ELLIPSIS
        'Gadrut' -> Hadrut (place:hadrut), score 0.99 by transliterated
          matched alias: 'Гадрут', similarity 0.98
        ...
        """
        similarity = self.score if self.similarity is None else self.similarity
        lines = [
            f"{self.query!r} -> {self.entity.name} ({self.entity.id}), score {self.score:.2f} by {self.method}",
            f"  matched {_NAME_KINDS.get(self.alias_kind, 'alias')}: {self.alias!r}, similarity {similarity:.2f}",
        ]
        lines += [f"  {what}: {similarity:.2f}" for what, similarity in self.evidence]
        if self.false_match is not None:
            lines.append(f"  false match: {_false_match_words(self.false_match)}")
        lines.append(f"  prior: {self.entity.prior:g}")
        if self.ranking:
            weighed = [f"{name} {value:.2f}" for name, value in self.ranking if value]
            lines.append("  ranked on: " + (", ".join(weighed) or "nothing"))
        if self.runner_up is not None and self.runner_up_score is not None:
            lines.append(f"  runner-up: {self.runner_up.name} ({self.runner_up.id}), score {self.runner_up_score:.2f}")
        else:
            lines.append("  runner-up: none")
        if self.ambiguous:
            lines.append("  AMBIGUOUS: the runner-up is within the margin")
        return "\n".join(lines)


_NAME_KINDS = {"name": "alias", "alias": "alias", "previous_name": "previous name", "weak_alias": "weak alias"}


def _false_match_words(rate: float) -> str:
    if rate <= 0:
        return "no name of the background that this gazetteer lacks scored this high"
    return f"a name not in this gazetteer scores this high 1 time in {max(1, round(1 / rate)):,}"


@dataclass(frozen=True)
class Mention:
    """A name found in running text, and the entity it refers to.

    Attributes:
        start: Where the name starts in the text (a str index).
        end: Where it ends: ``text[start:end]`` is the name as written.
        text: The name as written.
        match: The entity it refers to, how it matched and how sure
            (`Match`); a variant's evidence includes the context weighed
            ("cue: place", "in context: ...").
    """

    start: int
    end: int
    text: str
    match: Match
