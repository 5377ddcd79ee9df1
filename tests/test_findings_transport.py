"""Causes on this host that a delivery record hides: the error transport, an
IPv6-only host, a HOLD rule of header_checks, and a relay out of storage."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analysis.findings import Finding
from analyzer.api import Analysis, analyze_bundle
from analyzer.report.context import build_context

HOST = "alerts1"


def queued(queue_id: str, minute: int, recipients: int = 1) -> str:
    head = f"Dec  4 09:{minute:02d}:00 {HOST} postfix"
    return (
        f"{head}/pickup[400]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/cleanup[401]: {queue_id}: message-id=<{queue_id}@alerts1.example.com>\n"
        f"{head}/qmgr[402]: {queue_id}: from=<root@alerts1.example.com>, size=640, "
        f"nrcpt={recipients} (queue active)\n"
    )


def attempt(
    queue_id: str, minute: int, daemon: str, relay: str, status: str, reply: str
) -> str:
    dsn = {"deferred": "4.3.1", "bounced": "5.0.0"}[status]
    return (
        f"Dec  4 09:{minute:02d}:01 {HOST} postfix/{daemon}[403]: {queue_id}: "
        f"to=<soc@example.com>, relay={relay}, delay=0.2, delays=0.1/0/0/0.1, "
        f"dsn={dsn}, status={status} ({reply})\n"
    )


def analyze(tmp_path: Path, log: str, main_cf: str | None) -> Analysis:
    (tmp_path / "maillog").write_text(log)
    if main_cf is not None:
        (tmp_path / "main.cf").write_text(
            f"myhostname = alerts1.example.com\n{main_cf}"
        )
    return analyze_bundle(tmp_path, year=2026)


def only_finding(analysis: Analysis, code: str) -> Finding:
    found = [f for f in analysis.findings if f.code == code]
    assert len(found) == 1, [f.code for f in analysis.findings]
    return found[0]


ERROR_BOUNCES = "".join(
    queued(f"A1B2C3D4E{n}", n)
    + attempt(f"A1B2C3D4E{n}", n, "error", "none", "bounced", "[mail.example.com]")
    for n in range(3)
)


def test_default_transport_error(tmp_path: Path) -> None:
    """error(8) bounces with the next hop as its text: no server replied."""
    analysis = analyze(
        tmp_path,
        ERROR_BOUNCES,
        "relayhost = [mail.example.com]\ndefault_transport = error\n",
    )
    finding = only_finding(analysis, "error-transport")
    assert finding.severity == "error"
    assert (
        finding.title == "Postfix is set to return this mail: default_transport = error"
    )
    assert "default_transport = error sends them to error(8)" in finding.summary
    assert "Set default_transport = smtp" in finding.remedy
    assert finding.evidence[-1].text == "default_transport = error"
    assert "delivery-failed" not in [f.code for f in analysis.findings]


def test_error_transport_without_main_cf(tmp_path: Path) -> None:
    finding = only_finding(analyze(tmp_path, ERROR_BOUNCES, None), "error-transport")
    assert finding.params["variant"] == "no_config"
    assert "`postconf default_transport relay_transport transport_maps`" in (
        finding.remedy
    )


def test_error_transport_by_transport_maps(tmp_path: Path) -> None:
    finding = only_finding(
        analyze(
            tmp_path, ERROR_BOUNCES, "transport_maps = hash:/etc/postfix/transport\n"
        ),
        "error-transport",
    )
    assert finding.params["variant"] == "routed"
    assert "`postmap -q example.com TABLE`" in finding.remedy


def test_suspended_delivery_not_error_transport(tmp_path: Path) -> None:
    """qmgr hands mail for a destination it marked dead to error(8) too."""
    log = queued("B1B2B3B4B5", 1) + attempt(
        "B1B2B3B4B5",
        1,
        "error",
        "none",
        "deferred",
        "delivery temporarily suspended: connect to mail.example.com[192.0.2.25]:25: "
        "Connection refused",
    )
    codes = [f.code for f in analyze(tmp_path, log, None).findings]
    assert "error-transport" not in codes


AAAA_MISSING = (
    "Host or domain name not found. Name service error for name=mail.example.com "
    "type=AAAA: Host found but no data record of requested type"
)
LITERAL_REFUSED = "Name service error for 192.0.2.25: invalid host or domain name"


@pytest.mark.parametrize(
    ("relayhost", "reply", "names"),
    [
        ("[mail.example.com]", AAAA_MISSING, "mail.example.com"),
        ("[192.0.2.25]", LITERAL_REFUSED, "192.0.2.25"),
    ],
)
def test_ipv6_only_host(tmp_path: Path, relayhost: str, reply: str, names: str) -> None:
    """With inet_protocols = ipv6, Postfix looks up only AAAA records and takes
    no IPv4 literal: the name is right and the fix is inet_protocols."""
    log = "".join(
        queued(f"C1C2C3C4C{n}", n)
        + attempt(f"C1C2C3C4C{n}", n, "smtp", "none", "deferred", reply)
        for n in range(3)
    )
    main_cf = f"relayhost = {relayhost}\ninet_protocols = ipv6\n"
    finding = only_finding(analyze(tmp_path, log, main_cf), "relayhost-unresolvable")
    assert finding.params["variant"] == "ipv6_only"
    assert finding.params["names"] == names
    assert "?" not in finding.summary
    assert "Set inet_protocols = all (or ipv4)" in finding.remedy
    assert "inet_protocols = ipv6" in [e.text for e in finding.evidence]


def test_dual_stack_keeps_typo_diagnosis(tmp_path: Path) -> None:
    log = queued("D1D2D3D4D5", 1) + attempt(
        "D1D2D3D4D5", 1, "smtp", "none", "deferred", AAAA_MISSING
    )
    finding = only_finding(
        analyze(tmp_path, log, "relayhost = [mail.example.com]\n"),
        "relayhost-unresolvable",
    )
    assert finding.params.get("variant", "") != "ipv6_only"


def held_by_rule(queue_id: str, minute: int) -> str:
    return (
        f"Dec  4 09:{minute:02d}:00 {HOST} postfix/cleanup[401]: {queue_id}: hold: "
        f"header Subject: Offense {minute} opened from local; "
        "from=<root@alerts1.example.com>: Offense mail held for review\n"
    )


def test_header_checks_hold_is_error(tmp_path: Path) -> None:
    """Releasing held mail does not help while the HOLD rule is there."""
    log = "".join(
        queued(f"E1E2E3E4E{n}", n) + held_by_rule(f"E1E2E3E4E{n}", n) for n in range(2)
    )
    main_cf = "header_checks = regexp:/etc/postfix/header_checks\n"
    analysis = analyze(tmp_path, log, main_cf)
    finding = only_finding(analysis, "messages-on-hold")
    assert finding.severity == "error"
    assert finding.title == "This host's own content checks hold messages"
    assert finding.params["checked"] == "2"
    assert (
        "`postmap -q 'Subject: Offense 0 opened' regexp:/etc/postfix/header_checks`"
        in finding.remedy
    )
    assert build_context(analysis, "en").verdict["status"] == "failing"
    japanese = build_context(analysis, "ja").findings[0]
    assert (
        japanese["title"]
        == "このホスト自身のコンテンツ・チェックがメッセージを保留しています"
    )


def test_admin_hold_stays_warning(tmp_path: Path) -> None:
    log = queued("F1F2F3F4F5", 1) + (
        f"Dec  4 09:01:30 {HOST} postfix/postsuper[500]: F1F2F3F4F5: placed on hold\n"
    )
    finding = only_finding(analyze(tmp_path, log, None), "messages-on-hold")
    assert finding.severity == "warning"
    assert "variant" not in finding.params


def test_relay_out_of_storage(tmp_path: Path) -> None:
    reply = (
        "host mail.example.com[192.0.2.25] said: 452 4.3.1 Insufficient system "
        "storage (in reply to RCPT TO command)"
    )
    log = "".join(
        queued(f"A9B8C7D6E{n}", n)
        + attempt(
            f"A9B8C7D6E{n}",
            n,
            "smtp",
            "mail.example.com[192.0.2.25]:25",
            "deferred",
            reply,
        )
        for n in range(3)
    )
    finding = only_finding(
        analyze(tmp_path, log, "relayhost = [mail.example.com]\n"),
        "server-storage-full",
    )
    assert finding.messages_affected == 3
    assert "mail.example.com has no storage left" in finding.summary
    assert "free disk space" in finding.remedy


def test_ipv6_only_host_with_misspelled_name(tmp_path: Path) -> None:
    """A name that does not exist is misspelled, whatever inet_protocols is."""
    missing = (
        "Host or domain name not found. Name service error for name=mial.example.com "
        "type=AAAA: Host not found"
    )
    log = queued("C1C2C3C4C1", 1) + attempt(
        "C1C2C3C4C1", 1, "smtp", "none", "deferred", missing
    )
    main_cf = "relayhost = [mial.example.com]\ninet_protocols = ipv6\n"
    finding = only_finding(analyze(tmp_path, log, main_cf), "relayhost-unresolvable")
    assert finding.params.get("variant", "") != "ipv6_only"


def test_relay_transport_error_default(tmp_path: Path) -> None:
    """relay_transport's default is relay, not smtp."""
    finding = only_finding(
        analyze(tmp_path, ERROR_BOUNCES, "relay_transport = error\n"), "error-transport"
    )
    assert "Set relay_transport = relay in" in finding.remedy


def test_hold_rule_removed_since(tmp_path: Path) -> None:
    """main.cf sets no header_checks now: the held mail waits, and no rule to fix."""
    log = queued("E1E2E3E4E0", 0) + held_by_rule("E1E2E3E4E0", 0)
    finding = only_finding(analyze(tmp_path, log, "relayhost = [mail.example.com]\n"),
                           "messages-on-hold")  # fmt: skip
    assert finding.severity == "warning"
    assert finding.params["variant"] == "content_check_gone"
    assert "postmap" not in finding.remedy
