""" "mail for NAME loops back to myself": three causes, three fixes.

Postfix's smtp client returns the mail so when the server it reaches is this
host: relayhost names this host, the recipient's domain is this host's own name
and mydestination lacks it, or the server greets with this host's myhostname.
"""

from __future__ import annotations

from pathlib import Path

from analyzer.api import Analysis, analyze_bundle

HOST = "gw04"


def message(number: int, recipient: str, relay: str, status: str, reply: str) -> str:
    queue_id = f"{0xB0000 + number:X}0"
    head = f"Dec  3 11:{number:02d}:00 {HOST} postfix"
    dsn = {"sent": "2.0.0", "bounced": "5.4.6", "deferred": "4.3.5"}[status]
    return (
        f"{head}/pickup[400]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/qmgr[402]: {queue_id}: from=<root@gw04.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/smtp[403]: {queue_id}: to=<{recipient}>, relay={relay}, delay=1,"
        f" delays=0/0/1/0, dsn={dsn}, status={status} ({reply})\n"
    )


def deferred_loops(count: int, reply: str) -> list[str]:
    """Return ``count`` messages to soc@example.com deferred with ``reply``."""
    return [
        message(n, "soc@example.com", "none", "deferred", reply) for n in range(count)
    ]


def analyze(tmp_path: Path, lines: list[str], main_cf: str) -> Analysis:
    (tmp_path / "maillog").write_text("".join(lines))
    (tmp_path / "main.cf").write_text(main_cf)
    return analyze_bundle(tmp_path, year=2026)


def codes(analysis: Analysis) -> dict[str, str]:
    return {f.code: f.severity for f in analysis.findings}


def test_loop_server_greets_with_myhostname(tmp_path: Path) -> None:
    # myhostname is the relay's name: the relay's greeting looks like this host.
    greeting = (
        f"Dec  3 11:{{n:02d}}:00 {HOST} postfix/smtp[403]: warning: host"
        " mail.example.com[192.0.2.25]:25 greeted me with my own hostname"
        " mail.example.com\n"
    )
    lines = [
        greeting.format(n=n)
        + message(
            n,
            "soc@example.com",
            "mail.example.com[192.0.2.25]:25",
            "bounced",
            "mail for mail.example.com loops back to myself",
        )
        for n in range(3)
    ]
    main_cf = "myhostname = mail.example.com\nrelayhost = [mail.example.com]\n"

    analysis = analyze(tmp_path, lines, main_cf)

    found = codes(analysis)
    assert found.get("myhostname-conflict") == "error"
    assert "localhost-loop" not in found
    assert "relayhost-loopback" not in found  # relayhost is right

    finding = analysis.findings[0]
    assert finding.code == "myhostname-conflict"
    assert finding.params["server"] == "mail.example.com[192.0.2.25]"
    assert finding.params["own_name"] == "mail.example.com"
    assert '"mail for mail.example.com loops back to myself"' in finding.summary
    assert "greeted me with my own hostname" in finding.evidence[0].text
    assert "myhostname = mail.example.com" in [e.text for e in finding.evidence]
    assert "set myhostname" in finding.remedy
    assert "relayhost = [mail.example.com]" not in finding.remedy


def test_loop_to_own_name_without_mydestination(tmp_path: Path) -> None:
    # No relayhost. Cron mail to the host's own name finds that its MX is this host.
    own = [
        message(
            n,
            "admin@gw04.example.com",
            "none",
            "bounced",
            "mail for gw04.example.com loops back to myself",
        )
        for n in range(2)
    ]
    out = [
        message(
            n,
            "soc@example.net",
            "mx.example.net[198.51.100.25]:25",
            "sent",
            "250 2.0.0 Ok: queued as 4F017AB",
        )
        for n in range(2, 6)
    ]
    main_cf = "myhostname = gw04.example.com\nrelayhost =\nmydestination = localhost\n"

    analysis = analyze(tmp_path, own + out, main_cf)

    found = codes(analysis)
    # Mail to the outside goes out, so this is a warning, not a failing host.
    assert found.get("own-name-loop") == "warning"
    assert "localhost-loop" not in found

    finding = next(f for f in analysis.findings if f.code == "own-name-loop")
    assert finding.params["domain"] == "gw04.example.com"
    assert "mail for gw04.example.com loops back to myself" in finding.summary
    assert "mail for localhost" not in finding.summary
    assert "mydestination = localhost" in [e.text for e in finding.evidence]
    assert "add $myhostname to mydestination" in finding.remedy


def test_loop_relayhost_is_this_host(tmp_path: Path) -> None:
    lines = deferred_loops(3, "mail for localhost loops back to myself")
    main_cf = "myhostname = gw04.example.com\nrelayhost = localhost\n"
    analysis = analyze(tmp_path, lines, main_cf)
    found = codes(analysis)
    assert found.get("localhost-loop") == "error"
    finding = next(f for f in analysis.findings if f.code == "localhost-loop")
    assert '"mail for localhost loops back to myself"' in finding.summary
    assert 'relayhost is "localhost"' in finding.summary
    assert "relayhost = [mail.example.com]" in finding.remedy


def test_loop_quotes_the_logged_reply(tmp_path: Path) -> None:
    # relayhost is this host's own address: the reply names it, not localhost.
    lines = deferred_loops(2, "mail for [192.0.2.60] loops back to myself")
    main_cf = "myhostname = gw04.example.com\nrelayhost = [192.0.2.60]\n"
    analysis = analyze(tmp_path, lines, main_cf)
    finding = next(f for f in analysis.findings if f.code == "localhost-loop")
    assert '"mail for [192.0.2.60] loops back to myself"' in finding.summary
    assert "mail for localhost" not in finding.summary
    assert "192.0.2.60 is one of this host's own addresses" in finding.summary


def test_loop_myhostname_without_greeting_line(tmp_path: Path) -> None:
    """A log cut down to some queue IDs lacks the greeting warning, which has
    none: relayhost naming the same server as myhostname still shows it."""
    lines = [
        message(
            n,
            "soc@example.com",
            "mail.example.com[192.0.2.25]:25",
            "bounced",
            "mail for [mail.example.com] loops back to myself",
        )
        for n in range(2)
    ]
    main_cf = "myhostname = mail.example.com\nrelayhost = [mail.example.com]\n"
    analysis = analyze(tmp_path, lines, main_cf)
    assert "localhost-loop" not in codes(analysis)
    finding = next(f for f in analysis.findings if f.code == "myhostname-conflict")
    assert finding.params["variant"] == "same_name"
    assert finding.title == "This host's myhostname is the mail server's name"
    assert "relayhost names mail.example.com" in finding.summary
    assert "the same name (mail.example.com)" in finding.summary
    assert "set myhostname" in finding.remedy


def test_loop_fixed_during_the_log(tmp_path: Path) -> None:
    """Looping mail that was delivered after the fix: nothing is left to do."""
    loops = deferred_loops(3, "mail for localhost loops back to myself")
    reload = f"Dec  3 11:30:00 {HOST} postfix/master[401]: reload -- version 3.7.11\n"
    # After the reload, the queue manager retries the same three messages.
    later = [
        f"Dec  3 11:4{n}:00 {HOST} postfix/smtp[403]: {0xB0000 + n:X}0: to=<soc@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=2400, delays=2400/0/0.1/0.1,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 5A6B7C)\n"
        for n in range(3)
    ]
    analysis = analyze(
        tmp_path, [*loops, reload, *later], "relayhost = [mail.example.com]\n"
    )
    finding = next(f for f in analysis.findings if f.code == "localhost-loop")
    assert finding.params["variant"] == "recovered"
    assert finding.severity == "warning"
    assert finding.title == "Mail looped back to this host for a while"
    assert "All of them were delivered later" in finding.summary
    assert finding.remedy.startswith("Nothing is left to fix")


def test_loop_relayhost_names_this_host(tmp_path: Path) -> None:
    """relayhost and myhostname name this host, and its own smtpd takes the
    connection: relayhost is wrong, not the name."""
    lines = [
        f"Dec  3 11:0{n}:00 {HOST} postfix/smtpd[410]: connect from"
        f" gw04.example.com[192.0.2.50]\n"
        + message(
            n,
            "soc@example.com",
            "gw04.example.com[192.0.2.50]:25",
            "bounced",
            "mail for [gw04.example.com] loops back to myself",
        )
        for n in range(2)
    ]
    main_cf = "myhostname = gw04.example.com\nrelayhost = [gw04.example.com]\n"
    analysis = analyze(tmp_path, lines, main_cf)
    found = codes(analysis)
    assert "myhostname-conflict" not in found
    assert found.get("localhost-loop") == "error"
