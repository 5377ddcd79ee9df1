"""The compiled scanner (``_scan.c``) behind the same interfaces as the RE2 path.

When the extension is not built (no C compiler at install time), ``AVAILABLE`` is
False and the parsers use their RE2 patterns for every line. The scanner is
stricter than those patterns, never looser: lines it does not accept go through
the patterns, so both paths give the same events.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pyarrow as pa

logger = logging.getLogger(__name__)

try:
    from analyzer.parse import _scan  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the build
    _scan = None
    logger.debug("the compiled scanner is not built; parsing with RE2 patterns only")

DISABLE_VARIABLE = "MAILBUNDLE_NO_SCANNER"
"""Set to 1 to parse with the RE2 patterns only (the tests compare both paths)."""

AVAILABLE = _scan is not None

# Column positions in the field table scan_headers returns (enum in _scan.c).
(
    OK, YEAR, MONTH, DAY, SECONDS, NANOS, OFFSET, HAS_OFFSET, STAMP_START,
    STAMP_LENGTH, HOST_START, HOST_LENGTH, PROG_START, PROG_LENGTH, BODY_START,
    BODY_END, FIELD_COUNT,
) = range(17)  # fmt: skip


def enabled() -> bool:
    return AVAILABLE and os.environ.get(DISABLE_VARIABLE, "") not in (
        "1",
        "true",
        "yes",
    )


def split_lines(data: bytes | memoryview) -> tuple[np.ndarray, np.ndarray]:
    """Return the start and the end (before LF and CR) of each line of ``data``."""
    starts, ends = _scan.split_lines(data)
    return np.frombuffer(starts, dtype=np.int64), np.frombuffer(ends, dtype=np.int64)


def buffers(strings: pa.Array) -> tuple[bytes | pa.Buffer, np.ndarray, np.ndarray]:
    """Return the data buffer and the absolute start and end of each string."""
    if strings.offset:
        strings = pa.concat_arrays([strings])
    offset_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    raw = strings.buffers()
    offsets = np.frombuffer(raw[1], dtype=offset_type)[: len(strings) + 1].astype(
        np.int64
    )
    data = raw[2] if raw[2] is not None else pa.py_buffer(b"")
    return data, offsets[:-1].copy(), offsets[1:].copy()


def scan_headers(lines: pa.Array) -> tuple[np.ndarray, np.ndarray, bytes | pa.Buffer]:
    """Return the header field table (rows x FIELD_COUNT), the pids and the data.

    Offsets in the table are absolute positions in the returned data buffer.
    """
    data, starts, ends = buffers(lines)
    # Lines keep their LF (and CR); the header scanner stops before them.
    view = np.frombuffer(data, dtype=np.uint8)
    if len(view):
        last = np.maximum(ends - 1, 0)
        ends = ends - ((ends > starts) & (view[last] == 10))
        last = np.maximum(ends - 1, 0)
        ends = ends - ((ends > starts) & (view[last] == 13))
    fields, pids = _scan.scan_headers(data, starts.tobytes(), ends.tobytes())
    table = np.frombuffer(fields, dtype=np.int32).reshape(len(starts), FIELD_COUNT)
    return table, np.frombuffer(pids, dtype=np.int64), data


def cut(
    data: bytes | pa.Buffer, starts: np.ndarray, ends: np.ndarray, valid: np.ndarray
) -> pa.Array:
    """Return the byte ranges [start, end) as a string array; null where not ``valid``."""
    starts = np.where(valid, starts, -1).astype(np.int64)
    payload, offsets = _scan.gather(
        data, starts.tobytes(), ends.astype(np.int64).tobytes()
    )
    mask = None if valid.all() else pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(),
        len(starts),
        [mask, pa.py_buffer(offsets), pa.py_buffer(payload)],
        null_count=int((~valid).sum()),
    )


def classify(body: pa.Array, leads: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Return the queue ID length (0 if none) and the lead index (-1 if none) of each body."""
    data, starts, ends = buffers(body)
    valid = np.asarray(body.is_valid())
    starts = np.where(valid, starts, -1)
    encoded = tuple(lead.encode("utf-8") for lead in leads)
    lengths, found = _scan.classify(data, starts.tobytes(), ends.tobytes(), encoded)
    return np.frombuffer(lengths, dtype=np.int8), np.frombuffer(found, dtype=np.int16)


DELIVERY_PATTERN = (
    r"to=(?P<recipient>(?:<[^>]*>|[^,<>\s]*)),"
    r"(?: orig_to=(?P<orig_recipient>(?:<[^>]*>|[^,<>\s]*)),)?"
    r" relay=(?P<relay>[^,]*),(?: conn_use=(?P<conn_use>\d+),)?"
    r" delay=(?P<delay>[\d.]+),"
    r"(?: delays=(?P<delays>[\d.]+/[\d.]+/[\d.]+/[\d.]+),)?"
    r"(?: tls=(?P<tls>[^,\s]*),)?(?: dsn=(?P<dsn>\d\.\d{1,3}\.\d{1,3}),)?"
    r" status=(?P<status>[\w-]+)(?: \((?P<reply>.*?)\)?)?$"
)
"""The delivery rule's pattern that ``_scan.delivery`` implements; the rule uses
the scanner only while its pattern is exactly this one."""

DELIVERY_FIELDS = (
    "recipient", "orig_recipient", "relay", "conn_use", "delay", "delays", "tls",
    "dsn", "status", "reply",
)  # fmt: skip


def delivery(
    texts: pa.Array, rows: np.ndarray | None = None
) -> tuple[np.ndarray, pa.StructArray]:
    """Return which texts are delivery records, and their fields as RE2 gives them.

    With ``rows``, only those texts are read, in that order, without copying
    them out first. The struct is null where a text is not accepted; an optional
    part that is not there is an empty string, as in RE2's output.
    """
    data, starts, ends = buffers(texts)
    valid = np.asarray(texts.is_valid())
    if rows is not None:
        starts, ends, valid = starts[rows], ends[rows], valid[rows]
    starts = np.where(valid, starts, -1)
    matched, spans = _scan.delivery(data, starts.tobytes(), ends.tobytes())
    ok = np.frombuffer(matched, dtype=np.int8).astype(bool)
    table = np.frombuffer(spans, dtype=np.int64).reshape(len(starts), -1, 2)
    columns = [
        cut(data, table[:, field, 0], table[:, field, 1], ok)
        for field in range(len(DELIVERY_FIELDS))
    ]
    struct = pa.StructArray.from_arrays(
        columns, names=list(DELIVERY_FIELDS), mask=pa.array(~ok)
    )
    return ok, struct
