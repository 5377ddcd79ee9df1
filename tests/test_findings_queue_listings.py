"""Queue listings taken at different times, and listings that the log contradicts."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from analyzer.api import Analysis, analyze_bundle
from analyzer.report.context import build_context
from analyzer.terminal import print_summary

HOST = "mx1"
LOG_END = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)


def deferred_log(queue_ids: list[str]) -> str:
    """Messages deferred on Dec 4 and still queued when the log ends."""
    lines = []
    for number, queue_id in enumerate(queue_ids):
        stamp = f"Dec  4 10:{number:02d}:00 {HOST} postfix"
        lines += [
            f"{stamp}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
            f"{stamp}/qmgr[302]: {queue_id}: from=<root@mx1.example.com>, size=700, "
            "nrcpt=1 (queue active)\n",
            f"{stamp}/smtp[303]: {queue_id}: to=<ops@example.com>, relay=none, "
            "delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to "
            "mail.example.com[192.0.2.25]:25: Connection timed out)\n",
        ]
    lines.append(f"Dec  4 10:30:00 {HOST} postfix/qmgr[302]: 9F8E7D6C5B: removed\n")
    return "".join(lines)


def postqueue_json(queue_ids: list[str], arrival: datetime) -> str:
    return "".join(
        json.dumps(
            {
                "queue_name": "deferred",
                "queue_id": queue_id,
                "arrival_time": int(arrival.timestamp()),
                "message_size": 700,
                "forced_expire": False,
                "sender": "root@mx1.example.com",
                "recipients": [
                    {"address": "ops@example.com", "delay_reason": "timed out"}
                ],
            }
        )
        + "\n"
        for queue_id in queue_ids
    )


MAILQ = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "C1D2E3F4A5*    1200 Sat Dec  5 09:10:11  root@mx1.example.com\n"
    "                                         soc@example.org\n"
    "\n"
    "D1E2F3A4B5!     900 Sat Dec  5 09:12:00  root@mx1.example.com\n"
    "                                         ops@example.org\n"
    "\n"
    "-- 2 Kbytes in 2 Requests.\n"
)


def write(folder: Path, name: str, text: str, moment: datetime) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    os.utime(path, (moment.timestamp(), moment.timestamp()))


def two_listings(tmp_path: Path) -> Analysis:
    ids = ["A1B2C3D4E5", "B2C3D4E5F6"]
    write(tmp_path, "var/log/maillog", deferred_log(ids), LOG_END)
    listed = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    arrival = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
    write(tmp_path, "cmd/postqueue_-j", postqueue_json(ids, arrival), listed)
    # The file time of the mailq output is earlier than the arrivals it lists.
    write(tmp_path, "cmd/mailq", MAILQ, datetime(2026, 12, 5, 1, 34, tzinfo=UTC))
    write(tmp_path, "etc/postfix/main.cf", "relayhost = [mail.example.com]\n"
          "myhostname = mx1.example.com\n", datetime(2026, 12, 6, tzinfo=UTC))  # fmt: skip
    return analyze_bundle(tmp_path, year=2026)


def test_listings_differ_note(tmp_path: Path) -> None:
    analysis = two_listings(tmp_path)
    found = [f for f in analysis.findings if f.code == "queue-listings-differ"]
    assert len(found) == 1
    assert found[0].severity == "info"
    assert "cmd/postqueue_-j" in found[0].summary
    assert "cmd/mailq" in found[0].summary
    assert found[0].params["shared"] == "0"


def test_listing_time_per_listing(tmp_path: Path) -> None:
    analysis = two_listings(tmp_path)
    times = analysis.queue.groupby("source")["listing_time"].unique()
    assert list(times["cmd/postqueue_-j"]) == [datetime(2026, 12, 4, 12, 0, tzinfo=UTC)]
    # A listing is taken after every arrival it lists.
    assert list(times["cmd/mailq"]) == [datetime(2026, 12, 5, 9, 12, tzinfo=UTC)]


def test_qshape_ages_from_listing_time(tmp_path: Path) -> None:
    analysis = two_listings(tmp_path)
    table = analysis.qshape()
    # The mailq messages arrived 0 and 2 minutes before that listing. As in
    # Postfix's qshape, a column is named by the age its messages stay below.
    assert table.loc["example.org", "5"] == 2
    assert table.loc["example.org", "T"] == 2
    assert list(table.columns) == [
        "T",
        "5",
        "10",
        "20",
        "40",
        "80",
        "160",
        "320",
        "640",
        "1280",
        "1280+",
    ]
    assert table.columns.name is None


def test_qshape_leaves_out_gone_messages(tmp_path: Path) -> None:
    analysis = two_listings(tmp_path)
    table = analysis.qshape()
    # The newer mailq no longer lists the postqueue -j messages.
    assert "example.com" not in table.index
    assert table.loc["TOTAL", "T"] == 2


def test_qshape_keeps_bare_recipient(tmp_path: Path) -> None:
    # mailq lists a message that waits in maildrop with the recipient as the
    # user typed it; qshape shows such a recipient whole, lower-cased.
    listing = (
        "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
        "E1F2A3B4C5*    1200 Sat Dec  5 09:10:11  root\n"
        "                                         Operator\n"
        "\n"
        "-- 1 Kbytes in 1 Request.\n"
    )
    write(tmp_path, "cmd/mailq", listing, datetime(2026, 12, 5, 9, 12, tzinfo=UTC))
    table = analyze_bundle(tmp_path, year=2026).qshape()
    assert "" not in table.index
    assert table.loc["operator", "T"] == 1
    assert table.loc["TOTAL", "T"] == 1


def test_empty_listing_contradicts_log(tmp_path: Path) -> None:
    ids = ["A1B2C3D4E5", "B2C3D4E5F6", "C3D4E5F6A7"]
    write(tmp_path, "var/log/maillog", deferred_log(ids), LOG_END)
    write(tmp_path, "cmd/mailq", "Mail queue is empty\n", LOG_END)
    analysis = analyze_bundle(tmp_path, year=2026)
    found = [f for f in analysis.findings if f.code == "queue-listing-empty"]
    assert len(found) == 1
    assert found[0].severity == "warning"
    assert found[0].messages_affected == 3
    assert "cmd/mailq" in found[0].summary
    assert found[0].evidence[0].text == "Mail queue is empty"


def test_empty_listing_after_log_note(tmp_path: Path) -> None:
    ids = ["A1B2C3D4E5"]
    write(tmp_path, "var/log/maillog", deferred_log(ids), LOG_END)
    later = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    write(tmp_path, "cmd/mailq", "Mail queue is empty\n", later)
    analysis = analyze_bundle(tmp_path, year=2026)
    found = [f for f in analysis.findings if f.code == "queue-listing-empty"]
    assert len(found) == 1
    assert found[0].severity == "info"
    assert found[0].params["variant"] == "later"


def test_summary_shows_empty_listing(tmp_path: Path) -> None:
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    write(tmp_path, "cmd/mailq", "Mail queue is empty\n", LOG_END)
    out = io.StringIO()
    print_summary(analyze_bundle(tmp_path, year=2026), out)
    assert "Queue listing: empty (cmd/mailq)" in out.getvalue()


HELD_AND_OLD = [
    {"queue_name": "deferred", "queue_id": "A1B2C3D4E5", "arrival": 1796378400},
    {"queue_name": "deferred", "queue_id": "E1E2E3E4E5", "arrival": 1795593600},
    {"queue_name": "hold", "queue_id": "F1F2F3F4F5", "arrival": 1796284800},
]
"""postqueue -j rows: a message from the log, one 9 days old and one on hold."""


def held_and_old_json() -> str:
    return "".join(
        json.dumps(
            {
                "queue_name": row["queue_name"],
                "queue_id": row["queue_id"],
                "arrival_time": row["arrival"],
                "message_size": 700,
                "forced_expire": False,
                "sender": "root@mx1.example.com",
                "recipients": [{"address": "ops@example.net"}],
            }
        )
        + "\n"
        for row in HELD_AND_OLD
    )


def emptied_later(tmp_path: Path) -> Analysis:
    """Return the analysis of postqueue -j output with three messages, and
    a mailq made half an hour later whose output is "Mail queue is empty"."""
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    older = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    newer = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    write(tmp_path, "cmd/postqueue_-j", held_and_old_json(), older)
    write(tmp_path, "cmd/mailq", "Mail queue is empty\n", newer)
    return analyze_bundle(tmp_path, year=2026)


def test_newer_empty_listing_differs(tmp_path: Path) -> None:
    analysis = emptied_later(tmp_path)
    found = [f for f in analysis.findings if f.code == "queue-listings-differ"]
    assert len(found) == 1
    assert "cmd/mailq (0 messages" in found[0].summary
    assert found[0].params["gone"] == "3"
    assert "Mail queue is empty" in [e.text for e in found[0].evidence]


def test_newer_empty_listing_no_hold(tmp_path: Path) -> None:
    analysis = emptied_later(tmp_path)
    codes = [f.code for f in analysis.findings]
    assert "messages-on-hold" not in codes
    assert "queue-past-lifetime" not in codes


def test_newer_empty_listing_summary(tmp_path: Path) -> None:
    out = io.StringIO()
    print_summary(emptied_later(tmp_path), out)
    text = out.getvalue()
    assert "Queue listing: 3 messages" not in text
    assert "Queue listing: empty (cmd/mailq)" in text
    assert "3 messages listed earlier are gone" in text


def test_newer_empty_listing_key_numbers(tmp_path: Path) -> None:
    context = build_context(emptied_later(tmp_path), "en")
    numbers = dict(context.key_numbers)
    assert numbers["In the queue listing"] == "0"


def test_queued_in_newest_listing_column(tmp_path: Path) -> None:
    analysis = emptied_later(tmp_path)
    assert not analysis.queue["in_newest_listing"].any()


SHARED_MAILQ = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "A1B2C3D4E5      700 Fri Dec  4 10:00:00  root@mx1.example.com\n"
    "                                         ops@example.net\n"
    "\n"
    "-- 1 Kbytes in 1 Request.\n"
)


def test_shared_message_aged_to_newest(tmp_path: Path) -> None:
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    older = datetime(2026, 12, 4, 10, 30, tzinfo=UTC)
    newer = datetime(2026, 12, 4, 11, 0, tzinfo=UTC)
    write(tmp_path, "cmd/postqueue_-j", held_and_old_json(), older)
    write(tmp_path, "cmd/mailq", SHARED_MAILQ, newer)
    analysis = analyze_bundle(tmp_path, year=2026)
    table = analysis.qshape()
    # 10:00 to the 11:00 mailq is 60 minutes; to the 10:30 listing it was 30.
    assert table.loc["example.net", "80"] == 1
    assert table.loc["example.net", "T"] == 1
    assert table.loc["TOTAL", "T"] == 1


OLD_MAILQ = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "E1F2A3B4C5     1200 Fri Dec  4 08:00:00  root@mx1.example.com\n"
    "(Host or domain name not found. Name service error for name=example.net "
    "type=MX: Host not found, try again)\n"
    "                                         soc@example.net\n"
    "\n"
    "-- 2 Kbytes in 1 Request.\n"
)
NEW_MAILQ = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "F1A2B3C4D5     1200 Fri Dec  4 11:00:00  root@mx1.example.com\n"
    "(connect to mail.example.org[192.0.2.26]:25: Connection refused)\n"
    "                                         ops@example.org\n"
    "\n"
    "-- 2 Kbytes in 1 Request.\n"
)


def test_queue_causes_read_only_the_newest_listing(tmp_path: Path) -> None:
    """A reason that only an older listing gives belongs to a message that has
    left the queue since; it diagnoses nothing queued now."""
    write(
        tmp_path, "cmd/mailq.0800", OLD_MAILQ, datetime(2026, 12, 4, 8, 5, tzinfo=UTC)
    )
    write(tmp_path, "cmd/mailq", NEW_MAILQ, datetime(2026, 12, 4, 11, 5, tzinfo=UTC))
    write(tmp_path, "etc/postfix/main.cf", "myhostname = mx1.example.com\n",
          datetime(2026, 12, 1, tzinfo=UTC))  # fmt: skip
    analysis = analyze_bundle(tmp_path, year=2026)
    found = {f.code: f for f in analysis.findings}
    assert "queue-listings-differ" in found
    assert "relayhost-mx-lookup" not in found
    assert "dns-lookup-failed" not in found
    assert "destination-unreachable" in found or "relay-connection-failed" in found


def test_summary_counts_one_message_in_singular(tmp_path: Path) -> None:
    write(
        tmp_path, "cmd/mailq.0800", OLD_MAILQ, datetime(2026, 12, 4, 8, 5, tzinfo=UTC)
    )
    write(tmp_path, "cmd/mailq", NEW_MAILQ, datetime(2026, 12, 4, 11, 5, tzinfo=UTC))
    out = io.StringIO()
    print_summary(analyze_bundle(tmp_path, year=2026), out)
    assert "Queue listing: 1 message; 1 message listed earlier is gone from it" in (
        out.getvalue()
    )


HELD_MAILQ = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "4B7C9E1A22!    1200 Fri Dec  4 09:00:00  root@mx1.example.com\n"
    "                                         soc@example.org\n"
    "\n"
    "-- 1 Kbytes in 1 Request.\n"
)


def test_hold_seen_only_in_listing_quotes_it(tmp_path: Path) -> None:
    write(
        tmp_path, "cmd/mailq.txt", HELD_MAILQ, datetime(2026, 12, 4, 11, 5, tzinfo=UTC)
    )
    write(tmp_path, "etc/postfix/main.cf", "myhostname = mx1.example.com\n",
          datetime(2026, 12, 1, tzinfo=UTC))  # fmt: skip
    analysis = analyze_bundle(tmp_path, year=2026)
    hold_finding = next(f for f in analysis.findings if f.code == "messages-on-hold")
    assert [(e.source, e.line_no, e.kind) for e in hold_finding.evidence] == [
        ("cmd/mailq.txt", 2, "queue")
    ]
    assert "4B7C9E1A22" in hold_finding.evidence[0].text
    assert hold_finding.first_seen == datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def timed_out_listing(arrival: str) -> str:
    """Return mailq output of one message, arrived at ``arrival``, whose
    connections to mail.example.com timed out."""
    return (
        "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
        f"1B2C3D0E00      700 {arrival}  root@mx1.example.com\n"
        "(connect to mail.example.com[192.0.2.25]:25: Connection timed out)\n"
        "                                         ops@example.com\n"
        "\n"
        "-- 1 Kbytes in 1 Request.\n"
    )


def deliveries_at(times: list[str]) -> str:
    """Return deliveries to mail.example.com logged on Dec 4 at ``times``."""
    return "".join(
        f"Dec  4 {time} {HOST} postfix/smtp[303]: 4A5B6C7D{n}0: to=<ops@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 7C8D)\n"
        for n, time in enumerate(times)
    )


def test_listing_reason_that_the_log_contradicts(tmp_path: Path) -> None:
    """The listing's messages failed to connect, but the log shows the same server
    taking mail: a warning to look again, not "cannot connect"."""
    (tmp_path / "maillog").write_text(
        deliveries_at(["10:00:00", "11:00:00", "12:00:00"])
    )
    (tmp_path / "mailq.txt").write_text(timed_out_listing("Sat Nov 28 09:00:00"))
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "relay-connection-failed")
    assert finding.params["variant"] == "works_now"
    assert finding.severity == "warning"
    assert finding.params["delivered_there"] == "3"
    assert "the connection worked then" in finding.summary
    assert "postqueue -p" in finding.remedy
    assert "status=sent" in finding.evidence[-1].text


def test_listing_newer_than_the_deliveries(tmp_path: Path) -> None:
    """The listed messages arrived after the last delivery to that server and
    still fail: the server is down now, an error."""
    (tmp_path / "maillog").write_text(
        deliveries_at(["00:30:00", "01:30:00", "02:30:00"])
    )
    (tmp_path / "mailq.txt").write_text(timed_out_listing("Fri Dec  4 15:10:00"))
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "relay-connection-failed")
    assert finding.params.get("variant", "") != "works_now"
    assert finding.severity == "error"


def test_two_hosts_share_queue_ids(tmp_path: Path) -> None:
    """Two hosts list messages under the same queue IDs: each is a message."""
    moment = datetime(2026, 12, 5, 9, 20, tzinfo=UTC)
    for host in ("mx1", "mx2"):
        log = deferred_log(["C1D2E3F4A5"]).replace(f" {HOST} ", f" {host} ")
        write(tmp_path / host, "maillog", log, moment)
        write(
            tmp_path / host,
            "postqueue-j.json",
            postqueue_json(["C1D2E3F4A5", "D1E2F3A4B5"], moment),
            moment,
        )
    analysis = analyze_bundle(tmp_path, year=2026)
    numbers = dict(build_context(analysis).key_numbers)
    assert numbers["In the queue listing"] == "4"
    assert analysis.qshape().loc["TOTAL", "T"] == 4


@pytest.mark.parametrize("arrival", [None, "yesterday", 99_999_999_999_999, "absent"])
def test_listing_without_arrival_time_is_read(tmp_path: Path, arrival: object) -> None:
    """A postqueue -j record whose arrival time is missing, null, text or out of
    range still counts as queued, and the zone check skips it."""
    records = [
        json.loads(line)
        for line in postqueue_json(["A1B2C3D4E5"], LOG_END).splitlines()
    ]
    if arrival == "absent":
        del records[0]["arrival_time"]
    else:
        records[0]["arrival_time"] = arrival
    (tmp_path / "maillog").write_text(deferred_log(["A1B2C3D4E5"]))
    (tmp_path / "postqueue-j.json").write_text(json.dumps(records[0]) + "\n")
    analysis = analyze_bundle(tmp_path, year=2026)
    assert analysis.queue["queue_id"].tolist() == ["A1B2C3D4E5"]
    assert analysis.queue["arrival_time"].isna().all()
    assert "timezone-mismatch" not in [f.code for f in analysis.findings]


def queued_only(queue_id: str, at: str) -> str:
    """Return the lines of a message that qmgr queued, with no delivery line."""
    stamp = f"Dec  4 {at} {HOST} postfix"
    return (
        f"{stamp}/pickup[300]: {queue_id}: uid=0 from=<root>\n"
        f"{stamp}/qmgr[302]: {queue_id}: from=<root@mx1.example.com>, size=700, "
        "nrcpt=1 (queue active)\n"
    )


def later_activity(at: str) -> str:
    return (
        f"Dec  4 {at} {HOST} postfix/smtpd[400]: connect from localhost[127.0.0.1]\n"
        f"Dec  4 {at} {HOST} postfix/smtpd[400]: disconnect from localhost[127.0.0.1]"
        " ehlo=1 quit=1 commands=2\n"
    )


def test_queued_mail_without_attempt_warned(tmp_path: Path) -> None:
    """qmgr queued the message at 10:00 and the log goes on to 12:00 without a
    delivery line: not healthy, and the listing shows it still waiting."""
    (tmp_path / "maillog").write_text(
        queued_only("A1B2C3D4E5", "10:00:00") + later_activity("12:00:00")
    )
    (tmp_path / "mailq").write_text(
        "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
        "A1B2C3D4E5*     700 Fri Dec  4 10:00:00  root@mx1.example.com\n"
        "                                         ops@example.com\n\n"
        "-- 1 Kbytes in 1 Request.\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = analysis.findings[0]
    assert finding.code == "delivery-not-attempted"
    assert finding.severity == "warning"
    assert finding.messages_affected == 1
    assert finding.params["variant"] == "listed"
    assert "the oldest at 2026-12-04 10:00 UTC" in finding.summary
    assert "up to its end at 2026-12-04 12:00 UTC" in finding.summary
    assert "still shows 1 of them" in finding.summary
    assert (
        "qmgr[302]: A1B2C3D4E5: from=<root@mx1.example.com>" in finding.evidence[0].text
    )
    context = build_context(analysis, "en")
    assert context.verdict["status"] == "warning"


def test_recently_queued_mail_not_warned(tmp_path: Path) -> None:
    """The log ends ten minutes after the message was queued: an attempt may
    still be under way."""
    (tmp_path / "maillog").write_text(
        queued_only("A1B2C3D4E5", "10:00:00") + later_activity("10:10:00")
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert "delivery-not-attempted" not in [f.code for f in analysis.findings]


LISTED_ONLY_MAILQ = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "A1B2C3D4E5      700 Fri Dec  4 10:00:00  root@mx1.example.com\n"
    "(connect to mail.example.com[192.0.2.25]:25: Connection timed out)\n"
    "                                         ops@example.com\n"
    "\n"
    "B7C8D9E0F1      640 Fri Dec  4 10:20:00  root\n"
    "                                         soc@example.com\n"
    "                                         secops@example.net\n"
    "\n"
    "C5D6E7F8A9!     810 Fri Dec  4 10:25:00  alerts@mx1.example.com\n"
    "                                         ops@example.com\n"
    "\n"
    "-- 3 Kbytes in 3 Requests.\n"
)


def test_listed_only_messages_counted(tmp_path: Path) -> None:
    """Mail in the maildrop and hold queues without a line in the log is part of
    the messages and recipients frames and of the totals. A message that the log
    shows is not added twice."""
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    listed = datetime(2026, 12, 4, 10, 40, tzinfo=UTC)
    write(tmp_path, "cmd/mailq", LISTED_ONLY_MAILQ, listed)
    write(tmp_path, "etc/postfix/main.cf", "myhostname = mx1.example.com\n"
          "myorigin = example.com\n", LOG_END)  # fmt: skip
    analysis = analyze_bundle(tmp_path, year=2026)

    messages = analysis.messages.set_index("queue_id")
    # 9F8E7D6C5B is a message whose only line is "removed".
    assert messages["origin"].drop("9F8E7D6C5B").to_dict() == {
        "A1B2C3D4E5": "local",
        "B7C8D9E0F1": "queue",
        "C5D6E7F8A9": "queue",
    }
    assert messages.loc["B7C8D9E0F1", "final_state"] == "deferred"
    assert messages.loc["C5D6E7F8A9", "final_state"] == "held"
    # The listing gives the maildrop sender as "root": myorigin is appended, as
    # cleanup will do.
    assert messages.loc["B7C8D9E0F1", "sender"] == "root@example.com"
    assert messages.loc["C5D6E7F8A9", "sender"] == "alerts@mx1.example.com"
    assert messages.loc["B7C8D9E0F1", "nrcpt"] == 2
    assert messages.loc["B7C8D9E0F1", "deferred"] == 2
    assert messages.loc["B7C8D9E0F1", "message_key"] == f"{HOST}:B7C8D9E0F1"
    assert not messages.loc["B7C8D9E0F1", "started_in_log"]
    assert str(messages.loc["C5D6E7F8A9", "first_seen"]) == "2026-12-04 10:25:00+00:00"

    recipients = analysis.recipients.reset_index(drop=True)
    waiting = recipients[recipients["message_key"] == f"{HOST}:B7C8D9E0F1"]
    assert sorted(waiting["recipient"]) == ["secops@example.net", "soc@example.com"]
    assert set(waiting["final_state"]) == {"deferred"}
    assert set(waiting["attempts"]) == {0}

    assert analysis.totals().states == {"deferred": 2, "held": 1, "unknown": 1}


def test_listing_that_failed_is_named(tmp_path: Path) -> None:
    """postqueue printed an error instead of the queue: the bundle has a listing,
    and the queue section quotes its error."""
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    error = "postqueue: fatal: malformed showq server response"
    write(tmp_path, "cmd/mailq", error + "\n", LOG_END)
    note = build_context(analyze_bundle(tmp_path, year=2026), "en").qshape["note"]
    assert (
        note
        == f"The queue listings show an error instead of the queue (cmd/mailq: {error})."
    )


REUSED_MAILQ = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "A1B2C3D4E5      700 Fri Dec  4 12:00:00  root@mx1.example.com\n"
    "(connect to mail.example.com[192.0.2.25]:25: Connection refused)\n"
    "                                         ops@example.com\n"
    "\n"
    "-- 1 Kbytes in 1 Request.\n"
)


def test_listed_message_reuses_a_queue_id(tmp_path: Path) -> None:
    """The log's A1B2C3D4E5 was delivered and removed at 10:00; the listed one
    arrived at 12:00: another message, still waiting, with the listing's cause."""
    head = f"Dec  4 10:00:00 {HOST} postfix"
    log = (
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<root@mx1.example.com>, size=700, "
        "nrcpt=1 (queue active)\n"
        f"{head}/smtp[303]: A1B2C3D4E5: to=<ops@example.com>, relay=mail.example.com"
        "[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 Ok)\n"
        f"{head}/qmgr[302]: A1B2C3D4E5: removed\n"
    )
    write(tmp_path, "var/log/maillog", log, LOG_END)
    write(
        tmp_path, "cmd/mailq", REUSED_MAILQ, datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    states = analysis.messages["final_state"].to_dict()
    assert states == {
        f"{HOST}:A1B2C3D4E5": "delivered",
        f"{HOST}:A1B2C3D4E5#2": "deferred",
    }
    assert analysis.findings[0].code == "relay-connection-failed"
    assert analysis.findings[0].severity == "error"


def test_listed_id_still_queued_same_message(tmp_path: Path) -> None:
    """The log's message is still queued at its end: the listing shows it."""
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    write(
        tmp_path, "cmd/mailq", REUSED_MAILQ, datetime(2026, 12, 4, 12, 30, tzinfo=UTC)
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert f"{HOST}:A1B2C3D4E5#2" not in analysis.messages.index


@pytest.mark.parametrize("origin", ["/etc/mailname", ""])
def test_maildrop_sender_without_known_domain(tmp_path: Path, origin: str) -> None:
    """myorigin names a file the bundle lacks, or no myhostname gives it a value:
    the sender stays as the listing shows it."""
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    listed = datetime(2026, 12, 4, 10, 40, tzinfo=UTC)
    write(tmp_path, "cmd/mailq", LISTED_ONLY_MAILQ, listed)
    write(tmp_path, "etc/postfix/main.cf", f"myorigin = {origin}\n", LOG_END)
    messages = analyze_bundle(tmp_path, year=2026).messages.set_index("queue_id")
    assert messages.loc["B7C8D9E0F1", "sender"] == "root"


def test_report_traces_listed_messages(tmp_path: Path) -> None:
    """The report's message table shows a listed message's recipients and the
    listing line, since the log has none of its lines."""
    write(tmp_path, "var/log/maillog", deferred_log(["A1B2C3D4E5"]), LOG_END)
    write(
        tmp_path,
        "cmd/mailq",
        LISTED_ONLY_MAILQ,
        datetime(2026, 12, 4, 10, 40, tzinfo=UTC),
    )
    context = build_context(analyze_bundle(tmp_path, year=2026), "en")
    entry = next(m for m in context.messages if m["queue_id"] == "B7C8D9E0F1")
    assert [line["text"] for line in entry["trace"]] == [
        "to=<soc@example.com>",
        "to=<secops@example.net>",
    ]
    assert entry["trace"][0]["source"] == "cmd/mailq"
    assert entry["trace"][0]["daemon"] == "deferred"


def test_listing_names_unwritable_mailbox(tmp_path: Path) -> None:
    """A bundle with only a queue listing: its reason names the mailbox that
    local(8) cannot write, which the finding's texts need."""
    listing = (
        "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
        "E1F2A3B4C5     1200 Sat Dec  5 09:10:11  root@mx1.example.com\n"
        "(cannot update mailbox /var/mail/analyst for user analyst. destination"
        " /var/mail/analyst is not owned by recipient)\n"
        "                                         analyst@mx1.example.com\n"
        "\n"
        "-- 1 Kbytes in 1 Request.\n"
    )
    write(tmp_path, "cmd/mailq", listing, datetime(2026, 12, 5, 9, 12, tzinfo=UTC))
    found = [
        f
        for f in analyze_bundle(tmp_path, year=2026).findings
        if f.code == "mailbox-unwritable"
    ]
    assert found
    assert found[0].params["variant"] == "owner"
    assert found[0].params["mailbox"] == "/var/mail/analyst"
    assert found[0].title == "The mailbox /var/mail/analyst is not owned by analyst"
    assert "`chown analyst /var/mail/analyst`" in found[0].remedy
