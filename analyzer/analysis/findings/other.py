"""Findings from configuration, queue listings, Postfix's own health and the bundle."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, tzinfo

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.analysis.findings.context import (
    EVIDENCE_LINES,
    Context,
    config_evidence,
    is_self,
    log_evidence,
    parse_relayhost,
)
from analyzer.analysis.findings.model import Evidence, Finding, quoted_reasons
from analyzer.analysis.frames import add_text, line_texts
from analyzer.analysis.hosts import HostView, config_conflicts, main_is_newer
from analyzer.bundle.inventory import (
    KIND_JOURNAL,
    KIND_MAILLOG,
    STATUS_ERROR,
    STATUS_PARTIAL,
    STATUS_READ,
    STATUS_REJECTED,
)
from analyzer.parse.config import MainConfig
from analyzer.parse.queue import QueueListing

BACKLOG_WARNING = 100
"""Queued messages from which a backlog is worth a warning."""
BACKLOG_ERROR = 1000
"""Queued messages from which a backlog is an error (QRadar outages leave thousands)."""
BACKLOG_PRIORITY = 89
"""Rank of a backlog among findings of its severity, when nothing explains it."""
BURST_MESSAGES = 300
"""Submissions within BURST_WINDOW that count as a burst."""
BURST_WINDOW = pd.Timedelta(minutes=10)
BURST_FACTOR = 4
"""How many times the host's usual submissions per BURST_WINDOW a burst must
also reach, where the log spans BURST_BASELINE_WINDOWS windows or more. A busy
relay submits hundreds of messages in every window, and that is no burst."""
BURST_BASELINE_WINDOWS = 6


def config_findings(ctx: Context, existing: set[tuple[str, str]]) -> list[Finding]:
    """Settings that will cause trouble, unless a log finding already shows it."""
    findings = []
    for host, view in ctx.hosts.items():
        config = view.config
        if config is None:
            continue
        relay = parse_relayhost(config.get("relayhost"))
        shown = {code for h, code in existing if h == host}
        evidence = config_evidence(config, "relayhost")
        params: dict[str, object] = {"relayhost": config.get("relayhost")}
        if relay is None:
            if not shown & {"localhost-loop", "dns-lookup-failed"}:
                findings.append(
                    _config_finding("relayhost-not-set", "info", host, evidence, params)
                )
        elif is_self(relay.host, view, config):
            if not shown & {"localhost-loop", "myhostname-conflict"}:
                findings.append(
                    _config_finding(
                        "relayhost-loopback", "warning", host, evidence, params
                    )
                )
        elif (
            not relay.bracketed
            and not relay.is_address
            and not shown & {"relayhost-mx-lookup", "relay-connection-failed:via_mx"}
        ):
            params["name"] = relay.host
            params["source"] = config.source
            evidence += _bracketed_on_disk(view, relay.host, params)
            if "variant" not in params:
                evidence += _delivered_via_mx(ctx, host, relay.host, params)
            findings.append(
                _config_finding(
                    "relayhost-unbracketed", "warning", host, evidence, params
                )
            )
        conflict = conflict_finding(host, view)
        if conflict is not None:
            findings.append(conflict)
        # main.cf on disk is what the next reload applies, even while the
        # findings read the postconf -n output.
        commented = inline_comment_finding(host, view.main or config, config)
        if commented is not None:
            findings.append(commented)
        origin = config.get("myorigin")
        literal = (
            config.is_set("myorigin") and "$" not in config.settings["myorigin"].value
        )
        if not config.is_set("myhostname") and not literal:
            # The sender domain then comes from the machine's name, which a syslog
            # short name does not show. Without logged senders it is unknown.
            origin = _logged_origin(ctx, host) or ""
        unqualified = "." not in origin or origin.lower().endswith(".localdomain")
        if origin and unqualified and "sender-address-rejected" not in shown:
            findings.append(
                _config_finding(
                    "myorigin-not-fqdn",
                    "warning",
                    host,
                    config_evidence(config, "myorigin")
                    + config_evidence(config, "myhostname"),
                    {"sender_domain": origin},
                )
            )
    return findings


def conflict_finding(host: str, view: HostView) -> Finding | None:
    """Warn when main.cf and ``postconf -n`` output disagree on a parameter that
    the findings read, quoting both lines, and name the one the findings use."""
    main, postconf = view.main, view.postconf
    if main is None or postconf is None:
        return None
    names = config_conflicts(main, postconf)
    if not names:
        return None
    evidence = []
    for name in names:
        for config in (main, postconf):
            setting = config.settings.get(name)
            if setting is None:
                text = f"({name} is not set)"
                evidence.append(Evidence(config.source, None, text, "config"))
            else:
                evidence.append(
                    Evidence(config.source, setting.line_no, setting.text, "config")
                )
    compared = [
        f"{name} ({main.raw(name) or '-'} / {postconf.raw(name) or '-'})"
        for name in names
    ]
    params: dict[str, object] = {
        "main": main.source,
        "postconf": postconf.source,
        "parameters": ", ".join(names),
        "values": ", ".join(compared),
        "variant": "main_newer" if main_is_newer(main, postconf) else "",
    }
    return _config_finding("config-conflict", "warning", host, evidence, params)


def _bracketed_on_disk(
    view: HostView, name: str, params: dict[str, object]
) -> list[Evidence]:
    """Set the "main_fixed" variant and return main.cf's relayhost line when the
    configuration in use has ``name`` without brackets but main.cf has them."""
    main = view.main
    if main is None or main is view.config:
        return []
    on_disk = parse_relayhost(main.get("relayhost"))
    if on_disk is None or not on_disk.bracketed or on_disk.host != name:
        return []
    params["variant"] = "main_fixed"
    params["main"] = main.source
    return config_evidence(main, "relayhost")


def inline_comment_finding(
    host: str, config: MainConfig, in_use: MainConfig
) -> Finding | None:
    """Warn about settings of ``config`` with a comment after the value, which
    Postfix keeps. ``in_use`` is the configuration the findings read: when it
    is another file without those comments, they apply from the next reload."""
    commented = [s for s in config.settings.values() if s.comment]
    if not commented:
        return None
    loaded = [in_use.settings.get(s.name) for s in commented]
    pending = config is not in_use and not any(s and s.comment for s in loaded)
    names = ", ".join(f"{s.name} (line {s.line_no})" for s in commented)
    evidence = [Evidence(config.source, s.line_no, s.text, "config") for s in commented]
    params: dict[str, object] = {
        "source": config.source,
        "count": len(commented),
        "parameters": names,
        "variant": "not_in_use" if pending else "",
    }
    return _config_finding("config-inline-comment", "warning", host, evidence, params)


def _logged_origin(ctx: Context, host: str) -> str | None:
    """Return the most frequent sender domain of mail submitted on ``host``
    (pickup, sendmail), or None when the log shows none."""
    messages = ctx.messages
    local = (messages["host"] == host) & (messages["origin"] == "local")
    senders = messages["sender"][local.to_numpy(dtype=bool, na_value=False)].dropna()
    with_domain = senders[senders.str.contains("@", regex=False)]
    if with_domain.empty:
        return None
    domains = with_domain.str.rpartition("@")[2]
    counts = domains[domains != ""].value_counts()
    return str(counts.index[0]) if len(counts) else None


def _delivered_via_mx(
    ctx: Context, host: str, name: str, params: dict[str, object]
) -> list[Evidence]:
    """Quote a delivery to a server that relayhost does not name, when every SMTP
    delivery of ``host`` went to such servers: the MX lookup of ``name`` worked
    and gave other servers. Sets the "mx_used" variant and its servers."""
    sent = ctx.sent_by_smtp
    own = sent[(sent["host"] == host).to_numpy(dtype=bool, na_value=False)]
    servers = own["relay_host"].astype(object).dropna().str.lower()
    if servers.empty or (servers == name.lower()).any():
        return []
    params["variant"] = "mx_used"
    params["servers"] = ", ".join(servers.value_counts().index[:3])
    delivered = ctx.deliveries.loc[own.index[:1], "event"].tolist()
    return log_evidence(ctx.events, delivered)


def _config_finding(
    code: str,
    severity: str,
    host: str,
    evidence: list[Evidence],
    params: dict[str, object],
) -> Finding:
    return Finding(code=code, severity=severity, host=host, evidence=evidence,
                   params=params, priority=40)  # fmt: skip


def queue_findings(ctx: Context) -> list[Finding]:
    findings = []
    for host, view in ctx.hosts.items():
        listing = max(view.queues, key=lambda q: q.message_count, default=None)
        rows = _queued_rows(ctx, host)
        stuck = _message_times(
            ctx,
            (ctx.messages["host"] == host)
            & ctx.messages["final_state"].isin(["deferred"]),
        )
        count = max(int(rows["queue_id"].nunique()), len(stuck))
        if count >= BACKLOG_WARNING:
            findings.append(_backlog(ctx, host, count, listing, stuck))
        held = _held_count(ctx, host, view)
        if held:
            findings.append(_held(ctx, host, held))
        burst = _burst(ctx, host)
        if burst is not None:
            findings.append(burst)
        differ = _listings_differ(ctx, host, view.queues)
        if differ is not None:
            findings.append(differ)
        findings += _empty_listings(ctx, host, view.queues)
    return findings


def _queued_rows(ctx: Context, host: str) -> pd.DataFrame:
    """Return the queue rows of ``host`` that its newest listing shows."""
    queue = ctx.queue
    if queue.empty:
        return queue
    mask = (queue["host"] == host) & queue["in_newest_listing"].astype(bool)
    return queue[mask.to_numpy(dtype=bool, na_value=False)]


def _listings_differ(
    ctx: Context, host: str, listings: list[QueueListing]
) -> Finding | None:
    """Note listings of one host that list different messages, an empty listing
    included: they were taken at different times, and the messages that the
    newest one no longer shows left the queue in between."""
    listed = sorted(
        (q for q in listings if q.rows or q.empty),
        key=lambda q: _captured(ctx, q.source),
    )
    ids = [{str(row["queue_id"]) for row in q.rows} for q in listed]
    if len(listed) < 2 or all(queue_ids == ids[0] for queue_ids in ids[1:]):
        return None

    times = [_captured(ctx, listing.source) for listing in listed]
    newest_time = max(times)
    newest: set[str] = set()
    for queue_ids, captured in zip(ids, times, strict=True):
        if captured == newest_time:
            newest |= queue_ids
    every = set.union(*ids)

    parts = []
    evidence = []
    for listing, queue_ids, captured in zip(listed, ids, times, strict=True):
        parts.append([listing.source, len(queue_ids), ctx.clock(captured)])
        line_no: int | None
        if listing.rows:
            row = listing.rows[0]
            line_no, text = int(str(row["line_no"])), str(row["queue_id"])
        else:
            line_no, text = listing.empty_line_no, "Mail queue is empty"
        evidence.append(Evidence(listing.source, line_no, text, "queue"))
    return Finding(
        code="queue-listings-differ",
        severity="info",
        host=host,
        messages_affected=len(every),
        evidence=evidence,
        params={
            "listings": "; ".join(
                f"{source} ({count:,} message{'' if count == 1 else 's'}, made {listed_at})"
                for source, count, listed_at in parts
            ),
            "listing_parts": parts,
            "shared": f"{len(set.intersection(*ids)):,}",
            "total": f"{len(every):,}",
            "gone": f"{len(every - newest):,}",
            "newest": ctx.clock(newest_time),
        },
        priority=30,
    )


def _empty_listings(
    ctx: Context, host: str, listings: list[QueueListing]
) -> list[Finding]:
    """Point out a listing of an empty queue while the log ends with messages
    still deferred on the same host."""
    messages = ctx.messages
    stuck = _message_times(
        ctx, (messages["host"] == host) & (messages["final_state"] == "deferred")
    )
    host_times = ctx.events["time"][
        (ctx.events["host"] == host).to_numpy(dtype=bool, na_value=False)
    ]
    last_line = host_times.max() if len(host_times) else pd.NaT
    findings = []
    for listing in listings:
        if not listing.empty or listing.rows or stuck.empty:
            continue
        taken = _captured(ctx, listing.source)
        # Mail may have left the queue between the last log line and the listing.
        later = pd.notna(last_line) and taken > last_line
        evidence = [
            Evidence(
                listing.source, listing.empty_line_no, "Mail queue is empty", "queue"
            )
        ]
        evidence += log_evidence(ctx.events, _last_events(ctx, stuck.index[:2]))
        findings.append(
            Finding(
                code="queue-listing-empty",
                severity="info" if later else "warning",
                host=host,
                messages_affected=len(stuck),
                first_seen=stuck["first_seen"].min(),
                last_seen=stuck["last_seen"].max(),
                evidence=evidence,
                params={
                    "source": listing.source,
                    "count": f"{len(stuck):,}",
                    "taken": ctx.clock(taken),
                    "last_line": ctx.clock(last_line) if pd.notna(last_line) else "?",
                    "variant": "later" if later else "",
                },
                message_keys=stuck.index.tolist(),
                priority=30,
            )
        )
    return findings


def _message_times(ctx: Context, mask: pd.Series) -> pd.DataFrame:
    """Return the first and last times of the messages where ``mask`` is true (a
    null counts as false), without copying their other columns."""
    times = ctx.messages[["first_seen", "last_seen"]]
    return times[mask.to_numpy(dtype=bool, na_value=False)]


def _backlog(
    ctx: Context,
    host: str,
    count: int,
    listing: QueueListing | None,
    stuck: pd.DataFrame,
) -> Finding:
    evidence: list[Evidence] = []
    rows = _queued_rows(ctx, host)
    params: dict[str, object] = {"count": f"{count:,}"}
    first_seen = stuck["first_seen"].min() if len(stuck) else None
    last_seen = stuck["last_seen"].max() if len(stuck) else None
    variant = "log"
    if listing is not None and len(rows):
        oldest = rows["arrival_time"].min()
        params["oldest"] = ctx.clock(oldest)
        first_seen, last_seen = oldest, rows["arrival_time"].max()
        taken = _captured(ctx, listing.source)
        variant, resolved = _backlog_outcome(ctx, rows, taken)
        params[variant] = f"{resolved:,}"
        for _, row in rows.drop_duplicates("queue_id").head(3).iterrows():
            evidence.append(
                Evidence(
                    str(row["source"]), int(row["line_no"]), _queue_text(row), "queue"
                )
            )
    params["variant"] = variant
    if len(stuck):
        evidence += log_evidence(ctx.events, _last_events(ctx, stuck.index[:2]))
    waiting = variant in ("", "log")
    return Finding(
        code="queue-backlog",
        severity="error" if waiting and count >= BACKLOG_ERROR else "warning",
        host=host,
        messages_affected=count,
        first_seen=first_seen,
        last_seen=last_seen,
        evidence=evidence,
        params=params,
        message_keys=stuck.index.tolist(),
        priority=BACKLOG_PRIORITY,
    )


def _captured(ctx: Context, source: str) -> pd.Timestamp:
    """Return when the queue listing at ``source`` was made: the time the analysis
    set on the listing, else its file time, else the bundle's time."""
    for view in ctx.hosts.values():
        for listing in view.queues:
            if listing.source == source and listing.taken is not None:
                return pd.Timestamp(listing.taken)
    for entry in ctx.inventory.entries:
        if entry.path == source and entry.mtime is not None:
            return pd.Timestamp(entry.mtime)
    return ctx.now


def _backlog_outcome(
    ctx: Context, rows: pd.DataFrame, captured: pd.Timestamp
) -> tuple[str, int]:
    """Whether the listed messages are still waiting ("") or the log shows them
    deleted or delivered after the listing was taken, and how many."""
    listed = set(rows["queue_id"].dropna())
    later = ctx.messages[
        ctx.messages["queue_id"].isin(listed) & (ctx.messages["last_seen"] >= captured)
    ]
    outcomes = later["final_state"].value_counts()
    deleted = int(outcomes.get("deleted", 0))
    delivered = int(outcomes.get("delivered", 0))
    if max(deleted, delivered) * 2 < len(listed):
        return "", 0
    return ("deleted", deleted) if deleted >= delivered else ("delivered", delivered)


def _queue_text(row: pd.Series) -> str:
    reason = f" ({row['reason']})" if pd.notna(row["reason"]) else ""
    arrival = row["arrival_time"]
    when = f"{arrival:%a %b %d %H:%M:%S}" if pd.notna(arrival) else "?"
    return f"{row['queue_id']} {row['size']} {when} {row['sender'] or 'MAILER-DAEMON'} -> {row['recipient']}{reason}"


def _last_events(ctx: Context, keys: pd.Index) -> list[int]:
    message_keys = ctx.events["message_key"]
    chosen = message_keys.isin(list(keys)).to_numpy() & ctx.of_kind("delivery")
    keyed = message_keys[chosen]
    return [int(row) for row in keyed.groupby(keyed).tail(1).index]


def _held_count(ctx: Context, host: str, view: object) -> int:
    held_log = int(
        ((ctx.messages["host"] == host) & (ctx.messages["final_state"] == "held")).sum()
    )
    rows = _queued_rows(ctx, host)
    rows = rows[rows["queue_name"] == "hold"] if len(rows) else rows
    return max(held_log, int(rows["queue_id"].nunique()) if len(rows) else 0)


def _held(ctx: Context, host: str, count: int) -> Finding:
    held = _message_times(
        ctx, (ctx.messages["host"] == host) & (ctx.messages["final_state"] == "held")
    )
    rows = ctx.events[
        ctx.events["message_key"].isin(list(held.index)) & ctx.of_kind("held", "hold")
    ]
    evidence = log_evidence(ctx.events, rows.index)
    first_seen = rows["time"].min() if len(rows) else None
    last_seen = rows["time"].max() if len(rows) else None
    listed = _queued_rows(ctx, host)
    listed = listed[(listed["queue_name"] == "hold").to_numpy(dtype=bool)]
    if not evidence and len(listed):
        # Only the queue listing shows the hold ("!" after the queue ID in mailq).
        listed = listed.drop_duplicates("queue_id")
        evidence = [
            Evidence(str(r["source"]), int(r["line_no"]), _queue_text(r), "queue")
            for _, r in listed.head(EVIDENCE_LINES).iterrows()
        ]
        arrivals = listed["arrival_time"].dropna()
        first_seen = arrivals.min() if len(arrivals) else None
        last_seen = arrivals.max() if len(arrivals) else None
    params: dict[str, object] = {"count": count}
    severity = "warning"
    by_checks = rows[
        (rows["daemon"] == "cleanup").to_numpy(dtype=bool, na_value=False)
        & ctx.of_kind("hold")[rows.index]
    ]
    if len(by_checks):
        # header_checks or body_checks of this host hold each new message that
        # matches, until the rule changes: releasing them does not help.
        texts = ctx.texts(by_checks.index).astype(str)
        if any(_CHECKED_LINE.search(text) for text in texts):
            params["variant"] = "content_check"
            params["checked"] = f"{len(by_checks):,}"
            params.update(_content_check_probe(texts, ctx.config(host)))
            severity = "error"
            if not _checks_set(ctx, host):
                # The bundle's configuration contains no such rule any more.
                params["variant"] = "content_check_gone"
                severity = "warning"
    return Finding(
        code="messages-on-hold",
        severity=severity,
        host=host,
        messages_affected=count,
        first_seen=first_seen,
        last_seen=last_seen,
        evidence=evidence,
        params=params,
        message_keys=held.index.tolist(),
        priority=70,
    )


def _checks_set(ctx: Context, host: str) -> bool:
    """Return whether header_checks or body_checks may be set on ``host``: in
    main.cf, in a master.cf service's -o option, or in a bundle without main.cf."""
    view = ctx.host_view(host)
    config = view.config if view else None
    if config is None:
        return True
    names = ("header_checks", "body_checks")
    if any(config.get(name) for name in names):
        return True
    services = view.master.services if view and view.master else []
    return any(name in service.options for service in services for name in names)


def _burst(ctx: Context, host: str) -> Finding | None:
    births = _message_times(
        ctx,
        (ctx.messages["host"] == host) & ctx.messages["origin"].isin(["local", "smtp"]),
    )
    if len(births) < BURST_MESSAGES:
        return None
    times = births["first_seen"].sort_values().reset_index(drop=True)
    window_end = times.searchsorted(times + BURST_WINDOW, side="right")
    sizes = window_end - times.index.to_numpy()
    start = int(sizes.argmax())
    if sizes[start] < BURST_MESSAGES:
        return None
    end = int(window_end[start]) - 1
    usual = _usual_per_window(times)
    if usual is not None and sizes[start] < BURST_FACTOR * usual:
        return None
    burst = births.sort_values("first_seen").index[start : end + 1]
    keys = burst[:EVIDENCE_LINES]
    arrivals = ctx.events["message_key"].isin(list(keys)).to_numpy(dtype=bool)
    rows = np.flatnonzero(arrivals & ctx.of_kind("pickup", "client"))
    return Finding(
        code="submission-burst",
        severity="warning",
        host=host,
        messages_affected=int(sizes[start]),
        first_seen=times[start],
        last_seen=times[end],
        evidence=log_evidence(ctx.events, rows[:EVIDENCE_LINES]),
        params={
            "count": int(sizes[start]),
            "burst_start": ctx.clock(times[start], seconds=True),
            "burst_end": ctx.clock(times[end], seconds=True, date=False),
        },
        # The burst's messages: once they are delivered, the burst is over.
        message_keys=[str(key) for key in burst],
        priority=35,
    )


def _usual_per_window(times: pd.Series) -> float | None:
    """Return the median submissions per BURST_WINDOW over the log's span, quiet
    windows included, or None when the span is too short to show a usual rate."""
    span = times.iloc[-1] - times.iloc[0]
    if span < BURST_WINDOW * BURST_BASELINE_WINDOWS:
        return None
    window = ((times - times.iloc[0]) // BURST_WINDOW).to_numpy(dtype=np.int64)
    counts = np.bincount(window)
    return float(np.median(counts))


def expiry_findings(ctx: Context) -> list[Finding]:
    messages = ctx.messages
    # Expired notices (from=<>) are reported with the notices that failed.
    own = ~messages["sender"].eq("").to_numpy(dtype=bool, na_value=False)
    expired = messages[
        (messages["final_state"].eq("expired") | messages["has_expired"]).to_numpy(
            dtype=bool, na_value=False
        )
        & own
    ]
    findings = []
    for host, group in expired.groupby("host", sort=False):
        rows = ctx.events[
            ctx.events["message_key"].isin(list(group.index)) & ctx.of_kind("expired")
        ]
        config = ctx.config(str(host))
        params: dict[str, object] = {"count": len(group)}
        if config is not None and config.is_set("maximal_queue_lifetime"):
            params["lifetime"] = config.get("maximal_queue_lifetime")
        else:
            params.update(_lifetime_from_log(ctx, group, rows))
        findings.append(
            Finding(
                code="messages-expired",
                severity="error",
                host=str(host),
                messages_affected=len(group),
                first_seen=group["first_seen"].min(),
                last_seen=group["last_seen"].max(),
                evidence=log_evidence(ctx.events, rows.index)
                + config_evidence(config, "maximal_queue_lifetime"),
                params=params,
                message_keys=list(group.index),
                priority=89,
            )
        )
    return findings


DEFAULT_QUEUE_LIFETIME = "5d"
"""maximal_queue_lifetime when main.cf does not set it: Postfix's default."""
DEFAULT_QUEUE_SECONDS = 5 * 86400
EXPIRY_ATTEMPT = pd.Timedelta(minutes=5)
"""How long before an expiry a delivery attempt may end and still give the
message's age at expiry. Postfix logs the expiry right after the last attempt."""


def _lifetime_from_log(
    ctx: Context, group: pd.DataFrame, expiries: pd.DataFrame
) -> dict[str, str]:
    """Return the parameters of an expiry finding whose lifetime main.cf does
    not set: the default, or the shorter lifetime that the log shows.

    Postfix returns a message when an attempt fails temporarily after its time
    in the queue reached maximal_queue_lifetime (postconf(5)), so the age at
    expiry is an upper bound of the lifetime. The age is the delay= of the last
    attempt shortly before the expiry. Bounce notices (sender <>) expire by bounce_queue_lifetime and are left out.
    """
    default = {"lifetime": DEFAULT_QUEUE_LIFETIME, "variant": "default"}
    senders = group["sender"].reindex(expiries["message_key"].to_numpy())
    own = expiries[(senders.to_numpy(dtype=object) != "")]
    if own.empty:
        return default
    expired_at = own.groupby("message_key", observed=True)["time"].min()
    deliveries = ctx.deliveries
    attempts = deliveries[deliveries["message_key"].isin(list(expired_at.index))]
    attempts = attempts[["message_key", "time", "delay"]].dropna()
    limit = attempts["message_key"].map(expired_at)
    recent = (attempts["time"] <= limit) & (attempts["time"] >= limit - EXPIRY_ATTEMPT)
    before = attempts[recent.to_numpy(dtype=bool)]
    if before.empty:
        return default
    ages = before.sort_values("time").groupby("message_key", observed=True)["delay"]
    last = ages.last()
    if last.min() >= DEFAULT_QUEUE_SECONDS:
        return default
    return {
        "lifetime": DEFAULT_QUEUE_LIFETIME,
        "variant": "from_log",
        "shortest_hours": f"{last.min() / 3600:.1f}",
        "longest_hours": f"{last.max() / 3600:.1f}",
    }


_TIME_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def postfix_duration(value: str, unit: str = "d") -> pd.Timedelta | None:
    """Read a Postfix time value ("5d", "12h", "3600s"; a bare number is in
    ``unit``), or None when it is not one."""
    text = value.strip().lower()
    number = text.rstrip("smhdw")
    suffix = text[len(number) :] or unit
    if not number.isdigit() or suffix not in _TIME_UNITS:
        return None
    return pd.Timedelta(seconds=int(number) * _TIME_UNITS[suffix])


def content_check_findings(ctx: Context) -> list[Finding]:
    """Messages that this host's header_checks or body_checks rejected or
    discarded in cleanup: they never left, whatever the mail server would do."""
    events = ctx.events
    stopped = ctx.of_kind("reject", "discard") & (
        events["daemon"] == "cleanup"
    ).to_numpy(dtype=bool)
    rows = add_text(events[stopped])
    # cleanup also logs milters' decisions ("QUEUEID: milter-reject: ..."), which
    # are no header_checks or body_checks and often temporary (greylisting).
    milter = rows["text"].astype(str).str.contains(r"^(?:\w+: )?milter-", regex=True)
    rows = rows[~milter.to_numpy(dtype=bool)]
    findings = []
    for host, group in rows.groupby("host", sort=False, observed=True):
        keys = group["message_key"].dropna().unique().tolist()
        origins = ctx.messages["origin"].reindex(keys)
        # Stopped mail submitted here (the appliance's own notifications) is not
        # delivered: an error to fix. Checks that stop mail from clients do their job.
        local = bool(origins.eq("local").any())
        reasons = group["text"].str.extract(r":\s*([^:]*)$")[0].dropna()
        finding = _event_finding(
            "content-check-stopped",
            "error" if local else "info",
            str(host),
            group,
            ctx,
            85 if local else 58,
        )
        config = ctx.config(str(host))
        finding.evidence += config_evidence(config, "header_checks") + config_evidence(
            config, "body_checks"
        )
        finding.messages_affected = len(keys)
        finding.message_keys = [str(k) for k in keys]
        rejected = int(group["kind"].eq("reject").sum())
        discarded = int(group["kind"].eq("discard").sum())
        finding.params.update(
            {
                "count": f"{len(keys):,}",
                "rejected": f"{rejected:,}",
                "discarded": f"{discarded:,}",
                **quoted_reasons(r.strip() for r in reasons.value_counts().index[:2]),
                **_content_check_probe(group["text"], config),
            }
        )
        if not (rejected and discarded):
            finding.params["variant"] = "rejected" if rejected else "discarded"
        findings.append(finding)
    return findings


_CHECKED_LINE = re.compile(
    r"^(?:\w+: )?(?:reject|discard|hold): (?P<part>header|body) (?P<line>.*) from "
    r"[^\s;]+;"
)
"""cleanup's "QUEUEID: reject: header Subject: Weekly report from local;
from=<...>": the header or body line that matched, and the client."""


def _content_check_probe(texts: pd.Series, config: MainConfig | None) -> dict[str, str]:
    """Return the table (``header_checks`` or ``body_checks``, first one named)
    and the matched line of the first stopped message, shell-quoted, for a
    ``postmap -q LINE TABLE`` that shows which pattern matched."""
    found = texts.str.extract(_CHECKED_LINE).dropna()
    part, line = ("header", "Subject: ...")
    if len(found):
        part, line = str(found.iloc[0]["part"]), str(found.iloc[0]["line"])
    name = f"{part}_checks"
    tables = (config.get(name) if config else "").replace(",", " ").split()
    table = tables[0] if tables else f"regexp:/etc/postfix/{name}"
    if "`" in line or len(line) > PROBE_MAX_CHARS:
        # A backquote would end the command's code span in the report.
        line = "Subject: ..." if part == "header" else "..."
    return {"probe": shlex.quote(line), "table": shlex.quote(table)}


PROBE_MAX_CHARS = 200
"""Length above which the remedy's command shows a placeholder, not the line."""


def lifetime_findings(ctx: Context) -> list[Finding]:
    """Queued mail that arrived longer ago than maximal_queue_lifetime: Postfix
    returns it to the sender at its next attempt. Held mail waits and is left out."""
    queue = ctx.queue
    if queue.empty:
        return []
    # Messages that a newer listing no longer shows have left the queue.
    waiting = queue[
        (queue["queue_name"] != "hold").to_numpy(dtype=bool, na_value=True)
        & queue["in_newest_listing"].to_numpy(dtype=bool)
    ]
    findings = []
    for host, group in waiting.groupby("host", sort=False):
        config = ctx.config(str(host))
        setting = config.get("maximal_queue_lifetime") if config else "5d"
        lifetime = postfix_duration(setting) or pd.Timedelta(days=5)
        # Each message is measured against the time of the newest listing that
        # shows it: a bundle packed again later is newer than its listings.
        listed_at = group["listing_time"].fillna(ctx.now)
        old = group[(group["arrival_time"] < listed_at - lifetime).to_numpy(dtype=bool)]
        if old.empty:
            continue
        first = old.drop_duplicates("queue_id").sort_values("arrival_time")
        oldest_listed_at = listed_at[first.index[0]]
        findings.append(
            Finding(
                code="queue-past-lifetime",
                severity="warning",
                host=str(host),
                messages_affected=int(old["queue_id"].nunique()),
                first_seen=old["arrival_time"].min(),
                last_seen=old["arrival_time"].max(),
                evidence=[
                    Evidence(
                        str(r.source),
                        int(r.line_no),
                        f"{r.queue_id} ({ctx.clock(r.arrival_time)})",
                        "queue",
                    )
                    for r in first.head(3).itertuples()
                ]
                + config_evidence(config, "maximal_queue_lifetime"),
                params={
                    "count": f"{old['queue_id'].nunique():,}",
                    "lifetime": setting,
                    "oldest": ctx.clock(old["arrival_time"].min()),
                    "taken": ctx.clock(oldest_listed_at),
                },
                priority=60,
            )
        )
    return findings


_DISK_FULL = r"No space left on device|not enough free space|queue file write error|insufficient system storage"


_TOO_BIG = r"message file too big|File too large"
"""sendmail's fatal error and postdrop's warning for a message larger than
message_size_limit."""

_NO_INTERFACE_TEXT = "no local interface found for"
_NO_INTERFACE = _NO_INTERFACE_TEXT + r" (\S+)"
"""The fatal error of every Postfix program when inet_interfaces names an address
(::1 with inet_protocols = all) that no interface of this host has."""


def system_findings(ctx: Context) -> list[Finding]:
    findings = []
    events = ctx.events
    fatal = add_text(events[ctx.of_kind("fatal", "panic")])
    # A full disk and a message too large have their own findings, with the
    # remedies that fit.
    other = fatal["text"].str.contains(f"{_DISK_FULL}|{_TOO_BIG}", regex=True)
    fatal = fatal[~other.to_numpy(dtype=bool, na_value=False)]
    stopped = _stopped_findings(ctx)
    # The fatal error that stopped master is quoted by postfix-stopped.
    died = [f.host for f in stopped if f.params["variant"] in _MASTER_DIED]
    quoted = fatal["host"].isin(died) & (fatal["daemon"] == "master")
    fatal = fatal[~quoted.to_numpy(dtype=bool, na_value=False)]
    for host, group in fatal.groupby("host", sort=False, observed=True):
        finding = _event_finding(
            "postfix-fatal-error", "error", str(host), group, ctx, 70
        )
        missing = group["text"].str.extract(_NO_INTERFACE, expand=False)
        if missing.notna().all():
            config = ctx.config(str(host))
            address = str(missing.iloc[0])
            # ::1 with inet_protocols = all on a host without IPv6, or an
            # address that the host no longer has.
            ipv6 = ":" in address
            finding.params["variant"] = "inet_protocols" if ipv6 else "inet_interfaces"
            finding.params["address"] = address
            finding.params["protocols"] = (
                config.get("inet_protocols") if config else "?"
            )
            finding.params["interfaces"] = (
                config.get("inet_interfaces") if config else "?"
            )
            for name in ("inet_protocols", "inet_interfaces"):
                finding.evidence += config_evidence(config, name)
        elif group["text"].str.contains(_MAILBOX_LIMIT, regex=False).any():
            finding.params["variant"] = "mailbox_limit"
            sent = ctx.sent
            later = sent["time"][
                (sent["host"] == host).to_numpy(dtype=bool, na_value=False)
                & (sent["daemon"] == "local").to_numpy(dtype=bool, na_value=False)
                & (sent["time"] > group["time"].max()).to_numpy(bool, na_value=False)
            ]
            if len(later):
                # local(8) delivered again afterwards: the setting was fixed.
                finding.severity = "warning"
                finding.params["variant"] = "mailbox_limit_over"
                finding.params["later"] = ctx.clock(later.min())
            config = ctx.config(str(host))
            for name in ("mailbox_size_limit", "message_size_limit"):
                finding.evidence += config_evidence(config, name)
        elif not (
            _rejected_submitter(group, ctx.config(str(host)), finding)
            or _untyped_table(ctx, str(host), group, finding)
        ):
            denied = group["text"].str.extract(_PERMISSION_DENIED, expand=False)
            if denied.notna().any():
                finding.params["variant"] = "permissions"
                finding.params["path"] = str(denied.dropna().iloc[0])
        findings.append(finding)
    findings += _too_big_findings(ctx)
    # Only warnings and errors can report a full disk: match only their texts.
    rows = np.flatnonzero(ctx.of_kind("warning", "fatal", "error"))
    full = ctx.texts(rows).str.contains(_DISK_FULL, regex=True)
    disk = events.take(rows[full.to_numpy(dtype=bool, na_value=False)])
    no_space = _rejected_for_space(ctx)
    for host, group in disk.groupby("host", sort=False, observed=True):
        last = group["time"].max()
        sent = ctx.sent[(ctx.sent["host"] == host).to_numpy(dtype=bool, na_value=False)]
        after = sent["message_key"][
            (sent["time"] > last).to_numpy(dtype=bool, na_value=False)
        ]
        later = int(after.nunique()) if pd.notna(last) else 0
        # Deliveries after the last complaint: space was freed, the episode passed.
        finding = _event_finding(
            "disk-full", "warning" if later else "error", str(host), group, ctx, 95
        )
        rejects = no_space[(no_space["host"] == host).to_numpy(dtype=bool)]
        if len(rejects):
            # NOTE: a reject line names no message, so a client that retries is
            # counted once per attempt.
            finding.messages_affected += len(rejects)
            quoted = [*group.index[: EVIDENCE_LINES - 1], rejects.index[0]]
            finding.evidence = log_evidence(events, sorted(quoted))
        if later:
            finding.params["variant"] = "passed"
            finding.params["later"] = f"{later:,}"
            finding.params["last"] = ctx.clock(last, seconds=True)
        findings.append(finding)
    findings += stopped
    return findings


def _too_big_findings(ctx: Context) -> list[Finding]:
    """Submissions that sendmail or postdrop rejected for their size."""
    rows = np.flatnonzero(ctx.of_kind("warning", "fatal"))
    events = ctx.events
    found = ctx.texts(rows).str.contains(_TOO_BIG, regex=True)
    rejected = events.take(rows[found.to_numpy(dtype=bool, na_value=False)])
    findings = []
    for host, group in rejected.groupby("host", sort=False, observed=True):
        finding = _event_finding(
            "message-too-large", "error", str(host), group, ctx, 80
        )
        config = ctx.config(str(host))
        # sendmail logs the fatal error once per refused message.
        daemons = group["daemon"].astype(str)
        finding.params["count"] = f"{max(int((daemons == 'sendmail').sum()), 1):,}"
        limit = config.get("message_size_limit") if config else "10240000"
        finding.params["limit"] = limit
        number = int(limit) if limit.strip().isdigit() else 10240000
        # 0 means no limit: the file size limit of the process refused the message.
        finding.params["variant"] = "local" if number else "local_unlimited"
        finding.params["suggested"] = f"{max(2 * number, 52428800):d}"
        finding.evidence += config_evidence(config, "message_size_limit")
        findings.append(finding)
    return findings


_MASTER_DIED = ("master_fatal", "port_in_use")
"""postfix-stopped variants for a master process that ended with a fatal error."""

_NO_SPACE_REPLY = "Insufficient system storage"
"""smtpd's reply (452 4.3.1) when the queue file system has less free space
than queue_minfree or 1.5 times message_size_limit."""


def _rejected_for_space(ctx: Context) -> pd.DataFrame:
    """Submissions that smtpd rejected before queueing for lack of disk space."""
    events = ctx.events
    rows = np.flatnonzero(
        ctx.of_kind("reject") & events["message_key"].isna().to_numpy(dtype=bool)
    )
    found = ctx.texts(rows).str.contains(_NO_SPACE_REPLY, regex=False)
    return events.take(rows[found.to_numpy(dtype=bool, na_value=False)])


_NO_PICKUP = "unable to look up public/pickup"
"""postdrop's warning when the pickup service is missing, because Postfix is not running."""


def _waiting_submissions(ctx: Context) -> pd.DataFrame:
    """postdrop warnings that Postfix's pickup service is not there: each is
    mail submitted while Postfix was not running, waiting in the maildrop queue."""
    events = ctx.events
    rows = np.flatnonzero(
        ctx.of_kind("warning") & (events["daemon"] == "postdrop").to_numpy(dtype=bool)
    )
    found = ctx.texts(rows).str.contains(_NO_PICKUP, regex=False)
    return events.take(rows[found.to_numpy(dtype=bool, na_value=False)])


_LOCKED = "unable to set exclusive lock"
"""master's fatal error when another master process holds master.lock."""

_BIND = re.compile(r"bind \S+ port (?P<port>\d+): Address already in use")

_WORKING_DAEMONS = ("qmgr", "smtp", "lmtp", "local", "pickup", "cleanup", "smtpd")
"""Postfix daemons that run only under a running master."""


def _running_after(ctx: Context, host: str, time: pd.Timestamp) -> bool:
    """Return whether a daemon that master starts logged on ``host`` after
    ``time``: then Postfix ran again, whatever the log shows of its start."""
    if pd.isna(time):
        return False
    events = ctx.events
    later = (
        (events["host"] == host)
        & events["daemon"].isin(_WORKING_DAEMONS)
        & (events["time"] > time)
    )
    return bool(later.to_numpy(dtype=bool, na_value=False).any())


def _stopped_findings(ctx: Context) -> list[Finding]:
    """Postfix stopped and not started again, by the last start or stop line, or
    by mail submitted afterwards that found no pickup service."""
    events = ctx.events
    # master's fatal error ends Postfix as a stop does (a port in use at start).
    master_fatal = ctx.of_kind("fatal", "panic") & (
        events["daemon"] == "master"
    ).to_numpy(dtype=bool, na_value=False)
    # master's lock error shows that another master runs: a second start failed.
    # A missing interface has a finding of its own, with the fix that starts it.
    rows = np.flatnonzero(master_fatal)
    master_fatal[rows] = ~(
        ctx.texts(rows)
        .str.contains(f"{_LOCKED}|{_NO_INTERFACE_TEXT}", regex=True)
        .to_numpy(dtype=bool, na_value=False)
    )
    kinds = ctx.of_kind("master_start", "master_stop", "postfix_script")
    starts = events[kinds | master_fatal]
    waiting = _waiting_submissions(ctx)
    findings = []
    for host in dict.fromkeys([*starts["host"].dropna(), *waiting["host"].dropna()]):
        group = starts[(starts["host"] == host).to_numpy(dtype=bool)]
        last = group.iloc[-1] if len(group) else None
        last_text = str(line_texts(group).iloc[-1]) if len(group) else ""
        died = (
            last is not None
            and last["kind"] in ("fatal", "panic")
            and not _running_after(ctx, str(host), last["time"])
        )
        stopped = last is not None and (
            died or last["kind"] == "master_stop" or last_text.startswith("stopping")
        )
        since = last["time"] if last is not None else None
        late = waiting[(waiting["host"] == host).to_numpy(dtype=bool)]
        if since is not None and pd.notna(since):
            late = late[(late["time"] >= since).to_numpy(dtype=bool, na_value=True)]
        if not stopped and last is not None:
            # The last line is a start, so the failures postdrop logged before it are over.
            late = late.iloc[0:0]
        if not stopped and late.empty:
            continue
        queued = _queued_since(ctx, str(host), since) if stopped else None
        down = _queue_read_directly(ctx, str(host)) if queued is not None else None
        quoted = pd.concat(
            [
                group.tail(1) if stopped else group.iloc[0:0],
                late.head(3),
                down if down is not None else group.iloc[0:0],
            ]
        )
        waits = len(late) or queued is not None
        finding = _event_finding(
            "postfix-stopped",
            "error" if waits else "warning",
            str(host),
            quoted,
            ctx,
            92 if waits else 65,
        )
        when = last["time"] if stopped and last is not None else late["time"].min()
        finding.params["last"] = ctx.clock(when, seconds=True)
        finding.params["waiting"] = f"{len(late):,}"
        variant = ""
        if len(late):
            variant = "waiting" if stopped else "pickup"
        elif queued is not None:
            variant = "queued"
            count = int(queued["queue_id"].nunique())
            finding.params["queued"] = f"{count:,}"
            finding.params["listing"] = str(queued["source"].iloc[0])
            finding.messages_affected = max(finding.messages_affected, count)
            finding.evidence += [
                Evidence(
                    str(row.source),
                    int(row.line_no),
                    f"{row.queue_id} ({row.queue_name})",
                    "queue",
                )
                for row in queued.drop_duplicates("queue_id").head(3).itertuples()
            ]
        if died and last is not None:
            text = last_text
            bound = _BIND.search(text)
            variant = "port_in_use" if bound else "master_fatal"
            finding.params["port"] = bound["port"] if bound else "25"
            finding.params["fatal"] = text.removeprefix("fatal: ").removeprefix(
                "panic: "
            )
            finding.severity = "error"
            finding.priority = 92
        finding.params["variant"] = variant
        findings.append(finding)
    return findings


_QUEUE_READ_DIRECTLY = "Mail system is down -- accessing queue directly"
"""postqueue's warning when it lists the queue while Postfix is not running."""


def _queued_since(ctx: Context, host: str, since: object) -> pd.DataFrame | None:
    """Return the messages of the host's newest queue listing that wait in the
    maildrop queue or arrived after ``since``, or None when there are none.

    Postfix 3.7 logs nothing for mail submitted while it is stopped, when the
    pickup socket is still there: only the listing shows that mail.
    """
    rows = _queued_rows(ctx, host)
    if rows.empty:
        return None
    waiting = rows["queue_name"].eq("maildrop").to_numpy(dtype=bool, na_value=False)
    if since is not None and pd.notna(since):
        later = (rows["arrival_time"] >= since).to_numpy(dtype=bool, na_value=False)
        waiting = waiting | later
    found = rows[waiting]
    return found if len(found) else None


def _queue_read_directly(ctx: Context, host: str) -> pd.DataFrame:
    """Return the first line of postqueue saying that Postfix was down when the
    queue was listed, as a frame of at most one event."""
    events = ctx.events
    own = (events["host"] == host).to_numpy(dtype=bool, na_value=False)
    rows = np.flatnonzero(own & ctx.of_kind("warning"))
    texts = ctx.texts(rows).astype(str)
    hits = rows[texts.str.contains(_QUEUE_READ_DIRECTLY, regex=False).to_numpy()]
    return events.iloc[hits[:1]]


def _event_finding(
    code: str,
    severity: str,
    host: str,
    group: pd.DataFrame,
    ctx: Context,
    priority: int,
) -> Finding:
    texts = line_texts(group).str.replace(
        r"^(?:warning|fatal|panic|error): ", "", regex=True
    )
    return Finding(
        code=code,
        severity=severity,
        host=host,
        messages_affected=int(group["message_key"].nunique()),
        first_seen=group["time"].min(),
        last_seen=group["time"].max(),
        evidence=log_evidence(ctx.events, group.index),
        params={
            "count": len(group),
            **quoted_reasons(texts.value_counts().index[:2]),
        },
        priority=priority,
    )


def bundle_findings(ctx: Context) -> list[Finding]:
    findings = []
    broken = [
        e
        for e in ctx.inventory.entries
        if e.status in (STATUS_ERROR, STATUS_PARTIAL, STATUS_REJECTED)
    ]
    if broken or ctx.inventory.errors:
        names = [e.path for e in broken][:5] + ctx.inventory.errors[:2]
        findings.append(
            Finding(
                code="bundle-incomplete",
                severity="warning",
                host="bundle",
                evidence=[
                    Evidence(e.path, None, f"{e.status}: {e.detail}", "bundle")
                    for e in broken[:5]
                ],
                params={
                    "count": len(broken) + len(ctx.inventory.errors),
                    # An error is a sentence: its full stop would double the
                    # summary's own.
                    "members": ", ".join(name.rstrip(".") for name in names),
                    "variant": "" if ctx.inventory.partial else "rejected",
                },
                priority=30,
            )
        )
    logs = ctx.inventory.of_kind(KIND_MAILLOG, KIND_JOURNAL)
    if not any(e.postfix_lines for e in logs):
        # Below configuration and queue findings: without a log they are all we have.
        read = [e.path for e in logs if e.status in (STATUS_READ, STATUS_PARTIAL)]
        params = {"variant": "empty", "logs": ", ".join(read[:3])} if read else {}
        findings.append(
            Finding(
                code="no-mail-log",
                severity="warning",
                host="bundle",
                priority=20,
                params=params,
            )
        )
    elif (
        ctx.messages.empty
        and _waiting_submissions(ctx).empty
        and not _submissions_failed(ctx)
        and not _listed_now(ctx)
    ):
        findings.append(_no_activity(ctx))
    return findings


_MAILBOX_LIMIT = "mailbox_size_limit is smaller than message_size_limit"
"""local(8)'s fatal error when main.cf sets mailbox_size_limit below
message_size_limit: local delivery stops, mail to other servers goes on."""
_NOT_ALLOWED = re.compile(
    r"User (?P<user>\S+?)(?:\(\d+\))? is not allowed to submit mail"
)
"""sendmail's and postdrop's fatal error for a user whom authorized_submit_users
does not list."""
_UNTYPED_TABLE = re.compile(
    r'open dictionary: expecting "type:name" form instead of "(?P<path>[^"]+)"'
)
"""The fatal error of a Postfix program whose setting names a lookup table
without its type (/etc/postfix/sasl_passwd for hash:/etc/postfix/sasl_passwd)."""


def _rejected_submitter(
    group: pd.DataFrame, config: MainConfig | None, finding: Finding
) -> bool:
    """Describe how sendmail rejects a user that authorized_submit_users does
    not list, and return whether ``group`` has one."""
    found = group["text"].str.extract(_NOT_ALLOWED, expand=False).dropna()
    if found.empty:
        return False
    finding.params["variant"] = "submit_refused"
    finding.params["user"] = str(found.iloc[0])
    allowed = config.get("authorized_submit_users") if config else "?"
    finding.params["allowed"] = allowed
    if f"!{finding.params['user']}" in allowed.replace(",", " ").split():
        # The list names the user with "!": the first match decides, so adding
        # the name again would not help.
        finding.params["variant"] = "submit_excluded"
    # Each rejection is one message that was never queued.
    finding.messages_affected = len(found)
    finding.evidence += config_evidence(config, "authorized_submit_users")
    return True


def _untyped_table(
    ctx: Context, host: str, group: pd.DataFrame, finding: Finding
) -> bool:
    """Name the setting whose lookup table lacks its type, with the mail that
    waits for the program it stops, and return whether ``group`` shows one."""
    found = group["text"].str.extract(_UNTYPED_TABLE, expand=False).dropna()
    if found.empty:
        return False
    path = str(found.iloc[0])
    config = ctx.config(host)
    settings = config.settings.values() if config is not None else []
    named = [s.name for s in settings if path in s.value.replace(",", " ").split()]
    finding.params["variant"] = "table_type" if named else "table_type_unnamed"
    finding.params["path"] = path
    finding.params["setting"] = named[0] if named else "?"
    finding.params["daemons"] = ", ".join(dict.fromkeys(group["daemon"].astype(str)))
    if named:
        finding.evidence += config_evidence(config, named[0])
    # The program stops before it delivers anything: the host's mail without
    # a delivery attempt waits for it.
    messages = ctx.messages
    waiting = messages.index[
        (messages["host"] == host).to_numpy(dtype=bool, na_value=False)
        & messages["final_state"].isin(["unknown", "deferred"]).to_numpy(dtype=bool)
        & (messages["attempts"] == 0).to_numpy(dtype=bool)
    ]
    finding.messages_affected = len(waiting)
    finding.message_keys = [str(key) for key in waiting]
    return True


_PERMISSION_DENIED = re.compile(
    r"(?:open directory|create file) (\S+?):? Permission denied"
)
"""A queue folder or file that a Postfix program may not open (wrong owner or
mode, for example after a restore or a manual change under /var/spool/postfix)."""


def _listed_now(ctx: Context) -> bool:
    """Return whether a host's newest queue listing shows messages: mail did reach
    Postfix, even where the log shows none of it."""
    queue = ctx.queue
    return bool(len(queue)) and bool(queue["in_newest_listing"].astype(bool).any())


def _submissions_failed(ctx: Context) -> bool:
    """Return whether sendmail or postdrop stopped with a fatal error: a program
    did hand mail to Postfix, which refused it before queueing."""
    submitting = (
        ctx.events["daemon"].isin(["sendmail", "postdrop"]).to_numpy(dtype=bool)
    )
    return bool((ctx.of_kind("fatal", "panic") & submitting).any())


def _no_activity(ctx: Context) -> Finding:
    """The logs have Postfix lines but no message: nothing reached Postfix, or
    smtpd rejected every submission before queueing."""
    times = ctx.events["time"].dropna()
    params: dict[str, object] = {
        "first": ctx.clock(times.min()) if len(times) else "?",
        "last": ctx.clock(times.max()) if len(times) else "?",
    }
    quoted = ctx.events.index[-3:]
    rejects = np.flatnonzero(ctx.of_kind("reject"))
    if len(rejects):
        params.update(variant="rejected", rejected=f"{len(rejects):,}")
        quoted = ctx.events.index[rejects]
    return Finding(
        code="no-mail-activity",
        severity="warning",
        host="bundle",
        first_seen=times.min() if len(times) else None,
        last_seen=times.max() if len(times) else None,
        evidence=log_evidence(ctx.events, quoted),
        params=params,
        priority=85,
    )


ZONE_TOLERANCE = pd.Timedelta(minutes=2)
"""How far the log and queue times of one message may differ for the same clock."""


def timezone_findings(ctx: Context) -> list[Finding]:
    """Warn when zone-less log times were read in a zone other than the host's.

    The offsets of the host's own RFC 3339 lines show it best. Without them,
    ``postqueue -j`` arrival times show it, and then the log files' times.
    """
    found = _stamp_offset_findings(ctx)
    covered = {finding.host for finding in found}
    found += [f for f in _arrival_findings(ctx) if f.host not in covered]
    covered = {finding.host for finding in found}
    return found + [f for f in _skipped_hour_findings(ctx) if f.host not in covered]


def _skipped_hour_findings(ctx: Context) -> list[Finding]:
    """Warn when a log has times that the zone it was read in skips.

    When the clocks go forward an hour (02:00 to 03:00), a host in that zone
    writes no time in between. Lines at such times were written in another zone.
    """
    findings = []
    for entry in ctx.inventory.of_kind(KIND_MAILLOG):
        count = int(entry.extra.get("skipped_times", 0))
        if not count:
            continue
        events = ctx.events
        own = np.flatnonzero((events["source"] == entry.path).to_numpy(dtype=bool))
        rows = own[_moved_forward(events.iloc[own], ctx.zone)]
        findings.append(
            Finding(
                code="timezone-mismatch",
                severity="warning",
                host=str(entry.host or "bundle"),
                first_seen=events["time"].iloc[rows].min() if len(rows) else None,
                last_seen=events["time"].iloc[rows].max() if len(rows) else None,
                evidence=log_evidence(events, rows),
                params={
                    "variant": "skipped_hour",
                    "count": f"{count:,}",
                    "log": entry.path,
                    "zone": str(ctx.zone),
                    "first": str(events["stamp"].iloc[rows[0]]) if len(rows) else "?",
                },
                priority=75,
            )
        )
    return findings


def _moved_forward(events: pd.DataFrame, zone: tzinfo) -> npt.NDArray[np.bool_]:
    """Return which events' stamps show a clock time other than the one they
    were read as: the times that ``zone`` skips, moved past the gap."""
    clock = events["stamp"].astype(str).str.extract(r"(\d\d:\d\d:\d\d)", expand=False)
    local = events["time"].dt.tz_convert(zone).dt.strftime("%H:%M:%S")
    return np.asarray(
        (clock.notna() & (clock != local)).to_numpy(dtype=bool, na_value=False)
    )


_ZONE_SUFFIX = r"(?P<sign>[+-])(?P<hours>\d\d):?(?P<minutes>\d\d)$|(?P<utc>Z)$"
ZONE_DIFFERENCE = pd.Timedelta(minutes=15)
"""The smallest difference between two zones' offsets (UTC+5:45 and UTC+5:30)."""


def _stamp_offset_findings(ctx: Context) -> list[Finding]:
    """Warn when a host's zone-less stamps were read with another offset than the
    one its RFC 3339 lines carry.

    A host that logs both forms (rsyslog switched format, or one file comes from
    journald) writes both in its own zone, so the two offsets must agree.
    """
    events = ctx.events
    if events.empty:
        return []
    codes, stamps = _codes(events["stamp"])
    # Most logs have one form only: look for zones among the distinct stamps first.
    distinct = pa.array(np.asarray(stamps, dtype=object), pa.string())
    with_zone = pc.match_substring_regex(distinct, _ZONE_SUFFIX).to_numpy(
        zero_copy_only=False
    )
    if not with_zone.any() or with_zone.all():
        return []
    parts = pd.Series(np.asarray(stamps, dtype=object)[with_zone]).str.extract(
        _ZONE_SUFFIX
    )
    sign = np.where(parts["sign"] == "-", -1, 1)
    minutes = np.full(len(stamps), np.nan)
    minutes[with_zone] = (
        (sign * (pd.to_numeric(parts["hours"]) * 60 + pd.to_numeric(parts["minutes"])))
        .where(parts["utc"].isna(), 0.0)
        .to_numpy(dtype=float)
    )
    stated = np.where(codes >= 0, minutes[np.maximum(codes, 0)], np.nan)
    times = events["time"]
    known = times.notna().to_numpy()
    zoned = ~np.isnan(stated) & known
    plain = np.isnan(stated) & known & (codes >= 0)
    host_codes, host_names = _codes(events["host"])
    findings = []
    for code in np.unique(host_codes[zoned]):
        host = host_names[code]
        own_zoned = zoned & (host_codes == code)
        own_plain = plain & (host_codes == code)
        if not own_plain.any():
            continue
        offset = pd.Timedelta(minutes=float(pd.Series(stated[own_zoned]).mode()[0]))
        plain_times = times[own_plain]
        local = plain_times.dt.tz_convert(ctx.zone).dt.tz_localize(None)
        read = (local - plain_times.dt.tz_localize(None)).mode()[0]
        difference = offset - read
        if abs(difference) < ZONE_DIFFERENCE:
            continue
        zoned_row = int(np.flatnonzero(own_zoned)[-1])
        plain_row = int(np.flatnonzero(own_plain)[-1])
        hours = difference / pd.Timedelta(hours=1)
        keys = events["message_key"][own_plain].dropna()
        findings.append(
            Finding(
                code="timezone-mismatch",
                severity="warning",
                host=str(host),
                messages_affected=int(keys.nunique()),
                first_seen=plain_times.min(),
                last_seen=plain_times.max(),
                evidence=log_evidence(events, [plain_row, zoned_row]),
                params={
                    "hours": f"{abs(hours):g}",
                    "offset": f"{offset / pd.Timedelta(hours=1):+g}",
                    "zone": str(ctx.zone),
                    "log": str(events["source"].iloc[plain_row]),
                    "zoned_log": str(events["source"].iloc[zoned_row]),
                    "stated": _offset_text(offset),
                    "variant": "stamp_offset",
                },
                priority=75,
            )
        )
    return findings


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Return the code of each value (-1 for missing) and the distinct values."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.codes.to_numpy(), values.cat.categories
    codes, uniques = pd.factorize(values)
    return codes, pd.Index(uniques)


def _offset_text(offset: pd.Timedelta) -> str:
    """Return an offset as RFC 3339 writes it: +09:00, -05:00, +05:45."""
    total = int(offset / pd.Timedelta(minutes=1))
    sign = "-" if total < 0 else "+"
    return f"{sign}{abs(total) // 60:02d}:{abs(total) % 60:02d}"


def _arrival_findings(ctx: Context) -> list[Finding]:
    """Warn when log times and ``postqueue -j`` arrival times are hours apart.

    ``postqueue -j`` gives arrival times as epoch seconds, so they are exact;
    BSD log stamps carry no zone and are read in the ``--timezone`` zone. The same
    message's queue arrival and its first log line are seconds apart, so a gap
    of whole quarter hours means the zone is wrong.
    """
    queue = ctx.queue
    if queue.empty:
        return _file_time_findings(ctx)
    exact = queue[queue["source"].isin(_json_listings(ctx))].drop_duplicates(
        ["host", "queue_id"]
    )
    messages = ctx.messages[ctx.messages["started_in_log"]]
    joined = exact.merge(
        messages[["host", "queue_id", "first_seen"]].reset_index(drop=True),
        on=["host", "queue_id"],
    )
    # A record without a readable arrival time gives no gap.
    joined = joined.dropna(subset=["arrival_time", "first_seen"])
    if joined.empty:
        return _file_time_findings(ctx)
    gap = (joined["arrival_time"] - joined["first_seen"]).median()
    quarters = round(gap / pd.Timedelta(minutes=15))
    if quarters == 0 or abs(gap - quarters * pd.Timedelta(minutes=15)) > ZONE_TOLERANCE:
        return _file_time_findings(ctx)
    hours = quarters / 4
    # Log lines read in the given zone show later than the true time when the
    # log was in a zone ahead of it: the log's offset is the given zone's
    # offset less the gap.
    read_offset = joined["first_seen"].median().tz_convert(ctx.zone).utcoffset()
    offset = read_offset / pd.Timedelta(hours=1) - hours
    return [
        Finding(
            code="timezone-mismatch",
            severity="warning",
            host=str(joined["host"].iloc[0]),
            messages_affected=len(joined),
            params={
                "hours": f"{abs(hours):g}",
                "offset": f"{offset:+g}",
                "zone": str(ctx.zone),
            },
            priority=75,
        )
    ]


FILE_TIME_MARGIN = pd.Timedelta(minutes=30)
"""How far a log's last line may read after its file's time before the zone is
taken to be wrong: more than clocks drift, less than any zone offset."""
MAX_UTC_OFFSET = pd.Timedelta(hours=14)
"""How far ahead of UTC the furthest zone is (Pacific/Kiritimati, UTC+14)."""
_STAMP_WITH_ZONE = r"(?:Z|[+-]\d\d:?\d\d)$"


def _last_rows(events: pd.DataFrame) -> dict[str, int]:
    """Return the position of each log's latest event; a log whose every stamp
    is unreadable has none. NumPy on the columns' own arrays: no copy of them."""
    times = np.asarray(events["time"].array.asi8)
    codes, names = _codes(events["source"])
    valid = times != np.iinfo(np.int64).min
    last = {}
    for code in np.unique(codes[valid & (codes >= 0)]):
        rows = np.flatnonzero(valid & (codes == code))
        last[str(names[code])] = int(rows[np.argmax(times[rows])])
    return last


def _file_time_findings(ctx: Context) -> list[Finding]:
    """Warn when a log's last line reads later than the log file's own time.

    Nothing is written to a file after its modification time, so a last line
    read as hours later means that the zone-less timestamps were written in a
    zone ahead of the one they were read in. The gap is a lower bound of the
    offset: the file may have been written to after its last Postfix line. A
    file time lost in copying is later than every line and shows nothing.
    """
    events = ctx.events
    last_rows = _last_rows(events)
    for entry in ctx.inventory.of_kind(KIND_MAILLOG):
        if entry.mtime is None or entry.path not in last_rows:
            continue
        # Three values, not events.iloc[row], which may consolidate the frame's
        # columns into copies (18 MiB on a 1M-line log).
        position = int(last_rows[entry.path])
        row = {name: events[name].iloc[position] for name in ("stamp", "time", "host")}
        if pd.Series([str(row["stamp"])]).str.contains(_STAMP_WITH_ZONE).iloc[0]:
            continue
        written = pd.Timestamp(entry.mtime)
        written = written.tz_localize(UTC) if written.tzinfo is None else written
        gap = row["time"] - written
        if pd.isna(gap) or gap <= FILE_TIME_MARGIN:
            continue
        # No zone is further ahead of the one read in than this. A larger gap
        # means a file time that is not when the log was written: 1970 from an
        # archiver that stores no time, 1980 from a zip's earliest date.
        read_offset = row["time"].tz_convert(ctx.zone).utcoffset()
        if gap > MAX_UTC_OFFSET - read_offset + FILE_TIME_MARGIN:
            continue
        hours = round(gap / pd.Timedelta(minutes=15)) / 4
        # The log's zone is at least this far ahead of the zone read in.
        offset = read_offset / pd.Timedelta(hours=1) + hours
        return [
            Finding(
                code="timezone-mismatch",
                severity="warning",
                host=str(row["host"]),
                first_seen=row["time"],
                last_seen=row["time"],
                evidence=log_evidence(
                    events, [events.index[int(last_rows[entry.path])]]
                ),
                params={
                    "hours": f"{hours:g}",
                    "offset": f"{offset:+g}",
                    "zone": str(ctx.zone),
                    "log": entry.path,
                    "last": ctx.clock(row["time"]),
                    "written": ctx.clock(written),
                    "variant": "file_time",
                },
                priority=75,
            )
        ]
    return []


def _json_listings(ctx: Context) -> set[str]:
    return {
        q.source for view in ctx.hosts.values() for q in view.queues
        if q.format == "postqueue_json"
    }  # fmt: skip
