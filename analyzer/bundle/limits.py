"""Safety limits for reading untrusted archives, and the readers that enforce them."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import BinaryIO

from analyzer.errors import LimitExceeded

MiB = 1024 * 1024
GiB = 1024 * MiB


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
    """Maximum nesting of archives inside archives."""


class Budget:
    """Bytes and members still allowed for one bundle, shared by all readers."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.total_bytes = 0
        self.members = 0

    def count_member(self, name: str) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise LimitExceeded(
                f"{name}: the bundle has more than {self.limits.max_members} "
                "members; raise --max-members if it is genuine.",
                scope="bundle",
            )

    def count_bytes(self, name: str, count: int) -> None:
        self.total_bytes += count
        if self.total_bytes > self.limits.max_total_bytes:
            raise LimitExceeded(
                f"{name}: the bundle expands to more than "
                f"{self.limits.max_total_bytes // MiB} MiB; raise --max-size if "
                "it is genuine.",
                scope="bundle",
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
    """Binary reader of decompressed bytes that stops at the member and ratio limits.

    ``stored_size`` is the compressed size, or None when the bytes are not
    compressed (no ratio check then).
    """

    def __init__(
        self,
        raw: BinaryIO,
        name: str,
        budget: Budget,
        stored_size: int | None = None,
    ) -> None:
        self._raw = raw
        self._name = name
        self._budget = budget
        self._stored_size = stored_size
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.bytes_read += len(data)
        self._budget.count_bytes(self._name, len(data))
        self._check()
        return data

    def readable(self) -> bool:
        return True

    def _check(self) -> None:
        limits = self._budget.limits
        if self.bytes_read > limits.max_member_bytes:
            raise LimitExceeded(
                f"{self._name}: the member expands to more than "
                f"{limits.max_member_bytes // MiB} MiB; raise --max-size if it is "
                "genuine."
            )
        stored = self._stored_size
        if stored is None or self.bytes_read <= limits.ratio_floor_bytes:
            return
        if self.bytes_read > limits.max_ratio * max(stored, 1):
            raise LimitExceeded(
                f"{self._name}: the member expands more than "
                f"{limits.max_ratio:g} times its stored size of {stored} bytes, "
                "like a decompression bomb; raise --max-ratio if it is genuine."
            )
