"""Findings from Postfix's own errors: a full disk and other fatal errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle

HEAD = "Dec  3 10:00:00 relay01 postfix"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # sendmail cannot write the queue file: the disk, and nothing else.
        (
            f"{HEAD}/sendmail[700]: fatal: root(0): queue file write error",
            ["disk-full"],
        ),
        (
            f"{HEAD}/postdrop[701]: warning: uid=0: No space left on device",
            ["disk-full"],
        ),
        # Another fatal error is its own finding.
        (
            f"{HEAD}/master[1]: fatal: bind 0.0.0.0 port 25: Address already in use",
            ["postfix-fatal-error"],
        ),
    ],
)
def test_fatal_and_disk_errors(tmp_path: Path, line: str, expected: list[str]) -> None:
    (tmp_path / "maillog").write_text(line + "\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    codes = [f.code for f in analysis.findings if f.severity == "error"]
    assert codes == expected


def test_disk_full_passed_warning(tmp_path: Path) -> None:
    full = f"{HEAD}/smtpd[701]: warning: not enough free space in mail queue: 0 bytes"
    later = (
        "Dec  3 10:30:00 relay01 postfix/smtp[702]: A1B2C3D4E5: to=<soc@example.net>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)"
    )
    (tmp_path / "maillog").write_text(f"{full}\n{later}\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "disk-full")
    assert finding.severity == "warning"
    assert finding.params["variant"] == "passed"
    assert "1 message(s) were delivered after that" in finding.summary
    # Without a later delivery, the log shows the disk still full.
    (tmp_path / "maillog").write_text(f"{later.replace('10:30', '09:30')}\n{full}\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "disk-full")
    assert finding.severity == "error"
