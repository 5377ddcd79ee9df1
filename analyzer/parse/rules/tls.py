"""Rules for TLS records of smtpd, the smtp and lmtp clients, tlsproxy and postscreen.

Servers name the peer after "from" and clients after "to". The rules use the
client_* and relay_* field names of the other smtpd and smtp rules.
"""

from __future__ import annotations

from analyzer.parse.rules.model import QID_ANY, QID_NONE, Rule, endpoint, peer

_TLS_DAEMONS = frozenset(
    {"smtp", "smtpd", "lmtp", "tlsproxy", "tlsmgr", "postscreen", "posttls-finger"}
)
_TLSPROXY = frozenset({"tlsproxy"})
_TRUST = ("Anonymous", "Untrusted", "Trusted", "Verified")

# tls_misc.c tls_log_summary: "TRUST TLS connection established|reused from|to
# PEER[ to SNI]: PROTOCOL with cipher CIPHER (USED/ALG bits)" and, for TLS 1.3
# and newer OpenSSL, key exchange, signature and digest details.
# A signature is followed by its curve, "(P-256)", or its key size, "(2048 bits)".
_SIGNATURE = (
    r"(?: {side}-signature (?P<{side}_signature>\S+)"
    r"(?: \((?:(?P<{side}_signature_bits>\d+) bits"
    r"|(?P<{side}_signature_curve>[^)]*))\))?)?"
    r"(?: {side}-digest (?P<{side}_digest>\S+))?"
)
_SUMMARY_TAIL = (
    r"(?: to (?P<sni>\S+))?: (?P<protocol>\S+) with cipher (?P<cipher>\S+)"
    r" \((?P<cipher_bits>\d+/\d+) bits\)"
    r"(?: key-exchange (?P<key_exchange>\S+)"
    r"(?: \((?P<key_exchange_curve>[^)]*)\))?)?"
    + _SIGNATURE.replace("{side}", "server")
    + _SIGNATURE.replace("{side}", "client")
    + r"$"
)
_SUMMARY_HEAD = (
    r"(?P<trust>" + "|".join(_TRUST) + r") TLS connection (?P<usage>established|reused)"
)
_SUMMARY_LEADS = tuple(
    f"{trust} TLS connection {usage} "
    for trust in _TRUST
    for usage in ("established", "reused")
)


def _tls(
    name: str,
    leads: tuple[str, ...],
    pattern: str,
    source: str = "",
    queue_id: str = QID_NONE,
) -> Rule:
    return Rule(name, "tls", leads, pattern, queue_id, _TLS_DAEMONS, source)


RULES: tuple[Rule, ...] = (
    _tls(
        "tls-established-from",
        _SUMMARY_LEADS,
        _SUMMARY_HEAD + r" from " + peer("client") + _SUMMARY_TAIL,
        "tls/tls_misc.c",
    ),
    _tls(
        "tls-established-to",
        _SUMMARY_LEADS,
        _SUMMARY_HEAD + r" to " + peer("relay") + _SUMMARY_TAIL,
        "tls/tls_misc.c",
    ),
    _tls(
        "tls-accept-error",
        ("SSL_accept error from ",),
        r"SSL_accept error from " + peer("client") + r": (?P<reason>.*)$",
    ),
    _tls(
        "tls-connect-error",
        ("SSL_connect error to ",),
        r"SSL_connect error to " + peer("relay") + r": (?P<reason>.*)$",
        "tls/tls_client.c",
    ),
    _tls(
        "tls-verify-failed",
        (
            "certificate verification failed for ",
            "server certificate verification failed for ",
        ),
        r"(?:server )?certificate verification failed for "
        + peer("relay")
        + r": (?P<reason>.*)$",
        queue_id=QID_ANY,
    ),
    _tls(
        "tls-handshake-failed",
        ("TLS handshake failed for service=",),
        r"TLS handshake failed for service=(?P<service>\S+) peer="
        + endpoint("client")
        + r"$",
    ),
    Rule(
        "tlsproxy-connect",
        "tls",
        ("CONNECT from ",),
        r"(?P<event_name>CONNECT) from " + endpoint("client") + r"$",
        QID_NONE,
        _TLSPROXY,
    ),
    Rule(
        "tlsproxy-disconnect",
        "tls",
        ("DISCONNECT ",),
        r"(?P<event_name>DISCONNECT) " + endpoint("client") + r"$",
        QID_NONE,
        _TLSPROXY,
    ),
    # Progress and debug records of smtp_tls_loglevel 2 and above, and the
    # other TLS records whose text carries no fields worth splitting.
    _tls(
        "tls-text",
        (
            "SSL_accept:",
            "SSL_connect:",
            "SSL3 alert ",
            "setting up TLS connection ",
            "Host offered STARTTLS",
            "TLS SNI ",
            "TLS handshake failed",
            "certificate verification failed",
            "server certificate verification failed",
        ),
        r"(?P<text>.+)$",
    ),
)
