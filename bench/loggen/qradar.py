"""The ``qradar`` mix: an appliance whose relay fails for hours, then recovers.

Offense notifications arrive all the time, with bursts. While the relay works,
each is a real sample-bundle unit replayed whole (mostly healthy deliveries,
a few local deliveries, bounces and greylisting).

During an outage each new message is a composed lifecycle. It starts with the
intake and deferred attempts of the outage's scenario, retried on Postfix's
back-off schedule. It ends with the successful attempt of a healthy unit once
the relay is back, with the expiry when ``MAX_QUEUE_LIFETIME`` passes first,
or silently when the administrator deletes the queue. smtpd and postscreen
sessions of the real corpus add noise.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from loggen.library import Library
from loggen.lifecycle import Lifecycle, split_lifecycle
from loggen.relay import daily_factor
from loggen.replay import RESTART, SILENT_RELEASE, Context, Host, Instance
from loggen.templates import Template, TemplateLine

APPLIANCE = "qradar-console"
SECOND_HOST = "qradar-ep1"

# Postfix defaults: minimal_backoff_time 300s, maximal_backoff_time 4000s, and
# the queue manager scans the deferred queue every queue_run_delay (300s).
MIN_BACKOFF = 300.0
MAX_BACKOFF = 4000.0
QUEUE_RUN_DELAY = 300.0
# The simulated appliance sets maximal_queue_lifetime = 1d (Postfix's default is
# 5d), so the longest outages end in expiries.
MAX_QUEUE_LIFETIME = 86400.0
# A "postfix flush" delivers about this many queued messages per second.
FLUSH_RATE = 40.0

NOTIFICATIONS_PER_SECOND = 0.2
BURSTS_PER_HOUR = 0.08
NOISE_LINES_PER_SECOND = 1.0
NOISE_DAEMONS = {"smtpd", "postscreen", "dnsblog", "anvil", "tlsproxy"}
# Noise is client traffic only: corpus lines about the host's own faults
# (a full disk, a crash) would add a diagnosis the mix is not about.
HOST_FAULT = re.compile(r"free space|fatal:|panic:|write error|No space left")

# Scenario bundles whose messages stay deferred, by how often each kind of
# outage happens. Configuration faults end with a restart of Postfix.
OUTAGE_WEIGHTS = {
    "connection-refused": 30,
    "connection-timeout": 25,
    "relayhost-mx-lookup": 10,
    "localhost-loop": 10,
    "relay-denied-temporary": 8,
    "relayhost-unresolvable": 5,
    "sasl-auth-failed": 6,
    "tls-required": 6,
}
CONFIGURATION_FAULTS = {
    "relayhost-mx-lookup",
    "localhost-loop",
    "relayhost-unresolvable",
    "sasl-auth-failed",
    "tls-required",
}
# Scenario bundles replayed whole while the relay works, by share of messages.
HEALTHY_WEIGHTS = {
    "healthy": 85,
    "local-mailbox": 5,
    "unknown-recipient": 2,
    "greylisting": 1,
    "bounce-notice": 1,
    "mixed-recipients": 1,
    "message-too-large": 1,
    "relay-denied": 0.5,
    "sender-rejected": 0.5,
}


@dataclass
class Period:
    """A stretch of time in which the relay works (``kind`` empty) or fails."""

    start: float
    end: float
    kind: str
    flush_at: float | None = None
    delete_at: float | None = None
    restart: bool = False


class Schedule:
    """Alternating healthy and outage periods, generated as far as asked."""

    def __init__(self, context: Context, start: float, kinds: list[str]) -> None:
        self.rng = context.rng
        self.kinds = kinds
        self.weights = [OUTAGE_WEIGHTS[k] for k in kinds]
        self.periods: list[Period] = []
        self.starts: list[float] = []
        self._append(Period(start, start + self.rng.uniform(2, 6) * 3600, ""))

    def _append(self, period: Period) -> None:
        self.periods.append(period)
        self.starts.append(period.start)

    def extend_to(self, moment: float) -> None:
        while self.periods[-1].end <= moment:
            last = self.periods[-1]
            if last.kind:
                hours = self.rng.uniform(3, 16)
                self._append(Period(last.end, last.end + hours * 3600, ""))
            else:
                self._append(self._outage(last.end))

    def _outage(self, start: float) -> Period:
        kind = self.rng.choices(self.kinds, self.weights)[0]
        draw = self.rng.random()
        if draw < 0.70:
            hours = self.rng.uniform(0.5, 6)
        elif draw < 0.95:
            hours = self.rng.uniform(6, 20)
        else:
            hours = self.rng.uniform(24, 40)
        end = start + hours * 3600
        period = Period(start, end, kind, restart=kind in CONFIGURATION_FAULTS)
        action = self.rng.random()
        if action < 0.10:
            # The administrator empties the queue with "postsuper -d ALL", then
            # the relay comes back.
            period.delete_at = end - self.rng.uniform(60, 600)
        elif action < 0.40:
            period.flush_at = end + self.rng.uniform(60, 1800)
        return period

    def at(self, moment: float) -> Period:
        self.extend_to(moment)
        return self.periods[bisect.bisect_right(self.starts, moment) - 1]

    def between(self, first: float, last: float) -> list[Period]:
        """Outage periods with an administrator action in (first, last]."""
        self.extend_to(last)
        index = max(0, bisect.bisect_right(self.starts, first) - 2)
        return [p for p in self.periods[index:] if p.start <= last and p.kind]


class QradarMix:
    """Builds the instances of the qradar mix."""

    def __init__(
        self,
        context: Context,
        library: Library,
        hosts: tuple[Host, Host],
        long_id_share: float,
        start: float,
    ) -> None:
        self.context = context
        self.rng = context.rng
        self.hosts = hosts
        self.long_id_share = long_id_share
        self.start = start

        self.healthy = _whole_units(library, HEALTHY_WEIGHTS)
        self.outage_units = _lifecycles(library, OUTAGE_WEIGHTS)
        self.successes = _by_recipient_count(
            [
                c
                for c in _lifecycles(library, {"healthy": 1}).get("healthy", [])
                if c.sent_attempts and c.ended_by == "removed"
            ]
        )
        self.expiries = _by_recipient_count(
            [
                c
                for c in _lifecycles(library, {"expired": 1}).get("expired", [])
                if c.ended_by == "expired"
            ]
        )
        self.restart_lines = _restart_lines(library)
        self.noise = [t for t in library.corpus if _is_noise(t)]

        kinds = [k for k in OUTAGE_WEIGHTS if self._usable(k)]
        missing = sorted(set(OUTAGE_WEIGHTS) - set(kinds))
        if missing:
            context.count("outage_scenarios_missing", len(missing))
        if not kinds or "healthy" not in self.healthy or not self.successes:
            raise ValueError(
                "the sample bundles are missing the healthy scenario or all outage "
                "scenarios: regenerate them with python samples/make_samples.py"
            )
        self.schedule = Schedule(context, start, kinds)
        self.flushed: dict[float, int] = {}

    def _usable(self, kind: str) -> bool:
        return any(
            c.deferred_attempts and len(c.recipients) in self.successes
            for c in self.outage_units.get(kind, [])
        )

    def arrivals(self) -> Iterator[Instance]:
        streams = [self._messages(), self._noise(), self._events()]
        return heapq.merge(*streams, key=lambda instance: instance.next_time())

    # Notifications ---------------------------------------------------------

    def _arrival_times(self) -> Iterator[float]:
        moment = self.start
        burst_end = burst_rate = 0.0
        while True:
            rate = NOTIFICATIONS_PER_SECOND * daily_factor(moment)
            if moment < burst_end:
                rate += burst_rate
            elif self.rng.random() < BURSTS_PER_HOUR * 60 / 3600:
                # An offense storm: hundreds of notifications in minutes.
                duration = self.rng.uniform(120, 1800)
                burst_end = moment + duration
                burst_rate = self.rng.uniform(200, 2500) / duration
            step = min(self.rng.expovariate(rate), 60.0)
            moment += step
            if step < 60.0:
                yield moment

    def _messages(self) -> Iterator[Instance]:
        for moment in self._arrival_times():
            host = (
                self.hosts[1]
                if self.rng.random() < self.long_id_share
                else self.hosts[0]
            )
            period = self.schedule.at(moment)
            self.context.count("messages")
            if period.kind and period.kind in self.outage_units:
                self.context.count("messages_in_outage")
                yield self._composed(moment, host, period.kind)
            else:
                yield self._whole(moment, host)

    def _whole(self, moment: float, host: Host) -> Instance:
        scenario = self.rng.choices(
            list(self.healthy), [HEALTHY_WEIGHTS[s] for s in self.healthy]
        )[0]
        units = self.healthy[scenario]
        template = units[self.rng.randrange(len(units))]
        times = _retimed(template, moment, self.rng)
        return Instance(self.context, host, times, template.lines)

    def _composed(self, moment: float, host: Host, kind: str) -> Instance:
        choices = [
            c
            for c in self.outage_units[kind]
            if c.deferred_attempts and len(c.recipients) in self.successes
        ]
        unit = choices[self.rng.randrange(len(choices))]
        plan: list[tuple[float, TemplateLine, dict[str, str] | None]] = [
            (moment + line.offset, line, None) for line in unit.intake
        ]
        attempt_time = moment + unit.first_attempt_offset
        previous = attempt_time
        retry = 0
        while True:
            cut = self._deletion(previous, attempt_time)
            if cut is not None:
                plan.append((cut, _release_line(unit.root), None))
                break
            if attempt_time - moment >= MAX_QUEUE_LIFETIME and self._expire(
                plan, unit, attempt_time
            ):
                break
            period = self.schedule.at(attempt_time)
            if not period.kind or period.kind not in self.outage_units:
                self._succeed(plan, unit, attempt_time)
                break
            self._defer(plan, unit, period.kind, attempt_time, retry)
            retry += 1
            previous = attempt_time
            attempt_time = self._next_attempt(moment, attempt_time)
        plan.sort(key=lambda entry: entry[0])
        return Instance(
            self.context,
            host,
            [p[0] for p in plan],
            [p[1] for p in plan],
            [p[2] for p in plan],
        )

    def _deletion(self, first: float, last: float) -> float | None:
        for period in self.schedule.between(first, last):
            if period.delete_at is not None and first < period.delete_at <= last:
                key = f"deleted:{period.delete_at}"
                self.context.counters[key] = self.context.counters.get(key, 0) + 1
                return period.delete_at
        return None

    def _next_attempt(self, arrival: float, last: float) -> float:
        age = last - arrival
        backoff = min(MAX_BACKOFF, max(MIN_BACKOFF, age))
        following = last + backoff + self.rng.uniform(0, QUEUE_RUN_DELAY)
        for period in self.schedule.between(last, following):
            flush = period.flush_at
            if flush is not None and last < flush < following:
                position = self.flushed.get(flush, 0)
                self.flushed[flush] = position + 1
                return flush + position / FLUSH_RATE
        return following

    def _defer(
        self, plan: list, unit: Lifecycle, kind: str, moment: float, retry: int
    ) -> None:
        candidates = [
            c
            for c in self.outage_units[kind]
            if c.deferred_attempts and len(c.recipients) == len(unit.recipients)
        ]
        source = candidates[self.rng.randrange(len(candidates))] if candidates else unit
        attempts = source.deferred_attempts or unit.deferred_attempts
        attempt = attempts[retry % len(attempts)]
        binding = source.binding_to(unit)
        plan.extend((moment + line.offset, line, binding) for line in attempt.lines)
        self.context.count("deferred_attempts")

    def _succeed(self, plan: list, unit: Lifecycle, moment: float) -> None:
        sources = self.successes[len(unit.recipients)]
        source = sources[self.rng.randrange(len(sources))]
        binding = source.binding_to(unit)
        attempt = source.sent_attempts[0]
        plan.extend((moment + line.offset, line, binding) for line in attempt.lines)
        end = moment + attempt.lines[-1].offset
        plan.extend((end + line.offset, line, binding) for line in source.ending)

    def _expire(self, plan: list, unit: Lifecycle, moment: float) -> bool:
        sources = self.expiries.get(len(unit.recipients)) or next(
            iter(self.expiries.values()), None
        )
        if not sources:
            return False
        source = sources[self.rng.randrange(len(sources))]
        binding = source.binding_to(unit)
        plan.extend((moment + line.offset, line, binding) for line in source.ending)
        self.context.count("expired")
        return True

    # Noise and administrator events ------------------------------------------

    def _noise(self) -> Iterator[Instance]:
        if not self.noise:
            return
        mean_lines = sum(len(t.lines) for t in self.noise) / len(self.noise)
        rate = NOISE_LINES_PER_SECOND / mean_lines
        moment = self.start
        while True:
            moment += self.rng.expovariate(rate)
            template = self.noise[self.rng.randrange(len(self.noise))]
            times = [moment + line.offset for line in template.lines]
            yield Instance(self.context, self.hosts[0], times, template.lines)

    def _events(self) -> Iterator[Instance]:
        index = 0
        while True:
            self.schedule.extend_to(self.schedule.periods[index].end + 1)
            period = self.schedule.periods[index]
            index += 1
            if period.delete_at is not None:
                yield self._deleted_line(period.delete_at)
            if period.restart and self.restart_lines:
                times = [
                    period.end + 0.05 * (i + 1) for i in range(len(self.restart_lines))
                ]
                yield Instance(self.context, self.hosts[0], times, self.restart_lines)

    def _deleted_line(self, moment: float) -> Instance:
        line = TemplateLine(
            offset=0.0,
            program="postfix/postsuper",
            pid="1",
            parts=("Deleted: ", ("count", f"deleted:{moment}"), " messages"),
            queue_id=None,
            role="other",
        )
        return Instance(self.context, self.hosts[0], [moment], [line])


def qradar_arrivals(
    context: Context,
    library: Library,
    hosts: tuple[Host, Host],
    long_id_share: float,
    start: float,
) -> Iterator[Instance]:
    """Yield the instances of the qradar mix by time of their first line."""
    return QradarMix(context, library, hosts, long_id_share, start).arrivals()


def _whole_units(
    library: Library, weights: dict[str, float]
) -> dict[str, list[Template]]:
    units = {}
    for scenario in weights:
        found = [
            t
            for t in library.scenarios.get(scenario, [])
            if t.is_message and t.complete
        ]
        if found:
            units[scenario] = found
    return units


def _lifecycles(
    library: Library, weights: dict[str, float]
) -> dict[str, list[Lifecycle]]:
    result: dict[str, list[Lifecycle]] = {}
    for scenario in weights:
        for template in library.scenarios.get(scenario, []):
            if template.is_message:
                lifecycle = split_lifecycle(template)
                if lifecycle is not None and lifecycle.recipients:
                    result.setdefault(scenario, []).append(lifecycle)
    return result


def _by_recipient_count(lifecycles: list[Lifecycle]) -> dict[int, list[Lifecycle]]:
    result: dict[int, list[Lifecycle]] = {}
    for lifecycle in lifecycles:
        result.setdefault(len(lifecycle.recipients), []).append(lifecycle)
    return result


def _restart_lines(library: Library) -> list[TemplateLine]:
    """Find the two lines of a Postfix start (postfix-script, master) in the sample bundles."""
    patterns = (
        re.compile(r"^starting the Postfix mail system"),
        re.compile(r"^daemon started"),
    )
    found: list[TemplateLine] = []
    for pattern in patterns:
        for templates in library.scenarios.values():
            line = next(
                (
                    t.lines[0]
                    for t in templates
                    if len(t.lines) == 1
                    and isinstance(t.lines[0].parts[0], str)
                    and pattern.match(t.lines[0].parts[0])
                ),
                None,
            )
            if line is not None:
                found.append(replace(line, role=RESTART))
                break
    return found


def _is_noise(template: Template) -> bool:
    if template.is_message or not template.complete:
        return False
    program = template.lines[0].program
    if (
        not program.startswith("postfix")
        or program.rsplit("/", 1)[-1] not in NOISE_DAEMONS
    ):
        return False
    return not any(
        isinstance(part, str) and HOST_FAULT.search(part)
        for line in template.lines
        for part in line.parts
    )


def _release_line(queue_id: str) -> TemplateLine:
    return TemplateLine(
        offset=0.0,
        program="",
        pid=None,
        parts=(),
        queue_id=queue_id,
        role=SILENT_RELEASE,
    )


def _retimed(template: Template, start: float, rng) -> list[float]:
    """Return line times with each retry moved to Postfix's back-off schedule.

    The sample bundles were made with back-off times of seconds; a real queue
    waits ``clamp(age, MIN_BACKOFF, MAX_BACKOFF)`` plus up to one queue scan.
    """
    shift = 0.0
    arrival: dict[str, float] = {}
    last_attempt: dict[str, float] = {}
    times = []
    for line in template.lines:
        moment = start + line.offset + shift
        queue_id = line.queue_id
        if queue_id is not None:
            arrival.setdefault(queue_id, moment)
        if line.role == "active" and queue_id in last_attempt:
            previous = last_attempt[queue_id]
            backoff = min(MAX_BACKOFF, max(MIN_BACKOFF, previous - arrival[queue_id]))
            wanted = previous + backoff + rng.uniform(0, QUEUE_RUN_DELAY)
            if wanted > moment:
                shift += wanted - moment
                moment = wanted
        if line.role == "active" and queue_id is not None:
            last_attempt[queue_id] = moment
        times.append(moment)
    return times
