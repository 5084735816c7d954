"""Sound keys, through the public functions. The keys' internals (sound
units, alternative romanizations, syllabic transcriptions) are tested by the
compiled core's own tests (core/keys.rs, core/similarity.rs: `cargo test`)."""

from __future__ import annotations

import pytest

import namenorm

from conftest import read_tsv


@pytest.mark.parametrize(("a", "b"), read_tsv("same_sound.tsv"), ids=str)
def test_sound_key_folds_confusable_sounds(a: str, b: str) -> None:
    assert namenorm.sound_key(a) == namenorm.sound_key(b)


@pytest.mark.parametrize(("a", "b"), [("hadrut", "kinrut"), ("paris", "parukh"), ("kerry", "kirby")], ids=str)
def test_sound_key_keeps_other_consonants_apart(a: str, b: str) -> None:
    assert namenorm.sound_key(a) != namenorm.sound_key(b)


def test_skeleton_drops_vowels() -> None:
    assert namenorm.skeleton_key("hadrut") == namenorm.skeleton_key("hdrt") == "KTRT"
