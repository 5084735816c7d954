from __future__ import annotations

import pytest

from namenorm import Entity
from namenorm._context import Relations, cue_kind, cues, listed
from namenorm._text import words


def test_cues() -> None:
    table = cues()
    assert (("region",), "place") in table.after["region"]
    assert (("prime", "minister"), "person") in table.before["minister"]
    assert ("the",) not in {phrase for found in table.before.values() for phrase, _ in found}
    assert ("villages", "of") in table.many and ("village", "of") not in table.many


@pytest.mark.parametrize(
    ("text", "name", "kind"),
    [
        ("in the Qadr region", "Qadr", "place"),
        ("in the Qadr, region", "Qadr", None),  # only a space or a hyphen between
        ("Prime Minister Nicole met them", "Nicole", "person"),
        ("the villages of Hintagarh and Ksabart", "Ksabart", "place"),
        ("the villages of Hintagarh, Ksabart", "Ksabart", "place"),
        ("the village of Hintagarh and Ksabart", "Ksabart", None),  # one village: no list
        ("President Aliyev and Ksabart", "Ksabart", None),
        ("the village of Hintagarh. And Ksabart", "Ksabart", None),
        ("He visited Hintagarh. Group leaders", "Hintagarh", None),
    ],
    ids=str,
)
def test_cue_kind(text: str, name: str, kind: str | None) -> None:
    found = words(text)
    at = next(i for i, w in enumerate(found) if w.text == name)
    assert cue_kind(text, found, [at], [False] * len(found)) == kind


def test_relations_count_both_ways_and_not_for_the_same_words() -> None:
    relations = Relations(
        [
            Entity(id="p:village", name="Village", kind="place", attrs={"located_in": ["p:district", "p:nowhere"]}),
            Entity(id="p:district", name="District", kind="place"),
        ]
    )
    document = {"p:district": {(10, 18)}, "p:village": {(30, 37)}}
    assert relations.near("p:village", document, (0, 5)) == "found elsewhere in the text"
    assert relations.near("p:district", document, (10, 18)) == "related to p:village"
    assert relations.near("p:village", {"p:district": {(10, 18)}}, (0, 5)) == "related to p:district"
    # What was found at these words, or at some of them, is no evidence for them.
    assert relations.near("p:village", {"p:village": {(30, 34)}}, (30, 37)) is None
    assert relations.near("p:village", {"p:district": {(30, 34)}}, (30, 37)) is None


def test_listed() -> None:
    assert listed(["a", 1, "b"]) == ["a", "b"]
    assert listed("a") == [] and listed(None) == []
