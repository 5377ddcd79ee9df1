"""Parse Postfix configuration: main.cf, ``postconf -n`` output and master.cf.

Syntax as postconf(5) and master(5) give it: a logical line starts at a line that
does not begin with white space, and lines that begin with white space continue
it; "#" starts a comment only as the first non-space character of a line; in
main.cf a later setting of a name overrides an earlier one; values expand
``$name``, ``${name}``, ``$(name)`` and the conditional forms ``${name?value}``,
``${name:value}``, ``${name?{value}}`` and ``${name:{value}}``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# Defaults of Postfix 3.7 (``postconf -d``) for the parameters that the findings
# read. Hostname-dependent defaults are derived from myhostname.
DEFAULTS: dict[str, str] = {
    "mydomain": "",
    "myorigin": "$myhostname",
    "mydestination": "$myhostname, localhost.$mydomain, localhost",
    "relayhost": "",
    "inet_interfaces": "all",
    "inet_protocols": "all",
    "default_transport": "smtp",
    "relay_transport": "relay",
    "smtp_tls_security_level": "",
    "smtp_sasl_auth_enable": "no",
    "smtp_host_lookup": "dns",
    "disable_dns_lookups": "no",
    "content_filter": "",
    "maximal_queue_lifetime": "5d",
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
}

_NAME = re.compile(r"^([A-Za-z0-9_.-]+)\s*=\s*(.*?)\s*$", re.DOTALL)
_REFERENCE = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z0-9_.-]+)(?:(?P<op>[?:])(?P<arg>\{[^}]*\}|[^}]*))?\}"
    r"|\((?P<paren>[A-Za-z0-9_.-]+)\)"
    r"|(?P<bare>[A-Za-z0-9_]+))"
)


@dataclass
class Setting:
    """One ``name = value`` line of a main.cf-style file."""

    name: str
    value: str
    line_no: int
    text: str
    """The logical line as written, continuation lines joined by newlines."""


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


class _Expansion:
    """One expansion of ``$name`` references, with its own cycle and size guards.

    A name that refers back to itself, directly or through others, expands to
    nothing at the point of the cycle (Postfix reports such a loop as an error).
    Each name is expanded once per lookup, so ``$a$a`` chains cost linear time,
    and values stop growing at EXPANSION_LIMIT characters.
    """

    def __init__(self, config: MainConfig) -> None:
        self._config = config
        self._done: dict[str, str] = {}
        self._active: set[str] = set()

    def value(self, name: str) -> str:
        if name in self._done:
            return self._done[name]
        if name in self._active:
            return ""
        self._active.add(name)
        try:
            result = self.expand(self._config.value_or_default(name, self))
        finally:
            self._active.discard(name)
        self._done[name] = result
        return result

    def expand(self, text: str) -> str:
        if "$" not in text:
            return text[:EXPANSION_LIMIT]

        def replace(match: re.Match[str]) -> str:
            name = match.group("braced") or match.group("paren") or match.group("bare")
            current = self.value(name)
            op = match.group("op")
            if op is None:
                return current
            argument = match.group("arg") or ""
            if argument.startswith("{") and argument.endswith("}"):
                argument = argument[1:-1]
            # ${name?value} gives value when $name is not empty, ${name:value}
            # when it is empty; otherwise both give nothing.
            if bool(current) == (op == "?"):
                return self.expand(argument)
            return ""

        return _REFERENCE.sub(replace, text)[:EXPANSION_LIMIT]


def logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield (first line number, joined text) of each logical line."""
    start = 0
    parts: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
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


def parse_main_cf(text: str, source: str) -> MainConfig:
    """Parse main.cf or ``postconf -n`` output."""
    config = MainConfig(source=source)
    for line_no, logical in logical_lines(text):
        match = _NAME.match(logical.strip())
        if match is None:
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
        for entry in self.services:
            if entry.service == service and (type_ is None or entry.type == type_):
                return entry
        return None


_SERVICE_TYPES = {"inet", "unix", "unix-dgram", "fifo", "pass"}


def parse_master_cf(text: str, source: str) -> MasterConfig:
    """Parse master.cf into its services."""
    config = MasterConfig(source=source)
    for line_no, logical in logical_lines(text):
        words = logical.split()
        if len(words) < 8 or words[1] not in _SERVICE_TYPES:
            config.unparsed.append((line_no, logical))
            continue
        arguments = words[8:]
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
        name, _, value = word.partition("=")
        if name:
            options[name] = value
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
