"""Evidence of a delivery finding quotes the lines that show its cause.

A message tried at two MX hosts gets a note about the first ("host mx1 said:
421 Too many concurrent connections") before the delivery record of the second. The note
belongs to the message, but shows another cause than the finding names.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle

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
