"""Walk a bundle and hand the content of each member to a visitor.

A bundle is a directory, an archive (tar in any compression, zip, 7z) or a single
file, possibly compressed. Archives are read as streams, never extracted: a zip or
7z nested inside another archive is copied to a temporary file under the work
folder, because both formats need random access, and 7z members are decompressed
into temporary files there. The work folder is removed when the walk ends.

Member names are only ever used as labels, so a name such as ``../../etc/passwd``
cannot make us write anywhere. Such members are still rejected, like links that
point out of the bundle, devices, FIFOs, repeated names and names that no file
system accepts, and every rejection is listed in the inventory.
"""

from __future__ import annotations

import logging
import lzma
import os
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from analyzer import progress
from analyzer.bundle import containers, zipscan
from analyzer.bundle.encoding import wide_codec
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
from analyzer.bundle.limits import (
    MAX_FOLDER_DEPTH,
    Budget,
    HashingReader,
    LimitedReader,
    Limits,
    MiB,
    OptionLimitExceeded,
    bounded_walk,
)
from analyzer.bundle.names import (
    JSON_NAME,
    display_name,
    link_target,
    normalize_name,
    own_output_kind,
    unsafe_path_reason,
)
from analyzer.bundle.read_errors import describe_read_error
from analyzer.bundle.sniff import (
    ARCHIVES,
    COMPRESSIONS,
    SEVEN_ZIP,
    TAR,
    ZIP,
    ZSTD,
    PeekReader,
    SalvagingReader,
    is_empty_tar,
    open_decompressor,
    sniff_format,
)
from analyzer.errors import (
    BundleError,
    BundleNotFound,
    EmptyBundle,
    EncryptedBundle,
    LimitExceeded,
    MailbundleError,
    UnsupportedBundle,
)

if TYPE_CHECKING:
    from analyzer.bundle.sevenzip import SevenZipItem

logger = logging.getLogger(__name__)

Visitor = Callable[[InventoryEntry, BinaryIO], None]
"""Called once per readable member with its decompressed content.

A read error inside the member ends the content early instead of raising, so the
visitor parses what comes before the damage. The walker then marks the member
partial.
"""


class ArchiveUnreadable(Exception):
    """A nested archive cannot be opened; its own inventory entry shows why."""


ARCHIVE_SUFFIXES = {
    ".zip": "zip",
    ".7z": "7z",
    ".tar": "tar",
    ".tgz": "tar.gz",
    ".tar.gz": "tar.gz",
    ".tar.bz2": "tar.bz2",
    ".tbz2": "tar.bz2",
    ".tar.xz": "tar.xz",
    ".txz": "tar.xz",
}


def _archive_suffix(name: str) -> str | None:
    """Return the archive type that a file name claims, if any."""
    lowered = name.lower()
    for suffix, kind in ARCHIVE_SUFFIXES.items():
        if lowered.endswith(suffix):
            return kind
    return None


def _claims_tar(name: str) -> bool:
    """Return whether a file name claims a tar archive, compressed or not."""
    kind = _archive_suffix(name)
    return kind is not None and kind.startswith("tar")


def _ignore(error: OSError) -> None:
    """Skip a folder that cannot be listed; the walk itself reports it."""


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
    NotImplementedError,
    zipscan.ScanStopped,
    ArchiveUnreadable,
)

_LINK_TARGET_ERRORS: tuple[type[BaseException], ...] = (*READ_ERRORS, RuntimeError)

_EXTENDED_TAR_HEADERS = (
    tarfile.GNUTYPE_LONGNAME,
    tarfile.GNUTYPE_LONGLINK,
    tarfile.XHDTYPE,
    tarfile.XGLTYPE,
    tarfile.SOLARIS_XHDTYPE,
)
_ZIP_DIRECTORY_BYTES_PER_MEMBER = 1024
"""Central directory bytes allowed per --max-members: real entries use ~200."""
_MAX_LINK_TARGET_BYTES = 4096
_WRONG_PASSWORD = "the password is wrong"


class _GuardedReader:
    """Binary reader that ends the data at the first read error and keeps the error."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        if self.error is not None:
            return b""
        try:
            return self._raw.read(size)
        except READ_ERRORS as error:
            self.error = error
            return b""

    def readable(self) -> bool:
        return True


def _bounded_tarinfo(max_header_bytes: int) -> type[tarfile.TarInfo]:
    """Return a TarInfo class that rejects extended headers over ``max_header_bytes``.

    tarfile reads a pax or GNU long-name header into memory in one piece, so a
    forged size would make it allocate gigabytes.
    """

    class BoundedTarInfo(tarfile.TarInfo):
        # NOTE: _proc_member is a private hook of tarfile, checked on Python
        # 3.11 only. tarfile.open(tarinfo=...) documents the subclassing but
        # not the hook.
        def _proc_member(self, tar: tarfile.TarFile) -> tarfile.TarInfo:
            if self.type in _EXTENDED_TAR_HEADERS and self.size > max_header_bytes:
                raise tarfile.ReadError(
                    f"an extended header of {self.size} bytes is larger than the "
                    f"{max_header_bytes} bytes that mailbundle reads"
                )
            return super()._proc_member(tar)  # type: ignore[misc, no-any-return]

    return BoundedTarInfo


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
        self._seen_names: set[str] = set()

    def __repr__(self) -> str:
        return f"Walker(limits={self.limits!r})"

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
        self._seen_names = set()
        self._show_progress(path)
        try:
            with self._temporary_folder():
                if path.is_dir():
                    self._walk_directory(path)
                else:
                    self._walk_top_file(path)
        except LimitExceeded as error:
            inventory.errors.append(str(error))
            logger.warning("stopped reading the bundle: %s", error)
            usable = (STATUS_READ, STATUS_PARTIAL)
            if not any(e.status in usable for e in inventory.entries):
                raise _naming_bundle(error, path) from error
        if not inventory.entries:
            raise EmptyBundle(
                f"{path}: the bundle is empty; it should contain the mail log, "
                "main.cf and the output of mailq."
            )
        return inventory

    def _show_progress(self, path: Path) -> None:
        """Announce the reading stage, measured in bytes of the files on disk."""
        self._bytes_before = 0
        self._reading: BinaryIO | None = None
        try:
            total = (
                sum(
                    entry.stat(follow_symlinks=False).st_size
                    for folder, _, names in bounded_walk(path, onerror=_ignore)
                    for entry in os.scandir(folder)
                    if entry.is_file(follow_symlinks=False)
                )
                if path.is_dir()
                else path.stat().st_size
            )
        except OSError:
            total = 0
        progress.stage(f"Reading {path.name}", total or None, self._bytes_read)

    def _bytes_read(self) -> float:
        """Bytes of the files on disk read so far, for the progress bar."""
        reading = self._reading
        return self._bytes_before + (reading.tell() if reading is not None else 0)

    @contextmanager
    def _temporary_folder(self) -> Iterator[None]:
        with tempfile.TemporaryDirectory(
            prefix="mailbundle-", dir=self._workdir
        ) as folder:
            self._tempdir = Path(folder)
            yield

    # Names

    def _name_problem(self, raw_name: str, full_name: str) -> str | None:
        """Return why a member name is rejected, and remember the accepted ones."""
        if reason := unsafe_path_reason(raw_name):
            return reason
        normalized = normalize_name(full_name)
        if normalized in self._seen_names:
            return (
                "duplicate name: an earlier member is also "
                f"{display_name(normalized)}; only the first one is read"
            )
        self._seen_names.add(normalized)
        return None

    def _link(self, entry: InventoryEntry, name: str, target: str, hard: bool) -> None:
        kind = "hard link" if hard else "symbolic link"
        inside = link_target(name, target, hard)
        if inside is None:
            self._reject(entry, f"{kind} to {display_name(target)}, outside the bundle")
            return
        self._skip(
            entry,
            f"{kind} to {display_name(inside)} inside the bundle; not followed, "
            "because the target is read under its own name",
        )

    # Directories

    def _walk_directory(self, root: Path) -> None:
        real_root = root.resolve()

        def unreadable(error: OSError) -> None:
            message = (
                f"{error.filename}: the folder cannot be read ({error.strerror}); "
                "its files were not analyzed. Check its permissions."
            )
            self._inventory.errors.append(message)
            logger.warning("%s", message)

        def too_deep(folder: str) -> None:
            message = (
                f"{display_name(folder)}: the folders inside are more than "
                f"{MAX_FOLDER_DEPTH} levels below the bundle folder; their files "
                "were not analyzed. Copy the mail files to a shallower folder."
            )
            self._inventory.errors.append(message)
            logger.warning("%s", message)

        for folder, dirnames, filenames in bounded_walk(root, unreadable, too_deep):
            dirnames.sort()
            self._skip_own_outputs(root, folder, dirnames)
            for name in sorted(filenames) + self._linked_dirs(folder, dirnames):
                full = Path(folder) / name
                relative = full.relative_to(root).as_posix()
                self._walk_directory_file(full, relative, real_root)

    def _skip_own_outputs(self, root: Path, folder: str, dirnames: list[str]) -> None:
        """Leave out the report and export folders that mailbundle wrote into
        the bundle folder, and list each one as skipped."""
        for name in list(dirnames):
            path = Path(folder) / name
            try:
                names = {entry.name for entry in os.scandir(path) if entry.is_file()}
                head = b""
                if JSON_NAME in names:
                    with (path / JSON_NAME).open("rb") as findings:
                        head = findings.read(64)
            except OSError:
                continue  # the walk reports the folder it cannot read
            kind = own_output_kind(names, head)
            if kind is None:
                continue
            dirnames.remove(name)
            relative = path.relative_to(root).as_posix() + "/"
            entry = self._inventory.add(InventoryEntry(path=display_name(relative)))
            self._skip(
                entry, f"a folder of mailbundle's own {kind} files, not of the bundle"
            )

    @staticmethod
    def _linked_dirs(folder: str, dirnames: list[str]) -> list[str]:
        """Remove symbolic links to directories from the walk and return them."""
        links = [d for d in dirnames if os.path.islink(os.path.join(folder, d))]
        for link in links:
            dirnames.remove(link)
        return links

    def _walk_directory_file(self, full: Path, relative: str, real_root: Path) -> None:
        self.budget.count_member(relative)
        entry = self._inventory.add(InventoryEntry(path=display_name(relative)))
        try:
            info = full.lstat()
        except OSError as error:
            self._fail(entry, f"cannot be read: {error.strerror}")
            return
        entry.size = info.st_size
        entry.mtime = datetime.fromtimestamp(info.st_mtime, UTC)
        if stat.S_ISLNK(info.st_mode):
            self._directory_link(entry, full, real_root)
            return
        if not stat.S_ISREG(info.st_mode):
            self._reject(entry, "a device, FIFO or socket, not a regular file")
            return
        # O_NOFOLLOW and O_NONBLOCK keep a file swapped for a link or a FIFO
        # after the lstat above from being followed or from blocking the walk.
        flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
        try:
            descriptor = os.open(full, flags)
        except OSError as error:
            self._fail(entry, f"cannot be opened: {error.strerror}")
            return
        with os.fdopen(descriptor, "rb") as stream:
            if not stat.S_ISREG(os.fstat(descriptor).st_mode):
                self._reject(entry, "changed into a special file while being read")
                return
            self._reading = stream
            try:
                self._read_member(entry, stream, depth=0)
            finally:
                self._reading = None
                self._bytes_before += info.st_size

    def _directory_link(
        self, entry: InventoryEntry, full: Path, real_root: Path
    ) -> None:
        try:
            target = full.resolve(strict=True)
        except (OSError, RuntimeError) as error:
            # Python 3.11 raises RuntimeError for a loop, later versions OSError.
            self._reject(
                entry,
                f"symbolic link that cannot be resolved ({error}); its target is "
                "missing or the links form a loop",
            )
            return
        if not target.is_relative_to(real_root):
            self._reject(
                entry,
                f"symbolic link to {display_name(str(target))}, outside the bundle",
            )
            return
        inside = target.relative_to(real_root).as_posix()
        if target.is_dir():
            what = "a folder"
        elif target.is_file():
            what = display_name(inside)
        else:
            self._reject(entry, "symbolic link to a device, FIFO or socket")
            return
        self._skip(
            entry,
            f"symbolic link to {what} inside the bundle; not followed, because the "
            "target is read under its own name",
        )

    # Single files and top-level archives

    def _walk_top_file(self, path: Path) -> None:
        try:
            info = path.stat()
            if not stat.S_ISREG(info.st_mode):
                raise UnsupportedBundle(
                    f"{path}: a device, FIFO or socket, not a bundle; give the path "
                    "of a directory, an archive or a log file."
                )
            stream = path.open("rb")
        except OSError as error:
            raise BundleError(
                f"{path}: cannot be opened ({error.strerror}); check that this user "
                "can read it."
            ) from error
        self._reading = stream
        with stream:
            if self._walk_top_tarball(path, stream, info.st_size):
                return
            stream.seek(0)
            peek = PeekReader(stream)
            fmt = sniff_format(peek.peek_head())
            if fmt is None and _claims_tar(path.name) and is_empty_tar(peek):
                fmt = TAR
            if fmt in ARCHIVES:
                # A zip or 7z file on disk can seek, so it is read in place.
                source: BinaryIO = peek  # type: ignore[assignment]
                if fmt != TAR:
                    stream.seek(0)
                    source = stream
                self._walk_archive(fmt, source, str(path), path.name, 0, info.st_size)
                return
            head = peek.peek_head()
            if fmt is None and _looks_binary(head) and wide_codec(head) is None:
                raise UnsupportedBundle(
                    f"{path}: not a directory, log file or known archive (tar, "
                    "tar.gz, tgz, tar.bz2, tar.xz, zip or 7z); check that the "
                    "upload is complete."
                )
            claimed = _archive_suffix(path.name)
            if claimed is not None and fmt is None and not head:
                raise UnsupportedBundle(
                    f"{path}: the file is empty (0 bytes), not a {claimed} archive; "
                    "the download or upload may have failed, so fetch the bundle again."
                )
            if claimed is not None and fmt is None:
                start = peek.peek_head()[:40].decode("ascii", "replace")
                raise UnsupportedBundle(
                    f"{path}: the name says {claimed}, but the content is not a "
                    f"{claimed} archive (it starts with {start!r}); the download or "
                    "upload may have failed, so fetch the bundle again."
                )
            entry = InventoryEntry(
                path=display_name(path.name),
                size=info.st_size,
                mtime=datetime.fromtimestamp(info.st_mtime, UTC),
            )
            self._inventory.add(entry)
            self._read_member(entry, peek, depth=0)  # type: ignore[arg-type]

    def _walk_top_tarball(self, path: Path, stream: BinaryIO, size: int) -> bool:
        """Walk a compressed tar (.tar.gz, .tgz, .tar.bz2, .tar.xz) at the top level.

        Returns False, having read only the first block, when ``path`` is not one.
        The decompressed stream is the bundle, so the ratio limit applies to it as
        a whole and the members are not counted again.
        """
        peek = PeekReader(stream)
        fmt = sniff_format(peek.peek_head())
        if fmt not in COMPRESSIONS:
            return False
        decompressed = SalvagingReader(open_decompressor(fmt, peek))  # type: ignore[arg-type]
        limited = LimitedReader(
            decompressed,  # type: ignore[arg-type]
            str(path),
            self.budget,
            size,
            member_limit=False,
        )
        inner = PeekReader(limited)  # type: ignore[arg-type]
        try:
            inner_fmt = sniff_format(inner.peek_head())
            if inner_fmt is None and _claims_tar(path.name) and is_empty_tar(inner):
                inner_fmt = TAR
        except READ_ERRORS:
            return False
        if inner_fmt != TAR:
            return False
        self._walk_tar(inner, str(path), "", 0, counted=True)  # type: ignore[arg-type]
        return True

    def _walk_archive(
        self,
        fmt: str,
        stream: BinaryIO,
        label: str,
        prefix: str,
        depth: int,
        stored_size: int | None,
        counted: bool = False,
    ) -> None:
        """Walk the members of an archive; ``prefix`` is "" at the top level.

        ``counted`` is True when the budget already counted the archive's bytes,
        so that the members of a tar inside it are not counted twice.
        """
        if depth > self.limits.max_depth:
            raise OptionLimitExceeded(
                f"{label}: archives are nested more than {self.limits.max_depth} "
                "deep; raise --max-depth if the bundle is genuine.",
                option="--max-depth",
            )
        top = depth == 0
        member_prefix = "" if top else prefix + "/"
        if fmt == TAR:
            self._walk_tar(stream, label, member_prefix, depth, counted)
            return
        with self._seekable(stream, label) as seekable:
            if fmt == ZIP:
                self._walk_zip(seekable, label, member_prefix, depth, top)
            elif fmt == SEVEN_ZIP:
                self._walk_7z(seekable, label, member_prefix, depth, top)

    @contextmanager
    def _seekable(self, stream: BinaryIO, label: str) -> Iterator[BinaryIO]:
        """Yield ``stream``, or a temporary copy of it when it cannot seek.

        The copy holds stored (compressed) bytes, which the member limit bounds;
        the budget counts the bytes decompressed from it later.
        """
        if hasattr(stream, "seekable") and stream.seekable():
            yield stream
            return
        with tempfile.SpooledTemporaryFile(
            max_size=32 * MiB, dir=str(self._tempdir)
        ) as spool:
            limited = LimitedReader(stream, label, self.budget, count_total=False)
            while chunk := limited.read(MiB):
                spool.write(chunk)
            spool.seek(0)
            yield spool  # type: ignore[misc]

    # Tar

    def _walk_tar(
        self, stream: BinaryIO, label: str, prefix: str, depth: int, counted: bool
    ) -> None:
        tarinfo = _bounded_tarinfo(self.limits.max_tar_header_bytes)
        try:
            # "r|" reads an uncompressed tar stream: compression was undone by our
            # own limited readers, never by tarfile.
            with tarfile.open(fileobj=stream, mode="r|", tarinfo=tarinfo) as tar:
                for member in tar:
                    self._walk_tar_member(tar, member, prefix, depth, counted)
                self._check_tar_end(tar, label)
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

    def _check_tar_end(self, tar: tarfile.TarFile, label: str) -> None:
        """Report data after the end of a tar archive.

        tarfile ends its member list quietly at a damaged header after the first
        one, so data that is not zero padding means that members were skipped.
        """
        assert tar.fileobj is not None
        while chunk := tar.fileobj.read(MiB):
            if chunk.strip(b"\x00"):
                self._inventory.errors.append(
                    f"{label}: the tar archive has a damaged header or extra data "
                    f"after byte {tar.offset}; the members from there on were not "
                    "read."
                )
                return

    def _walk_tar_member(
        self,
        tar: tarfile.TarFile,
        member: tarfile.TarInfo,
        prefix: str,
        depth: int,
        counted: bool,
    ) -> None:
        if member.isdir():
            return
        name = prefix + _strip_dot_slash(member.name)
        self.budget.count_member(name)
        entry = self._inventory.add(
            InventoryEntry(
                path=display_name(name),
                size=member.size,
                mtime=_tar_time(member.mtime),
                container=prefix.rstrip("/") or None,
            )
        )
        if reason := self._name_problem(member.name, name):
            self._reject(entry, reason)
        elif member.issym() or member.islnk():
            self._link(entry, member.name, member.linkname, hard=member.islnk())
        elif not member.isfile():
            kind = "a device, FIFO or other special file"
            self._reject(entry, f"{kind} (tar type {member.type!r})")
        else:
            stream = tar.extractfile(member)
            if stream is not None and member.issparse():
                # tarfile fills a sparse member's holes with zeros: 10 KiB of
                # archive can claim a terabyte. Check them as decompressed bytes.
                regions: list[tuple[int, int]] = getattr(member, "sparse", None) or []
                stored = sum(size for _, size in regions)
                stream = LimitedReader(stream, name, self.budget, stored)  # type: ignore[assignment,arg-type]
            if stream is not None:
                self._read_member(entry, stream, depth, counted=counted)  # type: ignore[arg-type]

    # Zip

    def _walk_zip(
        self, stream: BinaryIO, label: str, prefix: str, depth: int, top: bool
    ) -> None:
        size = stream.seek(0, os.SEEK_END)
        stream.seek(0)
        self._check_zip_directory(stream, label)
        try:
            archive = zipfile.ZipFile(stream)
        except READ_ERRORS as error:
            stream.seek(0)
            if stream.read(4) == zipscan.LOCAL_SIGNATURE:
                self._scan_zip(stream, label, prefix, depth, error)
                return
            self._archive_unreadable(label, "zip", error, top)
            return
        with archive:
            infos = archive.infolist()
            files = [info for info in infos if not info.is_dir()]
            if top:
                self._check_zip_encryption(files, label)
            problems = zipscan.layout_problems(archive, size)
            first = len(self._inventory.entries)
            for index, info in enumerate(infos):
                if not info.is_dir():
                    problem = problems.get(index)
                    self._walk_zip_member(archive, info, prefix, depth, problem, size)
            if top:
                self._check_zip_password(self._inventory.entries[first:], label)

    def _check_zip_password(self, entries: list[InventoryEntry], label: str) -> None:
        """Raise when a wrong password left nothing of a top-level zip readable."""
        wrong = [e for e in entries if e.detail.startswith(_WRONG_PASSWORD)]
        readable = [e for e in entries if e.status in (STATUS_READ, STATUS_PARTIAL)]
        if wrong and not readable:
            raise EncryptedBundle(
                f"{label}: the password is wrong for the zip archive; check "
                "--password or MAILBUNDLE_PASSWORD."
            )

    def _check_zip_directory(self, stream: BinaryIO, label: str) -> None:
        """Reject a zip whose central directory is too large for --max-members.

        zipfile builds every entry of the central directory before the first
        member can be read, so a forged directory would use memory unchecked.
        The member count itself is checked member by member, as for tar.
        """
        # NOTE: _EndRecData is private to zipfile, checked on Python 3.11 only.
        try:
            record = zipfile._EndRecData(stream)  # type: ignore[attr-defined]
        except OSError:
            record = None
        stream.seek(0)
        if not record:
            return
        entries, directory_size = record[4], record[5]
        allowed = self.limits.max_members * _ZIP_DIRECTORY_BYTES_PER_MEMBER
        if directory_size > allowed:
            raise OptionLimitExceeded(
                f"{label}: the zip archive's central directory of {directory_size} "
                f"bytes ({entries} members stated) is too large for the "
                f"{self.limits.max_members} members allowed; raise --max-members "
                "if it is genuine.",
                scope="bundle",
                option="--max-members",
            )

    def _check_zip_encryption(self, files: list[zipfile.ZipInfo], label: str) -> None:
        if files and all(info.compress_type == containers.ZIP_AES for info in files):
            raise EncryptedBundle(
                f"{label}: the zip archive is encrypted with AES, which mailbundle "
                "cannot read; unpack it with 7z x and analyze the folder."
            )
        if self.password is None and any(info.flag_bits & 0x1 for info in files):
            raise EncryptedBundle(
                f"{label}: the zip archive is encrypted; pass its password with "
                "--password or the MAILBUNDLE_PASSWORD environment variable."
            )

    def _walk_zip_member(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        prefix: str,
        depth: int,
        problem: str | None,
        archive_size: int,
    ) -> None:
        name = prefix + info.filename
        self.budget.count_member(name)
        entry = self._inventory.add(
            InventoryEntry(
                path=display_name(name),
                size=info.file_size,
                mtime=containers.zip_time(info),
                container=prefix.rstrip("/") or None,
            )
        )
        # Only zips made on Unix store a file type; others store DOS attributes.
        mode = info.external_attr >> 16 if info.create_system == 3 else 0
        if reason := self._name_problem(info.filename, name):
            self._reject(entry, reason)
        elif problem:
            self._reject(entry, problem)
        elif stat.S_ISLNK(mode):
            self._zip_link(archive, info, entry)
        elif stat.S_IFMT(mode) and not stat.S_ISREG(mode):
            self._reject(entry, "a device, FIFO or other special file")
        elif info.compress_type == containers.ZIP_AES:
            self._fail(
                entry,
                "AES-encrypted zip members cannot be read; unpack the archive with "
                "7z x and analyze the folder",
            )
        elif info.flag_bits & 0x1 and self.password is None:
            self._fail(
                entry,
                "encrypted; pass the password with --password or MAILBUNDLE_PASSWORD",
            )
        else:
            stored = min(info.compress_size, max(archive_size - info.header_offset, 0))
            self._read_zip_member(archive, info, entry, depth, stored)

    def _read_zip_member(
        self,
        archive: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        entry: InventoryEntry,
        depth: int,
        stored: int,
    ) -> None:
        password = self.password.encode() if self.password else None
        try:
            stream = archive.open(info, pwd=password)
        except RuntimeError:  # zipfile's "Bad password for file"
            self._fail(
                entry,
                f"{_WRONG_PASSWORD} for this member; check --password or "
                "MAILBUNDLE_PASSWORD",
            )
            return
        except READ_ERRORS as error:
            logger.warning("%s: cannot be opened: %r", entry.path, error)
            self._fail(entry, f"cannot be read: {_read_error_detail(error)}")
            return
        with stream:
            limited = LimitedReader(stream, entry.path, self.budget, stored)  # type: ignore[arg-type]
            self._read_member(entry, limited, depth, counted=True)  # type: ignore[arg-type]
        encrypted = info.flag_bits & 0x1
        if encrypted and entry.status in (STATUS_ERROR, STATUS_PARTIAL):
            entry.detail += "; the password may be wrong"
        if entry.sha256 is not None and limited.bytes_read != info.file_size:
            read = entry.status == STATUS_READ
            entry.status = STATUS_PARTIAL if read else STATUS_REJECTED
            entry.detail = (
                f"the zip archive states {info.file_size} bytes for this member, but "
                f"its data holds {limited.bytes_read}; the archive is damaged or its "
                "sizes are forged"
            )

    def _zip_link(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, entry: InventoryEntry
    ) -> None:
        """Reject or skip a zip symbolic link, whose target is its content."""
        if info.file_size > _MAX_LINK_TARGET_BYTES or info.flag_bits & 0x1:
            self._reject(entry, "symbolic link with an unreadable target")
            return
        try:
            with archive.open(info) as stream:
                raw = stream.read(_MAX_LINK_TARGET_BYTES + 1)
        except _LINK_TARGET_ERRORS as error:
            self._reject(entry, f"symbolic link with an unreadable target ({error})")
            return
        target = raw.decode("utf-8", errors="surrogateescape")
        self._link(entry, info.filename, target, hard=False)

    def _scan_zip(
        self,
        stream: BinaryIO,
        label: str,
        prefix: str,
        depth: int,
        error: BaseException,
    ) -> None:
        """Read a zip without its central directory, from its local headers."""
        self._inventory.errors.append(
            f"{label}: the zip archive's central directory is missing or damaged "
            f"({error}), as in an interrupted upload; the members were found from "
            "their local headers, so some may be missing."
        )
        try:
            for member, reader, reason in zipscan.scan_local_members(
                stream, self.budget
            ):
                if member.name.endswith("/"):
                    continue
                self._walk_scanned_zip_member(member, reader, reason, prefix, depth)
        except READ_ERRORS as stop:
            self._inventory.errors.append(
                f"{label}: the search for local headers stopped ({stop}); the "
                "members after that point were not read."
            )

    def _walk_scanned_zip_member(
        self,
        member: zipscan.LocalMember,
        reader: zipscan.LocalMemberReader | None,
        reason: str | None,
        prefix: str,
        depth: int,
    ) -> None:
        name = prefix + member.name
        self.budget.count_member(name)
        entry = self._inventory.add(
            InventoryEntry(
                path=display_name(name),
                size=None if member.has_descriptor else member.file_size,
                mtime=member.mtime,
                container=prefix.rstrip("/") or None,
            )
        )
        if problem := self._name_problem(member.name, name):
            self._reject(entry, problem)
        elif reader is None:
            self._fail(entry, reason or "cannot be read")
        else:
            stored = member.compress_size or None
            limited = LimitedReader(reader, entry.path, self.budget, stored)  # type: ignore[arg-type]
            self._read_member(entry, limited, depth, counted=True)  # type: ignore[arg-type]

    # 7z

    def _walk_7z(
        self, stream: BinaryIO, label: str, prefix: str, depth: int, top: bool
    ) -> None:
        from analyzer.bundle.sevenzip import SevenZipReader

        try:
            archive = SevenZipReader(
                stream, label, self.password, self.budget, self._tempdir
            )
        except READ_ERRORS as error:
            self._archive_unreadable(label, "7z", error, top)
            return
        with archive:
            for item in archive.members():
                self._walk_7z_member(item, prefix, depth)
            if archive.stopped is not None:
                raise archive.stopped

    def _walk_7z_member(self, item: SevenZipItem, prefix: str, depth: int) -> None:
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
        if reason := self._name_problem(item.name, name):
            self._reject(entry, reason)
        elif item.reject_reason:
            self._reject(entry, item.reject_reason)
            entry.limit = item.limit
        elif item.error:
            self._fail(entry, item.error)
        else:
            with item.open() as content:
                self._read_member(entry, content, depth, counted=True)

    def _archive_unreadable(
        self, label: str, fmt: str, error: BaseException, top: bool
    ) -> None:
        if top:
            raise UnsupportedBundle(
                f"{label}: the {fmt} archive cannot be read ({error}); check that "
                "the upload is complete."
            ) from error
        raise ArchiveUnreadable(
            f"the {fmt} archive cannot be read ({error})"
        ) from error

    # Members

    def _read_member(
        self, entry: InventoryEntry, raw: BinaryIO, depth: int, counted: bool = False
    ) -> None:
        """Hash the stored bytes, undo compression, recurse into archives, visit.

        A member that fails is marked in the inventory and the walk goes on, but
        a bundle limit stops the whole walk.
        """
        hashing = HashingReader(SalvagingReader(raw))  # type: ignore[arg-type]
        try:
            self._dispatch(entry, hashing, depth, counted, layers=0)  # type: ignore[arg-type]
            hashing.drain()
        except LimitExceeded as error:
            self._reject(entry, str(error).split(": ", 1)[-1])
            entry.limit = getattr(error, "option", None) or "--max-size"
            if error.scope == "bundle":
                raise
            return
        except EncryptedBundle as error:  # a nested archive, or a member of one
            self._fail(entry, str(error).split(": ", 1)[-1])
            return
        except READ_ERRORS as error:
            read_any = entry.status == STATUS_READ
            entry.status = STATUS_PARTIAL if read_any else STATUS_ERROR
            entry.detail = _read_error_detail(error)
            logger.warning("%s: read error: %r", entry.path, error)
            return
        entry.sha256 = hashing.sha256.hexdigest()

    def _dispatch(
        self,
        entry: InventoryEntry,
        stream: BinaryIO,
        depth: int,
        counted: bool,
        layers: int,
    ) -> None:
        peek = PeekReader(stream)
        fmt = sniff_format(peek.peek_head())
        empty_tar = fmt is None and _claims_tar(entry.path) and is_empty_tar(peek)
        if empty_tar:
            fmt = TAR
        if fmt in COMPRESSIONS:
            self._decompress(entry, peek, fmt, depth, layers)  # type: ignore[arg-type]
            return
        if fmt == ZSTD:
            self._skip(entry, "zstd compression is not supported; unpack with zstd -d")
            return
        if fmt in ARCHIVES:
            entry.kind = KIND_ARCHIVE
            self._walk_archive(
                fmt,
                peek,  # type: ignore[arg-type]
                entry.path,
                entry.path,
                depth + 1,
                entry.size,
                counted,
            )
            entry.status = STATUS_READ
            if empty_tar:
                entry.detail = "a tar archive with no members"
            return
        content = LimitedReader(peek, entry.path, self.budget, count_total=not counted)  # type: ignore[arg-type]
        guarded = _GuardedReader(content)  # type: ignore[arg-type]
        entry.status = STATUS_READ
        self._visit_member(entry, guarded)  # type: ignore[arg-type]
        if guarded.error is not None:
            raise guarded.error

    def _decompress(
        self, entry: InventoryEntry, peek: BinaryIO, fmt: str, depth: int, layers: int
    ) -> None:
        allowed = max(self.limits.max_depth, 1)
        if layers >= allowed:
            raise OptionLimitExceeded(
                f"{entry.path}: the member is compressed more than {allowed} times "
                "over; raise --max-depth if it is genuine.",
                option="--max-depth",
            )
        entry.compression = fmt if entry.compression is None else entry.compression
        decompressed = SalvagingReader(open_decompressor(fmt, peek))
        limited = LimitedReader(decompressed, entry.path, self.budget, entry.size)  # type: ignore[arg-type]
        self._dispatch(entry, limited, depth, counted=True, layers=layers + 1)  # type: ignore[arg-type]

    def _visit_member(self, entry: InventoryEntry, content: BinaryIO) -> None:
        """Call the visitor, turning a parser failure into a member error.

        A bug in one parser must not lose the rest of the bundle, so an
        unexpected exception marks this member and is logged with its traceback.
        """
        # The content is a _GuardedReader, which keeps read errors to itself, so
        # any other exception that gets out comes from the parser.
        try:
            self._visit(entry, content)
        except (MailbundleError, MemoryError):
            # Out of memory is no fault of this member: results without it
            # would mislead, so the command stops with its own message.
            raise
        except Exception as error:
            logger.error("%s: internal error while parsing", entry.path, exc_info=True)
            entry.status = STATUS_ERROR
            entry.detail = (
                f"mailbundle failed to parse this member ({type(error).__name__}: "
                f"{error}); please report it"
            )

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


def _naming_bundle(error: LimitExceeded, path: Path) -> LimitExceeded:
    """Return ``error``, or a copy whose message starts with the bundle's path."""
    if str(error).startswith(str(path)):
        return error
    return OptionLimitExceeded(
        f"{path}: {error}", scope="bundle", option=getattr(error, "option", "")
    )


def _read_error_detail(error: BaseException) -> str:
    if isinstance(error, (ArchiveUnreadable, zipscan.ScanStopped)):
        return str(error)  # mailbundle's own words
    return describe_read_error(error)


def _strip_dot_slash(name: str) -> str:
    while name.startswith("./"):
        name = name[2:]
    return name


def _tar_time(mtime: float) -> datetime | None:
    try:
        return datetime.fromtimestamp(mtime, UTC)
    except (OverflowError, OSError, ValueError):
        return None


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
    "ArchiveUnreadable",
    "Visitor",
    "Walker",
    "display_name",
    "unsafe_path_reason",
]
