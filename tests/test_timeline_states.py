"""Final states of messages that this host's own checks stopped."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analyzer import api
from analyzer.api import analyze_bundle
from tests.conftest import SAMPLES

HEAD = "Dec  4 11:00:00 gw03 postfix"


def checked(queue_id: str, action: str, reply: str) -> str:
    return (
        f"{HEAD}/pickup[300]: {queue_id}: uid=0 from=<root>\n"
        f"{HEAD}/cleanup[301]: {queue_id}: {action}: header Subject: weekly report"
        f" from local; from=<root@gw03.example.com> to=<soc@example.com>: {reply}\n"
    )


def test_discarded_and_rejected_states(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(
        checked("A1B2C3D4E5", "discard", "DISCARD spam")
        + checked(
            "B2C3D4E5F6", "reject", "5.7.1 Executable attachments are not accepted"
        )
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    states = analysis.messages.set_index("queue_id")["final_state"].to_dict()
    assert states == {"A1B2C3D4E5": "discarded", "B2C3D4E5F6": "rejected"}


def test_recipients_of_unattempted_mail(tmp_path: Path) -> None:
    """Mail that cleanup holds, rejects or discards gets no delivery attempt; the
    recipient that its cleanup line names still gets a row, with no attempts."""
    (tmp_path / "maillog").write_text(
        checked("A1B2C3D4E5", "discard", "DISCARD spam")
        + checked(
            "B2C3D4E5F6", "reject", "5.7.1 Executable attachments are not accepted"
        )
        + checked("C3D4E5F6A7", "hold", "review first")
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    recipients = analysis.recipients.reset_index(drop=True)
    rows = recipients.set_index("message_key")
    assert rows["recipient"].to_dict() == {
        "gw03:A1B2C3D4E5": "soc@example.com",
        "gw03:B2C3D4E5F6": "soc@example.com",
        "gw03:C3D4E5F6A7": "soc@example.com",
    }
    assert rows["final_state"].to_dict() == {
        "gw03:A1B2C3D4E5": "discarded",
        "gw03:B2C3D4E5F6": "rejected",
        "gw03:C3D4E5F6A7": "held",
    }
    assert rows["attempts"].tolist() == [0, 0, 0]
    assert rows["last_attempt"].isna().all()
    assert analysis.messages["recipient_count"].tolist() == [0, 0, 0]


def test_local_checks_stopping_mail_error(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(
        checked("A1B2C3D4E5", "discard", "DISCARD spam")
        + checked(
            "B2C3D4E5F6", "reject", "5.7.1 Executable attachments are not accepted"
        )
    )
    (tmp_path / "main.cf").write_text(
        "header_checks = regexp:/etc/postfix/header_checks\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "content-check-stopped")
    # The messages were submitted on this host: its own notifications stopped.
    assert finding.severity == "error"
    assert finding.messages_affected == 2
    assert (finding.params["rejected"], finding.params["discarded"]) == ("1", "1")
    assert '"5.7.1 Executable attachments are not accepted"' in finding.summary
    assert (
        finding.evidence[-2].text == "header_checks = regexp:/etc/postfix/header_checks"
    )


def test_content_check_remedy_names_body_checks_table(tmp_path: Path) -> None:
    """Only discards, by body_checks: the remedy tests the body line against
    the table main.cf names, shell-quoted."""
    line = "Click here: it's free"
    (tmp_path / "maillog").write_text(
        f"{HEAD}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        f"{HEAD}/cleanup[301]: A1B2C3D4E5: discard: body {line} from local;"
        " from=<root@gw03.example.com> to=<soc@example.com>: DISCARD spam\n"
    )
    (tmp_path / "main.cf").write_text(
        "body_checks = pcre:/etc/postfix/body_checks, regexp:/etc/postfix/more\n"
    )
    finding = analyze_bundle(tmp_path, year=2026).findings[0]
    assert finding.code == "content-check-stopped"
    assert finding.params["variant"] == "discarded"
    assert "and their senders were not told" in finding.summary
    probe = "`postmap -q 'Click here: it'\"'\"'s free' pcre:/etc/postfix/body_checks`"
    assert probe in finding.remedy
    assert finding.remedy.endswith("The discarded mail is gone and must be sent again.")


def test_milter_reject_is_not_a_content_check(tmp_path: Path) -> None:
    """A milter's decision, logged by cleanup as milter-reject, is no
    header_checks or body_checks line: the content-check finding leaves it out."""
    (tmp_path / "maillog").write_text(
        f"{HEAD}/smtpd[400]: C3D4E5F6A7: client=client.example.net[192.0.2.60]\n"
        f"{HEAD}/cleanup[301]: C3D4E5F6A7: milter-reject: END-OF-MESSAGE from"
        " client.example.net[192.0.2.60]: 4.7.1 Greylisting in action, try again"
        " later; from=<a@example.net> to=<b@example.com> proto=ESMTP"
        " helo=<client.example.net>\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert "content-check-stopped" not in [f.code for f in analysis.findings]


@pytest.mark.parametrize(
    "name",
    ["bounce-notice", "backlog-deleted", "held", "header-checks-reject",
     "content-filter", "expired"],
)  # fmt: skip
def test_timeline_field_kinds_suffice(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader keeps only the field records the timeline reads: with all of
    them, the rebuilt frames are the same."""
    bundle = SAMPLES / f"{name}.tar.gz"
    filtered = analyze_bundle(bundle)
    monkeypatch.setattr(api, "TIMELINE_FIELD_KINDS", None)
    every = analyze_bundle(bundle)
    for frame in ("messages", "deliveries", "recipients", "events"):
        pd.testing.assert_frame_equal(getattr(filtered, frame), getattr(every, frame))


def test_tries_cleanup_did_not_accept(tmp_path: Path) -> None:
    """pickup tries a submission under a new queue ID each time cleanup does not
    accept it: each try is a row of its own state, and no message of the totals."""
    head = "Dec  4 10:00:0{second} mx1 postfix"
    lines = []
    for second, queue_id in enumerate(["A1B2C3D4E5", "B2C3D4E5F6"]):
        stamp = head.format(second=second)
        lines += [
            f"{stamp}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
            f"{stamp}/cleanup[301]: {queue_id}: message-id=<a1@mx1.example.com>\n",
            f"{stamp}/cleanup[301]: warning: {queue_id}: unreasonable "
            "virtual_alias_maps map nesting for ops@example.com -- message not "
            "accepted, try again later\n",
        ]
    (tmp_path / "maillog").write_text("".join(lines))
    analysis = analyze_bundle(tmp_path, year=2026)
    messages = analysis.messages
    assert messages["final_state"].tolist() == ["not_accepted", "not_accepted"]
    assert messages["has_not_accepted"].all()
    assert analysis.totals().messages == 0
    assert analysis.totals().states == {}
    # Submissions as pflogsumm counts them: each try is one.
    assert analysis.totals().received == 2
    finding = analysis.findings[0]
    assert finding.code == "mail-not-accepted"
    assert finding.params["attempts"] == "2"


def test_tries_from_smtp_clients(tmp_path: Path) -> None:
    """A try that came in through smtpd is retried by the client, so nothing
    waits in maildrop, and the finding tells that."""
    head = "Dec  4 10:00:00 mx1 postfix"
    (tmp_path / "maillog").write_text(
        f"{head}/smtpd[200]: connect from app.example.com[192.0.2.40]\n"
        f"{head}/smtpd[200]: A1B2C3D4E5: client=app.example.com[192.0.2.40]\n"
        f"{head}/cleanup[301]: A1B2C3D4E5: message-id=<a1@app.example.com>\n"
        f"{head}/cleanup[301]: warning: A1B2C3D4E5: unreasonable virtual_alias_maps "
        "map nesting for ops@example.com -- message not accepted, try again later\n"
    )
    finding = analyze_bundle(tmp_path, year=2026).findings[0]
    assert finding.code == "mail-not-accepted"
    assert finding.params["variant"] == "from_clients"
    assert "the clients keep the mail and send it again later" in finding.summary
    assert "maildrop" not in finding.summary
