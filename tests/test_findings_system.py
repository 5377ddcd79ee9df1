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
