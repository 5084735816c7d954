"""resolve_arrow: a column of names in, a column of matches out, row for row as resolve answers."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import namenorm
from namenorm import Entity, Gazetteer, Match, Resolver

from conftest import read_tsv

VARIANTS = [variant for variant, _ in read_tsv("seed_variants.tsv")]
# Nulls, blanks, a cell of 100 KB, text with no letters, and the same names
# again (each distinct name is resolved once, and must come back to each row).
NAMES: list[str | None] = [*VARIANTS, None, "", "   ", "x" * 100_000, "!!!", "Paris", *VARIANTS[:5], None]


def expected(names: list[str | None], resolver: Resolver | None = None, kind: str | None = None) -> list[Any]:
    ask = resolver.resolve if resolver is not None else namenorm.resolve
    return [None if name is None else _fields(ask(name, kind=kind)) for name in names]


def _fields(m: Match | None) -> dict[str, Any] | None:
    if m is None:
        return None
    return {
        "id": m.entity.id,
        "name": m.entity.name,
        "kind": m.entity.kind,
        "score": m.score,
        "false_match": m.false_match,
        "method": m.method,
        "alias": m.alias,
        "alias_kind": m.alias_kind,
        "ambiguous": m.ambiguous,
    }


def test_row_for_row_as_resolve_answers() -> None:
    found = namenorm.resolve_arrow(pa.array(NAMES))
    assert isinstance(found, pa.StructArray) and found.type == namenorm._arrow.match_type()
    assert found.to_pylist() == expected(NAMES)
    assert found.null_count < len(NAMES) - len(VARIANTS)  # the variants resolve


@pytest.mark.parametrize(
    "column",
    [
        pa.array(NAMES, type=pa.large_string()),
        pa.array(NAMES, type=pa.string_view()),
        pa.array(NAMES).dictionary_encode(),
    ],
    ids=["large_string", "string_view", "dictionary"],
)
def test_every_kind_of_text_array(column: pa.Array) -> None:
    assert namenorm.resolve_arrow(column).to_pylist() == expected(NAMES)


def test_a_chunked_array_answers_chunk_for_chunk() -> None:
    column = pa.chunked_array([NAMES[:10], [], NAMES[10:]], type=pa.string())
    found = namenorm.resolve_arrow(column)
    assert isinstance(found, pa.ChunkedArray)
    assert [len(c) for c in found.chunks] == [10, 0, len(NAMES) - 10]
    assert found.to_pylist() == expected(NAMES)


def test_a_column_of_nulls_only() -> None:
    found = namenorm.resolve_arrow(pa.nulls(3))
    assert found.to_pylist() == [None, None, None]


def test_pandas_one_liner() -> None:
    # As the README shows it: the match fields as columns beside the frame's own.
    # (An index of its own, which the matches must follow.)
    df = pd.DataFrame({"city": NAMES, "n": range(len(NAMES))}, index=range(100, 100 + len(NAMES)))
    out = df.join(pa.Table.from_struct_array(namenorm.resolve_arrow(df["city"])).to_pandas().set_axis(df.index).add_prefix("namenorm_"))  # noqa: E501
    assert list(out["n"]) == list(range(len(NAMES))) and list(out.index) == list(df.index)
    want = expected(NAMES)
    assert [None if pd.isna(v) else v for v in out["namenorm_id"]] == [None if w is None else w["id"] for w in want]


def test_polars_one_liner() -> None:
    df = pl.DataFrame({"city": NAMES, "n": range(len(NAMES))})
    out = df.with_columns(namenorm=pl.from_arrow(namenorm.resolve_arrow(df["city"])))
    assert out["n"].to_list() == list(range(len(NAMES)))
    assert out["namenorm"].to_list() == expected(NAMES)


def test_own_resolver_and_kind() -> None:
    shusha = Entity(id="place:shusha", name="Shusha", kind="place", aliases=("Şuşa", "Шуша"))
    resolver = Resolver(Gazetteer([*Gazetteer.builtin(), shusha]))
    names: list[str | None] = ["Shushi", "Qadr", "Nicole Bashinian", None]
    found = namenorm.resolve_arrow(pa.array(names), resolver=resolver, kind="place")
    assert found.to_pylist() == expected(names, resolver, kind="place")
    assert found.field("id").to_pylist() == ["place:shusha", "place:hadrut", None, None]


def test_threads_do_not_change_answers() -> None:
    assert namenorm.resolve_arrow(pa.array(NAMES), threads=1).equals(namenorm.resolve_arrow(pa.array(NAMES), threads=2))


def test_bad_arguments_are_refused_before_any_work() -> None:
    with pytest.raises(TypeError, match="not int64"):
        namenorm.resolve_arrow(pa.array([1, 2]))
    with pytest.raises(TypeError, match="resolve_many"):
        namenorm.resolve_arrow(["Qadr"])
    with pytest.raises(ValueError, match="unknown kind"):
        namenorm.resolve_arrow(pa.array(["Qadr"]), kind="ship")
    with pytest.raises(ValueError, match="threads"):
        namenorm.resolve_arrow(pa.array(["Qadr"]), threads=0)
    with pytest.raises(TypeError, match="Resolver"):
        namenorm.resolve_arrow(pa.array(["Qadr"]), resolver=Gazetteer.builtin())  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=30), st.sampled_from(VARIANTS)), max_size=40))
def test_any_column_answers_each_row(names: list[str | None]) -> None:
    # Arrow strings are UTF-8: a lone surrogate cannot be in one.
    names = [n if n is None or n.encode("utf-8", "replace").decode() == n else None for n in names]
    assert namenorm.resolve_arrow(pa.array(names, type=pa.string())).to_pylist() == expected(names)


def test_answers_remember_names_across_chunks_within_a_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # One table's answers: each distinct name resolved once, across chunks;
    # past the bound, forgotten together, and the answers stay the same.
    answers = namenorm._arrow.Answers(namenorm._builtin_resolver())
    chunks = [NAMES[i : i + 7] for i in range(0, len(NAMES), 7)]
    got = [answers.column(pa.array(chunk, type=pa.string())).to_pylist() for chunk in chunks]
    assert [row for chunk in got for row in chunk] == expected(NAMES)
    assert len(answers._known) == len({n or "" for n in NAMES if n is not None})
    monkeypatch.setattr(namenorm._config, "TABLE_NAMES", 5)
    bounded = namenorm._arrow.Answers(namenorm._builtin_resolver())
    again = [bounded.column(pa.array(chunk, type=pa.string())).to_pylist() for chunk in chunks * 2]
    assert [row for chunk in again for row in chunk] == expected(NAMES) * 2
    assert len(bounded._known) <= 7
