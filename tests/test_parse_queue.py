"""Queue listings: ``mailq`` text and ``postqueue -j`` JSON, as data rows and corpus.

The text cases are built with the column formats of Postfix's postqueue, so each
row reads as the message, reason and recipient lines it stands for. The corpus
tests read every queue listing of the shared corpus and require each line to be
parsed or listed with a reason.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from analyzer import load
from analyzer.api import analyze_bundle
from analyzer.parse.queue import (
    QUEUE_COLUMNS,
    QueueListing,
    looks_like_mailq,
    looks_like_postqueue_json,
    parse_mailq,
    parse_postqueue_json,
)
from tests.conftest import CORPUS

CAPTURED = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)  # a Friday

# Column formats of postqueue -p: "%-11s %7s %-20s %s" with short queue IDs and
# "%-17s %8s %-19s %s" with long ones. A reason line is "(text)" right-aligned to
# column 78.
HEADER = "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------"
LONG_HEADER = "----Queue ID----- --Size-- ---Arrival Time---- --Sender/Recipient------"


def message(queue_id: str, size: int, arrival: str, sender: str) -> str:
    return f"{queue_id:<11} {size:>7} {arrival:<20} {sender}"


def long_message(queue_id: str, size: int, arrival: str, sender: str) -> str:
    return f"{queue_id:<17} {size:>8} {arrival:<19} {sender}"


def recipient(address: str) -> str:
    return f"{'':<11} {'':>7} {'':<20} {address}"


def reason(text: str) -> str:
    return f"{'':>{max(76 - len(text), 0)}}({text})"


def listing(*lines: str) -> str:
    return "\n".join(lines) + "\n"


REFUSED = "connect to mail.example.com[192.0.2.25]:25: Connection refused"
TIMED_OUT = "connect to mx.example.net[198.51.100.7]:25: Connection timed out"
ROOT = "root@console.example.com"
WARNING = "postqueue: warning: Mail system is down -- accessing queue directly"
QUOTED_SENDER = '"qradar admin"@example.com'


def row(
    queue_id: str,
    queue_name: str,
    arrival: str,
    size: int,
    sender: str | None,
    address: str | None,
    delay_reason: str | None,
    line_no: int,
    forced_expire: bool = False,
) -> dict[str, object]:
    """Return the frame row expected for one recipient of a listing."""
    return {
        "queue_id": queue_id,
        "queue_name": queue_name,
        "arrival_time": pd.Timestamp(arrival),
        "size": size,
        "sender": sender,
        "recipient": address,
        "orig_recipient": None,
        "reason": delay_reason,
        "forced_expire": forced_expire,
        "source": "mailq",
        "line_no": line_no,
    }


# mailq text, then the rows expected from it.
MAILQ_CASES = [
    pytest.param(
        listing(
            HEADER,
            message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
            reason(REFUSED),
            recipient("soc@example.com"),
            recipient("noc@example.com"),
            "",
            "-- 2 Kbytes in 1 Request.",
        ),
        [
            row("4A1B2C3D4E", "deferred", "2026-12-03 21:40:12Z", 1532, ROOT,
                "soc@example.com", REFUSED, 2),
            row("4A1B2C3D4E", "deferred", "2026-12-03 21:40:12Z", 1532, ROOT,
                "noc@example.com", REFUSED, 2),
        ],
        id="reason-shared-by-recipients",
    ),
    # postqueue prints a reason line only when the reason changes.
    pytest.param(
        listing(
            HEADER,
            message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
            reason(REFUSED),
            recipient("soc@example.com"),
            reason(TIMED_OUT),
            recipient("ops@example.net"),
        ),
        [
            row("4A1B2C3D4E", "deferred", "2026-12-03 21:40:12Z", 1532, ROOT,
                "soc@example.com", REFUSED, 2),
            row("4A1B2C3D4E", "deferred", "2026-12-03 21:40:12Z", 1532, ROOT,
                "ops@example.net", TIMED_OUT, 2),
        ],
        id="reason-changes",
    ),
    # Postfix 3 prints "(reason unavailable)" when a recipient after one with a
    # reason has none, such as a recipient not tried yet.
    pytest.param(
        listing(
            HEADER,
            message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
            reason(REFUSED),
            recipient("soc@example.com"),
            reason("reason unavailable"),
            recipient("noc@example.com"),
        ),
        [
            row("4A1B2C3D4E", "deferred", "2026-12-03 21:40:12Z", 1532, ROOT,
                "soc@example.com", REFUSED, 2),
            row("4A1B2C3D4E", "deferred", "2026-12-03 21:40:12Z", 1532, ROOT,
                "noc@example.com", None, 2),
        ],
        id="reason-unavailable",
    ),
    pytest.param(
        listing(
            HEADER,
            message("8F9E7D6C5B*", 702, "Fri Dec  4 08:12:01", ROOT),
            recipient("soc@example.com"),
            "",
            message("1C2D3E4F5A!", 9120, "Fri Dec  4 08:20:45", "MAILER-DAEMON"),
            recipient("admin@example.com"),
            "",
            "-- 9 Kbytes in 2 Requests.",
        ),
        [
            row("8F9E7D6C5B", "active", "2026-12-04 08:12:01Z", 702, ROOT,
                "soc@example.com", None, 2),
            row("1C2D3E4F5A", "hold", "2026-12-04 08:20:45Z", 9120, "",
                "admin@example.com", None, 5),
        ],
        id="active-hold-and-null-sender",
    ),
    # Postfix 3.5 and later add "#" after "*" or "!" for a message forced to
    # expire with postsuper -e.
    pytest.param(
        listing(
            HEADER,
            message("2B3C4D5E6F#", 640, "Thu Dec  3 10:00:00", ROOT),
            recipient("soc@example.com"),
            "",
            message("3C4D5E6F7A*#", 640, "Thu Dec  3 10:00:01", ROOT),
            recipient("soc@example.com"),
            "",
            message("4D5E6F7A8B!#", 640, "Thu Dec  3 10:00:02", ROOT),
            recipient("soc@example.com"),
        ),
        [
            row("2B3C4D5E6F", "deferred", "2026-12-03 10:00:00Z", 640, ROOT,
                "soc@example.com", None, 2, forced_expire=True),
            row("3C4D5E6F7A", "active", "2026-12-03 10:00:01Z", 640, ROOT,
                "soc@example.com", None, 5, forced_expire=True),
            row("4D5E6F7A8B", "hold", "2026-12-03 10:00:02Z", 640, ROOT,
                "soc@example.com", None, 8, forced_expire=True),
        ],
        id="forced-expire-marks",
    ),
    # Addresses are in quoted form, whose local part may hold spaces.
    pytest.param(
        listing(
            HEADER,
            message("5E6F7A8B9C", 880, "Thu Dec  3 10:00:00", QUOTED_SENDER),
            recipient('"security team"@example.net'),
        ),
        [
            row("5E6F7A8B9C", "deferred", "2026-12-03 10:00:00Z", 880,
                QUOTED_SENDER, '"security team"@example.net', None, 2),
        ],
        id="quoted-addresses",
    ),
    pytest.param(
        listing(
            LONG_HEADER,
            long_message("4dQx7L2mNbz1Rt5", 367, "Fri Dec  4 08:12:01", ROOT),
            reason("delivery temporarily suspended: " + REFUSED),
            recipient("soc@example.com"),
            "",
            long_message("4dQx7L2mNcz1Rt6*", 358, "Fri Dec  4 08:13:02", ROOT),
            recipient("noc@example.com"),
            "",
            "-- 1 Kbytes in 2 Requests.",
        ),
        [
            row("4dQx7L2mNbz1Rt5", "deferred", "2026-12-04 08:12:01Z", 367, ROOT,
                "soc@example.com", "delivery temporarily suspended: " + REFUSED, 2),
            row("4dQx7L2mNcz1Rt6", "active", "2026-12-04 08:13:02Z", 358, ROOT,
                "noc@example.com", None, 6),
        ],
        id="long-queue-ids",
    ),
    # Postfix 2 lists a maildrop file it cannot read with its owner, no sender
    # and no recipients: "%-10s%c %7ld %20.20s (maildrop queue, sender UID %u)".
    pytest.param(
        listing(
            HEADER,
            "6F7A8B9C0D   412 Fri Dec  4 08:30:00  (maildrop queue, sender UID 0)",
            "",
            "-- 0 Kbytes in 1 Request.",
        ),
        [
            row("6F7A8B9C0D", "maildrop", "2026-12-04 08:30:00Z", 412, None, None,
                None, 2),
        ],
        id="postfix-2-maildrop",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), MAILQ_CASES)
def test_mailq_rows(text: str, expected: list[dict[str, object]]) -> None:
    parsed = parse_mailq(text, "mailq", CAPTURED)
    assert parsed.rows == expected
    assert parsed.unparsed == []
    assert parsed.error is None
    assert parsed.empty is False


FOOTER_CASES = [
    pytest.param("-- 2 Kbytes in 1 Request.", 2, 1, id="one-request"),
    pytest.param("-- 4640 Kbytes in 654 Requests.", 4640, 654, id="many-requests"),
]


@pytest.mark.parametrize(("footer", "kbytes", "requests"), FOOTER_CASES)
def test_mailq_footer(footer: str, kbytes: int, requests: int) -> None:
    text = listing(
        HEADER,
        message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
        recipient("soc@example.com"),
        "",
        footer,
    )
    parsed = parse_mailq(text, "mailq", CAPTURED)
    assert (parsed.footer_kbytes, parsed.footer_requests) == (kbytes, requests)
    assert parsed.unparsed == []


def test_mailq_empty_queue() -> None:
    parsed = parse_mailq("Mail queue is empty\n", "mailq", CAPTURED)
    assert parsed.empty is True
    assert parsed.rows == []
    assert parsed.unparsed == []
    assert parsed.error is None
    assert parsed.message_count == 0


# postqueue errors in place of a listing: the text and the error kept.
ERROR_CASES = [
    pytest.param(
        "postqueue: fatal: User qradar(1001) is not allowed to view the mail queue",
        id="not-allowed",
    ),
    pytest.param(
        "postqueue: fatal: Queue report unavailable - mail system is down",
        id="mail-system-down",
    ),
    pytest.param(
        "postqueue: fatal: chdir /var/spool/postfix: Permission denied",
        id="queue-directory-permission",
    ),
    pytest.param(
        "mailq: fatal: open /etc/postfix/main.cf: No such file or directory",
        id="missing-main-cf",
    ),
]


@pytest.mark.parametrize("text", ERROR_CASES)
def test_mailq_error_kept(text: str) -> None:
    parsed = parse_mailq(text + "\n", "mailq", CAPTURED)
    assert parsed.error == text
    assert parsed.rows == []
    assert parsed.unparsed == []
    assert looks_like_mailq(text + "\n")


def test_mailq_warning_listed_unparsed() -> None:
    """Check that a warning before the listing is listed and the listing read."""
    text = listing(
        WARNING,
        HEADER,
        message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
        recipient("soc@example.com"),
    )
    parsed = parse_mailq(text, "mailq", CAPTURED)
    assert parsed.unparsed == [(1, WARNING)]
    assert parsed.error is None
    assert [r["recipient"] for r in parsed.rows] == ["soc@example.com"]


def test_mailq_cut_message_line() -> None:
    """Check that recipients after a cut message line join no other message."""
    cut = message("5B6C7D8E9F", 702, "Thu Dec  3 21:4", "")
    text = listing(
        HEADER,
        message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
        recipient("soc@example.com"),
        "",
        cut,
        recipient("ops@example.net"),
    )
    parsed = parse_mailq(text, "mailq", CAPTURED)
    assert [r["recipient"] for r in parsed.rows] == ["soc@example.com"]
    assert parsed.unparsed == [(5, cut), (6, recipient("ops@example.net"))]


# Arrival times carry no year: the text, when the listing was made, the time zone
# of the host, and the time expected.
ARRIVAL_CASES = [
    pytest.param("Fri Dec  4 08:12:01", CAPTURED, "UTC", "2026-12-04 08:12:01Z",
                 id="same-day"),
    pytest.param("Thu Dec  3 21:40:12", CAPTURED, "UTC", "2026-12-03 21:40:12Z",
                 id="day-before"),
    pytest.param("Wed Dec 31 23:59:59", datetime(2026, 1, 1, 0, 30, tzinfo=UTC),
                 "UTC", "2025-12-31 23:59:59Z", id="new-year"),
    # The latest year whose calendar has the weekday wins: 2024, not 2019.
    pytest.param("Mon Mar 11 10:00:00", CAPTURED, "UTC", "2024-03-11 10:00:00Z",
                 id="weekday-two-years-back"),
    pytest.param("Thu Feb 29 10:00:00", CAPTURED, "UTC", "2024-02-29 10:00:00Z",
                 id="leap-day"),
    pytest.param("Sat Dec  5 01:00:00", CAPTURED, "UTC", "2026-12-05 01:00:00Z",
                 id="clock-ahead-within-a-day"),
    pytest.param("Fri Dec  4 08:12:01", CAPTURED, "Asia/Tokyo",
                 "2026-12-03 23:12:01Z", id="host-zone"),
]  # fmt: skip


@pytest.mark.parametrize(("arrival", "captured", "zone", "expected"), ARRIVAL_CASES)
def test_mailq_arrival_year(
    arrival: str, captured: datetime, zone: str, expected: str
) -> None:
    text = listing(
        HEADER, message("4A1B2C3D4E", 1532, arrival, ROOT), recipient("soc@example.com")
    )
    parsed = parse_mailq(text, "mailq", captured, ZoneInfo(zone))
    assert parsed.rows[0]["arrival_time"] == pd.Timestamp(expected)


def test_mailq_frame_columns() -> None:
    text = listing(
        HEADER,
        message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
        reason(REFUSED),
        recipient("soc@example.com"),
        recipient("noc@example.com"),
    )
    parsed = parse_mailq(text, "mailq", CAPTURED)
    frame = parsed.frame()
    assert list(frame.columns) == QUEUE_COLUMNS
    assert len(frame) == 2
    assert frame["recipient"].tolist() == ["soc@example.com", "noc@example.com"]
    assert parsed.message_count == 1
    assert parsed.format == "mailq"


JSON_DEFERRED = {
    "queue_name": "deferred",
    "queue_id": "4A1B2C3D4E",
    "arrival_time": 1796333000,
    "message_size": 1532,
    "forced_expire": False,
    "sender": ROOT,
    "recipients": [
        {"address": "soc@example.com", "delay_reason": REFUSED},
        {"address": "noc@example.com"},
    ],
}


def json_line(**changes: object) -> str:
    """Return one line of postqueue -j, which writes non-ASCII text unescaped."""
    return json.dumps(JSON_DEFERRED | changes, ensure_ascii=False)


def json_row(**changes: object) -> dict[str, object]:
    """Return the row expected for the first recipient of JSON_DEFERRED."""
    base: dict[str, object] = {
        "queue_id": "4A1B2C3D4E",
        "queue_name": "deferred",
        "arrival_time": pd.Timestamp(1796333000, unit="s", tz="UTC"),
        "size": 1532,
        "sender": ROOT,
        "forced_expire": False,
        "source": "postqueue-j",
        "line_no": 1,
        "recipient": "soc@example.com",
        "orig_recipient": None,
        "reason": REFUSED,
    }
    return base | changes


# postqueue -j text, then the rows expected from it.
JSON_CASES = [
    pytest.param(
        json_line(),
        [json_row(), json_row(recipient="noc@example.com", reason=None)],
        id="deferred-two-recipients",
    ),
    pytest.param(
        json_line(queue_name="hold", recipients=[{"address": "soc@example.com"}]),
        [json_row(queue_name="hold", reason=None)],
        id="hold",
    ),
    pytest.param(
        json_line(queue_name="active", forced_expire=True,
                  recipients=[{"address": "soc@example.com"}]),
        [json_row(queue_name="active", forced_expire=True, reason=None)],
        id="active-forced-expire",
    ),
    pytest.param(
        json_line(recipients=[{"address": "soc@example.com",
                               "orig_address": "security@example.com",
                               "delay_reason": REFUSED}]),
        [json_row(orig_recipient="security@example.com")],
        id="original-address",
    ),
    # showq names the null sender MAILER-DAEMON in JSON too.
    pytest.param(
        json_line(sender="MAILER-DAEMON", recipients=[JSON_DEFERRED["recipients"][0]]),
        [json_row(sender="")],
        id="null-sender",
    ),
    pytest.param(
        json_line(recipients=[], size_class="small"),
        [json_row(recipient=None, reason=None)],
        id="no-recipients-unknown-member",
    ),
    # Postfix escapes only ASCII control characters in JSON strings.
    pytest.param(
        json_line(recipients=[{"address": "soc@example.com",
                               "delay_reason": "host said: 450\u2028try later"}]),
        [json_row(reason="host said: 450\u2028try later")],
        id="line-separator-in-reason",
    ),
    pytest.param(
        json_line() + "\n" + json_line(queue_id="8F9E7D6C5B", queue_name="active",
                                       recipients=[{"address": "ops@example.net"}]),
        [
            json_row(),
            json_row(recipient="noc@example.com", reason=None),
            json_row(queue_id="8F9E7D6C5B", queue_name="active", line_no=2,
                     recipient="ops@example.net", reason=None),
        ],
        id="two-messages",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), JSON_CASES)
def test_postqueue_json_rows(text: str, expected: list[dict[str, object]]) -> None:
    parsed = parse_postqueue_json(text + "\n", "postqueue-j")
    assert parsed.rows == expected
    assert parsed.unparsed == []
    assert parsed.error is None
    assert parsed.empty is False


def test_postqueue_json_empty_queue() -> None:
    """Check that no output at all, as for an empty queue, is an empty listing."""
    parsed = parse_postqueue_json("", "postqueue-j")
    assert parsed.empty is True
    assert parsed.rows == []
    assert parsed.format == "postqueue_json"


def test_postqueue_json_error_kept() -> None:
    text = "postqueue: fatal: Queue report unavailable - mail system is down\n"
    parsed = parse_postqueue_json(text, "postqueue-j")
    assert parsed.error == text.strip()
    assert parsed.unparsed == []
    assert parsed.empty is False


def test_postqueue_json_bad_lines_listed() -> None:
    # The last line nests arrays deeper than Python's recursion limit.
    deep = "[" * 100_000
    text = json_line() + f"\n{{not json\n[1, 2]\n{deep}\n"
    parsed = parse_postqueue_json(text, "postqueue-j")
    assert parsed.unparsed == [(2, "{not json"), (3, "[1, 2]"), (4, deep)]
    assert parsed.message_count == 1


# Content guesses: the text, and whether it reads as mailq and as postqueue -j.
LOOKS_LIKE_CASES = [
    pytest.param(listing(HEADER, message("4A1B2C3D4E", 1, "Thu Dec  3 21:40:12", ROOT)),
                 True, False, id="mailq"),
    pytest.param(listing(LONG_HEADER), True, False, id="mailq-long-ids"),
    pytest.param("Mail queue is empty\n", True, False, id="empty-queue"),
    pytest.param(json_line() + "\n", False, True, id="postqueue-json"),
    pytest.param(listing(WARNING, HEADER), True, False, id="warning-then-listing"),
    pytest.param(WARNING + "\n", False, False, id="warning-alone"),
    pytest.param('{"queue_id": "4A1B2C3D4E"}\n', False, False, id="json-without-queue"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "mailq", "postqueue_json"), LOOKS_LIKE_CASES)
def test_queue_kind_guessed(text: str, mailq: bool, postqueue_json: bool) -> None:
    assert looks_like_mailq(text) is mailq
    assert looks_like_postqueue_json(text) is postqueue_json


# Corpus files: line -> reason for each line that is expected to stay unparsed.
MAILQ_DIR = CORPUS / "mailq"
JSON_DIR = CORPUS / "postqueue-json"
EXPECTED_UNPARSED: dict[str, dict[int, str]] = {}
EXPECTED_ERRORS = {
    "Konsong__zimbra-readonly-tui__tests__fixtures__postqueue_p_denied.err"
}
EXPECTED_EMPTY = {
    "Konsong__zimbra-readonly-tui__tests__fixtures__postqueue_p_empty.txt"
}


def corpus_listings(folder: Path) -> list[str]:
    if not folder.is_dir():
        return ["(corpus absent)"]
    return sorted(p.name for p in folder.iterdir())


def recipient_lines(text: str) -> int:
    """Count indented lines that are not reasons, read independently of the parser."""
    return sum(
        1
        for line in text.split("\n")
        if line[:1].isspace() and line.strip() and not line.strip().startswith("(")
    )


def check_listing(parsed: QueueListing, name: str) -> None:
    unparsed = {line_no for line_no, _ in parsed.unparsed}
    assert unparsed == set(EXPECTED_UNPARSED.get(name, {}))
    assert (parsed.error is not None) == (name in EXPECTED_ERRORS)
    assert parsed.empty == (name in EXPECTED_EMPTY)
    frame = parsed.frame()
    assert list(frame.columns) == QUEUE_COLUMNS
    assert frame["arrival_time"].notna().all()
    assert frame["queue_name"].isin(["active", "deferred", "hold"]).all()


@pytest.mark.parametrize("name", corpus_listings(MAILQ_DIR))
def test_corpus_mailq_accounted(name: str, corpus: Path) -> None:
    text = (corpus / "mailq" / name).read_text(encoding="utf-8")
    parsed = parse_mailq(text, name, CAPTURED)
    messages = {(r["queue_id"], r["line_no"]) for r in parsed.rows}
    reasons = sum(1 for r in parsed.rows if r["reason"] is not None)
    print(f"{name}: {len(messages)} messages, {len(parsed.rows)} recipients,"
          f" {reasons} with a reason")  # fmt: skip
    check_listing(parsed, name)
    assert len(parsed.rows) == recipient_lines(text)
    if parsed.footer_requests is not None:
        assert len(messages) == parsed.footer_requests


@pytest.mark.parametrize("name", corpus_listings(JSON_DIR))
def test_corpus_postqueue_json_accounted(name: str, corpus: Path) -> None:
    text = (corpus / "postqueue-json" / name).read_text(encoding="utf-8")
    parsed = parse_postqueue_json(text, name)
    records = [json.loads(line) for line in text.split("\n") if line.strip()]
    print(f"{name}: {len(records)} messages, {len(parsed.rows)} recipients")
    check_listing(parsed, name)
    assert parsed.message_count == len(records)
    assert len(parsed.rows) == sum(max(len(r["recipients"]), 1) for r in records)
    delayed = sum(1 for r in records for a in r["recipients"] if "delay_reason" in a)
    assert sum(1 for r in parsed.rows if r["reason"] is not None) == delayed


def test_corpus_listings_found_by_content(corpus: Path) -> None:
    for path in sorted((corpus / "mailq").iterdir()):
        assert looks_like_mailq(path.read_text(encoding="utf-8")), path.name
    for path in sorted((corpus / "postqueue-json").iterdir()):
        assert looks_like_postqueue_json(path.read_text(encoding="utf-8")), path.name


def test_json_recipients_without_objects_unparsed() -> None:
    line = '{"queue_id": "3C4D5E6F7A", "recipients": ["a@example.com"]}'
    listing = parse_postqueue_json(line + "\n", "postqueue-j")
    assert listing.rows == []
    assert listing.unparsed == [(1, line)]


def test_cut_mailq_marked_partial(tmp_path: Path) -> None:
    """A listing that ends inside an entry, without its total line, is read as
    far as it goes and marked partial. The detail names the line not read."""
    text = listing(
        HEADER,
        message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
        recipient("soc@example.com"),
        "",
        message("5B6C7D8E9F", 702, "Thu Dec  3 21:41:00", ROOT),
        "(connect t",
    )
    (tmp_path / "mailq").write_text(text)
    analysis = analyze_bundle(tmp_path, year=2026)
    entry = analysis.bundle.inventory.entries[0]
    assert entry.status == "partial"
    assert "line 6: (connect t" in entry.detail
    assert "ends without its total line" in entry.detail
    assert analysis.partial
    assert analysis.queue["queue_id"].tolist() == ["4A1B2C3D4E"]


def test_complete_mailq_stays_read(tmp_path: Path) -> None:
    text = listing(
        HEADER,
        message("4A1B2C3D4E", 1532, "Thu Dec  3 21:40:12", ROOT),
        recipient("soc@example.com"),
        "",
        "-- 2 Kbytes in 1 Request.",
    )
    (tmp_path / "mailq").write_text(text)
    entry = analyze_bundle(tmp_path, year=2026).bundle.inventory.entries[0]
    assert entry.status == "read"
    assert entry.detail is None or "total line" not in entry.detail


def test_listing_over_read_limit_marked_partial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [
        {"queue_name": "deferred", "queue_id": f"4A1B2C3D{n:02d}", "arrival_time": 1,
         "message_size": 700, "sender": ROOT,
         "recipients": [{"address": "soc@example.com"}]}
        for n in range(40)
    ]  # fmt: skip
    text = "".join(json.dumps(record) + "\n" for record in records)
    (tmp_path / "postqueue-j.json").write_text(text)
    monkeypatch.setattr(load, "QUEUE_MAX_BYTES", len(text) // 2)
    analysis = analyze_bundle(tmp_path, year=2026)
    entry = analysis.bundle.inventory.entries[0]
    assert entry.status == "partial"
    assert f"only the first {len(text) // 2:,} bytes were read" in entry.detail
    assert 0 < len(analysis.queue) < 40
