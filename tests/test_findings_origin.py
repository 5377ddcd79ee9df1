"""The sender domain warning: Postfix's default myhostname is the machine's name,
which a syslog short name does not show, so the log's senders decide."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle


def submitted(sender: str) -> str:
    head = "Dec  3 10:00:00 relay01 postfix"
    return (
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<{sender}>, size=700, nrcpt=1"
        " (queue active)\n"
        f"{head}/smtp[303]: A1B2C3D4E5: to=<soc@example.net>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/1/0,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F017AB)\n"
    )


@pytest.mark.parametrize(
    ("main_cf", "sender", "expected"),
    [
        # Neither set: the logged sender is a full name, so the machine's is.
        ("relayhost = [mail.example.com]\n", "root@relay01.example.com", None),
        # Neither set, and the logged sender has a short domain.
        ("relayhost = [mail.example.com]\n", "root@relay01", "relay01"),
        # Neither set, and no mail submitted here: nothing to go by.
        ("relayhost = [mail.example.com]\n", None, None),
        # Set to a short name: main.cf decides, whatever the older log shows.
        ("myhostname = relay01\n", "root@relay01.example.com", "relay01"),
        ("myorigin = qradar\n", "root@relay01.example.com", "qradar"),
        ("myhostname = relay01.example.com\n", "root@relay01", None),
        # myorigin names $myhostname, which is unset: Postfix adds .$mydomain to
        # the machine's short name, and the log shows the result.
        (
            "mydomain = example.com\nmyorigin = $myhostname\n",
            "root@relay01.example.com",
            None,
        ),
        # Nothing in the log: the default is relay01.$mydomain.
        ("mydomain = example.com\nmyorigin = $myhostname\n", None, None),
        # A short machine name gets .localdomain without mydomain, which no DNS
        # has; but the syslog name may be short for a full machine name.
        ("myorigin = $myhostname\n", None, None),
        ("relayhost =\n", "root@relay01.localdomain", "relay01.localdomain"),
    ],
)
def test_sender_domain_warning(
    tmp_path: Path, main_cf: str, sender: str | None, expected: str | None
) -> None:
    (tmp_path / "main.cf").write_text(main_cf)
    log = (
        submitted(sender)
        if sender
        else "Dec  3 10:00:00 relay01 postfix/master[1]: daemon started -- version 3.7.11, configuration /etc/postfix\n"
    )
    (tmp_path / "maillog").write_text(log)
    analysis = analyze_bundle(tmp_path, year=2026)
    found = [f for f in analysis.findings if f.code == "myorigin-not-fqdn"]
    if expected is None:
        assert not found
    else:
        assert [f.params["sender_domain"] for f in found] == [expected]
