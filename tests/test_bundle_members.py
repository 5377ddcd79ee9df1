"""Members are found by name and confirmed by content: one row a member shape."""

from __future__ import annotations

import pytest

from analyzer.bundle.members import classify_member, skip_reason

MAIN_CF = b"relayhost = [mail.example.com]\nmyhostname = mx1.example.com\n"
MASTER_CF = b"smtp      inet  n       -       y       -       -       smtpd\n"
LOG = b"Dec  4 10:00:00 mx1 postfix/qmgr[302]: 4A1B2C3D4E: removed\n"
MAILQ = b"-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"

# Member path, its first bytes, then the kind it is read as.
CASES = [
    ("etc/postfix/main.cf", MAIN_CF, "main.cf"),
    ("etc/postfix/master.cf", MASTER_CF, "master.cf"),
    ("commands/postconf-n.out", MAIN_CF, "postconf"),
    ("etc/postfix/main.cf.bak", MAIN_CF, "other"),
    ("etc/postfix/main.cf~", MAIN_CF, "other"),
    ("etc/postfix/main.cf.orig", MAIN_CF, "other"),
    ("etc/postfix/main.cf.proto", MAIN_CF, "other"),
    ("etc/postfix/master.cf.dpkg-dist", MASTER_CF, "other"),
    ("var/log/maillog-20261204.gz", LOG, "maillog"),
    ("var/log/mail.log.1", LOG, "maillog"),
    ("var/log/maillog", b"", "maillog"),
    ("commands/mailq.out", MAILQ, "mailq"),
    ("commands/postqueue-j.out", b"", "postqueue_json"),
    ("notes.txt", b"nothing to see\n", "other"),
    # A log named syslog whose first lines are other programs' is still a log;
    # logrotate's file of that name is not.
    ("var/log/syslog", b"Dec  4 10:00:00 mx1 kernel: eth0: link up\n", "maillog"),
    ("var/log/messages", b"2026-12-04T10:00:00+00:00 mx1 CRON[7]: run\n", "maillog"),
    ("etc/logrotate.d/syslog", b"/var/log/syslog\n{\n    rotate 7\n}\n", "other"),
]


@pytest.mark.parametrize(("path", "head", "kind"), CASES)
def test_member_kind(path: str, head: bytes, kind: str) -> None:
    assert classify_member(path, head) == kind


def test_config_copy_reason() -> None:
    reason = skip_reason("etc/postfix/main.cf.bak", MAIN_CF)
    assert (
        reason == "a copy of main.cf (backup or template), which Postfix does not read"
    )
