"""Postfix stopped: by its last start or stop line, and by mail submitted while it
was not running, which postdrop logs as "unable to look up public/pickup"."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle

STOP = "Dec  3 15:00:00 relay01 postfix/master[900]: terminating on signal 15\n"
START = (
    "Dec  3 15:20:00 relay01 postfix/master[950]: daemon started -- version 3.7.11,"
    " configuration /etc/postfix\n"
)


def postdrop(minute: int) -> str:
    return (
        f"Dec  3 15:{minute:02d}:00 relay01 postfix/postdrop[{300 + minute}]: warning:"
        " unable to look up public/pickup: No such file or directory\n"
    )


@pytest.mark.parametrize(
    ("lines", "severity", "variant", "waiting"),
    [
        ([STOP, postdrop(10), postdrop(11)], "error", "waiting", "2"),
        ([STOP], "warning", "", "0"),
        # The log begins after the stop: postdrop alone shows it.
        ([postdrop(10)], "error", "pickup", "1"),
        # Started again after the failed submissions: nothing left to report.
        ([STOP, postdrop(10), START], None, None, None),
        # Only submissions after the stop wait for it to end.
        ([postdrop(0).replace("15:00", "14:50"), STOP], "warning", "", "0"),
    ],
)
def test_postfix_stopped(
    tmp_path: Path,
    lines: list[str],
    severity: str | None,
    variant: str | None,
    waiting: str | None,
) -> None:
    (tmp_path / "maillog").write_text("".join(lines))
    analysis = analyze_bundle(tmp_path, year=2026)
    found = [f for f in analysis.findings if f.code == "postfix-stopped"]
    codes = [f.code for f in analysis.findings]
    if severity is None:
        assert not found
        return
    assert [f.severity for f in found] == [severity]
    assert found[0].params["variant"] == variant
    assert found[0].params["waiting"] == waiting
    if waiting != "0":
        # The submissions show mail did reach the host: not "no mail activity".
        assert "no-mail-activity" not in codes
        assert codes[0] == "postfix-stopped"


SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "bundles"


def test_stopped_with_mail_in_maildrop() -> None:
    """A real Postfix 3.7, stopped, then sent three messages: postdrop logs
    nothing (the pickup socket is still there), and only the queue listings,
    made with "Mail system is down", show the mail waiting in maildrop."""
    analysis = analyze_bundle(SAMPLES / "postfix-stopped.tar.gz")
    finding = next(f for f in analysis.findings if f.code == "postfix-stopped")
    assert finding.severity == "error"
    assert finding.params["variant"] == "queued"
    assert finding.params["queued"] == "3"
    assert finding.messages_affected == 3
    assert "3 message(s) in the maildrop queue" in finding.summary
    kinds = [e.kind for e in finding.evidence]
    assert kinds.count("queue") == 3
    assert any("Mail system is down" in e.text for e in finding.evidence)
    # The reasons quote the stop and postqueue's line alike.
    assert '"terminating on signal 15"' in finding.params["reasons"]
    assert (
        "Mail system is down -- accessing queue directly" in finding.params["reasons"]
    )
    assert analysis.findings[0] is finding
