"""Parse Postfix configuration: main.cf, ``postconf -n`` output and master.cf.

Syntax as postconf(5) and master(5) give it. A logical line starts at a line that
does not begin with white space, and lines that begin with white space continue
it. "#" starts a comment only as the first non-space character of a line. In
main.cf a later setting of a name overrides an earlier one. Values expand
``$name``, ``${name}``, ``$(name)`` and the conditional forms ``${name?value}``,
``${name:value}``, ``${name?{value}}``, ``${name:{value}}`` and
``${name?{value1}:{value2}}``, with a relational expression such as
``{$a} == {b}`` in place of the name, and ``$$`` stands for one "$".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

# Defaults of Postfix 3.7 (``postconf -d``) for the parameters that the findings
# read. Hostname-dependent defaults are derived from myhostname.
DEFAULTS: dict[str, str] = {
    "mydomain": "",
    "myorigin": "$myhostname",
    "append_at_myorigin": "yes",
    "authorized_submit_users": "static:anyone",
    "mydestination": "$myhostname, localhost.$mydomain, localhost",
    "relayhost": "",
    "inet_interfaces": "all",
    "inet_protocols": "all",
    "default_transport": "smtp",
    "relay_transport": "relay",
    "smtp_tls_security_level": "",
    "smtp_helo_name": "$myhostname",
    "smtp_sasl_auth_enable": "no",
    "smtp_sasl_security_options": "noplaintext, noanonymous",
    "smtp_sasl_mechanism_filter": "",
    "smtp_host_lookup": "dns",
    "disable_dns_lookups": "no",
    "content_filter": "",
    "header_checks": "",
    "body_checks": "",
    "maximal_queue_lifetime": "5d",
    "soft_bounce": "no",
    "strict_mailbox_ownership": "yes",
    "bounce_queue_lifetime": "5d",
    "message_size_limit": "10240000",
    "queue_minfree": "0",
    "smtp_connect_timeout": "30s",
    "minimal_backoff_time": "300s",
    "maximal_backoff_time": "4000s",
    "queue_run_delay": "300s",
    "smtp_address_preference": "any",
    "compatibility_level": "0",
    "syslog_name": "postfix",
    "enable_long_queue_ids": "no",
    "transport_maps": "",
    "sender_canonical_maps": "",
    "smtp_generic_maps": "",
    "virtual_alias_expansion_limit": "1000",
}

# A "#" at the start of the value or after white space: a comment meant to end
# the line. A "#" inside a word, as in a regexp table name, is not one.
_INLINE_COMMENT = re.compile(r"(?:^|\s)(#)")
_NAME = re.compile(r"^([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$", re.DOTALL)
# Names inside references: Postfix allows only these characters there.
_REFERENCE_NAME = re.compile(r"[A-Za-z0-9_]*")
# The brackets of ${name} and $(name), by opening bracket.
_BRACKETS = {"{": re.compile(r"[{}]"), "(": re.compile(r"[()]")}


@dataclass
class Setting:
    """One ``name = value`` line of a main.cf-style file."""

    name: str
    value: str
    line_no: int
    text: str
    """The logical line as written, continuation lines joined by newlines."""

    @property
    def comment(self) -> str:
        """Return the text from a "#" that starts a word of the value, or "".

        Postfix has no comments after a value, so such text is part of it.
        """
        match = _INLINE_COMMENT.search(self.value)
        return self.value[match.start(1) :] if match else ""


@dataclass
class MainConfig:
    """Settings of one main.cf (or ``postconf -n`` output), last one winning."""

    source: str
    settings: dict[str, Setting] = field(default_factory=dict)
    overridden: list[Setting] = field(default_factory=list)
    """Settings that a later line of the same name replaced."""
    unparsed: list[tuple[int, str]] = field(default_factory=list)
    defaults: dict[str, str] = field(default_factory=dict)
    """Extra defaults, such as myhostname taken from the bundle."""
    modified: datetime | None = None
    """Modification time of the file, when the bundle keeps it."""

    def raw(self, name: str) -> str | None:
        """Return the value as written, or None when the file does not set it."""
        setting = self.settings.get(name)
        return setting.value if setting else None

    def get(self, name: str) -> str:
        """Return the value with ``$name`` references expanded, or the default."""
        return _Expansion(self).value(name)

    def is_set(self, name: str) -> bool:
        return name in self.settings

    def value_or_default(self, name: str, expansion: _Expansion) -> str:
        """The unexpanded value of ``name``: as set, else its default."""
        if name in self.settings:
            return self.settings[name].value
        if name in self.defaults:
            return self.defaults[name]
        if name == "mydomain" and "myhostname" in self.settings | self.defaults:
            # Postfix derives mydomain from myhostname. A myhostname that itself
            # names $mydomain leaves nothing to derive it from.
            host = expansion.value("myhostname")
            domain = host.split(".", 1)[1] if "." in host else ""
            return domain or "localdomain"
        return DEFAULTS.get(name, "")


EXPANSION_LIMIT = 64 * 1024
"""Longest expanded value kept; main.cf values are at most a few kilobytes."""

NESTING_LIMIT = 100
"""Deepest nesting of references expanded, the limit Postfix's mac_expand sets."""


class _Expansion:
    """One expansion of ``$name`` references, with its own cycle and size guards.

    A name that refers back to itself, directly or through others, expands to
    nothing at the point of the cycle (Postfix reports such a loop as an error).
    Each name is expanded once per lookup, so ``$a$a`` chains cost linear time.
    Values are read and kept up to EXPANSION_LIMIT characters, and references
    nested deeper than NESTING_LIMIT expand to nothing.
    """

    def __init__(self, config: MainConfig) -> None:
        self._config = config
        self._done: dict[str, str] = {}
        self._active: set[str] = set()
        self._depth = 0

    def value(self, name: str) -> str:
        if name in self._done:
            return self._done[name]
        if name in self._active:
            return ""
        self._active.add(name)
        try:
            written = self._config.value_or_default(name, self)
            result = self.expand(written[:EXPANSION_LIMIT])
        finally:
            self._active.discard(name)
        self._done[name] = result
        return result

    def expand(self, text: str) -> str:
        if "$" not in text:
            return text[:EXPANSION_LIMIT]
        if self._depth >= NESTING_LIMIT:
            return ""
        self._depth += 1
        try:
            return self._expand_references(text)
        finally:
            self._depth -= 1

    def _expand_references(self, text: str) -> str:
        parts: list[str] = []
        size = 0
        index = 0
        while size < EXPANSION_LIMIT and (dollar := text.find("$", index)) >= 0:
            replacement, end = self._reference(text, dollar)
            parts += [text[index:dollar], replacement]
            size += dollar - index + len(replacement)
            index = end
        parts.append(text[index:])
        return "".join(parts)[:EXPANSION_LIMIT]

    def _reference(self, text: str, dollar: int) -> tuple[str, int]:
        """Expand the reference at ``text[dollar]``; return it and where it ends."""
        start = dollar + 1
        following = text[start : start + 1]
        if following == "$":
            return "$", start + 1
        if following in _BRACKETS:
            end = _closing_bracket(text, start)
            if end < 0:
                # Postfix stops at a truncated reference, so the rest stays as written.
                return text[dollar:], len(text)
            expanded = self._expression(text[start + 1 : end])
            return (text[dollar : end + 1] if expanded is None else expanded), end + 1
        name = _reference_name(text, start)
        if not name:
            return "$", start
        return self.value(name), start + len(name)

    def _expression(self, expression: str) -> str | None:
        """Expand the inside of ``${...}``, or return None for invalid syntax.

        ``${name?value}`` gives value when $name is not empty, ``${name:value}``
        when it is empty, and ``${name?{value1}:{value2}}`` one or the other.
        In place of the name, Postfix 3.0 and later take a relational expression
        such as ``{$a} == {b}``, whose value is "true" or empty.
        """
        stripped = expression.lstrip()
        if stripped.startswith("{"):
            relation = self._relation(stripped)
            if relation is None:
                return None
            current, rest = relation
        else:
            name = _reference_name(stripped, 0)
            rest = stripped[len(name) :].lstrip()
            if not name or rest[:1] not in ("", "?", ":"):
                return None
            current = self.value(name)
        if not rest:
            return current
        branches = _branches(rest)
        if branches is None:
            return None
        if_set, if_empty = branches
        return self.expand(if_set if current else if_empty)

    def _relation(self, text: str) -> tuple[str, str] | None:
        """Evaluate the relational expression at the start of ``text`` as Postfix's
        mac_expand does: return "true" or "" and the text after it, or None.

        Both operands are expanded. They compare as numbers when both are all
        digits, and otherwise as strings.
        """
        left, after = _operand(text)
        operator = _OPERATOR.match(after)
        if operator is None or operator.group() not in _RELATIONS:
            return None
        right_text = after[operator.end() :].lstrip()
        if not right_text.startswith("{"):
            return None
        right, rest = _operand(right_text)
        if rest[:1] not in ("", "?", ":"):
            return None
        first, second = self.expand(left), self.expand(right)
        if (
            first.isdigit()
            and second.isdigit()
            and first.isascii()
            and second.isascii()
        ):
            order = (int(first) > int(second)) - (int(first) < int(second))
        else:
            order = (first > second) - (first < second)
        return ("true" if _RELATIONS[operator.group()](order) else ""), rest


_OPERATOR = re.compile(r"[<>!=?+\-*/~&|%]+")
"""The characters that mac_expand reads as one relational operator."""

_RELATIONS: dict[str, Callable[[int], bool]] = {
    "==": lambda order: order == 0,
    "!=": lambda order: order != 0,
    "<": lambda order: order < 0,
    "<=": lambda order: order <= 0,
    ">=": lambda order: order >= 0,
    ">": lambda order: order > 0,
}
"""Postfix's relational operators, applied to the sign of a comparison."""


def _reference_name(text: str, start: int) -> str:
    match = _REFERENCE_NAME.match(text, start)
    return match.group() if match else ""


def _closing_bracket(text: str, start: int) -> int:
    """Return the index of the bracket that closes ``text[start]``, or -1.

    Only brackets of the same kind nest, as in Postfix's mac_parse.
    """
    opening = text[start]
    level = 0
    for bracket in _BRACKETS[opening].finditer(text, start):
        level += 1 if bracket.group() == opening else -1
        if level == 0:
            return bracket.start()
    return -1


def _branches(rest: str) -> tuple[str, str] | None:
    """Split ``?text``, ``:text`` or ``?{text1}:{text2}`` into the texts for a set
    and an empty name. Return None when other text follows the last brace."""
    first, after = _operand(rest[1:])
    if rest[0] == ":":
        return ("", first) if not after else None
    if not after:
        return first, ""
    if after[0] != ":":
        return None
    second, tail = _operand(after[1:])
    return (first, second) if not tail else None


def _operand(text: str) -> tuple[str, str]:
    """Split a ``{text}`` operand from the text after it; plain text is all operand.

    White space around the braces does not count, as in Postfix 3.0 and later.
    """
    stripped = text.lstrip()
    if not stripped.startswith("{"):
        return text, ""
    end = _closing_bracket(stripped, 0)
    if end < 0:
        return text, ""
    return stripped[1:end], stripped[end + 1 :].lstrip()


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, joined text) of each logical line.

    Lines end at "\n" alone, as in Postfix, because ``str.splitlines`` would
    also end them at form feeds and Unicode separators and shift line numbers.
    Only the first logical line of a file can start with white space, and
    Postfix ignores such a line.
    """
    start = 0
    parts: list[str] = []
    for number, full_line in enumerate(text.split("\n"), start=1):
        line = full_line.removesuffix("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0].isspace() and parts:
            parts.append(line)
            continue
        if parts:
            yield start, "\n".join(parts)
        start, parts = number, [line]
    if parts:
        yield start, "\n".join(parts)


BYTE_ORDER_MARK = "\ufeff"
"""Editors on Windows may start a file with it; Postfix files never need it."""


def parse_main_cf(text: str, source: str) -> MainConfig:
    """Parse main.cf or ``postconf -n`` output."""
    config = MainConfig(source=source)
    for line_no, logical in logical_lines(text.removeprefix(BYTE_ORDER_MARK)):
        match = _NAME.match(logical.strip())
        if match is None or logical[0].isspace():
            config.unparsed.append((line_no, logical))
            continue
        name = match.group(1)
        value = " ".join(match.group(2).split())
        setting = Setting(name, value, line_no, logical)
        if name in config.settings:
            config.overridden.append(config.settings[name])
        config.settings[name] = setting
    return config


@dataclass
class MasterService:
    """One service of master.cf."""

    service: str
    type: str
    private: str
    unprivileged: str
    chroot: str
    wakeup: str
    max_processes: str
    command: str
    arguments: list[str]
    options: dict[str, str]
    """``-o name=value`` overrides of main.cf for this service."""
    line_no: int
    text: str


@dataclass
class MasterConfig:
    source: str
    services: list[MasterService] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)

    def find(self, service: str, type_: str | None = None) -> MasterService | None:
        """Return the service's last entry, the one Postfix uses, or None."""
        for entry in reversed(self.services):
            if entry.service == service and (type_ is None or entry.type == type_):
                return entry
        return None


_SERVICE_TYPES = {"inet", "unix", "unix-dgram", "fifo", "pass"}
# A command argument: white space separates arguments except inside "{ }", which
# Postfix 3.0 and later use for values with white space, as in -o { name = value }.
_ARGUMENT = re.compile(r"(?:[^\s{}]|\{(?:[^{}]|\{[^{}]*\})*\})+|\S")


def parse_master_cf(text: str, source: str) -> MasterConfig:
    """Parse master.cf into its services."""
    config = MasterConfig(source=source)
    for line_no, logical in logical_lines(text.removeprefix(BYTE_ORDER_MARK)):
        words = logical.split(maxsplit=8)
        if len(words) < 8 or words[1] not in _SERVICE_TYPES or logical[0].isspace():
            config.unparsed.append((line_no, logical))
            continue
        arguments = _ARGUMENT.findall(words[8]) if len(words) > 8 else []
        config.services.append(
            MasterService(
                service=words[0],
                type=words[1],
                private=words[2],
                unprivileged=words[3],
                chroot=words[4],
                wakeup=words[5],
                max_processes=words[6],
                command=words[7],
                arguments=arguments,
                options=_service_options(arguments),
                line_no=line_no,
                text=logical,
            )
        )
    return config


def _service_options(arguments: list[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    words = iter(arguments)
    for word in words:
        if word == "-o":
            word = next(words, "")
        elif word.startswith("-o"):
            word = word[2:]
        else:
            continue
        if word.startswith("{") and word.endswith("}"):
            word = word[1:-1]
        name, _, value = word.partition("=")
        if name.strip():
            options[name.strip()] = value.strip()
    return options


def looks_like_main_cf(text: str) -> bool:
    """Guess whether ``text`` is main.cf or ``postconf`` output."""
    names = [
        m.group(1)
        for _, line in logical_lines(text)
        if (m := _NAME.match(line.strip()))
    ]
    known = sum(1 for n in names if n in DEFAULTS or n.startswith(_PARAMETER_PREFIXES))
    return known >= 2 and known >= len(names) // 3


def looks_like_master_cf(text: str) -> bool:
    """Guess whether ``text`` is master.cf."""
    rows = [line.split() for _, line in logical_lines(text)]
    services = sum(1 for r in rows if len(r) >= 8 and r[1] in _SERVICE_TYPES)
    return services >= 3 and services >= len(rows) // 2


_PARAMETER_PREFIXES = (
    "smtp_", "smtpd_", "my", "queue_", "mail_", "alias_", "virtual_", "local_",
    "relay", "inet_", "compatibility_", "command_", "biff", "append_",
    "readme_", "html_", "sendmail_", "newaliases_", "mailq_", "setgid_",
    "manpage_", "sample_", "meta_", "shlib_", "daemon_", "data_", "tls_",
    "lmtp_", "milter_", "non_smtpd_", "postscreen_", "unknown_", "recipient_",
)  # fmt: skip
