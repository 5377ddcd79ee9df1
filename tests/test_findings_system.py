"""Findings from Postfix's own errors: a full disk and other fatal errors."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from analyzer.analysis.findings import Finding
from analyzer.api import analyze_bundle
from analyzer.report.charts import COLORS
from analyzer.report.context import build_context
from analyzer.report.write import report_context
from analyzer.terminal import print_summary
from tests.test_findings_queue_listings import MAILQ

HEAD = "Dec  3 10:00:00 relay01 postfix"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # sendmail cannot write the queue file: the disk, and nothing else.
        (
            f"{HEAD}/sendmail[700]: fatal: root(0): queue file write error",
            ["disk-full"],
        ),
        (
            f"{HEAD}/postdrop[701]: warning: uid=0: No space left on device",
            ["disk-full"],
        ),
        # master's fatal error ends Postfix: it is not running.
        (
            f"{HEAD}/master[1]: fatal: bind 0.0.0.0 port 25: Address already in use",
            ["postfix-stopped"],
        ),
        # Another program's fatal error is its own finding.
        (
            f"{HEAD}/smtpd[702]: fatal: open /etc/postfix/access.db: No such file",
            ["postfix-fatal-error"],
        ),
        # A message over message_size_limit never reaches the queue.
        (
            f"{HEAD}/sendmail[703]: fatal: root(0): message file too big",
            ["message-too-large"],
        ),
    ],
)
def test_fatal_and_disk_errors(tmp_path: Path, line: str, expected: list[str]) -> None:
    (tmp_path / "maillog").write_text(line + "\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    codes = [f.code for f in analysis.findings if f.severity == "error"]
    assert codes == expected


def test_disk_full_passed_warning(tmp_path: Path) -> None:
    full = f"{HEAD}/smtpd[701]: warning: not enough free space in mail queue: 0 bytes"
    later = (
        "Dec  3 10:30:00 relay01 postfix/smtp[702]: A1B2C3D4E5: to=<soc@example.net>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)"
    )
    (tmp_path / "maillog").write_text(f"{full}\n{later}\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "disk-full")
    assert finding.severity == "warning"
    assert finding.params["variant"] == "passed"
    assert "1 message(s) were delivered after that" in finding.summary
    # Without a later delivery, the log shows the disk still full.
    (tmp_path / "maillog").write_text(f"{later.replace('10:30', '09:30')}\n{full}\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "disk-full")
    assert finding.severity == "error"


def disk_full_log() -> str:
    """One message delivered, then three submissions rejected for lack of space."""
    head = "Dec  3 06:00:0{s} relay01 postfix"
    lines = [
        f"{head.format(s=0)}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>",
        f"{head.format(s=0)}/qmgr[302]: A1B2C3D4E5: from=<root@relay01.example.com>,"
        " size=700, nrcpt=1 (queue active)",
        f"{head.format(s=1)}/smtp[303]: A1B2C3D4E5: to=<soc@example.net>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)",
    ]
    for minute in (20, 30, 40):
        head = f"Dec  3 06:{minute}:00 relay01 postfix/smtpd[5{minute}]:"
        lines += [
            f"{head} warning: not enough free space in mail queue: 0 bytes < 1.5*"
            "message size limit",
            f"{head} NOQUEUE: reject: MAIL from localhost[127.0.0.1]: 452 4.3.1"
            " Insufficient system storage; proto=ESMTP helo=<relay01>",
        ]
    return "\n".join(lines) + "\n"


def test_disk_full_counts_rejected_submissions(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(disk_full_log())
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "disk-full")
    assert finding.messages_affected == 3
    quoted = [e.text for e in finding.evidence]
    assert any("452 4.3.1 Insufficient system storage" in text for text in quoted)
    context = build_context(analysis)
    numbers = dict(context.key_numbers)
    assert numbers["Submissions rejected before queueing"] == "3"
    # Nothing was accepted after the disk filled: not "some mail".
    assert context.verdict["headline"] == "Mail is not being delivered"


def test_disk_full_chart_and_summary(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(disk_full_log())
    analysis = analyze_bundle(tmp_path, year=2026)
    context = report_context(analysis, "en")
    assert context.chart_captions["traffic"] == (
        "Delivery attempts per minute, one per recipient, and submissions rejected "
        "before queueing"
    )
    # Text is drawn as paths, so the rejected bars are found by their color.
    assert COLORS["rejected"] in context.charts["traffic"]
    out = io.StringIO()
    print_summary(analysis, out)
    assert "Submissions rejected before queueing: 3\n" in out.getvalue()


def test_port_in_use_at_start(tmp_path: Path) -> None:
    """Postfix starts, master cannot bind port 25 and ends: later submissions
    wait in maildrop, and the remedy finds the program on the port."""
    (tmp_path / "maillog").write_text(
        "Dec  3 09:00:00 relay01 postfix/postfix-script[90]: starting the Postfix mail system\n"
        f"{HEAD}/master[91]: fatal: bind 127.0.0.1 port 25: Address already in use\n"
        "Dec  3 10:10:00 relay01 postfix/postdrop[92]: warning: unable to look up"
        " public/pickup: No such file or directory\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert [f.code for f in analysis.findings if f.severity == "error"] == [
        "postfix-stopped"
    ]
    finding = analysis.findings[0]
    assert finding.params["variant"] == "port_in_use"
    assert finding.title == "Postfix could not start: another program uses its port"
    assert "bind 127.0.0.1 port 25: Address already in use" in finding.summary
    assert "another program listens on port 25" in finding.summary
    assert "unable to look up public/pickup" in finding.evidence[-1].text
    assert "`ss -ltnp 'sport = :25'`" in finding.remedy
    assert not [f for f in analysis.findings if f.code == "no-mail-activity"]


def test_local_message_size_limit(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(
        "Dec  3 10:00:00 relay01 postfix/postdrop[700]: warning: uid=0: File too large\n"
        "Dec  3 10:00:00 relay01 postfix/sendmail[701]: fatal: root(0): message file too big\n"
    )
    (tmp_path / "main.cf").write_text("message_size_limit = 10240000\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "message-too-large")
    assert finding.params["variant"] == "local"
    assert finding.params["count"] == "1"
    assert "message_size_limit (10240000 bytes)" in finding.summary
    assert finding.remedy.startswith("Raise message_size_limit")
    assert [e.text for e in finding.evidence if e.kind == "config"] == [
        "message_size_limit = 10240000"
    ]
    assert "postfix-fatal-error" not in [f.code for f in analysis.findings]
    assert "no-mail-activity" not in [f.code for f in analysis.findings]


def test_no_ipv6_interface(tmp_path: Path) -> None:
    line = (
        "Dec  3 10:00:00 relay01 postfix/sendmail[700]: fatal: parameter inet_interfaces:"
        " no local interface found for ::1\n"
    )
    (tmp_path / "maillog").write_text(line * 2)
    (tmp_path / "main.cf").write_text(
        "inet_interfaces = localhost\ninet_protocols = all\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "postfix-fatal-error")
    assert finding.params["variant"] == "inet_protocols"
    assert "inet_protocols = ipv4" in finding.remedy
    assert "no-mail-activity" not in [f.code for f in analysis.findings]
    japanese = build_context(analysis, lang="ja").findings
    assert "IPv6" in next(
        f["title"] for f in japanese if f["code"] == "postfix-fatal-error"
    )


def test_second_master_locked_out_while_running(tmp_path: Path) -> None:
    """A second start fails on master.lock because a master runs: Postfix works,
    as the deliveries after it show."""
    (tmp_path / "maillog").write_text(
        f"{HEAD}/master[90]: fatal: open lock file /var/lib/postfix/master.lock:"
        " unable to set exclusive lock: Resource temporarily unavailable\n"
        "Dec  3 10:05:00 relay01 postfix/smtp[91]: 4C1D2E3F40: to=<soc@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert "postfix-stopped" not in [f.code for f in analysis.findings]


def test_master_fatal_then_running(tmp_path: Path) -> None:
    """Daemons at work after master's fatal error show that Postfix ran again."""
    (tmp_path / "maillog").write_text(
        f"{HEAD}/master[90]: fatal: bind 0.0.0.0 port 25: Address already in use\n"
        "Dec  3 10:05:00 relay01 postfix/qmgr[92]: 4C1D2E3F40: from=<root@example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert "postfix-stopped" not in [f.code for f in analysis.findings]
    assert "postfix-fatal-error" in [f.code for f in analysis.findings]


def test_port_in_use_names_the_port(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(
        f"{HEAD}/master[90]: fatal: bind 0.0.0.0 port 587: Address already in use\n"
    )
    finding = analyze_bundle(tmp_path, year=2026).findings[0]
    assert finding.params["variant"] == "port_in_use"
    assert "`ss -ltnp 'sport = :587'`" in finding.remedy
    assert "port 587" in finding.summary


def test_interface_address_gone(tmp_path: Path) -> None:
    """An IPv4 address in inet_interfaces that the host lost is not an IPv6 matter."""
    (tmp_path / "maillog").write_text(
        f"{HEAD}/sendmail[700]: fatal: parameter inet_interfaces: no local interface"
        " found for 192.0.2.77\n"
    )
    (tmp_path / "main.cf").write_text(
        "inet_interfaces = 192.0.2.77, 127.0.0.1\ninet_protocols = ipv4\n"
    )
    finding = analyze_bundle(tmp_path, year=2026).findings[0]
    assert finding.params["variant"] == "inet_interfaces"
    assert "names 192.0.2.77" in finding.summary
    assert "inet_protocols = ipv4" not in finding.remedy
    assert "`ip -br addr`" in finding.remedy


@pytest.mark.parametrize(
    ("limit", "variant", "expected"),
    [
        ("104857600", "local", "for example to 209715200 bytes"),
        ("10240000", "local", "for example to 52428800 bytes"),
        ("0", "local_unlimited", "`ulimit -f`"),
    ],
)
def test_message_size_limit_advice(
    tmp_path: Path, limit: str, variant: str, expected: str
) -> None:
    """The advice never lowers the limit, and 0 (no limit) points elsewhere."""
    (tmp_path / "maillog").write_text(
        f"{HEAD}/sendmail[701]: fatal: root(0): message file too big\n"
    )
    (tmp_path / "main.cf").write_text(f"message_size_limit = {limit}\n")
    finding = analyze_bundle(tmp_path, year=2026).findings[0]
    assert finding.params["variant"] == variant
    assert expected in finding.remedy


def test_master_without_interface_is_one_finding(tmp_path: Path) -> None:
    """master and sendmail both stop for an IPv6 address the host lacks: one
    finding with the fix, not also "start Postfix"."""
    line = "fatal: parameter inet_interfaces: no local interface found for ::1\n"
    (tmp_path / "maillog").write_text(
        f"{HEAD}/master[90]: {line}{HEAD}/sendmail[700]: {line}"
    )
    (tmp_path / "main.cf").write_text("inet_protocols = all\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    codes = [f.code for f in analysis.findings if f.severity == "error"]
    assert codes == ["postfix-fatal-error"]
    assert analysis.findings[0].params["variant"] == "inet_protocols"


def test_size_limit_is_not_over(tmp_path: Path) -> None:
    """A small message delivered after the refusals does not end a size limit."""
    (tmp_path / "maillog").write_text(
        f"{HEAD}/sendmail[701]: fatal: root(0): message file too big\n"
        "Dec  3 10:05:00 relay01 postfix/smtp[91]: 4C1D2E3F40: to=<soc@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
    )
    headline = build_context(analyze_bundle(tmp_path, year=2026), "en").verdict[
        "headline"
    ]
    assert "earlier" not in headline
    assert "later mail goes out" not in headline


def test_summary_without_chart_has_no_timeline_heading(tmp_path: Path) -> None:
    """Without delivery attempts there is no chart, and no empty section for it."""
    from analyzer.report.render import render_html

    (tmp_path / "maillog").write_text(
        f"{HEAD}/master[90]: fatal: bind 0.0.0.0 port 25: Address already in use\n"
    )
    context = report_context(analyze_bundle(tmp_path, year=2026), "en")
    assert "traffic" not in context.charts
    assert 'id="timeline"' not in render_html(context, "summary.html")


def test_listed_mail_is_mail_activity(tmp_path: Path) -> None:
    """The log shows only Postfix starting, but the queue listing shows two
    messages: mail reached Postfix, so "no mail reached Postfix" would be false."""
    (tmp_path / "maillog").write_text(
        "Dec  5 09:00:00 mx1 postfix/postfix-script[100]: starting the Postfix mail"
        " system\n"
        "Dec  5 09:00:00 mx1 postfix/master[101]: daemon started -- version 3.7.11,"
        " configuration /etc/postfix\n"
    )
    (tmp_path / "mailq.txt").write_text(MAILQ)
    analysis = analyze_bundle(tmp_path, year=2026)
    assert len(analysis.queue) == 2
    assert "no-mail-activity" not in [f.code for f in analysis.findings]
    (tmp_path / "mailq.txt").unlink()
    empty = analyze_bundle(tmp_path, year=2026)
    assert "no-mail-activity" in [f.code for f in empty.findings]


def test_fatal_error_causes(tmp_path: Path) -> None:
    """A fatal error that names its cause gets the remedy for that cause."""
    cases = [
        (
            "postfix/local[300]: fatal: configuration error: mailbox_size_limit is"
            " smaller than message_size_limit",
            "mailbox_limit",
            "Raise mailbox_size_limit",
        ),
        (
            "postfix/showq[301]: fatal: scan_dir_push: open directory incoming:"
            " Permission denied",
            "permissions",
            "`postfix set-permissions`",
        ),
    ]
    for line, variant, remedy in cases:
        (tmp_path / "maillog").write_text(f"Dec  5 09:00:00 mx1 {line}\n")
        analysis = analyze_bundle(tmp_path, year=2026)
        finding = next(f for f in analysis.findings if f.code == "postfix-fatal-error")
        assert finding.params.get("variant") == variant, line
        assert remedy in finding.remedy, line
        assert "systemctl restart postfix" not in finding.remedy, line
    assert finding.params["path"] == "incoming"


def test_mailbox_limit_fixed_later(tmp_path: Path) -> None:
    """local(8) delivered again after its fatal error: a warning about the past."""
    (tmp_path / "maillog").write_text(
        "Dec  5 09:00:00 mx1 postfix/local[300]: fatal: configuration error:"
        " mailbox_size_limit is smaller than message_size_limit\n"
        "Dec  5 09:05:00 mx1 postfix/pickup[301]: A1B2C3D4E5: uid=0 from=<root>\n"
        "Dec  5 09:05:00 mx1 postfix/qmgr[302]: A1B2C3D4E5: from=<root@mx1.example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
        "Dec  5 09:05:01 mx1 postfix/local[303]: A1B2C3D4E5: to=<root@mx1.example.com>,"
        " relay=local, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent (delivered to"
        " mailbox)\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "postfix-fatal-error")
    assert finding.severity == "warning"
    assert finding.params["variant"] == "mailbox_limit_over"
    assert "delivered mail again from 2026-12-05 09:05 UTC" in finding.summary


def fatal_finding(tmp_path: Path, log: str, main_cf: str) -> Finding:
    (tmp_path / "maillog").write_text(log)
    (tmp_path / "main.cf").write_text(f"myhostname = relay01.example.com\n{main_cf}")
    analysis = analyze_bundle(tmp_path, year=2026)
    return next(f for f in analysis.findings if f.code == "postfix-fatal-error")


def test_user_not_allowed_to_submit(tmp_path: Path) -> None:
    """sendmail rejects the user before a queue ID: a restart would not help."""
    rejection = f"{HEAD}/sendmail[710]: fatal: User nobody(65534) is not allowed to submit mail\n"
    finding = fatal_finding(tmp_path, rejection * 3, "authorized_submit_users = root\n")
    assert finding.params["variant"] == "submit_refused"
    assert finding.messages_affected == 3
    assert "authorized_submit_users = root does not list nobody" in finding.summary
    assert "authorized_submit_users = root, nobody" in finding.remedy
    assert "restart postfix" not in finding.remedy
    assert finding.evidence[-1].text == "authorized_submit_users = root"


def test_lookup_table_without_type(tmp_path: Path) -> None:
    """smtp stops at each start, so queued mail gets no delivery attempt."""
    queued = (
        f"{HEAD}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        f"{HEAD}/qmgr[302]: A1B2C3D4E5: from=<root@relay01.example.com>, size=700, "
        "nrcpt=1 (queue active)\n"
    )
    stop = (
        f'{HEAD}/smtp[720]: fatal: open dictionary: expecting "type:name" form '
        'instead of "/etc/postfix/sasl_passwd"\n'
    )
    finding = fatal_finding(
        tmp_path,
        queued + stop * 2,
        "smtp_sasl_auth_enable = yes\n"
        "smtp_sasl_password_maps = /etc/postfix/sasl_passwd\n",
    )
    assert finding.params["variant"] == "table_type"
    assert finding.title == (
        "smtp_sasl_password_maps names a lookup table without its type"
    )
    assert finding.messages_affected == 1
    assert finding.message_keys == ["relay01:A1B2C3D4E5"]
    assert "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd" in finding.remedy
    assert (
        finding.evidence[-1].text
        == "smtp_sasl_password_maps = /etc/postfix/sasl_passwd"
    )


def test_user_excluded_from_submitting(tmp_path: Path) -> None:
    """authorized_submit_users = !root, static:all: the first match decides, so
    the fix removes !root instead of adding root."""
    rejection = (
        f"{HEAD}/sendmail[710]: fatal: User root(0) is not allowed to submit mail\n"
    )
    finding = fatal_finding(
        tmp_path, rejection, "authorized_submit_users = !root, static:all\n"
    )
    assert finding.params["variant"] == "submit_excluded"
    assert "Remove !root from authorized_submit_users" in finding.remedy
