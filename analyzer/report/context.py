"""Build the one report context that both the HTML and the PDF render.

Templates only display what is here: every number is counted, every time is
formatted and every text is chosen in the report language before rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

import numpy as np
import pandas as pd

from analyzer import __version__
from analyzer.analysis.findings import Finding
from analyzer.analysis.findings.catalog import render, render_remedy, render_summary
from analyzer.analysis.frames import TEXT_ROW, add_text
from analyzer.analysis.hosts import HostView
from analyzer.analysis.queued import ORIGIN as QUEUE_ORIGIN
from analyzer.analysis.stats import Totals
from analyzer.api import Analysis
from analyzer.clock import wall_time, wall_times
from analyzer.parse.config import MainConfig
from analyzer.parse.postfix import UNKNOWN
from analyzer.report import i18n

MESSAGE_ROWS = 300
"""Messages listed with their trace in the HTML report; failures come first."""
TABLE_ROWS = 25
"""Rows of each deferral table."""


@dataclass
class ReportContext:
    """Everything a report template displays."""

    lang: str
    labels: dict[str, str]
    title: str
    generated: str
    bundle: dict[str, Any]
    verdict: dict[str, str]
    key_numbers: list[tuple[str, str]]
    findings: list[dict[str, Any]]
    next_steps: list[tuple[str, str]]
    """(title, remedy) of the findings to act on, most important first."""
    summary_findings: list[dict[str, Any]]
    """The first PDF_FINDINGS findings, which the PDF summary lists."""
    summary_note: str
    """The PDF summary's sentence on the findings it leaves out, or ""."""
    hosts: list[dict[str, Any]]
    totals: list[tuple[str, str, str]]
    deferrals: dict[str, list[dict[str, Any]]]
    qshape: dict[str, Any]
    config_review: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    messages_note: str
    """The sentence on how many queue entries the message table shows, and why
    there are more of them than messages when some went on under a new queue ID."""
    inventory: list[dict[str, Any]]
    unrecognized: dict[str, Any]
    traffic: list[dict[str, Any]]
    zone: str
    charts: dict[str, str] = field(default_factory=dict)
    """Inline SVG markup by chart name, filled in by ``write.report_context``."""
    chart_captions: dict[str, str] = field(default_factory=dict)
    trace_head: int = 0
    """Trace lines shown before the note on lines left out (TRACE_HEAD)."""


def build_context(
    analysis: Analysis,
    lang: str = "en",
    generated: datetime | None = None,
    html_written: bool = True,
) -> ReportContext:
    """Build the report context. With ``html_written``, report.html comes
    with the PDF summary, which then refers to it for the findings it leaves out."""
    labels = i18n.labels(lang)
    zone = analysis.zone
    fmt = _TimeFormat(zone)
    findings = [
        _finding(f, lang, fmt, number, labels)
        for number, f in enumerate(analysis.findings)
    ]
    totals = analysis.totals()
    messages = _messages(analysis, fmt, labels)
    return ReportContext(
        lang=lang,
        labels=labels,
        title=labels["report_title"],
        generated=fmt.full(pd.Timestamp(generated or datetime.now(UTC))),
        bundle=_bundle(analysis),
        verdict=verdict(analysis, findings, labels),
        key_numbers=_key_numbers(analysis, totals, labels, fmt),
        findings=findings,
        next_steps=_next_steps(findings, len(analysis.hosts) > 1, labels),
        summary_findings=findings[:PDF_FINDINGS],
        summary_note=_summary_note(len(findings), labels, html_written),
        hosts=_hosts(analysis, labels),
        totals=_totals(analysis, totals, labels),
        deferrals=_deferrals(analysis, fmt),
        qshape=_qshape(analysis, labels, fmt),
        config_review=_config_review(analysis),
        messages=messages,
        messages_note=_messages_note(len(messages), analysis, totals, labels),
        trace_head=TRACE_HEAD,
        inventory=_inventory(analysis, fmt, labels),
        unrecognized=_unrecognized(analysis),
        traffic=_traffic(analysis),
        zone=str(zone),
    )


PDF_FINDINGS = 5
"""Findings the manager summary lists; its next steps cover the same ones."""


def _summary_note(total: int, labels: dict[str, str], html_written: bool) -> str:
    if total <= PDF_FINDINGS:
        return ""
    name = "summary_findings_note" if html_written else "summary_findings_note_command"
    return labels[name].format(shown=PDF_FINDINGS, total=f"{total:,}")


def _next_steps(
    findings: list[dict[str, Any]], several_hosts: bool, labels: dict[str, str]
) -> list[tuple[str, str]]:
    """Return the (title, remedy) of the problems among the findings the PDF
    shows. Information findings need no action, so a healthy case has no steps.

    Findings with the same title and remedy on several hosts make one step, and
    with several hosts in the bundle each title names its hosts.
    """
    shown = findings[:PDF_FINDINGS]
    problems = [f for f in shown if f["severity"] != "info"]
    hosts: dict[tuple[str, str], list[str]] = {}
    for finding in problems:
        key = (str(finding["title"]), str(finding["remedy"]))
        hosts.setdefault(key, []).append(str(finding["host"]))
    steps = []
    for (title, remedy), names in hosts.items():
        named = sorted({name for name in names if name != "bundle"})
        if several_hosts and named:
            title = labels["title_hosts"].format(title=title, hosts=", ".join(named))
        steps.append((title, remedy))
    return steps


class _TimeFormat:
    def __init__(self, zone: tzinfo) -> None:
        self.zone = zone

    def full(self, value: object) -> str:
        if value is None or pd.isna(value):
            return ""
        return wall_time(value, self.zone)

    def column(self, values: pd.Series) -> list[str]:
        """Format a column of times as ``full`` does, all at once."""
        return wall_times(values, self.zone)


def localized_texts(finding: Finding, lang: str) -> tuple[str, str, str]:
    """Return the title, summary and remedy of ``finding`` in ``lang``."""
    texts = i18n.finding_texts(
        finding.code, lang, str(finding.params.get("variant") or "")
    )
    if texts is None:
        return finding.title, finding.summary, finding.remedy
    params = i18n.localized_params(finding.params, lang)
    title = render(texts[0], params)
    summary = render_summary(
        texts[1],
        params,
        i18n.OUTCOMES_JA,
        separator="",
        soft_bounce=i18n.SOFT_BOUNCE_JA,
    )
    remedy = render_remedy(
        texts[2], params, i18n.FLUSH_JA, i18n.SOFT_BOUNCE_REMEDY_JA, separator=""
    )
    return title, summary, remedy


def _finding(
    finding: Finding, lang: str, fmt: _TimeFormat, number: int, labels: dict[str, str]
) -> dict[str, Any]:
    title, summary, remedy = localized_texts(finding, lang)
    return {
        "code": finding.code,
        "severity": finding.severity,
        "title": title,
        "summary": summary,
        "remedy": remedy,
        "host": finding.host,
        # A finding about the bundle itself has the host "bundle".
        "host_label": labels["whole_bundle"]
        if finding.host == "bundle"
        else finding.host,
        "messages_affected": finding.messages_affected,
        "first_seen": fmt.full(finding.first_seen),
        "last_seen": fmt.full(finding.last_seen),
        "evidence": [
            {
                "source": e.source,
                "line_no": e.line_no,
                "text": _evidence_text(e.text, e.kind, e.line_no, labels),
                "kind": e.kind,
            }
            for e in finding.evidence
        ],
        # Anchors name no host, so a redacted report leaks none through them.
        "anchor": f"finding-{finding.code}-{number}",
    }


_UNSET_SETTING = re.compile(r'\((?P<name>\w+) is not set; default: "(?P<value>.*)"\)')
"""The evidence text that ``config_evidence`` writes for a setting main.cf leaves out."""


def _evidence_text(
    text: str, kind: str, line_no: int | None, labels: dict[str, str]
) -> str:
    """Return evidence text in the report's language where mailbundle wrote it:
    a setting main.cf leaves out, or an inventory status. Log and configuration
    lines stay as they are."""
    if line_no is not None:
        return text
    unset = _UNSET_SETTING.fullmatch(text) if kind == "config" else None
    if unset:
        return labels["setting_unset"].format(**unset.groupdict())
    if kind == "bundle":
        status, _, detail = text.partition(": ")
        label = labels.get(f"member_status_{status}")
        if label and detail:
            return f"{label}: {detail}"
    return text


def _bundle(analysis: Analysis) -> dict[str, Any]:
    inventory = analysis.bundle.inventory
    return {
        "source": inventory.name,
        "members": len(inventory.entries),
        "partial": analysis.partial,
        "errors": inventory.errors,
        "hosts": sorted(analysis.hosts),
        "version": __version__,
    }


def verdict(
    analysis: Analysis, findings: list[dict[str, Any]], labels: dict[str, str]
) -> dict[str, str]:
    """Return the verdict's status ("failing", "warning" or "healthy"), headline
    and detail, from findings ranked as the report shows them."""
    errors = [f for f in findings if f["severity"] == "error"]
    warnings = [f for f in findings if f["severity"] == "warning"]
    problems = errors or warnings
    sentences = []
    if problems:
        status = "failing" if errors else "warning"
        headline = labels[f"verdict_{status}"]
        if (
            errors
            and _mostly_delivered(analysis, analysis.totals())
            and not _outage_at_end(analysis)
        ):
            headline = labels["verdict_failing_some"]
        if _problems_over(analysis):
            # The headline names lost mail (bounced, expired) only when the
            # messages frame has some; otherwise it names past problems.
            lost = analysis.messages["final_state"].isin(_LOST_STATES).any()
            headline = labels[
                "verdict_failing_over" if lost else "verdict_warning_over"
            ]
        lead = problems[0]
        # The note on partial results below repeats the bundle-incomplete title.
        if not (lead["code"] == "bundle-incomplete" and analysis.partial):
            sentences.append(_lead_sentence(analysis, lead, labels))
        if len(analysis.hosts) > 1:
            # With several hosts, say which others need attention too.
            others = dict.fromkeys(
                f["host"] for f in errors + warnings if f["host"] != lead["host"]
            )
            others.pop("bundle", None)
            if others:
                hosts = ", ".join(str(host) for host in others)
                sentences.append(labels["verdict_other_hosts"].format(hosts=hosts))
    else:
        status, headline = "healthy", labels["verdict_healthy"]
        sentences.append(_healthy_sentence(analysis.totals(), labels))
    if analysis.partial:
        sentences.append(labels["verdict_partial"])
    detail = sentences[0]
    for sentence in sentences[1:]:
        detail = labels["verdict_sentences"].format(first=detail, then=sentence)
    return {"status": status, "headline": headline, "detail": detail}


def _healthy_sentence(totals: Totals, labels: dict[str, str]) -> str:
    """Return the healthy verdict's sentence: how many messages were delivered
    and how the others ended, such as the rejects of an inbound-only log."""
    counts = totals.mail_states()
    delivered = counts.get("delivered", 0)
    others = {state: count for state, count in counts.items() if state != "delivered"}
    if not others:
        return labels["verdict_healthy_detail"]
    parts = []
    for state, count in sorted(others.items(), key=lambda item: -item[1]):
        label = labels.get(f"state_{state}", state)
        label = label[:1].lower() + label[1:]
        template = labels.get(f"verdict_state_{state}", labels["verdict_state"])
        parts.append(template.format(count=f"{count:,}", state=label))
    states = labels["verdict_state_separator"].join(parts)
    if not delivered:
        return labels["verdict_healthy_none"].format(states=states)
    return labels["verdict_healthy_some"].format(
        delivered=f"{delivered:,}",
        total=f"{sum(counts.values()):,}",
        states=states,
    )


def _mostly_delivered(analysis: Analysis, totals: Totals) -> bool:
    """Return whether most messages of the logs were delivered, to all or some of
    their recipients. An error then concerns some of the mail, not all of it.

    Submissions of loopback clients rejected before queueing (for example by a
    full disk) count as mail not delivered: on a host that sends its own mail they are
    its messages. Rejects of other clients, often spam at a mail server, do not.
    """
    states = analysis.messages["final_state"]
    submitted = len(states) + totals.rejected_local
    # A message delivered to some of its recipients went out.
    delivered = int(states.isin(["delivered", "partial"]).sum())
    return submitted > 0 and delivered / submitted > 0.5


OUTAGE_CODES = frozenset({
    "relay-connection-failed", "relayhost-unresolvable", "relayhost-mx-lookup",
    "dns-lookup-failed", "localhost-loop", "myhostname-conflict",
    "content-filter-unreachable", "disk-full", "sasl-authentication-failed",
    "sasl-required", "sasl-no-mechanism", "tls-failure", "tls-required-by-server",
    "helo-rejected", "ip-blocklisted", "postfix-stopped",
})  # fmt: skip
"""Failures that stop every message of a host, not only some recipients'."""


def _outage_at_end(analysis: Analysis) -> bool:
    """Return whether an error that stops all mail of a host lasts past the
    host's last delivery: whatever the log delivered before, nothing goes out now."""
    deliveries = analysis.deliveries
    sent = deliveries[(deliveries["status"] == "sent").to_numpy(dtype=bool)]
    last_sent = sent.groupby(sent["host"].astype(object))["time"].max()
    for finding in analysis.findings:
        if finding.severity != "error" or finding.code not in OUTAGE_CODES:
            continue
        if finding.last_seen is None or pd.isna(finding.last_seen):
            continue
        delivered = last_sent.get(finding.host)
        if delivered is None or finding.last_seen > delivered:
            return True
    return False


_LOST_STATES = ("bounced", "expired", "deleted", "rejected", "discarded", "partial")
"""Final states of messages that did not reach all their recipients."""


def _problems_over(analysis: Analysis) -> bool:
    """Return whether every error and warning is in the past: its host delivered
    mail after the finding's last line (not counting bounce notices), none of its
    messages still waits, and the host's newest queue listing shows no mail.

    A finding about no logged message (configuration, bundle, Postfix's own
    errors) is never over.
    """
    problems = [f for f in analysis.findings if f.severity in ("error", "warning")]
    if not problems:
        return False
    messages = analysis.messages
    deliveries = analysis.deliveries
    # Notices (null sender) that the failures themselves caused prove nothing.
    notices = messages.index[
        messages["sender"].eq("").to_numpy(dtype=bool, na_value=False)
    ]
    own = ~deliveries["message_key"].isin(notices).to_numpy(dtype=bool, na_value=False)
    sent = deliveries[(deliveries["status"] == "sent").to_numpy(dtype=bool) & own]
    last_sent = sent.groupby(sent["host"].astype(object))["time"].max()
    states = messages["final_state"]
    queue = analysis.queue
    listed = queue["host"][queue["in_newest_listing"].astype(bool).to_numpy()]
    for finding in problems:
        if finding.host in set(listed.astype(object)):
            return False  # the host's newest queue listing shows mail waiting
        if not finding.message_keys:
            # A cause that stops no logged message (a size limit, a fatal error,
            # the configuration) may still hold: later deliveries do not end it.
            return False
        if finding.last_seen is None or pd.isna(finding.last_seen):
            return False
        delivered = last_sent.get(finding.host)
        if delivered is None or delivered <= finding.last_seen:
            return False
        keys = [key for key in finding.message_keys if key in states.index]
        if states.reindex(keys).isin(["deferred", "held"]).any():
            return False
    return True


def _lead_sentence(
    analysis: Analysis, finding: dict[str, Any], labels: dict[str, str]
) -> str:
    """Turn the title of the verdict's finding into a sentence.

    With several hosts, the sentence names the host the finding is about.
    """
    title = str(finding["title"])
    if len(analysis.hosts) > 1 and finding["host"] != "bundle":
        title = labels["title_hosts"].format(title=title, hosts=finding["host"])
    return labels["verdict_sentence"].format(text=title)


def _key_numbers(
    analysis: Analysis, totals: Any, labels: dict[str, str], fmt: _TimeFormat
) -> list[tuple[str, str]]:
    events = analysis.event_fields
    span = ""
    if len(events) and events["time"].notna().any():
        span = f"{fmt.full(events['time'].min())} – {fmt.full(events['time'].max())}"
    listings = analysis.bundle.queues
    current = analysis.queue[analysis.queue["in_newest_listing"].astype(bool)]
    queued = f"{_listed_messages(current):,}" if listings else labels["missing"]
    states = totals.mail_states()
    rows = [(labels["messages"], f"{totals.messages - totals.notices:,}")]
    for state in ("delivered", "deferred", "bounced", "expired", "held", "deleted",
                  "partial", "rejected", "discarded", "unknown"):  # fmt: skip
        # The main outcomes always show; the rarer ones only when they occur.
        if states.get(state, 0) or state in ("delivered", "deferred", "bounced"):
            rows.append((labels["state_" + state], f"{states.get(state, 0):,}"))
    if totals.rejected_unqueued:
        rows.append((labels["rejected_unqueued"], f"{totals.rejected_unqueued:,}"))
    if states.get("partial", 0):
        # A message delivered to some recipients may still wait for others:
        # count those, or "deferred 0" reads as nothing queued.
        recipient_states = analysis.recipients["final_state"]
        waiting = recipient_states.eq("deferred").sum()
        rows.append((labels["recipients_queued"], f"{int(waiting):,}"))
        bounced = recipient_states.isin(["bounced", "expired"]).sum()
        if bounced:
            rows.append((labels["recipients_bounced"], f"{int(bounced):,}"))
    if totals.notices:
        rows.append((labels["notices"], f"{totals.notices:,}"))
    rows.append((labels["queued_now"], queued))
    rows.append((labels["log_span"], span or "–"))
    return rows


def _queued_count(queue: pd.DataFrame, host: str) -> int:
    """Return how many messages of ``host`` its newest queue listing shows."""
    mask = (queue["host"] == host) & queue["in_newest_listing"].astype(bool)
    return _listed_messages(queue[mask.to_numpy(dtype=bool, na_value=False)])


def _listed_messages(queue: pd.DataFrame) -> int:
    """Return how many messages ``queue`` lists: two hosts may share a queue ID."""
    return len(queue[["host", "queue_id"]].astype(str).drop_duplicates())


def _hosts(analysis: Analysis, labels: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    messages = analysis.messages
    for name, view in sorted(analysis.hosts.items()):
        # Notices (from=<>) apart, as the key numbers count them.
        notice = messages["sender"].eq("").to_numpy(dtype=bool, na_value=False)
        host = (messages["host"] == name).to_numpy(dtype=bool, na_value=False)
        own = messages[host & ~notice]
        config = view.config
        rows.append(
            {
                "name": name,
                "group": view.group,
                "relayhost": config.get("relayhost") if config else None,
                "myhostname": config.get("myhostname") if config else None,
                "config": config.source if config else labels["missing"],
                "master": view.master.source if view.master else labels["missing"],
                "queue": ", ".join(q.source for q in view.queues) or labels["missing"],
                "queued": _queued_count(analysis.queue, name),
                "logs": ", ".join(view.log_sources) or labels["missing"],
                "states": {
                    labels.get(f"short_{state}", str(state)): count
                    for state, count in own["final_state"].value_counts().items()
                },
                # Counted as the key numbers count: a copy that went on under a
                # new queue ID is the same message, and a try is not a message.
                "messages": int(
                    (~own["final_state"].isin(["handed_off", "not_accepted"])).sum()
                ),
            }
        )
    return rows


def _totals(
    analysis: Analysis, totals: Any, labels: dict[str, str]
) -> list[tuple[str, str, str]]:
    peer = analysis.pflogsumm_totals()
    rows = [
        ("received", totals.received, peer["received"]),
        ("delivered", totals.delivered_recipients, peer["delivered"]),
        ("forwarded", totals.forwarded, peer["forwarded"]),
        ("deferred", totals.deferred_messages, peer["deferred"]),
        ("deferrals", totals.deferrals, peer["deferrals"]),
        ("bounced", totals.bounced_recipients, peer["bounced"]),
        ("rejected", totals.rejected, peer["rejected"]),
        ("held", totals.held, peer["held"]),
        ("discarded", totals.discarded, peer["discarded"]),
    ]
    return [
        (labels["total_" + name], f"{ours:,}", f"{theirs:,}")
        for name, ours, theirs in rows
    ]


def _deferrals(analysis: Analysis, fmt: _TimeFormat) -> dict[str, list[dict[str, Any]]]:
    tables = analysis.deferrals()
    result = {}
    for name in ("by_reason", "by_relay", "by_domain", "by_dsn"):
        frame = tables[name].head(TABLE_ROWS)
        key = frame.columns[0]
        result[name] = [
            {
                "key": "" if pd.isna(row[key]) else str(row[key]),
                "deferrals": int(row["deferrals"]),
                "messages": int(row["messages"]),
                "first_seen": fmt.full(row["first_seen"]),
                "last_seen": fmt.full(row["last_seen"]),
                "example": "" if pd.isna(row["example"]) else str(row["example"]),
            }
            for _, row in frame.iterrows()
        ]
    return result


QUEUE_GAP_NOTE = pd.Timedelta(days=1)
"""Gap between the last log line and the time ages are counted to that gets a note."""


def _qshape(
    analysis: Analysis, labels: dict[str, str], fmt: _TimeFormat
) -> dict[str, Any]:
    table = analysis.qshape()
    if table.empty:
        listed = [q.source for q in analysis.bundle.queues if q.empty]
        failed = [q for q in analysis.bundle.queues if q.error and not q.rows]
        note = ""
        if listed:
            note = labels["queue_empty"].format(listings=", ".join(listed))
        elif failed:
            # postqueue printed an error instead of the queue (no permission
            # to the queue, Postfix stopped): the bundle has the listing.
            note = labels["queue_failed"].format(
                errors="; ".join(f"{q.source}: {q.error}" for q in failed)
            )
        return {"columns": [], "rows": [], "note": note}
    last_line = analysis.event_fields["time"].max()
    current = analysis.queue[analysis.queue["in_newest_listing"].astype(bool)]
    # Name the listings whose times the ages count to: a row kept from an
    # older listing counts to the newer listing that also shows it.
    made: dict[str, pd.Timestamp] = {}
    for view in analysis.hosts.values():
        own = current["listing_time"][current["host"] == view.name]
        used = set(own.dropna())
        for listing in view.queues:
            taken = pd.Timestamp(listing.taken) if listing.taken else None
            if taken is not None and taken in used:
                made[listing.source] = taken
    times = "; ".join(
        f"{source} {fmt.full(moment)}" for source, moment in sorted(made.items())
    )
    note = labels["qshape_age_listing"].format(times=times)
    latest = max(made.values()) if made else analysis.now
    if pd.notna(last_line) and latest - last_line > QUEUE_GAP_NOTE:
        # Files copied without their times (cp without -p) carry the copy time,
        # and every age then grows by the gap.
        days = (latest - last_line) / pd.Timedelta(days=1)
        note += " " + labels["qshape_gap_note"].format(days=f"{days:,.1f}")
    # qshape's names of the total column and row, in the report's language.
    names = {"T": labels["qshape_total"], "TOTAL": labels["qshape_total_row"]}
    return {
        "columns": [names.get(str(column), column) for column in table.columns],
        "rows": [
            (names.get(str(index), str(index)), [int(v) for v in row])
            for index, row in table.head(30).iterrows()
        ],
        "note": note,
    }


_REVIEWED = (
    "myhostname", "mydomain", "myorigin", "mydestination", "relayhost",
    "inet_interfaces", "inet_protocols", "smtp_tls_security_level",
    "smtp_sasl_auth_enable", "content_filter", "message_size_limit",
    "maximal_queue_lifetime", "bounce_queue_lifetime", "default_transport",
)  # fmt: skip


def _config_review(analysis: Analysis) -> list[dict[str, Any]]:
    reviews = []
    for name, view, config, instance in _reviewed_configs(analysis):
        rows = []
        for parameter in _REVIEWED:
            setting = config.settings.get(parameter)
            rows.append(
                {
                    "name": parameter,
                    "written": setting.value if setting else "",
                    "effective": config.get(parameter),
                    "line_no": setting.line_no if setting else None,
                    "default": setting is None,
                    "comment": setting.comment if setting else "",
                }
            )
        master = view.master if not instance else None
        reviews.append(
            {
                "host": f"{name} ({instance})" if instance else name,
                "source": config.source,
                "rows": rows,
                "overridden": [(s.name, s.line_no, s.value) for s in config.overridden],
                "master": [
                    (
                        s.service,
                        s.type,
                        s.command,
                        " ".join(f"{k}={v}" for k, v in s.options.items()),
                    )
                    for s in (master.services if master else [])
                ],
            }
        )
    return reviews


def _reviewed_configs(
    analysis: Analysis,
) -> list[tuple[str, HostView, MainConfig, str]]:
    """Return (host, view, settings, instance) for each host's settings and each
    other Postfix instance's main.cf; the instance is "" for the host's own."""
    reviewed = []
    for name, view in sorted(analysis.hosts.items()):
        if view.config is not None:
            reviewed.append((name, view, view.config, ""))
        for instance, config in sorted(view.instances.items()):
            if config is not view.config:
                reviewed.append((name, view, config, instance))
    return reviewed


def _messages_note(
    shown: int, analysis: Analysis, totals: Totals, labels: dict[str, str]
) -> str:
    """Build the sentence that states how many entries the message table shows.
    A copy that went on under a new queue ID is an entry of its own, which the
    key numbers do not count."""
    total = len(analysis.messages)
    tries = int(analysis.messages["final_state"].eq("not_accepted").sum())
    handed_off = total - totals.messages - tries
    values = {"shown": f"{shown:,}", "total": f"{total:,}"}
    if tries and not handed_off:
        return labels["message_table_note_tries"].format(
            tries=f"{tries:,}", messages=f"{totals.messages:,}", **values
        )
    if not handed_off:
        return labels["message_table_note"].format(**values)
    return labels["message_table_note_handoffs"].format(
        handed_off=f"{handed_off + tries:,}", messages=f"{totals.messages:,}", **values
    )


def _messages(
    analysis: Analysis, fmt: _TimeFormat, labels: dict[str, str]
) -> list[dict[str, Any]]:
    messages = analysis.messages
    if messages.empty:
        return []
    order = messages["final_state"].map(_STATE_ORDER).fillna(9)
    chosen = (
        messages.assign(order=order)
        .sort_values(["order", "first_seen"])
        .head(MESSAGE_ROWS)
    )
    traces, omitted = _traces(analysis.event_fields, chosen.index, fmt)
    traces.update(_listing_traces(analysis, chosen, fmt))
    anchors = {
        key: f"message-{number}-{queue_id}"
        for number, (key, queue_id) in enumerate(chosen["queue_id"].items())
    }
    rows = []
    for key, message in chosen.iterrows():
        parent = _text(message["parent_key"])
        rows.append(
            {
                "key": key,
                "anchor": anchors[key],
                "host": message["host"],
                "queue_id": message["queue_id"],
                "message_id": _text(message["message_id"]),
                # The null sender of notices shows as Postfix logs it, from=<>.
                "sender": (
                    "<>"
                    if _text(message["sender"]) == ""
                    and isinstance(message["sender"], str)
                    else _text(message["sender"])
                ),
                "state": message["final_state"],
                "state_label": labels.get(
                    f"short_{message['final_state']}", str(message["final_state"])
                ),
                "first_seen": fmt.full(message["first_seen"]),
                "last_seen": fmt.full(message["last_seen"]),
                "parent": parent,
                # A related message shown in the table links to its entry.
                "parent_anchor": anchors.get(parent, ""),
                "children": [
                    (child, anchors.get(child, "")) for child in message["child_keys"]
                ],
                "trace": traces.get(key, []),
                "omitted": omitted.get(key, 0),
            }
        )
    return rows


def _listing_traces(
    analysis: Analysis, chosen: pd.DataFrame, fmt: _TimeFormat
) -> dict[str, list[dict[str, Any]]]:
    """Return the trace of each message in ``chosen`` that only a queue listing
    shows: one line per recipient as the listing gives it."""
    listed = chosen[
        (chosen["origin"] == QUEUE_ORIGIN).to_numpy(dtype=bool, na_value=False)
    ]
    queue = analysis.queue
    if listed.empty or queue.empty:
        return {}
    current = queue[queue["in_newest_listing"].to_numpy(dtype=bool)]
    rows = current.groupby(["host", "queue_id"], sort=False)
    traces: dict[str, list[dict[str, Any]]] = {}
    for key, message in listed.iterrows():
        pair = (message["host"], message["queue_id"])
        if pair not in rows.groups:
            continue
        group = rows.get_group(pair)
        traces[str(key)] = [
            {
                "time": fmt.full(row["arrival_time"]),
                "daemon": str(row["queue_name"]),
                "text": f"to=<{_text(row['recipient'])}>"
                + (f" ({row['reason']})" if pd.notna(row["reason"]) else ""),
                "source": str(row["source"]),
                "line_no": int(row["line_no"]),
            }
            for _, row in group.iterrows()
        ]
    return traces


TRACE_HEAD = 15
TRACE_TAIL = 10
"""Lines of each message's trace in the report: the first and the last ones. A
message retried for days has hundreds; ``mailbundle trace`` prints them all."""


def _traces(
    events: pd.DataFrame, keys: pd.Index, fmt: _TimeFormat
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, int]]:
    """Return the shown trace lines of each message, and how many were left out."""
    keyed = events.loc[
        events["message_key"].isin(keys),
        ["message_key", "time", "daemon", TEXT_ROW, "source", "line_no"],
    ]
    groups = keyed.groupby("message_key", sort=False)

    position = groups.cumcount()
    size = groups["message_key"].transform("size")
    visible = add_text(keyed[(position < TRACE_HEAD) | (position >= size - TRACE_TAIL)])
    omitted = (size - TRACE_HEAD - TRACE_TAIL).clip(lower=0)
    left_out = dict(zip(keyed["message_key"], omitted, strict=True))

    times = fmt.column(visible["time"])
    traces: dict[str, list[dict[str, Any]]] = {}
    for key, time, daemon, text, source, line_no in zip(
        visible["message_key"],
        times,
        visible["daemon"].astype(str),
        visible["text"].astype(str),
        visible["source"].astype(str),
        visible["line_no"].astype(int),
        strict=True,
    ):
        traces.setdefault(key, []).append(
            {
                "time": time,
                "daemon": daemon,
                "text": text,
                "source": source,
                "line_no": line_no,
            }
        )
    return traces, {key: int(n) for key, n in left_out.items() if n}


_STATE_ORDER = {"bounced": 0, "expired": 1, "deferred": 2, "partial": 3, "held": 4,
                "rejected": 5, "discarded": 5, "deleted": 6, "unknown": 7,
                "not_accepted": 7,
                "handed_off": 8, "delivered": 8}  # fmt: skip


def _text(value: object) -> str:
    return (
        ""
        if value is None or (not isinstance(value, (list, dict)) and pd.isna(value))
        else str(value)
    )


def _inventory(
    analysis: Analysis, fmt: _TimeFormat, labels: dict[str, str]
) -> list[dict[str, Any]]:
    return [
        {
            "path": e.path,
            "size": e.size,
            "sha256": e.sha256 or "",
            "kind": e.kind,
            "kind_label": labels.get(f"member_kind_{e.kind}", e.kind),
            "status": e.status,
            "status_label": labels.get(f"member_status_{e.status}", e.status),
            "detail": e.detail,
            "host": e.host or "",
            "lines": e.lines,
            "postfix_lines": e.postfix_lines,
            "recognized_lines": e.recognized_lines,
            "mtime": fmt.full(e.mtime),
        }
        for e in analysis.bundle.inventory.entries
    ]


def _unrecognized(analysis: Analysis) -> dict[str, Any]:
    by_daemon: dict[str, int] = {}
    other: dict[str, int] = {}
    unparsed = 0
    samples: list[dict[str, Any]] = []
    unparsed_samples: list[dict[str, Any]] = []
    # Postfix lines no rule recognized come from the events, where lines that
    # overlapping rotated copies repeat are already dropped.
    events = analysis.event_fields
    unknown = add_text(events[np.asarray(events["kind"] == UNKNOWN, dtype=bool)])
    for daemon, count in unknown["daemon"].value_counts().items():
        if count:
            by_daemon[str(daemon)] = int(count)
    for _, row in unknown.head(30).iterrows():
        samples.append({"source": row["source"], "line_no": int(row["line_no"]),
                        "daemon": row["daemon"], "text": row["text"]})  # fmt: skip
    for log in analysis.bundle.logs:
        stats = log.stats
        for program, count in stats.other_programs.items():
            other[program] = other.get(program, 0) + count
        unparsed += stats.unparsed_lines
        unparsed_samples += [{"source": log.source, "line_no": n, "text": t}
                             for n, t in stats.unparsed_samples[:5]]  # fmt: skip
    return {
        "by_daemon": sorted(by_daemon.items(), key=lambda x: -x[1]),
        "other_programs": sorted(other.items(), key=lambda x: -x[1])[:20],
        "unparsed": unparsed,
        "samples": samples[:30],
        "unparsed_samples": unparsed_samples[:10],
        "duplicates": analysis.duplicates_dropped,
    }


def _traffic(analysis: Analysis) -> list[dict[str, Any]]:
    frame = analysis.traffic("D", notices=False)  # as the key numbers count
    return [
        {"period": f"{index:%Y-%m-%d}", **{k: int(v) for k, v in row.items()}}
        for index, row in frame.iterrows()
    ]
