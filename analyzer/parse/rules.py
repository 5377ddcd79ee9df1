"""The Postfix log line shapes that mailbundle recognizes, as data.

Each rule names the ``kind`` it gives an event, the literal text that starts the
message after the optional queue ID (its lead), whether a queue ID must be
present, the daemons it applies to, and a pattern (RE2 syntax, matched after the
queue ID) whose named groups become fields. Rules that share a lead are tried in
table order; a row that no rule's pattern matches gets the kind ``unknown``.

Formats follow the Postfix 3.x sources: delivery records from
``src/global/log_adhoc.c``, queue manager records from ``src/qmgr/qmgr_active.c``
and ``qmgr_message.c``, smtpd and cleanup actions from ``src/smtpd/smtpd_check.c``
and ``src/cleanup/cleanup_message.c``, bounce notices from
``src/bounce/bounce_notify_service.c``.
"""

from __future__ import annotations

from dataclasses import dataclass

# Short queue IDs: 5 hex digits of microseconds and the inode number in hex.
# Long queue IDs (enable_long_queue_ids): base-52 seconds and microseconds, "z",
# then the base-51 inode number; the alphabet has no vowels.
SHORT_QUEUE_ID = r"[0-9A-F]{6,20}"
LONG_QUEUE_ID = r"[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{10,14}z[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-y]{1,12}"
QUEUE_ID = rf"(?:{SHORT_QUEUE_ID}|{LONG_QUEUE_ID})"

# Anonymized logs (forum posts, test fixtures) replace queue IDs with other words;
# such a word counts as a queue ID only before a lead that only follows one.
LENIENT_QUEUE_ID_LINE = (
    r"^(?P<qid>[0-9A-Za-z]{5,20}): "
    r"(?:to=<|from=<|client=|message-id=|uid=\d|removed$)"
)

# Address groups keep their angle brackets, so that the null sender "<>" is told
# apart from a group that did not take part; the brackets are removed later.
ADDRESS_FIELDS = frozenset({"sender", "recipient", "orig_recipient"})

# A client or server as Postfix logs it: name[address] with an optional :port.
_PEER = r"(?P<{name}>[^\[\]\s]*)\[(?P<{name}_ip>[^\]]*)\](?::(?P<{name}_port>\d+))?"


def peer(name: str) -> str:
    return _PEER.format(name=name)


QID_ANY = "any"
QID_REQUIRED = "required"
QID_NONE = "none"


@dataclass(frozen=True)
class Rule:
    """One recognized log line shape."""

    name: str
    kind: str
    leads: tuple[str, ...]
    pattern: str
    queue_id: str = QID_ANY
    daemons: frozenset[str] | None = None


_DELIVERY = (
    r"to=(?P<recipient><[^>]*>),(?: orig_to=(?P<orig_recipient><[^>]*>),)?"
    r" relay=(?P<relay>[^,]*),(?: conn_use=(?P<conn_use>\d+),)?"
    r" delay=(?P<delay>[\d.]+),"
    r"(?: delays=(?P<delays>[\d.]+/[\d.]+/[\d.]+/[\d.]+),)?"
    r"(?: dsn=(?P<dsn>\d\.\d{1,3}\.\d{1,3}),)?"
    r" status=(?P<status>[\w-]+)(?: \((?P<reply>.*?)\)?)?$"
)
_REJECT_TAIL = (
    r"(?P<reply>.*?)"
    r"(?:; from=(?P<sender><[^>]*>)(?: to=(?P<recipient><[^>]*>))?(?P<extra>.*))?$"
)

_SCREEN_LEADS = (
    "CONNECT from ", "DISCONNECT ", "PASS NEW ", "PASS OLD ", "DNSBL rank ",
    "HANGUP after ", "PREGREET ", "COMMAND TIME LIMIT ", "COMMAND COUNT LIMIT ",
    "COMMAND LENGTH LIMIT ", "COMMAND PIPELINING ", "BARE NEWLINE ",
    "NON-SMTP COMMAND ", "WHITELISTED ", "BLACKLISTED ", "WHITELIST VETO ",
    "ALLOWLISTED ", "DENYLISTED ", "ALLOWLIST VETO ", "cache ", "DATA without ",
    "BDAT without ",
)  # fmt: skip

_TLS_LEADS = (
    "Anonymous TLS connection established ", "Trusted TLS connection established ",
    "Verified TLS connection established ", "Untrusted TLS connection established ",
    "setting up TLS connection ", "SSL_accept error ", "SSL_connect error ",
    "TLS handshake failed", "certificate verification failed ",
    "server certificate verification failed ", "Host offered STARTTLS",
    "TLS SNI ", "CONNECT from ", "DISCONNECT ",
)  # fmt: skip

RULES: tuple[Rule, ...] = (
    # Per-message records (queue ID first).
    Rule("delivery", "delivery", ("to=<",), _DELIVERY, QID_REQUIRED),
    Rule(
        "qmgr-from",
        "queued",
        ("from=<",),
        r"from=(?P<sender><[^>]*>), size=(?P<size>\d+), nrcpt=(?P<nrcpt>\d+)"
        r"(?: \((?P<note>[^)]*)\))?$",
        QID_REQUIRED,
    ),
    Rule(
        "qmgr-expired",
        "expired",
        ("from=<",),
        r"from=(?P<sender><[^>]*>), status=(?P<status>expired|force-expired)"
        r"(?:, (?P<note>.*))?$",
        QID_REQUIRED,
    ),
    Rule(
        "qmgr-removed",
        "removed",
        ("removed",),
        r"removed$",
        QID_REQUIRED,
        frozenset({"qmgr", "oqmgr", "cleanup", "local", "smtp", "lmtp"}),
    ),
    Rule(
        "postsuper-removed",
        "deleted",
        ("removed",),
        r"removed$",
        QID_REQUIRED,
        frozenset({"postsuper"}),
    ),
    Rule(
        "postsuper-hold", "held", ("placed on hold",), r"placed on hold$", QID_REQUIRED
    ),
    Rule(
        "postsuper-release",
        "released",
        ("released from hold",),
        r"released from hold$",
        QID_REQUIRED,
    ),
    Rule("postsuper-requeue", "requeued", ("requeued",), r"requeued$", QID_REQUIRED),
    Rule("postsuper-expire", "force_expired", ("expired",), r"expired$", QID_REQUIRED),
    Rule(
        "qmgr-skipped",
        "skipped",
        ("skipped, ",),
        r"skipped, (?P<note>.*)$",
        QID_REQUIRED,
    ),
    Rule(
        "pickup",
        "pickup",
        ("uid=",),
        r"uid=(?P<uid>\d+) from=(?P<sender><[^>]*>)(?: orig_id=(?P<orig_id>\S+))?$",
        QID_REQUIRED,
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
    ),
    Rule(
        "cleanup-message-id",
        "message_id",
        ("message-id=",),
        r"message-id=(?P<message_id>.*)$",
        QID_REQUIRED,
    ),
    Rule(
        "cleanup-resent-message-id",
        "message_id",
        ("resent-message-id=",),
        r"resent-message-id=(?P<message_id>.*)$",
        QID_REQUIRED,
    ),
    Rule(
        "bounce-notification",
        "notification",
        (
            "sender non-delivery notification: ",
            "sender delay notification: ",
            "sender delivery status notification: ",
            "postmaster non-delivery notification: ",
            "postmaster delay notification: ",
            "postmaster delivery status notification: ",
        ),
        r"(?P<notice>(?:sender|postmaster) (?:non-delivery|delay|delivery status))"
        rf" notification: (?P<child_queue_id>{QUEUE_ID})$",
        QID_REQUIRED,
    ),
    Rule(
        "reject",
        "reject",
        ("reject: ", "milter-reject: "),
        r"(?P<action>reject|milter-reject): (?P<stage>[\w-]+)"
        r"(?: from " + peer("client") + r":)? " + _REJECT_TAIL,
    ),
    Rule(
        "reject-warning",
        "reject_warning",
        ("reject_warning: ",),
        r"(?P<action>reject_warning): (?P<stage>[\w-]+)"
        r"(?: from " + peer("client") + r":)? " + _REJECT_TAIL,
    ),
    Rule(
        "hold",
        "hold",
        ("hold: ", "milter-hold: "),
        r"(?P<action>hold|milter-hold): (?P<stage>[\w-]+) " + _REJECT_TAIL,
    ),
    Rule(
        "discard",
        "discard",
        ("discard: ", "milter-discard: "),
        r"(?P<action>discard|milter-discard): (?P<stage>[\w-]+) " + _REJECT_TAIL,
    ),
    Rule(
        "redirect",
        "redirect",
        ("redirect: ",),
        r"(?P<action>redirect): (?P<stage>[\w-]+) " + _REJECT_TAIL,
    ),
    Rule(
        "filter",
        "filter",
        ("filter: ",),
        r"(?P<action>filter): (?P<stage>[\w-]+) " + _REJECT_TAIL,
    ),
    Rule(
        "bcc", "bcc", ("bcc: ",), r"(?P<action>bcc): (?P<stage>[\w-]+) " + _REJECT_TAIL
    ),
    Rule(
        "header-check",
        "header_check",
        (
            "warning: header ",
            "warning: body ",
            "info: header ",
            "info: body ",
            "prepend: ",
            "replace: ",
            "strip: ",
        ),
        r"(?P<action>warning|info|prepend|replace|strip): (?P<stage>header|body) "
        + _REJECT_TAIL,
        QID_REQUIRED,
    ),
    Rule(
        "smtp-session",
        "smtp_session",
        (
            "host ",
            "lost connection with ",
            "conversation with ",
            "enabling PIX ",
            "Cannot start TLS",
            "TLS is required",
            "SASL authentication failed",
            "server certificate",
        ),
        r"(?P<text>.+)$",
        QID_REQUIRED,
    ),
    # Connection records of smtpd and the smtp client.
    Rule(
        "smtpd-connect",
        "connect",
        ("connect from ",),
        r"connect from " + peer("client") + r"(?P<extra>.*)$",
        QID_NONE,
    ),
    Rule(
        "smtpd-disconnect",
        "disconnect",
        ("disconnect from ",),
        r"disconnect from " + peer("client") + r"(?P<counters>.*)$",
        QID_NONE,
    ),
    Rule(
        "smtpd-lost",
        "lost_connection",
        (
            "lost connection after ",
            "timeout after ",
            "too many errors after ",
            "improper command pipelining after ",
        ),
        r"(?P<condition>lost connection|timeout|too many errors|improper command pipelining)"
        r" after (?P<stage>\S+)(?: \((?P<bytes>[^)]*)\))? from "
        + peer("client")
        + r"(?P<extra>.*)$",
    ),
    Rule(
        "smtp-connect-failed",
        "connect_failed",
        ("connect to ",),
        r"connect to " + peer("relay") + r": (?P<reason>.*)$",
        QID_NONE,
    ),
    Rule(
        "tls",
        "tls",
        _TLS_LEADS,
        r"(?P<text>.+)$",
        QID_NONE,
        frozenset(
            {
                "smtp",
                "smtpd",
                "lmtp",
                "tlsproxy",
                "tlsmgr",
                "postscreen",
                "posttls-finger",
            }
        ),
    ),
    Rule(
        "postscreen",
        "postscreen",
        _SCREEN_LEADS,
        r"(?P<text>.+)$",
        QID_NONE,
        frozenset({"postscreen"}),
    ),
    Rule(
        "dnsblog",
        "dnsbl",
        ("addr ",),
        r"addr (?P<client_ip>\S+) listed by domain (?P<domain>\S+) as (?P<result>\S+)"
        r"(?P<extra>.*)$",
        QID_NONE,
    ),
    Rule(
        "statistics",
        "statistics",
        ("statistics: ",),
        r"statistics: (?P<text>.*)$",
        QID_NONE,
    ),
    # Diagnostics.
    Rule("warning", "warning", ("warning: ",), r"warning: (?P<text>.*)$"),
    Rule("error", "error", ("error: ",), r"error: (?P<text>.*)$"),
    Rule("fatal", "fatal", ("fatal: ",), r"fatal: (?P<text>.*)$"),
    Rule("panic", "panic", ("panic: ",), r"panic: (?P<text>.*)$"),
    # Start, stop and administration.
    Rule(
        "master-start",
        "master_start",
        ("daemon started -- ",),
        r"daemon started -- version (?P<version>[^,]+)(?:, configuration (?P<config>.*))?$",
        QID_NONE,
    ),
    Rule(
        "master-reload",
        "master_reload",
        ("reload -- ",),
        r"reload -- version (?P<version>[^,]+)(?:, configuration (?P<config>.*))?$",
        QID_NONE,
    ),
    Rule(
        "master-stop",
        "master_stop",
        ("terminating on signal ", "master exit time "),
        r"(?P<text>.+)$",
        QID_NONE,
    ),
    Rule(
        "postfix-script",
        "postfix_script",
        (
            "starting the Postfix mail system",
            "stopping the Postfix mail system",
            "refreshing the Postfix mail system",
            "the Postfix mail system is ",
            "waiting for the Postfix mail system ",
            "Postfix mail system is ",
        ),
        r"(?P<text>.+)$",
        QID_NONE,
    ),
    Rule(
        "compatibility",
        "compat_notice",
        (
            "Postfix is running with backwards-compatible ",
            "Postfix is using backwards-compatible ",
            "See http://www.postfix.org/COMPAT",
            "See https://www.postfix.org/COMPAT",
            "To disable backwards compatibility ",
            "using backwards-compatible default setting ",
        ),
        r"(?P<text>.+)$",
        QID_NONE,
    ),
    Rule(
        "postsuper-summary",
        "postsuper_summary",
        (
            "Deleted: ",
            "Placed on hold: ",
            "Released from hold: ",
            "Requeued: ",
            "Expired: ",
        ),
        r"(?P<action>[A-Za-z ]+): (?P<count>\d+) messages?$",
        QID_NONE,
    ),
    Rule(
        "postlog", "postlog", ("",), r"(?P<text>.*)$", QID_NONE, frozenset({"postlog"})
    ),
)

RULE_NAMES = tuple(rule.name for rule in RULES)
KINDS = tuple(dict.fromkeys(rule.kind for rule in RULES)) + ("unknown",)
