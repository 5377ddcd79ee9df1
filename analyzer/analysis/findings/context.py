"""What the finding rules read, and helpers to quote it as evidence."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from analyzer.analysis.findings.coded import Coded, Rows, first_distinct
from analyzer.analysis.findings.model import Evidence
from analyzer.analysis.frames import line_texts
from analyzer.analysis.hosts import HostView, short_name
from analyzer.bundle.inventory import Inventory
from analyzer.parse.config import MainConfig

NOTED_KINDS = ("warning", "fatal", "panic", "error", "reject", "discard", "hold")
"""Kinds of events whose texts the rules read again and again."""

EVIDENCE_LINES = 4
"""Log lines quoted per finding, besides configuration lines."""


@dataclass
class Context:
    """The rebuilt frames of one bundle, as finding rules see them."""

    events: pd.DataFrame
    messages: pd.DataFrame
    deliveries: pd.DataFrame
    recipients: pd.DataFrame
    hosts: dict[str, HostView]
    queue: pd.DataFrame
    """All queue listings, one row per recipient, with a ``host`` column."""
    inventory: Inventory
    now: pd.Timestamp
    zone: tzinfo = UTC
    """Zone in which timestamps without one were read."""

    def clock(self, moment: Any, seconds: bool = False, date: bool = True) -> str:
        """Return ``moment`` as the host's clock showed it in ``zone``, with the zone:
        "2026-12-04 10:30 Asia/Tokyo", or "UTC" for UTC."""
        if moment is None or pd.isna(moment):
            return "?"
        local = pd.Timestamp(moment).tz_convert(self.zone)
        spec = "%H:%M:%S" if seconds else "%H:%M"
        if date:
            spec = "%Y-%m-%d " + spec
        name = "UTC" if str(self.zone) in ("UTC", "Etc/UTC") else str(self.zone)
        return f"{local.strftime(spec)} {name}"

    @functools.cached_property
    def sent(self) -> pd.DataFrame:
        """Successful deliveries: host, message, time, relay and recipient, for
        recovery checks."""
        deliveries = self.deliveries
        sent = (deliveries["status"] == "sent").to_numpy(dtype=bool)
        columns = ["host", "message_key", "time", "daemon", "relay_host", "relay_ip",
                   "event", "recipient"]  # fmt: skip
        return deliveries[columns][sent]

    @functools.cached_property
    def sent_by_smtp(self) -> pd.DataFrame:
        """Successful SMTP deliveries to remote servers: not to content filters on
        loopback, and not LMTP or local deliveries to this site's mailboxes."""
        sent = self.sent
        remote = (
            sent["daemon"].eq("smtp")
            & sent["relay_ip"].notna()
            & ~sent["relay_ip"]
            .astype("string")
            .fillna("")
            .str.match(r"^(?:127\.|::1$)")
        )
        return sent[remote.to_numpy(dtype=bool, na_value=False)]

    @functools.cached_property
    def direct_hosts(self) -> frozenset[str]:
        """Hosts that handed mail to remote servers of two or more domains.

        One relay host has one domain, so such a host sends straight to the
        recipient domains. Loopback servers (content filters) do not count.
        """
        servers = self.sent_by_smtp
        names = servers["relay_host"].astype(object).fillna("").str.lower()
        domains = names.str.split(".").str[-2:].str.join(".")
        counts = domains.groupby(servers["host"].astype(object)).nunique()
        return frozenset(str(host) for host in counts.index[counts >= 2])

    @functools.cached_property
    def notes(self) -> tuple[Rows, Coded]:
        """Warnings and connection errors tied to a message, quoted as evidence:
        their event rows and their message keys."""
        events = self.events
        kinds = self.of_kind("warning", "connect_failed", "smtp_session")
        keyed = events["message_key"].notna().to_numpy(dtype=bool)
        rows = np.flatnonzero(kinds & keyed)
        return rows, Coded.of(events["message_key"].take(rows))

    def note_rows(self, keys: list[str], limit: int) -> list[int]:
        """Return the first ``limit`` event rows of notes about the messages ``keys``."""
        rows, coded = self.notes
        key_codes = coded.labels.get_indexer(keys)
        hits = rows[np.isin(coded.codes, key_codes[key_codes >= 0])]
        return [int(row) for row in hits[:limit]]

    @functools.cached_property
    def _noted_texts(self) -> pd.Series:
        """The texts of the events that rules read most (warnings, errors and
        rejects), decompressed once for all of them."""
        rows = np.flatnonzero(self.of_kind(*NOTED_KINDS))
        return line_texts(self.events, rows)

    def texts(self, rows: npt.ArrayLike) -> pd.Series:
        """Return the text of the events at ``rows`` (positions or a mask), with
        the positions as index."""
        positions = np.asarray(rows)
        if positions.dtype == bool:
            positions = np.flatnonzero(positions)
        positions = positions.astype(np.int64, copy=False)
        noted = self._noted_texts
        found = noted.index.get_indexer(positions)
        if (found >= 0).all():
            texts = noted.iloc[found]
            texts.index = positions
            return texts
        texts = line_texts(self.events, positions)
        texts.index = positions
        return texts

    def of_kind(self, *kinds: str) -> npt.NDArray[np.bool_]:
        """Return which events are of one of ``kinds``, as ``isin`` would."""
        kind = self.events["kind"]
        if not isinstance(kind.dtype, pd.CategoricalDtype):
            return np.asarray(kind.isin(kinds).to_numpy(dtype=bool, na_value=False))
        # Look the category codes up in a table: faster than isin on a million rows.
        # The table's last entry, which the code -1 of a null reads, stays False.
        found = kind.cat.categories.get_indexer(list(kinds))
        selected = np.zeros(len(kind.cat.categories) + 1, dtype=bool)
        selected[found[found >= 0]] = True
        return np.asarray(selected[kind.cat.codes.to_numpy()], dtype=bool)

    def warnings_matching(
        self, pattern: re.Pattern[str], column: str, where: str, value: str
    ) -> tuple[Rows, pd.DataFrame]:
        """Return the rows of the warnings whose events have ``value`` in column
        ``where`` (daemon or host) and whose text ``pattern`` matches, with the
        groups of ``pattern`` at those rows. ``column`` names the group that
        each match has."""
        events = self.events
        rows = np.flatnonzero(
            self.of_kind("warning")
            & (events[where] == value).to_numpy(dtype=bool, na_value=False)
        )
        found = self.texts(rows).str.extract(pattern)
        present = found[column].notna().to_numpy(dtype=bool, na_value=False)
        return rows[present], found[present]

    def host_view(self, host: str) -> HostView | None:
        return self.hosts.get(host)

    def config(self, host: str, instance: str | None = None) -> MainConfig | None:
        """Return the settings of ``host``, or of one of its Postfix instances."""
        view = self.hosts.get(host)
        return view.instance_config(instance) if view else None


def raw_line(event: Mapping[str, Any]) -> str:
    """Rebuild a log line from its event: the original timestamp, host, tag and text."""
    pid: Any = event.get("pid")
    tag = str(event["program"]) + (f"[{int(pid)}]" if pd.notna(pid) else "")
    stamp = event.get("stamp")
    host = event.get("host")
    head = " ".join(str(x) for x in (stamp, host) if pd.notna(x) and str(x))
    return f"{head} {tag}: {event['text']}"


def log_evidence(
    events: pd.DataFrame, rows: Iterable[int], limit: int = EVIDENCE_LINES
) -> list[Evidence]:
    """Quote the first ``limit`` distinct event rows of ``rows`` as log lines."""
    chosen = first_distinct(rows, limit)
    if not chosen:
        return []
    # Rows are positions, because events keep a RangeIndex. Taking only these
    # columns and rows avoids copying the frame.
    columns = ["source", "line_no", "stamp", "host", "program", "pid"]
    values = [events[name].take(chosen).tolist() for name in columns]
    columns.append("text")
    values.append(line_texts(events, chosen).tolist())
    quoted = [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
    return [
        Evidence(str(event["source"]), int(event["line_no"]), raw_line(event), "log")
        for event in quoted
    ]


def config_evidence(config: MainConfig | None, name: str) -> list[Evidence]:
    if config is None:
        return []
    setting = config.settings.get(name)
    if setting is None:
        return [
            Evidence(
                config.source,
                None,
                f'({name} is not set; default: "{config.get(name)}")',
                "config",
            )
        ]
    return [Evidence(config.source, setting.line_no, setting.text, "config")]


@dataclass(frozen=True)
class Relayhost:
    """relayhost as written: ``[host]:port``, ``host:port`` or ``host``."""

    text: str
    host: str
    port: str
    bracketed: bool

    @property
    def is_address(self) -> bool:
        return bool(
            re.fullmatch(r"[\d.]+|[0-9A-Fa-f:]+|ipv6:.*", self.host, re.IGNORECASE)
        )


def parse_relayhost(value: str) -> Relayhost | None:
    """Return the first relay host of a relayhost value, or None when it is empty."""
    first = value.replace(",", " ").split()
    if not first:
        return None
    text = first[0]
    match = re.fullmatch(r"\[(?P<host>[^\]]+)\](?::(?P<port>\w+))?", text)
    if match:
        return Relayhost(text, match.group("host"), match.group("port") or "25", True)
    host, _, port = text.partition(":") if text.count(":") == 1 else (text, "", "")
    return Relayhost(text, host, port or "25", False)


def is_self(host: str, view: HostView | None, config: MainConfig | None) -> bool:
    """True when ``host`` names this machine: localhost, a loopback address, itself."""
    name = host.lower().strip("[]")
    if name in {"localhost", "localhost.localdomain", "127.0.0.1", "::1", "ipv6:::1"}:
        return True
    own = {short_name(view.name)} if view else set()
    if config is not None:
        own.add(short_name(config.get("myhostname")))
    return short_name(name) in own and bool(own - {""})
