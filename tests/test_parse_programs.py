"""Program tags, and how lines of other programs and unknown shapes are counted."""

from __future__ import annotations

import io
from datetime import UTC

import pytest

from analyzer.parse import logfile
from analyzer.parse.logfile import LineStats, parse_log
from analyzer.parse.postfix import split_program
from analyzer.parse.timestamps import YearReference


@pytest.mark.parametrize(
    ("tag", "instance", "service", "daemon", "is_postfix"),
    [
        ("postfix/smtp", "postfix", None, "smtp", True),
        ("postfix-out/smtp", "postfix-out", None, "smtp", True),
        ("postfix_in/smtpd", "postfix_in", None, "smtpd", True),
        ("postfix/submission/smtpd", "postfix", "submission", "smtpd", True),
        ("postfix/amavis/smtp", "postfix", "amavis", "smtp", True),
        ("postfix/10025/smtpd", "postfix", "10025", "smtpd", True),
        ("postfix-in/dmz/10026/smtpd", "postfix-in", "dmz/10026", "smtpd", True),
        ("postfix", "postfix", None, "postfix", True),
        ("postfix1", "postfix1", None, "postfix1", False),
        ("dovecot", "dovecot", None, "dovecot", False),
        ("mailgw/smtp", "mailgw", None, "smtp", False),
    ],
)
def test_split_program(
    tag: str, instance: str, service: str | None, daemon: str, is_postfix: bool
) -> None:
    program = split_program(tag)
    assert program.instance == instance
    assert program.service == service
    assert program.daemon == daemon
    assert program.is_postfix == is_postfix


def test_extra_syslog_name_counts_as_postfix() -> None:
    assert split_program("mailgw/smtp", ("mailgw",)).is_postfix


H = "Mar 11 12:14:29 mx1.example.com"
LOG = "\n".join(
    [
        f"{H} dovecot: imap-login: Login: user=<bob@example.com>",
        f"{H} amavis[900]: (00900-01) Passed CLEAN",
        f"{H} amavis[900]: (00900-02) Passed CLEAN",
        f"{H} kernel: eth0: link up",
        *[f"{H} postfix/smtpd[2101]: new smtpd shape {n}" for n in range(7)],
        f"{H} postfix/submission/smtpd[2102]: new submission shape",
        *[f"{H} postfix/smtp[2501]: 3A1F2B7C9D: new smtp shape {n}" for n in range(2)],
        f"{H} postfix/qmgr[2401]: 3A1F2B7C9D: removed",
        "this line has no syslog header",
        "",
    ]
)


def test_line_accounting() -> None:
    parsed = parse_log(
        io.BytesIO(LOG.encode()), "maillog", YearReference(year=2024), UTC
    )
    stats = parsed.stats
    assert stats.lines == 16
    assert stats.syslog_lines == 15
    assert stats.unparsed_lines == 1
    assert stats.unparsed_samples == [(16, "this line has no syslog header")]
    assert stats.other_programs == {"dovecot": 1, "amavis": 2, "kernel": 1}
    assert stats.postfix_lines == 11
    assert stats.recognized_lines == 1
    assert stats.unknown_by_daemon == {"smtpd": 8, "smtp": 2}
    assert stats.unknown_by_program == {
        "postfix/smtpd": 7, "postfix/submission/smtpd": 1, "postfix/smtp": 2,
    }  # fmt: skip


def test_unknown_samples_cover_every_daemon() -> None:
    parsed = parse_log(
        io.BytesIO(LOG.encode()), "maillog", YearReference(year=2024), UTC
    )
    samples = parsed.stats.unknown_samples
    per_daemon = {d: [n for n, dd, _ in samples if dd == d] for d in ("smtpd", "smtp")}
    assert per_daemon["smtpd"] == [5, 6, 7, 8, 9]
    assert per_daemon["smtp"] == [13, 14]
    assert samples[0] == (5, "smtpd", "new smtpd shape 0")


def test_merged_samples_keep_per_daemon_limit() -> None:
    total = LineStats()
    for part in range(3):
        stats = LineStats()
        stats.unknown_samples = [(part * 10 + n, "smtpd", "x") for n in range(4)]
        stats.unknown_samples.append((part * 10 + 9, "qmgr", "y"))
        total.merge(stats)
    daemons = [daemon for _, daemon, _ in total.unknown_samples]
    assert daemons.count("smtpd") == logfile.SAMPLES_PER_DAEMON
    assert daemons.count("qmgr") == 3
