"""Reading 7z archives with py7zr, imported only when a bundle contains one."""

from __future__ import annotations

import logging
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import py7zr
import py7zr.exceptions
import py7zr.helpers
import py7zr.io

from analyzer.bundle.containers import SevenZipError
from analyzer.bundle.limits import Budget, Limits, OptionLimitExceeded
from analyzer.bundle.names import normalize_name, unsafe_path_reason
from analyzer.bundle.read_errors import describe_read_error
from analyzer.errors import EncryptedBundle, LimitExceeded

logger = logging.getLogger(__name__)

_SPOOL_IN_MEMORY = 16 * 1024 * 1024


class _SpoolWriter(py7zr.io.Py7zIO):
    """Receives one extracted 7z member, counting its bytes against the limits."""

    def __init__(self, name: str, budget: Budget, archive_size: int, tempdir: Path):
        self.name = name
        self._budget = budget
        self._archive_size = archive_size
        self._file = tempfile.SpooledTemporaryFile(  # noqa: SIM115 closed by close()
            _SPOOL_IN_MEMORY, dir=str(tempdir)
        )
        self.written = 0

    def write(self, data: bytes | bytearray) -> int:
        self.written += len(data)
        self._budget.count_bytes(self.name, len(data))
        self._check(self._budget.limits)
        return self._file.write(data)

    def _check(self, limits: Limits) -> None:
        if self.written > limits.max_member_bytes:
            raise OptionLimitExceeded(
                f"{self.name}: the member expands to more than "
                f"{limits.max_member_bytes // (1024 * 1024)} MiB; raise --max-size "
                "if it is genuine.",
                option="--max-size",
            )
        ratio_limit = limits.max_ratio * max(self._archive_size, 1)
        if self.written > limits.ratio_floor_bytes and self.written > ratio_limit:
            raise OptionLimitExceeded(
                f"{self.name}: the member expands more than {limits.max_ratio:g} "
                "times the size of its archive, like a decompression bomb; raise "
                "--max-ratio if it is genuine.",
                option="--max-ratio",
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
    """Creates one spool per extracted member, keyed by py7zr's output path.

    py7zr extracts every member whose name is a target, so a duplicated name
    yields a second product under a suffixed key. That product goes to
    ``extras``, only to be disposed of.
    """

    def __init__(self, budget: Budget, archive_size: int, tempdir: Path) -> None:
        self._budget = budget
        self._archive_size = archive_size
        self._tempdir = tempdir
        self.products: dict[str, _SpoolWriter] = {}
        self.extras: list[_SpoolWriter] = []

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        writer = _SpoolWriter(filename, self._budget, self._archive_size, self._tempdir)
        if filename in self.products:
            self.extras.append(writer)
        else:
            self.products[filename] = writer
        return writer

    def dispose(self) -> None:
        for writer in [*self.products.values(), *self.extras]:
            writer.dispose()


@dataclass
class SevenZipItem:
    """One member of a 7z archive, extracted to a spooled temporary file."""

    name: str
    size: int | None
    mtime: datetime | None
    reject_reason: str | None = None
    limit: str | None = None
    """Command-line option of the limit behind ``reject_reason``, if one is."""
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
    py7zr still resolves each name against an output folder, so that folder is an
    empty one made for the purpose under ``tempdir``.
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
        self.failures: dict[str, tuple[str, str, str | None]] = {}
        """Per member name: ("reject" or "error", the reason, the limit's option)."""
        self.stopped: LimitExceeded | None = None
        """The bundle limit that stopped the extraction, if one did."""
        self._factories: list[_SpoolFactory] = []
        self._output = Path(tempfile.mkdtemp(prefix="7z-", dir=tempdir))
        self._archive = self._open(stream, password)
        if self._archive.needs_password() and password is None:
            self._archive.close()
            raise self._encrypted()

    def _open(self, stream: BinaryIO, password: str | None) -> py7zr.SevenZipFile:
        try:
            return py7zr.SevenZipFile(stream, mode="r", password=password)
        except py7zr.exceptions.PasswordRequired as error:
            raise self._encrypted() from error
        except LimitExceeded:
            raise
        # A damaged header, or one decrypted with a wrong password, makes py7zr
        # raise almost any exception (TypeError, KeyError, struct.error and more).
        except Exception as error:
            logger.info("%s: py7zr cannot open the archive: %r", self._label, error)
            if password is not None:
                raise self._wrong_password(error) from error
            raise SevenZipError(describe_read_error(error)) from error

    def _encrypted(self) -> EncryptedBundle:
        return EncryptedBundle(
            f"{self._label}: the 7z archive is encrypted; pass its password with "
            "--password or the MAILBUNDLE_PASSWORD environment variable."
        )

    def _wrong_password(self, error: BaseException) -> EncryptedBundle:
        logger.info("%s: py7zr cannot decrypt the archive: %r", self._label, error)
        return EncryptedBundle(
            f"{self._label}: the 7z archive cannot be decrypted; the password is "
            "wrong or the archive is damaged. Check --password or MAILBUNDLE_PASSWORD."
        )

    def __enter__(self) -> SevenZipReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._archive.close()
        for factory in self._factories:
            factory.dispose()

    def members(self) -> list[SevenZipItem]:
        """List the members and extract the regular files among them.

        Unsafe names, links, special files and repeated names get a
        ``reject_reason`` and are not extracted.
        """
        items: list[SevenZipItem] = []
        keys: dict[str, str] = {}
        used_keys: set[str] = set()
        for info in self._archive.files:
            if info.is_directory:
                continue
            item = SevenZipItem(
                name=info.filename,
                size=info.uncompressed,
                mtime=_seven_zip_time(info),
            )
            items.append(item)
            reason = self._reject_reason(info, self._output, keys, used_keys)
            item.reject_reason = reason
        products = self._extract(list(keys))
        for item in items:
            if item.reject_reason is not None:
                continue
            failure = self.failures.get(item.name)
            if failure and failure[0] == "reject":
                item.reject_reason = failure[1]
                item.limit = failure[2]
            elif failure:
                item.error = failure[1]
            else:
                item._writer = products.get(keys[item.name])
                if item._writer is None:
                    item.error = "could not be extracted from the 7z archive"
        return items

    @staticmethod
    def _reject_reason(
        info: object, output: Path, keys: dict[str, str], used_keys: set[str]
    ) -> str | None:
        """Return why a member is not extracted; else record its factory key."""
        name: str = getattr(info, "filename", "")
        fmt = getattr(info, "st_fmt", None)
        if reason := unsafe_path_reason(name):
            return reason
        is_link = fmt is not None and stat.S_ISLNK(fmt)
        if getattr(info, "is_symlink", False) or is_link:
            return "symbolic link"
        if fmt is not None and not stat.S_ISREG(fmt):
            return "a device, FIFO or other special file"
        try:
            key = py7zr.helpers.get_sanitized_output_path(name, output).as_posix()
        except py7zr.exceptions.Bad7zFile:
            return "the name is not a valid path"
        if name in keys or key in used_keys:
            return (
                f"duplicate name: an earlier member is also {normalize_name(name)}; "
                "only the first one is read"
            )
        keys[name] = key
        used_keys.add(key)
        return None

    def _extract(self, names: list[str]) -> dict[str, _SpoolWriter]:
        """Extract all ``names`` at once; after a failure, one by one.

        Members that fail on their own get ``self.failures[name]``, so the rest of
        a damaged archive is still read. A bundle limit stops the extraction and
        is kept in ``stopped``, for the caller to raise once it has read the
        members extracted before.
        """
        if not names:
            return {}
        spent = self._budget.total_bytes
        try:
            return self._extract_some(names)
        except LimitExceeded:
            # The bytes of the failed attempt are thrown away, so they do not
            # count: the members are extracted again one by one.
            self._budget.total_bytes = spent
        except Exception as error:  # py7zr's errors on damaged data vary
            if self._password is not None:
                raise self._wrong_password(error) from error
        products: dict[str, _SpoolWriter] = {}
        for name in names:
            if self.stopped is not None:
                self.failures[name] = ("reject", "not read: " + str(self.stopped), None)
                continue
            try:
                products.update(self._extract_some([name]))
            except LimitExceeded as error:
                if error.scope == "bundle":
                    self.stopped = error
                reason = str(error).split(": ", 1)[-1]
                self.failures[name] = ("reject", reason, getattr(error, "option", None))
            except Exception as error:
                logger.info("%s: py7zr cannot extract it: %r", name, error)
                self.failures[name] = ("error", describe_read_error(error), None)
        return products

    def _extract_some(self, names: list[str]) -> dict[str, _SpoolWriter]:
        factory = _SpoolFactory(self._budget, self._size, self._tempdir)
        self._factories.append(factory)
        try:
            self._archive.extract(path=self._output, targets=names, factory=factory)
        finally:
            self._archive.reset()
        return factory.products


def _seven_zip_time(info: object) -> datetime | None:
    timestamp = getattr(info, "lastwritetime", None)
    if timestamp is None:
        return None
    try:
        value: datetime = timestamp.as_datetime()
    except (AttributeError, ValueError, OverflowError):
        return None
    return value.astimezone(UTC)
