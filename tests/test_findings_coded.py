"""Coded columns rank, pick and count values as the pandas calls they replace."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from analyzer.analysis.findings.coded import Coded, first_distinct

values = st.lists(st.sampled_from(["a", "b", "c", "d", None]), max_size=40)


def reference_top(series: pd.Series, limit: int) -> str:
    counts = series.dropna().astype(str).value_counts()
    return ", ".join(counts.index[:limit])


@given(values, st.integers(min_value=1, max_value=5))
def test_top_matches_value_counts(items: list[str | None], limit: int) -> None:
    series = pd.Series(items, dtype=object)
    rows = np.arange(len(series), dtype=np.intp)
    assert Coded.of(series).top(rows, limit) == reference_top(series, limit)


@given(values)
def test_distinct_matches_unique(items: list[str | None]) -> None:
    series = pd.Series(items, dtype=object)
    coded = Coded.of(series)
    rows = np.arange(len(series), dtype=np.intp)[::-1]
    expected = series.iloc[rows].dropna().unique().tolist()
    assert [coded.labels[c] for c in coded.distinct(rows)] == expected


def test_tie_keeps_first_appearance() -> None:
    series = pd.Series(["b", "a", "a", "b", "c"])
    rows = np.arange(5, dtype=np.intp)
    assert Coded.of(series).top(rows, 3) == "b, a, c"


def test_without_hides_label() -> None:
    coded = Coded.of(pd.Series(["none", "mx.example.com", "none"]))
    rows = np.arange(3, dtype=np.intp)
    assert coded.without("none").top(rows, 2) == "mx.example.com"
    assert coded.without("absent").top(rows, 2) == "none, mx.example.com"


def test_first_and_first_distinct() -> None:
    coded = Coded.of(pd.Series([None, "x", "y"]))
    assert coded.first(np.arange(3, dtype=np.intp)) == "x"
    assert coded.first(np.array([0], dtype=np.intp)) is None
    assert first_distinct([3, 3, 1, 2, 1], 2) == [3, 1]
    assert first_distinct([1], 0) == []
