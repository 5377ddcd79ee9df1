"""Walk a bundle and hand the content of each member to a visitor.

A bundle is a directory, an archive (tar in any compression, zip, 7z) or a single
file, possibly compressed. Archives are read as streams, never extracted: a zip or
7z nested inside another archive is copied to a temporary file under the work
folder, because both formats need random access. Member names are only ever used
as labels, so a name such as ``../../etc/passwd`` cannot make us write anywhere;
such members are still rejected, and every rejection is listed in the inventory.
"""

from __future__ import annotations

import logging
import lzma
import os
import posixpath
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from analyzer.bundle import containers
from analyzer.bundle.inventory import (
    KIND_ARCHIVE,
    STATUS_ERROR,
    STATUS_PARTIAL,
    STATUS_READ,
    STATUS_REJECTED,
    STATUS_SKIPPED,
    Inventory,
    InventoryEntry,
)
from analyzer.bundle.limits import Budget, HashingReader, LimitedReader, Limits
from analyzer.bundle.sniff import (
    ARCHIVES,
    COMPRESSIONS,
    SEVEN_ZIP,
    TAR,
    ZIP,
    ZSTD,
    PeekReader,
    open_decompressor,
    sniff_format,
)
from analyzer.errors import (
    BundleNotFound,
    EmptyBundle,
    EncryptedBundle,
    LimitExceeded,
    UnsupportedBundle,
)

logger = logging.getLogger(__name__)

Visitor = Callable[[InventoryEntry, BinaryIO], None]
"""Called once per readable member with its decompressed content."""

# Errors that a damaged member or archive raises while it is read.
READ_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    zlib.error,
    lzma.LZMAError,
    tarfile.TarError,
    zipfile.BadZipFile,
    containers.SevenZipError,
    ValueError,
)


def display_name(name: str) -> str:
    """Return ``name`` with control characters escaped, for reports and messages."""
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in name
    )


def unsafe_path_reason(name: str) -> str | None:
    """Return why an archive member name is unsafe, or None when it is safe."""
    if "\x00" in name:
        return "the name contains a NUL byte"
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        return "the path is absolute"
    parts = posixpath.normpath(normalized).split("/")
    if ".." in parts or ".." in normalized.split("/"):
        return "the path leads out of the bundle (..)"
    return None


class Walker:
    """Reads one bundle, member by member, within the given limits."""

    def __init__(
        self,
        limits: Limits | None = None,
        password: str | None = None,
        workdir: Path | None = None,
    ) -> None:
        self.limits = limits or Limits()
        self.budget = Budget(self.limits)
        self.password = password
        self._workdir = workdir

    def walk(self, path: Path, visit: Visitor) -> Inventory:
        """Visit every readable member of the bundle at ``path``."""
        if not path.exists() and not path.is_symlink():
            raise BundleNotFound(
                f"{path}: no such file or directory; give the path of a bundle "
                "(a directory, an archive or a log file)."
            )
        inventory = Inventory(source=str(path))
        self._inventory = inventory
        self._visit = visit
        try:
            with self._temporary_folder():
                if path.is_dir():
                    self._walk_directory(path)
                else:
                    self._walk_top_file(path)
        except LimitExceeded as error:
            inventory.errors.append(str(error))
            logger.warning("stopped reading the bundle: %s", error)
        if not inventory.entries:
            raise EmptyBundle(
                f"{path}: the bundle is empty; it should contain the mail log, "
                "main.cf and the output of mailq."
            )
        return inventory

    @contextmanager
    def _temporary_folder(self) -> Iterator[None]:
        with tempfile.TemporaryDirectory(
            prefix="mailbundle-", dir=self._workdir
        ) as folder:
            self._tempdir = Path(folder)
            yield

    # Directories

    def _walk_directory(self, root: Path) -> None:
        real_root = root.resolve()
        for folder, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for name in sorted(filenames) + self._linked_dirs(folder, dirnames):
                full = Path(folder) / name
                relative = full.relative_to(root).as_posix()
                self._walk_directory_file(full, relative, real_root)

    @staticmethod
    def _linked_dirs(folder: str, dirnames: list[str]) -> list[str]:
        """Remove symbolic links to directories from the walk and return them."""
        links = [d for d in dirnames if os.path.islink(os.path.join(folder, d))]
        for link in links:
            dirnames.remove(link)
        return links

    def _walk_directory_file(self, full: Path, relative: str, real_root: Path) -> None:
        self.budget.count_member(relative)
        info = full.lstat()
        entry = InventoryEntry(
            path=display_name(relative),
            size=info.st_size,
            mtime=datetime.fromtimestamp(info.st_mtime, UTC),
        )
        self._inventory.add(entry)
        if stat.S_ISLNK(info.st_mode):
            target = full.resolve()
            if not target.is_relative_to(real_root):
                self._reject(entry, f"symbolic link to {target}, outside the bundle")
                return
            if not target.is_file():
                self._skip(entry, "symbolic link to a directory or special file")
                return
            entry.detail = f"symbolic link to {target.relative_to(real_root)}"
            info = target.stat()
            entry.size = info.st_size
        elif not stat.S_ISREG(info.st_mode):
            self._reject(entry, "a device, FIFO or socket, not a regular file")
            return
        try:
            with full.open("rb") as stream:
                self._read_member(entry, stream, depth=0)
        except PermissionError as error:
            self._fail(entry, f"cannot be opened: {error.strerror}")

    # Single files and top-level archives

    def _walk_top_file(self, path: Path) -> None:
        info = path.stat()
        with path.open("rb") as stream:
            if self._walk_top_tarball(path, stream, info.st_size):
                return
            stream.seek(0)
            peek = PeekReader(stream)
            fmt = sniff_format(peek.peek_head())
            if fmt in ARCHIVES:
                self._walk_archive(fmt, peek, str(path), path.name, 0, info.st_size)
                return
            if fmt is None and _looks_binary(peek.peek_head()):
                raise UnsupportedBundle(
                    f"{path}: not a directory, log file or known archive (tar, "
                    "tar.gz, tgz, tar.bz2, tar.xz, zip or 7z); check that the "
                    "upload is complete."
                )
            entry = InventoryEntry(
                path=display_name(path.name),
                size=info.st_size,
                mtime=datetime.fromtimestamp(info.st_mtime, UTC),
            )
            self._inventory.add(entry)
            self._read_member(entry, peek, depth=0)

    def _walk_top_tarball(self, path: Path, stream: BinaryIO, size: int) -> bool:
        """Walk a compressed tar (.tar.gz, .tgz, .tar.bz2, .tar.xz) at the top level.

        Returns False, having read only the first block, when ``path`` is not one.
        """
        peek = PeekReader(stream)
        fmt = sniff_format(peek.peek_head())
        if fmt not in COMPRESSIONS:
            return False
        decompressed = open_decompressor(fmt, peek)  # type: ignore[arg-type]
        inner = PeekReader(LimitedReader(decompressed, str(path), self.budget, size))
        try:
            inner_fmt = sniff_format(inner.peek_head())
        except READ_ERRORS:
            return False
        if inner_fmt != TAR:
            return False
        self._walk_archive(TAR, inner, str(path), path.name, 0, size)  # type: ignore[arg-type]
        return True

    def _walk_archive(
        self,
        fmt: str,
        stream: BinaryIO,
        label: str,
        prefix: str,
        depth: int,
        stored_size: int | None,
    ) -> None:
        """Walk the members of an archive; ``prefix`` is "" at the top level."""
        if depth > self.limits.max_depth:
            raise LimitExceeded(
                f"{label}: archives are nested more than {self.limits.max_depth} "
                "deep; raise --max-depth if the bundle is genuine."
            )
        top = depth == 0
        member_prefix = "" if top else prefix + "/"
        if fmt == TAR:
            self._walk_tar(stream, label, member_prefix, depth)
            return
        with self._seekable(stream, label, stored_size) as seekable:
            if fmt == ZIP:
                self._walk_zip(seekable, label, member_prefix, depth, top)
            elif fmt == SEVEN_ZIP:
                self._walk_7z(seekable, label, member_prefix, depth, top)

    @contextmanager
    def _seekable(
        self, stream: BinaryIO, label: str, stored_size: int | None
    ) -> Iterator[BinaryIO]:
        if hasattr(stream, "seekable") and stream.seekable():
            yield stream
            return
        spool = tempfile.SpooledTemporaryFile(
            max_size=32 * 1024 * 1024, dir=self._tempdir
        )
        with spool:
            limited = LimitedReader(stream, label, self.budget, stored_size)
            while chunk := limited.read(1024 * 1024):
                spool.write(chunk)
            spool.seek(0)
            yield spool  # type: ignore[misc]

    def _walk_tar(self, stream: BinaryIO, label: str, prefix: str, depth: int) -> None:
        try:
            with tarfile.open(fileobj=stream, mode="r|*") as tar:
                for member in tar:
                    self._walk_tar_member(tar, member, prefix, depth)
        except READ_ERRORS as error:
            if depth == 0 and not self._inventory.entries:
                raise UnsupportedBundle(
                    f"{label}: the tar archive cannot be read ({error}); check that "
                    "the upload is complete."
                ) from error
            self._inventory.errors.append(
                f"{label}: the tar archive is damaged or truncated ({error}); the "
                "members before the damage were analyzed."
            )

    def _walk_tar_member(
        self, tar: tarfile.TarFile, member: tarfile.TarInfo, prefix: str, depth: int
    ) -> None:
        if member.isdir():
            return
        name = prefix + _strip_dot_slash(member.name)
        self.budget.count_member(name)
        entry = self._inventory.add(
            InventoryEntry(
                path=display_name(name),
                size=member.size,
                mtime=datetime.fromtimestamp(member.mtime, UTC),
                container=prefix.rstrip("/") or None,
            )
        )
        if reason := unsafe_path_reason(member.name):
            self._reject(entry, reason)
        elif member.issym():
            self._reject(entry, f"symbolic link to {display_name(member.linkname)}")
        elif member.islnk():
            self._skip(
                entry,
                f"hard link to {display_name(member.linkname)}; the content is "
                "read under that name",
            )
        elif not member.isfile():
            self._reject(entry, "a device, FIFO or other special file")
        else:
            stream = tar.extractfile(member)
            if stream is not None:
                self._read_member(entry, stream, depth)

    def _walk_zip(
        self, stream: BinaryIO, label: str, prefix: str, depth: int, top: bool
    ) -> None:
        try:
            archive = zipfile.ZipFile(stream)
        except READ_ERRORS as error:
            self._archive_unreadable(label, "zip", error, top)
            return
        with archive:
            infos = archive.infolist()
            if top and self.password is None and any(i.flag_bits & 1 for i in infos):
                raise EncryptedBundle(
                    f"{label}: the zip archive is encrypted; pass its password with "
                    "--password or the MAILBUNDLE_PASSWORD environment variable."
                )
            for info in infos:
                if not info.is_dir():
                    self._walk_zip_member(archive, info, prefix, depth)

    def _walk_zip_member(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, prefix: str, depth: int
    ) -> None:
        name = prefix + info.filename
        self.budget.count_member(name)
        entry = self._inventory.add(
            InventoryEntry(
                path=display_name(name),
                size=info.compress_size,
                mtime=containers.zip_time(info),
                container=prefix.rstrip("/") or None,
            )
        )
        mode = info.external_attr >> 16
        if reason := unsafe_path_reason(info.filename):
            self._reject(entry, reason)
        elif stat.S_ISLNK(mode):
            self._reject(entry, "symbolic link")
        elif mode and not stat.S_ISREG(mode):
            self._reject(entry, "a device, FIFO or other special file")
        elif info.compress_type == containers.ZIP_AES:
            self._fail(
                entry,
                "AES-encrypted zip members cannot be read; unpack the archive with "
                "7z and analyze the folder",
            )
        elif info.flag_bits & 1 and self.password is None:
            self._fail(entry, "encrypted; pass the password with --password")
        else:
            password = self.password.encode() if self.password else None
            try:
                stream = archive.open(info, pwd=password)
            except RuntimeError as error:  # zipfile's "Bad password for file"
                raise EncryptedBundle(
                    f"{entry.path}: the password is wrong ({error}); check "
                    "--password or MAILBUNDLE_PASSWORD."
                ) from error
            with stream:
                limited = LimitedReader(stream, name, self.budget, info.compress_size)
                self._read_member(entry, limited, depth, counted=True)

    def _walk_7z(
        self, stream: BinaryIO, label: str, prefix: str, depth: int, top: bool
    ) -> None:
        try:
            archive = containers.SevenZipReader(
                stream, label, self.password, self.budget, self._tempdir
            )
        except EncryptedBundle:
            raise
        except READ_ERRORS as error:
            self._archive_unreadable(label, "7z", error, top)
            return
        with archive:
            for item in archive.members():
                name = prefix + item.name
                self.budget.count_member(name)
                entry = self._inventory.add(
                    InventoryEntry(
                        path=display_name(name),
                        size=item.size,
                        mtime=item.mtime,
                        container=prefix.rstrip("/") or None,
                    )
                )
                if reason := unsafe_path_reason(item.name):
                    self._reject(entry, reason)
                elif item.reject_reason:
                    self._reject(entry, item.reject_reason)
                elif item.error:
                    self._fail(entry, item.error)
                else:
                    with item.open() as content:
                        self._read_member(entry, content, depth, counted=True)

    def _archive_unreadable(
        self, label: str, fmt: str, error: BaseException, top: bool
    ) -> None:
        message = (
            f"{label}: the {fmt} archive cannot be read ({error}); check that the "
            "upload is complete."
        )
        if top:
            raise UnsupportedBundle(message) from error
        self._inventory.errors.append(message)

    # Members

    def _read_member(
        self, entry: InventoryEntry, raw: BinaryIO, depth: int, counted: bool = False
    ) -> None:
        """Hash the stored bytes, undo compression, recurse into archives, visit."""
        hashing = HashingReader(raw)
        try:
            self._dispatch(entry, hashing, depth, counted)
            hashing.drain()
        except LimitExceeded as error:
            if error.scope == "bundle":
                raise
            self._reject(entry, str(error).split(": ", 1)[-1])
        except EncryptedBundle:
            raise
        except READ_ERRORS as error:
            read_any = entry.status == STATUS_READ
            entry.status = STATUS_PARTIAL if read_any else STATUS_ERROR
            entry.detail = f"{type(error).__name__}: {error}"
            logger.warning("%s: read error: %s", entry.path, entry.detail)
            return
        entry.sha256 = hashing.sha256.hexdigest()

    def _dispatch(
        self, entry: InventoryEntry, stream: BinaryIO, depth: int, counted: bool
    ) -> None:
        peek = PeekReader(stream)
        fmt = sniff_format(peek.peek_head())
        if fmt in COMPRESSIONS:
            entry.compression = fmt if entry.compression is None else entry.compression
            decompressed = open_decompressor(fmt, peek)  # type: ignore[arg-type]
            limited = LimitedReader(decompressed, entry.path, self.budget, entry.size)
            self._dispatch(entry, limited, depth, counted=True)
            return
        if fmt == ZSTD:
            self._skip(entry, "zstd compression is not supported; unpack with zstd -d")
            return
        if fmt in ARCHIVES:
            entry.kind = KIND_ARCHIVE
            entry.status = STATUS_READ
            self._walk_archive(fmt, peek, entry.path, entry.path, depth + 1, entry.size)  # type: ignore[arg-type]
            return
        content: BinaryIO = peek  # type: ignore[assignment]
        if not counted:
            content = LimitedReader(peek, entry.path, self.budget)  # type: ignore[arg-type]
        entry.status = STATUS_READ
        self._visit(entry, content)

    @staticmethod
    def _reject(entry: InventoryEntry, reason: str) -> None:
        entry.status = STATUS_REJECTED
        entry.detail = reason

    @staticmethod
    def _skip(entry: InventoryEntry, reason: str) -> None:
        entry.status = STATUS_SKIPPED
        entry.detail = reason

    @staticmethod
    def _fail(entry: InventoryEntry, reason: str) -> None:
        entry.status = STATUS_ERROR
        entry.detail = reason


def _strip_dot_slash(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name


def _looks_binary(head: bytes) -> bool:
    """Guess whether a file is binary data rather than text, from its first bytes."""
    if not head:
        return False
    if b"\x00" in head[:1024] and head.count(b"\x00") > len(head) // 100:
        return True
    control = sum(1 for b in head if b < 9 or 13 < b < 32)
    return control > len(head) // 20


__all__ = [
    "READ_ERRORS",
    "Visitor",
    "Walker",
    "display_name",
    "unsafe_path_reason",
]
