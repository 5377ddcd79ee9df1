"""Parse ``journalctl -o json`` exports into the same events as syslog files.

Each line is one JSON object. Fields used: ``__REALTIME_TIMESTAMP`` (microseconds
since the epoch), ``_HOSTNAME`` (its first label, as syslog files show it),
``SYSLOG_IDENTIFIER``, ``_PID`` or ``SYSLOG_PID``
and ``MESSAGE``, which journald stores as an array of byte values when the text
is not valid UTF-8. Arrow's JSON reader reads a chunk at once. A chunk with such
an array, a line that is not a JSON object or a blank line is read line by line.

Exports whose objects span several lines (``journalctl -o json-pretty``) or sit
in one JSON array are read object by object, and each event's line number is
the line where its object starts.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import BinaryIO, cast

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from analyzer.parse import legacy, logfile, syslog
from analyzer.parse.lines import iter_line_chunks
from analyzer.parse.timestamps import YearReference


def parse_journal(stream: BinaryIO, source: str, zone: tzinfo) -> logfile.ParsedLog:
    """Parse a journal JSON export; its timestamps are absolute, so no year is needed.

    The journal stores each time as microseconds since the epoch, with no text.
    The events' stamps give that time in ``zone`` with its UTC offset (RFC 3339),
    so that quoted journal lines read in the zone of the rest of the report and
    of BSD syslog lines, and still name the exact instant.
    """
    head = stream.read(FORM_BYTES)
    whole = cast(BinaryIO, _Prefixed(head, stream))
    if _one_object_per_line(head):
        chunks = _chunks(whole, zone)
    else:
        chunks = _object_chunks(whole, zone)
    return logfile.assemble(source, chunks, YearReference(), zone)


FORM_BYTES = 64 * 1024
"""Bytes read to tell one object per line from objects spread over lines."""


def _one_object_per_line(head: bytes) -> bool:
    """Return False for an export that starts with a JSON array, or with an
    object whose first line is only "{", as ``json-pretty`` writes it."""
    text = head.lstrip()
    if text.startswith(b"["):
        return False
    first = text.split(b"\n", 1)[0].strip()
    return first != b"{"


class _Prefixed:
    """Binary reader that returns ``head`` and then the rest of ``stream``."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = head
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if not self._head:
            return self._stream.read(size)
        if size < 0:
            data = self._head + self._stream.read()
            self._head = b""
            return data
        data, self._head = self._head[:size], self._head[size:]
        return data


OBJECT_READ_BYTES = 1024 * 1024
"""Bytes read at a time when an export is read object by object."""
OBJECT_MAX_CHARS = 4 * 1024 * 1024
"""Maximum characters of one object; a longer or invalid one is skipped up to the
next object. A 64 KiB MESSAGE written as a byte list takes about 320 KiB."""
OBJECTS_PER_CHUNK = 50_000
"""Objects parsed together, which bounds the memory of one chunk."""
# White space, array brackets, commas and the RS characters of json-seq between
# objects.
_BETWEEN_OBJECTS = re.compile(r"[\s,\[\]\x1e]*")
# The start of the next object: a "{" that begins a line or follows a comma.
_NEXT_OBJECT = re.compile(r"(?:\n|,)[ \t\r]*(?=\{)")


def iter_objects(
    stream: BinaryIO, read_bytes: int = OBJECT_READ_BYTES
) -> Iterator[tuple[int, str]]:
    """Yield (first line number, text) of each top-level JSON value in ``stream``.

    Memory stays within about ``read_bytes`` plus OBJECT_MAX_CHARS. Text that is
    not valid JSON is yielded as it is, up to the next line or comma that starts
    an object, so that the caller can count it.
    """
    decoder = json.JSONDecoder()
    text_decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    buffer = ""
    position = 0
    line_no = 1
    ended = False
    while True:
        gap = _BETWEEN_OBJECTS.match(buffer, position)
        end = gap.end() if gap else position
        line_no += buffer.count("\n", position, end)
        position = end
        if position < len(buffer):
            try:
                _, end = decoder.raw_decode(buffer, position)
            except (ValueError, RecursionError):
                # Either invalid or not all read yet: read more, unless the value
                # is already too long or the stream has ended.
                if not ended and len(buffer) - position <= OBJECT_MAX_CHARS:
                    end = -1
                else:
                    following = _NEXT_OBJECT.search(buffer, position + 1)
                    end = following.start() if following else len(buffer)
            if end >= 0:
                yield line_no, buffer[position:end][:OBJECT_MAX_CHARS]
                line_no += buffer.count("\n", position, end)
                position = end
                continue
        if ended:
            return
        data = stream.read(read_bytes)
        ended = not data
        buffer = buffer[position:] + text_decoder.decode(data, final=ended)
        position = 0


def _object_chunks(stream: BinaryIO, zone: tzinfo) -> Iterator[logfile._ChunkResult]:
    texts: list[str] = []
    line_nos: list[int] = []
    size = 0
    for line_no, text in iter_objects(stream):
        texts.append(text)
        line_nos.append(line_no)
        size += len(text)
        if len(texts) >= OBJECTS_PER_CHUNK or size >= OBJECT_MAX_CHARS:
            yield _read_lines(texts, np.array(line_nos, dtype=np.int64), zone)
            texts, line_nos, size = [], [], 0
    if texts:
        yield _read_lines(texts, np.array(line_nos, dtype=np.int64), zone)


_FIELDS = pa.schema(
    [
        ("__REALTIME_TIMESTAMP", pa.string()),
        ("_HOSTNAME", pa.string()),
        ("SYSLOG_IDENTIFIER", pa.string()),
        ("_PID", pa.string()),
        ("SYSLOG_PID", pa.string()),
        ("MESSAGE", pa.string()),
    ]
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _chunks(stream: BinaryIO, zone: tzinfo) -> Iterator[logfile._ChunkResult]:
    for chunk in iter_line_chunks(stream):
        line_no = np.arange(len(chunk.lines), dtype=np.int64) + chunk.first_line_no
        headers = _read_bulk(chunk.lines, zone)
        if headers is None:
            yield _read_lines(chunk.lines.to_pylist(), line_no, zone)
            continue
        stats = logfile.LineStats(lines=len(line_no), syslog_lines=len(line_no))
        yield logfile.process_headers(headers, line_no, stats, ())


def _read_bulk(lines: pa.Array, zone: tzinfo = UTC) -> syslog.Headers | None:
    """Read a chunk with Arrow's JSON reader, or return None if a line needs more.

    It also returns None for a ``zone`` that Arrow cannot name, so that the chunk
    is read line by line.
    """
    arrow_zone = _arrow_zone(zone)
    if not pa.types.is_string(lines.type) or len(lines) == 0 or arrow_zone is None:
        return None
    data = lines.buffers()[2]
    options = pa_json.ParseOptions(
        explicit_schema=_FIELDS, unexpected_field_behavior="ignore"
    )
    read = pa_json.ReadOptions(block_size=max(len(data), 1 << 20))

    try:
        table = pa_json.read_json(
            pa.BufferReader(data), read_options=read, parse_options=options
        )
        micros = pc.cast(table.column("__REALTIME_TIMESTAMP"), pa.int64())
        if table.num_rows != len(lines) or micros.null_count:
            return None
        moments = pc.cast(micros, pa.timestamp("us", tz=arrow_zone))
        # %S includes the microseconds of a microsecond timestamp, and %Ez writes
        # the offset as +09:00. A zone missing from Arrow's time zone database
        # fails here.
        stamps = pc.strftime(moments, format="%Y-%m-%dT%H:%M:%S%Ez")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    pid_text = pc.coalesce(table.column("_PID"), table.column("SYSLOG_PID"))
    numeric = pc.match_substring_regex(pid_text, r"^\d{1,18}$")
    pid = pc.cast(pc.if_else(numeric, pid_text, None), pa.int64())
    message = pc.fill_null(table.column("MESSAGE"), "")

    return syslog.Headers(
        matched=np.ones(len(lines), dtype=bool),
        ts=stamps.combine_chunks(),
        host=pc.replace_substring_regex(
            table.column("_HOSTNAME"), SHORT_NAME.pattern, r"\1"
        ).combine_chunks(),
        program=pc.fill_null(table.column("SYSLOG_IDENTIFIER"), "").combine_chunks(),
        pid=np.asarray(pc.fill_null(pid, -1).combine_chunks()),
        body=pc.utf8_rtrim(message, characters="\n").combine_chunks(),
    )


SHORT_NAME = re.compile(r"^([A-Za-z][A-Za-z0-9-]*)\..*$")
"""A full host name, of which syslog files show the first label (rsyslog's
default), so the journal's lines of a host and its files' lines match."""


def _short_name(host: object) -> str | None:
    """Return the first label of a full host name; other values as text."""
    if host is None:
        return None
    return SHORT_NAME.sub(r"\1", str(host))


def _arrow_zone(zone: tzinfo) -> str | None:
    """Return the name Arrow reads ``zone`` by: its IANA key, or its fixed offset
    (+05:30). Returns None for a zone with neither."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    offset = zone.utcoffset(None)
    if offset is None:
        return None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _read_lines(
    texts: list[str], line_no: np.ndarray, zone: tzinfo
) -> logfile._ChunkResult:
    """Read a chunk line by line, for the lines the bulk reader cannot take."""
    records = [_record(text, zone) for text in texts]
    matched = np.array([r is not None for r in records], dtype=bool)
    values = [r or ("", None, "", -1, "") for r in records]
    headers = syslog.Headers(
        matched=matched,
        ts=pa.array(
            [v[0] if m else None for v, m in zip(values, matched, strict=True)],
            pa.string(),
        ),
        host=pa.array([v[1] for v in values], pa.string()),
        program=pa.array(
            [v[2] if m else None for v, m in zip(values, matched, strict=True)],
            pa.string(),
        ),
        pid=np.array([v[3] for v in values], dtype=np.int64),
        body=pa.array(
            [v[4] if m else None for v, m in zip(values, matched, strict=True)],
            pa.string(),
        ),
    )
    stats = logfile.LineStats(lines=len(texts), syslog_lines=int(matched.sum()))
    stats.unparsed_samples = [
        (int(line_no[i]), texts[i].rstrip("\r\n"))
        for i in np.flatnonzero(~matched)[: logfile.SAMPLE_LIMIT]
    ]
    return logfile.process_headers(headers, line_no, stats, ())


def _record(
    text: str, zone: tzinfo = UTC
) -> tuple[str, str | None, str, int, str] | None:
    try:
        record = json.loads(text)
    except ValueError:  # JSONDecodeError, or an integer of over 4300 digits
        return None
    if not isinstance(record, dict):
        return None
    try:
        micros = int(record["__REALTIME_TIMESTAMP"])
        moment = _EPOCH + timedelta(microseconds=micros)
    except (KeyError, TypeError, ValueError, OverflowError):
        return None
    message = record.get("MESSAGE", "")
    if isinstance(message, list):  # journald's form for bytes that are not UTF-8
        raw = bytes(b & 0xFF for b in message if isinstance(b, int))
        message, _ = legacy.decode_line(raw)
    pid = record.get("_PID") or record.get("SYSLOG_PID") or -1
    try:
        pid_number = int(pid)
    except (TypeError, ValueError, OverflowError):
        pid_number = -1
    if not 0 <= pid_number < 2**31:
        pid_number = -1
    return (
        moment.astimezone(zone).isoformat(timespec="microseconds"),
        _short_name(record.get("_HOSTNAME")),
        str(record.get("SYSLOG_IDENTIFIER", "")),
        pid_number,
        str(message).rstrip("\n"),
    )
