"""What the finding rules read, and helpers to quote it as evidence."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, tzinfo

import pandas as pd

from analyzer.analysis.findings.model import Evidence
from analyzer.analysis.hosts import HostView, short_name
from analyzer.bundle.inventory import Inventory
from analyzer.parse.config import MainConfig

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

    @functools.cached_property
    def sent(self) -> pd.DataFrame:
        """Successful deliveries: host, time and relay, for recovery checks."""
        deliveries = self.deliveries
        sent = deliveries[(deliveries["status"] == "sent").to_numpy(dtype=bool)]
        return sent[["host", "time", "relay_host"]]

    @functools.cached_property
    def notes(self) -> pd.DataFrame:
        """Warnings and connection errors tied to a message, quoted as evidence."""
        kinds = self.events["kind"].isin(["warning", "connect_failed", "smtp_session"])
        notes = self.events[kinds.to_numpy(dtype=bool)]
        return notes[notes["message_key"].notna().to_numpy(dtype=bool)]

    def host_view(self, host: str) -> HostView | None:
        return self.hosts.get(host)

    def config(self, host: str) -> MainConfig | None:
        view = self.hosts.get(host)
        return view.config if view else None


def raw_line(event: pd.Series) -> str:
    """Rebuild a log line from its event: the original timestamp, host, tag and text."""
    pid = event.get("pid")
    tag = str(event["program"]) + (f"[{int(pid)}]" if pd.notna(pid) else "")
    stamp = event.get("stamp")
    host = event.get("host")
    head = " ".join(str(x) for x in (stamp, host) if pd.notna(x) and str(x))
    return f"{head} {tag}: {event['text']}"


def log_evidence(
    events: pd.DataFrame, rows: Iterable[int], limit: int = EVIDENCE_LINES
) -> list[Evidence]:
    chosen = list(dict.fromkeys(int(row) for row in rows))[:limit]
    if not chosen:
        return []
    columns = ["source", "line_no", "stamp", "host", "program", "pid", "text"]
    frame = events.take(chosen)[columns]  # positions: events keep a RangeIndex
    return [
        Evidence(str(row["source"]), int(row["line_no"]), raw_line(row), "log")
        for _, row in frame.iterrows()
    ]


def diverse_rows(
    frame: pd.DataFrame, by: str, limit: int = EVIDENCE_LINES
) -> list[int]:
    """Return event numbers of ``frame``: first one per distinct ``by`` value, then more."""
    firsts = frame.drop_duplicates(by)["event"].tolist()
    rest = frame["event"].tolist()
    return list(dict.fromkeys(firsts + rest))[:limit]


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
