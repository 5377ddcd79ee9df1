"""Catch-all rules for diagnostics and for programs that log free text.

They come last in the table, so that every rule with a longer lead is tried
first: ``warning: `` here catches the warnings no specific rule recognized.
"""

from __future__ import annotations

from analyzer.parse.rules.model import QUEUE_ID, Rule

RULES: tuple[Rule, ...] = (
    # cleanup could not queue a submission (an alias loop, a lookup table it
    # cannot read): pickup tries it again under a new queue ID, or the client
    # sends it again, so the queue ID names a try, not a message.
    Rule(
        "warning-not-accepted",
        "warning",
        ("warning: ",),
        rf"warning: (?P<queue_id>{QUEUE_ID}): "
        r"(?P<text>.* -- message not accepted, try again later)$",
        daemons=frozenset({"cleanup"}),
        source="cleanup/cleanup_message.c",
        requires="message not accepted",
    ),
    # cleanup and smtpd put the queue ID after the severity:
    # "warning: 3A1F2B7C9D: queue file size limit exceeded".
    Rule(
        "warning-queue-id",
        "warning",
        ("warning: ",),
        rf"warning: (?P<queue_id>{QUEUE_ID}): (?P<text>.*)$",
        source="cleanup/cleanup_message.c",
    ),
    Rule("warning", "warning", ("warning: ",), r"warning: (?P<text>.*)$"),
    Rule("error", "error", ("error: ",), r"error: (?P<text>.*)$"),
    Rule("fatal", "fatal", ("fatal: ",), r"fatal: (?P<text>.*)$"),
    Rule("panic", "panic", ("panic: ",), r"panic: (?P<text>.*)$"),
    # postlog(1) logs whatever a script gives it.
    Rule(
        "postlog",
        "postlog",
        ("",),
        r"(?P<text>.*)$",
        daemons=frozenset({"postlog"}),
    ),
)
