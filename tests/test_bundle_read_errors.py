"""Damaged members are described in plain words, without Python exception names."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import re
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analyzer.api import analyze_bundle
from analyzer.bundle.inventory import InventoryEntry
from analyzer.bundle.read_errors import CHECKSUM, CUT_SHORT, DAMAGED
from analyzer.bundle.sniff import PeekReader, SalvagingReader
from tests.test_report_verdict import (
    DELIVERED,
    ROTATED,
    cut_gzip,
    partial_bundle,
    run_cli,
)

CLASS_NAMES = re.compile(r"[A-Z]\w*(Error|Exception)|Bad\w*File|zlib|LZMA")


def gzip_with_bad_crc() -> bytes:
    data = gzip.compress(ROTATED, mtime=0)
    return data[:-8] + b"\x00\x00\x00\x00" + data[-4:]


def gzip_with_invalid_block() -> bytes:
    # A deflate block whose type bits are 11, which RFC 1951 reserves.
    return gzip.compress(b"", mtime=0)[:10] + b"\xff" * 100


def cut_bzip2() -> bytes:
    data = bz2.compress(ROTATED)
    return data[: len(data) // 2]


def bzip2_with_bad_crc() -> bytes:
    data = bz2.compress(ROTATED)
    return data[:-8] + b"\x00\x00\x00\x00" + data[-4:]


def xz_with_flipped_byte() -> bytes:
    data = bytearray(lzma.compress(ROTATED))
    data[len(data) // 2] ^= 0xFF
    return bytes(data)


MEMBERS: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "gzip cut short": ("maillog.1.gz", cut_gzip, CUT_SHORT),
    "gzip bad CRC": ("maillog.1.gz", gzip_with_bad_crc, CHECKSUM),
    "gzip invalid block": ("maillog.1.gz", gzip_with_invalid_block, DAMAGED),
    "bzip2 cut short": ("maillog.1.bz2", cut_bzip2, CUT_SHORT),
    "bzip2 bad CRC": ("maillog.1.bz2", bzip2_with_bad_crc, DAMAGED),
    "xz flipped byte": ("maillog.1.xz", xz_with_flipped_byte, DAMAGED),
}


def member_entry(path: Path, name: str) -> InventoryEntry:
    analysis = analyze_bundle(path, year=2026)
    return next(e for e in analysis.bundle.inventory.entries if e.path == name)


@pytest.mark.parametrize("case", list(MEMBERS))
def test_damaged_member_detail(tmp_path: Path, case: str) -> None:
    name, build, expected = MEMBERS[case]
    (tmp_path / "maillog").write_text(DELIVERED)
    (tmp_path / name).write_bytes(build())
    found = member_entry(tmp_path, name)
    assert found.status in ("partial", "error")
    assert found.detail == expected
    assert not CLASS_NAMES.search(found.detail)


def test_zip_member_bad_crc_detail(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("maillog", DELIVERED)
        archive.writestr("maillog.1", ROTATED)
    data = bytearray(bundle.read_bytes())
    data[data.find(ROTATED[:64]) + len(ROTATED) - 10] ^= 0xFF
    bundle.write_bytes(bytes(data))
    found = member_entry(bundle, "maillog.1")
    assert found.status == "partial"
    assert found.detail == CHECKSUM


def test_tar_cut_inside_member_detail(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for name, data in (("maillog", DELIVERED.encode()), ("maillog.1", ROTATED)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    bundle = tmp_path / "bundle.tar"
    bundle.write_bytes(raw.getvalue()[: 3 * 512 + len(ROTATED) // 2])
    found = member_entry(bundle, "maillog.1")
    assert found.status == "partial"
    assert found.detail == "the tar archive ends inside this member (file cut short?)"


def test_summary_evidence_in_plain_words(tmp_path: Path) -> None:
    result = run_cli("summary", str(partial_bundle(tmp_path, DELIVERED)))
    assert result.returncode == 4, result.stderr
    evidence = f"maillog.1.gz: partial: {CUT_SHORT}"
    lines = result.stdout.splitlines()
    assert any(line.strip() == evidence for line in lines), result.stdout
    assert not CLASS_NAMES.search(result.stdout)


def test_reports_of_partial_bundle(tmp_path: Path) -> None:
    output = tmp_path / "out"
    bundle = partial_bundle(tmp_path, DELIVERED)
    result = run_cli("report", str(bundle), "-o", str(output), "--format", "html,json")
    assert result.returncode == 4, result.stderr
    document = json.loads((output / "findings.json").read_text())
    assert document["verdict"]["detail"] == (
        "Parts of the bundle could not be read; results are partial."
    )
    incomplete = next(
        f for f in document["findings"] if f["code"] == "bundle-incomplete"
    )
    assert incomplete["evidence"][0]["text"] == f"partial: {CUT_SHORT}"
    soup = BeautifulSoup((output / "report.html").read_text(), "html.parser")
    rows = [
        row.get_text(" ", strip=True) for row in soup.select("table.inventory tbody tr")
    ]
    broken = [row for row in rows if "maillog.1.gz" in row]
    assert len(broken) == 1
    assert CUT_SHORT in broken[0]
    assert not CLASS_NAMES.search(soup.get_text())


class CountingFile(io.BufferedReader):
    """A regular file that counts the reads asked of it."""

    reads = 0

    def read(self, size: int | None = -1) -> bytes:
        self.reads += 1
        return super().read(size)


def test_regular_file_read_in_whole_pieces(tmp_path: Path) -> None:
    """A log on disk is read in as few pieces as requested, even behind a peek.
    A salvaging reader has nothing to salvage from a file, and joining 64 KiB
    pieces cost a tenth of the parse of a 1M-line log."""
    path = tmp_path / "maillog"
    path.write_text(DELIVERED * (3 * 1024 * 1024 // len(DELIVERED) + 1))
    with CountingFile(io.FileIO(path)) as stream:
        peek = PeekReader(stream)
        peek.peek_head()
        data = SalvagingReader(peek).read(2 * 1024 * 1024)  # type: ignore[arg-type]
        assert len(data) == 2 * 1024 * 1024
        assert stream.reads <= 2
