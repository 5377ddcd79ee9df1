"""Replace e-mail addresses, host names and IP addresses with pseudonyms.

A report shared outside support must not show a customer's addresses or
network. ``Redactor`` rewrites text so that each value always gets the same
pseudonym within one run: ``soc@corp.example`` becomes ``user1@host1.example``
wherever it appears, and ``corp.example`` alone becomes ``host1.example`` too.
Pseudonyms are numbered in order of first appearance, so two runs of the same
command on the same bundle agree, and they cannot be mapped back without the
bundle. The outputs of one ``report`` run share one numbering; ``export`` and
``summary`` number on their own.

Kept as they are: loopback addresses and ``localhost``, the system senders
(root, postmaster, MAILER-DAEMON, double-bounce), file names such as
``main.cf`` and ``maillog.1.gz``, and the example names of mailbundle's own
remedy texts.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import pandas as pd

_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_DOTTED = rf"{_LABEL}(?:\.{_LABEL})+"
_IPV6 = (
    r"(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::"
    r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?:\.\d{1,3}){0,3}"
)
# Alternatives are tried in this order: an address before the host name in it,
# and an IPv4 address before the host-name rule could see its digits.
_PATTERN = re.compile(
    rf"(?P<local>[A-Za-z0-9!#$%&*+?^_{{|}}~.-]+)@(?P<domain>{_LABEL}(?:\.{_LABEL})*)"
    rf"|(?<![\w.:])(?P<ipv4>(?:\d{{1,3}}\.){{3}}\d{{1,3}})(?![\w.])"
    rf"|(?:(?<=IPv6:)|(?<![\w:.]))(?P<ipv6>{_IPV6})(?![\w:])"
    rf"|(?<![\w.-])(?P<name>{_DOTTED})(?![\w-])"
)

FILE_SUFFIXES = frozenset([
    "cf", "log", "gz", "bz2", "xz", "zip", "7z", "tar", "tgz", "txt", "json", "out",
    "err", "html", "pdf", "py", "conf", "db", "lmdb", "pem", "crt", "cer", "key",
    "sh", "pl", "so", "service", "socket", "pid", "lock", "cdb", "eml", "csv",
    "parquet", "md", "yml", "yaml", "xml", "js", "css", "png", "svg", "ini", "dat",
])  # fmt: skip
"""Last labels that make a dotted name a file name rather than a host name."""

SYSTEM_LOCAL_PARTS = frozenset(
    ["root", "postmaster", "mailer-daemon", "double-bounce", "nobody", "abuse"]
)
"""Local parts of system senders, which name no person."""

KEPT_NAMES = frozenset(["localhost", "localhost.localdomain", "unknown", "bundle"])

COMMON_WORDS = frozenset([
    "mail", "smtp", "mx", "relay", "server", "host", "gateway", "postfix", "console",
    "appliance", "qradar", "localhost", "unknown", "bundle", "none",
])  # fmt: skip
"""Bare host names left alone, because replacing them would rewrite ordinary text."""


@cache
def _own_names() -> frozenset[str]:
    """Dotted names in mailbundle's own finding texts, such as mail.example.com."""
    from analyzer.analysis.findings.catalog import CATALOG
    from analyzer.report import i18n

    texts: list[str] = []
    for entry in CATALOG.values():
        texts += [entry.title, entry.summary, entry.remedy, *entry.variants.values()]
    for title, summary, remedy in i18n.all_finding_texts():
        texts += [title, summary, remedy]
    names = set()
    for text in texts:
        for match in _PATTERN.finditer(text):
            if match["name"]:
                names.add(match["name"].lower())
            if match["domain"]:
                names.add(match["domain"].lower())
    return frozenset(names)


class Redactor:
    """Replace addresses, host names and IPs with consistent pseudonyms."""

    def __init__(self, bare_names: Iterable[str] = ()) -> None:
        self.names: dict[str, str] = {}
        self.locals: dict[str, str] = {}
        self.ips: dict[str, str] = {}
        self.kept_names = _own_names() | KEPT_NAMES
        bare = sorted(
            {
                str(name)
                for name in bare_names
                if isinstance(name, str)
                and re.fullmatch(_LABEL, name)
                and name.lower() not in COMMON_WORDS
            },
            key=len,
            reverse=True,
        )
        # Syslog host names without dots (qradar-ep1) that the dotted-name
        # rule cannot see; the longest first, so no name eats a longer one.
        self.bare = (
            re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, bare)) + r")(?![\w-])")
            if bare
            else None
        )

    def text(self, value: str) -> str:
        """Return ``value`` with every address, host name and IP replaced."""
        value = _PATTERN.sub(self._replace, value)
        if self.bare is not None:
            value = self.bare.sub(lambda m: self._name(m[1]), value)
        return value

    def value(self, value: Any) -> Any:
        """Redact every string inside ``value`` (lists, tuples, dicts, dataclasses)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self.value(v) for v in value)
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            changes = {
                f.name: self.value(getattr(value, f.name))
                for f in dataclasses.fields(value)
            }
            return dataclasses.replace(value, **changes)
        return value

    def frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return a copy of ``frame`` with its text columns and index redacted.

        Each distinct value is redacted once; list and dict cells item by item.
        """
        frame = frame.copy()
        for column in frame.columns:
            frame[column] = self._series(frame[column])
        if frame.index.dtype == object or isinstance(frame.index.dtype, pd.StringDtype):
            frame.index = pd.Index(
                [self.value(v) for v in frame.index],
                dtype=frame.index.dtype,
                name=frame.index.name,
            )
        return frame

    def _series(self, values: pd.Series) -> pd.Series:
        if isinstance(values.dtype, pd.CategoricalDtype):
            renamed = [self.value(c) for c in values.cat.categories]
            if len(set(renamed)) == len(renamed):
                return values.cat.rename_categories(renamed)
            # Two values got one pseudonym (a kept name and its pseudonym, say).
            return values.astype(object).map(self.value).astype("category")
        if isinstance(values.dtype, pd.StringDtype):
            codes, uniques = pd.factorize(values)
            table = pd.array([*map(self.value, uniques), None], dtype=values.dtype)
            return pd.Series(table.take(codes), index=values.index, name=values.name)
        if values.dtype == object:
            return values.map(self.value)
        return values

    def _replace(self, match: re.Match[str]) -> str:
        if match["domain"]:
            local = match["local"]
            if local.lower() not in SYSTEM_LOCAL_PARTS:
                local = self._pseudonym(self.locals, local.lower(), "user{}")
            return f"{local}@{self._name(match['domain'])}"
        if match["ipv4"]:
            return self._ip(match["ipv4"])
        if match["ipv6"]:
            return self._ip(match["ipv6"])
        return self._name(match["name"])

    def _name(self, name: str) -> str:
        key = name.lower()
        if key in self.kept_names or key.rsplit(".", 1)[-1] in FILE_SUFFIXES:
            return name
        if "." in key and not key.rsplit(".", 1)[-1][:1].isalpha():
            return name  # a version or number, such as 3.7.11
        return self._pseudonym(self.names, key, "host{}.example")

    def _ip(self, text: str) -> str:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return text
        if address.is_loopback or address.is_unspecified:
            return text
        key = str(address)
        if key not in self.ips:
            # 198.18.0.0/15 (RFC 2544, benchmarking) and 2001:db8::/32 (RFC 3849,
            # documentation) are reserved, so a pseudonym names no real host.
            number = len(self.ips) + 1
            pseudonym: ipaddress.IPv4Address | ipaddress.IPv6Address
            if address.version == 4:
                pseudonym = ipaddress.IPv4Address(0xC6120000 + number % 0x20000)
            else:
                pseudonym = ipaddress.IPv6Address((0x20010DB8 << 96) + number)
            self.ips[key] = str(pseudonym)
        return self.ips[key]

    @staticmethod
    def _pseudonym(table: dict[str, str], key: str, template: str) -> str:
        if key not in table:
            table[key] = template.format(len(table) + 1)
        return table[key]


def for_analysis(analysis: Any) -> Redactor:
    """Build a Redactor given the syslog host names of ``analysis``."""
    hosts = set(analysis.hosts)
    if "host" in analysis.events:
        hosts |= set(analysis.events["host"].dropna().unique())
    return Redactor(hosts)
