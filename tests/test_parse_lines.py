"""Splitting log bytes into numbered lines, whatever the size of the reads."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from analyzer.parse import legacy
from analyzer.parse.lines import CHUNK_BYTES, MAX_LINE_BYTES, iter_line_chunks

SHORT = b"Dec  3 12:00:01 relay1 postfix/qmgr[1003]: 4F2A1C0D9E: removed\n"


def expected_lines(data: bytes) -> list[str]:
    """Return the lines of ``data`` as the splitter should give them."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
        ends = [b"\n"] * len(lines)
    else:
        ends = [b"\n"] * (len(lines) - 1) + [b""]
    result = []
    for line, end in zip(lines, ends, strict=True):
        if len(line) + len(end) > MAX_LINE_BYTES:
            line, end = line[:MAX_LINE_BYTES], b"\n"
        result.append((line + end).decode("utf-8", errors="ignore"))
    return result


def split(data: bytes, chunk_bytes: int) -> tuple[list[str], int, list[int]]:
    """Return the lines, the cut line count and each chunk's first line number."""
    chunks = list(iter_line_chunks(io.BytesIO(data), chunk_bytes))
    lines = [line for chunk in chunks for line in chunk.lines.to_pylist()]
    cut = sum(chunk.cut_lines for chunk in chunks)
    return lines, cut, [chunk.first_line_no for chunk in chunks]


def numbering_is_continuous(data: bytes, chunk_bytes: int) -> bool:
    chunks = list(iter_line_chunks(io.BytesIO(data), chunk_bytes))
    following = 1
    for chunk in chunks:
        if chunk.first_line_no != following:
            return False
        following += len(chunk.lines)
    return True


READ_SIZES = [1, 7, 4096, MAX_LINE_BYTES - 1, MAX_LINE_BYTES + 1, 3 * MAX_LINE_BYTES]


@pytest.mark.parametrize("chunk_bytes", READ_SIZES)
def test_long_line_counts_once(chunk_bytes: int) -> None:
    long_line = b"Dec  3 12:05:00 relay1 postfix/smtpd[5]: warning: " + b"A" * (
        3 * MAX_LINE_BYTES + 17
    )
    data = SHORT * 6 + long_line + b"\n" + SHORT * 6
    lines, cut, _ = split(data, chunk_bytes)
    assert len(lines) == 13
    assert cut == 1
    assert lines == expected_lines(data)
    assert numbering_is_continuous(data, chunk_bytes)


@pytest.mark.parametrize("chunk_bytes", READ_SIZES)
def test_long_lines_at_edges(chunk_bytes: int) -> None:
    """Long lines first, in a row, exactly at the limit and unfinished at the end."""
    exact = b"B" * (MAX_LINE_BYTES - 1) + b"\n"  # at the limit with its line break
    over = b"C" * MAX_LINE_BYTES + b"\n"  # one byte over with its line break
    data = (
        b"D" * (2 * MAX_LINE_BYTES) + b"\n"
        + b"E" * (MAX_LINE_BYTES + 5) + b"\n"
        + exact + over + SHORT
        + b"F" * (5 * MAX_LINE_BYTES)
    )  # fmt: skip
    lines, cut, _ = split(data, chunk_bytes)
    assert lines == expected_lines(data)
    assert len(lines) == 6
    assert cut == 4
    assert numbering_is_continuous(data, chunk_bytes)


@pytest.mark.parametrize("chunk_bytes", [1, 1000, MAX_LINE_BYTES + 1])
def test_cut_inside_character_stays_valid(chunk_bytes: int) -> None:
    """A cut through a two-byte character drops it and counts no invalid UTF-8."""
    data = b"x" + "é".encode() * MAX_LINE_BYTES + b"\n" + SHORT
    chunks = list(iter_line_chunks(io.BytesIO(data), chunk_bytes))
    lines = [line for chunk in chunks for line in chunk.lines.to_pylist()]
    assert len(lines) == 2
    assert lines[0] == "x" + "é" * ((MAX_LINE_BYTES - 1) // 2) + "\n"
    assert sum(chunk.invalid_utf8_lines for chunk in chunks) == 0
    assert lines[1] == SHORT.decode()


def test_line_numbers_after_line_of_several_chunks(tmp_path: Path) -> None:
    """Evidence line numbers match the file's after a line longer than a read."""
    deferred = (
        "Dec  3 12:0{n}:01 relay1 postfix/smtp[240{n}]: 4F2A1C0D9{n}: "
        "to=<bob@example.net>, relay=mx.example.net[192.0.2.25]:25, delay=0.4, "
        "delays=0.1/0/0.2/0.1, dsn=4.2.2, status=deferred (host "
        "mx.example.net[192.0.2.25] said: 452 4.2.2 Mailbox full (in reply to "
        "RCPT TO command))\n"
    )
    huge = "Dec  3 12:05:00 relay1 postfix/smtpd[5]: warning: " + "A" * (
        CHUNK_BYTES + MAX_LINE_BYTES
    )
    text = [deferred.format(n=0), *[SHORT.decode()] * 5, huge + "\n"]
    text += [deferred.format(n=1), *[SHORT.decode()] * 4, deferred.format(n=2)]
    log = tmp_path / "maillog"
    log.write_text("".join(text))

    analysis = analyze_bundle(log, year=2026)
    found = analysis.bundle.inventory.entries[0]
    assert found.lines == 13
    assert analysis.bundle.logs[0].stats.cut_lines == 1
    events = analysis.events
    smtp = events[events["daemon"] == "smtp"].sort_values("line_no")
    assert smtp["line_no"].tolist() == [1, 8, 13]


def test_inventory_names_lines_not_read_as_written(tmp_path: Path) -> None:
    """A cut line, bytes that are not UTF-8 and NUL bytes change what the analysis
    reads: the member's inventory entry gives how many lines each affected."""
    head = b"Dec  3 10:00:00 mx1 postfix/smtpd[100]: "
    (tmp_path / "maillog").write_bytes(
        head + b"connect from a" + b"x" * (70 * 1024) + b".example.com[192.0.2.1]\n"
        + head + b"connect from j\xfcrgen.example.com[192.0.2.2]\n"
        + head + b"connect from nul\x00.example.com[192.0.2.3]\n"
        + head + b"connect from ok.example.com[192.0.2.4]\n"
    )  # fmt: skip
    entry = next(
        e for e in analyze_bundle(tmp_path, year=2026).bundle.inventory.entries
        if e.path.endswith("maillog")
    )  # fmt: skip
    assert entry.status == "read"
    assert "1 line(s) longer than 64 KiB cut to that length" in entry.detail
    assert "1 line(s) with bytes that are not UTF-8: 1 read as Windows-1252" in (
        entry.detail
    )
    assert "1 line(s) with NUL bytes" in entry.detail


SUBJECT = "件名 サーバー障害のお知らせ"
"""A Japanese subject, as header_checks logs it."""


@pytest.mark.parametrize(
    ("raw", "text", "codec"),
    [
        (SUBJECT.encode("cp932"), SUBJECT, "cp932"),
        (SUBJECT.encode("euc_jp"), SUBJECT, "euc_jp"),
        ("Grüße aus Köln".encode("latin-1"), "Grüße aus Köln", "cp1252"),
        # Latin-1 bytes that Shift_JIS also reads: as half-width katakana or
        # as a lone kanji between Latin letters.
        ("Straße".encode("latin-1"), "Straße", "cp1252"),
        ("Åsa Öberg".encode("latin-1"), "Åsa Öberg", "cp1252"),
        ("Renée François".encode("latin-1"), "Renée François", "cp1252"),
        ("José".encode("latin-1"), "José", "cp1252"),
        # EUC-JP katakana, which Shift_JIS reads as half-width katakana.
        ("テスト".encode("euc_jp"), "テスト", "euc_jp"),
        ("障害通知".encode("cp932"), "障害通知", "cp932"),
        # UTF-8 with a character cut in two stays UTF-8: no mojibake.
        (SUBJECT.encode("utf-8")[:-1], SUBJECT[:-1] + "\ufffd", "replaced"),
        # Bytes that no encoding reads keep U+FFFD.
        (b"ab\x81\x8d\x90", "ab\ufffd\ufffd\ufffd", "replaced"),
        (b"plain ASCII", "plain ASCII", None),
    ],
)
def test_legacy_encodings_per_line(raw: bytes, text: str, codec: str | None) -> None:
    assert legacy.decode_line(raw) == (text, codec)


def test_japanese_subject_kept_in_the_log(tmp_path: Path) -> None:
    """A Shift_JIS subject in a header_checks warning reads as Japanese, while
    the UTF-8 lines around it stay as they are."""
    head = "Dec  3 10:00:00 mx1 postfix/cleanup[200]: 4F2A1C0D9E: "
    (tmp_path / "maillog").write_bytes(
        f"{head}message-id=<a@example.com>\n".encode()
        + f"{head}warning: header Subject: {SUBJECT} from local; ".encode("cp932")
        + b"from=<root@mx1.example.com>\n"
        + f"{head}warning: header Subject: 日本語 from local; x\n".encode()
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    texts = analysis.events["text"].tolist()
    assert SUBJECT in texts[1]
    assert "日本語" in texts[2]
    entry = analysis.bundle.inventory.entries[0]
    assert (
        entry.detail == "1 line(s) with bytes that are not UTF-8: 1 read as Shift_JIS"
    )
