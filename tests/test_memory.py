"""The allocator settings the command line makes on Linux with glibc."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the settings are glibc's"
)


def run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_arrow_allocates_through_glibc() -> None:
    output = run(
        """
        import pyarrow as pa
        from analyzer.memory import tune_allocator
        assert tune_allocator()
        print(pa.default_memory_pool().backend_name)
        """
    )
    assert output.split() == ["system"]


def test_release_trims_heap() -> None:
    """Blocks below the mmap threshold come from the heap. Once freed, they stay
    in the process until ``release`` trims the heap."""
    output = run(
        """
        from analyzer import memory
        assert memory.tune_allocator()

        def rss():
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) // 1024

        # 256 MiB in 64 KiB blocks. The last one pins the top of the heap, so
        # glibc's own trimming cannot return the rest.
        blocks = [bytearray(64 * 1024) for _ in range(4096)]
        pin = blocks[-1]
        del blocks
        before = rss()
        memory.release()
        print(before, rss())
        """
    )
    before, after = map(int, output.split())
    assert before - after > 200, output
