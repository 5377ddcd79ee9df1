"""Hostile text in log members: huge lines, NUL bytes, CRLF, Shift_JIS, binary data.

Each oddity is counted in the member's line statistics and shown in the
inventory; none stops the analysis, and memory stays bounded.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
from pathlib import Path

from analyzer.api import Analysis, analyze_bundle
from analyzer.export import read_export
from analyzer.parse.logfile import LineStats
from analyzer.report.context import build_context
from analyzer.report.render import render_html
from tests.conftest import ROOT
from tests.test_hostile_archives import (
    Member,
    assert_finding,
    build_tar,
    entry,
    sample_members,
)

LINE = b"Dec  4 17:08:%02d qradar-console postfix/qmgr[99]: 1A2B3C4D5E: removed\n"


def lines(count: int, start: int = 0) -> bytes:
    return b"".join(LINE % ((start + n) % 60) for n in range(count))


def analyze_with(tmp_path: Path, *extra: Member) -> Analysis:
    members = [Member(n, d) for n, d in sample_members().items()] + list(extra)
    return analyze_bundle(build_tar(tmp_path / "bundle.tar.gz", members))


def stats_of(analysis: Analysis, source: str) -> LineStats:
    for log in analysis.bundle.logs:
        if log.source == source:
            return log.stats
    raise AssertionError(f"{source} was not parsed as a log")


def test_huge_line_is_cut_and_counted(tmp_path: Path) -> None:
    huge = b"Dec  4 17:08:00 qradar-console postfix/smtp[1]: " + b"A" * (
        3 * 1024 * 1024
    )
    analysis = analyze_with(
        tmp_path, Member("maillog.1", lines(5) + huge + b"\n" + lines(5))
    )
    stats = stats_of(analysis, "maillog.1")
    assert stats.cut_lines == 1
    assert stats.lines == 11
    assert entry(analysis, "maillog.1").status == "read"
    assert_finding(analysis)


def test_nul_bytes_counted(tmp_path: Path) -> None:
    damaged = lines(5) + b"\x00" * 5000 + b"\n" + lines(3) + b"abc\x00def\n"
    analysis = analyze_with(tmp_path, Member("maillog.1", damaged))
    stats = stats_of(analysis, "maillog.1")
    assert stats.nul_lines == 2
    assert stats.postfix_lines >= 8
    assert_finding(analysis)


def test_log_starting_with_nul_run_is_read(tmp_path: Path) -> None:
    """A crash can leave a block of NUL bytes at the start of a rotated log."""
    crashed = b"\x00" * (128 * 1024) + b"\n" + lines(20)
    analysis = analyze_with(tmp_path, Member("maillog.1", crashed))
    found = entry(analysis, "maillog.1")
    assert found.kind == "maillog"
    assert found.postfix_lines == 20
    assert_finding(analysis)


def test_line_after_nul_run_is_parsed(tmp_path: Path) -> None:
    """A crash leaves NUL bytes before the next line, with no line break."""
    damaged = lines(2) + b"\x00" * 300 + lines(3, start=2)
    analysis = analyze_with(tmp_path, Member("maillog.1", damaged))
    stats = stats_of(analysis, "maillog.1")
    assert stats.nul_lines == 1
    assert stats.postfix_lines == 5
    assert stats.recognized_lines == 5


def test_cr_line_ends(tmp_path: Path) -> None:
    """Classic Mac OS ended lines with CR alone."""
    analysis = analyze_with(
        tmp_path, Member("maillog.1", lines(7).replace(b"\n", b"\r"))
    )
    stats = stats_of(analysis, "maillog.1")
    assert stats.lines == 7
    assert stats.recognized_lines == 7
    assert "CR line ends read as line breaks" in entry(analysis, "maillog.1").detail


def test_crlf_lines(tmp_path: Path) -> None:
    crlf = lines(30).replace(b"\n", b"\r\n")
    analysis = analyze_with(tmp_path, Member("maillog.1", crlf))
    stats = stats_of(analysis, "maillog.1")
    assert stats.postfix_lines == 30
    assert stats.recognized_lines == 30
    assert_finding(analysis)


def test_shift_jis_bytes_counted(tmp_path: Path) -> None:
    subject = "件名: 配信テスト".encode("shift_jis")
    japanese = (
        b"Dec  4 17:08:10 qradar-console postfix/cleanup[7]: 1A2B3C4D5E: "
        b"warning: header Subject: "
        + subject
        + b" from local; from=<soc@example.com>\n"
    )
    analysis = analyze_with(tmp_path, Member("maillog.1", lines(3) + japanese * 4))
    stats = stats_of(analysis, "maillog.1")
    assert stats.invalid_utf8_lines == 4
    assert stats.postfix_lines == 7
    assert_finding(analysis)


def test_binary_file_named_maillog_is_skipped(tmp_path: Path) -> None:
    noise = random.Random(7).randbytes(256 * 1024)
    analysis = analyze_with(tmp_path, Member("var/log/maillog-20261201", noise))
    found = entry(analysis, "var/log/maillog-20261201")
    assert found.status == "skipped"
    assert "binary data" in found.detail
    assert found.sha256 is not None
    assert not analysis.partial
    assert_finding(analysis)


def test_line_without_end_keeps_memory_bounded(tmp_path: Path) -> None:
    """A 96 MiB log with no line break is cut, and peak memory stays near the base."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    for name, data in sample_members().items():
        (folder / name).write_bytes(data)
    with open(folder / "maillog.1", "wb") as stream:
        stream.write(b"Dec  4 17:08:00 qradar-console postfix/smtp[1]: ")
        block = b"B" * (1024 * 1024)
        for _ in range(96):
            stream.write(block)
    script = (
        "import resource, sys\n"
        "from analyzer.api import analyze_bundle\n"
        "analysis = analyze_bundle(sys.argv[1])\n"
        "assert 'localhost-loop' in [f.code for f in analysis.findings]\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)\n"
    )

    def peak_mib(bundle: Path) -> int:
        result = subprocess.run(
            [sys.executable, "-c", script, str(bundle)],
            capture_output=True, text=True, cwd=ROOT, timeout=300, check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )  # fmt: skip
        return int(result.stdout.split()[-1])

    small = tmp_path / "small"
    small.mkdir()
    for name, data in sample_members().items():
        (small / name).write_bytes(data)
    growth = peak_mib(folder) - peak_mib(small)
    # An estimate with room: the parser keeps about two 16 MiB chunks and copies.
    assert growth < 160, f"peak memory grew by {growth} MiB for a 96 MiB line"


def test_terminal_gets_control_characters_escaped(tmp_path: Path) -> None:
    """An escape sequence in a log line would clear the screen or print a fake
    verdict: summary and trace show it escaped."""
    reply = (
        "Connection refused \x1b]0;title\x07\x1b[2J\x1b[1;31mVERDICT: OK \u202egnp.exe"
    )
    (tmp_path / "maillog").write_text(
        "Dec  4 10:00:00 mx1 postfix/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        "Dec  4 10:00:00 mx1 postfix/qmgr[302]: A1B2C3D4E5: from=<root@example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
        "Dec  4 10:00:01 mx1 postfix/smtp[303]: A1B2C3D4E5: to=<ops@example.com>,"
        " relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect"
        f" to mail.example.com[192.0.2.25]:25: {reply})\n"
    )
    log = str(tmp_path / "maillog")
    for command in (["summary", log], ["trace", log, "A1B2C3D4E5"]):
        result = subprocess.run(
            [sys.executable, "-m", "analyzer", *command, "--year", "2026"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "\x1b" not in result.stdout, command
        assert "\u202e" not in result.stdout, command
        assert "\\x1b[1;31mVERDICT: OK \\u202egnp.exe" in result.stdout, command


def test_report_shows_bidi_controls_as_escapes(tmp_path: Path) -> None:
    """U+202E in a reply would show "exe.pdf" as "fdp.exe" in the report."""
    reply = "Connection refused \u202efdp.exe \x1b[2J"
    (tmp_path / "maillog").write_text(
        "Dec  4 10:00:00 mx1 postfix/qmgr[302]: A1B2C3D4E5: from=<root@example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
        "Dec  4 10:00:01 mx1 postfix/smtp[303]: A1B2C3D4E5: to=<ops@example.com>,"
        " relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect"
        f" to mail.example.com[192.0.2.25]:25: {reply})\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    html = render_html(build_context(analysis, "en"))
    assert "\u202e" not in html
    assert "\x1b" not in html
    assert "\\u202efdp.exe" in html


def test_csv_export_quotes_formulas(tmp_path: Path) -> None:
    """A reply or address that starts like a spreadsheet formula gets a quote in
    the CSV, and read_export gives the text back as it was."""
    reply = '=HYPERLINK("http://192.0.2.9/x","click")'
    (tmp_path / "maillog").write_text(
        "Dec  4 10:00:00 mx1 postfix/qmgr[302]: A1B2C3D4E5: from=<root@example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
        "Dec  4 10:00:01 mx1 postfix/smtp[303]: A1B2C3D4E5: to=<@ops@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/1/0, dsn=5.0.0,"
        f" status=bounced (host mail.example.com[192.0.2.25] said: {reply})\n"
    )
    folder = tmp_path / "export"
    subprocess.run(
        [sys.executable, "-m", "analyzer", "export", str(tmp_path / "maillog"),
         "--format", "csv", "-o", str(folder), "--year", "2026"],
        check=True, capture_output=True,
    )  # fmt: skip
    for path in folder.glob("*.csv"):
        rows = csv.reader(path.read_text().splitlines())
        cells = [cell for row in rows for cell in row]
        assert not [c for c in cells if c[:1] in ("=", "+", "@")], path.name
    deliveries = (folder / "deliveries.csv").read_text()
    assert ",'@ops@example.com," in deliveries
    back = read_export(folder / "deliveries.csv")
    assert back["recipient"].tolist() == ["@ops@example.com"]
    events = read_export(folder / "events.csv")
    assert events["text"].str.contains(reply, regex=False).any()
