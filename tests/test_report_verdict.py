"""The verdict: sentences that name the host it is about and partial results."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections import Counter
from pathlib import Path

from analyzer.api import analyze_bundle
from analyzer.report import i18n
from analyzer.report.context import build_context
from analyzer.report.write import report_context
from tests.conftest import SAMPLES, cli_env, truth
from tests.test_findings_direct import analyze, message, said_by, sent
from tests.test_findings_servers import TIMEOUT, deferred

LINE = (
    "Dec  3 12:{minute:02d}:{second:02d} relay1 postfix/qmgr[1003]: 4F2A1C0D9E: removed"
)
ROTATED = "".join(
    LINE.format(minute=n // 60 % 60, second=n % 60) + "\n" for n in range(3000)
).encode()
DEFERRED = (
    "Dec  3 13:0{n}:01 relay1 postfix/smtp[2400]: 4F2A1C0D9{n}: to=<bob@example.net>, "
    "relay=mx.example.net[192.0.2.25]:25, delay=0.4, delays=0.1/0/0.2/0.1, "
    "dsn=4.2.2, status=deferred (host mx.example.net[192.0.2.25] said: 452 4.2.2 "
    "Mailbox full (in reply to RCPT TO command))\n"
)
DELIVERED = (
    "Dec  3 13:00:01 relay1 postfix/smtp[2400]: 4F2A1C0D9E: to=<bob@example.net>, "
    "relay=mx.example.net[192.0.2.25]:25, delay=0.4, delays=0.1/0/0.2/0.1, "
    "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 7B3C)\n"
)


def cut_gzip() -> bytes:
    data = gzip.compress(ROTATED, mtime=0)
    return data[: len(data) * 2 // 3]


def partial_bundle(tmp_path: Path, log: str) -> Path:
    """Write a bundle whose rotated log is cut short, next to ``log``."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "maillog").write_text(log)
    (folder / "maillog.1.gz").write_bytes(cut_gzip())
    (folder / "main.cf").write_text("myhostname = relay1.example.com\n")
    return folder


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args, "--year", "2026"],
        capture_output=True, text=True, env=cli_env(), timeout=300,
    )  # fmt: skip


def test_two_hosts_verdict_names_host() -> None:
    analysis = analyze_bundle(SAMPLES / "two-hosts.tar.gz")
    verdict = build_context(analysis, "en").verdict
    assert verdict["status"] == "failing"
    assert verdict["detail"].endswith("(qradar-ep1).")


def test_verdict_lists_other_hosts(tmp_path: Path) -> None:
    for host, reply in (
        ("console", TIMEOUT),
        ("processor", "mail for localhost loops back to myself"),
    ):
        folder = tmp_path / host
        folder.mkdir()
        lines = deferred("A1B2C3D4E5", "10:00:00", reply)
        (folder / "maillog").write_text("".join(lines).replace("qradar-console", host))
    analysis = analyze_bundle(tmp_path, year=2026)
    detail = build_context(analysis, "en").verdict["detail"]
    first = analysis.findings[0].host
    other = "processor" if first == "console" else "console"
    assert f"({first})" in detail
    assert detail.endswith(f"Other hosts with problems: {other}.")


def test_backlog_follows_its_cause(tmp_path: Path) -> None:
    """A backlog left by a relay that refuses connections names the refusal first."""
    reply = "connect to mail.example.com[192.0.2.25]:25: Connection refused"
    lines = []
    for number in range(1200):
        stamp = f"10:{number // 60 % 60:02d}:{number % 60:02d}"
        lines += deferred(f"{0xA00000 + number:X}0000", stamp, reply)
    (tmp_path / "maillog").write_text("".join(lines))
    analysis = analyze_bundle(tmp_path, year=2026)
    codes = [(f.code, f.severity) for f in analysis.findings]
    assert codes[:2] == [
        ("relay-connection-failed", "error"),
        ("queue-backlog", "error"),
    ], codes
    verdict = build_context(analysis, "en").verdict
    assert "cannot connect to the mail server" in verdict["detail"]


def test_key_numbers_queued_recipients() -> None:
    # Three messages reached some recipients and wait for the others: the
    # message counts show none deferred, so the recipients are counted too.
    analysis = analyze_bundle(SAMPLES / "mixed-recipients.tar.gz")
    numbers = dict(build_context(analysis).key_numbers)
    assert numbers["Deferred, still queued"] == "0"
    assert numbers["Delivered to some recipients only"] == "3"
    assert numbers["Recipients still queued"] == "3"
    healthy = dict(
        build_context(analyze_bundle(SAMPLES / "healthy.tar.gz")).key_numbers
    )
    assert "Recipients still queued" not in healthy


def test_key_numbers_count_notices_apart() -> None:
    """The three messages expired; the three bounce notices to root were
    delivered. Delivered must not read 3, in the key numbers or the chart."""
    analysis = analyze_bundle(SAMPLES / "expired.tar.gz")
    facts = truth("expired")
    kinds = Counter(message["kind"] for message in facts["messages"])
    assert kinds == {"original": 3, "bounce_notice": 3}

    numbers = dict(build_context(analysis).key_numbers)
    assert numbers["Messages"] == "3"
    assert numbers["Delivered"] == "0"
    assert numbers["Expired"] == "3"
    assert numbers["Non-delivery notices (from=<>)"] == "3"

    # Analysts' totals keep counting every message.
    assert analysis.totals().states == {"expired": 3, "delivered": 3}
    assert analysis.traffic("D")["delivered"].sum() == 3
    assert analysis.traffic("D", notices=False)["delivered"].sum() == 0

    context = report_context(analysis, "en")
    assert (
        "non-delivery notices (from=<>) are not shown"
        in (context.chart_captions["traffic"])
    )
    healthy = dict(
        build_context(analyze_bundle(SAMPLES / "healthy.tar.gz")).key_numbers
    )
    assert "Non-delivery notices (from=<>)" not in healthy

    # The daily table and the terminal summary count the same way.
    daily = build_context(analysis).traffic
    assert sum(row["delivered"] for row in daily) == 0
    summary = subprocess.run(
        [sys.executable, "-m", "analyzer", "summary", str(SAMPLES / "expired.tar.gz")],
        capture_output=True,
        text=True,
        check=True,
        env=cli_env(),
    ).stdout
    assert "Messages: 3 (expired 3)" in summary
    assert "Non-delivery notices (from=<>): 3 (delivered 3)" in summary


def test_partial_bundle_verdict_line(tmp_path: Path) -> None:
    """Only the partial note shows when the bundle's damage leads the verdict."""
    result = run_cli("summary", str(partial_bundle(tmp_path, DELIVERED)))
    assert result.returncode == 4, result.stderr
    assert result.stdout.splitlines()[1] == (
        "Verdict: WARNING: Parts of the bundle could not be read; results are partial."
    )


def test_failing_partial_verdict_line(tmp_path: Path) -> None:
    log = "".join(DEFERRED.format(n=n) for n in range(3))
    result = run_cli("summary", str(partial_bundle(tmp_path, log)))
    assert result.returncode == 4, result.stderr
    assert result.stdout.splitlines()[1] == (
        "Verdict: FAILING: Recipient mailboxes are full. Parts of the bundle could "
        "not be read; results are partial."
    )


def test_japanese_partial_verdict(tmp_path: Path) -> None:
    log = "".join(DEFERRED.format(n=n) for n in range(3))
    analysis = analyze_bundle(partial_bundle(tmp_path, log), year=2026)
    texts = i18n.finding_texts("mailbox-full", "ja")
    assert texts is not None
    partial = i18n.labels("ja")["verdict_partial"]
    detail = build_context(analysis, "ja").verdict["detail"]
    assert detail == f"{texts[0]}。{partial}"


def test_headline_some_mail_failing(tmp_path: Path) -> None:
    denied = said_by(
        "mail.example.com[192.0.2.25]",
        "554 5.7.1 <ops@example.org>: Relay access denied",
    )
    bounced = message(
        30, "ops@example.org", "mail.example.com[192.0.2.25]:25", "bounced", denied
    )
    analysis = analyze(
        tmp_path, [*sent(3), bounced], "relayhost = [mail.example.com]\n"
    )
    verdict = build_context(analysis).verdict
    assert verdict["status"] == "failing"
    assert verdict["headline"] == "Some mail is not being delivered"
    loop = build_context(analyze_bundle(SAMPLES / "localhost-loop.tar.gz")).verdict
    assert loop["headline"] == "Mail is not being delivered"


def test_headline_ignores_remote_rejects(tmp_path: Path) -> None:
    """Rejected submissions of other hosts (spam at a mail server) are not this
    host's undelivered mail, so most of the mail still counts as delivered."""
    denied = said_by(
        "mail.example.com[192.0.2.25]",
        "554 5.7.1 <ops@example.org>: Relay access denied",
    )
    bounced = message(
        30, "ops@example.org", "mail.example.com[192.0.2.25]:25", "bounced", denied
    )
    spam = [
        f"Dec  3 11:0{n}:00 relay01 postfix/smtpd[90{n}]: NOQUEUE: reject: RCPT from "
        f"unknown[203.0.113.{n + 1}]: 554 5.7.1 <x@example.org>: Relay access denied;"
        " from=<x@example.net> to=<x@example.org> proto=ESMTP helo=<example.net>\n"
        for n in range(8)
    ]
    analysis = analyze(
        tmp_path, [*sent(3), bounced, *spam], "relayhost = [mail.example.com]\n"
    )
    assert analysis.totals().rejected_unqueued == 8
    verdict = build_context(analysis).verdict
    assert verdict["headline"] == "Some mail is not being delivered"


INBOUND_REJECTS = [
    f"Dec  3 11:0{n}:00 mx1 postfix/smtpd[91{n}]: 4F2A1C0D{n}0: reject: RCPT from "
    f"client.example.net[192.0.2.{n + 1}]: 550 5.1.1 <nobody{n}@example.org>: "
    "Recipient address rejected: User unknown in local recipient table; "
    f"from=<x@example.net> to=<nobody{n}@example.org> proto=ESMTP "
    "helo=<client.example.net>\n"
    for n in range(3)
]


def test_healthy_verdict_without_deliveries(tmp_path: Path) -> None:
    """A log of rejected inbound mail only does not claim that mail was delivered."""
    (tmp_path / "maillog").write_text("".join(INBOUND_REJECTS))
    analysis = analyze_bundle(tmp_path, year=2026)
    assert analysis.totals().states == {"rejected": 3}
    english = build_context(analysis, "en").verdict
    assert english["status"] == "healthy"
    assert "Every message" not in english["detail"]
    assert english["detail"] == (
        "No message in the logs was delivered or handed on (3 rejected)."
    )
    japanese = build_context(analysis, "ja").verdict
    assert japanese["detail"] == (
        "ログ上のメッセージは 1 通も配送・転送されていません\uff08拒否 3 通\uff09。"
    )


def test_healthy_verdict_counts_other_outcomes(tmp_path: Path) -> None:
    lines = [*sent(2), *INBOUND_REJECTS]
    analysis = analyze(tmp_path, lines, "relayhost = [mail.example.com]\n")
    verdict = build_context(analysis, "en").verdict
    assert verdict["status"] == "healthy"
    assert verdict["detail"] == (
        "2 of 5 messages in the logs were delivered or handed on (3 rejected)."
    )


def test_healthy_verdict_all_delivered(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, sent(2), "relayhost = [mail.example.com]\n")
    verdict = build_context(analysis, "en").verdict
    assert verdict["detail"] == "Every message in the logs was delivered or handed on."


def test_rejected_submissions_only(tmp_path: Path) -> None:
    """Submissions that smtpd rejected before queueing did reach Postfix."""
    spam = [
        f"Dec  3 11:0{n}:00 mx1 postfix/smtpd[92{n}]: NOQUEUE: reject: RCPT from "
        f"unknown[192.0.2.{n + 1}]: 554 5.7.1 <x@example.org>: Relay access denied;"
        " from=<x@example.net> to=<x@example.org> proto=ESMTP helo=<example.net>\n"
        for n in range(4)
    ]
    (tmp_path / "maillog").write_text("".join(spam))
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "no-mail-activity")
    assert finding.params["variant"] == "rejected"
    assert finding.params["rejected"] == "4"
    assert "did not hand any" not in finding.summary
    assert "4 submission(s)" in finding.summary
    assert "Relay access denied" in finding.evidence[0].text
    japanese = build_context(analysis, "ja")
    summary = next(
        f["summary"] for f in japanese.findings if f["code"] == "no-mail-activity"
    )
    assert "4 件" in summary


def test_headline_outage_until_log_end(tmp_path: Path) -> None:
    """Most mail of the log was delivered, but connections to the relay then timed
    out and nothing went out until the log ends: mail is not being delivered."""
    lines = [
        line.replace("Dec  4", "Dec  3").replace("qradar-console", "relay01")
        for n in range(4)
        for line in deferred(f"B{n}C3D4E5F6", f"11:{n}0:00", TIMEOUT)
    ]
    analysis = analyze(tmp_path, [*sent(6), *lines], "relayhost = [mx1.corp.example]\n")
    assert analysis.totals().states["delivered"] == 6
    verdict = build_context(analysis).verdict
    assert verdict["status"] == "failing"
    assert verdict["headline"] == "Mail is not being delivered"
    failed = next(f for f in analysis.findings if f.code == "relay-connection-failed")
    assert failed.params["variant"] == "ongoing"
    assert "up to the end of the log" in failed.summary
    assert "2026-12-03 10:05" in failed.summary


def test_cleared_backlog_is_not_waiting() -> None:
    """The backlogs of the flush and delete samples left the queue: the verdict
    and the remedy describe them as past, not as waiting."""
    for name, ending in (
        ("backlog-flush", "delivered later"),
        ("backlog-deleted", "deleted"),
    ):
        analysis = analyze_bundle(SAMPLES / f"{name}.tar.gz")
        backlog = next(f for f in analysis.findings if f.code == "queue-backlog")
        assert backlog.title.endswith(ending), name
        assert "waiting" not in build_context(analysis).verdict["detail"], name
        assert "`postfix flush` sends the backlog" not in backlog.remedy, name


def test_cleared_failure_with_held_mail() -> None:
    """In the held sample the relay accepted mail again after the refusals: 3
    messages were delivered and 2 put on hold, none still failing."""
    analysis = analyze_bundle(SAMPLES / "held.tar.gz")
    failed = next(f for f in analysis.findings if f.code == "relay-connection-failed")
    assert failed.params["variant"] == "recovered_partly"
    assert failed.params["delivered"] == "3"
    assert failed.params["held"] == "2"
    assert failed.title == "Connections to the mail server failed for a while"
    assert "3 of them were delivered" in failed.summary
    assert "2 are on hold" in failed.summary


def test_next_steps_merge_hosts_with_same_cause(tmp_path: Path) -> None:
    """Two hosts that cannot reach the same relay get one step naming both."""
    lines = [
        line.replace("qradar-console", host)
        for number, host in enumerate(("siem-a", "siem-b"))
        for line in deferred(f"C{number}C3D4E5F6", f"10:0{number}:00", TIMEOUT)
    ]
    (tmp_path / "syslog").write_text("".join(lines))
    analysis = analyze_bundle(tmp_path, year=2026)
    steps = build_context(analysis).next_steps
    titles = [title for title, _ in steps]
    assert (
        titles.count("This host cannot connect to the mail server (siem-a, siem-b)")
        == 1
    )
    assert len(steps) == len(set(steps))


def test_partly_delivered_mail_counts_as_going_out() -> None:
    """In the mixed-recipients sample every message reached one of its
    recipients and bounced for another: some mail fails, not all of it, and the
    key numbers count the bounced recipients."""
    context = build_context(analyze_bundle(SAMPLES / "mixed-recipients.tar.gz"))
    assert context.verdict["headline"] == "Some mail is not being delivered"
    numbers = dict(context.key_numbers)
    assert numbers["Recipients bounced"] == "3"


def test_verdict_of_a_bounce_long_past(tmp_path: Path) -> None:
    """One message bounced early, every later one was delivered: the headline
    states that later mail goes out, not that mail is not being delivered."""
    bounced = message(
        1,
        "sco@example.net",
        "mx.example.net[198.51.100.25]:25",
        "bounced",
        said_by(
            "mx.example.net[198.51.100.25]", "550 5.1.1 <sco@example.net>: User unknown"
        ),
    )
    analysis = analyze(tmp_path, [bounced, *sent(12)[2:]], "relayhost =\n")
    headline = build_context(analysis, "en").verdict["headline"]
    assert headline == "Some mail was not delivered; later mail goes out"
    japanese = build_context(analysis, "ja").verdict["headline"]
    assert japanese == i18n.labels("ja")["verdict_failing_over"]


def test_verdict_while_failures_go_on(tmp_path: Path) -> None:
    """The last delivery comes before the last failure: not over."""
    lines = sent(3) + [
        message(
            number,
            "soc@example.net",
            "none",
            "deferred",
            "connect to mx.example.net[198.51.100.25]:25: Connection timed out",
        )
        for number in range(5, 8)
    ]
    analysis = analyze(tmp_path, lines, "relayhost =\n")
    headline = build_context(analysis, "en").verdict["headline"]
    assert "again" not in headline
    assert "earlier" not in headline


def test_verdict_not_over_with_queued_mail(tmp_path: Path) -> None:
    """The newest queue listing still shows a failing message: not over."""
    timeouts = message(
        1, "soc@example.net", "none", "deferred",
        "connect to mx.example.net[198.51.100.25]:25: Connection timed out",
    )  # fmt: skip
    retried = message(
        1, "soc@example.net", "mx.example.net[198.51.100.25]:25", "sent",
        "250 2.0.0 Ok: queued as 7C8D",
    ).replace("10:01:00", "10:06:00")  # fmt: skip
    (tmp_path / "mailq.txt").write_text(
        "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
        "1B2C3D0E00      700 Thu Dec  3 14:10:00  root@relay01.example.com\n"
        "(connect to mx.example.net[198.51.100.25]:25: Connection timed out)\n"
        "                                         soc@example.net\n"
        "\n"
        "-- 1 Kbytes in 1 Request.\n"
    )
    analysis = analyze(tmp_path, [timeouts, retried, *sent(8)[2:]], "relayhost =\n")
    headline = build_context(analysis, "en").verdict["headline"]
    assert "earlier" not in headline
    assert "later mail goes out" not in headline


def test_verdict_not_over_when_only_notices_go_out(tmp_path: Path) -> None:
    """The bounce notices of a permanent rejection are not mail going out again."""
    rejected = message(
        1, "soc@example.net", "mx.example.net[198.51.100.25]:25", "bounced",
        said_by("mx.example.net[198.51.100.25]", "554 5.7.1 Relay access denied"),
    )  # fmt: skip
    notice = (
        "Dec  3 10:02:00 relay01 postfix/bounce[305]: A00010: sender non-delivery"
        " notification: B1C2D3E4F5\n"
        "Dec  3 10:02:00 relay01 postfix/qmgr[302]: B1C2D3E4F5: from=<>, size=2000,"
        " nrcpt=1 (queue active)\n"
        "Dec  3 10:02:01 relay01 postfix/local[306]: B1C2D3E4F5:"
        " to=<root@relay01.example.com>, relay=local, delay=1, delays=0/0/0/1,"
        " dsn=2.0.0, status=sent (delivered to mailbox)\n"
    )
    analysis = analyze(tmp_path, [rejected, notice], "relayhost =\n")
    headline = build_context(analysis, "en").verdict["headline"]
    assert "later mail goes out" not in headline


def test_healthy_case_has_no_next_steps() -> None:
    """Information findings need no action: a healthy case gives none."""
    context = build_context(analyze_bundle(SAMPLES / "healthy.tar.gz"))
    assert [f["severity"] for f in context.findings] == ["info"]
    assert context.next_steps == []
    failing = build_context(analyze_bundle(SAMPLES / "relay-denied.tar.gz"))
    assert failing.next_steps


def test_notice_sender_shows_as_null_sender() -> None:
    context = build_context(analyze_bundle(SAMPLES / "relay-denied.tar.gz"))
    senders = [m["sender"] for m in context.messages]
    assert senders.count("<>") == 3
    assert "" not in senders


def test_empty_listing_is_no_missing_listing() -> None:
    """The bundle has queue listings, and they are empty: the HTML states that."""
    context = build_context(analyze_bundle(SAMPLES / "sasl-password-key.tar.gz"))
    assert context.qshape["note"].startswith("The queue was empty when it was listed")
    assert "commands/mailq.txt" in context.qshape["note"]
    healthy = build_context(analyze_bundle(SAMPLES / "healthy.tar.gz"))
    assert healthy.qshape["rows"] or healthy.qshape["note"]
