"""Turn the lines of a unit into templates: literal text plus slots for fresh values.

Every queue ID, address, host name, IP address, Message-ID, size and delay of a
real line becomes a slot, so a replay writes fresh values and no real address
or host name reaches a generated log. A template whose literal text still
contains an IPv4 address outside loopback or an ``@`` is dropped
(see ``leaks``), because the tokenizer did not understand that line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loggen.grouping import QUEUE_ID, Unit, daemon_of
from loggen.sources import SourceFile

# A slot is a (kind, original value) pair; literal text is a plain str.
Slot = tuple[str, str]
Part = str | Slot

_HOST_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
HOST_NAME = rf"{_HOST_LABEL}(?:\.{_HOST_LABEL})*\.[A-Za-z]{{2,24}}"
HOST_NAME_ONLY = re.compile(rf"{HOST_NAME}\.?")
IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
# A domain or an address literal such as [192.0.2.1] or [IPv6:2001:db8::1].
ADDRESS_DOMAIN = r"[A-Za-z0-9_\[](?:[A-Za-z0-9_.:\]-]*[A-Za-z0-9_\]])?"

NOT_IN_PATH = r"(?<![\w.-])(?:(?<=//)|(?<!/))"

# Alternatives are tried left to right at each position, so the specific
# field forms come before the generic address, IP and host name forms.
TOKEN = re.compile(
    "|".join(
        [
            r"(?<=message-id=)(?P<msgid><[^>]*>|[^\s,]+)",
            r"(?<=delays=)(?P<delays>[\d.]+/[\d.]+/[\d.]+/[\d.]+)",
            r"(?<=delay=)(?P<delay>[\d.]+)",
            r"(?<=size=)(?P<size>\d+)",
            r"(?:(?<=queued as )|(?<=forwarded as )|(?<=notification: ))(?P<linked>\w+)",
            r"(?<=sasl_username=)(?P<user>[^\s,]+)",
            r"(?<=helo=<)(?P<helo>[^>]*)(?=>)",
            r"(?<=: header )(?P<header>[\w-]+: .*?)(?= from \S+\[|; from=<|$)",
            r"(?<=: body )(?P<body>.*?)(?= from \S+\[|; from=<|$)",
            # After "<" a local part may contain "=" (SRS, BATV); elsewhere "="
            # ends a field name, as in "sasl_username=user@example.com".
            rf"(?<=<)(?P<addr>[\w.+=/!%#&'*$~^{{}}|?-]+@{ADDRESS_DOMAIN})",
            rf"(?P<address>[\w.+/!%#&'*$~^{{}}|?-]+@{ADDRESS_DOMAIN})",
            r"(?<=<)(?P<local>[^@<>\s]+)(?=>)",
            r"(?<=\[)(?:IPv6:)?(?P<ip6>(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f.]*)(?=\])",
            rf"(?<![\w.])(?P<ip4>{IPV4})(?![\w.])",
            # A host name after one "/" is a file path such as /etc/postfix/main.cf,
            # after "//" it is the host of a URL.
            rf"{NOT_IN_PATH}(?P<host>{HOST_NAME})(?![\w-])",
            r"(?<=[\s=])(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)(?=\[[0-9A-Fa-f:.]+\])",
        ]
    )
)

# Host-like tokens that are file names or software names, never hosts.
# File name suffixes in Postfix lines (main.cf, aliases.db), never host names.
NOT_HOSTS = {
    "db",
    "lmdb",
    "cdb",
    "pid",
    "conf",
    "log",
    "txt",
    "html",
    "htm",
    "php",
    "gz",
    "pem",
    "crt",
    "lock",
    "sock",
    "cgi",
    "jsp",
    "asp",
    "exe",
    "rar",
    "doc",
    "cf",
}
KEPT_NAMES = {"unknown", "localhost", "none", "local", "private", "public"}
KEPT_LOCAL_PARTS = {
    "root",
    "postmaster",
    "MAILER-DAEMON",
    "mailer-daemon",
    "double-bounce",
    "nobody",
    "abuse",
    "www-data",
    "apache",
    "daemon",
    "cron",
    "logcheck",
    "nagios",
    "zabbix",
}
LOOPBACK_IPV4 = re.compile(r"^(?:127\.\d+\.\d+\.\d+|0\.0\.0\.0)$")
LEAKED_IPV4 = re.compile(rf"(?<![\w.]){IPV4}(?![\w.])")
LEAKED_HOST = re.compile(rf"{NOT_IN_PATH}({HOST_NAME})(?![\w-])")

# Daemons that run for the whole life of a Postfix instance, so one pid per host.
PERSISTENT_DAEMONS = {
    "master",
    "qmgr",
    "pickup",
    "anvil",
    "tlsmgr",
    "scache",
    "postscreen",
    "verify",
    "proxymap",
    "postlogd",
    "nqmgr",
}


@dataclass(slots=True)
class TemplateLine:
    """One line of a template, timed from the start of its unit."""

    offset: float
    program: str
    pid: str | None
    parts: tuple[Part, ...]
    queue_id: str | None
    role: str
    """``intake``, ``active``, ``delivery``, ``expired``, ``notice``, ``removed``,
    ``prefix`` (delivery agent line before its ``QID: to=``) or ``other``."""
    status: str = ""
    recipient: str = ""


@dataclass
class Template:
    """A unit ready to be replayed any number of times with fresh values."""

    source: str
    lines: list[TemplateLine]
    queue_ids: list[str] = field(default_factory=list)
    complete: bool = True

    @property
    def duration(self) -> float:
        return self.lines[-1].offset if self.lines else 0.0

    @property
    def is_message(self) -> bool:
        return bool(self.queue_ids)


def classify(daemon: str, rest: str, has_queue_id: bool) -> str:
    """Return the lifecycle role of a line (see ``TemplateLine.role``)."""
    if not has_queue_id:
        return (
            "prefix"
            if daemon in {"smtp", "lmtp", "local", "virtual", "pipe", "error"}
            else "other"
        )
    if rest == "removed":
        return "removed"
    if daemon == "qmgr" and "status=expired" in rest:
        return "expired"
    if daemon == "qmgr" and rest.startswith("from=<"):
        return "active"
    if rest.startswith("to=<") and "status=" in rest:
        return "delivery"
    if daemon == "bounce" and "notification: " in rest:
        return "notice"
    if rest.startswith(("uid=", "client=", "message-id=")):
        return "intake"
    return "other"


def tokenize(text: str, queue_ids: set[str]) -> tuple[Part, ...]:
    """Split a line's text into literal strings and slots."""
    parts: list[Part] = []
    position = 0
    match = QUEUE_ID.match(text)
    if match and match.group(1) in queue_ids:
        parts.append(text[: match.start(1)])
        parts.append(("qid", match.group(1)))
        position = match.end(1)
    for token in TOKEN.finditer(text, position):
        slot = _slot(token, queue_ids)
        if slot is None:
            continue
        parts.append(text[position : token.start(token.lastgroup or 0)])
        parts.append(slot)
        position = token.end(token.lastgroup or 0)
    parts.append(text[position:])
    return tuple(part for part in parts if part != "")


def _slot(token: re.Match[str], queue_ids: set[str]) -> Slot | None:
    kind = token.lastgroup or ""
    value = token.group(kind)
    if kind == "linked":
        return ("qid", value) if value in queue_ids else ("rqid", value)
    if kind == "helo":
        if HOST_NAME_ONLY.fullmatch(value):
            return ("host", value)
        return ("ip4", value) if re.fullmatch(IPV4, value) else ("token", value)
    if kind == "address":
        kind = "addr"
    if kind == "local" and value in KEPT_LOCAL_PARTS:
        return None
    if kind == "ip4" and LOOPBACK_IPV4.match(value):
        return None
    if kind == "host" and value.rsplit(".", 1)[-1].lower() in NOT_HOSTS:
        return None
    if kind == "name" and value in KEPT_NAMES:
        return None
    return (kind, value)


def leaks(parts: tuple[Part, ...]) -> bool:
    """Tell whether literal text still contains an address, a host name or a non-loopback IPv4."""
    for part in parts:
        if not isinstance(part, str):
            continue
        if "@" in part:
            return True
        for found in LEAKED_IPV4.findall(part):
            if not LOOPBACK_IPV4.match(found):
                return True
        for found in LEAKED_HOST.findall(part):
            if found.rsplit(".", 1)[-1].lower() not in NOT_HOSTS:
                return True
    return False


def build_template(source: SourceFile, unit: Unit) -> Template | None:
    """Make the template of one unit, or None when a line cannot be made safe."""
    records = [source.records[index] for index in unit.indices]
    queue_ids = {
        match.group(1)
        for record in records
        if (match := QUEUE_ID.match(record.text)) is not None
    }
    start = records[0].time
    lines = []
    previous = 0.0
    for record in records:
        parts = tokenize(record.text, queue_ids)
        if leaks(parts):
            return None
        match = QUEUE_ID.match(record.text)
        rest = record.text[match.end() :] if match else record.text
        daemon = daemon_of(record.program)
        # Keep file order when several lines share one second.
        offset = max(record.time - start, previous + 0.001)
        previous = offset
        lines.append(
            TemplateLine(
                offset=offset,
                program=record.program,
                pid=record.pid,
                parts=parts,
                queue_id=match.group(1) if match else None,
                role=classify(daemon, rest, match is not None),
                status=_status(rest),
                recipient=_recipient(rest),
            )
        )
    return Template(source.name, lines, sorted(queue_ids), unit.complete)


def _status(rest: str) -> str:
    match = re.search(r"status=(\w+)", rest)
    return match.group(1) if match else ""


def _recipient(rest: str) -> str:
    match = re.match(r"to=<([^>]*)>", rest)
    return match.group(1) if match else ""
