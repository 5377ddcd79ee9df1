"""Failure findings name the server Postfix tried, which relay=none leaves out."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analysis.findings.catalog import render_remedy
from analyzer.api import Analysis, analyze_bundle
from analyzer.report.context import build_context

HOST = "qradar-console"


def deferred(queue_id: str, stamp: str, reply: str, relay: str = "none") -> list[str]:
    """Return the lines of a message deferred at ``stamp`` with ``reply``, the
    server tried logged as relay=``relay``."""
    head = f"Dec  4 {stamp} {HOST} postfix"
    return [
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
        f"{head}/cleanup[301]: {queue_id}: message-id=<{queue_id}@example.com>\n",
        f"{head}/qmgr[302]: {queue_id}: from=<root@example.com>, size=700, nrcpt=1"
        " (queue active)\n",
        f"{head}/smtp[303]: {queue_id}: to=<soc@example.org>, relay={relay}, delay=30,"
        f" delays=0/0/30/0, dsn=4.4.1, status=deferred ({reply})\n",
    ]


def bundle(tmp_path: Path, reply: str, main_cf: str | None) -> Analysis:
    lines = deferred("A1B2C3D4E5", "10:00:00", reply)
    lines += deferred("B2C3D4E5F6", "10:05:00", reply)
    return analyze_lines(tmp_path, lines, main_cf)


def analyze_lines(
    tmp_path: Path,
    lines: list[str],
    main_cf: str | None = "relayhost = [mx1.corp.example]\n",
) -> Analysis:
    """Write ``lines`` as the maillog, and ``main_cf`` beside it, and analyze them."""
    (tmp_path / "maillog").write_text("".join(lines))
    if main_cf is not None:
        (tmp_path / "main.cf").write_text(main_cf)
    return analyze_bundle(tmp_path, year=2026)


def finding(analysis: Analysis, code: str) -> dict[str, object]:
    found = [f for f in analysis.findings if f.code == code]
    assert found, [f.code for f in analysis.findings]
    return {"summary": found[0].summary, "remedy": found[0].remedy, **found[0].params}


TIMEOUT = "connect to mx1.corp.example[192.0.2.10]:25: Connection timed out"


def test_unbracketed_relayhost_names_mx(tmp_path: Path) -> None:
    analysis = bundle(tmp_path, TIMEOUT, "relayhost = smtp.corp.example\n")
    params = finding(analysis, "relay-connection-failed")
    assert params["variant"] == "via_mx"
    assert params["relays"] == "mx1.corp.example"
    assert "`nc -vz mx1.corp.example 25`" in str(params["remedy"])
    assert "without brackets" in str(params["summary"])
    codes = [f.code for f in analysis.findings]
    assert "relayhost-unbracketed" not in codes


def test_bracketed_relayhost_plain_summary(tmp_path: Path) -> None:
    reply = TIMEOUT.replace("mx1.corp.example", "smtp.corp.example")
    analysis = bundle(tmp_path, reply, "relayhost = [smtp.corp.example]:587\n")
    params = finding(analysis, "relay-connection-failed")
    assert params["variant"] == ""
    assert params["relays"] == "smtp.corp.example"
    assert params["port"] == "25"
    assert "`nc -vz smtp.corp.example 25`" in str(params["remedy"])


def test_no_main_cf_names_server(tmp_path: Path) -> None:
    analysis = bundle(tmp_path, TIMEOUT, None)
    params = finding(analysis, "relay-connection-failed")
    assert params["relays"] == "mx1.corp.example"
    assert "?" not in str(params["summary"])
    assert "`nc -vz mx1.corp.example 25`" in str(params["remedy"])


def test_ipv6_unreachable_from_reply(tmp_path: Path) -> None:
    reply = "connect to mx1.corp.example[2001:db8::25]:25: Network is unreachable"
    analysis = bundle(tmp_path, reply, "relayhost = [mx1.corp.example]\n")
    params = finding(analysis, "ipv6-no-route")
    assert params["relays"] == "mx1.corp.example"


def test_long_reply_shortened_in_summary(tmp_path: Path) -> None:
    reply = "connect to mx1.corp.example[192.0.2.10]:25: Connection timed out " + (
        "x" * 5000
    )
    analysis = bundle(tmp_path, reply, "relayhost = [mx1.corp.example]\n")
    params = finding(analysis, "relay-connection-failed")
    quoted = str(params["reasons"])
    assert len(quoted) == 302  # 300 characters and the quotes
    assert quoted.endswith('…"')
    assert len(str(params["summary"])) < 600


def test_cleared_failure_reports_delivery(tmp_path: Path) -> None:
    lines = deferred("A1B2C3D4E5", "10:00:00", TIMEOUT)
    lines.append(
        f"Dec  4 10:05:00 {HOST} postfix/smtp[304]: A1B2C3D4E5: to=<soc@example.org>,"
        " relay=mx1.corp.example[192.0.2.10]:25, delay=300, delays=0/290/5/5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F8E7D)\n"
    )
    analysis = analyze_lines(tmp_path, lines)
    params = finding(analysis, "relay-connection-failed")
    assert params["variant"] == "recovered"
    assert "All of them were delivered later" in str(params["summary"])
    assert "2026-12-04 10:00:00 UTC" in str(params["summary"])


FILTER_DOWN = "connect to 127.0.0.1[127.0.0.1]:10024: Connection refused"


@pytest.mark.parametrize(
    ("main_cf", "expected"),
    [
        # A filter on this host, with the relay host elsewhere.
        (
            "relayhost = [mx1.corp.example]\n"
            "content_filter = smtp-amavis:[127.0.0.1]:10024\n",
            "content-filter-unreachable",
        ),
        # relayhost itself is this host: that is the relay host's finding.
        ("relayhost = [127.0.0.1]:10024\n", "relay-connection-failed"),
    ],
)
def test_loopback_down_is_content_filter(
    tmp_path: Path, main_cf: str, expected: str
) -> None:
    analysis = bundle(tmp_path, FILTER_DOWN, main_cf)
    params = finding(analysis, expected)
    if expected == "content-filter-unreachable":
        assert params["relay_host"] == "127.0.0.1"
        assert params["port"] == "10024"
        texts = [e.text for e in analysis.findings[0].evidence if e.kind == "config"]
        assert texts == ["content_filter = smtp-amavis:[127.0.0.1]:10024"]


def test_deleted_mail_not_delivered(tmp_path: Path) -> None:
    lines = deferred("A1B2C3D4E5", "10:00:00", TIMEOUT)
    lines.append(
        f"Dec  4 10:30:00 {HOST} postfix/postsuper[900]: A1B2C3D4E5: removed\n"
    )
    lines.append(f"Dec  4 10:30:00 {HOST} postfix/postsuper[900]: Deleted: 1 message\n")
    analysis = analyze_lines(tmp_path, lines)
    params = finding(analysis, "relay-connection-failed")
    assert params["variant"] == "deleted"
    assert "delivered later" not in str(params["summary"])
    assert "deleted by an administrator" in str(params["summary"])


def test_temporary_dns_is_not_typo(tmp_path: Path) -> None:
    reply = (
        "Host or domain name not found. Name service error for name=mx1.corp.example"
        " type=A: Host not found, try again"
    )
    analysis = bundle(tmp_path, reply, "relayhost = [mx1.corp.example]\n")
    params = finding(analysis, "relayhost-unresolvable")
    assert params["variant"] == "temporary"
    assert "typo" not in str(params["summary"])
    assert "resolv.conf" in str(params["summary"])
    # The remedy checks the DNS servers, not the name's spelling.
    assert "/etc/resolv.conf" in str(params["remedy"])
    assert "spelling" not in str(params["remedy"])


def test_flush_names_instance(tmp_path: Path) -> None:
    lines = [
        line.replace(" postfix/", " postfix-out/")
        for line in deferred("A1B2C3D4E5", "10:00:00", TIMEOUT)
    ]
    analysis = analyze_lines(tmp_path, lines)
    params = finding(analysis, "relay-connection-failed")
    assert params["instance"] == "postfix-out"
    assert "`postmulti -i postfix-out -x postfix flush`" in str(params["remedy"])
    assert "run `postfix flush`" not in str(params["remedy"])


def test_instance_commands_and_folder() -> None:
    remedy = render_remedy(
        "Remove content_filter from /etc/postfix/main.cf and run `postfix reload`. "
        "Then run `postfix flush`.",
        {"instance": "postfix-in"},
    )
    assert "/etc/postfix-in/main.cf" in remedy
    assert "`postmulti -i postfix-in -p reload`" in remedy
    assert "`postmulti -i postfix-in -x postfix flush`" in remedy
    assert "/etc/postfix/" not in remedy


@pytest.mark.parametrize("default_first", [True, False])
def test_instance_reads_its_own_main_cf(tmp_path: Path, default_first: bool) -> None:
    """A multi-instance host keeps one main.cf per instance (/etc/postfix-out/ for
    postfix-out): a finding about postfix-out's mail reads postfix-out's."""
    lines = [
        line.replace(" postfix/", " postfix-out/")
        for line in deferred("A1B2C3D4E5", "10:00:00", TIMEOUT)
    ]
    (tmp_path / "var" / "log").mkdir(parents=True)
    (tmp_path / "var" / "log" / "maillog").write_text("".join(lines))

    configs = [
        ("postfix", "content_filter = smtp-amavis:[127.0.0.1]:10024\n"),
        ("postfix-out", "relayhost = [mx1.corp.example]\nsyslog_name = postfix-out\n"),
    ]
    for folder, text in configs if default_first else reversed(configs):
        (tmp_path / "etc" / folder).mkdir(parents=True)
        (tmp_path / "etc" / folder / "main.cf").write_text(text)

    analysis = analyze_bundle(tmp_path, year=2026)

    params = finding(analysis, "relay-connection-failed")
    assert params["relayhost"] == "[mx1.corp.example]"
    found = next(f for f in analysis.findings if f.code == "relay-connection-failed")
    sources = {e.source for e in found.evidence if e.kind == "config"}
    assert sources == {"etc/postfix-out/main.cf"}

    view = analysis.hosts[HOST]
    assert view.config is not None
    assert view.config.source == "etc/postfix/main.cf"
    assert set(view.instances) == {"postfix-out"}

    reviewed = [
        (r["host"], r["source"]) for r in build_context(analysis, "en").config_review
    ]
    assert reviewed == [
        (HOST, "etc/postfix/main.cf"),
        (f"{HOST} (postfix-out)", "etc/postfix-out/main.cf"),
    ]


def attempt(
    queue_id: str, stamp: str, relay: str, status: str, reply: str
) -> list[str]:
    """Return the lines of one message of 8 MB sent to ``relay``."""
    head = f"Dec  4 {stamp} {HOST} postfix"
    dsn = "2.0.0" if status == "sent" else "4.4.2"
    lines = [
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
        f"{head}/qmgr[302]: {queue_id}: from=<root@example.com>, size=8400000,"
        " nrcpt=1 (queue active)\n",
        f"{head}/smtp[303]: {queue_id}: to=<soc@example.org>, relay={relay}, delay=300,"
        f" delays=0/0/0.2/300, dsn={dsn}, status={status} ({reply})\n",
    ]
    if status == "sent":
        lines.append(f"{head}/qmgr[302]: {queue_id}: removed\n")
    return lines


SMTPS = "mail.example.com[192.0.2.25]:465"
GREETING = (
    "conversation with mail.example.com[192.0.2.25] timed out while receiving the"
    " initial server greeting"
)
SMTPS_CF = "relayhost = [mail.example.com]:465\nsmtp_tls_security_level = encrypt\n"


def test_port_465_without_wrappermode(tmp_path: Path) -> None:
    lines = attempt("A1B2C3D4E5", "10:00:00", SMTPS, "deferred", GREETING)
    lines += attempt("B2C3D4E5F6", "10:05:00", SMTPS, "deferred", GREETING)
    analysis = analyze_lines(tmp_path, lines, SMTPS_CF)
    params = finding(analysis, "relay-connection-failed")
    assert params["variant"] == "wrappermode"
    assert "smtp_tls_wrappermode is not yes" in str(params["summary"])
    assert "smtp_tls_wrappermode = yes" in str(params["remedy"])
    assert "relayhost = [mail.example.com]:587" in str(params["remedy"])
    assert "nc -vz" not in str(params["remedy"])


def test_port_465_with_wrappermode_times_out(tmp_path: Path) -> None:
    """With wrappermode on, a greeting that never comes is the server's doing."""
    lines = attempt("A1B2C3D4E5", "10:00:00", SMTPS, "deferred", GREETING)
    main_cf = SMTPS_CF + "smtp_tls_wrappermode = yes\n"
    analysis = analyze_lines(tmp_path, lines, main_cf)
    assert finding(analysis, "relay-connection-failed")["variant"] != "wrappermode"


CUT = (
    "lost connection with mail.example.com[192.0.2.25] while sending end of data --"
    " message may be sent more than once"
)
PLAIN = "mail.example.com[192.0.2.25]:25"


def test_connection_cut_after_data(tmp_path: Path) -> None:
    """Large messages are cut off at the end of DATA while small ones go out:
    the connection works, and mail still goes out."""
    lines = attempt("A1B2C3D4E5", "09:00:00", PLAIN, "deferred", CUT)
    lines += attempt(
        "B2C3D4E5F6", "09:10:00", PLAIN, "sent", "250 2.0.0 Ok: queued as 7C8D"
    )
    lines += attempt("C3D4E5F6A7", "09:20:00", PLAIN, "deferred", CUT)
    analysis = analyze_lines(tmp_path, lines, "relayhost = [mail.example.com]\n")
    found = [f for f in analysis.findings if f.code == "relay-connection-failed"]
    assert found[0].params["variant"] == "cut_in_data"
    assert (
        found[0].title
        == "The connection to the mail server breaks while messages are sent"
    )
    assert "1 other attempt(s) to that server delivered mail" in found[0].summary
    assert "no mail goes out now" not in found[0].summary
    assert "firewall or IPS inspects SMTP" in found[0].remedy
    japanese = build_context(analysis, "ja").findings[0]
    assert "メッセージ送信中" in japanese["title"]


def test_port_465_with_wrappermode_in_master_cf(tmp_path: Path) -> None:
    lines = attempt("A1B2C3D4E5", "10:00:00", SMTPS, "deferred", GREETING)
    (tmp_path / "master.cf").write_text(
        "smtp      unix  -       -       n       -       -       smtp\n"
        "  -o smtp_tls_wrappermode=yes\n"
        "  -o smtp_tls_security_level=encrypt\n"
    )
    analysis = analyze_lines(tmp_path, lines, SMTPS_CF)
    assert finding(analysis, "relay-connection-failed")["variant"] != "wrappermode"


def test_port_465_greeting_lost(tmp_path: Path) -> None:
    """A server that closes when no TLS handshake comes: the connection was made."""
    lost = "lost connection with mail.example.com[192.0.2.25] while receiving the initial server greeting"
    lines = attempt("A1B2C3D4E5", "10:00:00", SMTPS, "deferred", lost)
    analysis = analyze_lines(tmp_path, lines, SMTPS_CF)
    assert finding(analysis, "relay-connection-failed")["variant"] == "wrappermode"


@pytest.mark.parametrize(
    ("reply", "variant"),
    [
        (
            "conversation with mail.example.com[192.0.2.25] timed out while sending"
            " end of data -- message may be sent more than once",
            "cut_in_data",
        ),
        # The DATA command comes before the message: the session broke, not
        # the transfer of the message.
        (
            "lost connection with mail.example.com[192.0.2.25] while sending DATA command",
            "cut_in_session",
        ),
    ],
)
def test_connection_cut_forms(tmp_path: Path, reply: str, variant: str) -> None:
    lines = attempt("A1B2C3D4E5", "09:00:00", PLAIN, "deferred", reply)
    lines += attempt(
        "B2C3D4E5F6", "09:10:00", PLAIN, "sent", "250 2.0.0 Ok: queued as 7C8D"
    )
    lines += attempt("C3D4E5F6A7", "09:20:00", PLAIN, "deferred", reply)
    analysis = analyze_lines(tmp_path, lines, "relayhost = [mail.example.com]\n")
    found = finding(analysis, "relay-connection-failed")
    assert found.get("variant", "") in ((variant,) if variant else ("", "ongoing"))


def test_connection_cut_for_every_message(tmp_path: Path) -> None:
    """Every attempt cut off: the summary claims no delivery meanwhile."""
    lines = attempt("A1B2C3D4E5", "09:00:00", PLAIN, "deferred", CUT)
    lines += attempt("C3D4E5F6A7", "09:20:00", PLAIN, "deferred", CUT)
    analysis = analyze_lines(tmp_path, lines, "relayhost = [mail.example.com]\n")
    found = finding(analysis, "relay-connection-failed")
    assert found["variant"] == "cut_all"
    assert "no attempt to that server delivered mail" in str(found["summary"])
    assert "0 other" not in str(found["summary"])


def test_connection_works_again_before_the_retry(tmp_path: Path) -> None:
    """Refused at first, and the same server took other mail later: the deferred
    messages only wait for their retry."""
    refused = "connect to mail.example.com[192.0.2.25]:25: Connection refused"
    lines = attempt("A1B2C3D4E5", "10:10:00", "none", "deferred", refused)
    lines += attempt(
        "B2C3D4E5F6", "11:00:00", PLAIN, "sent", "250 2.0.0 Ok: queued as 7C8D"
    )
    analysis = analyze_lines(tmp_path, lines, "relayhost = [mail.example.com]\n")
    found = finding(analysis, "relay-connection-failed")
    assert found["variant"] == "works_again"
    assert "the connection works again" in str(found["summary"])
    assert "Open the port" not in str(found["remedy"])


@pytest.mark.parametrize(
    ("later", "backoff", "variant"),
    [
        ("15:00:00", "", "no_retry"),  # 4 h 50 min: Postfix retries within 4000 s
        ("11:00:00", "", "works_again"),
        ("15:00:00", "maximal_backoff_time = 2h\n", "works_again"),
    ],
)
def test_deferred_mail_never_retried(
    tmp_path: Path, later: str, backoff: str, variant: str
) -> None:
    """The same server took other mail hours later, and the log shows no retry
    of the deferred message: the log lacks lines, or the mail left unlogged."""
    refused = "connect to mail.example.com[192.0.2.25]:25: Connection refused"
    lines = attempt("A1B2C3D4E5", "10:10:00", "none", "deferred", refused)
    lines += attempt("B2C3D4E5F6", later, PLAIN, "sent", "250 2.0.0 Ok: queued as 7C8D")
    main_cf = "relayhost = [mail.example.com]\n" + backoff
    analysis = analyze_lines(tmp_path, lines, main_cf)
    found = finding(analysis, "relay-connection-failed")
    assert found["variant"] == variant
    if variant == "no_retry":
        assert analysis.findings[0].title == "Deferred mail shows no retry in the log"
        assert "no retry of these messages after 2026-12-04 10:10" in str(
            found["summary"]
        )
        assert "maximal_backoff_time (4000s)" in str(found["summary"])
        assert "`postqueue -p`" in str(found["remedy"])


def test_no_retry_while_postfix_was_stopped(tmp_path: Path) -> None:
    """Postfix was stopped for most of the gap: that explains the missing retries."""
    refused = "connect to mail.example.com[192.0.2.25]:25: Connection refused"
    lines = attempt("A1B2C3D4E5", "10:10:00", "none", "deferred", refused)
    lines.append(
        f"Dec  4 10:20:00 {HOST} postfix/postfix-script[900]: stopping the Postfix "
        "mail system\n"
    )
    lines.append(
        f"Dec  4 14:50:00 {HOST} postfix/postfix-script[901]: starting the Postfix "
        "mail system\n"
    )
    lines += attempt(
        "B2C3D4E5F6", "15:00:00", PLAIN, "sent", "250 2.0.0 Ok: queued as 7C8D"
    )
    analysis = analyze_lines(tmp_path, lines, "relayhost = [mail.example.com]\n")
    found = finding(analysis, "relay-connection-failed")
    assert found["variant"] == "works_again"


def test_lost_connection_after_421_follows_it(tmp_path: Path) -> None:
    """A 421 to one recipient closes the session; the next recipient of the same
    message is "lost connection ... while sending RCPT TO" in the same second."""
    head = f"Dec  4 10:00:00 {HOST} postfix"
    relay = "relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5"
    lines = [
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n",
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<root@example.com>, size=700, nrcpt=2"
        " (queue active)\n",
        f"{head}/smtp[303]: A1B2C3D4E5: to=<soc@example.org>, {relay}, dsn=4.3.0,"
        " status=deferred (host mail.example.com[192.0.2.25] said: 421 4.3.0"
        " Temporary System Problem. Try again later. (in reply to RCPT TO command))\n",
        f"{head}/smtp[303]: A1B2C3D4E5: to=<noc@example.org>, {relay}, dsn=4.4.2,"
        " status=deferred (lost connection with mail.example.com[192.0.2.25] while"
        " sending RCPT TO)\n",
    ]
    analysis = analyze_lines(tmp_path, lines, "relayhost = [mail.example.com]\n")
    codes = [f.code for f in analysis.findings if f.severity != "info"]
    assert codes == ["relay-server-error"]
    assert "421 4.3.0 Temporary System Problem" in analysis.findings[0].summary
    # A lost connection on its own, in another second, stays a connection fault.
    alone = [*lines[:2], lines[3].replace("10:00:00", "10:05:00")]
    other = analyze_lines(tmp_path, alone, "relayhost = [mail.example.com]\n")
    assert other.findings[0].code == "relay-connection-failed"


@pytest.mark.parametrize(
    ("relayhost", "variant"),
    [
        # main.cf names another server in brackets: it was changed since.
        ("[mail-new.example.com]", "relayhost_changed"),
        ("[mail.example.com]", ""),
        # Without brackets Postfix looks up MX records, which may lead elsewhere.
        ("mail-new.example.com", "via_mx"),
    ],
)
def test_relayhost_changed_since_failures(
    tmp_path: Path, relayhost: str, variant: str
) -> None:
    reply = "connect to mail.example.com[192.0.2.25]:25: Connection timed out"
    lines = deferred("A1B2C3D4E5", "10:00:00", reply)
    lines += deferred("B2C3D4E5F6", "10:05:00", reply)
    analysis = analyze_lines(tmp_path, lines, f"relayhost = {relayhost}\n")
    found = analysis.findings[0]
    assert found.code == "relay-connection-failed"
    assert found.params.get("variant", "") in (
        (variant,) if variant else ("", "ongoing")
    )
    if variant == "relayhost_changed":
        assert "main.cf now sets relayhost = [mail-new.example.com]" in found.summary
        assert "`nc -vz mail-new.example.com 25`" in found.remedy
