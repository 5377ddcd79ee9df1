"""The frames mailbundle builds: every column, its dtype and its meaning.

Analysts, tests and exports rely on these names. ``conform`` gives a frame exactly
these columns, in this order, with these dtypes; ``markdown`` renders the table
that docs/frames.md holds.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str
    description: str


TIME = "datetime64[ns, UTC]"

FRAMES: dict[str, tuple[Column, ...]] = {
    "events": (
        Column(
            "time",
            TIME,
            "When the line was logged (UTC); NaT when its stamp is invalid.",
        ),
        Column("host", "category", "Host field of the syslog header."),
        Column(
            "program",
            "category",
            "Program tag as logged, such as postfix/submission/smtpd.",
        ),
        Column(
            "instance",
            "category",
            "First element of the tag: the syslog_name (postfix, postfix-out).",
        ),
        Column(
            "service",
            "category",
            "Middle elements of the tag (submission, 10025); missing when none.",
        ),
        Column(
            "daemon",
            "category",
            "Last element of the tag: the Postfix daemon (smtp, qmgr, ...).",
        ),
        Column("pid", "Int64", "Process ID from the tag."),
        Column(
            "queue_id",
            "string",
            "Queue ID the line starts with, or NOQUEUE, or the one a warning names "
            "(warning: QID: ...); missing when none.",
        ),
        Column(
            "kind",
            "category",
            "What the line records (delivery, queued, removed, reject, warning, ...; "
            "docs/parsing.md lists them all); unknown when no rule recognized it.",
        ),
        Column(
            "rule", "category", "Name of the parsing rule that recognized the line."
        ),
        Column("text", "string", "The message after the syslog header."),
        Column(
            "stamp",
            "category",
            "The timestamp exactly as written in the log. A journal export stores no "
            "text, so its lines get the time in --timezone with the offset (RFC 3339).",
        ),
        Column("source", "category", "Bundle member the line comes from."),
        Column("line_no", "int64", "1-based line number in that member."),
        Column(
            "message_key",
            "category",
            "Message the line belongs to (see messages); smtp lines without a queue ID get the key of the process's next message.",
        ),
    ),
    "messages": (
        Column(
            "message_key",
            "string",
            "Unique per message lifetime: host, instance (when not postfix), queue ID, and #N for the N-th reuse of the ID.",
        ),
        Column("host", "string", "Host that queued the message."),
        Column("instance", "string", "Postfix instance (syslog_name)."),
        Column("queue_id", "string", "Queue ID."),
        Column("message_id", "string", "Message-ID header logged by cleanup."),
        Column(
            "sender",
            "string",
            "Envelope sender; empty for bounce notices (MAILER-DAEMON).",
        ),
        Column("size", "Int64", "Size in bytes logged by qmgr."),
        Column("nrcpt", "Int64", "Number of recipients logged by qmgr."),
        Column("client", "string", "Host name of the SMTP client that submitted it."),
        Column("client_ip", "string", "Address of that client."),
        Column(
            "orig_queue_id",
            "string",
            "Queue ID before a content filter, when smtpd logs it (XCLIENT).",
        ),
        Column(
            "origin",
            "string",
            "local (pickup), smtp (smtpd), handoff (re-queued by a content filter or forward), the notice kind (sender_non-delivery_notice, ...), or queue (only a queue listing shows it).",
        ),
        Column("first_seen", TIME, "First line of the message."),
        Column("last_seen", TIME, "Last line of the message."),
        Column(
            "started_in_log",
            "bool",
            "The log shows the message arrive (pickup, client= or cleanup).",
        ),
        Column(
            "ended_in_log",
            "bool",
            "The log shows the message leave the queue (removed, deleted).",
        ),
        Column(
            "final_state",
            "string",
            "delivered, deferred, bounced, expired, deleted, held, rejected, discarded (by header_checks or an access map), partial, handed_off, not_accepted (a try that cleanup did not accept: pickup or the client tries the same mail again under a new queue ID, so totals leave it out) or unknown.",
        ),
        Column(
            "parent_key",
            "string",
            "Message this one derives from: the original of a bounce notice or of a "
            "content-filter copy, or the message that another host of the bundle "
            "relayed here.",
        ),
        Column("child_keys", "object", "List of the messages derived from this one."),
        Column(
            "link",
            "string",
            "How the parent link was found: notification:KIND, handoff, or relay (from "
            "another host of the bundle).",
        ),
        Column(
            "recipient_count", "int64", "Recipients with at least one delivery attempt."
        ),
        Column("delivered", "int64", "Recipients whose final state is delivered."),
        Column("deferred", "int64", "Recipients still deferred."),
        Column("bounced", "int64", "Recipients bounced."),
        Column("attempts", "int64", "Delivery attempts over all recipients."),
        Column(
            "has_deleted", "bool", "postsuper deleted the message (logged or inferred)."
        ),
        Column(
            "deletion_inferred",
            "bool",
            "The deletion is inferred from a postsuper count (-d ALL logs no queue IDs).",
        ),
        Column("has_expired", "bool", "qmgr logged status=expired."),
        Column(
            "has_reject",
            "bool",
            "smtpd or cleanup rejected it after it had a queue ID.",
        ),
        Column("has_discard", "bool", "A DISCARD action dropped it."),
        Column("has_hold", "bool", "A HOLD action put it on hold."),
        Column("has_held", "bool", "postsuper -h put it on hold."),
        Column("has_released", "bool", "postsuper -H released it."),
        Column(
            "has_not_accepted",
            "bool",
            'cleanup did not accept it ("message not accepted, try again later").',
        ),
    ),
    "deliveries": (
        Column("event", "int64", "Row of the delivery line in events."),
        Column("message_key", "string", "Message (see messages)."),
        Column("queue_id", "string", "Queue ID."),
        Column("host", "category", "Host that logged the attempt."),
        Column("recipient", "string", "Recipient address (to=)."),
        Column(
            "orig_recipient",
            "string",
            "Address before alias or canonical rewriting (orig_to=).",
        ),
        Column("time", TIME, "When the attempt was logged."),
        Column(
            "daemon",
            "category",
            "Delivery agent: smtp, lmtp, local, virtual, pipe, error, ...",
        ),
        Column(
            "relay",
            "category",
            "relay= as logged: host[address]:port, none, local, ...",
        ),
        Column(
            "relay_host",
            "category",
            "Host name part of relay: none when no server was reached (relay=none), "
            "the transport name for pipe deliveries.",
        ),
        Column(
            "relay_ip",
            "category",
            "Address part of relay: an IP address, or the socket path of LMTP over "
            "a UNIX socket (private/dovecot-lmtp).",
        ),
        Column("relay_port", "Int64", "Port part of relay."),
        Column(
            "conn_use", "Int64", "How many times the connection was reused (conn_use=)."
        ),
        Column(
            "delay", "float64", "Seconds from arrival to this attempt's end (delay=)."
        ),
        Column(
            "delay_before_queue",
            "float64",
            "delays= part a: seconds before the queue manager, including message transmission.",
        ),
        Column(
            "delay_in_queue",
            "float64",
            "delays= part b: seconds in the queue manager, including queue wait.",
        ),
        Column(
            "delay_connect",
            "float64",
            "delays= part c: seconds of connection set-up, including DNS, HELO and TLS.",
        ),
        Column(
            "delay_transmit",
            "float64",
            "delays= part d: seconds of message transmission.",
        ),
        Column("dsn", "category", "Enhanced status code (dsn=), such as 4.4.1."),
        Column(
            "dsn_class",
            "category",
            "success (2.x.x), temporary (4.x.x) or permanent (5.x.x).",
        ),
        Column(
            "status",
            "category",
            "sent, deferred, bounced, expired, deliverable or undeliverable.",
        ),
        Column(
            "reason", "category", "The whole reply text in parentheses after status."
        ),
        Column(
            "reason_normalized",
            "category",
            "The reason with addresses, hosts, IPs, IDs and numbers replaced by placeholders.",
        ),
        Column(
            "attempt",
            "int64",
            "1 for the first attempt of this recipient, 2 for the next, ...",
        ),
        Column("source", "category", "Bundle member of the line."),
        Column("line_no", "int64", "Line number in that member."),
    ),
    "recipients": (
        Column("message_key", "string", "Message (see messages)."),
        Column("recipient", "string", "Recipient address."),
        Column("orig_recipient", "string", "Address before rewriting."),
        Column(
            "attempts",
            "int64",
            "Delivery attempts logged; 0 for a recipient of held, rejected or "
            "discarded mail that only a cleanup, smtpd or milter line names.",
        ),
        Column("first_attempt", TIME, "First attempt."),
        Column("last_attempt", TIME, "Last attempt."),
        Column("last_status", "string", "Status of the last attempt."),
        Column("last_dsn", "string", "DSN of the last attempt."),
        Column("last_reason", "string", "Reply text of the last attempt."),
        Column("relay", "string", "relay= of the last attempt."),
        Column(
            "final_state",
            "string",
            "delivered, deferred, bounced, expired, deleted, held or handed_off; "
            "for recipients without an attempt, the message's final state "
            "(held, rejected, discarded, ...).",
        ),
        Column(
            "child_key",
            "string",
            "Message that carries this recipient on after a hand-off.",
        ),
    ),
    "findings": (
        Column(
            "code", "string", "Stable code of the diagnosis, such as localhost-loop."
        ),
        Column("severity", "string", "error, warning or info."),
        Column("title", "string", "One-line statement of the problem."),
        Column(
            "host", "string", "Host the finding concerns (bundle for bundle-wide ones)."
        ),
        Column("messages_affected", "int64", "Messages the finding concerns."),
        Column("first_seen", TIME, "First evidence in the logs."),
        Column("last_seen", TIME, "Last evidence in the logs."),
        Column("evidence", "object", "List of {source, line_no, text, kind} records."),
        Column("remedy", "string", "What to do."),
        Column("summary", "string", "What was seen, with counts."),
    ),
    "queue": (
        Column("queue_id", "string", "Queue ID."),
        Column("queue_name", "string", "active, deferred, hold, incoming or maildrop."),
        Column(
            "arrival_time",
            TIME,
            "When the message arrived (the year inferred for mailq text).",
        ),
        Column("size", "Int64", "Size in bytes."),
        Column("sender", "string", "Envelope sender; empty for MAILER-DAEMON."),
        Column("recipient", "string", "Recipient address."),
        Column(
            "orig_recipient", "string", "Address before rewriting (postqueue -j only)."
        ),
        Column(
            "reason",
            "string",
            "Why delivery is delayed (the (reason) line or delay_reason).",
        ),
        Column("forced_expire", "bool", "postsuper -e marked the message to expire."),
        Column("source", "string", "Bundle member of the listing."),
        Column("line_no", "int64", "Line of the message in that member."),
        Column("host", "string", "Host the listing belongs to."),
        Column(
            "listing_time",
            TIME,
            "When the newest listing that shows the message was made: the member's "
            "file time (else the bundle's newest), or the listing's newest arrival "
            "time when that is later.",
        ),
        Column(
            "in_newest_listing",
            "bool",
            "The host's newest listing shows the message; false when the message "
            "left the queue after an older listing was made.",
        ),
    ),
    "inventory": (
        Column("path", "string", "Member path inside the bundle."),
        Column(
            "size",
            "Int64",
            "Size in bytes of the member file as unpacked from its archive.",
        ),
        Column("sha256", "string", "SHA-256 of the member file as unpacked."),
        Column("mtime", "string", "Modification time, ISO 8601."),
        Column(
            "kind",
            "string",
            "What the member was read as: maillog, journal_json, main.cf, master.cf, postconf, mailq, postqueue_json, archive or other.",
        ),
        Column("status", "string", "read, partial, skipped, rejected or error."),
        Column("detail", "string", "Why it was skipped or rejected, or the error."),
        Column(
            "limit",
            "string",
            "Safety limit option that stopped the reading (--max-size, --max-ratio, --max-depth).",
        ),
        Column(
            "compression", "string", "gzip, bzip2 or xz when a compression was undone."
        ),
        Column(
            "container",
            "string",
            "Archive the member was found in, for nested archives.",
        ),
        Column(
            "host",
            "string",
            "Host the member belongs to, as the analysis names it: the only host of a one-host bundle, else the host of the member's folder. Empty for a member that was rejected or could not be read, and when no host name is known.",
        ),
        Column(
            "lines",
            "Int64",
            "Lines (logs), settings (configuration) or recipient rows (queue listings).",
        ),
        Column("postfix_lines", "Int64", "Lines from Postfix (logs)."),
        Column("recognized_lines", "Int64", "Postfix lines a rule recognized (logs)."),
    ),
}


INDEXES: dict[str, str] = {
    "events": "`analysis.events` is indexed by `event`, the row number that the "
    "`event` column of deliveries refers to.",
    "messages": "`analysis.messages` is indexed by the message key, so "
    "`analysis.messages.loc[key]` finds a message. The index is unnamed and "
    "repeats the `message_key` column, so `merge`, `groupby` and `sort_values` "
    'on "message_key" use the column.',
    "recipients": "`analysis.recipients` is indexed by (message key, recipient), "
    "two unnamed levels that repeat the `message_key` and `recipient` columns.",
}
"""The index of each frame in the ``Analysis`` attributes. The frames of
``Analysis.frames()`` and the exported files have a plain RangeIndex."""


def conform(
    name: str, frame: pd.DataFrame, leave_out: Collection[str] = ()
) -> pd.DataFrame:
    """Return ``frame`` with the documented columns of ``name``, in order, cast;
    the columns of ``leave_out`` are not added."""
    columns = FRAMES[name]
    result = pd.DataFrame(index=frame.index)
    for column in columns:
        if column.name in leave_out:
            continue
        values = (
            frame[column.name]
            if column.name in frame
            else pd.Series(pd.NA, index=frame.index)
        )
        result[column.name] = _cast(values, column.dtype)
    return result


INT64_DIGITS = 18
"""Digits of the longest decimal that always fits int64 (its maximum has 19)."""


def to_int64(values: Any) -> pd.api.extensions.ExtensionArray:
    """Return ``values`` (text or numbers) as an Int64 array.

    A value that is not a whole number within int64 becomes missing, rather
    than stopping the analysis: the 20-digit size= of a damaged line, or a
    postqueue -j message_size of 1e30 or Infinity.
    """
    series = pd.Series(values, copy=False)
    if series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        text = series.astype("string")
        series = text.where(text.str.len() <= INT64_DIGITS)
    numbers = pd.to_numeric(series, errors="coerce")
    if numbers.dtype.kind == "f":
        whole = np.isfinite(numbers) & (numbers.abs() < 2.0**63)
        whole &= numbers == np.floor(numbers.where(whole, 0))
        numbers = numbers.where(whole)
    elif numbers.dtype.kind == "u":
        numbers = numbers.where(numbers <= np.iinfo(np.int64).max)
    return pd.array(numbers, dtype="Int64")


def _cast(values: pd.Series, dtype: str) -> pd.Series:
    convertible = dtype not in ("object", "category")
    if convertible and values.dtype == pd.api.types.pandas_dtype(dtype):
        # Already in shape: keep the column (a lazy copy) rather than convert
        # it into a second one, which on a million events costs 50 MiB.
        return values
    if dtype == "object":
        return values.astype(object)
    if dtype == TIME:
        return pd.to_datetime(values, utc=True).astype(TIME)
    if dtype == "bool":
        return values.fillna(False).astype(bool)
    if dtype == "float64":
        return pd.to_numeric(values, errors="coerce").astype(dtype)
    if dtype in ("int64", "Int64"):
        numbers = pd.Series(to_int64(values), index=values.index, name=values.name)
        return numbers.fillna(0).astype(dtype) if dtype == "int64" else numbers
    if dtype == "category":
        categorical = values.astype("category")
        if len(categorical.cat.categories) == 0:
            # An empty set of categories has no text type, so Parquet would
            # store a null column that reads back as object.
            empty = pd.Index([], dtype="str")
            categorical = categorical.cat.set_categories(empty)
        return categorical
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype("string")
    return values.astype(object).where(values.notna(), None).astype("string")


def markdown() -> str:
    """Return the documentation of every frame as Markdown tables."""
    lines = [
        "# Frames",
        "",
        "Generated from `analyzer/schema.py`; a test keeps this page and the code in step.",
        "",
        "The frames that `Analysis.frames()` returns and `mailbundle export` writes "
        "have a plain RangeIndex. Some attributes of `Analysis` have an index; each "
        "frame's section says which.",
        "",
        "`mailbundle export BUNDLE --format FORMAT -o DIR` writes each frame to "
        "`DIR/NAME.FORMAT` (`messages.csv`, `events.parquet`, ...). Parquet keeps "
        "every dtype. CSV and JSON hold text, and plain `pandas.read_csv` turns an "
        "all-digit queue ID such as 0123456789 into a number: "
        "`analyzer.export.read_export(path)` reads any exported file back with the "
        "dtypes below. CSV writes an empty text and a missing value alike, so both "
        "read back as missing. CSV also puts a quote (') before a text that starts "
        "with =, +, -, @, a tab or a carriage return, so that a spreadsheet does not "
        "run log text as a formula; `read_export` takes the quote off.",
        "",
    ]
    for name, columns in FRAMES.items():
        lines += [f"## {name}", "", "| column | dtype | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {c.dtype} | {c.description} |" for c in columns]
        lines.append("")
        if name in INDEXES:
            lines += [INDEXES[name], ""]
        if name == "findings":
            lines += [*FINDINGS_JSON.splitlines(), ""]
    return "\n".join(lines)


FINDINGS_JSON = """\
The report's `findings.json` contains the same findings as records, with the
English `title`, `summary` and `remedy` filled in, plus `params` (the values
those texts were filled with). Around them it gives:

| key | meaning |
|---|---|
| `bundle` | File or folder name of the bundle. |
| `partial` | True when some member could not be read completely (exit code 4). |
| `hosts` | Hosts found in the bundle. |
| `verdict` | `status` (failing, warning or healthy), `headline` and `detail`, as the report opens. |
| `totals` | Counts of the rebuilt messages, a content-filter pair counted once, defined as pflogsumm defines them: `received` messages, `delivered_recipients` and `bounced_recipients` (recipients), `deferred_messages` (messages with at least one deferred delivery attempt in the log, whatever became of them; mail that waits without an attempt, in maildrop or only in a queue listing, is not one) and `deferrals` (attempts). `messages` and `states` (messages per final state) include the notices; `notices` and `notice_states` count the non-delivery and delay notices (from=<>) among them. The report's key numbers and the summary's Messages line are `messages` less `notices` and `states` less `notice_states`. |
| `pflogsumm_totals` | The same totals counted the way pflogsumm counts them. |
| `counts` | Findings per severity. |
| `lang`, `localized_verdict` | With `--lang ja` only: the report's language and the verdict in it. Each finding then also has `localized`: its `title`, `summary` and `remedy` in that language. |"""
