"""A log's zone-less times read in the wrong zone, shown by the log file's own
time: no line is written to a file after its modification time."""

from __future__ import annotations

import os
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analyzer.api import analyze_bundle

LINES = (
    "Dec  3 18:00:00 relay03 postfix/pickup[1]: 82AB12CD34: uid=0 from=<root>\n"
    "Dec  3 18:00:00 relay03 postfix/qmgr[2]: 82AB12CD34: from=<root@relay03.example.com>,"
    " size=500, nrcpt=1 (queue active)\n"
    "Dec  3 18:02:00 relay03 postfix/smtp[3]: 82AB12CD34: to=<soc@example.com>,"
    " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/1/0, dsn=2.0.0,"
    " status=sent (250 2.0.0 Ok)\n"
)


def bundle(tmp_path: Path, lines: str, written: datetime) -> Path:
    """A tar.gz whose maillog member has the modification time ``written``."""
    log = tmp_path / "maillog"
    log.write_text(lines)
    os.utime(log, (written.timestamp(), written.timestamp()))
    archive = tmp_path / "bundle.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(log, arcname="relay03/var/log/maillog")
    return archive


@pytest.mark.parametrize(
    ("written", "hours"),
    [
        # Written at 09:02 UTC, the lines read 18:02: a zone 9 hours ahead (JST).
        (datetime(2026, 12, 3, 9, 2, 30, tzinfo=UTC), "9"),
        # India: 5.5 hours ahead.
        (datetime(2026, 12, 3, 12, 32, 10, tzinfo=UTC), "5.5"),
        # Written when the last line was: the zone is right.
        (datetime(2026, 12, 3, 18, 2, 5, tzinfo=UTC), None),
        # Copied hours later, the file time shows nothing about the zone.
        (datetime(2026, 12, 4, 3, 0, tzinfo=UTC), None),
        # UTC+14, the furthest zone ahead.
        (datetime(2026, 12, 3, 4, 2, 30, tzinfo=UTC), "14"),
        # Further ahead than any zone: the file time is not when it was written.
        (datetime(2026, 12, 3, 3, 0, tzinfo=UTC), None),
        # An archiver that stores no time (1970), a zip's earliest date (1980).
        (datetime(1970, 1, 1, tzinfo=UTC), None),
        (datetime(1980, 1, 1, tzinfo=UTC), None),
    ],
)
def test_log_later_than_its_file(
    tmp_path: Path, written: datetime, hours: str | None
) -> None:
    analysis = analyze_bundle(bundle(tmp_path, LINES, written), year=2026)
    found = [f for f in analysis.findings if f.code == "timezone-mismatch"]
    if hours is None:
        assert not found
        return
    assert [f.params["hours"] for f in found] == [hours]
    assert found[0].params["variant"] == "file_time"
    assert "relay03/var/log/maillog" in found[0].summary
    assert "--timezone" in found[0].remedy


def test_zoned_times_not_checked(tmp_path: Path) -> None:
    lines = LINES.replace("Dec  3 18:0", "2026-12-03T18:0").replace(
        ":00 relay03", ":00+09:00 relay03"
    )
    # An odd file time before the last line: its zone is still the line's own.
    written = datetime(2026, 12, 3, 7, 0, tzinfo=UTC)
    analysis = analyze_bundle(bundle(tmp_path, lines, written), year=2026)
    assert analysis.events["time"].max() == datetime(2026, 12, 3, 9, 2, tzinfo=UTC)
    assert "timezone-mismatch" not in [f.code for f in analysis.findings]


ROTATED_BSD = (
    "Dec  3 17:55:00 relay03 postfix/pickup[1]: 71AB12CD34: uid=0 from=<root>\n"
    "Dec  3 17:55:00 relay03 postfix/qmgr[2]: 71AB12CD34: from=<root@relay03.example.com>,"
    " size=500, nrcpt=1 (queue active)\n"
)


@pytest.mark.parametrize(
    ("zone", "hours"), [("UTC", "9"), ("Europe/Berlin", "8"), ("Asia/Tokyo", None)]
)
def test_offset_of_rfc3339_lines_names_zone(
    tmp_path: Path, zone: str, hours: str | None
) -> None:
    """The host's RFC 3339 lines carry their offset (+09:00), so its BSD lines,
    read in --timezone, are off by the difference."""
    folder = tmp_path / "relay03" / "var" / "log"
    folder.mkdir(parents=True)
    (folder / "maillog.1").write_text(ROTATED_BSD)
    zoned = LINES.replace("Dec  3 18:0", "2026-12-03T18:0").replace(
        ":00 relay03", ":00+09:00 relay03"
    )
    (folder / "maillog").write_text(zoned)
    analysis = analyze_bundle(tmp_path, year=2026, timezone=zone)
    found = [f for f in analysis.findings if f.code == "timezone-mismatch"]
    if hours is None:
        assert not found
        return
    assert [f.params["hours"] for f in found] == [hours]
    assert found[0].params["variant"] == "stamp_offset"
    assert found[0].params["offset"] == "+9"
    assert "relay03/var/log/maillog.1" in found[0].summary
    assert "+09:00" in found[0].summary
    assert any("+09:00" in e.text for e in found[0].evidence)
    assert any(e.source.endswith("maillog.1") for e in found[0].evidence)


def test_offset_from_zone_read_in(tmp_path: Path) -> None:
    """Read as Europe/Berlin (UTC+1 in December), lines 8 hours late were written
    at UTC+9: the offset named is the log's own, not the gap."""
    written = datetime(2026, 12, 3, 9, 2, 30, tzinfo=UTC)
    archive = bundle(tmp_path, LINES, written)
    analysis = analyze_bundle(archive, year=2026, timezone="Europe/Berlin")
    found = [f for f in analysis.findings if f.code == "timezone-mismatch"]
    assert [f.params["hours"] for f in found] == ["8"]
    assert found[0].params["offset"] == "+9"
    assert "UTC+9" in found[0].remedy


def removed_lines(stamps: list[str]) -> str:
    return "".join(
        f"Mar  8 {stamp} mx1 postfix/qmgr[302]: A1B2C3D4E{n}: removed\n"
        for n, stamp in enumerate(stamps)
    )


def test_times_in_skipped_hour_name_the_zone(tmp_path: Path) -> None:
    """New York's clocks skip from 02:00 to 03:00 on 2026-03-08: a log with
    lines at 02:10 and 02:40 was written in another zone."""
    (tmp_path / "maillog").write_text(
        removed_lines(["01:50:00", "02:10:00", "02:40:00", "03:20:00"])
    )
    analysis = analyze_bundle(tmp_path, year=2026, timezone="America/New_York")
    finding = next(f for f in analysis.findings if f.code == "timezone-mismatch")
    assert finding.params["variant"] == "skipped_hour"
    assert finding.params["count"] == "2"
    assert finding.params["first"] == "Mar  8 02:10:00"
    assert finding.title == (
        "maillog has times that do not exist in America/New_York: its time zone is"
        " another"
    )
    assert [e.line_no for e in finding.evidence] == [2, 3]


@pytest.mark.parametrize(
    ("stamps", "zone"),
    [(["01:50:00", "03:10:00"], "America/New_York"),  # the host's own jump
     (["02:10:00", "02:40:00"], "UTC")],
)  # fmt: skip
def test_times_outside_skipped_hour_not_warned(
    tmp_path: Path, stamps: list[str], zone: str
) -> None:
    (tmp_path / "maillog").write_text(removed_lines(stamps))
    analysis = analyze_bundle(tmp_path, year=2026, timezone=zone)
    assert "timezone-mismatch" not in [f.code for f in analysis.findings]
