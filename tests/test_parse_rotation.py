"""Rotated logs through analyze_bundle: order, years, and overlapping copies.

Each test builds a small bundle folder of rotated mail logs whose contents
overlap the way copytruncate rotations do, then checks the merged events.
"""

from __future__ import annotations

import gzip
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd

from analyzer.api import Analysis, analyze_bundle
from tests.test_findings_servers import deferred

HOST = "mx1.example.com"


def line(stamp: str, program: str, text: str) -> str:
    return f"{stamp} {HOST} postfix/{program}: {text}\n"


def message(queue_id: str, arrived: str, sent: str, removed: str) -> list[str]:
    queued = f"{queue_id}: from=<root@{HOST}>, size=400, nrcpt=1 (queue active)"
    delivered = (
        f"{queue_id}: to=<ops@example.com>, relay=mail.example.net[198.51.100.25]:25,"
        " delay=1, delays=0.1/0/0.4/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok)"
    )
    return [
        line(arrived, "pickup[300]", f"{queue_id}: uid=0 from=<root>"),
        line(arrived, "cleanup[301]", f"{queue_id}: message-id=<{queue_id}@{HOST}>"),
        line(arrived, "qmgr[302]", queued),
        line(sent, "smtp[303]", delivered),
        line(removed, "qmgr[302]", f"{queue_id}: removed"),
    ]


def write(folder: Path, name: str, lines: list[str], mtime: datetime) -> None:
    data = "".join(lines).encode()
    path = folder / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    os.utime(path, (mtime.timestamp(), mtime.timestamp()))


OLD = message("5C3D4E5F60", "Dec 30 10:00:00", "Dec 30 10:00:01", "Dec 30 10:00:02")
SPANNING = message(
    "3A1F2B7C9D", "Dec 31 23:58:00", "Dec 31 23:59:30", "Jan  1 00:00:30"
)
NEW = message("4B2C3D4E5F", "Jan  1 00:05:00", "Jan  1 00:05:01", "Jan  1 00:05:02")
# The oldest file ends with the first two lines of the spanning message, and the
# next file repeats them. The newest file repeats the delivery line of the next.
OLDEST_LINES = OLD + SPANNING[:2]
MIDDLE_LINES = SPANNING[:4]
NEWEST_LINES = SPANNING[3:] + NEW
REPEATED = 3
UNIQUE_LINES = len(OLD) + len(SPANNING) + len(NEW)


def check_merged(analysis: Analysis) -> None:
    events = analysis.events
    assert analysis.duplicates_dropped == REPEATED
    assert len(events) == UNIQUE_LINES
    assert events["time"].is_monotonic_increasing
    assert events["time"].dt.year.tolist() == [2023] * 9 + [2024] * 6
    states = analysis.messages["final_state"].to_dict()
    assert states == {
        f"{HOST}:5C3D4E5F60": "delivered",
        f"{HOST}:3A1F2B7C9D": "delivered",
        f"{HOST}:4B2C3D4E5F": "delivered",
    }
    spanning = analysis.messages.loc[f"{HOST}:3A1F2B7C9D"]
    assert spanning["first_seen"] == pd.Timestamp("2023-12-31 23:58:00", tz=UTC)
    assert spanning["last_seen"] == pd.Timestamp("2024-01-01 00:00:30", tz=UTC)


def test_numbered_rotations_across_new_year(tmp_path: Path) -> None:
    write(
        tmp_path,
        "mail.log.2.gz",
        OLDEST_LINES,
        datetime(2023, 12, 31, 23, 58, 30, tzinfo=UTC),
    )
    write(
        tmp_path,
        "mail.log.1",
        MIDDLE_LINES,
        datetime(2023, 12, 31, 23, 59, 40, tzinfo=UTC),
    )
    write(tmp_path, "mail.log", NEWEST_LINES, datetime(2024, 1, 2, 6, 0, tzinfo=UTC))
    check_merged(analyze_bundle(tmp_path, today=date(2024, 1, 2)))


def test_dated_rotations_ignore_file_times(tmp_path: Path) -> None:
    # The bundle was copied without keeping file times: every mtime is years
    # later, so the dates in the rotated names must set the year. The current
    # log, without a date, keeps its real time.
    copied = datetime(2026, 6, 1, tzinfo=UTC)
    write(tmp_path, "maillog-20231231.gz", OLDEST_LINES, copied)
    write(tmp_path, "maillog-20240101", MIDDLE_LINES, copied)
    write(tmp_path, "maillog", NEWEST_LINES, datetime(2024, 1, 2, 6, 0, tzinfo=UTC))
    check_merged(analyze_bundle(tmp_path, today=date(2024, 1, 2)))


def test_current_log_follows_its_dated_rotations(tmp_path: Path) -> None:
    # Every file was copied, and the current log's time is the copy's: read by
    # it, the log would begin in January 2026, two years after its rotation.
    copied = datetime(2026, 6, 1, tzinfo=UTC)
    write(tmp_path, "maillog-20231231.gz", OLDEST_LINES, copied)
    write(tmp_path, "maillog-20240101", MIDDLE_LINES, copied)
    write(tmp_path, "maillog", NEWEST_LINES, copied)
    analysis = analyze_bundle(tmp_path, today=date(2026, 6, 1))
    check_merged(analysis)
    details = {e.path: e.detail for e in analysis.bundle.inventory.entries}
    assert "years moved back 2" in str(details["maillog"])
    assert not details["maillog-20240101"]


def test_current_log_a_year_after_its_rotation_stays(tmp_path: Path) -> None:
    # A current log that begins in December, eleven months after the newest
    # rotation, is later than it by its own file time: nothing moves it back.
    december = message(
        "6D4E5F6071", "Dec  1 10:00:00", "Dec  1 10:00:01", "Dec  1 10:00:02"
    )
    write(tmp_path, "maillog-20240101", MIDDLE_LINES, datetime(2026, 6, 1, tzinfo=UTC))
    write(tmp_path, "maillog", december, datetime(2024, 12, 2, tzinfo=UTC))
    analysis = analyze_bundle(tmp_path, today=date(2026, 6, 1))
    late = analysis.messages.loc[f"{HOST}:6D4E5F6071", "first_seen"]
    assert late == pd.Timestamp("2024-12-01 10:00:00", tz=UTC)


def test_year_option_overrides_file_times(tmp_path: Path) -> None:
    write(tmp_path, "maillog", NEWEST_LINES, datetime(2026, 6, 1, tzinfo=UTC))
    analysis = analyze_bundle(tmp_path, year=2024, today=date(2026, 6, 1))
    # The year given is the year of the last line; the first one is from December.
    assert analysis.events["time"].dt.year.tolist() == [2023] + [2024] * 6


def test_year_option_keeps_rotations_in_order(tmp_path: Path) -> None:
    # File times were lost in a copy, so only the rotation numbers order the
    # files. The year given is that of the newest line of the whole bundle: the
    # December files belong to the year before.
    copied = datetime(2026, 6, 1, tzinfo=UTC)
    write(tmp_path, "mail.log.2.gz", OLDEST_LINES, copied)
    write(tmp_path, "mail.log.1", MIDDLE_LINES, copied)
    write(tmp_path, "mail.log", NEWEST_LINES, copied)
    check_merged(analyze_bundle(tmp_path, year=2024, today=date(2026, 6, 1)))


def test_same_second_across_rotation_keeps_file_age_order(tmp_path: Path) -> None:
    older = message("3A1F2B7C9D", "Dec 31 23:59:58", "Jan  1 00:00:00", "unused")[:4]
    newer = [line("Jan  1 00:00:00", "qmgr[302]", "3A1F2B7C9D: removed")]
    write(tmp_path, "mail.log.1", older, datetime(2024, 1, 1, 0, 0, 0, tzinfo=UTC))
    write(tmp_path, "mail.log", newer, datetime(2024, 1, 1, 6, 0, tzinfo=UTC))
    analysis = analyze_bundle(tmp_path, today=date(2024, 1, 2))
    assert analysis.events["kind"].tolist()[-2:] == ["delivery", "removed"]
    assert analysis.messages["final_state"].tolist() == ["delivered"]


def test_moved_years_keep_wall_clock() -> None:
    from zoneinfo import ZoneInfo

    from analyzer.load import _move_years

    zone = ZoneInfo("Europe/Berlin")
    # 02:30 on 2020-10-25 occurs twice (CEST, then CET), as on 2026-10-25;
    # 02:30 on 2025-03-29 exists, but not on 2026-03-29, when clocks go forward.
    times = pd.Series(
        pd.to_datetime(
            ["2020-10-25 00:30", "2020-10-25 01:30", "2020-07-01 10:00"], utc=True
        )
    )
    moved = _move_years(times, 6, zone).dt.tz_convert(zone)
    assert moved.dt.strftime("%Y-%m-%d %H:%M %z").tolist() == [
        "2026-10-25 02:30 +0200",
        "2026-10-25 02:30 +0100",
        "2026-07-01 12:00 +0200",
    ]
    spring = pd.Series(pd.to_datetime(["2025-03-29 01:30"], utc=True))
    moved = _move_years(spring, 1, zone).dt.tz_convert(zone)
    assert moved.dt.strftime("%Y-%m-%d %H:%M %z").tolist() == ["2026-03-29 03:00 +0200"]


def test_zero_file_time_ignored(tmp_path: Path) -> None:
    # Some archivers store no time, which reads as 1970: the analysis date counts.
    write(tmp_path, "maillog", NEWEST_LINES, datetime(1970, 1, 1, tzinfo=UTC))
    analysis = analyze_bundle(tmp_path, today=date(2024, 1, 2))
    assert analysis.events["time"].dt.year.tolist() == [2023] + [2024] * 6


def test_copy_of_a_log_read_once(tmp_path: Path) -> None:
    """The same log under another name is listed as a copy, not read twice."""
    text = "".join(deferred("A1B2C3D4E5", "10:00:00", "Connection refused"))
    (tmp_path / "var" / "log").mkdir(parents=True)
    (tmp_path / "var" / "log" / "maillog").write_text(text)
    (tmp_path / "tmp").mkdir()
    (tmp_path / "tmp" / "maillog.copy").write_text(text)
    analysis = analyze_bundle(tmp_path, year=2026)
    assert [log.source for log in analysis.bundle.logs] == ["var/log/maillog"]
    entries = {e.path: e for e in analysis.bundle.inventory.entries}
    copy = entries["tmp/maillog.copy"]
    assert copy.status == "skipped"
    assert copy.detail == "the same content as var/log/maillog, read once"
    assert entries["var/log/maillog"].status == "read"
    assert analysis.duplicates_dropped == 0
    sources = {e.source for f in analysis.findings for e in f.evidence}
    assert "tmp/maillog.copy" not in sources
    assert "bundle-incomplete" not in [f.code for f in analysis.findings]
