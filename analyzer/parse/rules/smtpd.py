"""Rules for the SMTP server: sessions, access decisions, SASL and peer checks.

The access decisions (``reject``, ``hold``, ``discard`` and the rest) share one
format with the milter decisions that cleanup logs and with postscreen's
rejects, so their rules apply to every daemon.
"""

from __future__ import annotations

from analyzer.parse.rules.model import (
    ENVELOPE,
    QID_NONE,
    QID_REQUIRED,
    REPLY,
    Rule,
    peer,
)

_SMTPD = frozenset({"smtpd"})

# "QID: action: stage from client[address]: reply; from=<> to=<> proto= helo=<>".
# The reply may contain "; ", so it ends at the first ";" that the envelope
# follows to the end of the line. Cut lines keep what they have. Logs redacted
# for forums replace the client with a word ("<censored>"), kept as the client.
_DECISION = (
    r"(?P<action>{actions}): (?P<stage>\S+) from "
    r"(?P<client>[^\[\]\s]*)(?:\[(?P<client_ip>[^\]]*)\](?::(?P<client_port>\d+))?)?"
    r": " + REPLY + r"(?:;" + ENVELOPE + r")?$"
)


def _decision(name: str, kind: str, actions: tuple[str, ...]) -> Rule:
    return Rule(
        name,
        kind,
        tuple(f"{action}: " for action in actions),
        _DECISION.replace("{actions}", "|".join(actions)),
        source="smtpd/smtpd_check.c",
    )


_LIMITS = (
    "Connection rate",
    "Connection concurrency",
    "Message delivery request rate",
    "Recipient address rate",
    "New TLS session rate",
    "AUTH command rate",
)

SESSION_RULES: tuple[Rule, ...] = (
    Rule(
        "smtpd-connect",
        "connect",
        ("connect from ",),
        r"connect from " + peer("client") + r"(?P<extra>.*)$",
        QID_NONE,
        source="smtpd/smtpd.c",
    ),
    Rule(
        "smtpd-disconnect",
        "disconnect",
        ("disconnect from ",),
        r"disconnect from "
        + peer("client")
        + r"(?: (?P<counters>.*?\bcommands=(?P<commands>\d+(?:/\d+)?)))?"
        r"(?P<extra>.*)$",
        QID_NONE,
        source="smtpd/smtpd.c",
    ),
    Rule(
        "smtpd-lost",
        "lost_connection",
        (
            "lost connection after ",
            "timeout after ",
            "too many errors after ",
            "improper command pipelining after ",
            "bare <LF> received after ",
        ),
        r"(?P<condition>lost connection|timeout|too many errors"
        r"|improper command pipelining|bare <LF> received)"
        r" after (?P<stage>\S+)(?: \((?:approximately )?(?P<bytes>\d+) bytes\))?"
        r" from " + peer("client") + r"(?::(?: (?P<extra>.*))?)?$",
        source="smtpd/smtpd.c",
    ),
    Rule(
        "smtpd-client",
        "client",
        ("client=",),
        "client=" + peer("client") + r"(?:, sasl_method=(?P<sasl_method>[^,]*))?"
        r"(?:, sasl_username=(?P<sasl_username>[^,]*))?"
        r"(?:, sasl_sender=(?P<sasl_sender>[^,]*))?"
        r"(?:, orig_queue_id=(?P<orig_queue_id>[^,]*))?"
        r"(?:, orig_client=(?P<orig_client>.*))?$",
        QID_REQUIRED,
        source="smtpd/smtpd.c",
    ),
    # Before-queue content filter (smtpd_proxy_filter): the filter's reply and
    # the envelope, without a client or queue ID.
    Rule(
        "smtpd-proxy",
        "proxy",
        ("proxy-accept: ", "proxy-reject: "),
        r"proxy-(?P<action>accept|reject): (?P<stage>\S+): "
        + REPLY
        + r"(?:;"
        + ENVELOPE
        + r")?$",
    ),
    Rule(
        "ehlo-discard",
        "ehlo_discard",
        ("discarding EHLO keywords: ",),
        r"discarding EHLO keywords: (?P<keywords>.*)$",
        QID_NONE,
        source="smtpd/smtpd.c, smtp/smtp_proto.c",
    ),
)

# Order matters only among rules whose leads extend each other: the cleanup
# header and body actions ("reject: header ") come before these.
DECISION_RULES: tuple[Rule, ...] = (
    _decision("reject", "reject", ("reject", "milter-reject")),
    _decision("reject-warning", "reject_warning", ("reject_warning",)),
    _decision("hold", "hold", ("hold", "milter-hold")),
    _decision("discard", "discard", ("discard", "milter-discard")),
    _decision("redirect", "redirect", ("redirect",)),
    _decision("filter", "filter", ("filter",)),
    _decision("bcc", "bcc", ("bcc",)),
)

# Rules with longer leads come first (see the order check in the rules table).
WARNING_RULES: tuple[Rule, ...] = (
    Rule(
        "smtpd-hostname-unresolved",
        "warning",
        ("warning: hostname ",),
        r"warning: (?P<text>hostname (?P<hostname>\S+) does not resolve to address "
        r"(?P<client_ip>[0-9A-Fa-f.:]+)(?:: (?P<reason>.*))?)$",
        QID_NONE,
        _SMTPD,
        "smtpd/smtpd_peer.c",
    ),
    Rule(
        "smtpd-illegal-address",
        "warning",
        ("warning: Illegal address syntax from ",),
        r"warning: (?P<text>Illegal address syntax from "
        + peer("client")
        + r" in (?P<command>\S+) command: (?P<address>.*))$",
        QID_NONE,
        _SMTPD,
        "smtpd/smtpd.c",
    ),
    Rule(
        "smtpd-non-smtp-command",
        "warning",
        ("warning: non-SMTP command from ",),
        r"warning: (?P<text>non-SMTP command from "
        + peer("client")
        + r": (?P<command>.*))$",
        QID_NONE,
        _SMTPD,
        "smtpd/smtpd.c",
    ),
    Rule(
        "smtpd-limit-exceeded",
        "warning",
        tuple(f"warning: {limit} limit exceeded: " for limit in _LIMITS),
        r"warning: (?P<text>(?P<limit>"
        + "|".join(_LIMITS)
        + r") limit exceeded: (?P<count>\d+) from "
        + peer("client")
        + r" for service (?P<service>\S+))$",
        QID_NONE,
        _SMTPD,
        "smtpd/smtpd.c",
    ),
    Rule(
        "smtpd-sasl-failed",
        "warning",
        ("warning: ",),
        r"warning: (?P<text>"
        + peer("client")
        + r": SASL (?P<sasl_method>\S+) authentication (?P<outcome>failed|aborted)"
        r"(?:: (?P<reason>.*?))?(?:, sasl_username=(?P<sasl_username>.*))?)$",
        QID_NONE,
        _SMTPD,
        "smtpd/smtpd_sasl_glue.c",
    ),
    Rule(
        "smtpd-hostname-verify-failed",
        "warning",
        ("warning: ",),
        r"warning: (?P<text>(?P<client_ip>[0-9A-Fa-f.:]+): hostname (?P<hostname>\S+)"
        r" verification failed: (?P<reason>.*))$",
        QID_NONE,
        _SMTPD,
        "smtpd/smtpd_peer.c",
    ),
    Rule(
        "smtpd-address-not-listed",
        "warning",
        ("warning: ",),
        r"warning: (?P<text>(?P<client_ip>[0-9A-Fa-f.:]+):"
        r" address not listed for hostname (?P<hostname>\S+))$",
        QID_NONE,
        _SMTPD,
        "smtpd/smtpd_peer.c",
    ),
)
