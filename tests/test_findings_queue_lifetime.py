"""Queued mail older than maximal_queue_lifetime: Postfix will return it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from analyzer.analysis.findings.other import postfix_duration
from analyzer.api import analyze_bundle

TAKEN = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
MAILQ = """\
-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
4F0E1D2C3B     2210 Thu Nov 26 06:02:19  root@siem01.example.com
(connect to smtp.example.com[192.0.2.25]:25: Connection timed out)
                                         soc@example.net

7C6B5A4938!    1800 Wed Nov 25 08:00:00  root@siem01.example.com
                                         audit@example.net

8D7C6B5A49     1500 Thu Dec  3 09:00:00  root@siem01.example.com
(connect to smtp.example.com[192.0.2.25]:25: Connection timed out)
                                         noc@example.net

-- 6 Kbytes in 3 Requests.
"""


@pytest.mark.parametrize(
    ("main_cf", "expected"),
    [
        # Default 5 days: the Nov 26 message is 7 days old; the held one waits.
        (None, ["4F0E1D2C3B"]),
        ("maximal_queue_lifetime = 10d\n", []),
        ("maximal_queue_lifetime = 2h\n", ["4F0E1D2C3B", "8D7C6B5A49"]),
        # A bare number is in days.
        ("maximal_queue_lifetime = 6\n", ["4F0E1D2C3B"]),
    ],
)
def test_queued_mail_past_its_lifetime(
    tmp_path: Path, main_cf: str | None, expected: list[str]
) -> None:
    listing = tmp_path / "mailq"
    listing.write_text(MAILQ)
    if main_cf is not None:
        (tmp_path / "main.cf").write_text(main_cf)
    for path in tmp_path.iterdir():
        os.utime(path, (TAKEN.timestamp(), TAKEN.timestamp()))
    analysis = analyze_bundle(tmp_path)
    found = [f for f in analysis.findings if f.code == "queue-past-lifetime"]
    if not expected:
        assert not found
        return
    assert [f.messages_affected for f in found] == [len(expected)]
    quoted_ids = [e.text.split()[0] for e in found[0].evidence if e.kind == "queue"]
    assert quoted_ids == expected
    assert "returns it to the sender" in found[0].summary


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5d", pd.Timedelta(days=5)),
        ("12h", pd.Timedelta(hours=12)),
        ("1w", pd.Timedelta(weeks=1)),
        ("3600s", pd.Timedelta(hours=1)),
        ("7", pd.Timedelta(days=7)),
        ("$other", None),
        ("5x", None),
    ],
)
def test_postfix_duration(value: str, expected: pd.Timedelta | None) -> None:
    assert postfix_duration(value) == expected
