"""The allocator settings the command line makes on Linux with glibc."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer import memory

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the settings are glibc's"
)


def test_arrow_allocates_through_glibc() -> None:
    output = run_with(
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
    output = run_with(
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


RESTART = """
    import sys
    from analyzer import memory
    child = "import os; print(os.environ.get('GLIBC_TUNABLES'))"
    memory.restart_with_huge_pages([sys.executable, "-c", child, "--year", {input!r}])
    print("not restarted")
"""


@pytest.fixture
def large_log(tmp_path: Path) -> str:
    """A sparse file as large as a log the restart is for."""
    path = tmp_path / "maillog"
    with path.open("wb") as handle:
        handle.truncate(memory.RESTART_MIN_BYTES)
    return str(path)


def huge_pages_possible() -> bool:
    try:
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as mode:
            return "[never]" not in mode.read()
    except OSError:
        return False


def run_with(code: str, **variables: str) -> str:
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in ("GLIBC_TUNABLES", "MAILBUNDLE_RESTARTED")
    }
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        check=True,
        env={**environment, **variables},
    ).stdout


@pytest.mark.skipif(not huge_pages_possible(), reason="transparent huge pages are off")
@pytest.mark.parametrize(
    ("tunables", "expected"),
    [
        ({}, "glibc.malloc.hugetlb=1"),
        (
            {"GLIBC_TUNABLES": "glibc.malloc.check=0"},
            "glibc.malloc.check=0:glibc.malloc.hugetlb=1",
        ),
    ],
)
def test_restart_sets_huge_pages(
    tunables: dict[str, str], expected: str, large_log: str
) -> None:
    assert run_with(RESTART.format(input=large_log), **tunables).split() == [expected]
    # A folder counts the files in it.
    folder = str(Path(large_log).parent)
    assert run_with(RESTART.format(input=folder), **tunables).split() == [expected]


@pytest.mark.parametrize(
    "variables",
    [
        {"MAILBUNDLE_RESTARTED": "1"},
        {"GLIBC_TUNABLES": "glibc.malloc.hugetlb=0"},
    ],
)
def test_restart_happens_once(variables: dict[str, str], large_log: str) -> None:
    output = run_with(RESTART.format(input=large_log), **variables)
    assert output.split() == ["not", "restarted"]


@pytest.mark.skipif(not huge_pages_possible(), reason="transparent huge pages are off")
def test_restart_counts_compressed_files_larger(tmp_path: Path) -> None:
    """A compressed archive contains several times its size in log."""
    path = tmp_path / "bundle.tar.gz"
    with path.open("wb") as handle:
        handle.truncate(memory.RESTART_MIN_BYTES // memory.COMPRESSED_RATIO)
    output = run_with(RESTART.format(input=str(path)))
    assert output.split() != ["not", "restarted"], output
    plain = tmp_path / "maillog"
    with plain.open("wb") as handle:
        handle.truncate(memory.RESTART_MIN_BYTES // memory.COMPRESSED_RATIO)
    output = run_with(RESTART.format(input=str(plain)))
    assert output.split() == ["not", "restarted"], output


def test_no_restart_for_small_input(tmp_path: Path) -> None:
    """A small bundle is not worth a second interpreter start."""
    path = tmp_path / "maillog"
    with path.open("wb") as handle:
        handle.truncate(memory.RESTART_MIN_BYTES - 1)
    for argument in (str(path), str(tmp_path), str(tmp_path / "missing")):
        output = run_with(RESTART.format(input=argument))
        assert output.split() == ["not", "restarted"], argument
