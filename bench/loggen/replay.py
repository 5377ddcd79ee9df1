"""Replay templates as instances: one timed run of a unit with its own fresh values."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from loggen.templates import (
    IPV4,
    KEPT_LOCAL_PARTS,
    PERSISTENT_DAEMONS,
    Slot,
    TemplateLine,
)
from loggen.values import LocalParts, Names, Pids, QueueIds, format_delay, scramble

# A template line with this role writes nothing: it frees the queue ID of a
# message that leaves the queue without a "removed" line (postsuper -d ALL).
SILENT_RELEASE = "release"
IPV4_IN_TEXT = re.compile(rf"(?<![\d.]){IPV4}(?![\d.])")
# A line with this role is written by a freshly started master, so the
# long-running daemons get new pids from it on.
RESTART = "restart"


@dataclass
class Host:
    """One Postfix host of the generated log."""

    name: str
    queue_ids: QueueIds
    pids: Pids


@dataclass
class Context:
    """Run-wide state shared by every instance."""

    rng: random.Random
    names: Names
    local_parts: LocalParts
    stats: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    """Numbers that ``count`` slots print, filled in before their line is written."""

    def count(self, key: str, amount: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + amount


class Instance:
    """A timed sequence of template lines written with one set of fresh values.

    ``bindings`` maps, per line, original slot values to the values they stand
    for. A composed lifecycle uses it so that a line taken from another unit
    (a delivery that succeeds after an outage) names this message's queue ID
    and recipients.
    """

    __slots__ = (
        "arrivals",
        "bindings",
        "context",
        "host",
        "index",
        "lines",
        "pids",
        "queue_ids",
        "times",
        "values",
    )

    def __init__(
        self,
        context: Context,
        host: Host,
        times: list[float],
        lines: list[TemplateLine],
        bindings: list[dict[str, str] | None] | None = None,
    ) -> None:
        self.context = context
        self.host = host
        self.times = times
        self.lines = lines
        self.bindings = bindings
        self.index = 0
        self.queue_ids: dict[str, str] = {}
        self.arrivals: dict[str, float] = {}
        self.values: dict[Slot, str] = {}
        self.pids: dict[tuple[str, str | None], str] = {}

    @property
    def done(self) -> bool:
        return self.index >= len(self.lines)

    def next_time(self) -> float:
        return self.times[self.index]

    def emit(self) -> tuple[str, str | None, str] | None:
        """Render the next line as (program, pid, text); None for a silent step."""
        line = self.lines[self.index]
        time = self.times[self.index]
        binding = self.bindings[self.index] if self.bindings else None
        self.index += 1
        if line.role == SILENT_RELEASE:
            self._release(line.queue_id, binding)
            return None
        if line.role == RESTART:
            self.host.pids.restart()
        pieces = []
        for part in line.parts:
            if part.__class__ is str:
                pieces.append(part)
            else:
                pieces.append(self._resolve(part, time, line, binding))
        text = "".join(pieces)
        if line.role == "removed":
            self._release(line.queue_id, binding)
        return line.program, self._pid(line), text

    def abandon(self) -> None:
        """Keep the queue IDs of a message cut off by the end of the log as they are."""
        self.index = len(self.lines)

    def _pid(self, line: TemplateLine) -> str | None:
        if line.pid is None:
            return None
        daemon = line.program.rsplit("/", 1)[-1]
        if daemon in PERSISTENT_DAEMONS:
            return self.host.pids.daemon(line.program)
        key = (line.program, line.pid)
        pid = self.pids.get(key)
        if pid is None:
            pid = self.pids[key] = self.host.pids.fresh()
        return pid

    def _release(self, original: str | None, binding: dict[str, str] | None) -> None:
        if original is None:
            return
        if binding:
            original = binding.get(original, original)
        # A later line of this unit with the same original ID starts a new
        # lifetime (Postfix reuses IDs), so it gets a new ID too.
        queue_id = self.queue_ids.pop(original, None)
        if queue_id is not None:
            self.host.queue_ids.release(queue_id)

    def _resolve(
        self,
        slot: Slot,
        time: float,
        line: TemplateLine,
        binding: dict[str, str] | None,
    ) -> str:
        kind, original = slot
        if binding:
            original = binding.get(original, original)
        if kind == "qid":
            return self._queue_id(original, time)
        if kind == "delay":
            return format_delay(self._age(line, time, binding))
        if kind == "delays":
            return self._delays(original, self._age(line, time, binding))
        if kind == "count":
            return str(self.context.counters.get(original, 0))
        key = (kind, original)
        value = self.values.get(key)
        if value is None:
            value = self.values[key] = self._fresh(kind, original)
        return value

    def _queue_id(self, original: str, time: float) -> str:
        queue_id = self.queue_ids.get(original)
        if queue_id is None:
            queue_id = self.host.queue_ids.allocate(time)
            self.queue_ids[original] = queue_id
            self.arrivals[original] = time
            self.context.count("queue_ids")
        return queue_id

    def _age(
        self, line: TemplateLine, time: float, binding: dict[str, str] | None
    ) -> float:
        original = line.queue_id or ""
        if binding:
            original = binding.get(original, original)
        return max(0.0, time - self.arrivals.get(original, time))

    @staticmethod
    def _delays(template: str, age: float) -> str:
        # delays=a/b/c/d: before the queue manager, in the queue manager,
        # connection set-up, transmission. Only "a" grows with retries.
        _, manager, connect, transmit = (float(x) for x in template.split("/"))
        before = max(0.0, age - manager - connect - transmit)
        return "/".join(format_delay(x) for x in (before, manager, connect, transmit))

    def _fresh(self, kind: str, original: str) -> str:
        context = self.context
        names = context.names
        if kind == "addr":
            return self._address(original)
        if kind in ("local", "user"):
            return context.local_parts.draw()
        if kind == "host":
            return names.host(original)
        if kind == "ip4":
            return names.ip4(original)
        if kind == "ip6":
            return names.ip6(original)
        if kind == "name":
            return names.single_label(original)
        if kind == "msgid":
            return self._message_id(original)
        if kind == "size":
            return str(
                max(200, int(int(original) * (0.8 + 0.5 * context.rng.random())))
            )
        if kind == "header":
            name, _, value = original.partition(": ")
            return f"{name}: {self._scramble(value)}"
        return self._scramble(original)

    def _scramble(self, text: str) -> str:
        """Scramble free text, but map the IPv4 addresses in it to documentation ones.

        Scrambled digits of an address such as "[192.168.1.5]" in a HELO name
        would otherwise look like another real address.
        """
        pieces = []
        position = 0
        for match in IPV4_IN_TEXT.finditer(text):
            pieces.append(scramble(text[position : match.start()], self.context.rng))
            pieces.append(self.context.names.ip4(match.group(0)))
            position = match.end()
        pieces.append(scramble(text[position:], self.context.rng))
        return "".join(pieces)

    def _address(self, original: str) -> str:
        local, _, domain = original.rpartition("@")
        if local not in KEPT_LOCAL_PARTS:
            local = self.context.local_parts.draw()
        if domain.startswith("["):
            return f"{local}@[{self.context.names.ip4(domain.strip('[]'))}]"
        return f"{local}@{self.context.names.host(domain)}"

    def _message_id(self, original: str) -> str:
        inner = original.strip("<>")
        local, at, domain = inner.rpartition("@")
        if not at:
            local, domain = inner, ""
        fresh = scramble(local, self.context.rng)
        if domain:
            fresh += "@" + self.context.names.host(domain)
        return f"<{fresh}>" if original.startswith("<") else fresh
