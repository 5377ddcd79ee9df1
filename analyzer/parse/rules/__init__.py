"""The Postfix log line shapes that mailbundle recognizes, as data.

Each rule names the ``kind`` it gives an event and the literal texts that start
the message after the optional queue ID (its leads). It also says whether a queue
ID must be present, which daemons it applies to, and the Postfix source file that
writes the line. Its pattern (RE2 syntax, matched after the queue ID) has named
groups that become fields.

A line is tried against every rule whose lead is a prefix of the longest lead
found at its start, in table order, and the first rule whose pattern matches
wins. So a rule must come before any rule whose lead is a prefix of its own
(``reject: header `` before ``reject: ``); a test checks this order. A Postfix
line that no rule matches gets the kind ``unknown``.
"""

from __future__ import annotations

from analyzer.parse.rules import (
    diagnostics,
    postscreen,
    records,
    services,
    smtp,
    smtpd,
    tls,
)
from analyzer.parse.rules.model import (
    ADDRESS_FIELDS,
    LENIENT_QUEUE_ID_LINE,
    LONG_QUEUE_ID,
    QID_ANY,
    QID_NONE,
    QID_REQUIRED,
    QUEUE_ID,
    QUEUE_ID_FIELD,
    SHORT_QUEUE_ID,
    Rule,
    peer,
)

RULES: tuple[Rule, ...] = (
    *records.CONTENT_RULES,
    *records.RULES,
    *smtpd.SESSION_RULES,
    *smtpd.DECISION_RULES,
    *smtp.RULES,
    *tls.RULES,
    *postscreen.RULES,
    *services.STATISTICS_RULES,
    *services.OPERATION_RULES,
    *smtpd.WARNING_RULES,
    *services.MASTER_WARNING_RULES,
    *diagnostics.RULES,
)

RULE_NAMES = tuple(rule.name for rule in RULES)
KINDS = (*dict.fromkeys(rule.kind for rule in RULES), "unknown")

__all__ = [
    "ADDRESS_FIELDS",
    "KINDS",
    "LENIENT_QUEUE_ID_LINE",
    "LONG_QUEUE_ID",
    "QID_ANY",
    "QID_NONE",
    "QID_REQUIRED",
    "QUEUE_ID",
    "QUEUE_ID_FIELD",
    "RULES",
    "RULE_NAMES",
    "SHORT_QUEUE_ID",
    "Rule",
    "peer",
]
