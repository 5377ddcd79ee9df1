"""TLS failures with the mail server, and the fix each kind needs.

Postfix logs why it rejected a server's certificate on a line of its own before
the delivery record ("server certificate verification failed for ...:
num=62:hostname mismatch"). The delivery record contains only "Server
certificate not verified".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle

HOST = "gw06"
SERVER = "mail.example.com[192.0.2.25]:25"


def attempt(number: int, reply: str, check: str | None) -> str:
    queue_id = f"{0xD0000 + number:X}0"
    head = f"Dec  3 13:{number:02d}:00 {HOST} postfix"
    lines = (
        f"{head}/pickup[600]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/qmgr[602]: {queue_id}: from=<root@gw06.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
    )
    if check is not None:
        lines += (
            f"{head}/smtp[603]: server certificate verification failed for"
            f" {SERVER}: {check}\n"
        )
    return lines + (
        f"{head}/smtp[603]: {queue_id}: to=<soc@example.com>, relay={SERVER},"
        f" delay=1, delays=0/0/1/0, dsn=4.7.5, status=deferred ({reply})\n"
    )


@pytest.mark.parametrize(
    ("level", "reply", "check", "variant", "summary_text", "remedy_text"),
    [
        (
            "secure",
            "Server certificate not verified",
            "num=62:hostname mismatch",
            "name_mismatch",
            "(hostname mismatch)",
            "smtp_tls_secure_cert_match",
        ),
        (
            "verify",
            "Server certificate not verified",
            "num=18:self-signed certificate",
            "untrusted",
            "(self-signed certificate)",
            "set smtp_tls_CAfile",
        ),
        (
            "encrypt",
            f"TLS is required, but was not offered by host {SERVER[:-3]}",
            None,
            "not_offered",
            "smtp_tls_security_level = encrypt requires",
            "smtp_tls_security_level = may",
        ),
    ],
)
def test_tls_failure_kinds(
    tmp_path: Path,
    level: str,
    reply: str,
    check: str | None,
    variant: str,
    summary_text: str,
    remedy_text: str,
) -> None:
    (tmp_path / "maillog").write_text(
        "".join(attempt(n, reply, check) for n in range(3))
    )
    (tmp_path / "main.cf").write_text(
        "myhostname = gw06.example.com\nrelayhost = [mail.example.com]\n"
        f"smtp_tls_security_level = {level}\n"
    )

    analysis = analyze_bundle(tmp_path, year=2026)

    finding = analysis.findings[0]
    assert finding.code == "tls-failure"
    assert finding.params["variant"] == variant
    assert summary_text in finding.summary
    assert remedy_text in finding.remedy
    texts = [e.text for e in finding.evidence]
    assert f"smtp_tls_security_level = {level}" in texts
    if check is not None:
        # The line that names the cause comes first.
        assert texts[0].endswith(check)


def test_server_fails_to_start_tls(tmp_path: Path) -> None:
    """The server offers STARTTLS and then cannot start it: its TLS is broken,
    and lowering the level would only send the mail in clear text."""
    reply = (
        "TLS is required, but host mail.example.com[192.0.2.25] refused to start TLS:"
        " 454 4.7.0 TLS not available due to local problem"
    )
    (tmp_path / "maillog").write_text(attempt(1, reply, None) + attempt(2, reply, None))
    (tmp_path / "main.cf").write_text(
        "relayhost = [mail.example.com]\nsmtp_tls_security_level = encrypt\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "tls-failure")
    assert finding.params["variant"] == "server_broken"
    assert finding.title == "The mail server offers TLS but cannot start it"
    assert finding.remedy.startswith("Ask the server's administrator to fix its TLS")
    assert "smtp_tls_security_level = may" not in finding.remedy
