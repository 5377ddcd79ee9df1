"""soft_bounce = yes: Postfix logs a permanent rejection as status=SOFTBOUNCE
and keeps the mail queued, so the cause finding must read those lines, and the
totals must still match pflogsumm's."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from analyzer.analysis.findings.catalog import SOFT_BOUNCE, SOFT_BOUNCE_REMEDY
from analyzer.analysis.stats import reconcile
from analyzer.cli import main
from analyzer.report import i18n
from analyzer.report.context import localized_texts
from tests.pflogsumm import run_pflogsumm
from tests.test_findings_servers import HOST, analyze_lines
from tests.test_report_japanese import fields

SOFT_BOUNCE_CF = "relayhost = [mail.example.com]\nsoft_bounce = yes\n"
UNKNOWN_USER = (
    "host mail.example.com[192.0.2.25] said: 550 5.1.1 <gone@example.com>:"
    " Recipient address rejected: User unknown in virtual mailbox table (in reply"
    " to RCPT TO command)"
)


def soft_bounced(queue_id: str, stamp: str, reply: str = UNKNOWN_USER) -> list[str]:
    """Return the lines of a message that soft_bounce = yes kept queued after
    ``reply``, as Postfix 3.7 logs them."""
    head = f"Dec  4 {stamp} {HOST} postfix"
    return [
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
        f"{head}/cleanup[301]: {queue_id}: message-id=<{queue_id}@example.com>\n",
        f"{head}/qmgr[302]: {queue_id}: from=<root@{HOST}.example.com>, size=700,"
        " nrcpt=1 (queue active)\n",
        f"{head}/smtp[303]: {queue_id}: to=<gone@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=0.1, delays=0/0/0/0.1,"
        f" dsn=4.1.1, status=SOFTBOUNCE ({reply})\n",
    ]


def sent(queue_id: str, stamp: str) -> list[str]:
    """Return the lines of a message that mail.example.com accepted."""
    head = f"Dec  4 {stamp} {HOST} postfix"
    return [
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
        f"{head}/qmgr[302]: {queue_id}: from=<root@{HOST}.example.com>, size=700,"
        " nrcpt=1 (queue active)\n",
        f"{head}/smtp[303]: {queue_id}: to=<soc@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=0.1, delays=0/0/0/0.1,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F017AB)\n",
        f"{head}/qmgr[302]: {queue_id}: removed\n",
    ]


def test_soft_bounce_names_cause(tmp_path: Path) -> None:
    lines = soft_bounced("A1B2C3D4E5", "10:00:00") + soft_bounced(
        "B2C3D4E5F6", "10:00:05"
    )
    analysis = analyze_lines(tmp_path, lines, SOFT_BOUNCE_CF)
    finding = analysis.findings[0]
    assert finding.code == "unknown-recipient"
    assert finding.severity == "error"
    assert finding.messages_affected == 2
    assert finding.params["soft_bounce"] is True
    assert finding.params["lifetime"] == "5d"
    assert "status=SOFTBOUNCE" in finding.summary
    assert "soft_bounce = yes" in finding.summary
    assert "until maximal_queue_lifetime (5d)" in finding.summary
    # The cause first: soft_bounce = no alone would return mail that fixing it saves.
    assert finding.remedy.startswith(
        "Fix the cause below first, then set soft_bounce = no in /etc/postfix/main.cf"
    )
    assert "`postfix reload`" in finding.remedy
    assert "Correct the recipient addresses" in finding.remedy
    quoted = [e.text for e in finding.evidence]
    assert "soft_bounce = yes" in quoted
    assert any("status=SOFTBOUNCE" in text for text in quoted)


def test_soft_bounce_not_recovered(tmp_path: Path) -> None:
    """The relay taking other mail later does not clear a rejection that
    soft_bounce turned into retries: the mail waits until it expires."""
    lines = soft_bounced("A1B2C3D4E5", "10:00:00") + sent("B2C3D4E5F6", "10:05:00")
    finding = analyze_lines(tmp_path, lines, SOFT_BOUNCE_CF).findings[0]
    assert finding.code == "unknown-recipient"
    assert finding.severity == "error"
    assert not finding.secondary


def test_soft_bounce_other_cause(tmp_path: Path) -> None:
    """Every cause finding gets the soft_bounce sentences, not only unknown users."""
    denied = (
        "host mail.example.com[192.0.2.25] said: 554 5.7.1 <gone@example.com>: Relay"
        " access denied (in reply to RCPT TO command)"
    )
    lines = soft_bounced("A1B2C3D4E5", "10:00:00", denied)
    finding = analyze_lines(tmp_path, lines, SOFT_BOUNCE_CF).findings[0]
    assert finding.code == "relay-access-denied"
    assert "status=SOFTBOUNCE" in finding.summary
    assert finding.remedy.startswith("Fix the cause below first, then set soft_bounce")


def test_deferred_without_soft_bounce(tmp_path: Path) -> None:
    """A plain deferral gets none of the soft_bounce sentences."""
    lines = soft_bounced("A1B2C3D4E5", "10:00:00")
    lines[-1] = lines[-1].replace("status=SOFTBOUNCE", "status=deferred")
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "unknown-recipient"
    assert "soft_bounce" not in finding.params
    assert "soft_bounce" not in finding.summary
    assert "soft_bounce" not in finding.remedy


def test_soft_bounce_totals_match_pflogsumm(tmp_path: Path) -> None:
    """pflogsumm 1.1.5 counts only status=deferred as a deferral, so its totals
    leave SOFTBOUNCE lines out. mailbundle's own totals count them."""
    lines = soft_bounced("A1B2C3D4E5", "10:00:00") + soft_bounced(
        "B2C3D4E5F6", "10:00:05"
    )
    analysis = analyze_lines(tmp_path, lines, SOFT_BOUNCE_CF)
    theirs = run_pflogsumm("".join(lines).encode())
    totals = analysis.pflogsumm_totals()
    assert theirs["deferred"] == 0
    assert theirs["deferrals"] == 0
    assert totals["deferred"] == theirs["deferred"]
    assert totals["deferrals"] == theirs["deferrals"]
    assert analysis.totals().deferrals == 2
    assert analysis.totals().deferred_messages == 2
    rows = {
        row.name: row
        for row in reconcile(analysis.events, analysis.messages, analysis.deliveries)
    }
    assert dict(rows["deferred"].differences) == {"soft_bounce": -2}
    assert rows["deferred"].pflogsumm == 0
    by_reason = analysis.deferrals("by_reason")["by_reason"]
    assert int(by_reason["deferrals"].sum()) == 2


def test_soft_bounce_summary_note(tmp_path: Path) -> None:
    lines = soft_bounced("A1B2C3D4E5", "10:00:00") + soft_bounced(
        "B2C3D4E5F6", "10:00:05"
    )
    analyze_lines(tmp_path, lines, SOFT_BOUNCE_CF)
    result = CliRunner().invoke(main, ["summary", str(tmp_path), "--year", "2026"])
    assert result.exit_code == 0, result.output
    assert (
        "  (pflogsumm counts no status=SOFTBOUNCE lines: the 2 deferrals of 2"
        " messages that soft_bounce = yes kept queued are not in these totals)"
    ) in result.output.splitlines()


def test_soft_bounce_in_japanese(tmp_path: Path) -> None:
    lines = soft_bounced("A1B2C3D4E5", "10:00:00")
    finding = analyze_lines(tmp_path, lines, SOFT_BOUNCE_CF).findings[0]
    _, summary, remedy = localized_texts(finding, "ja")
    assert "status=SOFTBOUNCE と記録しました" in summary
    assert "maximal_queue_lifetime（5d = 5 日）" in summary  # noqa: RUF001
    assert remedy.startswith(
        "まず下記の原因を解消し、その後 /etc/postfix/main.cf で soft_bounce = no"
    )
    assert "宛先アドレスを設定している場所" in remedy
    assert set(fields(i18n.SOFT_BOUNCE_JA)) == set(fields(SOFT_BOUNCE))
    assert set(fields(i18n.SOFT_BOUNCE_REMEDY_JA)) == set(fields(SOFT_BOUNCE_REMEDY))
