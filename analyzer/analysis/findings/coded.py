"""Columns as integer codes, so that finding rules count and pick values per group
without copying strings.

The helpers reproduce the pandas calls they replace: ``top`` ranks values as
``Series.value_counts`` does (by count, ties in order of first appearance), and
``first`` and ``distinct`` keep the order of the rows they are given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Rows = npt.NDArray[np.intp]
"""Row positions in the frame a column was coded from."""


@dataclass(frozen=True)
class Coded:
    """A column as codes into its distinct values, with -1 for a null."""

    codes: npt.NDArray[np.intp]
    labels: pd.Index
    """The distinct values, each once, in the column's dtype."""

    @classmethod
    def of(cls, values: pd.Series, rows: Rows | None = None) -> Coded:
        """Code ``values``; with ``rows``, only the values at those positions, and
        the others read as null. Coding a few rows of a long string column keeps
        its other values from becoming Python strings."""
        if rows is None:
            codes, uniques = pd.factorize(values)
            return cls(np.asarray(codes, dtype=np.intp), pd.Index(uniques))
        part, uniques = pd.factorize(values.iloc[rows])
        codes = np.full(len(values), -1, dtype=np.intp)
        codes[rows] = part
        return cls(codes, pd.Index(uniques))

    def without(self, label: object) -> Coded:
        """Return this column with ``label`` made null, as ``Series.where`` would."""
        index = self.labels.get_indexer([label])[0]
        if index < 0:
            return self
        codes = self.codes.copy()
        codes[codes == index] = -1
        return Coded(codes, self.labels)

    def present(self, rows: Rows) -> Rows:
        """Return the positions among ``rows`` whose value is not null."""
        return rows[self.codes[rows] >= 0]

    def distinct(self, rows: Rows) -> npt.NDArray[np.intp]:
        """Return the codes of the non-null values at ``rows``, in order of first
        appearance, as ``Series.dropna().unique()`` orders them."""
        codes = self.codes[rows]
        uniques, _ = _first_appearance(codes[codes >= 0])
        return uniques

    def first(self, rows: Rows) -> Any:
        """Return the first non-null value at ``rows``, or None."""
        present = self.present(rows)
        return self.labels[self.codes[present[0]]] if len(present) else None

    def ranked(self, rows: Rows) -> npt.NDArray[np.intp]:
        """Return the codes of the non-null values at ``rows``, most frequent first."""
        codes = self.codes[rows]
        uniques, counts = _first_appearance(codes[codes >= 0])
        # A stable sort of the negated counts keeps ties in order of first
        # appearance, as the stable descending sort of value_counts does.
        return uniques[np.argsort(-counts, kind="stable")]

    def top(self, rows: Rows, limit: int) -> str:
        """Join the ``limit`` most frequent non-null values at ``rows`` with commas."""
        return ", ".join(str(self.labels[code]) for code in self.ranked(rows)[:limit])


def _first_appearance(
    codes: npt.NDArray[np.intp],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Return the distinct codes in order of first appearance and how often each occurs."""
    local, uniques = pd.factorize(codes)
    counts = np.bincount(local, minlength=len(uniques))
    return np.asarray(uniques, dtype=np.intp), counts.astype(np.intp)


def first_distinct(values: Iterable[int], limit: int) -> list[int]:
    """Return the first ``limit`` distinct values, reading no further than needed."""
    chosen: dict[int, None] = {}
    if limit <= 0:
        return []
    for value in values:
        chosen[int(value)] = None
        if len(chosen) == limit:
            break
    return list(chosen)
