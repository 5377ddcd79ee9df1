"""Parse ``journalctl -o json`` exports into the same events as syslog files.

Each line is one JSON object. Fields used: ``__REALTIME_TIMESTAMP`` (microseconds
since the epoch), ``_HOSTNAME``, ``SYSLOG_IDENTIFIER``, ``_PID`` or ``SYSLOG_PID``
and ``MESSAGE``, which journald stores as an array of byte values when the text
is not valid UTF-8.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, tzinfo
from typing import BinaryIO

import numpy as np
import pyarrow as pa

from analyzer.parse import logfile, syslog
from analyzer.parse.lines import iter_line_chunks
from analyzer.parse.timestamps import YearReference


def parse_journal(stream: BinaryIO, source: str, zone: tzinfo) -> logfile.ParsedLog:
    """Parse a journal JSON export; its timestamps are absolute, so no year is needed."""
    chunks = _chunks(stream)
    return logfile.assemble(source, chunks, YearReference(), zone)


def _chunks(stream: BinaryIO) -> Iterator[logfile._ChunkResult]:
    for chunk in iter_line_chunks(stream):
        texts = chunk.lines.to_pylist()
        records = [_record(text) for text in texts]
        matched = np.array([r is not None for r in records], dtype=bool)
        values = [r or ("", None, "", -1, "") for r in records]
        headers = syslog.Headers(
            matched=matched,
            ts=pa.array(
                [v[0] if m else None for v, m in zip(values, matched)], pa.string()
            ),
            host=pa.array([v[1] for v in values], pa.string()),
            program=pa.array(
                [v[2] if m else None for v, m in zip(values, matched)], pa.string()
            ),
            pid=np.array([v[3] for v in values], dtype=np.int64),
            body=pa.array(
                [v[4] if m else None for v, m in zip(values, matched)], pa.string()
            ),
        )
        line_no = np.arange(len(texts), dtype=np.int64) + chunk.first_line_no
        stats = logfile.LineStats(lines=len(texts), syslog_lines=int(matched.sum()))
        stats.unparsed_samples = [
            (int(line_no[i]), texts[i].rstrip("\r\n"))
            for i in np.flatnonzero(~matched)[: logfile.SAMPLE_LIMIT]
        ]
        yield logfile.process_headers(headers, line_no, stats, ())


def _record(text: str) -> tuple[str, str | None, str, int, str] | None:
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(record, dict):
        return None
    try:
        micros = int(record["__REALTIME_TIMESTAMP"])
    except (KeyError, TypeError, ValueError):
        return None
    moment = datetime.fromtimestamp(micros / 1_000_000, UTC)
    message = record.get("MESSAGE", "")
    if isinstance(message, list):  # journald's form for bytes that are not UTF-8
        message = bytes(b & 0xFF for b in message if isinstance(b, int)).decode(
            "utf-8", errors="replace"
        )
    pid = record.get("_PID") or record.get("SYSLOG_PID") or -1
    try:
        pid_number = int(pid)
    except (TypeError, ValueError):
        pid_number = -1
    return (
        moment.isoformat(timespec="microseconds"),
        record.get("_HOSTNAME"),
        str(record.get("SYSLOG_IDENTIFIER", "")),
        pid_number,
        str(message).rstrip("\n"),
    )
