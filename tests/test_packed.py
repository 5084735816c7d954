"""Name keys packed for the index, and read back."""

from __future__ import annotations

import pytest
from conftest import read_tsv
from hypothesis import given
from hypothesis import strategies as st

from namenorm import GazetteerError
from namenorm._keys import name_keys
from namenorm._packed import PackedKeys, pack_keys, unpack_keys


@given(st.text())
def test_keys_unpack_as_they_were_packed(text: str) -> None:
    keys = name_keys(text)
    assert unpack_keys(pack_keys(keys)) == keys


@pytest.mark.parametrize("name", [row[0] for row in read_tsv("seed_variants.tsv")], ids=str)
def test_seed_names_unpack_as_they_were_packed(name: str) -> None:
    keys = name_keys(name)
    assert unpack_keys(pack_keys(keys)) == keys


def test_packed_keys_are_a_sequence() -> None:
    names = ["Hadrut", "Гадрут", "Nikol Pashinyan", "قروه"]
    packed = PackedKeys.of([pack_keys(name_keys(n)) for n in names])
    assert len(packed) == 4
    assert list(packed) == [name_keys(n) for n in names]
    assert packed[1:3] == [name_keys(n) for n in names[1:3]]


@pytest.mark.parametrize("data", [b"", b"[]", b'["a",[],"a","A",null,true]', b'[1,[],"a","A",null,true,false]'], ids=str)
def test_damaged_keys_are_an_error(data: bytes) -> None:
    with pytest.raises(ValueError):
        unpack_keys(data)
    with pytest.raises(GazetteerError, match="keys of name 0"):
        PackedKeys.of([data])[0]
