"""Relays that take the connection but not the session, and logins Postfix
cannot make: bundles a real Postfix wrote against a scripted relay."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from tests.conftest import SAMPLES
from tests.test_findings_servers import HOST, analyze_lines, deferred


@pytest.mark.parametrize(
    ("sample", "variant", "title", "reply"),
    [
        (
            "greeting-refused",
            "greeting_refused",
            "The mail server refuses to talk to this host",
            "refused to talk to me: 421 4.3.2",
        ),
        (
            "greeting-blocked",
            "greeting_refused",
            "The mail server refuses to talk to this host",
            "refused to talk to me: 554 5.7.1",
        ),
        (
            "greeting-dropped",
            "greeting_lost",
            "The mail server takes the connection but ends it before its greeting",
            "while receiving the initial server greeting",
        ),
    ],
)
def test_session_refused_after_connect(
    sample: str, variant: str, title: str, reply: str
) -> None:
    """The TCP connection worked, so the text must not say it cannot connect, and
    the remedy checks for the greeting, not only the port."""
    finding = analyze_bundle(SAMPLES / f"{sample}.tar.gz").findings[0]
    assert finding.code == "relay-connection-failed"
    assert finding.params["variant"] == variant
    assert finding.title == title
    assert reply in finding.summary
    assert "The connection to port 25 works" in finding.summary
    assert "cannot connect" not in finding.title
    assert "`nc mail.example.com 25`" in finding.remedy
    assert "nc -vz" not in finding.remedy


def test_password_entry_not_found() -> None:
    """smtp_sasl_auth_enable = yes, and sasl_passwd's key lacks relayhost's :587:
    Postfix sent no login, so the text names the key, not a wrong password."""
    finding = analyze_bundle(SAMPLES / "sasl-password-key.tar.gz").findings[0]
    assert finding.code == "sasl-required"
    assert finding.params["variant"] == "no_entry"
    # The log cannot tell a missing entry from a login offered only after
    # STARTTLS, with TLS off here: the title claims neither.
    assert finding.title == "The mail server requires a login, and Postfix sent none"
    assert "smtp_tls_security_level = none" in finding.summary
    assert "530 5.7.0 Authentication required" in finding.summary
    assert "([mail.example.com]:587)" in finding.summary
    expected = "`postmap -q '[mail.example.com]:587' hash:/etc/postfix/sasl_passwd`"
    assert expected in finding.remedy
    assert "user name and password" not in finding.remedy


def test_password_table_not_built() -> None:
    """sasl_passwd.db is missing: the warning names the table, and the remedy
    builds it."""
    analysis = analyze_bundle(SAMPLES / "sasl-table-missing.tar.gz")
    finding = analysis.findings[0]
    assert finding.code == "lookup-table-unavailable"
    assert finding.severity == "error"
    assert finding.messages_affected == 3
    assert finding.params["table"] == "hash:/etc/postfix/sasl_passwd"
    assert "/etc/postfix/sasl_passwd.db: No such file or directory" in finding.summary
    assert "`postmap /etc/postfix/sasl_passwd`" in finding.remedy
    assert "is unavailable" in finding.evidence[0].text
    assert "local data error" in finding.evidence[1].text


LOCAL_DATA_ERROR = "local data error while talking to mx1.corp.example[192.0.2.25]"


def unavailable(path: str, daemon: str = "smtp[303]", stamp: str = "10:00:00") -> str:
    """Return the warning of ``daemon`` that the hash table ``path`` has no .db."""
    return (
        f"Dec  4 {stamp} {HOST} postfix/{daemon}: warning: hash:{path} is"
        f" unavailable. open database {path}.db: No such file or directory\n"
    )


@pytest.mark.parametrize(
    ("warning", "variant", "remedy"),
    [
        ("", "unnamed", "Find the table in the warnings"),
        (
            "warning: ldap:/etc/postfix/ldap-relay.cf is unavailable. "
            "ldap server unreachable",
            "service",
            "Check the table's definition in /etc/postfix/ldap-relay.cf",
        ),
        (
            "warning: hash:/etc/aliases is unavailable. open database "
            "/etc/aliases.db: No such file or directory",
            "aliases",
            "`newaliases`",
        ),
    ],
)
def test_unreadable_table_kinds(
    tmp_path: Path, warning: str, variant: str, remedy: str
) -> None:
    lines = deferred("A1B2C3D4E5", "10:00:00", LOCAL_DATA_ERROR)
    if warning:
        lines.insert(3, f"Dec  4 10:00:00 {HOST} postfix/smtp[303]: {warning}\n")
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "lookup-table-unavailable"
    assert finding.params["variant"] == variant
    assert remedy in finding.remedy


def test_unreadable_table_of_the_deferring_program(tmp_path: Path) -> None:
    """An older warning of local(8) about the aliases is not the table that
    smtp could not read when it deferred the mail."""
    lines = [
        unavailable("/etc/aliases", "local[290]", "09:00:00"),
        unavailable("/etc/postfix/sasl_passwd"),
        *deferred("A1B2C3D4E5", "10:00:00", LOCAL_DATA_ERROR),
    ]
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "lookup-table-unavailable"
    assert finding.params["table"] == "hash:/etc/postfix/sasl_passwd"
    assert "`postmap /etc/postfix/sasl_passwd`" in finding.remedy


def test_unreadable_tls_policy_table(tmp_path: Path) -> None:
    """smtp_tls_policy_maps cannot be read: Postfix calls it a TLS configuration
    problem, but no TLS level of the server is at fault."""
    reply = "client TLS configuration problem"
    lines = [
        unavailable("/etc/postfix/tls_policy"),
        *deferred("A1B2C3D4E5", "10:00:00", reply),
    ]
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "lookup-table-unavailable"
    assert finding.params["table"] == "hash:/etc/postfix/tls_policy"
    assert "`postmap /etc/postfix/tls_policy`" in finding.remedy
    # Without a table warning, the reply stays a TLS failure.
    plain = analyze_lines(tmp_path, lines[1:]).findings[0]
    assert plain.code == "tls-failure"


def test_greeting_lost_on_smtps(tmp_path: Path) -> None:
    """On port 465 with smtp_tls_wrappermode = yes, TLS comes before the greeting:
    the test is openssl s_client, not nc."""
    reply = (
        "lost connection with mx1.corp.example[192.0.2.25] while receiving the"
        " initial server greeting"
    )
    lines = deferred(
        "A1B2C3D4E5", "10:00:00", reply, "mx1.corp.example[192.0.2.25]:465"
    )
    main_cf = "relayhost = [mx1.corp.example]:465\nsmtp_tls_wrappermode = yes\n"
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.params["variant"] == "greeting_lost_tls"
    assert "`openssl s_client -connect mx1.corp.example:465`" in finding.remedy
    assert "`nc " not in finding.remedy


@pytest.mark.parametrize(
    ("reply", "relay", "main_cf", "variant", "expected"),
    [
        # relayhost names SSH's port: no server there greets with 220.
        (
            "lost connection with mx1.corp.example[192.0.2.25] while receiving the"
            " initial server greeting",
            "mx1.corp.example[192.0.2.25]:22",
            "relayhost = [mx1.corp.example]:22\n",
            "not_smtp_port",
            "the port of SSH, where no SMTP server answers",
        ),
        # Refused on port 80: no connection, so nothing shows which service
        # is there.
        (
            "connect to mx1.corp.example[192.0.2.25]:80: Connection refused",
            "mx1.corp.example[192.0.2.25]:80",
            "relayhost = [mx1.corp.example]:80\n",
            "",
            "Connection refused",
        ),
        (
            "lost connection with mx1.corp.example[192.0.2.25] while sending RCPT TO",
            "mx1.corp.example[192.0.2.25]:25",
            "relayhost = [mx1.corp.example]\n",
            "cut_in_session",
            "the session broke when Postfix sent RCPT TO",
        ),
        (
            "conversation with mx1.corp.example[192.0.2.25] timed out while"
            " performing the EHLO handshake",
            "mx1.corp.example[192.0.2.25]:25",
            "relayhost = [mx1.corp.example]\n",
            "cut_in_session",
            "the session broke when Postfix sent EHLO",
        ),
        (
            "conversation with mx1.corp.example[192.0.2.25] timed out while sending"
            " end of data -- message may be sent more than once",
            "mx1.corp.example[192.0.2.25]:25",
            "relayhost = [mx1.corp.example]\nsmtp_data_done_timeout = 5s\n",
            "data_timeout",
            "as smtp_data_done_timeout = 5s in main.cf sets",
        ),
        # A bare number is in seconds.
        (
            "conversation with mx1.corp.example[192.0.2.25] timed out while sending"
            " end of data -- message may be sent more than once",
            "mx1.corp.example[192.0.2.25]:25",
            "relayhost = [mx1.corp.example]\nsmtp_data_done_timeout = 300\n",
            "data_timeout",
            "after 300s, as smtp_data_done_timeout = 300s",
        ),
        # The default 600s is what RFC 5321 advises: a server that needs longer
        # or a network that cuts the session is the cause.
        (
            "conversation with mx1.corp.example[192.0.2.25] timed out while sending"
            " end of data -- message may be sent more than once",
            "mx1.corp.example[192.0.2.25]:25",
            "relayhost = [mx1.corp.example]\nsmtp_data_done_timeout = 600s\n",
            "cut_all",
            "cut off after Postfix had connected",
        ),
    ],
)
def test_session_broken_variants(
    tmp_path: Path, reply: str, relay: str, main_cf: str, variant: str, expected: str
) -> None:
    lines = deferred("A1B2C3D4E5", "10:00:00", reply, relay)
    lines += deferred("B2C3D4E5F6", "10:05:00", reply, relay)
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.code == "relay-connection-failed"
    expected_variants = (variant,) if variant else ("", "ongoing")
    assert finding.params.get("variant", "") in expected_variants
    assert expected in finding.summary
    assert ("`nc -vz" not in finding.remedy) is bool(variant)
    if variant == "data_timeout":
        settings = [e.text for e in finding.evidence if e.kind == "config"]
        assert main_cf.splitlines()[-1] in settings


@pytest.mark.parametrize(
    ("main_cf", "setting"),
    [
        (
            "relayhost = [mx1.corp.example]\n"
            "smtp_fallback_relay = [backup.corp.example]\n"
            "transport_maps = hash:/etc/postfix/transport\n",
            "smtp_fallback_relay = [backup.corp.example]",
        ),
        (
            "relayhost = [mx1.corp.example]\n"
            "default_transport = smtp:[backup.corp.example]\n"
            "transport_maps = hash:/etc/postfix/transport\n",
            "default_transport = smtp:[backup.corp.example]",
        ),
    ],
)
def test_server_named_by_other_setting(
    tmp_path: Path, main_cf: str, setting: str
) -> None:
    """A failure at the fallback relay or a transport's next hop is not blamed on
    transport_maps, nor on a changed relayhost; the setting is quoted."""
    reply = "connect to backup.corp.example[192.0.2.26]:25: Connection refused"
    lines = deferred("A1B2C3D4E5", "10:00:00", reply)
    lines += deferred("B2C3D4E5F6", "10:05:00", reply)
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.code == "relay-connection-failed"
    assert finding.params.get("variant", "") in ("", "ongoing")
    assert "transport_maps" not in finding.summary
    assert setting in [e.text for e in finding.evidence if e.kind == "config"]
