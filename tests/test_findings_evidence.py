"""Evidence of a delivery finding quotes the lines that show its cause.

A message tried at two MX hosts gets a note about the first ("host mx1 said:
421 Too many concurrent connections") before the delivery record of the second. The note
belongs to the message, but shows another cause than the finding names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from analyzer.report.context import localized_texts

FULL = "452 4.2.2 <bob@example.net>: Mailbox is full (in reply to RCPT TO command)"
BUSY = "421 4.7.0 Too many concurrent connections (in reply to RCPT TO command)"


def attempt(number: int, first_reply: str) -> str:
    queue_id = f"{0xD0000 + number:X}0"
    head = f"Dec  3 12:{number:02d}:00 mx9 postfix"
    return (
        f"{head}/pickup[500]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/qmgr[502]: {queue_id}: from=<root@mx9.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/smtp[503]: {queue_id}: host mx1.example.net[192.0.2.31] said:"
        f" {first_reply}\n"
        f"{head}/smtp[503]: {queue_id}: to=<bob@example.net>,"
        " relay=mx2.example.net[192.0.2.32]:25, delay=1, delays=0/0/1/0,"
        f" dsn=4.2.2, status=deferred (host mx2.example.net[192.0.2.32] said: {FULL})\n"
    )


@pytest.mark.parametrize(("first_reply", "quoted"), [(BUSY, False), (FULL, True)])
def test_notes_of_other_causes_left_out(
    tmp_path: Path, first_reply: str, quoted: bool
) -> None:
    (tmp_path / "maillog").write_text(
        "".join(attempt(n, first_reply) for n in range(3))
    )

    analysis = analyze_bundle(tmp_path, year=2026)

    finding = next(f for f in analysis.findings if f.code == "mailbox-full")
    notes = [e.text for e in finding.evidence if "mx1.example.net" in e.text]
    assert bool(notes) == quoted, [e.text for e in finding.evidence]
    assert all(first_reply in note for note in notes)


SASL_REPLY = (
    "SASL authentication failed; server mail.example.com[192.0.2.25] said: "
    "535 5.7.8 Error: authentication failed"
)


def login_failures(queue_id: str, day: int, delivered: bool) -> str:
    """A message whose login fails at 10:00 of ``day``, and that is delivered on
    Dec 6 when ``delivered`` is set."""
    head = f"Dec  {day} 10:00:00 qr1 postfix"
    lines = (
        f"{head}/pickup[500]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/qmgr[502]: {queue_id}: from=<root@qr1.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/smtp[503]: {queue_id}: to=<soc@example.com>,"
        " relay=mail.example.com[192.0.2.25]:587, delay=1, delays=0/0/0.5/0.5,"
        f" dsn=4.7.8, status=deferred ({SASL_REPLY})\n"
    )
    if delivered:
        lines += (
            f"Dec  6 09:00:00 qr1 postfix/smtp[504]: {queue_id}: to=<soc@example.com>,"
            " relay=mail.example.com[192.0.2.25]:587, delay=9, delays=9/0/0.5/0.5,"
            " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4A4A4A4A4A)\n"
            f"Dec  6 09:00:00 qr1 postfix/qmgr[502]: {queue_id}: removed\n"
        )
    return lines


def sasl_bundle(tmp_path: Path) -> Path:
    """Five login failures from Dec 1 on; the three oldest go out on Dec 6, and
    the two newest (Dec 6 and 7) still wait."""
    plan = [("A1A1A1A1A1", 1, True), ("B2B2B2B2B2", 2, True), ("C3C3C3C3C3", 3, True),
            ("D4D4D4D4D4", 6, False), ("E5E5E5E5E5", 7, False)]  # fmt: skip
    log = "".join(login_failures(*step) for step in plan)
    lines = sorted(log.splitlines(keepends=True), key=lambda line: line[:15])
    (tmp_path / "maillog").write_text("".join(lines))
    return tmp_path


def test_evidence_quotes_newest_failure(tmp_path: Path) -> None:
    analysis = analyze_bundle(sasl_bundle(tmp_path), year=2026)
    finding = next(
        f for f in analysis.findings if f.code == "sasl-authentication-failed"
    )
    quoted = [e.text[:6] for e in finding.evidence if e.kind == "log"]
    # The onset, and the newest failure, which shows that it goes on.
    assert quoted[0] == "Dec  1"
    assert "Dec  7" in quoted


def test_summary_tells_later_deliveries(tmp_path: Path) -> None:
    analysis = analyze_bundle(sasl_bundle(tmp_path), year=2026)
    finding = next(
        f for f in analysis.findings if f.code == "sasl-authentication-failed"
    )
    assert finding.summary.endswith(
        "3 of them were delivered later, and 2 still wait in the queue."
    )
    summary = localized_texts(finding, "ja")[1]
    assert summary.endswith(
        "」。このうち 3 通は後で配送され、2 通はまだキューで待っています。"
    )


def test_summary_tells_one_later_delivery(tmp_path: Path) -> None:
    plan = [("A1A1A1A1A1", 1, True), ("D4D4D4D4D4", 6, False), ("E5E5E5E5E5", 7, False)]
    log = "".join(login_failures(*step) for step in plan)
    lines = sorted(log.splitlines(keepends=True), key=lambda line: line[:15])
    (tmp_path / "maillog").write_text("".join(lines))
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(
        f for f in analysis.findings if f.code == "sasl-authentication-failed"
    )
    assert finding.summary.endswith(
        "1 of them was delivered later, and 2 still wait in the queue."
    )
