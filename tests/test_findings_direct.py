"""Failures of a host that sends straight to recipient domains (no relayhost).

Such a host looks up and connects to each recipient domain's mail servers
itself: a DNS error or a refused connection at one destination is not a relay
host problem, and, while mail to other domains goes out, not this host's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analysis.findings.failures import (
    RELAY_SET,
    RELAY_UNKNOWN,
    RELAY_UNSET,
    direct_lookups,
)
from analyzer.api import Analysis, analyze_bundle
from tests.conftest import SAMPLES

HOST = "relay01"
NXDOMAIN_MX = (
    "Host or domain name not found. Name service error for name=mx1.example.org "
    "type=AAAA: Host not found"
)
NXDOMAIN_RELAY = (
    "Host or domain name not found. Name service error for name=smtp.corp.example "
    "type=A: Host not found"
)
REFUSED = "connect to mx.dead.example.org[203.0.113.9]:25: Connection refused"


def message(number: int, recipient: str, relay: str, status: str, reply: str) -> str:
    queue_id = f"{0xA0000 + number:X}0"
    head = f"Dec  3 10:{number:02d}:00 {HOST} postfix"
    dsn = {"sent": "2.0.0", "deferred": "4.4.1", "bounced": "5.4.4"}[status]
    return (
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/cleanup[301]: {queue_id}: message-id=<{queue_id}@example.com>\n"
        f"{head}/qmgr[302]: {queue_id}: from=<root@relay01.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/smtp[303]: {queue_id}: to=<{recipient}>, relay={relay}, delay=1,"
        f" delays=0/0/1/0, dsn={dsn}, status={status} ({reply})\n"
    )


def said_by(server: str, text: str, command: str = "RCPT TO") -> str:
    """Return the reply Postfix logs when ``server`` rejects a command."""
    return f"host {server} said: {text} (in reply to {command} command)"


def sent(count: int) -> list[str]:
    return [
        message(
            number,
            f"user{number}@example.net",
            "mx.example.net[198.51.100.25]:25",
            "sent",
            "250 2.0.0 Ok: queued as 4F017AB",
        )
        for number in range(count)
    ]


def analyze(tmp_path: Path, lines: list[str], main_cf: str | None) -> Analysis:
    (tmp_path / "maillog").write_text("".join(lines))
    if main_cf is not None:
        (tmp_path / "main.cf").write_text(
            f"myhostname = relay01.example.com\n{main_cf}"
        )
    return analyze_bundle(tmp_path, year=2026)


def codes(analysis: Analysis) -> dict[str, str]:
    return {f.code: f.severity for f in analysis.findings}


@pytest.mark.parametrize(
    ("recipient", "reply", "code", "instead", "expected_texts"),
    [
        (
            "ops@example.org",
            NXDOMAIN_MX,
            "destination-dns-failed",
            "relayhost-unresolvable",
            ["mx1.example.org", "`host -t mx example.org`"],
        ),
        (
            "ops@dead.example.org",
            REFUSED,
            "destination-unreachable",
            "relay-connection-failed",
            ["mx.dead.example.org", "does not answer on port 25"],
        ),
    ],
)
def test_one_failing_domain_is_warning(
    tmp_path: Path,
    recipient: str,
    reply: str,
    code: str,
    instead: str,
    expected_texts: list[str],
) -> None:
    failed = message(30, recipient, "none", "bounced", reply)
    analysis = analyze(tmp_path, [*sent(20), failed], "relayhost =\n")
    found = codes(analysis)
    assert found[code] == "warning"
    assert instead not in found
    assert not [f.code for f in analysis.findings if f.severity == "error"]
    finding = next(f for f in analysis.findings if f.code == code)
    assert finding.params["elsewhere"] == "20"
    assert finding.params["domains"] == recipient.split("@")[1]
    assert expected_texts[0] in finding.summary
    assert expected_texts[1] in finding.remedy


def test_no_main_cf_several_domains_is_direct(
    tmp_path: Path,
) -> None:
    # No main.cf, and the failing name is neither the recipient's domain nor
    # under it. Mail went to servers of two domains, so there is no relay host.
    other = message(
        21, "ops@example.com", "mx.example.com[192.0.2.26]:25", "sent", "250 2.0.0 Ok"
    )
    failed = message(30, "ops@example.org", "none", "bounced", NXDOMAIN_RELAY)
    analysis = analyze(tmp_path, [*sent(3), other, failed], None)
    found = codes(analysis)
    assert found["destination-dns-failed"] == "warning"
    assert "relayhost-unresolvable" not in found
    # Mail to one domain proves nothing, because the name may be the relay host's.
    analysis = analyze(tmp_path, [*sent(3), failed], None)
    assert "relayhost-unresolvable" in codes(analysis)


def test_temporary_dns_error_stays_local(
    tmp_path: Path,
) -> None:
    # "try again": the resolver got no reply, which may be this host's fault.
    reply = NXDOMAIN_MX.replace(
        "type=AAAA: Host not found", "type=MX: Host not found, try again"
    )
    failed = message(30, "ops@example.org", "none", "deferred", reply)
    analysis = analyze(tmp_path, [failed], "relayhost =\n")
    assert codes(analysis)["dns-lookup-failed"] == "error"
    assert "resolv.conf" in analysis.findings[0].remedy


def test_missing_name_is_recipient_side(tmp_path: Path) -> None:
    # "Host not found" without "try again" is DNS reporting that no such name exists.
    failed = message(30, "ops@example.org", "none", "bounced", NXDOMAIN_MX)
    analysis = analyze(tmp_path, [failed], "relayhost =\n")
    assert codes(analysis)["destination-dns-failed"] == "warning"
    finding = analysis.findings[0]
    assert finding.params["variant"] == "absent"
    assert "do not exist" in finding.summary
    assert "went out" not in finding.summary


def test_dns_error_with_relayhost_set(tmp_path: Path) -> None:
    failed = message(30, "ops@example.org", "none", "deferred", NXDOMAIN_RELAY)
    analysis = analyze(
        tmp_path, [*sent(3), failed], "relayhost = [smtp.corp.example]\n"
    )
    found = codes(analysis)
    assert "relayhost-unresolvable" in found
    assert "destination-dns-failed" not in found


def test_all_domains_failing_blocked_port(tmp_path: Path) -> None:
    timeouts = [
        message(
            number,
            f"ops@{domain}",
            "none",
            "deferred",
            f"connect to mx.{domain}[203.0.113.{number}]:25: Connection timed out",
        )
        for number, domain in enumerate(["example.net", "example.com", "example.org"])
    ]
    analysis = analyze(tmp_path, timeouts, "relayhost =\n")
    finding = next(f for f in analysis.findings if f.code == "relay-connection-failed")
    assert finding.severity == "error"
    assert finding.params["variant"] == "direct_blocked"
    assert "block port 25" in finding.summary
    assert "relayhost = [mail.example.com]" in finding.summary
    # The remedy agrees with the summary: send through the mail server.
    assert finding.remedy.startswith("Set the organization's mail server as relayhost")
    assert "nc -vz" not in finding.remedy
    # One failing domain alone may be that domain's trouble.
    single = tmp_path / "single"
    single.mkdir()
    analysis = analyze(single, timeouts[:1], "relayhost =\n")
    finding = next(f for f in analysis.findings if f.code == "relay-connection-failed")
    assert finding.params["variant"] != "direct_blocked"


def test_lmtp_does_not_prove_outbound(tmp_path: Path) -> None:
    # A mail server's own mailboxes take mail over LMTP, which proves nothing
    # about connections out of the site.
    lmtp = [
        text.replace("/smtp[303]", "/lmtp[303]").replace(
            "mx.example.net[198.51.100.25]:25", "mail01.example.net[192.0.2.12]:7025"
        )
        for text in sent(5)
    ]
    failed = message(30, "ops@dead.example.org", "none", "deferred", REFUSED)
    for folder, main_cf in (("with", "relayhost =\n"), ("without", None)):
        (tmp_path / folder).mkdir()
        analysis = analyze(tmp_path / folder, [*lmtp, failed], main_cf)
        found = codes(analysis)
        assert found["relay-connection-failed"] == "error", main_cf
        assert "destination-unreachable" not in found
        # Delivered into mailboxes, not handed to a next server that may hold it.
        assert "accepted-by-relay" not in found


def test_queue_listing_of_logged_messages(tmp_path: Path) -> None:
    failed = message(30, "ops@dead.example.org", "none", "deferred", REFUSED)
    (tmp_path / "mailq.txt").write_text(
        "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
        "A001E0         700 Thu Dec  3 10:30:00  root@relay01.example.com\n"
        f"({REFUSED})\n"
        "                                         ops@dead.example.org\n\n"
        "-- 1 Kbytes in 1 Request.\n"
    )
    analysis = analyze(tmp_path, [*sent(20), failed], "relayhost =\n")
    found = codes(analysis)
    assert found["destination-unreachable"] == "warning"
    assert "relay-connection-failed" not in found
    assert len(analysis.queue) == 1


def test_refused_relay_host_is_error(
    tmp_path: Path,
) -> None:
    reply = REFUSED.replace("mx.dead.example.org", "smtp.corp.example")
    failed = message(30, "ops@example.org", "none", "deferred", reply)
    analysis = analyze(
        tmp_path, [*sent(5), failed], "relayhost = [smtp.corp.example]\n"
    )
    found = codes(analysis)
    assert found["relay-connection-failed"] == "error"
    assert "destination-unreachable" not in found


def test_helo_rejection_finding(tmp_path: Path) -> None:
    reply = said_by(
        "mx.example.org[192.0.2.30]",
        "450 4.7.1 <relay01>: Helo command rejected: Host not found",
    )
    failed = message(
        30, "ops@example.org", "mx.example.org[192.0.2.30]:25", "deferred", reply
    )
    analysis = analyze(tmp_path, [failed], "relayhost =\n")
    found = codes(analysis)
    assert "helo-rejected" in found
    finding = next(f for f in analysis.findings if f.code == "helo-rejected")
    # A short HELO name: the fix is a full name, not a DNS record for this one.
    assert finding.params.get("variant", "") == ""
    assert "fully qualified name" in finding.remedy
    assert "relayhost-unresolvable" not in found
    finding = next(f for f in analysis.findings if f.code == "helo-rejected")
    assert [e.text for e in finding.evidence if e.kind == "config"] == [
        "myhostname = relay01.example.com",
        '(smtp_helo_name is not set; default: "relay01.example.com")',
    ]


MAILQ = """\
-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
4B1C2D3E5F*    1200 Thu Dec  3 10:00:00  root@relay01.example.com
(Host or domain name not found. Name service error for name=example.org type=MX: Host not found, try again)
                                         ops@example.org

5B1C2D3E5F     1200 Thu Dec  3 10:01:00  root@relay01.example.com
(Host or domain name not found. Name service error for name=example.net type=MX: Host not found, try again)
                                         soc@example.net

6B1C2D3E5F     1200 Thu Dec  3 10:02:00  root@relay01.example.com
(connect to mx.example.com[192.0.2.25]:25: Connection timed out)
                                         admin@example.com

-- 4 Kbytes in 3 Requests.
"""


def test_queue_listing_alone_direct_domains(
    tmp_path: Path,
) -> None:
    (tmp_path / "mailq.txt").write_text(MAILQ)
    analysis = analyze_bundle(tmp_path, year=2026)
    found = {f.code: f for f in analysis.findings}
    assert "relayhost-mx-lookup" not in found
    dns = found["dns-lookup-failed"]
    assert dns.params["variant"] == "no_config"
    assert dns.params["names"] == "example.org, example.net"
    assert "relayhost = [example.org]" not in dns.remedy
    connect = found["relay-connection-failed"]
    assert connect.params["relays"] == "mx.example.com"
    assert "`nc -vz mx.example.com 25`" in connect.remedy


@pytest.mark.parametrize(
    ("failures", "states", "expected"),
    [
        # Without relayhost every lookup is of a destination, even an MX host's name.
        ([("a", "mx1.example.org", "example.org")], {"a": RELAY_UNSET}, [True]),
        # With relayhost set, the lookup is of the relay host.
        ([("a", "example.org", "example.org")], {"a": RELAY_SET}, [False]),
        # Without main.cf: the recipient's own domain, or a name under it.
        ([("a", "example.org", "example.org")], {"a": RELAY_UNKNOWN}, [True]),
        ([("a", "mx1.example.org", "example.org")], {"a": RELAY_UNKNOWN}, [True]),
        ([("a", "smtp.corp.example", "example.org")], {"a": RELAY_UNKNOWN}, [False]),
        # "badexample.org" is not under "example.org".
        ([("a", "badexample.org", "example.org")], {"a": RELAY_UNKNOWN}, [False]),
        # Two names on one host: one relay host has one name.
        (
            [
                ("a", "mx.one.example", "x.example"),
                ("a", "mx.two.example", "y.example"),
            ],
            {"a": RELAY_UNKNOWN},
            [True, True],
        ),
        # The same two names on two hosts do not count together.
        (
            [
                ("a", "mx.one.example", "x.example"),
                ("b", "mx.two.example", "y.example"),
            ],
            {"a": RELAY_UNKNOWN, "b": RELAY_UNKNOWN},
            [False, False],
        ),
        # A failure without a name is not a destination unless relayhost is unset.
        ([("a", None, "example.org")], {"a": RELAY_UNKNOWN}, [False]),
        ([("a", None, "example.org")], {"a": RELAY_UNSET}, [True]),
    ],
)
def test_direct_lookups(
    failures: list[tuple[str | None, str | None, str | None]],
    states: dict[str, str],
    expected: list[bool],
) -> None:
    assert direct_lookups(failures, lambda host: states[str(host)]) == expected


def test_temporary_recipient_rejection_is_not_unknown_user(tmp_path: Path) -> None:
    """A 4xx "Recipient address rejected" means the server could not check the
    address (here its DNS lookup of the domain failed), not that it is unknown."""
    reply = said_by(
        "mx.example.org[192.0.2.30]",
        "450 4.1.2 <ops@example.org>: Recipient address rejected: Domain not found",
    )
    failed = [
        message(
            40 + n,
            "ops@example.org",
            "mx.example.org[192.0.2.30]:25",
            "deferred",
            reply,
        )
        for n in range(3)
    ]
    analysis = analyze(tmp_path, [*sent(2), *failed], "relayhost =\n")
    found = codes(analysis)
    assert "unknown-recipient" not in found
    assert "delivery-failed" in found
    finding = next(f for f in analysis.findings if f.code == "delivery-failed")
    assert finding.messages_affected == 3
    assert any("Domain not found" in e.text for e in finding.evidence)


GREYLISTED = said_by(
    "mx.example.org[192.0.2.30]",
    "450 4.7.1 <ops@example.org>: Recipient address rejected: Greylisted, try again"
    " later",
)


@pytest.mark.parametrize("retried", [True, False])
def test_greylisting_says_whether_retry_accepted(tmp_path: Path, retried: bool) -> None:
    relay = "mx.example.org[192.0.2.30]:25"
    lines = [message(50, "ops@example.org", relay, "deferred", GREYLISTED)]
    if retried:
        accepted = message(50, "ops@example.org", relay, "sent", "250 2.0.0 Ok")
        # Only the delivery line: the same message, tried again nine minutes later.
        lines.append(accepted.splitlines(keepends=True)[-1].replace("10:50", "10:59"))
    analysis = analyze(tmp_path, lines, "relayhost =\n")
    finding = next(f for f in analysis.findings if f.code == "greylisting")
    if retried:
        assert finding.severity == "info"
        assert finding.title.endswith("later ones accepted")
        assert finding.remedy.startswith("Nothing is broken")
    else:
        assert finding.severity == "warning"
        assert "accepted" not in finding.title
        assert "no later attempt" in finding.summary
        assert "Nothing is broken" not in finding.remedy
        assert "postqueue -f" in finding.remedy


def test_helo_rejection_of_full_name_asks_for_dns() -> None:
    """A real Postfix 3.7 whose fully qualified myhostname the relay cannot
    resolve: the fix is a DNS record, not another myhostname."""
    analysis = analyze_bundle(SAMPLES / "helo-rejected.tar.gz")
    finding = next(f for f in analysis.findings if f.code == "helo-rejected")
    assert finding.params["variant"] == "unresolved"
    assert finding.params["helo"] == "qradar-console.example.com"
    assert "qradar-console.example.com" in finding.remedy
    assert "DNS" in finding.remedy
    assert "such as host.example.com" not in finding.remedy


def notice(number: int, domain: str) -> str:
    """A non-delivery notice to a sender at ``domain``, deferred and then expired."""
    queue_id = f"{0xB0000 + number:X}0"
    head = f"Dec  3 11:{number:02d}:00 {HOST} postfix"
    return (
        f"{head}/qmgr[302]: {queue_id}: from=<>, size=2400, nrcpt=1 (queue active)\n"
        f"{head}/smtp[303]: {queue_id}: to=<x{number}@{domain}>, relay=none, delay=9,"
        f" delays=0/0/9/0, dsn=4.4.1, status=deferred (connect to mx.{domain}"
        "[203.0.113.7]:25: Connection timed out)\n"
        f"{head}/qmgr[302]: {queue_id}: from=<>, status=expired, returned to sender\n"
    )


def test_notices_to_unreachable_senders_are_backscatter(tmp_path: Path) -> None:
    """Notices that cannot be returned (to a spammer's domain, say) are not this
    host's own mail failing: one finding names them, and no expiry or relay error."""
    lines = [*sent(4), *(notice(n, "spam-sender.example") for n in range(3))]
    analysis = analyze(tmp_path, lines, "relayhost =\n")
    found = codes(analysis)
    assert found["notices-undeliverable"] == "warning"
    assert "messages-expired" not in found
    assert "relay-connection-failed" not in found
    assert "destination-unreachable" not in found
    finding = next(f for f in analysis.findings if f.code == "notices-undeliverable")
    assert finding.messages_affected == 3
    assert finding.params["domains"] == "spam-sender.example"
    assert "backscatter" in finding.summary


def test_local_mailbox_alias_names_the_user(tmp_path: Path) -> None:
    """The alias example forwards the user whose mailbox stores the mail."""
    stored = message(
        60, "nagios@localhost", "local", "sent", "delivered to mailbox"
    ).replace("postfix/smtp[303]", "postfix/local[304]")
    analysis = analyze(tmp_path, [stored], "relayhost =\n")
    finding = next(f for f in analysis.findings if f.code == "local-mailbox-delivery")
    assert finding.params["user"] == "nagios"
    assert '"nagios: admin@example.com"' in finding.remedy


RELAY = "mail.example.com[192.0.2.25]"


def relayed(numbers: range, recipient: str) -> list[str]:
    """Return messages to ``recipient`` that the relay host accepted."""
    return [
        message(n, recipient, f"{RELAY}:25", "sent", "250 2.0.0 Ok: queued as 7C8D")
        for n in numbers
    ]


def relay_denied(numbers: range, recipient: str) -> list[str]:
    """Return messages to ``recipient`` that the relay host rejected with 554."""
    reply = said_by(RELAY, f"554 5.7.1 <{recipient}>: Relay access denied")
    return [message(n, recipient, f"{RELAY}:25", "bounced", reply) for n in numbers]


def test_relay_refused_for_some_domains(tmp_path: Path) -> None:
    """The relay host takes this host's mail for its own domain and rejects
    relaying to another: it accepts this host, so its IP address is not the cause."""
    lines = relayed(range(3), "soc@example.com") + relay_denied(
        range(3, 5), "noc@example.net"
    )
    analysis = analyze(tmp_path, lines, "relayhost = [mail.example.com]\n")
    finding = next(f for f in analysis.findings if f.code == "relay-access-denied")
    assert finding.params["variant"] == "some_domains"
    assert finding.params["delivered_there"] == "3"
    assert "does not relay it to these domains" in finding.summary
    assert "from this host's IP address" not in finding.remedy
    assert "postfix flush" not in finding.remedy  # the rejected mail bounced


def test_relay_refused_for_a_domain_it_took_before(tmp_path: Path) -> None:
    """The server took mail for example.net and now rejects it: its permission for
    this host changed, so the finding does not say it takes this host's mail."""
    lines = relayed(range(3), "soc@example.net") + relay_denied(
        range(10, 12), "soc@example.net"
    )
    analysis = analyze(tmp_path, lines, "relayhost = [mail.example.com]\n")
    finding = next(f for f in analysis.findings if f.code == "relay-access-denied")
    assert finding.params.get("variant", "") != "some_domains"
