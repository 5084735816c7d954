"""namenorm: resolve the names people write to the entities they mean.

A short tour, on the built-in gazetteer:

>>> import namenorm
>>> m = namenorm.resolve("Nicole Bashinian")
>>> m.entity.name, m.entity.id, m.method
('Nikol Pashinyan', 'person:nikol-pashinyan', 'phonetic')
>>> namenorm.resolve("Пашинян").entity.name
'Nikol Pashinyan'
>>> namenorm.resolve("Qadr", kind="place").entity.name
'Hadrut'
>>> [c.entity.name for c in namenorm.candidates("Kinrut", limit=1)]
['Hadrut']
>>> namenorm.resolve("Heydar Aliyev") is None
True

Names in running text, found and normalized:

>>> [(m.text, m.match.entity.name) for m in namenorm.scan("Fighting near the Qadr region of Nagorno-Karabakh.")]
[('Qadr', 'Hadrut'), ('Nagorno-Karabakh', 'Nagorno-Karabakh')]
>>> namenorm.normalize_text("Prime Minister Nicole Bashinian met Aliyev.")
'Prime Minister Nikol Pashinyan met Ilham Aliyev.'

Your own entities, alone or with the built-in ones:

>>> e = namenorm.Entity(id="x:1", name="Shusha", kind="place", aliases=("Şuşa", "Շուշի"))
>>> r = namenorm.Resolver(namenorm.Gazetteer([*namenorm.Gazetteer.builtin(), e]))
>>> r.resolve("Shushi").entity.id
'x:1'
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from . import _core
from ._arrow import resolve_arrow
from ._errors import GazetteerError
from ._gazetteer import Gazetteer
from ._core import normalize, skeleton_key, sound_key, text_similarity, transliterate
from ._model import Entity, Match, Mention
from ._resolver import Resolver
from ._version import __version__ as __version__
from ._weights import Weights

__all__ = [
    "Entity",
    "Gazetteer",
    "GazetteerError",
    "Match",
    "Mention",
    "Resolver",
    "Weights",
    "candidates",
    "normalize",
    "normalize_text",
    "phonetic_similarity",
    "resolve",
    "resolve_arrow",
    "scan",
    "skeleton_key",
    "sound_key",
    "text_similarity",
    "transliterate",
]


_default: Resolver | None = None
_default_lock = threading.Lock()


def _builtin_resolver() -> Resolver:
    global _default
    with _default_lock:
        if _default is None:
            _default = Resolver(Gazetteer.builtin())
        return _default


def resolve(name: str, *, kind: str | None = None, score_cutoff: float | None = None) -> Match | None:
    """Resolve `name` on the built-in gazetteer. See `Resolver.resolve`."""
    return _builtin_resolver().resolve(name, kind=kind, score_cutoff=score_cutoff)


def candidates(name: str, *, kind: str | None = None, limit: int = 5, score_cutoff: float = 0.0) -> list[Match]:
    """Rank the built-in gazetteer's entities for `name`. See `Resolver.candidates`."""
    return _builtin_resolver().candidates(name, kind=kind, limit=limit, score_cutoff=score_cutoff)


def phonetic_similarity(a: str, b: str, *, weights: Weights = Weights()) -> float:
    """Sound-weighted similarity of two names after transliteration.

    1 minus the phonetic edit distance of their sound units over the larger
    name's weight (a consonant weighs 1, a vowel `vowel_indel_cost`): b for
    p, or one vowel for another, is a cheap edit. Symmetric, in [0, 1], and 1
    for names that romanize alike. A name is compared on its first 2,000
    characters (no name is longer, and the distance takes time with the
    product of the two lengths).

    Raises:
        TypeError: If `a` or `b` is not a str.

    >>> round(phonetic_similarity("Ksabart", "Khtsaberd"), 2)
    0.79
    """
    return _core.phonetic_similarity(a, b, weights.as_core())


def scan(text: str, *, kinds: Iterable[str] | str | None = None, score_cutoff: float | None = None) -> list[Mention]:
    """Find the names of the built-in gazetteer's entities in `text`. See `Resolver.scan`."""
    return _builtin_resolver().scan(text, kinds=kinds, score_cutoff=score_cutoff)


def normalize_text(text: str, *, kinds: Iterable[str] | str | None = None, score_cutoff: float | None = None) -> str:
    """`text` with each name of the built-in gazetteer's entities replaced by
    its canonical name. See `Resolver.normalize_text`."""
    return _builtin_resolver().normalize_text(text, kinds=kinds, score_cutoff=score_cutoff)
