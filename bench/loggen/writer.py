"""Merge instances in time order and write syslog lines."""

from __future__ import annotations

import heapq
import time as clock
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import TextIO

from loggen.replay import Instance

MONTH_NAMES = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
]


class SyslogFormat:
    """Syslog line headers: BSD (``Mar  1 12:14:29``) or RFC 3339 with microseconds."""

    def __init__(self, style: str) -> None:
        if style not in ("bsd", "rfc3339"):
            raise ValueError(f"unknown timestamp format {style!r}: use bsd or rfc3339")
        self.style = style
        self._second = -1
        self._stamp = ""

    def stamp(self, moment: float) -> str:
        second = int(moment)
        if second != self._second:
            self._second = second
            when = datetime.fromtimestamp(second, UTC)
            if self.style == "bsd":
                # rsyslog's default: day padded with a space, no year.
                self._stamp = (
                    f"{MONTH_NAMES[when.month - 1]} {when.day:2d} {when:%H:%M:%S}"
                )
            else:
                self._stamp = f"{when:%Y-%m-%dT%H:%M:%S}"
        if self.style == "bsd":
            return self._stamp
        micro = int((moment - second) * 1_000_000)
        return f"{self._stamp}.{micro:06d}+00:00"


def write_log(
    arrivals: Iterator[Instance],
    line_limit: int,
    stream: TextIO,
    style: SyslogFormat,
    progress: bool = False,
) -> int:
    """Write lines of the arriving instances in time order until ``line_limit`` lines.

    ``arrivals`` must yield instances by non-decreasing first-line time. Lines of
    different instances interleave by time, and lines with equal times keep the
    order in which their instances arrived.
    """
    pending: list[tuple[float, int, Instance]] = []
    sequence = 0
    written = 0
    buffer: list[str] = []
    upcoming = next(arrivals, None)
    started = clock.monotonic()
    while written < line_limit:
        if upcoming is not None and (
            not pending or upcoming.next_time() <= pending[0][0]
        ):
            sequence += 1
            heapq.heappush(pending, (upcoming.next_time(), sequence, upcoming))
            upcoming = next(arrivals, None)
            continue
        if not pending:
            break
        moment, order, instance = heapq.heappop(pending)
        rendered = instance.emit()
        if not instance.done:
            heapq.heappush(pending, (instance.next_time(), order, instance))
        if rendered is None:
            continue
        program, pid, text = rendered
        header = f"{program}[{pid}]" if pid is not None else program
        buffer.append(f"{style.stamp(moment)} {instance.host.name} {header}: {text}\n")
        written += 1
        if len(buffer) >= 10_000:
            stream.write("".join(buffer))
            buffer.clear()
            if progress and written % 1_000_000 == 0:
                elapsed = clock.monotonic() - started
                print(f"{written:,} lines in {elapsed:.0f} s", flush=True)
    stream.write("".join(buffer))
    for _, _, instance in pending:
        instance.abandon()
    return written
