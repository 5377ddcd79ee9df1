"""Messages that expired in the queue: the lifetime that main.cf or the log shows."""

from __future__ import annotations

from pathlib import Path

from analyzer.analysis.findings import Finding
from analyzer.api import analyze_bundle
from analyzer.report.context import build_context


def expired(number: int, sender: str, delay: int) -> str:
    """Return a message whose last attempt, ``delay`` seconds after its arrival,
    is deferred, after which Postfix returns it."""
    queue_id = f"{0xC0000 + number:X}0"
    head = f"Dec  3 14:{number:02d}:00 relay01 postfix"
    return (
        f"{head}/qmgr[302]: {queue_id}: from=<{sender}>, size=900, nrcpt=1 "
        "(queue active)\n"
        f"{head}/smtp[303]: {queue_id}: to=<user{number}@example.net>, relay=none, "
        f"delay={delay}, delays={delay - 30}/0/30/0, dsn=4.4.1, status=deferred "
        "(connect to mx.example.net[192.0.2.25]:25: Connection timed out)\n"
        f"{head}/qmgr[302]: {queue_id}: from=<{sender}>, status=expired, "
        "returned to sender\n"
        f"{head}/qmgr[302]: {queue_id}: removed\n"
    )


LOG = [
    expired(1, "ops@example.com", 7469),
    expired(2, "ops@example.com", 17887),
    # A bounce notice expires by bounce_queue_lifetime: it counts with the notices.
    expired(3, "", 3600),
]


def expiry(tmp_path: Path, main_cf: str | None, log: list[str] = LOG) -> Finding:
    (tmp_path / "maillog").write_text("".join(log))
    if main_cf is not None:
        (tmp_path / "main.cf").write_text(main_cf)
    analysis = analyze_bundle(tmp_path, year=2026)
    found = [f for f in analysis.findings if f.code == "messages-expired"]
    assert len(found) == 1
    return found[0]


def test_expiry_lifetime_from_log(tmp_path: Path) -> None:
    finding = expiry(tmp_path, None)
    # The expired notice is reported with the notices that could not be returned.
    assert finding.messages_affected == 2
    assert finding.params["variant"] == "from_log"
    summary = finding.summary
    assert "longer than maximal_queue_lifetime (5d)" not in summary
    assert "Postfix's default is 5d" in summary
    assert "2.1 to 5.0 hours after they arrived" in summary
    assert "about 2.1 hours at most" in summary


def test_expiry_lifetime_from_log_japanese(tmp_path: Path) -> None:
    expiry(tmp_path, None)
    analysis = analyze_bundle(tmp_path, year=2026)
    texts = [
        f["summary"]
        for f in build_context(analysis, "ja").findings
        if f["code"] == "messages-expired"
    ]
    assert len(texts) == 1
    assert "2.1 時間" in texts[0]


def test_expiry_lifetime_set_in_main_cf(tmp_path: Path) -> None:
    finding = expiry(tmp_path, "maximal_queue_lifetime = 2h\n")
    assert finding.params.get("variant", "") == ""
    assert "longer than maximal_queue_lifetime (2h)" in finding.summary


def test_expiry_default_lifetime_named(tmp_path: Path) -> None:
    """Without a shorter expiry in the log, the text calls 5d the default."""
    log = [expired(1, "ops@example.com", 432400)]
    finding = expiry(tmp_path, "myhostname = relay01.example.com\n", log)
    assert finding.params["variant"] == "default"
    assert "Postfix's default, 5d" in finding.summary


def test_expired_notice_reported_as_notice(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text("".join(LOG))
    analysis = analyze_bundle(tmp_path, year=2026)
    notices = [f for f in analysis.findings if f.code == "notices-undeliverable"]
    assert len(notices) == 1
    assert notices[0].messages_affected == 1
    assert notices[0].params["lost"] == 1
    assert any("status=expired" in e.text for e in notices[0].evidence)
