from __future__ import annotations

import namenorm
from namenorm import Entity, Gazetteer, Resolver
from namenorm._core import FEATURES
from namenorm._resolver import fitted


def test_shipped_rankers_match_the_features() -> None:
    for weights, depth, window in fitted().values():
        assert len(weights) == len(FEATURES)
        assert 0 < window <= 1 and depth >= 1


def test_prior_never_lifts_a_far_off_name() -> None:
    near = Entity(id="place:a", name="Hadrut", kind="place")
    far = Entity(id="place:b", name="Gadyrly", kind="place", prior=1e12)
    found = Resolver(Gazetteer([near, far])).candidates("Gadrut", limit=2)
    assert [m.entity.id for m in found] == ["place:a", "place:b"]
    assert found[0].similarity is not None and found[1].similarity is not None
    assert found[0].similarity - found[1].similarity > fitted()["place"][2]


def test_match_reports_what_the_ranker_weighed() -> None:
    match = namenorm.resolve("Kinrut")
    assert match is not None
    assert [name for name, _ in match.ranking] == list(FEATURES)
    assert "ranked on: similarity" in match.explain()
