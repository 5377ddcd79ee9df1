"""Parse queue listings: ``mailq`` / ``postqueue -p`` text and ``postqueue -j`` JSON.

Text layout (Postfix ``showq``): a header line, then one block per message: a
line with the queue ID, size, arrival time (weekday, month, day, time; no year)
and sender, then indented recipients. A ``(reason)`` line before a recipient
applies to it and to the following recipients until the next reason, and
``(reason unavailable)`` ends it. A queue ID suffix marks the queue: ``*`` active,
``!`` hold, none deferred or incoming, and a further ``#`` forced to expire
(Postfix 3.5+). Addresses are in quoted form, so ``"first last"@example.com``
contains a space. The null sender prints as ``MAILER-DAEMON``. Postfix 2's showq
lists a file of the maildrop queue with ``(maildrop queue, sender UID N)`` and
no recipients. The footer is ``-- N Kbytes in M Request(s).`` or ``Mail queue is
empty``, and errors are ``postqueue: fatal: ...`` lines.

JSON Lines layout (``postqueue -j``, Postfix 3.1+): one object per message with
``queue_name``, ``queue_id``, ``arrival_time`` (epoch seconds), ``message_size``,
``forced_expire``, ``sender`` and ``recipients`` (``address``, optional
``orig_address``, ``delay_reason``, ``bounce_reason``); unknown members are ignored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

import pandas as pd

from analyzer.parse.rules import LONG_QUEUE_ID, SHORT_QUEUE_ID
from analyzer.parse.timestamps import MONTHS

_MESSAGE_LINE = re.compile(
    rf"^(?P<qid>{SHORT_QUEUE_ID}|{LONG_QUEUE_ID})(?P<flag>[*!]?)(?P<expire>#?)\s+"
    r"(?P<size>\d+)\s+"
    r"(?P<weekday>[A-Z][a-z]{2}) (?P<month>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) "
    r"(?P<time>\d\d:\d\d:\d\d)\s+(?P<sender>\S.*?)?\s*$"
)
_MAILDROP_SENDER = re.compile(r"\(maildrop queue, sender UID \d+\)")
_REASON_LINE = re.compile(r"^\s*\((?P<reason>.*)\)\s*$")
_NO_REASON = "reason unavailable"
_RECIPIENT_LINE = re.compile(r"^\s+(?P<address>\S.*?)\s*$")
_FOOTER = re.compile(r"^-- (?P<kbytes>\d+) Kbytes in (?P<count>\d+) Requests?\.\s*$")
_HEADER = re.compile(r"^-+Queue ID-+ ", re.MULTILINE)
_ERROR_LINE = re.compile(
    r"not allowed to view the mail queue|Queue report unavailable"
    r"|^(?:postqueue|mailq|sendmail): fatal: "
)

QUEUE_FLAGS = {"*": "active", "!": "hold", "": "deferred"}

QUEUE_COLUMNS = [
    "queue_id", "queue_name", "arrival_time", "size", "sender", "recipient",
    "orig_recipient", "reason", "forced_expire", "source", "line_no",
]  # fmt: skip


@dataclass
class QueueListing:
    """Messages of one queue listing, one row per recipient."""

    source: str
    format: str
    """"mailq" (text) or "postqueue_json"."""
    rows: list[dict[str, object]] = field(default_factory=list)
    footer_requests: int | None = None
    footer_kbytes: int | None = None
    empty: bool = False
    """True when the listing says the queue is empty."""
    empty_line_no: int | None = None
    """Line of the "Mail queue is empty" message."""
    taken: datetime | None = None
    """When the listing was made, as far as the bundle shows: the member's file
    time, else the newest file time in the bundle. The analysis raises it to the
    newest arrival the listing shows when that is later."""
    error: str | None = None
    """A postqueue error instead of a listing, such as a permission problem."""
    unparsed: list[tuple[int, str]] = field(default_factory=list)

    @property
    def message_count(self) -> int:
        return len({row["queue_id"] for row in self.rows})

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=QUEUE_COLUMNS)


def parse_mailq(
    text: str, source: str, captured: datetime | None, zone: tzinfo = UTC
) -> QueueListing:
    """Parse ``mailq`` text. ``captured`` (when the listing was made) fixes years."""
    listing = QueueListing(source=source, format="mailq")
    current: dict[str, object] | None = None
    reason: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip() or _HEADER.match(line):
            continue
        if match := _MESSAGE_LINE.match(line):
            current = _message_fields(match, captured, zone, source, number)
            reason = None
            if current["queue_name"] == "maildrop":
                listing.rows.append(current | {"recipient": None, "reason": None})
                current = None
        elif current is not None and (match := _REASON_LINE.match(line)):
            reason = match.group("reason")
            if reason == _NO_REASON:
                reason = None
        elif current is not None and (match := _RECIPIENT_LINE.match(line)):
            listing.rows.append(
                current | {"recipient": match.group("address"), "reason": reason}
            )
        elif match := _FOOTER.match(line):
            listing.footer_kbytes = int(match.group("kbytes"))
            listing.footer_requests = int(match.group("count"))
        elif line.strip() == "Mail queue is empty":
            listing.empty = True
            listing.empty_line_no = number
        elif _ERROR_LINE.search(line):
            listing.error = line.strip()
        else:
            listing.unparsed.append((number, line))
            # Recipients after an unreadable message line are not the previous
            # message's recipients.
            if not line[0].isspace():
                current = None
    return listing


def _message_fields(
    match: re.Match[str],
    captured: datetime | None,
    zone: tzinfo,
    source: str,
    line_no: int,
) -> dict[str, object]:
    written = match.group("sender") or ""
    maildrop = _MAILDROP_SENDER.fullmatch(written) is not None
    return {
        "queue_id": match.group("qid"),
        "queue_name": "maildrop" if maildrop else QUEUE_FLAGS[match.group("flag")],
        "arrival_time": _arrival_time(match, captured, zone),
        "size": int(match.group("size")),
        "sender": None if maildrop else _sender(written),
        "orig_recipient": None,
        "forced_expire": match.group("expire") == "#",
        "source": source,
        "line_no": line_no,
    }


def _arrival_time(
    match: re.Match[str], captured: datetime | None, zone: tzinfo
) -> pd.Timestamp | None:
    """Pick the year whose calendar has the listed weekday, at or before capture."""
    if match.group("month") not in MONTHS:
        return None
    month = MONTHS.index(match.group("month")) + 1
    day = int(match.group("day"))
    hour, minute, second = (int(x) for x in match.group("time").split(":"))
    latest = (captured or datetime.now(UTC)).astimezone(zone)
    weekday = match.group("weekday")
    fallback = None
    for year in range(latest.year, latest.year - 8, -1):
        try:
            moment = datetime(year, month, day, hour, minute, second, tzinfo=zone)
        except ValueError:  # February 29 of a common year
            continue
        if moment > latest.replace(microsecond=0) + pd.Timedelta(days=1):
            continue
        fallback = fallback or moment
        if moment.strftime("%a") == weekday:
            return pd.Timestamp(moment).tz_convert("UTC")
    return pd.Timestamp(fallback).tz_convert("UTC") if fallback else None


def _sender(sender: object) -> object:
    """Return the sender, or "" for MAILER-DAEMON, which showq prints for <>."""
    return "" if sender == "MAILER-DAEMON" else sender


def parse_postqueue_json(text: str, source: str) -> QueueListing:
    """Parse ``postqueue -j`` output (JSON Lines).

    Lines end at "\n" alone, because Postfix escapes only ASCII control
    characters in strings and ``str.splitlines`` would also end a line at a
    U+2028 or U+0085 inside one.
    """
    listing = QueueListing(source=source, format="postqueue_json")
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        # JSONDecodeError, an integer of over 4300 digits, or arrays nested
        # deeper than the interpreter's recursion limit.
        except (ValueError, RecursionError):
            if _ERROR_LINE.search(line):
                listing.error = line.strip()
            else:
                listing.unparsed.append((number, line))
            continue
        if not isinstance(record, dict) or "queue_id" not in record:
            listing.unparsed.append((number, line))
            continue
        rows = _json_rows(record, source, number)
        if not rows:  # recipients given, but none of them an object
            listing.unparsed.append((number, line))
        listing.rows.extend(rows)
    listing.empty = not listing.rows and not listing.unparsed and listing.error is None
    return listing


def _epoch_seconds(value: object) -> pd.Timestamp | None:
    """A Unix time as a timestamp; None for a non-number or one pandas cannot hold."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        return pd.Timestamp(int(value), unit="s", tz="UTC")
    except (OverflowError, ValueError, pd.errors.OutOfBoundsDatetime):
        return None


def _json_rows(
    record: dict[str, object], source: str, line_no: int
) -> list[dict[str, object]]:
    arrival = record.get("arrival_time")
    base = {
        "queue_id": str(record.get("queue_id")),
        "queue_name": str(record.get("queue_name", "")),
        "arrival_time": _epoch_seconds(arrival),
        "size": record.get("message_size"),
        "sender": _sender(record.get("sender", "")),
        "forced_expire": bool(record.get("forced_expire", False)),
        "source": source,
        "line_no": line_no,
    }
    recipients = record.get("recipients")
    if not isinstance(recipients, list) or not recipients:
        return [base | {"recipient": None, "orig_recipient": None, "reason": None}]
    rows = []
    for recipient in recipients:
        if not isinstance(recipient, dict):
            continue
        reason = recipient.get("delay_reason") or recipient.get("bounce_reason")
        rows.append(
            base
            | {
                "recipient": recipient.get("address"),
                "orig_recipient": recipient.get("orig_address"),
                "reason": reason,
            }
        )
    return rows


def looks_like_mailq(text: str) -> bool:
    head = text.lstrip()[:4096]
    return bool(
        # A warning such as "Mail system is down" may come before the header.
        _HEADER.search(head)
        or head.startswith("Mail queue is empty")
        or (
            head.startswith(("postqueue:", "mailq:", "sendmail:"))
            and _ERROR_LINE.search(head)
        )
    )


def looks_like_postqueue_json(text: str) -> bool:
    first = text.lstrip().split("\n", 1)[0]
    return first.startswith("{") and '"queue_id"' in first and '"queue_name"' in first
