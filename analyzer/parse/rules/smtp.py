"""Rules for the SMTP and LMTP clients: connections and server replies.

When a delivery attempt fails but another server may still be tried, the client
logs the reason alone after the queue ID (smtp_trouble.c: ``QID: reason``). The
final outcome is the delivery record. Lines without a queue ID, such as
``connect to`` failures, belong to the next message the same process logs.
"""

from __future__ import annotations

from analyzer.parse.rules.model import REPLY, Rule, peer

_CLIENTS = frozenset({"smtp", "lmtp"})
_SMTP_TROUBLE_C = "smtp/smtp_trouble.c"
_SMTP_PROTO_C = "smtp/smtp_proto.c"

RULES: tuple[Rule, ...] = (
    # Older Postfix versions put the port after the reason: "... (port 25)".
    Rule(
        "smtp-connect-failed-legacy",
        "connect_failed",
        ("connect to ",),
        r"connect to (?P<relay>[^\[\]\s]*)\[(?P<relay_ip>[^\]]*)\]:"
        r" (?P<reason>.*) \(port (?P<relay_port>\d+)\)$",
        daemons=_CLIENTS,
        requires=" (port ",
    ),
    Rule(
        "smtp-connect-failed",
        "connect_failed",
        ("connect to ",),
        r"connect to " + peer("relay") + r": (?P<reason>.*)$",
        daemons=_CLIENTS,
        source="smtp/smtp_connect.c",
    ),
    Rule(
        "smtp-reply",
        "smtp_session",
        ("host ", "Protocol error: host "),
        r"(?:Protocol error: )?host "
        + peer("relay")
        + r" said: "
        + REPLY
        + r"(?: \(in reply to (?P<stage>.+) command\))?$",
        daemons=_CLIENTS,
        source=_SMTP_PROTO_C,
    ),
    Rule(
        "smtp-refused",
        "smtp_session",
        ("host ",),
        r"host " + peer("relay") + r" refused to talk to me: " + REPLY + r"$",
        daemons=_CLIENTS,
        source=_SMTP_PROTO_C,
    ),
    Rule(
        "smtp-lost-connection",
        "smtp_session",
        ("lost connection with ",),
        r"(?P<condition>lost connection) with "
        + peer("relay")
        + r" while (?P<stage>.*)$",
        daemons=_CLIENTS,
        source=_SMTP_TROUBLE_C,
    ),
    Rule(
        "smtp-timeout",
        "smtp_session",
        ("conversation with ",),
        r"conversation with "
        + peer("relay")
        + r" (?P<condition>timed out) while (?P<stage>.*)$",
        daemons=_CLIENTS,
        source=_SMTP_TROUBLE_C,
    ),
    Rule(
        "smtp-data-error",
        "smtp_session",
        ("local data error while talking to ",),
        r"(?P<condition>local data error) while talking to " + peer("relay") + r"$",
        daemons=_CLIENTS,
        source=_SMTP_TROUBLE_C,
    ),
    # The current form with the list of workarounds, then an older one.
    Rule(
        "smtp-pix-workaround",
        "smtp_session",
        ("enabling PIX ",),
        r"enabling PIX (?:workarounds: (?P<workarounds>.*)"
        r"|<CRLF>\.<CRLF> workaround) for " + peer("relay") + r"$",
        daemons=_CLIENTS,
        source=_SMTP_PROTO_C,
    ),
    Rule(
        "smtp-tls-not-offered",
        "smtp_session",
        ("TLS is required, but was not offered by host ",),
        r"TLS is required, but was not offered by host " + peer("relay") + r"$",
        daemons=_CLIENTS,
        source=_SMTP_PROTO_C,
    ),
    Rule(
        "smtp-sasl-failed",
        "smtp_session",
        ("SASL authentication failed; server ",),
        r"SASL authentication failed; server "
        + peer("relay")
        + r" said: "
        + REPLY
        + r"$",
        daemons=_CLIENTS,
        source="smtp/smtp_sasl_glue.c",
    ),
    Rule(
        "smtp-dns-error",
        "smtp_session",
        ("Host or domain name not found. ",),
        r"Host or domain name not found\. Name service error for "
        r"name=(?P<lookup_name>\S+) type=(?P<lookup_type>\S+): (?P<reason>.*)$",
        daemons=_CLIENTS,
    ),
    # Other reasons of smtp_trouble.c that carry no fields worth splitting.
    Rule(
        "smtp-session-text",
        "smtp_session",
        (
            "Cannot start TLS",
            "TLS is required, but ",
            "SASL authentication failed; ",
            "Server certificate not ",
            "mail for ",
            "delivery temporarily suspended: ",
        ),
        r"(?P<text>.+)$",
        daemons=_CLIENTS,
    ),
)
