"""The rule record, queue ID syntax and pattern parts shared by the rule tables.

Patterns use RE2 syntax (Arrow's regex engine): no backreferences or lookaround,
and every group name must be unique within one pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

# Short queue IDs: 5 hex digits of microseconds and the inode number in hex, so
# up to 21 digits with 64-bit inode numbers. Long queue IDs
# (enable_long_queue_ids): base-52 seconds and microseconds, "z", then the
# base-51 inode number; the alphabet has no vowels. The compiled scanner
# (_scan.c) implements the same two forms.
SHORT_QUEUE_ID = r"[0-9A-F]{6,21}"
LONG_QUEUE_ID = (
    r"[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,14}z"
    r"[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-y]{1,12}"
)
QUEUE_ID = rf"(?:{SHORT_QUEUE_ID}|{LONG_QUEUE_ID})"

# Anonymized logs (forum posts, test fixtures) replace queue IDs with other words;
# such a word counts as a queue ID only before a lead that only follows one.
LENIENT_QUEUE_ID_LINE = (
    r"^(?P<qid>[0-9A-Za-z]{5,21}): "
    r"(?:to=|from=<|client=|message-id=|uid=\d|removed$|skipped, )"
)

# Address groups keep their angle brackets, so that the null sender "<>" differs
# from a group that did not take part. The classifier removes the brackets.
ADDRESS_FIELDS = frozenset({"sender", "recipient", "orig_recipient"})

QUEUE_ID_FIELD = "queue_id"
"""Name of a pattern group that fills the event's queue ID when the line does not
start with one (``warning: 3A1F2B7C9D: ...``). The group does not become a field."""

QID_ANY = "any"
QID_REQUIRED = "required"
QID_NONE = "none"


@dataclass(frozen=True)
class Rule:
    """One recognized log line shape.

    A line is tried against the rules whose lead is a prefix of the longest lead
    found at its start (after an optional queue ID), in table order. The first
    rule whose ``pattern`` matches gives the line its kind and fields.
    """

    name: str
    kind: str
    leads: tuple[str, ...]
    """Literal text that starts the message after the optional queue ID."""
    pattern: str
    """RE2 pattern matched after the queue ID; named groups become fields."""
    queue_id: str = QID_ANY
    daemons: frozenset[str] | None = None
    """Daemons (last element of the program tag) it applies to, or None for all."""
    source: str = ""
    """Postfix source file, under ``src/``, that writes the line."""
    requires: str = ""
    """Literal text that every match contains. Lines without it skip the
    pattern, which saves a regular expression pass over lines of a shape that
    shares the rule's lead but never matches (the old connect-failure format)."""


def peer(name: str) -> str:
    """Return the pattern of ``name[address]`` with an optional ``:port``.

    Groups: ``{name}`` (host name, empty for postscreen's ``[address]:port``),
    ``{name}_ip`` and ``{name}_port``.
    """
    return (
        rf"(?P<{name}>[^\[\]\s]*)\[(?P<{name}_ip>[^\]]*)\]"
        rf"(?::(?P<{name}_port>\d+))?"
    )


def endpoint(name: str) -> str:
    """Return the pattern of postscreen's and tlsproxy's ``[address]:port``."""
    return rf"\[(?P<{name}_ip>[^\]]*)\]:(?P<{name}_port>\d+)"


# An SMTP reply as Postfix logs it: "550 5.7.1 text", "4.7.1 text" (milters) or
# plain text. The groups nest inside the caller's "reply" group.
REPLY = (
    r"(?P<reply>(?:(?P<reply_code>[2-5]\d\d)[ -])?"
    r"(?:(?P<dsn>[2-5]\.\d{1,3}\.\d{1,3}) )?.*?)"
)

# The envelope that smtpd (smtpd_check.c log_whatsup) and cleanup
# (cleanup_message.c cleanup_act_log) append; postscreen separates it by commas.
ENVELOPE = (
    r"(?: from=(?P<sender><[^>]*>),?)?"
    r"(?: to=(?P<recipient><[^>]*>),?)?"
    r"(?: proto=(?P<proto>[^\s,]+),?)?"
    r"(?: helo=<(?P<helo>[^>]*)>)?"
)
