"""Replace e-mail addresses, user names, host names and IP addresses with pseudonyms.

A report shared outside support must not show a customer's addresses or
network. ``Redactor`` rewrites text so that each value always gets the same
pseudonym: ``soc@corp.example`` becomes ``user1@host1.example`` wherever it
appears, ``corp.example`` alone becomes ``host1.example`` and ``<soc>`` becomes
``<user1>``. ``for_analysis`` numbers the bundle's hosts, senders, recipients,
relays, clients and Message-IDs first, in a fixed order, so every command gives those the
same pseudonyms. Values found only in other text (a reply, say) are numbered
as each command meets them. Pseudonyms cannot be mapped back without the
bundle.

Kept as they are: loopback addresses and ``localhost``, the system senders
(root, postmaster, MAILER-DAEMON, double-bounce), file names such as
``main.cf`` and ``maillog.1.gz``, and the example names of mailbundle's own
remedy texts.
"""

from __future__ import annotations

import dataclasses
import email.header
import ipaddress
import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.analysis.frames import TEXT_STORE

_LETTER = (
    "A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff"
    "\u0e00-\u0e7f\u1e00-\u1eff"
)
"""Latin (with Vietnamese), Greek, Cyrillic, Hebrew, Arabic and Thai letters,
which host names and local parts use."""
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af"
"""Kana, CJK ideographs and Hangul: in local parts only, because Japanese
report text sets Latin names next to them without a space."""
_LABEL = rf"[{_LETTER}0-9_](?:[{_LETTER}0-9_-]{{0,61}}[{_LETTER}0-9_])?"
_DOMAIN = rf"{_LABEL}(?:\.{_LABEL})*"
_IDN_LABEL = (
    rf"[{_LETTER}{_CJK}0-9_](?:[{_LETTER}{_CJK}0-9_-]{{0,61}}[{_LETTER}{_CJK}0-9_])?"
)
_ADDRESS_DOMAIN = rf"(?:{_IDN_LABEL}\.)*{_LABEL}"
"""The domain of an address, whose labels may be Japanese, Chinese or Korean
(例え.example), but not its last one: Japanese text follows a name without a
space, and the last label must end before it."""
_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
_IPV6 = (
    r"(?:[0-9A-Fa-f]{1,4}:){6}(?:\d{1,3}\.){3}\d{1,3}"
    r"|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}"
    r"|(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?::"
    r"(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?:\.\d{1,3}){0,3}"
)
_LOCAL = rf"[{_LETTER}{_CJK}0-9!#$%&'*+?^_`{{|}}~-][{_LETTER}{_CJK}0-9!#$%&'*+/=?^_`{{|}}~.-]*"
_IP_IN_BRACKETS = rf"\[(?:{_IPV4}|IPv6:[^\]\s]+|[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)\]"

# Alternatives are tried in this order at each position, so a key such as
# helo= claims its value before the other rules see it, and an address claims
# its domain before the host-name rule does.
_PATTERN = re.compile(
    rf"\b(?P<key>helo|orig_to|to|from|sasl_username|sasl_sender|user)="
    rf"(?P<open><)?(?P<value>[^<>\s,;()\[\]\"]+)(?(open)>|(?=[\s,;)]|$))"
    rf"|\b(?P<greeting>EHLO|HELO|ehlo|helo) (?P<greeted>{_LABEL}(?:\.{_LABEL})*)"
    rf"|(?<=<)(?P<angle>[\w.+-]{{4,}})(?=>)"
    rf"|\bUser (?P<unix_user>[\w.-]+)(?=\(\d+\))"
    rf"|\b(?P<field>(?:subject|issuer)_CN|CN|O|OU|emailAddress)=(?P<field_value>[^,/\n]+)"
    rf"|\bheader (?P<header>[\w-]+): (?P<header_value>.*?)(?= from \S+\[|$)"
    rf"|(?<![\w.])(?P<cidr>{_IPV4}/(?:{_IPV4}|\d{{1,2}}))(?![\w.])"
    rf"|\[(?P<cidr6>{_IPV6})\]/(?P<cidr6_length>\d{{1,3}})"
    rf"|(?<![\w.])(?P<pct_local>[\w.+-]+)%40(?P<pct_domain>{_DOMAIN})"
    rf"|\"(?P<quoted>[^\"\n]{{1,64}})\"@(?P<quoted_domain>{_DOMAIN})"
    rf"|(?P<encoded>=\?[\w.-]+\?[BbQq]\?[^?\s]*\?=)"
    rf"|(?P<local>{_LOCAL})@(?:(?P<domain>{_ADDRESS_DOMAIN})"
    rf"|\[(?P<literal>{_IPV4}|IPv6:[0-9A-Fa-f:.]+)\])"
    rf"|(?<![A-Za-z0-9.])(?P<ipv4>{_IPV4})(?![A-Za-z0-9]|\.\w)"
    rf"|(?:(?<=IPv6:)|(?<=[A-Za-z]:)|(?<![\w:.]))(?P<ipv6>{_IPV6})(?![\w:])"
    rf"|(?<![\w.-])(?P<name>{_LABEL}(?:\.{_LABEL})+)\.?(?![\w-])"
    rf"|(?<![\w.-])(?P<bracketed>{_LABEL})(?={_IP_IN_BRACKETS})"
)

_NETMASKS = frozenset(
    str(ipaddress.IPv4Network(f"0.0.0.0/{bits}").netmask) for bits in range(33)
)
"""Netmasks (255.255.255.0), which name no host and keep their meaning."""

_WORD = re.compile(r"(?<![\w.-])\w[\w.-]*(?<![.-])")
"""A word that may hold dots and hyphens (qradar-ep1, anna.nowak), without a
trailing dot. master.cf is one word, so a host named master leaves it alone."""

_EMBEDDED_IPV4 = re.compile(rf"(?<![0-9.]){_IPV4}(?![0-9]|\.\d)")

NAME_KEYS = frozenset(["helo"])
"""Keys whose value is a host name; the other keys hold addresses or user names."""

FILE_SUFFIXES = frozenset([
    "cf", "log", "gz", "bz2", "xz", "zip", "7z", "tar", "tgz", "txt", "json", "out",
    "err", "html", "pdf", "py", "conf", "db", "lmdb", "pem", "crt", "cer", "key",
    "sh", "pl", "so", "service", "socket", "pid", "lock", "cdb", "eml", "csv",
    "parquet", "md", "yml", "yaml", "xml", "js", "css", "png", "svg", "ini", "dat",
    "warn", "info", "crit", "notice", "debug", "old", "bak", "orig", "new", "tmp",
    "save", "dist", "swp", "regexp", "pcre", "cidr", "hash", "proto", "jsonl",
    "sock", "journal", "rpmsave", "rpmnew", "dpkg-dist", "dpkg-old", "map",
    "p12", "pfx", "der", "csr",
])  # fmt: skip
TOP_LEVEL_SUFFIXES = frozenset(["cf", "info", "md", "pl", "py", "sh", "so", "zip"])
"""File suffixes that are also top-level domains: name.pl is a host name unless
its first label is a word of mailbundle's own texts (mail.info, main.cf)."""
"""Last labels of file names. Some are also top-level domains (pl, sh), so the
labels before them are still checked for a host name: mx1.corp.pl becomes
host1.example.pl, and main.cf.bak stays."""

SYSTEM_LOCAL_PARTS = frozenset(
    ["root", "postmaster", "mailer-daemon", "double-bounce", "nobody", "abuse"]
)
"""Local parts of system senders, which name no person."""

KEPT_NAMES = frozenset(["localhost", "localhost.localdomain", "unknown", "bundle"])

PUBLIC_BLOCKLISTS = frozenset([
    "spamhaus.org", "spamcop.net", "barracudacentral.org", "sorbs.net",
    "surriel.com", "uceprotect.net", "mailspike.net", "spameatingmonkey.net",
    "abuseat.org", "dnswl.org", "senderscore.com", "invaluement.com",
    "nordspam.com", "0spam.org", "junkemailfilter.com", "spfbl.net",
    "blocklist.de", "dronebl.org", "anonmails.de", "manitu.net",
])  # fmt: skip
"""Domains of public DNS blocklists. Their zones (zen.spamhaus.org) name a public
service, not the customer, and a blocklist finding's remedy needs the name."""

COMMON_WORDS = frozenset([
    "mail", "smtp", "mx", "relay", "server", "host", "gateway", "postfix", "console",
    "appliance", "qradar", "localhost", "unknown", "bundle", "none", "private",
    "support", "backup", "info", "admin", "test", "main", "maildrop", "incoming",
    "active", "deferred", "hold", "corrupt", "public",
    # Postfix daemons and commands, which name programs in every log line.
    "master", "smtpd", "qmgr", "oqmgr", "pickup", "cleanup", "local", "virtual",
    "pipe", "bounce", "defer", "trace", "error", "retry", "discard", "anvil",
    "scache", "verify", "tlsmgr", "tlsproxy", "dnsblog", "postscreen", "showq",
    "flush", "lmtp", "proxymap", "proxywrite", "postdrop", "sendmail", "spawn",
    "trivial-rewrite", "rewrite", "postqueue", "postsuper", "postmap", "postlog",
    "postconf", "amavis", "dovecot",
])  # fmt: skip
"""Host and user names left alone outside addresses, because replacing the word
everywhere would rewrite ordinary text."""

BARE_WORD_MIN = 4
"""Shortest host or user name replaced as a bare word outside an address."""


@cache
def _own_texts() -> tuple[frozenset[str], frozenset[str]]:
    """Return the dotted names and the words of mailbundle's own finding texts and
    labels, such as mail.example.com and "test"."""
    from analyzer.analysis.findings.catalog import CATALOG
    from analyzer.report import i18n

    texts: list[str] = []
    for entry in CATALOG.values():
        texts += [entry.title, entry.summary, entry.remedy, *entry.variants.values()]
        texts += entry.titles.values()
    for title, summary, remedy in i18n.all_finding_texts():
        texts += [title, summary, remedy]
    texts += i18n.labels("en").values()
    names = set()
    for text in texts:
        for match in _PATTERN.finditer(text):
            names.add((match["name"] or match["domain"] or "").lower())
    words = {w.lower() for text in texts for w in re.findall(r"[\w.-]+", text)}
    return frozenset(names - {""}), frozenset(words)


class Redactor:
    """Replace addresses, user names, host names and IPs with consistent pseudonyms."""

    def __init__(
        self, bare_names: Iterable[str] = (), bare_locals: Iterable[str] = ()
    ) -> None:
        self.names: dict[str, str] = {}
        self.locals: dict[str, str] = {}
        self.ips: dict[str, str] = {}
        self.networks: dict[str, str] = {}
        self.subjects: dict[str, str] = {}
        self.ip_counts = {4: 0, 6: 0}
        own_names, own_words = _own_texts()
        self.kept_names = own_names | KEPT_NAMES
        self.kept_words = own_words | COMMON_WORDS | SYSTEM_LOCAL_PARTS
        # Host names without dots (qradar-ep1, exchsrv88) and user names outside
        # an address (jdoe), which the rules above cannot tell from other words.
        # A host named like a word of mailbundle's texts (exchange, firewall) is
        # replaced in that text too: the texts name the relay by its name. Only
        # words of every log line and system users are kept.
        common = COMMON_WORDS | SYSTEM_LOCAL_PARTS | KEPT_NAMES
        self.bare_names = self._chosen(bare_names, common)
        self.bare_locals = self._chosen(bare_locals, self.kept_words) - self.bare_names

    @staticmethod
    def _chosen(words: Iterable[str], excluded: frozenset[str]) -> frozenset[str]:
        return frozenset(
            word.lower()
            for word in words
            if isinstance(word, str)
            and len(word) >= BARE_WORD_MIN
            and _WORD.fullmatch(word)
            and word.lower() not in excluded
        )

    def text(self, value: str) -> str:
        """Return ``value`` with every address, name and IP replaced."""
        value = _PATTERN.sub(self._replace, value)
        if self.bare_names or self.bare_locals:
            # Each word is looked up in a set: one pass, however many names.
            value = _WORD.sub(self._bare_word, value)
        return value

    def _bare_word(self, match: re.Match[str]) -> str:
        word = match[0]
        key = word.lower()
        if key in self.bare_names:
            return self._name(word)
        if key in self.bare_locals:
            return self._local(word)
        if "-" in word or "_" in word:
            return self._inner_names(word)
        return word

    def _inner_names(self, word: str) -> str:
        """Replace host names inside a word joined by - or _, as in the folder
        names sosreport-siem01-20261117 and logs_qradar-ep1_20261204."""
        pieces = re.split(r"([-_])", word)
        tokens = pieces[0::2]
        out: list[str] = []
        start = 0
        while start < len(tokens):
            # Match runs of pieces from here against the host names, longest first.
            for end in range(len(tokens), start, -1):
                run = "".join(pieces[2 * start : 2 * end - 1])
                if run.lower() in self.bare_names:
                    out.append(self._name(run))
                    break
            else:
                end = start + 1
                out.append(tokens[start])
            if end < len(tokens):
                out.append(pieces[2 * end - 1])
            start = end
        return "".join(out)

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
            if not renamed:
                return values  # renaming to [] would drop the categories' type
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
        """Return the pseudonym text of one match of ``_PATTERN``."""
        if match["key"] or match["angle"] or match["unix_user"] or match["greeting"]:
            return self._replace_keyed(match)
        if match["field"] or match["header"]:
            return self._replace_field(match)
        if match["cidr"]:
            return self._network(match["cidr"])
        if match["cidr6"]:
            return self._network(f"{match['cidr6']}/{match['cidr6_length']}")
        if match["encoded"]:
            return self._encoded_word(match["encoded"])
        if match["pct_local"] or match["quoted"] or match["local"]:
            return self._replace_address(match)
        if match["ipv4"] or match["ipv6"]:
            return self._ip(match["ipv4"] or match["ipv6"])
        if match["bracketed"]:
            return self._name(match["bracketed"])
        # A trailing dot (an absolute name) is kept after the pseudonym.
        return self._name(match["name"]) + match[0][len(match["name"]) :]

    def _replace_keyed(self, match: re.Match[str]) -> str:
        """Replace a value that a key or a context marks: to=<jdoe>, EHLO name."""
        if match["key"]:
            value = match["value"]
            if "@" in value:
                value = _PATTERN.sub(self._replace, value)
            elif match["key"] in NAME_KEYS:
                value = self._name_or_ip(value)
            else:
                value = self._local(value)
            return match[0].replace(match["value"], value, 1)
        if match["angle"]:
            # <name> without a domain is an address of a local user, unless it
            # is a host name that another line shows (a HELO name in helo=<>).
            key = match["angle"].lower()
            if key in self.names or key in self.bare_names:
                return self._name(match["angle"])
            if key in self.kept_words:
                return match["angle"]
            return self._local(match["angle"])
        if match["unix_user"]:
            return f"User {self._local(match['unix_user'])}"
        return f"{match['greeting']} {self._name_or_ip(match['greeted'])}"

    def _replace_field(self, match: re.Match[str]) -> str:
        """Replace a certificate field or a header value of a header_checks line."""
        if match["header"]:
            return f"header {match['header']}: [redacted]"
        # Certificate subjects and issuers name hosts, people and companies.
        value = match["field_value"]
        if re.fullmatch(rf"{_LABEL}(?:\.{_LABEL})+", value):
            return f"{match['field']}={self._name_or_ip(value)}"
        if "@" in value:
            return f"{match['field']}={_PATTERN.sub(self._replace, value)}"
        subject = self._pseudonym(self.subjects, value.lower(), "name{}")
        return f"{match['field']}={subject}"

    def _encoded_word(self, word: str) -> str:
        """Return an RFC 2047 encoded word (=?UTF-8?B?...?=, as in a Message-ID
        header) decoded and redacted: its text is one decoding away."""
        try:
            parts = email.header.decode_header(word)
            text = str(email.header.make_header(parts))
        except (ValueError, LookupError, UnicodeDecodeError):
            return "[encoded]"
        return self.text(text)

    def _replace_address(self, match: re.Match[str]) -> str:
        """Replace an address: plain, quoted, with an IP literal or URL-encoded."""
        if match["pct_local"]:
            local = self._local(match["pct_local"])
            return f"{local}%40{self._name(match['pct_domain'])}"
        if match["quoted"]:
            local = self._local(match["quoted"])
            return f'"{local}"@{self._name(match["quoted_domain"])}'
        local = self._local(match["local"])
        literal = match["literal"]
        if literal and literal.startswith("IPv6:"):
            return f"{local}@[IPv6:{self._ip(literal[5:])}]"
        if literal:
            return f"{local}@[{self._ip(literal)}]"
        return f"{local}@{self._name_or_ip(match['domain'])}"

    def _local(self, local: str) -> str:
        key = local.lower()
        if key in SYSTEM_LOCAL_PARTS:
            return local
        return self._pseudonym(self.locals, key, "user{}")

    def _name_or_ip(self, name: str) -> str:
        return self._ip(name) if re.fullmatch(_IPV4, name) else self._name(name)

    def _network(self, cidr: str) -> str:
        """Replace a network by a placeholder that keeps its prefix length: any
        address would wrongly put other pseudonyms inside or outside it."""
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return cidr
        if network.is_loopback or network.prefixlen == 0:
            return cidr
        return (
            self._pseudonym(self.networks, str(network), "net{}")
            + f"/{network.prefixlen}"
        )

    def _name(self, name: str) -> str:
        if name.endswith(".") and len(name) > 1:
            return self._name(name[:-1]) + "."  # an absolute name
        key = name.lower()
        if key in self.kept_names:
            return name
        labels = key.split(".")
        if ".".join(labels[-2:]) in PUBLIC_BLOCKLISTS:
            # A DNSBL query name starts with the client's address reversed
            # (25.2.0.192.zen.spamhaus.org): that address is replaced.
            first = labels[:4]
            if len(labels) > 5 and all(part.isdigit() for part in first):
                reversed_ip = self._ip(".".join(reversed(first))).split(".")
                return ".".join([*reversed(reversed_ip), *name.split(".")[4:]])
            return name
        if (
            len(labels) == 2
            and labels[1] in TOP_LEVEL_SUFFIXES
            and labels[0] not in self.kept_words
        ):
            return self._pseudonym(self.names, key, "host{}.example")
        suffixes = 0
        while suffixes < len(labels) - 1 and labels[-1 - suffixes] in FILE_SUFFIXES:
            suffixes += 1
        if suffixes:
            # A file name: only a host name in front of its suffixes is replaced,
            # as in zmta-ep5.corp.example.log.
            stem = ".".join(name.split(".")[: len(labels) - suffixes])
            rest = name[len(stem) :]
            return (self._name(stem) if "." in stem else stem) + rest
        top = labels[-1]
        if len(labels) > 1 and (len(top) < 2 or not top[0].isalpha()):
            # A version, a number or an abbreviation (3.7.11, e.g.), but maybe
            # with an address inside, as in a scanner's probe PROBE_IP_25.
            return _EMBEDDED_IPV4.sub(lambda m: self._ip(m[0]), name)
        return self._pseudonym(self.names, key, "host{}.example")

    def _ip(self, text: str) -> str:
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            octets = text.split(".")
            if len(octets) == 4 and all(o.isdigit() and int(o) < 256 for o in octets):
                # Leading zeros (192.000.002.010), which ipaddress rejects.
                return self._ip(".".join(str(int(o)) for o in octets))
            return text
        if address.is_loopback or address.is_unspecified or text in _NETMASKS:
            return text
        key = str(address)
        if key not in self.ips:
            # 198.18.0.0/15 (RFC 2544, benchmarking) and 2001:db8::/32 (RFC 3849,
            # documentation) are reserved, so a pseudonym names no real host.
            self.ip_counts[address.version] += 1
            number = self.ip_counts[address.version]
            pseudonym: ipaddress.IPv4Address | ipaddress.IPv6Address
            if address.version == 4:
                pseudonym = ipaddress.IPv4Address(0xC6120000 + number % 0x20000)
            else:
                pseudonym = ipaddress.IPv6Address((0x20010DB8 << 96) + number)
            self.ips[key] = str(pseudonym)
        return self.ips[key]

    def alias(self, name: str, same_as: str) -> None:
        """Give ``name`` the pseudonym of ``same_as``, as for a host's FQDN and
        its short name: the reader must see that both are one host."""
        key = name.lower()
        if key not in self.kept_names and key not in self.names:
            self.names[key] = self._name(same_as)

    @staticmethod
    def _pseudonym(table: dict[str, str], key: str, template: str) -> str:
        if key not in table:
            table[key] = template.format(len(table) + 1)
        return table[key]


PRIMED_SETTINGS = ("myhostname", "mydomain", "myorigin", "relayhost", "mydestination",
                   "relay_domains", "content_filter", "smtp_helo_name")  # fmt: skip
"""main.cf settings whose names are numbered before the log's values."""


def for_analysis(analysis: Any) -> Redactor:
    """Build a Redactor for ``analysis``, with its names numbered in a fixed order.

    The Redactor gets the bundle's bare host and user names: syslog hosts,
    relays and clients without dots, recipients without a domain and SASL user
    names. Then it numbers hosts, settings, senders, recipients, relays, clients
    and Message-IDs, so that every command on the bundle gives them the same
    pseudonyms.
    """
    hosts = sorted(str(h) for h in analysis.hosts)
    deliveries = analysis.deliveries
    messages = analysis.messages
    texts: list[str] = list(hosts)
    for name in hosts:
        view = analysis.hosts[name]
        # Evidence quotes main.cf and postconf -n output alike.
        configs = (view.main, view.postconf, *view.instances.values())
        for config in (c for c in configs if c is not None):
            texts += [config.raw(setting) or "" for setting in PRIMED_SETTINGS]
    relayhosts = [re.sub(r"^\[?([^\]:]*)\]?(?::\d+)?$", r"\1", t) for t in texts]
    columns = {
        "sender": _unique(messages, "sender"),
        "recipient": _unique(deliveries, "recipient"),
        "orig_recipient": _unique(deliveries, "orig_recipient"),
        "relay_host": _unique(deliveries, "relay_host"),
        "relay_ip": _unique(deliveries, "relay_ip"),
        "client": _unique(messages, "client"),
        "client_ip": _unique(messages, "client_ip"),
        # Numbered last, so the columns above keep the pseudonyms they had before.
        "message_id": _unique(messages, "message_id"),
    }
    names = [*hosts, *_unique(analysis.event_fields, "host"), *relayhosts]
    names += columns["relay_host"] + columns["client"] + _servers_tried(deliveries)
    # Words of the settings (mydestination, content_filter = scan:[filter1]:10024)
    names += [w for t in texts for w in re.split(r"[\s,:\[\]=$(){}]+", t) if w]
    # Local parts of every address: Postfix repeats them bare in local
    # deliveries (/var/mail/jdoe, "for user jdoe") and in replies.
    addresses = columns["sender"] + columns["recipient"] + columns["orig_recipient"]
    addresses += _unique(analysis.queue, "recipient") + _unique(
        analysis.queue, "sender"
    )
    # Rejected recipients appear in the recipients frame only.
    addresses += _unique(analysis.recipients, "recipient")
    locals_ = [v.rsplit("@", 1)[0] for v in addresses]
    locals_ += _sasl_users(analysis.event_fields)
    redactor = Redactor([n for n in names if "." not in n and ":" not in n], locals_)
    for name in hosts:
        fqdn = _own_fqdn(name, analysis.hosts[name].config)
        if fqdn is not None and name.lower() in redactor.bare_names:
            redactor.alias(fqdn, name)
    for text in texts + [v for values in columns.values() for v in values]:
        redactor.text(text)
    for text in _logged_values(analysis.event_fields):
        redactor.text(text)
    return redactor


LOGGED_VALUES = {
    "from=<": r"(?P<value>\bfrom=<[^<>\s]+>)",
    "to=<": r"(?P<value>\bto=<[^<>\s]+>)",
    "helo=<": r"(?P<value>\bhelo=<[^<>\s]+>)",
    "sasl_username=": r"(?P<value>\bsasl_username=[^\s,]+)",
}
"""Keys whose values some lines alone show: the addresses of rejected
submissions, HELO names and SASL logins."""


def _logged_values(events: pd.DataFrame) -> list[str]:
    """Return each ``key=value`` of LOGGED_VALUES once, in the order of the log,
    so that every command numbers them alike."""
    found: dict[str, None] = {}
    for texts in _text_blocks(events):
        for key, pattern in LOGGED_VALUES.items():
            # Arrow's regular expressions: pandas' took 7 s on a 1M-line log.
            keyed = texts.filter(pc.match_substring(texts, key))
            values = pc.extract_regex(keyed, pattern).field("value")
            values = values.filter(pc.is_valid(values))
            found.update(dict.fromkeys(str(v) for v in pc.unique(values).to_pylist()))
    return list(found)


_SERVER_TRIED = re.compile(
    r"(?:connect to|connection with|conversation with|host) (?P<name>[^\s\[\]]+)\["
)
"""The server that a failed attempt's reply names, where the log has relay=none."""


def _servers_tried(deliveries: pd.DataFrame) -> list[str]:
    """Return the names of the servers that failed attempts name in their
    replies. The findings name them bare ("could not be handed to exchange")."""
    if "reason" not in deliveries or deliveries.empty:
        return []
    failed = deliveries["reason"][
        deliveries["status"].ne("sent").to_numpy(dtype=bool, na_value=False)
    ]
    replies = pd.Series(failed.dropna().unique(), dtype=object).astype(str)
    names = replies.str.extract(_SERVER_TRIED)["name"].dropna()
    return [str(name) for name in names.unique()]


def _sasl_users(events: pd.DataFrame) -> list[str]:
    """Return the SASL user names that the log shows, which Postfix repeats bare."""
    found: dict[str, None] = {}
    for texts in _text_blocks(events):
        keyed = texts.filter(pc.match_substring(texts, "sasl_username="))
        users = pc.extract_regex(keyed, r"sasl_username=(?P<user>[^\s,@]+)")
        values = users.field("user")
        found.update(
            dict.fromkeys(
                str(v) for v in values.filter(pc.is_valid(values)).to_pylist()
            )
        )
    return list(found)


def _text_blocks(events: pd.DataFrame) -> Iterator[pa.Array]:
    """Yield the texts of the bundle's lines a block at a time, in file order."""
    store = events.attrs.get(TEXT_STORE)
    if store is None or events.empty:
        return
    for _, texts in store.blocks():
        yield texts


def _own_fqdn(host: str, config: Any) -> str | None:
    """Return the host's myhostname when it is the FQDN of the syslog host name
    ``host`` (qradar-ep1.example.com for qradar-ep1), else None."""
    value = (config.raw("myhostname") or "").strip() if config is not None else ""
    first, dot, rest = value.partition(".")
    if dot and rest and "$" not in value and first.lower() == host.lower():
        return value
    return None


def _unique(frame: pd.DataFrame, column: str) -> list[str]:
    if column not in frame:
        return []
    return [str(v) for v in frame[column].dropna().unique()]
