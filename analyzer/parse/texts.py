"""The text of log lines, kept compressed and read back by row.

The reports quote a few lines and the diagnoses read the text of a few kinds
of lines, but the text of every line took 105 MiB of a 1M-line log's 290 MiB of
frames. ``TextStore`` keeps it as zstd-compressed blocks, one per parsed chunk
(12 MiB for those 105 MiB), and decompresses only the blocks that contain the
rows requested.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

CODEC = "zstd"


@dataclass(frozen=True)
class Block:
    """The texts of consecutive rows: an Arrow string array's offsets and data,
    compressed. ``of`` can run on any thread."""

    rows: int
    offsets: pa.Buffer
    offsets_size: int
    data: pa.Buffer
    data_size: int
    large: bool

    @classmethod
    def of(cls, texts: pa.Array) -> Block:
        texts = _without_nulls(texts)
        _, offsets, data = texts.buffers()
        first = texts.offset
        width = 8 if pa.types.is_large_string(texts.type) else 4
        offsets = offsets[first * width : (first + len(texts) + 1) * width]
        data = data if data is not None else pa.py_buffer(b"")
        return cls(
            rows=len(texts),
            offsets=pa.compress(offsets, codec=CODEC),
            offsets_size=offsets.size,
            data=pa.compress(data, codec=CODEC),
            data_size=data.size,
            large=width == 8,
        )

    def texts(self) -> pa.Array:
        offsets = pa.decompress(self.offsets, self.offsets_size, codec=CODEC)
        data = pa.decompress(self.data, self.data_size, codec=CODEC)
        kind = pa.large_string() if self.large else pa.string()
        return pa.Array.from_buffers(kind, self.rows, [None, offsets, data])

    @property
    def nbytes(self) -> int:
        return int(self.offsets.size + self.data.size)


def _without_nulls(texts: pa.Array) -> pa.Array:
    """Return ``texts`` with a null as an empty text: a line always has one."""
    if texts.null_count:
        texts = pc.fill_null(texts, "")
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    return texts


class TextStore:
    """Texts of rows 0, 1, 2, ... in compressed blocks, appended in row order."""

    def __init__(self) -> None:
        self._blocks: list[Block] = []
        self._starts: list[int] = []
        self.rows = 0

    @classmethod
    def of(cls, texts: pa.Array | pa.ChunkedArray) -> TextStore:
        store = cls()
        chunks = texts.chunks if isinstance(texts, pa.ChunkedArray) else [texts]
        for chunk in chunks:
            store.append(chunk)
        return store

    def append(self, texts: pa.Array | Block) -> None:
        """Add ``texts``, or a block compressed with ``Block.of``, as the next rows."""
        block = texts if isinstance(texts, Block) else Block.of(texts)
        if block.rows == 0:
            return
        self._starts.append(self.rows)
        self._blocks.append(block)
        self.rows += block.rows

    def extend(self, other: TextStore) -> None:
        """Add the rows of ``other`` after these, sharing its blocks."""
        for start, block in zip(other._starts, other._blocks, strict=True):
            self._starts.append(self.rows + start)
            self._blocks.append(block)
        self.rows += other.rows

    @property
    def nbytes(self) -> int:
        return sum(block.nbytes for block in self._blocks)

    def __deepcopy__(self, memo: dict[int, object]) -> TextStore:
        # pandas deep-copies a frame's attrs, which carry the store, on every
        # operation; the blocks never change once appended, so all share them.
        return self

    def take(self, rows: npt.ArrayLike) -> pa.Array:
        """Return the texts of ``rows``, in their order, as one string array."""
        # NOTE: rows spread over every block (warnings, rejects) decompress the
        # whole store; the rules of a 1M-line log decompress 55 of its 21 blocks
        # (0.16 s). Blocks smaller than glibc's mmap threshold would make quotes
        # cheaper but scatter the heap: 8,192-row blocks cost 90 MiB of peak.
        requested = np.asarray(rows, dtype=np.int64)
        if len(requested) == 0:
            return pa.array([], pa.large_string())
        if requested.min() < 0 or requested.max() >= self.rows:
            bad = requested[(requested < 0) | (requested >= self.rows)][0]
            raise IndexError(
                f"invalid text row {bad}: the store has rows 0 to {self.rows - 1}"
            )
        block_of = np.searchsorted(self._starts, requested, side="right") - 1
        # The rows of each block, found by one sort rather than a scan per block.
        by_block = np.argsort(block_of, kind="stable")
        bounds = np.flatnonzero(np.diff(block_of[by_block])) + 1
        pieces = []
        positions = []
        for mine in np.split(by_block, bounds):
            block = int(block_of[mine[0]])
            local = requested[mine] - self._starts[block]
            texts = self._blocks[block].texts().take(pa.array(local))
            pieces.append(texts.cast(pa.large_string()))
            positions.append(mine)
        joined = pa.concat_arrays(pieces)
        order = np.empty(len(requested), dtype=np.int64)
        order[np.concatenate(positions)] = np.arange(len(requested))
        return joined.take(pa.array(order))

    def hashes(self, rows: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Return a hash of the text of each of ``rows``, equal for equal texts
        within this process. One block is decompressed at a time, so comparing
        the texts of millions of rows never holds them all."""
        requested = np.asarray(rows, dtype=np.int64)
        result = np.zeros(len(requested), dtype=np.int64)
        if len(requested) == 0:
            return result
        block_of = np.searchsorted(self._starts, requested, side="right") - 1
        by_block = np.argsort(block_of, kind="stable")
        bounds = np.flatnonzero(np.diff(block_of[by_block])) + 1
        for mine in np.split(by_block, bounds):
            block = int(block_of[mine[0]])
            local = requested[mine] - self._starts[block]
            texts = self._blocks[block].texts().take(pa.array(local)).to_pylist()
            result[mine] = [hash(text) for text in texts]
        return result

    def blocks(self) -> Iterator[tuple[int, pa.Array]]:
        """Yield each block's first row and texts, one block in memory at a time."""
        for start, block in zip(self._starts, self._blocks, strict=True):
            yield start, block.texts()

    def all(self) -> pa.Array:
        """Return every text, in row order."""
        if not self._blocks:
            return pa.array([], pa.large_string())
        return pa.concat_arrays(
            [block.texts().cast(pa.large_string()) for block in self._blocks]
        )
