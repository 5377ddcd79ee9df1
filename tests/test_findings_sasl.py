"""A server that demands a login: Postfix not set to log in, or set to and
finding no password for the server.

Exchange Online replies "530 5.7.57 Client not authenticated" to a client that
did not log in. Without smtp_sasl_auth_enable = yes Postfix never tries, so the
fix is to turn SMTP AUTH on, not to check a password file that does not exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle

HOST = "gw05"
REPLY = (
    "host smtp.example.com[198.51.100.20] said: 530 5.7.57 Client not authenticated"
    " to send mail. [AM0PR01CA0001.example.net] (in reply to MAIL FROM command)"
)


def attempt(number: int) -> str:
    queue_id = f"{0xC0000 + number:X}0"
    head = f"Dec  3 12:{number:02d}:00 {HOST} postfix"
    return (
        f"{head}/pickup[500]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/qmgr[502]: {queue_id}: from=<root@gw05.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/smtp[503]: {queue_id}: to=<soc@example.com>,"
        " relay=smtp.example.com[198.51.100.20]:587, delay=1, delays=0/0/1/0,"
        f" dsn=5.7.57, status=bounced ({REPLY})\n"
    )


@pytest.mark.parametrize(
    ("sasl_settings", "code", "remedy_text"),
    [
        ("", "sasl-required", "smtp_sasl_auth_enable = yes"),
        # Set to log in, yet no login was sent (a failed one ends with "SASL
        # authentication failed"): no password entry matches the server.
        (
            "smtp_sasl_auth_enable = yes\n"
            "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n",
            "sasl-required",
            "postmap -q '[smtp.example.com]:587' hash:/etc/postfix/sasl_passwd",
        ),
    ],
)
def test_login_demanded_by_server(
    tmp_path: Path, sasl_settings: str, code: str, remedy_text: str
) -> None:
    (tmp_path / "maillog").write_text("".join(attempt(n) for n in range(3)))
    (tmp_path / "main.cf").write_text(
        "myhostname = gw05.example.com\nrelayhost = [smtp.example.com]:587\n"
        + sasl_settings
    )

    analysis = analyze_bundle(tmp_path, year=2026)

    finding = analysis.findings[0]
    assert finding.code == code
    assert finding.severity == "error"
    assert finding.messages_affected == 3
    assert "530 5.7.57 Client not authenticated" in finding.summary
    assert remedy_text in finding.remedy
    assert "[smtp.example.com]:587 user:password" in finding.remedy


@pytest.mark.parametrize(
    ("settings", "variant", "expected", "absent"),
    [
        # No password table at all: the fix is to name one.
        (
            "smtp_sasl_auth_enable = yes\n",
            "no_maps",
            "Set smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd",
            "postmap -q",
        ),
        # TLS is optional, and may have failed: either cause, the key first.
        (
            "smtp_sasl_auth_enable = yes\n"
            "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
            "smtp_tls_security_level = may\n",
            "no_entry",
            "set smtp_tls_security_level = encrypt in",
            "found no entry",
        ),
        # TLS is already enforced: no advice to turn it on.
        (
            "smtp_sasl_auth_enable = yes\n"
            "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
            "smtp_tls_security_level = encrypt\n",
            "no_entry_tls",
            "postmap -q '[smtp.example.com]:587' hash:/etc/postfix/sasl_passwd",
            "smtp_tls_security_level = encrypt in",
        ),
    ],
)
def test_login_set_up_but_not_sent(
    tmp_path: Path, settings: str, variant: str, expected: str, absent: str
) -> None:
    (tmp_path / "maillog").write_text("".join(attempt(n) for n in range(3)))
    (tmp_path / "main.cf").write_text(
        "myhostname = gw05.example.com\nrelayhost = [smtp.example.com]:587\n" + settings
    )
    finding = analyze_bundle(tmp_path, year=2026).findings[0]
    assert finding.code == "sasl-required"
    assert finding.params["variant"] == variant
    assert expected in finding.remedy
    assert absent not in finding.remedy


NO_MECHANISM = (
    "SASL authentication failed: server smtp.example.com[198.51.100.20] offered no"
    " compatible authentication mechanisms for this type of connection security"
)


def filtered_attempt(number: int) -> str:
    """A login that Postfix 3.7 does not try: the server's methods are filtered."""
    queue_id = f"{0xE0000 + number:X}0"
    head = f"Dec  3 12:{number:02d}:00 {HOST} postfix"
    return (
        f"{head}/pickup[500]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/qmgr[502]: {queue_id}: from=<root@gw05.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/smtp[503]: warning: smtp.example.com[198.51.100.20]:587 offered no"
        " supported AUTH mechanisms: 'LOGIN PLAIN'\n"
        f"{head}/smtp[503]: {queue_id}: to=<soc@example.com>,"
        " relay=smtp.example.com[198.51.100.20]:587, delay=1, delays=0/0/1/0,"
        f" dsn=4.7.0, status=deferred ({NO_MECHANISM})\n"
    )


@pytest.mark.parametrize(
    ("mechanism_filter", "variant"),
    [
        ("cram-md5, digest-md5", "filtered"),
        # The filter keeps LOGIN: the library lacks it or the security options
        # forbid it, as without a filter.
        ("cram-md5, login", ""),
        ("", ""),
        # Exclusions and tables cannot be judged from main.cf alone.
        ("!plain, !login", ""),
    ],
)
def test_mechanism_filter_named(
    tmp_path: Path, mechanism_filter: str, variant: str
) -> None:
    (tmp_path / "maillog").write_text("".join(filtered_attempt(n) for n in range(3)))
    (tmp_path / "main.cf").write_text(
        "myhostname = gw05.example.com\nrelayhost = [smtp.example.com]:587\n"
        "smtp_sasl_auth_enable = yes\n"
        f"smtp_sasl_mechanism_filter = {mechanism_filter}\n"
    )

    analysis = analyze_bundle(tmp_path, year=2026)

    finding = analysis.findings[0]
    assert finding.code == "sasl-no-mechanism"
    assert finding.params.get("variant", "") == variant
    if variant:
        assert "The server offers LOGIN, PLAIN" in finding.summary
        assert "offered no supported AUTH mechanisms" in finding.evidence[0].text
        settings = [e.text for e in finding.evidence if e.kind == "config"]
        assert f"smtp_sasl_mechanism_filter = {mechanism_filter}" in settings
