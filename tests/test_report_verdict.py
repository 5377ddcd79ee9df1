"""The verdict names the host it is about when a bundle holds several."""

from __future__ import annotations

from pathlib import Path

from analyzer.api import analyze_bundle
from analyzer.report.context import build_context
from tests.conftest import SAMPLES
from tests.test_findings_servers import TIMEOUT, deferred


def test_two_hosts_verdict_names_host() -> None:
    analysis = analyze_bundle(SAMPLES / "two-hosts.tar.gz")
    verdict = build_context(analysis, "en").verdict
    assert verdict["status"] == "failing"
    assert verdict["detail"].endswith("(qradar-ep1)")


def test_verdict_lists_other_hosts(tmp_path: Path) -> None:
    for host, reply in (
        ("console", TIMEOUT),
        ("processor", "mail for localhost loops back to myself"),
    ):
        folder = tmp_path / host
        folder.mkdir()
        lines = deferred("A1B2C3D4E5", "10:00:00", reply)
        (folder / "maillog").write_text("".join(lines).replace("qradar-console", host))
    analysis = analyze_bundle(tmp_path, year=2026)
    detail = build_context(analysis, "en").verdict["detail"]
    first = analysis.findings[0].host
    other = "processor" if first == "console" else "console"
    assert f"({first})" in detail
    assert detail.endswith(f"Other hosts with problems: {other}.")


def test_backlog_follows_its_cause(tmp_path: Path) -> None:
    """A backlog left by a relay that refuses connections names the refusal first."""
    reply = "connect to mail.example.com[192.0.2.25]:25: Connection refused"
    lines = []
    for number in range(1200):
        stamp = f"10:{number // 60 % 60:02d}:{number % 60:02d}"
        lines += deferred(f"{0xA00000 + number:X}0000", stamp, reply)
    (tmp_path / "maillog").write_text("".join(lines))
    analysis = analyze_bundle(tmp_path, year=2026)
    codes = [(f.code, f.severity) for f in analysis.findings]
    assert codes[:2] == [
        ("relay-connection-failed", "error"),
        ("queue-backlog", "error"),
    ], codes
    verdict = build_context(analysis, "en").verdict
    assert "cannot connect to the mail server" in verdict["detail"]


def test_key_numbers_count_recipients_still_queued() -> None:
    # Three messages reached some recipients and wait for the others: the
    # message counts show none deferred, so the recipients are counted too.
    analysis = analyze_bundle(SAMPLES / "mixed-recipients.tar.gz")
    numbers = dict(build_context(analysis).key_numbers)
    assert numbers["Deferred, still queued"] == "0"
    assert numbers["Delivered to some recipients only"] == "3"
    assert numbers["Recipients still queued"] == "3"
    healthy = dict(
        build_context(analyze_bundle(SAMPLES / "healthy.tar.gz")).key_numbers
    )
    assert "Recipients still queued" not in healthy
