"""The frames of ``Analysis`` support the joins and groupings analysts write."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

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
