"""Zip checks that zipfile does not make, and a reader for zips without a directory.

``layout_problems`` finds members whose stated sizes or offsets cannot be true:
data that runs past the central directory, or that overlaps another member's data
(the trick of zip bombs that reuse one compressed block for many members).

``scan_local_members`` reads a zip whose central directory is missing or damaged,
as an interrupted upload leaves it, by walking the local file headers from the
start of the file like ``zip -FF``. It reads stored and deflated members.
"""

from __future__ import annotations

import itertools
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from analyzer.bundle.containers import zip_time
from analyzer.bundle.limits import Budget

LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
LOCAL_SIGNATURE = b"PK\x03\x04"
_DESCRIPTOR_SIGNATURE = b"PK\x07\x08"
_ZIP64_EXTRA = 0x0001
_MAX_LOCAL_MEMBERS = 1_000_000
"""Maximum number of local headers scanned, whatever the --max-members value."""

STORED = zipfile.ZIP_STORED
DEFLATED = zipfile.ZIP_DEFLATED


def layout_problems(archive: zipfile.ZipFile, archive_size: int) -> dict[int, str]:
    """Return, by index in ``infolist()``, why a member's stated layout is false."""
    infos = archive.infolist()
    end_of_data = getattr(archive, "start_dir", archive_size)
    problems: dict[int, str] = {}
    for index, info in enumerate(infos):
        end = info.header_offset + LOCAL_HEADER.size + info.compress_size
        if info.header_offset < 0 or end > end_of_data:
            problems[index] = (
                f"the zip archive states a compressed size of {info.compress_size} "
                "bytes, more than the archive holds; the sizes are forged or the "
                "archive is damaged"
            )
    order = sorted(
        (i for i in range(len(infos)) if i not in problems),
        key=lambda i: infos[i].header_offset,
    )
    for previous, current in itertools.pairwise(order):
        before, after = infos[previous], infos[current]
        minimum_end = before.header_offset + LOCAL_HEADER.size + before.compress_size
        if after.header_offset < minimum_end:
            problems[current] = (
                "its data overlaps the data of another member, as in a zip bomb "
                "that reuses one compressed block"
            )
    return problems


@dataclass
class LocalMember:
    """One member found by its local header."""

    name: str
    flags: int
    method: int
    crc: int
    compress_size: int
    file_size: int
    mtime: datetime | None
    data_offset: int

    @property
    def encrypted(self) -> bool:
        return bool(self.flags & 0x1)

    @property
    def has_descriptor(self) -> bool:
        """True when the sizes and CRC follow the data instead of the header."""
        return bool(self.flags & 0x8)


class LocalMemberReader:
    """Binary reader of one member's decompressed data, checking its CRC at the end."""

    def __init__(
        self, stream: BinaryIO, member: LocalMember, budget: Budget | None = None
    ) -> None:
        self._stream = stream
        self._member = member
        self._budget = budget
        self._position = member.data_offset
        self._remaining = None if member.has_descriptor else member.compress_size
        self._decompressor = (
            zlib.decompressobj(-15) if member.method == DEFLATED else None
        )
        self._crc = 0
        self._done = False
        self.end_offset: int | None = None
        """Offset just past the member's data, once it is read to the end."""

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        parts = []
        wanted = None if size is None or size < 0 else size
        received = 0
        while not self._done and (wanted is None or received < wanted):
            request = 1024 * 1024 if wanted is None else wanted - received
            data = self._read_some(request)
            parts.append(data)
            received += len(data)
        return b"".join(parts)

    def _read_some(self, size: int) -> bytes:
        chunk_size = 64 * 1024
        if self._remaining is not None:
            chunk_size = min(chunk_size, self._remaining)
        self._stream.seek(self._position)
        raw = self._stream.read(chunk_size) if chunk_size else b""
        if not raw and not (self._decompressor and self._decompressor.unconsumed_tail):
            if self._remaining == 0 and self._decompressor is None:
                self._finish()
                return b""
            raise EOFError(
                f"{self._member.name}: the member's data ends early; the zip archive "
                "is truncated or its sizes are wrong"
            )
        if self._decompressor is None:
            data = raw
            self._position += len(raw)
        else:
            data = self._decompressor.decompress(raw, max(size, 1))
            # Before the end of the stream, the input held back by max_length is
            # unconsumed_tail. After the end, the input left over is unused_data,
            # and unconsumed_tail repeats the same bytes.
            if self._decompressor.eof:
                unused = len(self._decompressor.unused_data)
            else:
                unused = len(self._decompressor.unconsumed_tail)
            self._position += len(raw) - unused
        if self._remaining is not None:
            consumed = self._position - self._member.data_offset
            self._remaining = self._member.compress_size - consumed
        self._crc = zlib.crc32(data, self._crc)
        if self._finished():
            self._finish()
        return data

    def _finished(self) -> bool:
        if self._decompressor is not None:
            return self._decompressor.eof
        return self._remaining == 0

    def _finish(self) -> None:
        self._done = True
        expected = self._member.crc
        position = self._position
        if not self._member.has_descriptor:
            position = self._member.data_offset + self._member.compress_size
        else:
            self._stream.seek(position)
            head = self._stream.read(4)
            if head == _DESCRIPTOR_SIGNATURE:
                position += 4
            else:
                self._stream.seek(position)
            descriptor = self._stream.read(4)
            if len(descriptor) < 4:
                raise EOFError(
                    f"{self._member.name}: the zip archive ends inside the member's "
                    "data descriptor"
                )
            expected = struct.unpack("<I", descriptor)[0]
            position += 4
            position += _descriptor_sizes_length(self._stream, position)
        self.end_offset = position
        if expected != self._crc & 0xFFFFFFFF:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {self._member.name!r}")

    def skip(self) -> None:
        """Move past the member's data, so the next header can be found.

        Only a member whose size follows its data has to be decompressed to find
        its end. The budget counts those bytes, so a bomb cannot hide there.
        """
        if self._done:
            return
        if not self._member.has_descriptor:
            self._done = True
            self.end_offset = self._member.data_offset + self._member.compress_size
            return
        while not self._done:
            data = self._read_some(1024 * 1024)
            if self._budget is not None:
                self._budget.count_bytes(self._member.name, len(data))


def _descriptor_sizes_length(stream: BinaryIO, position: int) -> int:
    """Return 8 or 16: the length of the sizes in a data descriptor.

    A zip64 descriptor has 8-byte sizes. The signature of the next local header,
    central directory or end record shows which form was written.
    """
    stream.seek(position + 8)
    after_short = stream.read(4)
    if after_short[:2] == b"PK" or not after_short:
        return 8
    return 16


def scan_local_members(
    stream: BinaryIO, budget: Budget | None = None
) -> Iterator[tuple[LocalMember, LocalMemberReader | None, str | None]]:
    """Yield each member found by its local header, with a reader or a reason.

    The reader is None, and the reason explains it, when the member cannot be read
    (an encrypted member, an unsupported method). The scan ends at the central
    directory, at the end of the file or at anything that is not a local header.
    It raises ``ScanStopped`` at a header cut short or at a member whose end
    cannot be found.
    """
    position = 0
    for _ in range(_MAX_LOCAL_MEMBERS):
        stream.seek(position)
        header = stream.read(LOCAL_HEADER.size)
        if len(header) < LOCAL_HEADER.size or header[:4] != LOCAL_SIGNATURE:
            return
        fields = LOCAL_HEADER.unpack(header)
        _, _, flags, method, time, date, crc, compress_size, file_size = fields[:9]
        name_length, extra_length = fields[9], fields[10]
        name_bytes = stream.read(name_length)
        extra = stream.read(extra_length)
        if len(name_bytes) < name_length or len(extra) < extra_length:
            raise ScanStopped("the zip archive ends inside a local header")
        compress_size, file_size = _zip64_sizes(extra, compress_size, file_size)
        info = zipfile.ZipInfo(date_time=_dos_time(date, time))
        member = LocalMember(
            name=_decode_name(name_bytes, flags),
            flags=flags,
            method=method,
            crc=crc,
            compress_size=compress_size,
            file_size=file_size,
            mtime=zip_time(info),
            data_offset=position + LOCAL_HEADER.size + name_length + extra_length,
        )
        reason = _unreadable_reason(member)
        if reason is None:
            reader = LocalMemberReader(stream, member, budget)
            yield member, reader, None
            reader.skip()
            assert reader.end_offset is not None
            position = reader.end_offset
            continue
        yield member, None, reason
        if member.has_descriptor:
            raise ScanStopped(
                f"{member.name}: the end of this member cannot be found without the "
                "central directory"
            )
        position = member.data_offset + member.compress_size


class ScanStopped(Exception):
    """The local header scan stopped early; the message names the place and reason."""


def _unreadable_reason(member: LocalMember) -> str | None:
    if member.encrypted:
        return "encrypted, and decryption needs the missing central directory"
    if member.method not in (STORED, DEFLATED):
        return (
            f"compression method {member.method} cannot be read without the directory"
        )
    if member.method == STORED and member.has_descriptor:
        return "a stored member whose size is only in the missing directory"
    return None


def _zip64_sizes(extra: bytes, compress_size: int, file_size: int) -> tuple[int, int]:
    if compress_size != 0xFFFFFFFF and file_size != 0xFFFFFFFF:
        return compress_size, file_size
    offset = 0
    while offset + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, offset)
        body = extra[offset + 4 : offset + 4 + length]
        if kind == _ZIP64_EXTRA and len(body) >= 16:
            file_size, compress_size = struct.unpack_from("<QQ", body)
            break
        offset += 4 + length
    return compress_size, file_size


def _dos_time(date: int, time: int) -> tuple[int, int, int, int, int, int]:
    return (
        (date >> 9) + 1980,
        (date >> 5) & 0xF,
        date & 0x1F,
        time >> 11,
        (time >> 5) & 0x3F,
        (time & 0x1F) * 2,
    )


def _decode_name(raw: bytes, flags: int) -> str:
    if flags & 0x800:
        return raw.decode("utf-8", errors="surrogateescape")
    return raw.decode("cp437")
