"""Rules for per-message records: arrival, queue manager, delivery, notices, admin.

These lines start with the queue ID of the message they describe.
"""

from __future__ import annotations

from analyzer.parse.rules.model import (
    ENVELOPE,
    QID_REQUIRED,
    QUEUE_ID,
    Rule,
)

# A recipient as log_adhoc.c writes it, "<user@example.com>", or without angle
# brackets as some local delivery records show it.
_ADDRESS = r"(?:<[^>]*>|[^,<>\s]*)"

# "to=<>, orig_to=<>, relay=, conn_use=, delay=, delays=a/b/c/d, tls=, dsn=,
# status= (reason)". Only recent log_adhoc.c versions write the tls= summary of
# TLS features. A line cut by the syslog daemon may lack the closing parenthesis
# of the reason.
_DELIVERY = (
    rf"to=(?P<recipient>{_ADDRESS}),(?: orig_to=(?P<orig_recipient>{_ADDRESS}),)?"
    r" relay=(?P<relay>[^,]*),(?: conn_use=(?P<conn_use>\d+),)?"
    r" delay=(?P<delay>[\d.]+),"
    r"(?: delays=(?P<delays>[\d.]+/[\d.]+/[\d.]+/[\d.]+),)?"
    r"(?: tls=(?P<tls>[^,\s]*),)?"
    r"(?: dsn=(?P<dsn>\d\.\d{1,3}\.\d{1,3}),)?"
    r" status=(?P<status>[\w-]+)(?: \((?P<reply>.*?)\)?)?$"
)

# cleanup_message.c cleanup_act_log: "QID: action: class content from origin;
# envelope: text", where content is the matched header or body line (at most
# 200 bytes, so it may contain " from ") and origin is name[address], "local"
# or "unknown". The milter variant (cleanup_milter.c cleanup_milter_hbc_log)
# writes "milter-class-action" and at most 60 bytes of content.
_CONTENT_ACTION = (
    r"(?P<action>(?:milter-(?:header|body)-)?{actions}): "
    r"(?P<stage>header|body|content) (?P<content>.*) from "
    r"(?P<origin>(?P<client>[^\[\]\s;]*)\[(?P<client_ip>[^\]]*)\]"
    r"(?::(?P<client_port>\d+))?|[^\s;]*);" + ENVELOPE + r"(?:: (?P<text>.*))?$"
)


def _content_rule(name: str, kind: str, actions: tuple[str, ...]) -> Rule:
    leads = []
    for action in actions:
        leads += [f"{action}: {stage} " for stage in ("header", "body", "content")]
        leads += [f"milter-header-{action}: header ", f"milter-body-{action}: body "]
    return Rule(
        name,
        kind,
        tuple(leads),
        _CONTENT_ACTION.replace("{actions}", "|".join(actions)),
        QID_REQUIRED,
        source="cleanup/cleanup_message.c, cleanup/cleanup_milter.c",
    )


# The kinds of reject, hold and discard are shared with smtpd's access decisions,
# so pflogsumm-style totals count both.
CONTENT_RULES: tuple[Rule, ...] = (
    _content_rule("cleanup-reject", "reject", ("reject",)),
    _content_rule("cleanup-hold", "hold", ("hold",)),
    _content_rule("cleanup-discard", "discard", ("discard",)),
    _content_rule("cleanup-filter", "filter", ("filter",)),
    _content_rule("cleanup-redirect", "redirect", ("redirect",)),
    _content_rule("cleanup-bcc", "bcc", ("bcc",)),
    _content_rule(
        "header-check",
        "header_check",
        ("warning", "info", "prepend", "replace", "strip", "pass"),
    ),
)

RULES: tuple[Rule, ...] = (
    Rule(
        "delivery",
        "delivery",
        ("to=",),
        _DELIVERY,
        QID_REQUIRED,
        source="global/log_adhoc.c",
    ),
    Rule(
        "qmgr-from",
        "queued",
        ("from=<",),
        r"from=(?P<sender><[^>]*>), size=(?P<size>\d+), nrcpt=(?P<nrcpt>\d+)"
        r"(?: \((?P<note>[^)]*)\))?$",
        QID_REQUIRED,
        source="global/opened.c",
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
        "postsuper-removed",
        "deleted",
        ("removed",),
        r"removed$",
        QID_REQUIRED,
        frozenset({"postsuper"}),
    ),
    Rule("qmgr-removed", "removed", ("removed",), r"removed$", QID_REQUIRED),
    Rule(
        "postsuper-hold",
        "held",
        ("placed on hold",),
        r"placed on hold$",
        QID_REQUIRED,
        source="postsuper/postsuper.c",
    ),
    Rule(
        "postsuper-release",
        "released",
        ("released from hold",),
        r"released from hold$",
        QID_REQUIRED,
        source="postsuper/postsuper.c",
    ),
    Rule("postsuper-requeue", "requeued", ("requeued",), r"requeued$", QID_REQUIRED),
    Rule("postsuper-expire", "force_expired", ("expired",), r"expired$", QID_REQUIRED),
    Rule(
        "qmgr-skipped",
        "skipped",
        ("skipped, ",),
        r"skipped, (?P<note>.*)$",
        QID_REQUIRED,
        source="qmgr/qmgr_message.c",
    ),
    Rule(
        "pickup",
        "pickup",
        ("uid=",),
        r"uid=(?P<uid>\d+) from=(?P<sender><[^>]*>)(?: orig_id=(?P<orig_id>\S+))?$",
        QID_REQUIRED,
        source="pickup/pickup.c",
    ),
    Rule(
        "cleanup-message-id",
        "message_id",
        ("message-id=",),
        r"message-id=(?P<message_id>.*)$",
        QID_REQUIRED,
        source="cleanup/cleanup_message.c",
    ),
    Rule(
        "cleanup-resent-message-id",
        "message_id",
        ("resent-message-id=",),
        r"resent-message-id=(?P<message_id>.*)$",
        QID_REQUIRED,
        source="cleanup/cleanup_message.c",
    ),
    Rule(
        "bounce-notification",
        "notification",
        tuple(
            f"{recipient} {notice} notification: "
            for recipient in ("sender", "postmaster")
            for notice in ("non-delivery", "delay", "delivery status")
        ),
        r"(?P<notice>(?P<notified>sender|postmaster)"
        r" (?P<notice_type>non-delivery|delay|delivery status))"
        rf" notification: (?P<child_queue_id>{QUEUE_ID})$",
        QID_REQUIRED,
        source="bounce/bounce_notify_service.c",
    ),
)
