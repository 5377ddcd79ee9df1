"""Keep the process's memory small on Linux with glibc.

glibc raises its mmap threshold after a large block is freed, so later large
NumPy and pandas temporaries come from the heap, and freed heap memory is kept
rather than returned to the system: peak memory stays at several times what the
analysis holds. Fixing the threshold (glibc's ``mallopt``) makes such blocks
mmap'ed again and returned when freed. Arrow then allocates through glibc too,
and ``release`` hands the heap's free pages back between the analysis stages.
The command line calls ``tune_allocator`` once; a library user decides for their
own process.

Each mmap'ed block starts with page faults, one per 4 KiB page. On this kind of
virtual machine a fault costs several microseconds, and a 10M-line log takes 6.7
million of them. ``restart_with_huge_pages`` starts the command again with glibc
asking for transparent huge pages (2 MiB) for those blocks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import platform
import sys
from collections.abc import Sequence

logger = logging.getLogger(__name__)

HUGE_PAGES_TUNABLE = "glibc.malloc.hugetlb=1"
"""Makes glibc's malloc advise transparent huge pages for what it maps (glibc
2.35 and later; older versions ignore it). glibc reads tunables only at start."""
RESTARTED_VARIABLE = "MAILBUNDLE_RESTARTED"
"""Set in the restarted command, so that it never restarts again."""
THP_MODE_FILE = "/sys/kernel/mm/transparent_hugepage/enabled"

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


RESTART_MIN_BYTES = 1024 * 1024 * 1024
"""Log size from which the restart pays. It saved 5 to 12 s of 50 to 60 s on a
10M-line log (1.7 GB), and cost 1.2 to 1.5 s (8%) on a 3M-line folder (0.5 GB)."""
COMPRESSED_RATIO = 8
"""How many bytes of log each byte of a compressed file is counted as. An
estimate below the 10.8 times that gzip made the 1M-line benchmark log smaller."""
COMPRESSED_SUFFIXES = (
    ".gz",
    ".tgz",
    ".bz2",
    ".tbz2",
    ".xz",
    ".txz",
    ".zip",
    ".7z",
    ".zst",
)


def restart_with_huge_pages(argv: Sequence[str]) -> None:
    """Replace this process with ``argv`` run with glibc's huge page tunable.

    Returns without doing anything where the tunable cannot help: not Linux with
    glibc, transparent huge pages turned off, the tunable already set, this
    process already restarted, or no argument a file or folder with
    RESTART_MIN_BYTES of log. On a 10M-line log the restart cut page faults from
    6.7 to 2.2 million, and the run by 5 to 12 s of 50 to 60 s. On a 1M-line log it
    made no measurable difference, and on a 3M-line log it made the run slower.
    It also costs one more interpreter start, about 0.05 s.
    """
    if not sys.platform.startswith("linux") or os.environ.get(RESTARTED_VARIABLE):
        return
    if not any(_at_least(argument, RESTART_MIN_BYTES) for argument in argv[1:]):
        return
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    if "glibc.malloc.hugetlb" in tunables or platform.libc_ver()[0] != "glibc":
        return
    try:
        with open(THP_MODE_FILE, encoding="ascii") as mode:
            if "[never]" in mode.read():
                return
    except OSError:
        return
    environment = dict(os.environ)
    environment[RESTARTED_VARIABLE] = "1"
    environment["GLIBC_TUNABLES"] = ":".join(
        filter(None, (tunables, HUGE_PAGES_TUNABLE))
    )
    try:
        os.execve(argv[0], list(argv), environment)
    except OSError as error:
        logger.debug("restart with %s failed: %s", HUGE_PAGES_TUNABLE, error)


def _at_least(path: str, size: int) -> bool:
    """Return whether the file or folder at ``path`` contains ``size`` bytes of
    log or more, a compressed file counting as COMPRESSED_RATIO times its size.
    Anything else, such as an option, gives False."""
    try:
        if os.path.isfile(path):
            return _log_bytes(path, os.path.getsize(path)) >= size
        if not os.path.isdir(path):
            return False
        total = 0
        from analyzer.bundle.limits import bounded_walk

        for folder, _, files in bounded_walk(path):
            for name in files:
                file = os.path.join(folder, name)
                total += _log_bytes(file, os.lstat(file).st_size)
                if total >= size:
                    return True
    except OSError:
        return False
    return False


def _log_bytes(path: str, size: int) -> int:
    """Return about how many bytes of log a file of ``size`` bytes contains."""
    compressed = path.lower().endswith(COMPRESSED_SUFFIXES)
    return size * COMPRESSED_RATIO if compressed else size
