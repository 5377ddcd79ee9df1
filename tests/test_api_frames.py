"""The frames of ``Analysis`` support the joins and groupings analysts write."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analyzer.api import analyze_bundle
from analyzer.schema import TIME, conform, to_int64
from tests.test_findings_direct import analyze, message, sent


def test_frames_join_on_message_key(tmp_path: Path) -> None:
    bounced = message(30, "ops@example.org", "none", "bounced", "Host not found")
    analysis = analyze(tmp_path, [*sent(3), bounced], "relayhost =\n")
    messages, recipients = analysis.messages, analysis.recipients
    assert len(messages) == 4
    joined = analysis.deliveries.merge(messages, on="message_key")
    assert len(joined) == len(analysis.deliveries)
    per_message = recipients.groupby("message_key").size()
    assert per_message.to_dict() == dict.fromkeys(messages["message_key"], 1)
    ordered = messages.sort_values("message_key")["message_key"]
    assert ordered.is_monotonic_increasing
    both = recipients.merge(messages, on="message_key", suffixes=("", "_message"))
    assert len(both) == len(recipients)


def test_frames_look_up_by_key(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, sent(2), "relayhost =\n")
    key = analysis.messages["message_key"].iloc[0]
    assert analysis.messages.loc[key, "message_key"] == key
    first = analysis.recipients.iloc[0]
    row = analysis.recipients.loc[(first["message_key"], first["recipient"])]
    assert row["final_state"] == "delivered"
    assert analysis.messages.index.name is None
    assert analysis.recipients.index.names == [None, None]
    for frame in analysis.frames().values():
        assert isinstance(frame.index, pd.RangeIndex)


def test_conform_keeps_columns_already_in_shape() -> None:
    """A column with its documented dtype is kept, not converted into a copy:
    on a million events the copies cost 50 MiB."""
    frame = pd.DataFrame(
        {
            "line_no": np.arange(5, dtype=np.int64),
            "pid": pd.array([1, None, 3, 4, 5], dtype="Int64"),
            "time": pd.to_datetime(np.arange(5), unit="s", utc=True).astype(TIME),
        }
    )
    conformed = conform("events", frame)
    for name in ("line_no", "pid", "time"):
        assert np.shares_memory(_buffer(conformed[name]), _buffer(frame[name])), name
    assert conformed["pid"].isna().tolist() == [False, True, False, False, False]
    text = pd.Series([1, 2], dtype=object)
    assert (
        conform("events", pd.DataFrame({"line_no": text}))["line_no"].dtype == "int64"
    )


def _buffer(column: pd.Series) -> np.ndarray:
    """The NumPy array that contains the column's values (without a null mask)."""
    values = column.array
    for name in ("_data", "_ndarray"):  # IntegerArray, DatetimeArray
        if hasattr(values, name):
            return np.asarray(getattr(values, name))
    return column.to_numpy()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["700", "99999999999999999999", None, ""], [700, None, None, None]),
        (["9223372036854775807", "-12"], [None, -12]),  # 19 digits: left out
        ([1.0, 1e30, float("inf"), float("nan"), 2.5], [1, None, None, None, None]),
        ([18446744073709551615, 5], [None, 5]),
        (np.array([3, 4], dtype=np.int64), [3, 4]),
    ],
)
def test_to_int64_drops_values_out_of_range(values: object, expected: list) -> None:
    result = to_int64(values)
    assert str(result.dtype) == "Int64"
    assert [None if pd.isna(v) else int(v) for v in result] == expected


def test_oversized_numbers_leave_analysis_running(tmp_path: Path) -> None:
    """A 20-digit size= or port in a damaged line, and a message_size of 1e30 in
    postqueue -j, become missing values instead of stopping the analysis."""
    head = "Dec  4 10:00:00 mx1 postfix"
    (tmp_path / "maillog").write_text(
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<root@example.com>,"
        " size=99999999999999999999, nrcpt=1 (queue active)\n"
        f"{head}/smtp[303]: A1B2C3D4E5: to=<ops@example.com>,"
        " relay=mail.example.com[192.0.2.25]:99999999999999999999, delay=1,"
        " delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
    )
    record = {"queue_name": "deferred", "queue_id": "B2C3D4E5F6", "arrival_time": 1,
              "message_size": 1e30, "sender": "root@example.com",
              "recipients": [{"address": "ops@example.com"}]}  # fmt: skip
    (tmp_path / "postqueue-j.json").write_text(json.dumps(record) + "\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    assert analysis.messages["size"].isna().all()
    # The listing's message is a message too, as deferred as every queued one.
    assert analysis.messages["final_state"].tolist() == ["delivered", "deferred"]
    assert analysis.deliveries["relay_port"].isna().all()
    assert analysis.queue["size"].isna().all()


def test_changing_a_frame_leaves_the_analysis(tmp_path: Path) -> None:
    """Each frame that frames() returns is the analyst's own to change."""
    analysis = analyze(tmp_path, sent(2), "relayhost =\n")
    before = analysis.totals()
    for name, frame in analysis.frames().items():
        if len(frame):
            frame.iloc[0, 0] = None
            own = getattr(analysis, "findings_frame" if name == "findings" else name)
            assert own.iloc[0, 0] is not None, name
    frames = analysis.frames()
    frames["messages"]["child_keys"].iloc[0].append("mx1:F0F0F0F0F0")
    assert analysis.messages["child_keys"].iloc[0] == []
    frames["deliveries"]["status"] = "bounced"
    frames["queue"]["in_newest_listing"] = False
    assert analysis.totals() == before


@pytest.mark.parametrize("year", ["2026", 2026.0, True])
def test_year_must_be_a_whole_number(tmp_path: Path, year: object) -> None:
    with pytest.raises(TypeError, match="year must be a whole number"):
        analyze_bundle(tmp_path, year=year)  # type: ignore[arg-type]
