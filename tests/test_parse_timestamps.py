"""Timestamps: the year of BSD stamps, rollovers, February 29, mixed forms.

Zones and each header form have golden cases in tests/parser_cases/headers.toml.
"""

from __future__ import annotations

import io
from datetime import UTC, date
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pyarrow as pa
import pytest

from analyzer.api import analyze_bundle
from analyzer.parse.logfile import ParsedLog, parse_log
from analyzer.parse.timestamps import TimeParts, YearReference, split_timestamps

BODY = "mx1.example.com postfix/qmgr[2401]: 3A1F2B7C9D: removed"


def parse(stamps: list[str], reference: YearReference) -> ParsedLog:
    text = "".join(f"{stamp} {BODY}\n" for stamp in stamps)
    return parse_log(io.BytesIO(text.encode()), "maillog", reference, UTC)


def times(parsed: ParsedLog) -> list[str | None]:
    return [
        None if t is None else pd.Timestamp(t).strftime("%Y-%m-%d %H:%M:%S")
        for t in parsed.events.column("time").to_pylist()
    ]


def test_december_to_january_rollover() -> None:
    parsed = parse(
        ["Dec 31 23:59:58", "Dec 31 23:59:59", "Jan  1 00:00:01"],
        YearReference(end=date(2024, 1, 2)),
    )
    assert times(parsed) == [
        "2023-12-31 23:59:58", "2023-12-31 23:59:59", "2024-01-01 00:00:01",
    ]  # fmt: skip


def test_late_december_line_after_january() -> None:
    # A line logged late across the new year belongs to the year before, and
    # does not start another year for the lines after it.
    parsed = parse(
        ["Jan  1 00:00:01", "Dec 31 23:59:59", "Jan  1 00:00:02"],
        YearReference(end=date(2024, 1, 1)),
    )
    assert times(parsed) == [
        "2024-01-01 00:00:01", "2023-12-31 23:59:59", "2024-01-01 00:00:02",
    ]  # fmt: skip


def test_rollover_over_two_years() -> None:
    stamps = ["Nov  1 10:00:00", "Jan  1 10:00:00", "May  1 10:00:00",
              "Sep  1 10:00:00", "Nov  1 10:00:00", "Jan  1 10:00:00"]  # fmt: skip
    parsed = parse(stamps, YearReference(year=2024))
    assert [t[:10] for t in times(parsed)] == [
        "2022-11-01", "2023-01-01", "2023-05-01", "2023-09-01", "2023-11-01",
        "2024-01-01",
    ]  # fmt: skip


def test_february_29_moves_reference_to_leap_year() -> None:
    # A log rotated on 2025-03-05 whose lines include February 29: the lines
    # are from 2024, the last leap year, not from 2025.
    parsed = parse(
        ["Feb 28 10:00:00", "Feb 29 10:00:00", "Mar  1 10:00:00"],
        YearReference(end=date(2025, 3, 5)),
    )
    assert times(parsed) == [
        "2024-02-28 10:00:00", "2024-02-29 10:00:00", "2024-03-01 10:00:00",
    ]  # fmt: skip
    assert parsed.stats.bad_timestamps == 0


def test_february_29_given_non_leap_year() -> None:
    parsed = parse(["Feb 29 10:00:00", "Mar  1 10:00:00"], YearReference(year=2023))
    assert times(parsed) == [None, "2023-03-01 10:00:00"]
    assert parsed.stats.bad_timestamps == 1


@pytest.mark.parametrize(
    ("reference", "year"),
    [
        (YearReference(year=2020, end=date(2024, 1, 5)), 2020),
        (YearReference(end=date(2024, 1, 5), captured=date(2030, 1, 1)), 2023),
        (YearReference(captured=date(2022, 6, 1), today=date(2030, 1, 1)), 2021),
        (YearReference(today=date(2024, 12, 31)), 2024),
    ],
    ids=["year", "end", "captured", "today"],
)
def test_year_reference_precedence(reference: YearReference, year: int) -> None:
    parsed = parse(["Dec 31 12:00:00"], reference)
    assert times(parsed) == [f"{year}-12-31 12:00:00"]


def test_reference_day_allows_one_day_for_zones() -> None:
    parsed = parse(["Jan  2 23:00:00"], YearReference(end=date(2024, 1, 1)))
    assert times(parsed) == ["2024-01-02 23:00:00"]


def test_reference_day_allows_one_day_into_next_year() -> None:
    # A host east of UTC logs Jan 1 while the file time, in UTC, is still Dec 31.
    parsed = parse(["Dec 31 23:50:00", "Jan  1 00:05:00"],
                   YearReference(end=date(2025, 12, 31)))  # fmt: skip
    assert times(parsed) == ["2025-12-31 23:50:00", "2026-01-01 00:05:00"]


def test_bsd_stamps_take_year_of_iso_neighbours() -> None:
    # rsyslog switched from BSD to RFC 3339 stamps in the middle of the file. The
    # reference, a copy made years later, does not decide the year.
    parsed = parse(
        [
            "Dec 30 10:00:00",
            "2023-12-31T23:00:00Z",
            "Jan  1 00:10:00",
            "2024-01-01T00:20:00+00:00",
            "Jan  1 00:30:00",
        ],
        YearReference(end=date(2030, 6, 1)),
    )
    assert times(parsed) == [
        "2023-12-30 10:00:00",
        "2023-12-31 23:00:00",
        "2024-01-01 00:10:00",
        "2024-01-01 00:20:00",
        "2024-01-01 00:30:00",
    ]


def test_invalid_stamps_are_flagged() -> None:
    parts = split_timestamps(
        pa.array(["Foo 11 12:14:29", "Mar 11 12:14:29", "2024-13-01T00:00:00Z"])
    )
    assert parts.valid.tolist() == [False, True, False]


NEW_YORK = ZoneInfo("America/New_York")
"""On 2026-11-01 its clocks go back from 02:00 EDT (UTC-4) to 01:00 EST (UTC-5),
so local times from 01:00 to 01:59 happen twice."""


def parse_in(stamps: list[str], zone: ZoneInfo) -> list[str | None]:
    text = "".join(f"{stamp} {BODY}\n" for stamp in stamps)
    parsed = parse_log(
        io.BytesIO(text.encode()), "maillog", YearReference(year=2026), zone
    )
    return times(parsed)


@pytest.mark.parametrize(
    ("stamps", "expected"),
    [
        # Stamps repeat (several lines in one second) on both passes of the hour:
        # the jump back from 01:50 to 01:05 is where the clocks went back.
        (
            ["Nov  1 00:59:00", "Nov  1 01:50:00", "Nov  1 01:50:00",
             "Nov  1 01:50:30", "Nov  1 01:05:00", "Nov  1 01:05:01",
             "Nov  1 01:05:01", "Nov  1 02:30:00"],
            ["2026-11-01 04:59:00", "2026-11-01 05:50:00", "2026-11-01 05:50:00",
             "2026-11-01 05:50:30", "2026-11-01 06:05:00", "2026-11-01 06:05:01",
             "2026-11-01 06:05:01", "2026-11-01 07:30:00"],
        ),
        # Lines a second out of order are not the jump back.
        (
            ["Nov  1 01:20:01", "Nov  1 01:20:00", "Nov  1 01:40:00",
             "Nov  1 01:10:00"],
            ["2026-11-01 05:20:01", "2026-11-01 05:20:00", "2026-11-01 05:40:00",
             "2026-11-01 06:10:00"],
        ),
        # Without a jump back the pass is unknown: standard time.
        (["Nov  1 01:30:00"], ["2026-11-01 06:30:00"]),
    ],
)  # fmt: skip
def test_repeated_hour_placed_by_jump_back(
    stamps: list[str], expected: list[str]
) -> None:
    assert parse_in(stamps, NEW_YORK) == expected


def test_missing_hour_moves_forward() -> None:
    # On 2026-03-08 New York's clocks skip from 02:00 to 03:00.
    assert parse_in(["Mar  8 02:30:00", "Mar  8 03:10:00"], NEW_YORK) == [
        "2026-03-08 07:00:00", "2026-03-08 07:10:00",
    ]  # fmt: skip


@pytest.mark.parametrize("name", ["UTC", "Etc/UTC", "Zulu"])
def test_utc_zone_names_read_stamps_as_utc(name: str) -> None:
    stamps = ["Dec  4 10:00:00", "2026-12-04T10:00:01+09:00", "Dec  4 10:00:02"]
    assert parse_in(stamps, ZoneInfo(name)) == [
        "2026-12-04 10:00:00", "2026-12-04 01:00:01", "2026-12-04 10:00:02",
    ]  # fmt: skip


def test_joining_time_parts_empties_the_chunks() -> None:
    chunks = [split_timestamps(pa.array(["Dec  4 10:00:00"])),
              split_timestamps(pa.array(["Dec  4 10:00:01", "Foo 1 00:00:00"]))]  # fmt: skip
    joined = TimeParts.concat(chunks)
    assert chunks == []
    assert joined.seconds.tolist() == [36000, 36001, 0]
    assert joined.valid.tolist() == [True, True, False]


@pytest.mark.parametrize("year", ["9999", "2300", "1600"])
def test_unreadable_year_leaves_other_lines(year: str) -> None:
    """A stamp outside 1678-2261 does not fit nanoseconds in int64: it counts as
    a bad timestamp and lends no year to the BSD stamps around it."""
    stamps = ["Dec  3 10:00:00", f"{year}-12-03T10:00:01+00:00", "Dec  3 10:05:00"]
    parsed = parse(stamps, YearReference(end=date(2026, 12, 4)))
    assert times(parsed) == ["2026-12-03 10:00:00", None, "2026-12-03 10:05:00"]
    assert parsed.stats.bad_timestamps == 1


def test_log_of_unreadable_stamps_is_analyzed(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(f"9999-12-03T10:00:01+00:00 {BODY}\n")
    analysis = analyze_bundle(tmp_path)
    assert analysis.events["time"].isna().all()
    assert analysis.bundle.logs[0].stats.bad_timestamps == 1
