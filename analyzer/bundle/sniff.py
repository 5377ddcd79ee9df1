"""Recognize archive and compression formats by their magic bytes, not by name."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
from typing import BinaryIO

GZIP = "gzip"
BZIP2 = "bzip2"
XZ = "xz"
ZSTD = "zstd"
TAR = "tar"
ZIP = "zip"
SEVEN_ZIP = "7z"

COMPRESSIONS = (GZIP, BZIP2, XZ)
ARCHIVES = (TAR, ZIP, SEVEN_ZIP)

FILE_PIECE_BYTES = 16 * 1024 * 1024
"""Largest piece that a ``SalvagingReader`` requests from a regular file at once."""

# Enough for a tar header block (512 bytes) and any magic number.
SNIFF_BYTES = 4096

_MAGIC = (
    (b"\x1f\x8b", GZIP),
    (b"BZh", BZIP2),
    (b"\xfd7zXZ\x00", XZ),
    (b"\x28\xb5\x2f\xfd", ZSTD),
    (b"PK\x03\x04", ZIP),
    (b"PK\x05\x06", ZIP),  # an empty zip: only the end-of-central-directory record
    (b"7z\xbc\xaf\x27\x1c", SEVEN_ZIP),
)


def sniff_format(head: bytes) -> str | None:
    """Return the archive or compression format that ``head`` starts, or None."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    if _is_tar_header(head):
        return TAR
    return None


def _is_tar_header(head: bytes) -> bool:
    if len(head) < 512:
        return False
    if head[257:262] == b"ustar":
        return True
    # A pre-POSIX (v7) tar has no magic; its header checksum identifies it.
    try:
        tarfile.TarInfo.frombuf(head[:512], "utf-8", "surrogateescape")
    except (tarfile.HeaderError, ValueError):
        return False
    return True


def open_decompressor(fmt: str, raw: BinaryIO) -> BinaryIO:
    """Return a reader of the decompressed bytes of ``raw``."""
    if fmt == GZIP:
        return gzip.GzipFile(fileobj=raw, mode="rb")  # type: ignore[return-value]
    if fmt == BZIP2:
        return bz2.BZ2File(raw, mode="rb")  # type: ignore[return-value]
    if fmt == XZ:
        return lzma.LZMAFile(raw, mode="rb")  # type: ignore[return-value]
    raise ValueError(f"not a single-file compression: {fmt!r}")


class PeekReader:
    """Binary reader that can look at its first bytes before they are consumed."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._buffer = b""
        self._error: BaseException | None = None
        """A read error after the first bytes, raised once they are read."""

    @property
    def wrapped(self) -> BinaryIO:
        """The reader that this one reads from."""
        return self._raw

    def peek_head(self, size: int = SNIFF_BYTES) -> bytes:
        """Return the first ``size`` bytes, or fewer when the data ends or fails.

        A member cut short within its first bytes still shows what it is, and
        its bytes are read before the error is raised.
        """
        while len(self._buffer) < size and self._error is None:
            try:
                data = self._raw.read(size - len(self._buffer))
            except Exception as error:
                if not self._buffer:
                    raise
                self._error = error
                break
            if not data:
                break
            self._buffer += data
        return self._buffer[:size]

    def read(self, size: int = -1) -> bytes:
        if self._buffer:
            if size < 0:
                rest = self._raw.read() if self._error is None else b""
                data = self._buffer + rest
                self._buffer = b""
                return data
            data, self._buffer = self._buffer[:size], self._buffer[size:]
            return data
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return self._raw.read(size)

    def readable(self) -> bool:
        return True


EMPTY_TAR_MAX_BYTES = 1024 * 1024
"""Largest all-zero content taken for a tar archive without members. GNU tar and
Python's tarfile write one record of 20 zero blocks, 10240 bytes."""

TAR_BLOCK_BYTES = 512


def is_empty_tar(reader: PeekReader) -> bool:
    """Return whether the whole content of ``reader`` is zero blocks.

    That is all a tar archive without members contains: its end-of-archive
    marker, padded to a whole record. It has no magic number, so callers also
    check that the name claims a tar archive, because a log whose blocks a
    crash left zeroed looks the same. At most EMPTY_TAR_MAX_BYTES + 1 bytes
    are peeked, and ``reader`` still returns them.
    """
    head = reader.peek_head(SNIFF_BYTES)
    if not head or head.count(0) != len(head):
        return False
    content = reader.peek_head(EMPTY_TAR_MAX_BYTES + 1)
    return (
        len(content) <= EMPTY_TAR_MAX_BYTES
        and len(content) % TAR_BLOCK_BYTES == 0
        and content.count(0) == len(content)
    )


def _reads_a_file(reader: BinaryIO) -> bool:
    """Return whether ``reader`` reads a regular file, through peeks and buffers."""
    while isinstance(reader, PeekReader):
        reader = reader.wrapped
    return isinstance(getattr(reader, "raw", None), io.FileIO)


class SalvagingReader:
    """Binary reader that returns the data before a read error, then raises it.

    Decompressors and archive readers fill a whole ``read(size)`` before they
    return, so an error near the end of a damaged member would discard
    everything decoded in that call. This reader asks for at most
    ``piece_size`` bytes at a time (with ``read1`` where the reader has it) and
    keeps what it got: the error surfaces on the next read.

    A regular file on disk fails whole reads, not parts of them, so its pieces
    are as large as the reads asked for: no copying pieces together.
    """

    def __init__(self, raw: BinaryIO, piece_size: int = 64 * 1024) -> None:
        self._raw = raw
        if _reads_a_file(raw):
            piece_size = max(piece_size, FILE_PIECE_BYTES)
        self._piece_size = piece_size
        self._read_piece = getattr(raw, "read1", raw.read)
        self._error: BaseException | None = None

    def read(self, size: int | None = -1) -> bytes:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        wanted = None if size is None or size < 0 else size
        parts: list[bytes] = []
        received = 0
        while wanted is None or received < wanted:
            request = self._piece_size
            if wanted is not None:
                request = min(request, wanted - received)
            try:
                data = self._read_piece(request)
            except Exception as error:
                if not parts:
                    raise
                self._error = error
                break
            if not data:
                break
            parts.append(data)
            received += len(data)
        return b"".join(parts)

    def readable(self) -> bool:
        return True
