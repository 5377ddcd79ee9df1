"""UTF-16 and UTF-32 logs, as Windows tools save them, are converted to UTF-8 and analyzed."""

from __future__ import annotations

import codecs
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from analyzer.bundle.encoding import DecodingReader, wide_codec
from tests.conftest import cli_env

MESSAGE = [
    "Dec  3 12:0{n}:01 relay1 postfix/pickup[1001]: 4F2A1C0D9{n}: uid=0 "
    "from=<alerts@example.com>",
    "Dec  3 12:0{n}:01 relay1 postfix/cleanup[1002]: 4F2A1C0D9{n}: "
    "message-id=<a{n}@relay1.example.com>",
    "Dec  3 12:0{n}:01 relay1 postfix/qmgr[1003]: 4F2A1C0D9{n}: "
    "from=<alerts@example.com>, size=1234, nrcpt=1 (queue active)",
    "Dec  3 12:0{n}:02 relay1 postfix/smtp[2400]: 4F2A1C0D9{n}: "
    "to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.4, "
    "delays=0.1/0/0.2/0.1, dsn=4.2.2, status=deferred (host "
    "mx.example.net[192.0.2.25] said: 452 4.2.2 Mailbox full (in reply to RCPT "
    "TO command))",
]
# After the first KiB, which is probed for UTF-16 when a text has no byte order
# mark, because ☃ and 😀 have no NUL byte in UTF-16.
SUBJECT = (
    "Dec  3 12:09:01 relay1 postfix/cleanup[1002]: 4F2A1C0D99: warning: header "
    "Subject: Grüße ☃ 😀 from local; from=<alerts@example.com>"
)
TEXT = "".join(line.format(n=n) + "\n" for n in range(3) for line in MESSAGE)
TEXT += SUBJECT + "\n"

ENCODINGS = {
    "LE with mark": (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
    "BE with mark": (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
    "LE without mark": (b"", "utf-16-le", "UTF-16LE"),
    "BE without mark": (b"", "utf-16-be", "UTF-16BE"),
    "UTF-32LE with mark": (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE"),
    "UTF-32BE with mark": (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE"),
}


def encode(kind: str) -> bytes:
    mark, codec, _ = ENCODINGS[kind]
    return mark + TEXT.encode(codec)


@pytest.mark.parametrize("kind", list(ENCODINGS))
def test_utf16_log_in_folder(tmp_path: Path, kind: str) -> None:
    (tmp_path / "maillog").write_bytes(encode(kind))
    analysis = analyze_bundle(tmp_path, year=2026)
    found = analysis.bundle.inventory.entries[0]
    assert found.kind == "maillog"
    assert found.status == "read"
    assert found.lines == 13
    assert found.postfix_lines == 13
    assert found.recognized_lines == 13
    assert found.detail == f"converted from {ENCODINGS[kind][2]} to UTF-8"
    assert "mailbox-full" in [f.code for f in analysis.findings]
    events = analysis.events
    subject = events.loc[events["line_no"] == 13, "text"].tolist()
    assert len(subject) == 1
    assert "Grüße ☃ 😀" in subject[0]
    stats = analysis.bundle.logs[0].stats
    assert stats.invalid_utf8_lines == 0
    assert stats.nul_lines == 0


def test_utf8_mark_keeps_first_line(tmp_path: Path) -> None:
    """A UTF-8 log that a Windows editor saved with a byte order mark: the mark
    is dropped, so the first line keeps its syslog header."""
    (tmp_path / "maillog").write_bytes(codecs.BOM_UTF8 + TEXT.encode())
    analysis = analyze_bundle(tmp_path, year=2026)
    found = analysis.bundle.inventory.entries[0]
    assert found.lines == 13
    assert found.postfix_lines == 13
    assert found.recognized_lines == 13
    first = analysis.events.loc[analysis.events["line_no"] == 1]
    assert first["program"].tolist() == ["postfix/pickup"]


def test_utf16_member_recognized_by_content(tmp_path: Path) -> None:
    """A UTF-16 member whose name says nothing is recognized once decoded."""
    bundle = tmp_path / "bundle.tar.gz"
    data = encode("LE with mark")
    with tarfile.open(bundle, "w:gz") as archive:
        info = tarfile.TarInfo("relay1/exported-events.txt")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    analysis = analyze_bundle(bundle, year=2026)
    found = analysis.bundle.inventory.entries[0]
    assert found.kind == "maillog"
    assert found.postfix_lines == 13
    assert "converted from UTF-16LE" in found.detail


def test_utf16_log_without_postfix_lines(tmp_path: Path) -> None:
    text = "Dec  3 12:00:01 relay1 sshd[77]: Accepted publickey for admin\n" * 20
    (tmp_path / "maillog").write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    (tmp_path / "main.cf").write_text("myhostname = relay1.example.com\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    found = next(e for e in analysis.bundle.inventory.entries if e.path == "maillog")
    assert found.lines == 20
    assert found.detail == "converted from UTF-16LE to UTF-8; no Postfix lines"


def test_cli_utf16_log_file(tmp_path: Path) -> None:
    log = tmp_path / "maillog.txt"
    log.write_bytes(encode("LE with mark"))
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "summary", str(log), "--year", "2026"],
        capture_output=True, text=True, env=cli_env(), timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "13 lines, 13 from Postfix, 13 recognized" in result.stdout
    assert "mailbox-full" in result.stdout


def test_latin1_log_is_not_utf16(tmp_path: Path) -> None:
    """A Latin-1 line is read as Windows-1252, its superset, and counted."""
    (tmp_path / "maillog").write_bytes(TEXT.replace(" ☃ 😀", "").encode("latin-1"))
    analysis = analyze_bundle(tmp_path, year=2026)
    found = analysis.bundle.inventory.entries[0]
    assert found.detail == (
        "1 line(s) with bytes that are not UTF-8: 1 read as Windows-1252"
    )
    assert analysis.bundle.logs[0].stats.invalid_utf8_lines == 1
    subject = analysis.events["text"].iloc[-1]
    assert "Grüße" in subject


@pytest.mark.parametrize(
    ("head", "codec"),
    [
        (codecs.BOM_UTF16_LE + "ab".encode("utf-16-le"), "utf-16"),
        (codecs.BOM_UTF16_BE + "ab".encode("utf-16-be"), "utf-16"),
        ("Dec  3 relay1".encode("utf-16-le"), "utf-16-le"),
        ("Dec  3 relay1".encode("utf-16-be"), "utf-16-be"),
        (b"\x00" * 2048, None),  # a crashed log's hole, not text
        (b"\x00" * 600 + b"Dec  3 12:00:01 relay1 postfix/qmgr[1]: x\n", None),
        ("Dec  3 Grüße".encode("latin-1"), None),
        (b"Dec  3 12:00:01 relay1 postfix/qmgr[1]: x\n", None),
        (b"a", None),
        (b"", None),
    ],
)
def test_utf16_codec_detection(head: bytes, codec: str | None) -> None:
    assert wide_codec(head) == codec


class CountingReader(io.BytesIO):
    """Bytes reader that records the size of each read request."""

    def __init__(self, data: bytes) -> None:
        super().__init__(data)
        self.requests: list[int] = []

    def read(self, size: int | None = -1) -> bytes:
        self.requests.append(-1 if size is None else size)
        return super().read(size)


@pytest.mark.parametrize("size", [1, 2, 3, 7, 4096])
def test_utf16_reader_streams(size: int) -> None:
    """Small reads split code units and surrogate pairs, and the text survives."""
    raw = CountingReader(encode("BE with mark"))
    reader = DecodingReader(raw, "utf-16")
    parts = []
    while part := reader.read(size):
        assert len(part) <= size
        parts.append(part)
    assert b"".join(parts).decode("utf-8") == TEXT
    assert max(raw.requests) <= 2 * size


def test_utf16_reader_odd_last_byte() -> None:
    reader = DecodingReader(io.BytesIO("ab".encode("utf-16-le") + b"c"), "utf-16-le")
    assert reader.read().decode("utf-8") == "ab\ufffd"
