"""Times as the host's clock showed them, in the zone that the output uses."""

from __future__ import annotations

from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo

import pandas as pd

WALL_FORMAT = "%Y-%m-%d %H:%M:%S"


def wall_times(values: pd.Series, zone: tzinfo | str) -> list[str]:
    """Return each time in ``zone`` as "2026-11-01 01:50:00", "" when missing.

    A time that happens twice, because the clocks went back over it, also gets
    its UTC offset ("2026-11-01 01:50:00-04:00"), so that the order shows.
    """
    times = pd.to_datetime(pd.Series(values), utc=True).dt.tz_convert(zone)
    text = times.dt.strftime(WALL_FORMAT)
    wall = times.dt.tz_localize(None)
    once = wall.dt.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    repeated = (once.isna() & times.notna()).to_numpy(dtype=bool)
    if repeated.any():
        offsets = times[repeated].dt.strftime("%z")
        text[repeated] = text[repeated] + offsets.str[:3] + ":" + offsets.str[3:]
    return [str(t) for t in text.fillna("")]


def wall_time(value: object, zone: tzinfo | str) -> str:
    """Return one time as ``wall_times`` does, without building a Series."""
    if value is None or pd.isna(value):
        return ""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(UTC)
    where = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = stamp.to_pydatetime().astimezone(where)
    text: str = local.strftime(WALL_FORMAT)
    naive = local.replace(tzinfo=None)
    first, second = (naive.replace(tzinfo=where, fold=f).utcoffset() for f in (0, 1))
    if first != second:
        offset = local.strftime("%z")
        text += f"{offset[:3]}:{offset[3:]}"
    return text
