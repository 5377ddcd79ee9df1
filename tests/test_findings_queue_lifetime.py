"""Queued mail older than maximal_queue_lifetime: Postfix will return it."""

from __future__ import annotations

import io
import os
import tarfile
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


def test_nested_listing_measured_at_own_time(tmp_path: Path) -> None:
    """An inner archive packed into an outer one days later keeps the listing's
    own time; the age of queued mail is measured against that time."""
    inner = tmp_path / "host.tar.gz"
    with tarfile.open(inner, "w:gz") as archive:
        # Listed on Nov 28, the Nov 26 message is 2 days old: within the
        # 5-day default, but 13 days old by the outer archive's time.
        data = MAILQ.split("\n8D7C6B5A49")[0].encode()
        member = tarfile.TarInfo("mailq")
        member.size = len(data)
        member.mtime = int(datetime(2026, 11, 28, 12, 0, tzinfo=UTC).timestamp())
        archive.addfile(member, io.BytesIO(data))
    outer = tmp_path / "outer.tar"
    with tarfile.open(outer, "w") as archive:
        member = archive.gettarinfo(inner, arcname="get_logs/host.tar.gz")
        member.mtime = int(datetime(2026, 12, 9, 12, 0, tzinfo=UTC).timestamp())
        with inner.open("rb") as stream:
            archive.addfile(member, stream)
    analysis = analyze_bundle(outer)
    assert set(analysis.queue["queue_id"]) == {"4F0E1D2C3B", "7C6B5A4938"}
    codes = [f.code for f in analysis.findings]
    assert "queue-past-lifetime" not in codes
