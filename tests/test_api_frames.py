"""The frames of ``Analysis`` support the joins and groupings analysts write."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analyzer.schema import TIME, conform
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
    """The NumPy array that holds the column's values (without a null mask)."""
    values = column.array
    for name in ("_data", "_ndarray"):  # IntegerArray, DatetimeArray
        if hasattr(values, name):
            return np.asarray(getattr(values, name))
    return column.to_numpy()
