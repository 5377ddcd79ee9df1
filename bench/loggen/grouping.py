"""Group the records of one log into units that must be replayed together.

A unit is a connected set of records. It contains a message lifetime (a queue
ID from its first line to ``removed``) and the client session that submitted
it (smtpd ``connect from`` to ``disconnect from`` of the same process). It also
contains the lines of a delivery agent that precede its ``QID: to=`` line
(``connect to ...``, ``warning: ...``) and the lifetimes linked to it: bounce
and delay notices, content-filter re-injection (``queued as NEWID``) and
``forwarded as NEWID``. Lines that belong to nothing, such as anvil
statistics, form units of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loggen.sources import Record

# Short IDs are hex (5 digits of microseconds plus the inode number); long IDs
# (enable_long_queue_ids) use a 52-letter alphabet with "z" before the inode.
QUEUE_ID = re.compile(
    r"(?:\[ID \d+ [\w.]+\] )?([0-9A-F]{6,12}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{13,20}): "
)
LINKED_ID = re.compile(
    r"(?:notification: |queued as |forwarded as )([0-9A-F]{6,12}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{13,20})\b"
)
POSTSCREEN_CLIENT = re.compile(r"\[([0-9A-Fa-f:.]+)\]:(\d+)")
DNSBLOG_ADDRESS = re.compile(r"^addr (\S+) listed by")

# Daemons whose lines without a queue ID describe the next delivery of the
# same process (Postfix 3.7 smtp logs "connect to X: Connection refused" and
# "warning: relayhost configuration problem" before "QID: to=...").
DELIVERY_DAEMONS = {
    "smtp",
    "lmtp",
    "local",
    "virtual",
    "pipe",
    "error",
    "discard",
    "retry",
}
# Seconds after which a pending line no longer attaches to the next QID line.
ATTACH_WINDOW = 120.0
# Seconds within which a "queued as NEWID" child must have started.
LINK_WINDOW = 300.0
# Client-session daemons: smtpd under any service name (10025/smtpd, submission/smtpd).
SESSION_DAEMONS = {"smtpd"}
# Queue IDs whose first line is one of these start a lifetime inside the log.
STARTING_LINE = re.compile(r"^(?:uid=|client=|message-id=|resent-message-id=|from=<)")


@dataclass
class Unit:
    """Record indices of one unit, in file order, with what the grouping saw."""

    indices: list[int]
    queue_ids: int
    complete: bool
    """False when a lifetime starts before the file or stops without ``removed``
    while its last delivery was not a deferral (the log ends inside its life)."""


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, first: int, second: int) -> None:
        a, b = self.find(first), self.find(second)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def daemon_of(program: str) -> str:
    """Return the daemon name: the last path element of the syslog program tag."""
    return program.rsplit("/", 1)[-1]


def is_postfix(program: str) -> bool:
    return program.startswith("postfix")


@dataclass
class _Lifetime:
    first: int
    started: bool
    removed: bool = False
    last_status: str = ""


class _Grouper:
    def __init__(self, records: list[Record]) -> None:
        self.records = records
        self.links = _UnionFind(len(records))
        self.lifetimes: dict[tuple[str, str], _Lifetime] = {}
        self.finished: list[_Lifetime] = []
        self.pending_delivery: dict[tuple[str, str, str | None], list[int]] = {}
        self.pending_session: dict[tuple[str, str, str | None], list[int]] = {}
        self.sessions: dict[tuple[str, str, str | None], int] = {}
        self.postscreen: dict[tuple[str, str], int] = {}
        self.postscreen_by_ip: dict[tuple[str, str], int] = {}

    def run(self) -> None:
        for index, record in enumerate(self.records):
            if not is_postfix(record.program):
                continue
            match = QUEUE_ID.match(record.text)
            if match:
                self._queue_line(index, record, match.group(1))
            else:
                self._other_line(index, record)

    def _queue_line(self, index: int, record: Record, queue_id: str) -> None:
        key = (record.host, queue_id)
        lifetime = self.lifetimes.get(key)
        rest = record.text[record.text.index(": ") + 2 :]
        if lifetime is None:
            lifetime = _Lifetime(index, bool(STARTING_LINE.match(rest)))
            self.lifetimes[key] = lifetime
        else:
            self.links.union(index, lifetime.first)
        process = (record.host, record.program, record.pid)
        for waiting in self.pending_delivery.pop(process, []):
            if record.time - self.records[waiting].time <= ATTACH_WINDOW:
                self.links.union(index, waiting)
        if process in self.sessions:
            self.links.union(index, self.sessions[process])
        for child in LINKED_ID.findall(rest):
            child_lifetime = self.lifetimes.get((record.host, child))
            if child_lifetime is not None:
                child_time = self.records[child_lifetime.first].time
                if abs(record.time - child_time) <= LINK_WINDOW:
                    self.links.union(index, child_lifetime.first)
        status = re.search(r"status=(\w+)", rest)
        if status:
            lifetime.last_status = status.group(1)
        if rest == "removed":
            lifetime.removed = True
            self.finished.append(self.lifetimes.pop(key))

    def _other_line(self, index: int, record: Record) -> None:
        daemon = daemon_of(record.program)
        process = (record.host, record.program, record.pid)
        text = record.text
        if daemon in SESSION_DAEMONS:
            self._session_line(index, process, text)
        elif daemon == "postscreen":
            self._postscreen_line(index, record)
        elif daemon == "dnsblog":
            match = DNSBLOG_ADDRESS.match(text)
            if match and (record.host, match.group(1)) in self.postscreen_by_ip:
                self.links.union(
                    index, self.postscreen_by_ip[(record.host, match.group(1))]
                )
        elif daemon in DELIVERY_DAEMONS:
            self.pending_delivery.setdefault(process, []).append(index)

    def _session_line(
        self, index: int, process: tuple[str, str, str | None], text: str
    ) -> None:
        if text.startswith("connect from "):
            self.sessions[process] = index
            for waiting in self.pending_session.pop(process, []):
                self.links.union(index, waiting)
            return
        session = self.sessions.get(process)
        if session is None:
            # smtpd logs "warning: hostname X does not resolve" before "connect from".
            self.pending_session.setdefault(process, []).append(index)
            return
        self.links.union(index, session)
        if text.startswith("disconnect from "):
            del self.sessions[process]

    def _postscreen_line(self, index: int, record: Record) -> None:
        match = POSTSCREEN_CLIENT.search(record.text)
        if not match:
            return
        client = (record.host, f"{match.group(1)}:{match.group(2)}")
        if record.text.startswith("CONNECT from "):
            self.postscreen[client] = index
            self.postscreen_by_ip[(record.host, match.group(1))] = index
            return
        opened = self.postscreen.get(client)
        if opened is None:
            return
        self.links.union(index, opened)
        if record.text.startswith(("DISCONNECT ", "PASS ")):
            del self.postscreen[client]

    def units(self) -> list[Unit]:
        incomplete_roots = set()
        queue_roots: dict[int, int] = {}
        for lifetime in [*self.finished, *self.lifetimes.values()]:
            root = self.links.find(lifetime.first)
            queue_roots[root] = queue_roots.get(root, 0) + 1
            stuck = lifetime.last_status == "deferred"
            if not lifetime.started or not (lifetime.removed or stuck):
                incomplete_roots.add(root)
        members: dict[int, list[int]] = {}
        for index, _record in enumerate(self.records):
            members.setdefault(self.links.find(index), []).append(index)
        return [
            Unit(indices, queue_roots.get(root, 0), root not in incomplete_roots)
            for root, indices in members.items()
        ]


def group_units(records: list[Record]) -> list[Unit]:
    """Group one file's records into units, in the order of their first line."""
    grouper = _Grouper(records)
    grouper.run()
    return sorted(grouper.units(), key=lambda unit: unit.indices[0])
