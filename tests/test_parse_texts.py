"""Line texts kept compressed: what goes in comes back, by row, in any order."""

from __future__ import annotations

import copy
import gzip
import tarfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from analyzer.analysis.frames import line_texts
from analyzer.api import analyze_bundle
from analyzer.parse.texts import TextStore
from tests.conftest import SAMPLES


def store_of(*blocks: list[str | None]) -> TextStore:
    store = TextStore()
    for block in blocks:
        store.append(pa.array(block, pa.string()))
    return store


def test_take_rows_across_blocks() -> None:
    store = store_of(["a", "bb", None], [], ["日本語", "e"])
    assert store.rows == 5
    assert store.take([4, 0, 3, 1, 2, 0]).to_pylist() == [
        "e",
        "a",
        "日本語",
        "bb",
        "",
        "a",
    ]
    assert store.all().to_pylist() == ["a", "bb", "", "日本語", "e"]
    assert store.take([]).to_pylist() == []


def test_sliced_array_keeps_its_own_rows() -> None:
    """A slice of an Arrow array shares its parent's buffers, offsets included."""
    store = TextStore()
    store.append(pa.array(["x", "first", "second", "y"]).slice(1, 2))
    assert store.all().to_pylist() == ["first", "second"]


def test_extend_shares_blocks() -> None:
    joined = store_of(["a"])
    joined.extend(store_of(["b", "c"], ["d"]))
    assert joined.take([3, 1, 0]).to_pylist() == ["d", "b", "a"]


def test_row_out_of_range() -> None:
    with pytest.raises(IndexError):
        store_of(["a"]).take([1])


def test_store_is_compressed() -> None:
    line = "to=<soc@example.com>, relay=mail.example.com[192.0.2.25]:25, status=sent"
    store = store_of([f"{n:06d}: {line}" for n in range(20_000)])
    assert store.nbytes < 20_000 * len(line) / 5


def test_deep_copy_shares_the_store() -> None:
    """pandas deep-copies a frame's attrs on every operation."""
    store = store_of(["a"])
    assert copy.deepcopy(store) is store


def test_events_text_matches_log_lines(tmp_path: Path) -> None:
    """The documented events frame gives every line's text as it was logged;
    a frame taken from the events reads the same texts by its rows."""
    with tarfile.open(SAMPLES / "rotated-logs.tar.gz") as archive:
        archive.extractall(tmp_path, filter="data")
    analysis = analyze_bundle(tmp_path)
    events = analysis.events
    checked = 0
    for log in sorted(tmp_path.rglob("maillog*")):
        raw = log.read_bytes()
        lines = (
            (gzip.decompress(raw) if log.suffix == ".gz" else raw).decode().splitlines()
        )
        mine = events[events["source"] == log.relative_to(tmp_path).as_posix()]
        for line_no, text in zip(mine["line_no"], mine["text"], strict=True):
            assert lines[line_no - 1].endswith(f": {text}"), (log.name, line_no)
            checked += 1
    assert checked == len(events)
    fields = analysis.event_fields
    assert "text" not in fields
    rows = np.arange(len(fields))[::7]
    assert line_texts(fields, rows).tolist() == events["text"].iloc[rows].tolist()
    subset = fields[fields["daemon"] == "smtp"]
    assert line_texts(subset).tolist() == events.loc[subset.index, "text"].tolist()


def test_hashes_compare_texts_across_blocks() -> None:
    store = store_of(["a", "bb", "a"], ["bb", "c"])
    hashes = store.hashes([4, 0, 2, 1, 3])
    assert hashes[1] == hashes[2]  # "a" in one block, twice
    assert hashes[3] == hashes[4]  # "bb" in two blocks
    assert len({hashes[0], hashes[1], hashes[3]}) == 3
    assert store.hashes([]).tolist() == []
