"""Turn syslog timestamps into UTC instants, inferring the year of BSD stamps.

BSD stamps carry no year and no zone. The year comes from a reference. That is
the ``--year`` option (the year of the file's last line) if given, else the time
the file was last written (a date in a rotated file's name, the member's mtime),
else when the bundle was made, else the analysis date.

Lines are read as a sequence. When the date drops by more than half a year from
one line to the next (December to January), a new year begins. When it rises by
more than half a year (a late December line after January ones), the line
belongs to the year before. In a file that mixes stamps with and without a year,
each stamp without one takes the year of the nearest earlier stamp that has one
(the nearest later one when none comes before), moved by the year changes
between them. February 29 is taken only in leap years, which also corrects a
reference that is off by a year. The zone of stamps without an offset is an
input too (default UTC).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

TIMESTAMP_PATTERN = (
    r"^(?:"
    r"(?P<iy>\d{4})-(?P<im>\d\d)-(?P<id>\d\d)[Tt ]"
    r"(?P<iH>\d\d):(?P<iM>\d\d):(?P<iS>\d\d)(?:[.,](?P<ifrac>\d{1,9}))?"
    r"(?P<tz>[Zz]|[+-]\d\d:?\d\d)?"
    r"|"
    r"(?:(?P<by1>\d{4}) )?(?P<bmon>[A-Z][a-z]{2}) {1,2}(?P<bd>\d{1,2})"
    r"(?: (?P<by2>\d{4}))? (?P<bH>\d\d):(?P<bM>\d\d):(?P<bS>\d\d)"
    r"(?:\.(?P<bfrac>\d{1,9}))?"
    r")$"
)

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]  # fmt: skip

_DAY = 86_400
_HALF_YEAR = 183 * _DAY
_NS = 1_000_000_000


@dataclass
class TimeParts:
    """Calendar fields of a run of timestamps, before the year is settled.

    ``year`` is 0 where the stamp has no year; ``offset`` is the UTC offset in
    seconds where the stamp has one (``has_offset``), else the stamp is local time.
    """

    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    seconds: np.ndarray
    nanos: np.ndarray
    offset: np.ndarray
    has_offset: np.ndarray
    valid: np.ndarray

    def select(self, rows: np.ndarray) -> TimeParts:
        fields = self.__dataclass_fields__
        return TimeParts(**{f: getattr(self, f)[rows] for f in fields})

    def put(self, rows: np.ndarray, other: TimeParts) -> None:
        """Overwrite ``rows`` with the rows of ``other``, in place."""
        for name in self.__dataclass_fields__:
            getattr(self, name)[rows] = getattr(other, name)

    @classmethod
    def concat(cls, parts: list[TimeParts]) -> TimeParts:
        """Join ``parts`` and empty the list. Each field of the parts is freed
        once it is joined, so the parts and their join are not held at once
        (46 MiB each on a 1M-line log)."""
        joined = {}
        for name in cls.__dataclass_fields__:
            joined[name] = np.concatenate([getattr(p, name) for p in parts])
            for part in parts:
                setattr(part, name, joined[name][:0])
        parts.clear()
        return cls(**joined)


@dataclass(frozen=True)
class YearReference:
    """What fixes the year of BSD timestamps in one log file."""

    year: int | None = None
    """Year of the file's last line, when the user gives it (``--year``)."""
    end: date | None = None
    """Date on or after the file's last line: rotation date or mtime."""
    captured: date | None = None
    """When the bundle was made (its newest member time), if ``end`` is unknown."""
    # NOTE: load.py does not pass ``captured`` yet, so members without a date in
    # their name and without an mtime fall back to ``today``.
    today: date | None = None
    """The analysis date, used when nothing else is known."""


def split_timestamps(ts: pa.Array) -> TimeParts:
    """Split timestamp strings into calendar fields; unparsable rows are invalid."""
    m = pc.extract_regex(ts, TIMESTAMP_PATTERN)
    valid = np.asarray(m.is_valid())
    iso = valid & _present(m, "iy")

    def num(name: str) -> np.ndarray:
        return np.asarray(
            pc.fill_null(pc.cast(_blank_to_null(m.field(name)), pa.int64()), 0)
        )

    month_names = pc.index_in(
        _blank_to_null(m.field("bmon")), value_set=pa.array(MONTHS)
    )
    bsd_month = np.asarray(pc.fill_null(month_names, -1)) + 1
    year = np.where(iso, num("iy"), np.maximum(num("by1"), num("by2")))
    month = np.where(iso, num("im"), bsd_month)
    day = np.where(iso, num("id"), num("bd"))
    seconds = (
        np.where(iso, num("iH"), num("bH")) * 3600
        + np.where(iso, num("iM"), num("bM")) * 60
        + np.where(iso, num("iS"), num("bS"))
    )
    nanos = np.where(
        iso, _fraction_ns(m.field("ifrac")), _fraction_ns(m.field("bfrac"))
    )
    offset, has_offset = _utc_offsets(m.field("tz"))
    valid &= (month >= 1) & (month <= 12) & (seconds < _DAY + 1)
    return TimeParts(year, month, day, seconds, nanos, offset, has_offset & iso, valid)


def _present(m: pa.StructArray, name: str) -> np.ndarray:
    field = m.field(name)
    return np.asarray(pc.fill_null(pc.not_equal(field, ""), False))


def _blank_to_null(values: pa.Array) -> pa.Array:
    return pc.if_else(pc.equal(values, ""), None, values)


def _fraction_ns(fraction: pa.Array) -> np.ndarray:
    padded = pc.utf8_rpad(pc.fill_null(fraction, ""), 9, "0")
    return np.asarray(pc.cast(padded, pa.int64()))


def _utc_offsets(tz: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    text = pc.fill_null(tz, "")
    has = np.asarray(pc.not_equal(text, ""))
    digits = pc.replace_substring_regex(
        pc.replace_substring(text, ":", ""), "^[Zz]$", "+0000"
    )
    digits = pc.if_else(pc.equal(digits, ""), "+0000", digits)
    sign = np.where(np.asarray(pc.starts_with(digits, "-")), -1, 1)
    hours = np.asarray(pc.cast(pc.utf8_slice_codeunits(digits, 1, 3), pa.int64()))
    minutes = np.asarray(pc.cast(pc.utf8_slice_codeunits(digits, 3, 5), pa.int64()))
    return sign * (hours * 3600 + minutes * 60), has


def infer_years(parts: TimeParts, reference: YearReference) -> np.ndarray:
    """Return the year of every row, filling in the rows whose stamp has none."""
    years = parts.year.copy()
    rows = np.flatnonzero(parts.valid)
    missing = years[rows] == 0
    if not missing.any():
        return years
    era = _year_changes(parts, rows)
    # A stamp with a year beyond the readable ones gives no year to its neighbours.
    known = (years[rows] >= FIRST_YEAR) & (years[rows] <= LAST_YEAR)
    if known.any():
        years[rows[missing]] = _years_from_anchors(years[rows], era, known)[missing]
        return years
    last = int(rows[-1])
    end_year = _end_year(int(parts.month[last]), int(parts.day[last]), reference)
    later_changes = era[-1] - era
    if reference.year is None:
        end_year = _fit_leap_days(parts, rows, later_changes, end_year)
    years[rows[missing]] = (end_year - later_changes)[missing]
    return years


def _year_changes(parts: TimeParts, rows: np.ndarray) -> np.ndarray:
    """Return, per row, the number of year changes since the first row."""
    position = (
        parts.month[rows] * 32 * _DAY + parts.day[rows] * _DAY + parts.seconds[rows]
    )
    step = np.zeros(len(rows), dtype=np.int64)
    step[1:] = (position[1:] < position[:-1] - _HALF_YEAR).astype(np.int64) - (
        position[1:] > position[:-1] + _HALF_YEAR
    )
    return np.cumsum(step)


def _years_from_anchors(
    years: np.ndarray, era: np.ndarray, known: np.ndarray
) -> np.ndarray:
    """Give each row the year of the nearest earlier row that has one.

    Rows before the first such row take the year of the first one. The year
    changes between a row and its anchor are applied.
    """
    index = np.arange(len(years))
    anchor = np.maximum.accumulate(np.where(known, index, -1))
    anchor[anchor < 0] = int(np.argmax(known))
    result: np.ndarray = years[anchor] + era - era[anchor]
    return result


def _end_year(month: int, day: int, reference: YearReference) -> int:
    if reference.year is not None:
        return reference.year
    end = (
        reference.end
        or reference.captured
        or reference.today
        or datetime.now(UTC).date()
    )
    # The last line falls on or before the reference day, allowing one day for
    # zones: a host east of UTC logs Jan 1 while its file time in UTC is Dec 31.
    latest = end + timedelta(days=1)
    for year in (end.year + 1, end.year):
        try:
            if date(year, month, day) <= latest:
                return year
        except ValueError:  # February 29 of a common year: _fit_leap_days moves it
            continue
    return end.year - 1


def _fit_leap_days(
    parts: TimeParts, rows: np.ndarray, later_changes: np.ndarray, end_year: int
) -> int:
    """Move ``end_year`` back until every February 29 falls in a leap year."""
    leap_rows = (parts.month[rows] == 2) & (parts.day[rows] == 29)
    if not leap_rows.any():
        return end_year
    for candidate in range(end_year, end_year - 8, -1):
        years = candidate - later_changes[leap_rows]
        if _is_leap(years).all():
            return candidate
    return end_year


def _is_leap(year: np.ndarray) -> np.ndarray:
    leap: np.ndarray = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return leap


_DAYS_IN_MONTH = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


FIRST_YEAR = 1678
LAST_YEAR = 2261
"""Years of the stamps that can be read; the others count as bad timestamps."""

UTC_BLOCK_ROWS = 1 << 18
"""Rows converted at once by ``to_utc``: its dozen temporary arrays stay a few
MiB each however long the log is."""


def to_utc(parts: TimeParts, years: np.ndarray, zone: tzinfo) -> tuple[np.ndarray, int]:
    """Return datetime64[ns] UTC instants, invalid dates as NaT, and how many
    stamps fall in an hour that ``zone`` skips when its clocks go forward."""
    rows = len(years)
    utc = np.empty(rows, dtype=np.int64)
    valid = np.empty(rows, dtype=bool)
    for start in range(0, rows, UTC_BLOCK_ROWS):
        block = slice(start, start + UTC_BLOCK_ROWS)
        utc[block], valid[block] = _local_ns(parts, years, block)
    # utc contains local times so far. Stamps without an offset are in ``zone``.
    needs_zone = valid & ~parts.has_offset
    if _is_utc(zone) or not needs_zone.any():
        needs_zone[:] = False
    shifted = np.flatnonzero(valid & ~needs_zone)
    skipped = 0
    if needs_zone.any():
        utc[needs_zone], skipped = _localize(utc[needs_zone], zone)
    utc[shifted] -= parts.offset[shifted] * _NS
    result: np.ndarray = utc.view("datetime64[ns]")
    result[~valid] = np.datetime64("NaT")
    return result, skipped


UTC_NAMES = frozenset(["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal",
                       "Universal", "Etc/Zulu", "Zulu"])  # fmt: skip
"""IANA names of UTC itself (``--timezone`` defaults to "UTC")."""


def _is_utc(zone: tzinfo) -> bool:
    """Return whether ``zone`` is UTC, whose local times need no conversion.
    Converting them anyway added 20 MiB to the parse's peak on a 1M-line log."""
    return zone is UTC or getattr(zone, "key", None) in UTC_NAMES


def _local_ns(
    parts: TimeParts, years: np.ndarray, block: slice
) -> tuple[np.ndarray, np.ndarray]:
    """Return the local time in nanoseconds of the rows of ``block``, and which
    of them are valid dates."""
    year = years[block]
    month = np.clip(parts.month[block], 1, 12)
    day = parts.day[block]
    month_days = _DAYS_IN_MONTH[month] + ((month == 2) & _is_leap(year))
    valid = parts.valid[block] & (day >= 1) & (day <= month_days)
    # Nanoseconds since 1970 in int64 reach from 1677 to 2262: a year outside
    # would wrap around and move the line centuries away.
    valid &= (year >= FIRST_YEAR) & (year <= LAST_YEAR)
    days = _days_from_civil(year, month, np.where(valid, day, 1))
    local = (days * _DAY + parts.seconds[block]) * _NS + parts.nanos[block]
    return local, valid


def _localize(local_ns: np.ndarray, zone: tzinfo) -> tuple[np.ndarray, int]:
    """Return the UTC nanoseconds of local times in ``zone``, and how many of
    them do not exist there (moved forward past the skipped hour)."""
    naive = pd.DatetimeIndex(local_ns.astype("datetime64[ns]"))
    aware = naive.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
    skipped = int((aware.tz_localize(None) != naive).sum()) - int(aware.isna().sum())
    repeated = np.asarray(aware.isna()) & ~np.asarray(naive.isna())
    if repeated.any():
        first_pass = _first_pass(local_ns, repeated)
        aware = naive.tz_localize(
            zone, ambiguous=first_pass, nonexistent="shift_forward"
        )
    return np.asarray(aware.tz_convert("UTC").tz_localize(None).asi8), skipped


JUMP_BACK_NS = 60 * 1_000_000_000
"""Local time must go back by more than this, from one line of a repeated hour
to a later line, to mark where the clocks went back. Lines of concurrent
processes can reach the log a few seconds out of order, so a shorter step back
is taken as that."""

NS_PER_DAY = 86_400 * 1_000_000_000


def _first_pass(local_ns: np.ndarray, repeated: np.ndarray) -> np.ndarray:
    """Return True for the lines of a repeated hour logged before the clocks went back.

    Lines are in file order. On each day with a repeated hour, its lines up to
    the first jump back in local time are on the first pass (daylight saving
    time), and the rest on the second (standard time). Without a jump back, the
    log does not show the pass, and all are taken as standard time. pandas'
    ``ambiguous="infer"`` raises on a stamp repeated within a pass, which logs
    often have.
    """
    first_pass = np.zeros(len(local_ns), dtype=bool)
    rows = np.flatnonzero(repeated)
    days = local_ns[rows] // NS_PER_DAY
    for day in np.unique(days):
        day_rows = rows[days == day]
        times = local_ns[day_rows]
        latest = np.maximum.accumulate(times)
        jumps = np.flatnonzero(times[1:] < latest[:-1] - JUMP_BACK_NS)
        if len(jumps):
            first_pass[day_rows[: jumps[0] + 1]] = True
    return first_pass


def _days_from_civil(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> np.ndarray:
    """Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm)."""
    y = year - (month <= 2)
    era = np.floor_divide(y, 400)
    year_of_era = y - era * 400
    shifted_month = np.where(month > 2, month - 3, month + 9)
    day_of_year = (153 * shifted_month + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    days: np.ndarray = era * 146_097 + day_of_era - 719_468
    return days
