"""Keep the process's memory small on Linux with glibc.

glibc raises its mmap threshold after a large block is freed, so later large
NumPy and pandas temporaries come from the heap, and freed heap memory is kept
rather than returned to the system: peak memory stays at several times what the
analysis holds. Fixing the threshold (glibc's ``mallopt``) makes such blocks
mmap'ed again and returned when freed. Arrow then allocates through glibc too,
and ``release`` hands the heap's free pages back between the analysis stages.
The command line calls ``tune_allocator`` once; a library user decides for their
own process.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

logger = logging.getLogger(__name__)

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 4 * 1024 * 1024
TRIM_THRESHOLD_BYTES = 64 * 1024 * 1024
"""Blocks of 4 MiB and more (column-sized arrays) are mmap'ed; smaller ones reuse
the heap. On a 1M-line log, 256 KiB and 1 MiB cut peak memory by a further tenth
but cost 60% more CPU time in page faults."""


_libc: ctypes.CDLL | None = None
"""glibc, once ``tune_allocator`` has set it up."""


def tune_allocator() -> bool:
    """Set glibc's mmap and trim thresholds and make Arrow allocate through glibc.

    Returns False where that is not possible. On a 1M-line log, peak memory
    was 1,030 MiB with Arrow's own allocator (mimalloc) and an untrimmed heap,
    and 830 MiB with glibc for both and ``release`` between stages.
    """
    global _libc
    if not sys.platform.startswith("linux"):
        return False
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    done = mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
    done &= mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1
    if not done:
        logger.debug("mallopt refused the memory thresholds")
        return False
    import pyarrow as pa

    pa.set_memory_pool(pa.system_memory_pool())
    _libc = libc
    return True


def release() -> None:
    """Return the heap's free pages to the system after ``tune_allocator`` succeeded.

    The parser threads and the column chunks of each stage leave freed memory
    scattered through the heap. The next stage's large arrays cannot reuse it.
    """
    if _libc is not None:
        _libc.malloc_trim(0)
