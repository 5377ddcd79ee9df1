"""Find the syslog header of each log line: timestamp, host, program, pid.

Accepted forms, each seen in real mail logs:

- BSD (RFC 3164 file format): ``Mar 11 12:14:29 host postfix/smtp[123]: text``,
  day space-padded (``Mar  1``), zero-padded (``Mar 01``, Postfix's own
  ``maillog_file``) or bare (``Mar 1``), optional fraction of a second
  (journald ``short-precise``), optional year before or after the day.
- RFC 3339 / ISO 8601: ``2023-03-14T00:00:31.185246+01:00`` (rsyslog's default
  on Debian 12), with ``Z`` or ``+0200`` (journald ``short-iso``).
- A ``<mail.info>`` or ``<22>`` priority before the timestamp, or a FreeBSD
  ``syslogd -v`` ``<mail.info>`` between the timestamp and the host.
- A missing host field (``Mar 11 12:14:29 postfix/smtp[1]: text``).
- Solaris message tags after the program: ``[ID 197553 mail.info]``.
- RFC 5424: ``<22>1 2023-03-14T00:00:31Z host postfix/smtp 123 - - text``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.parse import fast
from analyzer.parse.timestamps import TimeParts, split_timestamps

_ISO_TIME = (
    r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:[Zz]|[+-]\d\d:?\d\d)?"
)
_BSD_TIME = (
    r"(?:\d{4} )?[A-Z][a-z]{2} {1,2}\d{1,2}(?: \d{4})? \d\d:\d\d:\d\d(?:\.\d{1,9})?"
)

HEADER_PATTERN = (
    r"^(?:<[0-9a-z.]{1,20}>\s?)?"  # priority: <22> or <mail.info>
    rf"(?P<ts>{_ISO_TIME}|{_BSD_TIME})"
    r"\s+(?:<[a-z0-9]{1,10}\.[a-z0-9]{1,10}>\s+)?"  # FreeBSD syslogd -v
    r"(?:(?P<host>[^\s\[\]:]+)\s+)?"
    r"(?P<prog>[^\s\[\]:]+)(?:\[(?P<pid>\d{1,10})\])?:\s?"
    r"(?:\[ID \d+ [a-z0-9]+\.[a-z]+\]\s)?"  # Solaris message ID tag
    r"(?P<body>[^\r\n]*)"
)

# RFC 5424: <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG
RFC5424_PATTERN = (
    r"^<\d{1,3}>1 "
    rf"(?P<ts>{_ISO_TIME}) "
    r"(?P<host>\S+) (?P<prog>[^\s\[\]]+) (?:-|(?P<pid>\d{1,10})|\S+) \S+ "
    r"(?:-|(?:\[(?:[^\]\\]|\\.)*\])+) ?(?:\x{FEFF})?"
    r"(?P<body>[^\r\n]*)"
)


@dataclass
class Headers:
    """Syslog header fields of a chunk's lines; rows without a header are null."""

    matched: np.ndarray
    """True where the line has a syslog header."""
    ts: pa.Array
    host: pa.Array
    program: pa.Array
    pid: np.ndarray
    """Process ID, or -1 when the header has none."""
    body: pa.Array
    """The text after the header, without the line break."""
    times: TimeParts | None = None
    """Calendar fields of ``ts`` when the scanner read them; else parsed from ``ts``."""


_FIELDS = ("ts", "host", "prog", "pid", "body")


def scan_headers(lines: pa.Array) -> Headers:
    """Find the header of every line in ``lines``.

    The compiled scanner reads the common forms; lines it does not accept (and
    all lines when it is not built) go through the RE2 patterns.
    """
    if not fast.enabled():
        return _scan_with_patterns(lines)
    table, pid, data = fast.scan_headers(lines)
    matched = table[:, fast.OK] == 1
    stamp_start = table[:, fast.STAMP_START].astype(np.int64)
    host_start = table[:, fast.HOST_START].astype(np.int64)
    prog_start = table[:, fast.PROG_START].astype(np.int64)
    headers = Headers(
        matched=matched.copy(),
        ts=fast.cut(data, stamp_start, stamp_start + table[:, fast.STAMP_LENGTH], matched),
        host=fast.cut(
            data, host_start, host_start + table[:, fast.HOST_LENGTH],
            matched & (table[:, fast.HOST_LENGTH] > 0),
        ),
        program=fast.cut(data, prog_start, prog_start + table[:, fast.PROG_LENGTH], matched),
        pid=np.where(matched, pid, -1),
        body=fast.cut(data, table[:, fast.BODY_START], table[:, fast.BODY_END], matched),
        times=_scanned_times(table, matched),
    )  # fmt: skip
    if matched.all():
        return headers
    rest = np.flatnonzero(~matched)
    return _merge_headers(
        headers, rest, _scan_with_patterns(lines.take(pa.array(rest)))
    )


def _scanned_times(table: np.ndarray, matched: np.ndarray) -> TimeParts:
    """TimeParts from the scanner's fields, with the checks split_timestamps makes."""

    def column(index: int) -> np.ndarray:
        return table[:, index].astype(np.int64)

    month = column(fast.MONTH)
    seconds = column(fast.SECONDS)
    valid = matched & (month >= 1) & (month <= 12) & (seconds < 86_401)
    return TimeParts(
        year=column(fast.YEAR),
        month=month,
        day=column(fast.DAY),
        seconds=seconds,
        nanos=column(fast.NANOS),
        offset=column(fast.OFFSET),
        has_offset=column(fast.HAS_OFFSET).astype(bool),
        valid=valid,
    )


def _merge_headers(headers: Headers, rows: np.ndarray, other: Headers) -> Headers:
    """Put the header fields the patterns found for ``rows`` into ``headers``."""
    found = other.matched
    if not found.any():
        return headers
    target = rows[found]
    mask = np.zeros(len(headers.matched), dtype=bool)
    mask[target] = True
    replaced = {}
    for name in ("ts", "host", "program", "body"):
        values = getattr(other, name).filter(pa.array(found))
        replaced[name] = pc.replace_with_mask(
            getattr(headers, name), pa.array(mask), values
        )
    matched = headers.matched.copy()
    matched[target] = True
    pid = headers.pid.copy()
    pid[target] = other.pid[found]
    times = headers.times
    if times is not None:
        times.put(target, split_timestamps(other.ts.filter(pa.array(found))))
    return Headers(matched=matched, pid=pid, times=times, **replaced)


def _scan_with_patterns(lines: pa.Array) -> Headers:
    matches = pc.extract_regex(lines, HEADER_PATTERN)
    fields = {name: matches.field(name) for name in _FIELDS}
    matched = np.asarray(matches.is_valid())
    if not matched.all():
        _add_rfc5424(lines, matched, fields)
    pid = pc.cast(
        pc.if_else(pc.equal(fields["pid"], ""), None, fields["pid"]), pa.int64()
    )
    return Headers(
        matched=matched,
        ts=_null_unless(fields["ts"], matched),
        host=_null_unless(
            pc.if_else(pc.equal(fields["host"], ""), None, fields["host"]), matched
        ),
        program=_null_unless(fields["prog"], matched),
        pid=np.asarray(pc.fill_null(pid, -1)),
        body=_null_unless(fields["body"], matched),
    )


def _null_unless(values: pa.Array, matched: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(matched), values, None)


def _add_rfc5424(
    lines: pa.Array, matched: np.ndarray, fields: dict[str, pa.Array]
) -> None:
    """Try the RFC 5424 pattern on the lines the main pattern missed, in place."""
    candidates = np.flatnonzero(~matched & np.asarray(pc.starts_with(lines, "<")))
    if len(candidates) == 0:
        return
    retry = pc.extract_regex(lines.take(pa.array(candidates)), RFC5424_PATTERN)
    found = np.asarray(retry.is_valid())
    if not found.any():
        return
    rows = candidates[found]
    matched[rows] = True
    mask = np.zeros(len(lines), dtype=bool)
    mask[rows] = True
    for name in _FIELDS:
        replacement = retry.field(name).filter(pa.array(found))
        fields[name] = pc.replace_with_mask(fields[name], pa.array(mask), replacement)
