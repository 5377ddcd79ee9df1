"""Helpers for zip and 7z archives, which need random access to be read."""

from __future__ import annotations

import lzma
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import py7zr
import py7zr.exceptions
import py7zr.io

from analyzer.bundle.limits import Budget, Limits
from analyzer.errors import EncryptedBundle, LimitExceeded

ZIP_AES = 99
"""Compression method that marks a WinZip AES-encrypted member."""

SevenZipError = py7zr.exceptions.ArchiveError
"""Base class of py7zr's archive errors (Bad7zFile, CrcError and others)."""

_SPOOL_IN_MEMORY = 16 * 1024 * 1024


def zip_time(info: zipfile.ZipInfo) -> datetime | None:
    """Return a zip member's time. Zip stores local time without a zone; read as UTC."""
    try:
        return datetime(*info.date_time, tzinfo=UTC)
    except ValueError:
        return None


class _SpoolWriter(py7zr.io.Py7zIO):
    """Receives one extracted 7z member, counting its bytes against the limits."""

    def __init__(self, name: str, budget: Budget, archive_size: int, tempdir: Path):
        self.name = name
        self._budget = budget
        self._archive_size = archive_size
        self._file = tempfile.SpooledTemporaryFile(_SPOOL_IN_MEMORY, dir=tempdir)
        self.written = 0

    def write(self, data: bytes | bytearray) -> int:
        self.written += len(data)
        self._budget.count_bytes(self.name, len(data))
        self._check(self._budget.limits)
        return self._file.write(data)

    def _check(self, limits: Limits) -> None:
        if self.written > limits.max_member_bytes:
            raise LimitExceeded(
                f"{self.name}: the member expands to more than "
                f"{limits.max_member_bytes // (1024 * 1024)} MiB; raise --max-size "
                "if it is genuine."
            )
        ratio_limit = limits.max_ratio * max(self._archive_size, 1)
        if self.written > limits.ratio_floor_bytes and self.written > ratio_limit:
            raise LimitExceeded(
                f"{self.name}: the member expands more than {limits.max_ratio:g} "
                "times the size of its archive, like a decompression bomb; raise "
                "--max-ratio if it is genuine."
            )

    def read(self, size: int | None = None) -> bytes:
        return self._file.read(-1 if size is None else size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file.seek(offset, whence)

    def flush(self) -> None:
        self._file.flush()

    def size(self) -> int:
        return self.written

    def close(self) -> None:
        """Keep the content: py7zr closes each product once it is written."""

    def dispose(self) -> None:
        self._file.close()


class _SpoolFactory(py7zr.io.WriterFactory):
    def __init__(self, budget: Budget, archive_size: int, tempdir: Path) -> None:
        self._budget = budget
        self._archive_size = archive_size
        self._tempdir = tempdir
        self.products: dict[str, _SpoolWriter] = {}

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        writer = _SpoolWriter(filename, self._budget, self._archive_size, self._tempdir)
        self.products[filename] = writer
        return writer


@dataclass
class SevenZipItem:
    """One member of a 7z archive, extracted to a spooled temporary file."""

    name: str
    size: int | None
    mtime: datetime | None
    reject_reason: str | None = None
    error: str | None = None
    _writer: _SpoolWriter | None = field(default=None, repr=False)

    @contextmanager
    def open(self) -> Iterator[BinaryIO]:
        assert self._writer is not None
        self._writer.seek(0)
        yield self._writer  # type: ignore[misc]


class SevenZipReader:
    """Lists a 7z archive and extracts its regular files, within the limits.

    py7zr extracts through a writer factory, so member names never become paths
    on disk; the content goes to spooled temporary files under ``tempdir``.
    """

    def __init__(
        self,
        stream: BinaryIO,
        label: str,
        password: str | None,
        budget: Budget,
        tempdir: Path,
    ) -> None:
        self._label = label
        self._password = password
        self._budget = budget
        self._tempdir = tempdir
        stream.seek(0, 2)
        self._size = stream.tell()
        stream.seek(0)
        self._stream = stream
        self.failures: dict[str, tuple[str, str]] = {}
        self._products: dict[str, _SpoolWriter] = {}
        try:
            self._archive = py7zr.SevenZipFile(stream, mode="r", password=password)
        except py7zr.exceptions.PasswordRequired as error:
            raise self._encrypted() from error
        except lzma.LZMAError as error:
            if password is not None:
                raise self._wrong_password(error) from error
            raise
        if self._archive.needs_password() and password is None:
            self._archive.close()
            raise self._encrypted()

    def _encrypted(self) -> EncryptedBundle:
        return EncryptedBundle(
            f"{self._label}: the 7z archive is encrypted; pass its password with "
            "--password or the MAILBUNDLE_PASSWORD environment variable."
        )

    def _wrong_password(self, error: BaseException) -> EncryptedBundle:
        return EncryptedBundle(
            f"{self._label}: the 7z archive cannot be decrypted ({error}); the "
            "password is wrong or the archive is damaged."
        )

    def __enter__(self) -> SevenZipReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._archive.close()
        for writer in self._products.values():
            writer.dispose()

    def members(self) -> list[SevenZipItem]:
        items: list[SevenZipItem] = []
        wanted: list[str] = []
        for info in self._archive.files:
            if info.is_directory:
                continue
            item = SevenZipItem(
                name=info.filename,
                size=info.uncompressed,
                mtime=_seven_zip_time(info),
            )
            fmt = info.st_fmt
            if info.is_symlink or (fmt is not None and stat.S_ISLNK(fmt)):
                item.reject_reason = "symbolic link"
            elif fmt is not None and not stat.S_ISREG(fmt):
                item.reject_reason = "a device, FIFO or other special file"
            else:
                wanted.append(info.filename)
            items.append(item)
        products = self._extract(wanted)
        self._products = products
        for item in items:
            if item.reject_reason is not None:
                continue
            failure = self.failures.get(item.name)
            if failure and failure[0] == "reject":
                item.reject_reason = failure[1]
            elif failure:
                item.error = failure[1]
            else:
                item._writer = products.get(item.name)
                if item._writer is None:
                    item.error = "could not be extracted from the 7z archive"
        return items

    def _extract(self, names: list[str]) -> dict[str, _SpoolWriter]:
        """Extract all ``names`` at once; after a failure, one by one.

        Members that fail on their own get ``self.failures[name]``, so the rest of
        a damaged archive is still read.
        """
        if not names:
            return {}
        try:
            return self._extract_some(names)
        except _EXTRACT_ERRORS as error:
            if self._password is not None and not isinstance(error, LimitExceeded):
                raise self._wrong_password(error) from error
        products: dict[str, _SpoolWriter] = {}
        for name in names:
            try:
                products.update(self._extract_some([name]))
            except LimitExceeded as error:
                self.failures[name] = ("reject", str(error).split(": ", 1)[-1])
            except _EXTRACT_ERRORS as error:
                self.failures[name] = ("error", f"{type(error).__name__}: {error}")
        return products

    def _extract_some(self, names: list[str]) -> dict[str, _SpoolWriter]:
        factory = _SpoolFactory(self._budget, self._size, self._tempdir)
        try:
            self._archive.extract(targets=names, factory=factory)
        finally:
            self._archive.reset()
        return factory.products


_EXTRACT_ERRORS = (
    py7zr.exceptions.ArchiveError,
    lzma.LZMAError,
    OSError,
    EOFError,
    ValueError,
    LimitExceeded,
)


def _seven_zip_time(info: object) -> datetime | None:
    timestamp = getattr(info, "lastwritetime", None)
    if timestamp is None:
        return None
    try:
        value: datetime = timestamp.as_datetime()
    except (AttributeError, ValueError, OverflowError):
        return None
    return value.astimezone(UTC)
