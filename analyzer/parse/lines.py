"""Split raw log bytes into Arrow string arrays of lines, in bounded chunks.

Lines are cut on LF. Each Arrow string keeps its trailing LF (and CR, for CRLF
files) because the array shares the chunk's buffer without copying; the header
pattern stops before them. A line that is not UTF-8 (a Japanese header in
Shift_JIS, binary garbage) is read in the encoding it most likely has, or with
U+FFFD for its bad bytes (see ``legacy``), and counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.parse import fast, legacy

CHUNK_BYTES = 8 * 1024 * 1024
"""Bytes read per chunk. Peak memory grows with it (a few chunks are parsed at
once, each needing several times its size), and 8 MiB keeps it small."""

MAX_LINE_BYTES = 64 * 1024
"""Longer lines are cut to this size (syslog daemons cut at 8 KiB by default)."""


@dataclass
class LineChunk:
    """Lines of one chunk and what was odd about them."""

    lines: pa.StringArray
    first_line_no: int
    """1-based line number of the first line in the member."""
    invalid_utf8_lines: int = 0
    legacy_codecs: Counter[str] = field(default_factory=Counter)
    """Lines that were not UTF-8, by the codec that read them (see ``legacy``)."""
    nul_lines: int = 0
    cut_lines: int = 0


def iter_line_chunks(
    stream: BinaryIO, chunk_bytes: int = CHUNK_BYTES
) -> Iterator[LineChunk]:
    """Read ``stream`` and yield its lines in chunks that end on a line break.

    A line longer than MAX_LINE_BYTES is one line, cut to that size, and the
    rest of it up to its line break is skipped, however many reads it spans.
    """
    line_no = 1
    carry = b""  # the start of an unfinished line, at most MAX_LINE_BYTES long
    skipping = False  # inside a long line whose cut head was already yielded
    while data := stream.read(chunk_bytes):
        view = memoryview(data)
        start = 0
        if skipping:
            start = data.find(b"\n") + 1
            if start == 0:
                continue
            skipping = False
        cut = data.rfind(b"\n", start) + 1
        if cut:
            # One copy at most: the chunk's bytes are the carried part line and
            # this read up to its last line break.
            whole = b"".join((carry, view[start:cut])) if carry else view[start:cut]
            carry = b""
            chunk = make_chunk(whole, line_no)
            line_no += len(chunk.lines)
            yield chunk
            start = cut
        tail = view[start:]
        if len(carry) + len(tail) <= MAX_LINE_BYTES:
            carry = b"".join((carry, tail))
            continue
        # The unfinished line is already too long: emit its head now, so that
        # its rest never counts as lines of its own.
        head = b"".join((carry, tail[: MAX_LINE_BYTES - len(carry)]))
        yield _cut_line(head, line_no)
        line_no += 1
        carry = b""
        skipping = True
    if carry:
        yield make_chunk(carry, line_no)


def _cut_line(head: bytes, line_no: int) -> LineChunk:
    """Return the chunk of one line cut to ``head``, its first MAX_LINE_BYTES."""
    chunk = make_chunk(_drop_partial_character(head) + b"\n", line_no)
    chunk.cut_lines = 1
    return chunk


def _drop_partial_character(data: bytes) -> bytes:
    """Drop a UTF-8 character that the end of ``data`` cuts in two."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:  # a continuation byte: the lead byte is further back
            continue
        if byte >= 0xF0:
            length = 4
        elif byte >= 0xE0:
            length = 3
        elif byte >= 0xC0:
            length = 2
        else:
            length = 1
        return data[:-back] if length > back else data
    return data


def make_chunk(data: bytes | memoryview, first_line_no: int) -> LineChunk:
    """Build the line array of ``data``, which ends at a line break or at EOF."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    codecs: Counter[str] = Counter()
    if not _is_utf8(buffer):
        data, codecs = legacy.decode_lines(bytes(data))
        buffer = np.frombuffer(data, dtype=np.uint8)
    cut_lines = 0
    ends = _line_ends(data, buffer)
    starts = np.concatenate(([0], ends[:-1]))
    if (ends - starts).max(initial=0) > MAX_LINE_BYTES:
        data, starts, ends, cut_lines = _cut_long_lines(bytes(data), starts, ends)
        buffer = np.frombuffer(data, dtype=np.uint8)
    lines = _string_array(buffer, ends)
    chunk = LineChunk(lines=lines, first_line_no=first_line_no, cut_lines=cut_lines)
    chunk.invalid_utf8_lines = sum(codecs.values())
    chunk.legacy_codecs = codecs
    if len(buffer) and buffer.min() == 0:
        chunk.nul_lines = _count_true(pc.match_substring(lines, "\x00"))
        # A log written during a crash has a run of NUL bytes before the next
        # line, with no line break between: the line itself is intact.
        chunk.lines = pc.utf8_ltrim(lines, "\x00")
    return chunk


def _line_ends(data: bytes | memoryview, buffer: np.ndarray) -> np.ndarray:
    """Return the end of each line, after its LF. The last line may have none."""
    if fast.enabled():
        # The scanner finds the line starts without a mask as large as the data.
        starts, _ = fast.split_lines(data)
        return np.append(starts[1:], len(buffer)) if len(starts) else starts
    ends = np.flatnonzero(buffer == 10) + 1
    if len(buffer) and (len(ends) == 0 or ends[-1] != len(buffer)):
        ends = np.append(ends, len(buffer))
    return ends


def _string_array(buffer: np.ndarray, ends: np.ndarray) -> pa.Array:
    """Return the strings that end at ``ends`` in ``buffer``, sharing its memory."""
    offsets = np.concatenate(([0], ends)).astype(
        np.int32 if len(buffer) < 2**31 else np.int64
    )
    array_type = pa.string() if offsets.dtype == np.int32 else pa.large_string()
    return pa.Array.from_buffers(
        array_type, len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(buffer)]
    )


def _is_utf8(buffer: np.ndarray) -> bool:
    """Check whether the bytes are valid UTF-8, with Arrow and without a copy."""
    whole = _string_array(buffer, np.array([len(buffer)]))
    try:
        whole.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


def _cut_long_lines(
    data: bytes, starts: np.ndarray, ends: np.ndarray
) -> tuple[bytes, np.ndarray, np.ndarray, int]:
    """Cut lines longer than MAX_LINE_BYTES, keeping their line break."""
    pieces = []
    lengths = ends - starts
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        if end - start > MAX_LINE_BYTES:
            head = data[start : start + MAX_LINE_BYTES]
            head = head.decode("utf-8", errors="ignore").encode("utf-8")
            pieces.append(head + b"\n")
        else:
            pieces.append(data[start:end])
    new_lengths = np.fromiter(
        (len(p) for p in pieces), dtype=np.int64, count=len(pieces)
    )
    new_ends = np.cumsum(new_lengths)
    new_starts = new_ends - new_lengths
    cut = int((lengths > MAX_LINE_BYTES).sum())
    return b"".join(pieces), new_starts, new_ends, cut


def _count_true(mask: pa.Array) -> int:
    return int(pc.sum(mask).as_py() or 0)
