"""Rules for postscreen, the zombie blocker in front of smtpd.

postscreen names the client as ``[address]:port``. Its rejects use the shared
access-decision rule of smtpd, with commas in the envelope.
"""

from __future__ import annotations

from analyzer.parse.rules.model import QID_NONE, Rule, endpoint

_POSTSCREEN = frozenset({"postscreen"})
_CLIENT = endpoint("client")

# Command-level test failures of postscreen_smtpd.c: "EVENT from [addr]:port
# after COMMAND", with the offending input after ": " for some of them.
_VIOLATIONS = (
    "COMMAND TIME LIMIT",
    "COMMAND COUNT LIMIT",
    "COMMAND LENGTH LIMIT",
    "COMMAND PIPELINING",
    "NON-SMTP COMMAND",
    "BARE NEWLINE",
)
_ACCESS = (
    "WHITELISTED",
    "BLACKLISTED",
    "ALLOWLISTED",
    "DENYLISTED",
    "WHITELIST VETO",
    "ALLOWLIST VETO",
)


def _rule(name: str, leads: tuple[str, ...], pattern: str, source: str) -> Rule:
    return Rule(
        name,
        "postscreen",
        leads,
        pattern,
        QID_NONE,
        _POSTSCREEN,
        "postscreen/" + source,
    )


RULES: tuple[Rule, ...] = (
    _rule(
        "postscreen-connect",
        ("CONNECT from ",),
        r"(?P<event_name>CONNECT) from "
        + _CLIENT
        + r"(?: to "
        + endpoint("server")
        + ")?$",
        "postscreen.c",
    ),
    _rule(
        "postscreen-disconnect",
        ("DISCONNECT ",),
        r"(?P<event_name>DISCONNECT) " + _CLIENT + r"$",
        "postscreen_misc.c",
    ),
    _rule(
        "postscreen-pass",
        ("PASS NEW ", "PASS OLD "),
        r"(?P<event_name>PASS (?:NEW|OLD)) " + _CLIENT + r"$",
        "postscreen_misc.c",
    ),
    _rule(
        "postscreen-access",
        tuple(f"{event} " for event in _ACCESS),
        r"(?P<event_name>" + "|".join(_ACCESS) + r") " + _CLIENT + r"$",
        "postscreen.c",
    ),
    _rule(
        "postscreen-dnsbl",
        ("DNSBL rank ",),
        r"(?P<event_name>DNSBL) rank (?P<rank>-?\d+) for " + _CLIENT + r"$",
        "postscreen_early.c",
    ),
    # The first postscreen versions logged the address without brackets or port.
    _rule(
        "postscreen-dnsbl-legacy",
        ("DNSBL rank ",),
        r"(?P<event_name>DNSBL) rank (?P<rank>-?\d+) for (?P<client_ip>[^\s\[\]]+)$",
        "postscreen_early.c",
    ),
    _rule(
        "postscreen-pregreet",
        ("PREGREET ",),
        r"(?P<event_name>PREGREET) (?P<bytes>\d+) after (?P<elapsed>[\d.]+) from "
        + _CLIENT
        + r": (?P<input>.*)$",
        "postscreen_early.c",
    ),
    _rule(
        "postscreen-hangup",
        ("HANGUP after ",),
        r"(?P<event_name>HANGUP) after (?P<elapsed>[\d.]+) from "
        + _CLIENT
        + r" in (?P<stage>.*)$",
        "postscreen_misc.c",
    ),
    _rule(
        "postscreen-violation",
        tuple(f"{event} from " for event in _VIOLATIONS),
        r"(?P<event_name>"
        + "|".join(_VIOLATIONS)
        + r") from "
        + _CLIENT
        + r" after (?P<stage>.*?)(?:: (?P<input>.*))?$",
        "postscreen_smtpd.c",
    ),
    _rule(
        "postscreen-no-recipient",
        ("DATA without valid RCPT from ", "BDAT without valid RCPT from "),
        r"(?P<event_name>(?:DATA|BDAT) without valid RCPT) from " + _CLIENT + r"$",
        "postscreen_smtpd.c",
    ),
)
