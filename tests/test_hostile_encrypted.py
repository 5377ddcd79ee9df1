"""Encrypted zip and 7z bundles: clear errors, --password, and no leaked password.

zipfile cannot write encrypted zips, so ``zipcrypto_zip`` below encrypts with the
traditional PKWARE cipher that ``zip -P`` uses. A second test runs Info-ZIP's
``zip -P`` itself when it is installed.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import py7zr
import pytest

from analyzer.api import analyze_bundle
from analyzer.errors import EncryptedBundle
from tests.conftest import cli_env
from tests.test_hostile_archives import (
    FINDING,
    Member,
    assert_finding,
    build_tar,
    entry,
    sample_members,
)

PASSWORD = "Corr3ct-horse;battery"
WRONG = "not-the-password"


def _crc_table() -> list[int]:
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        table.append(c)
    return table


class ZipCrypto:
    """The traditional PKWARE stream cipher that ``zip -P`` uses."""

    TABLE = _crc_table()

    def __init__(self, password: bytes) -> None:
        self.keys = [0x12345678, 0x23456789, 0x34567890]
        for byte in password:
            self._update(byte)

    def _crc(self, crc: int, byte: int) -> int:
        return (crc >> 8) ^ self.TABLE[(crc ^ byte) & 0xFF]

    def _update(self, byte: int) -> None:
        k0, k1, k2 = self.keys
        k0 = self._crc(k0, byte)
        k1 = ((k1 + (k0 & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        k2 = self._crc(k2, k1 >> 24)
        self.keys = [k0, k1, k2]

    def encrypt(self, data: bytes) -> bytes:
        out = bytearray()
        for byte in data:
            temp = (self.keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            self._update(byte)
        return bytes(out)


def zipcrypto_zip(path: Path, files: dict[str, bytes], password: str) -> Path:
    """Write a zip whose members are deflated and encrypted with ZipCrypto."""
    body = bytearray()
    directory = bytearray()
    for name, data in files.items():
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        deflated = compressor.compress(data) + compressor.flush()
        crc = zlib.crc32(data)
        header = os.urandom(11) + bytes([crc >> 24])
        encrypted = ZipCrypto(password.encode()).encrypt(header + deflated)
        encoded = name.encode()
        fields = (0x1, 8, 0, 0x5984, crc, len(encrypted), len(data), len(encoded))
        local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, *fields, 0)
        directory += struct.pack(
            "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 0x031E, 20, *fields,
            0, 0, 0, 0, 0o100644 << 16, len(body),
        ) + encoded  # fmt: skip
        body += local + encoded + encrypted
    count = len(files)
    end = struct.pack(
        "<4sHHHHIIH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(body), 0
    )
    path.write_bytes(bytes(body + directory + end))
    return path


def seven_zip(path: Path, password: str, header_encryption: bool) -> Path:
    with py7zr.SevenZipFile(
        path, "w", password=password, header_encryption=header_encryption
    ) as archive:
        for name, data in sample_members().items():
            archive.writestr(data, name)
    return path


def encrypted_bundles(folder: Path) -> dict[str, Path]:
    files = sample_members()
    return {
        "zipcrypto": zipcrypto_zip(folder / "zipcrypto.zip", files, PASSWORD),
        "7z": seven_zip(folder / "plain-names.7z", PASSWORD, False),
        "7z-header": seven_zip(folder / "encrypted-names.7z", PASSWORD, True),
    }


KINDS = ("zipcrypto", "7z", "7z-header")


@pytest.mark.parametrize("kind", KINDS)
def test_no_password_says_encrypted(tmp_path: Path, kind: str) -> None:
    bundle = encrypted_bundles(tmp_path)[kind]
    with pytest.raises(EncryptedBundle) as raised:
        analyze_bundle(bundle)
    message = str(raised.value)
    assert str(bundle) in message
    assert "encrypted" in message
    assert "--password" in message


@pytest.mark.parametrize("kind", KINDS)
def test_right_password_opens(tmp_path: Path, kind: str) -> None:
    bundle = encrypted_bundles(tmp_path)[kind]
    analysis = analyze_bundle(bundle, password=PASSWORD)
    assert_finding(analysis)
    assert not analysis.partial


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_password_says_wrong(tmp_path: Path, kind: str) -> None:
    bundle = encrypted_bundles(tmp_path)[kind]
    with pytest.raises(EncryptedBundle) as raised:
        analyze_bundle(bundle, password=WRONG)
    message = str(raised.value)
    assert str(bundle) in message
    assert "password is wrong" in message
    assert WRONG not in message


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP zip is not installed")
def test_info_zip_password(tmp_path: Path) -> None:
    source = tmp_path / "source"
    source.mkdir()
    for name, data in sample_members().items():
        (source / name).write_bytes(data)
    bundle = tmp_path / "info-zip.zip"
    subprocess.run(
        ["zip", "-q", "-r", "-P", PASSWORD, str(bundle), "."], cwd=source, check=True
    )
    with pytest.raises(EncryptedBundle, match="encrypted"):
        analyze_bundle(bundle)
    with pytest.raises(EncryptedBundle, match="password is wrong"):
        analyze_bundle(bundle, password=WRONG)
    assert_finding(analyze_bundle(bundle, password=PASSWORD))


def test_nested_encrypted_archive_is_member_error(tmp_path: Path) -> None:
    inner = seven_zip(tmp_path / "host2.7z", PASSWORD, True)
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("host2.7z", inner.read_bytes()))
    bundle = build_tar(tmp_path / "outer.tar.gz", members)
    analysis = analyze_bundle(bundle)
    nested = entry(analysis, "host2.7z")
    assert nested.status == "error"
    assert "encrypted" in nested.detail
    assert analysis.partial
    assert_finding(analysis)
    opened = analyze_bundle(bundle, password=PASSWORD)
    # The nested archive contains the outer bundle's log again: decrypted and
    # read, it is then listed as a copy of that log.
    inner_log = entry(opened, "host2.7z/maillog")
    assert inner_log.status == "skipped"
    assert inner_log.detail.startswith("the same content as ")
    assert inner_log.sha256 == entry(opened, "maillog").sha256
    assert not opened.partial


def run_cli(bundle: Path, output: Path, *args: str, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "-m", "analyzer", "report", str(bundle), "-o", str(output),
         "--format", "html,json", "-v", *args],
        capture_output=True, text=True, timeout=300, env=env or cli_env(),
    )  # fmt: skip


def assert_no_password(texts: list[str], password: str) -> None:
    for text in texts:
        assert password not in text


@pytest.mark.parametrize("kind", KINDS)
def test_cli_password_option_and_variable(tmp_path: Path, kind: str) -> None:
    bundle = encrypted_bundles(tmp_path)[kind]

    missing = run_cli(bundle, tmp_path / "none")
    assert missing.returncode == 3
    assert len(missing.stderr.strip().splitlines()) == 1
    assert "encrypted" in missing.stderr

    wrong = run_cli(bundle, tmp_path / "wrong", "--password", WRONG)
    assert wrong.returncode == 3
    assert "password is wrong" in wrong.stderr
    assert_no_password([wrong.stdout, wrong.stderr], WRONG)

    by_option = run_cli(bundle, tmp_path / "option", "--password", PASSWORD)
    assert by_option.returncode == 0, by_option.stderr
    by_variable = run_cli(
        bundle,
        tmp_path / "variable",
        env={**cli_env(), "MAILBUNDLE_PASSWORD": PASSWORD},
    )
    assert by_variable.returncode == 0, by_variable.stderr

    for result, folder in ((by_option, "option"), (by_variable, "variable")):
        written = [p.read_text() for p in (tmp_path / folder).iterdir()]
        assert_no_password([result.stdout, result.stderr, *written], PASSWORD)
        assert FINDING in (tmp_path / folder / "findings.json").read_text()


def test_password_not_in_repr(tmp_path: Path) -> None:
    bundle = encrypted_bundles(tmp_path)["zipcrypto"]
    analysis = analyze_bundle(bundle, password=PASSWORD)
    assert PASSWORD not in repr(analysis.bundle.options)
    assert PASSWORD not in repr(analysis.bundle)
