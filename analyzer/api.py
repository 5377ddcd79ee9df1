"""The library entry point: analyze a bundle and get its frames and findings."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pandas as pd

from analyzer import memory, progress
from analyzer.analysis import stats
from analyzer.analysis.findings import Context, Finding, diagnose, findings_frame
from analyzer.analysis.frames import (
    TEXT_ROW,
    TEXT_STORE,
    attach_texts,
    events_frame,
    with_texts,
)
from analyzer.analysis.hosts import HostView, assign_member_hosts, build_hosts
from analyzer.analysis.queued import queued_only
from analyzer.analysis.timeline import FIELD_KINDS as TIMELINE_FIELD_KINDS
from analyzer.analysis.timeline import build_timeline
from analyzer.bundle.limits import Limits
from analyzer.load import (
    LoadedBundle,
    LoadOptions,
    load_bundle,
    merge_events,
    oldest_first,
)
from analyzer.parse.queue import QUEUE_COLUMNS
from analyzer.schema import conform

logger = logging.getLogger(__name__)


@dataclass
class Analysis:
    """Everything mailbundle knows about one bundle."""

    bundle: LoadedBundle
    event_fields: pd.DataFrame
    """The events without their text: a ``text_row`` column and the frame's
    ``TextStore`` give it (``analysis.frames.line_texts``). ``events`` is the
    documented frame, text included."""
    messages: pd.DataFrame
    deliveries: pd.DataFrame
    recipients: pd.DataFrame
    queue: pd.DataFrame
    findings: list[Finding]
    hosts: dict[str, HostView]
    now: pd.Timestamp
    """When the bundle was made, as far as it shows: the reference for ages."""
    zone: tzinfo
    duplicates_dropped: int = 0
    cache: dict[str, object] = field(default_factory=dict)

    @property
    def events(self) -> pd.DataFrame:
        """The events frame of the schema, with the text of every line. The text
        is read back on first use (105 MiB for a 1M-line log) and kept."""
        if "events" not in self.cache:
            frame = conform("events", with_texts(self.event_fields))
            frame.index = self.event_fields.index
            self.cache["events"] = frame
        return cast(pd.DataFrame, self.cache["events"])

    @property
    def findings_frame(self) -> pd.DataFrame:
        """The findings as a frame, with the columns and dtypes of the schema."""
        return conform("findings", findings_frame(self.findings))

    @property
    def partial(self) -> bool:
        return self.bundle.inventory.partial

    # The summary and the report both ask for these: each is computed on first
    # use and kept in ``cache``, so the frames must not change after analysis.

    def totals(self) -> stats.Totals:
        if "totals" not in self.cache:
            self.cache["totals"] = stats.message_totals(
                self.event_fields, self.messages, self.deliveries
            )
        return cast(stats.Totals, self.cache["totals"])

    def pflogsumm_totals(self) -> dict[str, int]:
        if "pflogsumm_totals" not in self.cache:
            self.cache["pflogsumm_totals"] = stats.pflogsumm_totals(
                self.event_fields, self.deliveries
            )
        return cast(dict[str, int], self.cache["pflogsumm_totals"])

    def traffic(self, freq: str = "h", notices: bool = True) -> pd.DataFrame:
        """Received, delivered, deferred, bounced and rejected per period; see
        ``stats.traffic``."""
        key = f"traffic:{freq}:{notices}"
        if key not in self.cache:
            self.cache[key] = stats.traffic(
                self.event_fields,
                self.messages,
                self.deliveries,
                freq,
                str(self.zone),
                notices,
            )
        return cast(pd.DataFrame, self.cache[key])

    def deferrals(self, *names: str) -> dict[str, pd.DataFrame]:
        """Deferral tables by name; all of ``stats.DEFERRAL_TABLES`` when none
        are named. Each table is computed once, on its first request."""
        requested = names or tuple(stats.DEFERRAL_TABLES)
        tables = cast(dict[str, pd.DataFrame], self.cache.setdefault("deferrals", {}))
        missing = [name for name in requested if name not in tables]
        if missing:
            tables.update(stats.deferral_stats(self.deliveries, missing))
        return {name: tables[name] for name in requested}

    def qshape(self) -> pd.DataFrame:
        if "qshape" not in self.cache:
            current = self.queue[self.queue["in_newest_listing"].astype(bool)]
            self.cache["qshape"] = stats.qshape(current, self.now)
        return cast(pd.DataFrame, self.cache["qshape"])

    @property
    def inventory(self) -> pd.DataFrame:
        """The bundle's members: one row each, with what was read and skipped."""
        return self.inventory_frame()

    def inventory_frame(self) -> pd.DataFrame:
        records = pd.DataFrame([e.as_dict() for e in self.bundle.inventory.entries])
        return conform("inventory", records)

    def frames(self) -> dict[str, pd.DataFrame]:
        """The exported frames, by their stable names (see ``analyzer.schema``).

        Each is a frame of its own: with pandas' copy-on-write, changing one
        leaves the analysis as it was, and nothing is copied until then."""
        messages = self.messages.reset_index(drop=True)
        # The lists in child_keys are objects: copy them too.
        messages["child_keys"] = [list(keys) for keys in messages["child_keys"]]
        return {
            "events": self.events.reset_index(drop=True),
            "messages": messages,
            "deliveries": self.deliveries.copy(deep=False),
            "recipients": self.recipients.reset_index(drop=True),
            "findings": self.findings_frame,
            "queue": self.queue.copy(deep=False),
            "inventory": self.inventory,
        }


def analyze_bundle(
    path: Path | str,
    *,
    year: int | None = None,
    timezone: str | tzinfo = "UTC",
    today: date | None = None,
    limits: Limits | None = None,
    password: str | None = None,
) -> Analysis:
    """Load, parse and analyze the bundle at ``path``.

    ``year`` is the year of the last line of BSD-format logs (which carry none);
    ``timezone`` is the zone of timestamps that carry none.
    """
    if year is not None and (not isinstance(year, int) or isinstance(year, bool)):
        raise TypeError(f"year must be a whole number such as 2026, not {year!r}")
    zone = ZoneInfo(timezone) if isinstance(timezone, str) else timezone
    options = LoadOptions(
        year=year,
        zone=zone,
        today=today,
        limits=limits or Limits(),
        password=password,
        field_kinds=TIMELINE_FIELD_KINDS,
    )
    started = time.perf_counter()
    bundle = load_bundle(path, options)
    read = sum(1 for e in bundle.inventory.entries if e.status in ("read", "partial"))
    logger.info(
        "%s: read %d of %d members in %.1f s; logs: %d, lines: %s",
        path,
        read,
        len(bundle.inventory.entries),
        time.perf_counter() - started,
        len(bundle.logs),
        f"{sum(log.stats.lines for log in bundle.logs):,}",
    )
    for entry in bundle.inventory.entries:
        if entry.status not in ("read", "partial") and entry.kind != "archive":
            logger.info("%s: %s (%s)", entry.path, entry.status, entry.detail)
    return analyze_loaded(bundle)


def analyze_loaded(bundle: LoadedBundle) -> Analysis:
    """Analyze an already loaded bundle."""
    started = time.perf_counter()
    progress.stage("Building message timelines")
    memory.release()
    merged, fields, duplicates, texts = merge_events(
        oldest_first(bundle.logs), TIMELINE_FIELD_KINDS
    )
    events = events_frame(merged)
    del merged
    events.attrs[TEXT_STORE] = texts
    timeline = build_timeline(events, fields)
    del fields, events  # the timeline contains what is still needed
    memory.release()
    hosts = build_hosts(bundle, timeline.events)
    assign_member_hosts(bundle, hosts)
    now = _reference_time(bundle, timeline.events)
    queue = _queue_frame(bundle, hosts, now)
    # The keys index these frames for lookups (.loc[key]), but the index levels
    # stay unnamed: a level named like the column it repeats makes pandas reject
    # merge, groupby and sort_values on that column as ambiguous.
    origins = {
        name: view.config.get("myorigin")
        for name, view in hosts.items()
        if view.config is not None and view.config.get("append_at_myorigin") == "yes"
    }
    # myorigin = /etc/mailname (Debian) names a file that the bundle lacks, and
    # an empty value comes from a main.cf without myhostname: no domain known.
    origins = {
        name: domain
        for name, domain in origins.items()
        if domain and not domain.startswith("/")
    }
    waiting, waiting_recipients = queued_only(queue, timeline.messages, origins)
    messages = conform(
        "messages", _appended(timeline.messages.reset_index(), waiting)
    ).set_index("message_key", drop=False)
    messages.index.name = None
    recipients = conform(
        "recipients",
        _appended(timeline.recipients.reset_index(), waiting_recipients),
    ).set_index(["message_key", "recipient"], drop=False)
    recipients.index.names = [None, None]
    event_fields = conform("events", timeline.events, leave_out=("text",))
    attach_texts(event_fields, texts, timeline.events[TEXT_ROW].to_numpy())
    analysis = Analysis(
        bundle=bundle,
        event_fields=event_fields,
        messages=messages,
        deliveries=conform("deliveries", timeline.deliveries),
        recipients=recipients,
        queue=conform("queue", queue),
        findings=[],
        hosts=hosts,
        now=now,
        zone=bundle.options.zone,
        duplicates_dropped=duplicates,
    )
    # The conformed frames replace the timeline's, whose converted columns go.
    del timeline
    memory.release()
    context = Context(
        events=analysis.event_fields,
        messages=analysis.messages,
        deliveries=analysis.deliveries,
        recipients=analysis.recipients,
        hosts=hosts,
        queue=queue,
        inventory=bundle.inventory,
        now=now,
        zone=bundle.options.zone,
    )
    progress.stage("Diagnosing")
    analysis.findings = diagnose(context)
    memory.release()
    # Counted as the summary counts them: a hand-off copy is the same message.
    copies = int(messages["final_state"].eq("handed_off").sum())
    logger.info(
        "analyzed %s messages (and %s hand-off copies) and %s events in %.1f s; "
        "findings: %d",
        f"{len(messages) - copies:,}",
        f"{copies:,}",
        f"{len(analysis.event_fields):,}",
        time.perf_counter() - started,
        len(analysis.findings),
    )
    return analysis


def _appended(frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with ``rows`` after its own, or ``frame`` itself."""
    if rows.empty:
        return frame
    return pd.concat([frame, rows], ignore_index=True)


def _queue_frame(
    bundle: LoadedBundle, hosts: dict[str, HostView], now: pd.Timestamp
) -> pd.DataFrame:
    """All queue listings as one frame, each message and recipient once.

    A bundle often holds both ``mailq`` and ``postqueue -j`` output of the same
    queue; the JSON is kept, being exact (arrival times with year, queue names).
    Listings of one bundle may be taken hours apart, so a message counts as
    queued only when its host's newest listing shows it, and its
    ``listing_time`` is the time of the newest listing that shows it.
    """
    host_of = {q.source: view.name for view in hosts.values() for q in view.queues}
    _set_listing_times(bundle, now)
    listings = sorted(
        (q for q in bundle.queues if q.rows), key=lambda q: q.format != "postqueue_json"
    )
    if not listings:
        frame = pd.DataFrame(columns=[*QUEUE_COLUMNS, "host", "listing_time"])
        frame["arrival_time"] = pd.to_datetime(frame["arrival_time"], utc=True)
        frame["listing_time"] = pd.to_datetime(frame["listing_time"], utc=True)
        frame["in_newest_listing"] = pd.Series(dtype=bool)
        return frame
    frame = pd.concat([q.frame() for q in listings], ignore_index=True)
    frame["arrival_time"] = pd.to_datetime(frame["arrival_time"], utc=True)
    frame["host"] = frame["source"].map(host_of)
    taken = {q.source: pd.Timestamp(q.taken) for q in listings if q.taken}
    frame["listing_time"] = pd.to_datetime(frame["source"].map(taken), utc=True)
    # Key rows by host and queue ID as strings, so that a listing of no known
    # host still groups with itself.
    message = frame["host"].astype(str) + " " + frame["queue_id"].astype(str)
    frame["listing_time"] = frame.groupby(message)["listing_time"].transform("max")
    newest = {}
    for view in hosts.values():
        made = [q.taken for q in view.queues if q.taken and (q.rows or q.empty)]
        if made:
            newest[view.name] = pd.Timestamp(max(made))
    newest_time = pd.to_datetime(frame["host"].map(newest), utc=True)
    frame["in_newest_listing"] = (
        (frame["listing_time"] >= newest_time) | newest_time.isna()
    ).astype(bool)
    return frame.drop_duplicates(["host", "queue_id", "recipient"], keep="first")


def _set_listing_times(bundle: LoadedBundle, now: pd.Timestamp) -> None:
    """Set each listing's ``taken`` to when it was made: its file time (else
    ``now``), or its newest arrival when that is later, because a listing is
    made after every arrival it lists."""
    for listing in bundle.queues:
        if not listing.rows and not listing.empty:
            continue
        taken = pd.Timestamp(listing.taken) if listing.taken else now
        arrivals = pd.to_datetime(listing.frame()["arrival_time"], utc=True).dropna()
        if len(arrivals) and arrivals.max() > taken:
            taken = arrivals.max()
        listing.taken = taken.to_pydatetime()


def _reference_time(bundle: LoadedBundle, events: pd.DataFrame) -> pd.Timestamp:
    candidates = []
    if bundle.captured is not None:
        candidates.append(pd.Timestamp(bundle.captured))
    if len(events) and events["time"].notna().any():
        candidates.append(events["time"].max())
    if not candidates:
        today = bundle.options.today
        return pd.Timestamp(today, tz=UTC) if today else pd.Timestamp.now(tz=UTC)
    return max(candidates)
