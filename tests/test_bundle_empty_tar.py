"""A tar archive with no members is only zero blocks, and is read as an archive."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from analyzer.bundle.sniff import EMPTY_TAR_MAX_BYTES, PeekReader, is_empty_tar
from tests.conftest import cli_env

LOG = (
    "Dec  3 12:00:01 relay1 postfix/pickup[1001]: 4F2A1C0D9E: uid=0 "
    "from=<alerts@example.com>\n"
    "Dec  3 12:00:02 relay1 postfix/smtp[2400]: 4F2A1C0D9E: to=<bob@example.net>, "
    "relay=mx.example.net[192.0.2.25]:25, delay=0.4, delays=0.1/0/0.2/0.1, "
    "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 7B3C)\n"
    "Dec  3 12:00:02 relay1 postfix/qmgr[1003]: 4F2A1C0D9E: removed\n"
)

COMPRESS = {
    "tar": lambda data: data,
    "tar.gz": gzip.compress,
    "tgz": gzip.compress,
    "tar.bz2": bz2.compress,
    "tar.xz": lzma.compress,
}


def empty_tar() -> bytes:
    """Return a tar archive with no members, as tarfile writes it."""
    raw = io.BytesIO()
    tarfile.open(fileobj=raw, mode="w").close()
    return raw.getvalue()


def run_summary(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analyzer", "summary", str(path)],
        capture_output=True, text=True, env=cli_env(), timeout=120,
    )  # fmt: skip


@pytest.mark.parametrize("suffix", list(COMPRESS))
def test_empty_tar_bundle_is_empty(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"e.{suffix}"
    path.write_bytes(COMPRESS[suffix](empty_tar()))
    result = run_summary(path)
    assert result.returncode == 3, result.stderr
    assert result.stderr == (
        f"mailbundle: error: {path}: the bundle is empty; it should contain the "
        "mail log, main.cf and the output of mailq.\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize("blocks", [1, 2, 40, EMPTY_TAR_MAX_BYTES // 512])
def test_zero_blocks_of_any_count(tmp_path: Path, blocks: int) -> None:
    """Tar writers pad to other record sizes too: tar -b sets the blocks per record."""
    path = tmp_path / "e.tar.gz"
    path.write_bytes(gzip.compress(b"\x00" * 512 * blocks))
    result = run_summary(path)
    assert result.returncode == 3, result.stderr
    assert "the bundle is empty" in result.stderr


def test_nested_empty_tar_is_an_archive(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(LOG)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "relay2.tar.gz").write_bytes(gzip.compress(empty_tar()))
    (tmp_path / "old" / "relay3.tar").write_bytes(empty_tar())
    analysis = analyze_bundle(tmp_path, year=2026)
    entries = {e.path: e for e in analysis.bundle.inventory.entries}
    assert sorted(entries) == ["maillog", "old/relay2.tar.gz", "old/relay3.tar"]
    for name in ("old/relay2.tar.gz", "old/relay3.tar"):
        assert entries[name].kind == "archive"
        assert entries[name].status == "read"
        assert entries[name].detail == "a tar archive with no members"
    assert entries["maillog"].postfix_lines == 3
    assert not analysis.partial
    assert analysis.bundle.inventory.errors == []


def test_zeroed_log_stays_a_log(tmp_path: Path) -> None:
    """A log that a crash left as zero blocks is not taken for an empty tar."""
    (tmp_path / "maillog").write_text(LOG)
    (tmp_path / "maillog.1").write_bytes(b"\x00" * 10240)
    analysis = analyze_bundle(tmp_path, year=2026)
    zeroed = next(e for e in analysis.bundle.inventory.entries if e.path == "maillog.1")
    assert zeroed.kind == "maillog"
    assert zeroed.lines == 1


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\x00" * 10240, True),
        (b"\x00" * 512, True),
        (b"\x00" * EMPTY_TAR_MAX_BYTES, True),
        (b"\x00" * (EMPTY_TAR_MAX_BYTES + 512), False),  # over the limit
        (b"\x00" * 1000, False),  # not whole blocks
        (b"\x00" * 10239 + b"\n", False),
        (b"\x00" * 8192 + LOG.encode() + b"\x00" * 1024, False),
        (b"", False),
    ],
)
def test_is_empty_tar(content: bytes, expected: bool) -> None:
    reader = PeekReader(io.BytesIO(content))
    assert is_empty_tar(reader) is expected
    assert reader.read() == content
