"""Truncated and corrupt archives and members: partial results, never a crash.

The readable members are analyzed, each broken one is listed in the inventory
with its error, and the command exits with 4 after writing the report.
"""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import py7zr
import pytest
from bs4 import BeautifulSoup

from analyzer.api import analyze_bundle
from tests.conftest import cli_env
from tests.test_hostile_archives import (
    FINDING,
    Member,
    assert_finding,
    build_tar,
    build_zip,
    entry,
    sample_members,
)

ROTATED = b"".join(
    b"Dec  3 10:%02d:%02d qradar-console postfix/qmgr[99]: 1A2B3C4D5E: removed\n"
    % (minute, second)
    for minute in range(60)
    for second in range(0, 60, 2)
)


def cut_gzip() -> bytes:
    data = gzip.compress(ROTATED)
    return data[: len(data) * 2 // 3]


def test_cut_gzip_member_keeps_lines_before_the_cut(tmp_path: Path) -> None:
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("maillog-20261203.gz", cut_gzip()))
    analysis = analyze_bundle(build_tar(tmp_path / "bundle.tar.gz", members))
    broken = entry(analysis, "maillog-20261203.gz")
    assert broken.status == "partial"
    assert broken.detail == "the compressed data ends early (file cut short?)"
    assert broken.lines is not None and broken.lines > 100
    assert analysis.partial
    assert_finding(analysis)


def test_small_cut_gzip_keeps_its_lines(tmp_path: Path) -> None:
    """A gzip cut within the bytes read to recognize it still gives its lines."""
    head = ROTATED[: 40 * 80]
    data = gzip.compress(head)
    log = tmp_path / "maillog.4.gz"
    log.write_bytes(data[: len(data) - 12])

    analysis = analyze_bundle(log, year=2026)

    broken = entry(analysis, "maillog.4.gz")
    assert broken.status == "partial"
    assert broken.lines is not None and broken.lines >= 30
    assert len(analysis.events) >= 30


def test_tar_gz_cut_after_last_member(tmp_path: Path) -> None:
    """A .tar.gz that lacks only its end blocks loses no line of its members."""
    members = [Member(n, d) for n, d in sample_members().items()]
    lines = b"".join(ROTATED.splitlines(keepends=True)[:20])
    members.append(Member("maillog.1", lines))
    whole = build_tar(tmp_path / "whole.tar.gz", members).read_bytes()
    bundle = tmp_path / "cut.tar.gz"
    bundle.write_bytes(whole[:-40])

    analysis = analyze_bundle(bundle, year=2026)

    rotated = entry(analysis, "maillog.1")
    assert rotated.status == "read"
    assert rotated.lines == 20
    assert analysis.partial


def test_zip_member_bad_crc(tmp_path: Path) -> None:
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("maillog.1", ROTATED))
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_STORED) as archive:
        for member in members:
            archive.writestr(member.name, member.data)
    data = bytearray(bundle.read_bytes())
    position = data.find(ROTATED[:64])
    data[position + len(ROTATED) - 10] ^= 0xFF
    bundle.write_bytes(bytes(data))
    analysis = analyze_bundle(bundle)
    broken = entry(analysis, "maillog.1")
    assert broken.status == "partial"
    assert "does not match its CRC checksum" in broken.detail
    assert analysis.partial
    assert_finding(analysis)


@pytest.mark.parametrize("mode", ["w", "w:gz"])
def test_truncated_tar(tmp_path: Path, mode: str) -> None:
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("maillog.1", ROTATED))
    whole = build_tar(tmp_path / "whole.tar", members, mode=mode).read_bytes()
    bundle = tmp_path / ("cut.tar" if mode == "w" else "cut.tar.gz")
    cut = len(whole) - (15000 if mode == "w" else len(whole) // 4)
    bundle.write_bytes(whole[:cut])
    analysis = analyze_bundle(bundle)
    errors = analysis.bundle.inventory.errors
    assert any("damaged or truncated" in e for e in errors), errors
    assert analysis.partial
    assert_finding(analysis)


def test_tar_with_damaged_header_in_the_middle(tmp_path: Path) -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for name, data in [*sample_members().items(), ("maillog.1", ROTATED)]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    data = bytearray(raw.getvalue())
    header = data.find(b"maillog.1\x00")
    data[header + 148 : header + 156] = b"garbage!"  # the header checksum
    bundle = tmp_path / "damaged.tar"
    bundle.write_bytes(bytes(data))
    analysis = analyze_bundle(bundle)
    errors = analysis.bundle.inventory.errors
    assert any("damaged header or extra data" in e for e in errors), errors
    assert analysis.partial
    assert_finding(analysis)


def test_zip_without_central_directory(tmp_path: Path) -> None:
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("maillog.1", ROTATED))
    whole = build_zip(tmp_path / "whole.zip", members).read_bytes()
    bundle = tmp_path / "cut.zip"
    bundle.write_bytes(whole[: whole.find(b"PK\x01\x02") - 100])
    analysis = analyze_bundle(bundle)
    errors = analysis.bundle.inventory.errors
    assert any("central directory is missing or damaged" in e for e in errors)
    broken = entry(analysis, "maillog.1")
    assert broken.status in ("partial", "error")
    assert analysis.partial
    assert_finding(analysis)


def test_zip_data_descriptors_without_directory(tmp_path: Path) -> None:
    """Members written to a stream carry their sizes after the data."""
    raw = io.BytesIO()

    class Unseekable(io.RawIOBase):
        def writable(self) -> bool:
            return True

        def write(self, data: bytes) -> int:  # type: ignore[override]
            return raw.write(data)

    with zipfile.ZipFile(Unseekable(), "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sample_members().items():
            archive.writestr(name, data)
    whole = raw.getvalue()
    bundle = tmp_path / "stream.zip"
    bundle.write_bytes(whole[: whole.find(b"PK\x01\x02")])
    analysis = analyze_bundle(bundle)
    assert entry(analysis, "maillog").status == "read"
    assert_finding(analysis)


def test_damaged_7z_member(tmp_path: Path) -> None:
    inner = tmp_path / "host2.7z"
    with py7zr.SevenZipFile(inner, "w") as archive:
        archive.writestr(ROTATED, "maillog")
    data = bytearray(inner.read_bytes())
    data[200] ^= 0xFF
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("host2.7z", bytes(data)))
    analysis = analyze_bundle(build_tar(tmp_path / "bundle.tar.gz", members))
    broken = [
        e for e in analysis.bundle.inventory.entries
        if e.path.startswith("host2.7z") and e.status in ("error", "partial")
    ]  # fmt: skip
    assert broken, [(e.path, e.status) for e in analysis.bundle.inventory.entries]
    assert analysis.partial
    assert_finding(analysis)


def test_cli_corrupt_member_report(tmp_path: Path) -> None:
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("maillog-20261203.gz", cut_gzip()))
    bundle = build_tar(tmp_path / "bundle.tar.gz", members)
    output = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "report", str(bundle), "-o", str(output),
         "--format", "html,json"],
        capture_output=True, text=True, timeout=300, env=cli_env(),
    )  # fmt: skip
    assert result.returncode == 4, result.stderr
    assert "partial" in result.stderr
    assert (output / "report.html").exists()
    soup = BeautifulSoup((output / "report.html").read_text(), "html.parser")
    rows = [
        row.get_text(" ", strip=True) for row in soup.select("table.inventory tbody tr")
    ]
    broken = [row for row in rows if "maillog-20261203.gz" in row]
    assert broken, rows
    assert "partial" in broken[0]
    assert "the compressed data ends early (file cut short?)" in broken[0]
    findings = json.loads((output / "findings.json").read_text())["findings"]
    assert FINDING in [f["code"] for f in findings]
