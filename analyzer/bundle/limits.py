"""Safety limits for reading untrusted archives, and the readers that enforce them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from analyzer.errors import LimitExceeded

MiB = 1024 * 1024
GiB = 1024 * MiB

READ_CHUNK_BYTES = 16 * MiB
"""Maximum bytes that one read of a ``LimitedReader`` returns."""


MAX_FOLDER_DEPTH = 64
"""Levels of folders below a bundle folder that are read. A sosreport nests
about ten; Python's os.walk recurses once per level and fails near 1,000."""


def bounded_walk(
    root: Path | str,
    onerror: Callable[[OSError], None] | None = None,
    too_deep: Callable[[str], None] | None = None,
) -> Iterator[tuple[str, list[str], list[str]]]:
    """Walk ``root`` top-down as ``os.walk`` does, without following links and
    without entering folders more than MAX_FOLDER_DEPTH levels down. ``too_deep``
    is called with each folder whose subfolders are left out."""
    base = os.path.normpath(root).count(os.sep)
    for folder, dirnames, filenames in os.walk(root, onerror=onerror):
        if dirnames and folder.count(os.sep) - base >= MAX_FOLDER_DEPTH:
            if too_deep is not None:
                too_deep(folder)
            dirnames.clear()
        yield folder, dirnames, filenames


class OptionLimitExceeded(LimitExceeded):
    """A ``LimitExceeded`` that names the command-line option raising the limit."""

    def __init__(self, message: str, scope: str = "member", option: str = "") -> None:
        super().__init__(message, scope)
        self.option = option


@dataclass(frozen=True)
class Limits:
    """Limits that stop decompression bombs and runaway archives.

    The defaults let through a month of a busy relay's logs (a few GB) while a
    bomb, which expands thousands of times, stops after a few hundred MB.
    """

    max_total_bytes: int = 8 * GiB
    """Maximum number of decompressed bytes read from the whole bundle."""
    max_member_bytes: int = 4 * GiB
    """Maximum decompressed size of one member."""
    max_ratio: float = 1000.0
    """Maximum decompressed-to-compressed size ratio of a compressed member."""
    ratio_floor_bytes: int = 64 * MiB
    """Decompressed size below which the ratio is not checked."""
    max_members: int = 20_000
    """Maximum number of archive entries, counted over all nesting levels."""
    max_depth: int = 4
    """Maximum nesting of archives inside archives, and of compression layers
    (``.gz`` inside ``.gz``) inside one member."""
    max_tar_header_bytes: int = 1 * MiB
    """Maximum size of a tar extended header (pax or GNU long name), which tarfile
    reads into memory at once. Real headers hold a path and a few attributes."""


class Budget:
    """Bytes and members still allowed for one bundle, shared by all readers."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total_bytes = 0
        self.members = 0

    def count_member(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise OptionLimitExceeded(
                f"{name}: the bundle has more than {self.limits.max_members} "
                "members; raise --max-members if it is genuine.",
                scope="bundle",
                option="--max-members",
            )

    def count_bytes(self, name: str, count: int) -> None:
        self.total_bytes += count
        if self.total_bytes > self.limits.max_total_bytes:
            raise OptionLimitExceeded(
                f"{name}: the bundle expands to more than "
                f"{self.limits.max_total_bytes // MiB} MiB; raise --max-size if "
                "it is genuine.",
                scope="bundle",
                option="--max-size",
            )


class HashingReader:
    """Binary reader that hashes and counts the stored bytes of a member."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.sha256.update(data)
        self.bytes_read += len(data)
        return data

    def readable(self) -> bool:
        return True

    def drain(self, chunk_size: int = MiB) -> None:
        """Read the rest of the member, so its hash and size are complete."""
        while self.read(chunk_size):
            pass


class LimitedReader:
    """Binary reader of decompressed bytes that stops at the size and ratio limits.

    ``stored_size`` is the compressed size, or None when the bytes are not
    compressed (no ratio check then). ``count_total`` is False when the bytes are
    a view of a stream whose bytes the budget already counted, such as a member of
    a compressed tar. ``member_limit`` is False for the whole stream of a
    compressed top-level tar, which is the bundle rather than one member. A bundle
    limit raises ``LimitExceeded`` with scope "bundle", a member limit with scope
    "member".

    Each read asks the underlying reader for no more than the limits still allow,
    so a decompressor never produces more than a few bytes past a limit.
    """

    def __init__(
        self,
        raw: BinaryIO,
        name: str,
        budget: Budget,
        stored_size: int | None = None,
        *,
        count_total: bool = True,
        member_limit: bool = True,
    ) -> None:
        self._raw = raw
        self._name = name
        self._budget = budget
        self._stored_size = stored_size
        self._count_total = count_total
        self._member_limit = member_limit
        self.bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        """Read up to ``size`` bytes, or to the end when ``size`` is negative.

        Like a raw read, a read with a size may return fewer bytes before the end.
        """
        if size is not None and size >= 0:
            return self._read_once(size)
        parts = []
        while data := self._read_once(READ_CHUNK_BYTES):
            parts.append(data)
        return b"".join(parts)

    def _read_once(self, size: int) -> bytes:
        data = self._raw.read(min(size, self._allowance()))
        self.bytes_read += len(data)
        if self._count_total:
            self._budget.count_bytes(self._name, len(data))
        self._check()
        return data

    def readable(self) -> bool:
        return True

    def _allowance(self) -> int:
        """Return how many bytes one read may return, one past the nearest limit."""
        limits = self._budget.limits
        allowed = READ_CHUNK_BYTES
        if self._member_limit:
            allowed = min(allowed, limits.max_member_bytes - self.bytes_read + 1)
        if self._count_total:
            remaining = limits.max_total_bytes - self._budget.total_bytes
            allowed = min(allowed, remaining + 1)
        if self._stored_size is not None:
            ratio_cap = max(
                limits.ratio_floor_bytes, limits.max_ratio * max(self._stored_size, 1)
            )
            allowed = min(allowed, int(ratio_cap) - self.bytes_read + 1)
        return max(allowed, 1)

    def _check(self) -> None:
        limits = self._budget.limits
        scope = "member" if self._member_limit else "bundle"
        if self._member_limit and self.bytes_read > limits.max_member_bytes:
            raise OptionLimitExceeded(
                f"{self._name}: the member expands to more than "
                f"{limits.max_member_bytes // MiB} MiB; raise --max-size if it is "
                "genuine.",
                option="--max-size",
            )
        stored = self._stored_size
        if stored is None or self.bytes_read <= limits.ratio_floor_bytes:
            return
        if self.bytes_read > limits.max_ratio * max(stored, 1):
            what = "member" if self._member_limit else "bundle"
            raise OptionLimitExceeded(
                f"{self._name}: the {what} expands more than "
                f"{limits.max_ratio:g} times its stored size of {stored} bytes, "
                "like a decompression bomb; raise --max-ratio if it is genuine.",
                scope=scope,
                option="--max-ratio",
            )
