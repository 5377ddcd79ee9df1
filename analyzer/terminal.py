"""Terminal output of the ``summary`` and ``trace`` commands.

Plain text for terminals and pipes alike; nothing here imports a renderer.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO
from unicodedata import east_asian_width

import numpy as np
import pandas as pd

from analyzer.analysis.findings import Finding
from analyzer.analysis.frames import TEXT_ROW, add_text, line_texts
from analyzer.analysis.queued import in_log
from analyzer.analysis.timeline import NOT_ACCEPTED_RULE, named_recipients
from analyzer.api import Analysis
from analyzer.clock import wall_time
from analyzer.report import i18n
from analyzer.report.context import localized_texts, verdict

TOP_REASONS = 8
"""Deferral reasons listed in the summary, most frequent first."""
HOST_COLUMN = 24
"""Minimum width of the host column of the summary's findings."""


def _time(value: object, zone: object) -> str:
    if value is None or pd.isna(value):
        return "?"
    return wall_time(value, str(zone))


def print_summary(
    analysis: Analysis,
    out: TextIO,
    rename: Callable[[str], str] | None = None,
    lang: str = "en",
) -> None:
    """Write the summary in ``lang``. ``rename`` gives the host names as the
    output will show them once redacted, so that the findings' columns line up
    after redaction."""
    text = i18n.labels(lang)
    inventory = analysis.bundle.inventory
    hosts = text["list_separator"].join(sorted(analysis.hosts))
    hosts = hosts or text["summary_no_hosts"]
    members = len(inventory.entries)
    line = text["summary_bundle_one" if members == 1 else "summary_bundle"]
    out.write(line.format(name=inventory.name, members=f"{members:,}", hosts=hosts))
    out.write("\n")
    # The same verdict as the reports and findings.json, partial note included.
    records = [_localized_record(finding, lang) for finding in analysis.findings]
    result = verdict(analysis, records, text)
    status = text[f"summary_status_{result['status']}"]
    out.write(text["summary_verdict"].format(status=status, detail=result["detail"]))
    out.write("\n")
    if result["headline"] != text[f"verdict_{result['status']}"]:
        # Some mail only, or problems that are over, as the reports' headline reads.
        headline = text["verdict_sentence"].format(text=result["headline"])
        out.write(f"         {headline}\n")
    _write_log_span(analysis, out, text)
    _write_totals(analysis, out, text)
    _write_reasons(analysis, out, text)
    _write_findings(analysis, out, rename or str, lang, text)


def _localized_record(finding: Finding, lang: str) -> dict[str, object]:
    """Return the finding's record with its texts in ``lang``."""
    record = finding.as_record()
    if lang != "en":
        title, summary, remedy = localized_texts(finding, lang)
        record.update(title=title, summary=summary, remedy=remedy)
    return record


def _write_log_span(analysis: Analysis, out: TextIO, text: dict[str, str]) -> None:
    lines = sum(log.stats.lines for log in analysis.bundle.logs)
    postfix = sum(log.stats.postfix_lines for log in analysis.bundle.logs)
    recognized = sum(log.stats.recognized_lines for log in analysis.bundle.logs)
    times = analysis.event_fields["time"]
    if times.notna().any():
        span = text["summary_span"].format(
            first=_time(times.min(), analysis.zone),
            last=_time(times.max(), analysis.zone),
            zone=analysis.zone,
        )
    else:
        span = text["summary_no_timestamps"]
    logs = text["summary_logs_one" if lines == 1 else "summary_logs"].format(
        span=span,
        lines=f"{lines:,}",
        postfix=f"{postfix:,}",
        recognized=f"{recognized:,}",
    )
    if analysis.duplicates_dropped:
        # Overlapping files (rotated copies, a journal export) repeat lines,
        # which the counts above include and the analysis reads once.
        dropped = f"{analysis.duplicates_dropped:,}"
        logs += text["summary_duplicates"].format(count=dropped)
    out.write(logs + "\n")


PEER_TOTALS = ("received", "delivered", "deferred", "deferrals", "bounced", "rejected")


def _write_totals(analysis: Analysis, out: TextIO, text: dict[str, str]) -> None:
    totals = analysis.totals()
    # Counted as the reports count them: notices (from=<>) apart.
    own = totals.mail_states()
    count = f"{totals.messages - totals.notices:,}"
    out.write(
        text["summary_messages"].format(count=count, states=_states(own, text)) + "\n"
    )
    if totals.notices:
        states = _states(totals.notice_states, text)
        notices = text["summary_notices"].format(
            count=f"{totals.notices:,}", states=states
        )
        out.write(notices + "\n")
    if totals.rejected_unqueued:
        rejected = f"{totals.rejected_unqueued:,}"
        out.write(text["summary_rejected_unqueued"].format(count=rejected) + "\n")
    peer = analysis.pflogsumm_totals()
    listed = text["list_separator"].join(
        text["summary_peer_item"].format(
            name=text[f"summary_peer_{key}"], count=f"{peer[key]:,}"
        )
        for key in PEER_TOTALS
    )
    out.write(text["summary_peer"].format(totals=listed) + "\n")
    deliveries = analysis.deliveries
    soft = deliveries["status"].eq("SOFTBOUNCE").to_numpy(dtype=bool, na_value=False)
    if soft.any():
        note = text["summary_soft_bounce"].format(
            deferrals=f"{int(soft.sum()):,}",
            messages=f"{int(deliveries['message_key'][soft].nunique()):,}",
        )
        out.write(note + "\n")
    # value_counts reads the categorical's codes: no string per line.
    counts = analysis.event_fields["instance"].value_counts(dropna=True)
    others = counts[(counts.index.astype(str) != "postfix") & (counts > 0)]
    if len(others):
        names = ", ".join(sorted(str(name) for name in others.index)[:3])
        note = text["summary_instances"].format(
            count=f"{int(others.sum()):,}", names=names
        )
        out.write(note + "\n")
    _write_queue_count(analysis, out, text)


def _states(counts: dict[str, int], text: dict[str, str]) -> str:
    """Return " (delivered 3, deferred 1)" for the states that occur, most first."""
    listed = text["list_separator"].join(
        text["summary_state"].format(
            state=text.get(f"short_{state}", state), count=f"{count:,}"
        )
        for state, count in sorted(counts.items(), key=lambda x: -x[1])
        if count
    )
    return text["summary_states"].format(states=listed) if listed else ""


def _write_queue_count(analysis: Analysis, out: TextIO, text: dict[str, str]) -> None:
    """Write how many messages the newest queue listings show, and how many that
    only older listings show, which left the queue in between."""
    queue = analysis.queue
    current = queue["in_newest_listing"].astype(bool)
    # A message is a host and a queue ID: two hosts may use the same ID.
    messages = queue["host"].astype(str) + " " + queue["queue_id"].astype(str)
    queued = int(messages[current].nunique())
    gone = int(messages[~current].nunique())
    later = ""
    if gone:
        key = "summary_queue_gone_one" if gone == 1 else "summary_queue_gone"
        later = text[key].format(count=f"{gone:,}")
    empty = [q.source for q in analysis.bundle.queues if q.empty]
    if queued:
        key = "summary_queue_one" if queued == 1 else "summary_queue"
        out.write(text[key].format(count=f"{queued:,}", later=later) + "\n")
    elif empty:
        sources = ", ".join(empty)
        out.write(text["summary_queue_empty"].format(sources=sources, later=later))
        out.write("\n")
    elif gone:
        out.write(text["summary_queue"].format(count="0", later=later) + "\n")


def _write_reasons(analysis: Analysis, out: TextIO, text: dict[str, str]) -> None:
    table = analysis.deferrals("by_reason")["by_reason"]
    if table.empty:
        return
    out.write("\n" + text["summary_reasons"] + "\n")
    for _, row in table.head(TOP_REASONS).iterrows():
        deferrals = int(row["deferrals"])
        example_count = int(row["example_deferrals"])
        share = (
            text["summary_reason_share"].format(
                example=f"{example_count:,}", total=f"{deferrals:,}"
            )
            if example_count < deferrals
            else ""
        )
        out.write(f"  {deferrals:>7,} x  {row['example']}{share}\n")


def _write_findings(
    analysis: Analysis,
    out: TextIO,
    rename: Callable[[str], str],
    lang: str,
    text: dict[str, str],
) -> None:
    out.write("\n" + text["summary_findings"] + "\n")
    if not analysis.findings:
        out.write("  " + text["summary_no_findings"] + "\n")
    # Widths of the host names as shown: the output is redacted as a whole later.
    host_widths = [len(rename(finding.host)) for finding in analysis.findings]
    # The host column fits the longest host name, so a count never touches it.
    width = max([HOST_COLUMN, *(length + 2 for length in host_widths)])
    for finding, length in zip(analysis.findings, host_widths, strict=True):
        count = (
            text["summary_finding_count"].format(count=f"{finding.messages_affected:,}")
            if finding.messages_affected
            else ""
        )
        severity = text[f"summary_severity_{finding.severity}"]
        line = (
            f"  {_padded(severity, 8)}{finding.code:<28}"
            f"{finding.host}{' ' * (width - length)}{count}"
        )
        out.write(line.rstrip() + "\n")
        title = localized_texts(finding, lang)[0] if lang != "en" else finding.title
        out.write(f"          {title}\n")
        for evidence in finding.evidence[:1]:
            where = (
                f"{evidence.source}:{evidence.line_no}"
                if evidence.line_no
                else evidence.source
            )
            out.write(f"          {where}: {_cut(evidence.text)}\n")


SUMMARY_LINE_LIMIT = 1000
"""Maximum length of an evidence line that the summary prints whole; the report and
findings.json keep every line whole."""


def _cut(text: str, limit: int = SUMMARY_LINE_LIMIT) -> str:
    """Return ``text`` cut to ``limit`` characters, saying how many were left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… (+{len(text) - limit:,} characters)"


def _padded(value: str, width: int) -> str:
    """Pad ``value`` to ``width`` columns of a terminal, where a Japanese
    character takes two."""
    columns = sum(2 if east_asian_width(char) in "WF" else 1 for char in value)
    return value + " " * max(width - columns, 0)


def find_messages(analysis: Analysis, query: str) -> list[str]:
    """Return the keys of messages matching a queue ID, message key, Message-ID,
    address, domain, relay host name or IP address, or submitting client."""
    messages = analysis.messages
    needle = query.strip()
    by_id = messages.index[messages["queue_id"].str.upper() == needle.upper()]
    by_key = _by_message_key(messages, needle)
    message_id = needle if needle.startswith("<") else f"<{needle}>"
    by_message_id = messages.index[messages["message_id"].fillna("") == message_id]
    matches = _matcher(query)
    by_sender = messages.index[matches(messages["sender"]).to_numpy(dtype=bool)]
    deliveries = analysis.deliveries
    match = matches(deliveries["recipient"]) | matches(deliveries["orig_recipient"])
    by_recipient = deliveries.loc[match, "message_key"].dropna().unique()
    named = named_recipients(analysis.event_fields)
    by_named = named.loc[matches(named["recipient"]).to_numpy(bool), "message_key"]
    by_try = _tries_naming(analysis.event_fields, matches)
    # Messages that only a queue listing shows have recipients but no deliveries.
    recipients = analysis.recipients
    listed = recipients[matches(recipients["recipient"]).to_numpy(bool)]
    by_listed = listed["message_key"].astype(str).tolist()
    server = server_query(needle)
    by_relay = [
        *_by_relay(analysis.event_fields, server),
        *_by_relay_field(deliveries, needle),
    ]
    by_client = messages.index[_client_matches(messages, server)]
    found = [
        *by_id,
        *by_key,
        *by_message_id,
        *by_sender,
        *by_recipient,
        *by_named,
        *by_listed,
        *by_try,
        *by_relay,
        *by_client,
    ]
    return list(dict.fromkeys(found))


_TRY_ADDRESS = r" for <?(?P<address>[^\s<>]+)>? -- message not accepted"
"""The address in cleanup's warning about a try it did not accept ("... map
nesting for ops@example.com -- message not accepted, try again later")."""


def _tries_naming(
    events: pd.DataFrame, matches: Callable[[pd.Series], pd.Series]
) -> list[str]:
    """Return the keys of the tries whose cleanup warning names an address that
    ``matches`` accepts: a try has no recipient of its own."""
    rule = events["rule"]
    rows = np.flatnonzero(
        (rule == NOT_ACCEPTED_RULE).to_numpy(dtype=bool, na_value=False)
        & events["message_key"].notna().to_numpy(dtype=bool)
    )
    if len(rows) == 0:
        return []
    named = line_texts(events, rows).str.extract(_TRY_ADDRESS, expand=False)
    hit = matches(named.astype(object)).to_numpy(dtype=bool)
    return [str(key) for key in events["message_key"].iloc[rows[hit]]]


def _by_message_key(messages: pd.DataFrame, needle: str) -> list[str]:
    """Return the keys of messages that ``needle`` names as host:queue_id, or
    host:instance:queue_id, with an optional #N for the N-th lifetime, or as
    queue_id#N on any host.

    Without the instance, the query matches every instance of the host. Without
    #N, it matches every lifetime. The first lifetime's key has no suffix, and #1
    names it.
    """
    parts = needle.split(":")
    if len(parts) == 1 and "#" in needle:
        parts = ["", needle]  # QUEUEID#N: that lifetime on every host
    if len(parts) not in (2, 3):
        return []
    host, *instance, last = parts
    queue_id, _, lifetime = last.partition("#")
    if lifetime and not lifetime.isdigit():
        return []
    matched = messages["queue_id"].str.upper() == queue_id.upper()
    if host:
        # Keys use the syslog host name, often the short one: qradar-ep1 for
        # a bundle folder named qradar-ep1.example.com.
        hosts = messages["host"].str.lower()
        matched &= (hosts == host.lower()) | (hosts == host.lower().partition(".")[0])
    if instance:
        matched &= messages["instance"].str.lower() == instance[0].lower()
    if lifetime:
        numbers = messages.index.str.extract(r"#(\d+)$", expand=False).fillna("1")
        matched &= numbers.to_numpy() == str(int(lifetime))
    return [str(key) for key in messages.index[matched.fillna(False).to_numpy(bool)]]


@dataclass(frozen=True)
class ServerQuery:
    """A server named by a query: a host name, an address, or both, and a port."""

    name: str | None
    address: str | None
    port: str | None


def server_query(needle: str) -> ServerQuery:
    """Read a server query in relayhost's forms ([mail.example.com],
    192.0.2.1:25, [2001:db8::1]:25) or as Postfix logs it (name[address]:port)."""
    text = needle.strip()
    logged = re.fullmatch(r"([^\[\]\s]*)\[([^\]]+)\](?::(\d+))?", text)
    if logged:
        inside, port = logged[2], logged[3]
        if logged[1]:
            return ServerQuery(logged[1], _address(inside) or inside, port)
        address = _address(inside)
        return ServerQuery(None if address else inside, address, port)
    host, separator, port = text.rpartition(":")
    if separator and port.isdigit() and ":" not in host:
        text, port_text = host, port
    else:
        port_text = None
    address = _address(text)
    return ServerQuery(None if address else text, address, port_text)


def other_ports(analysis: Analysis, query: str) -> list[str]:
    """Return the ports at which the server that ``query`` names with a port
    was tried, when it never was at that port: the query's port is wrong."""
    server = server_query(query.strip().strip("<>"))
    if server.port is None:
        return []
    any_port = ServerQuery(server.name, server.address, None)
    keys = _by_relay(analysis.event_fields, any_port)
    if not keys:
        return []
    deliveries = analysis.deliveries
    tried = deliveries[deliveries["message_key"].isin(keys).to_numpy(dtype=bool)]
    if server.name is not None:
        names = tried["relay_host"].astype("string").str.lower()
        tried = tried[
            (names == server.name.lower()).to_numpy(dtype=bool, na_value=False)
        ]
    ports = tried["relay_port"].dropna().astype(int).unique()
    return [str(port) for port in sorted(ports) if str(port) != server.port]


def _address(text: str) -> str | None:
    """Return ``text`` as an IP address in Postfix's notation, or None."""
    try:
        return str(
            ipaddress.ip_address(text.removeprefix("ipv6:").removeprefix("IPv6:"))
        )
    except ValueError:
        return None


RELAY_DAEMONS = ("smtp", "lmtp")
"""Delivery agents whose lines name the server that a message went to or was
attempted at: relay=host[address], or "connect to", "host ... said" and "lost
connection with" replies."""


def _by_relay(events: pd.DataFrame, server: ServerQuery) -> list[str]:
    """Return the keys of messages that went to, or were attempted at, the relay
    ``server``, in the order of their lines. With a port, only lines that give
    that port count (relay=, "connect to")."""
    if server.name is not None and not _HOST_NAME.fullmatch(server.name):
        return []
    # The name ends where Postfix writes the address, as in name[192.0.2.1].
    name = rf"(?:^|[\s=]){re.escape(server.name)}" if server.name else ""
    any_address = r"[^\]]*"
    inside = (
        rf"(?:ipv6:)?{re.escape(server.address)}" if server.address else any_address
    )
    pattern = rf"{name}\[{inside}\]"
    if server.port:
        pattern += rf":{server.port}(?!\d)"
    elif server.name and not server.address:
        # Attempts that never reached an address: relayhost loops back to this
        # host, or its name is not in DNS.
        quoted = re.escape(server.name)
        pattern += rf"|mail for {quoted} loops back to myself|name={quoted} type="
    elif server.address and not server.name:
        # An address that Postfix would not use (an IPv4 literal with
        # inet_protocols = ipv6) is named without brackets.
        quoted = re.escape(server.address)
        pattern += rf"|Name service error for {quoted}:"
    chosen = events["daemon"].isin(RELAY_DAEMONS) & events["message_key"].notna()
    lines = events.loc[chosen.to_numpy(dtype=bool), ["message_key", TEXT_ROW]]
    named = line_texts(lines).astype(str).str.contains(pattern, case=False, regex=True)
    keys = lines.loc[named.to_numpy(dtype=bool), "message_key"].astype(str)
    return list(dict.fromkeys(keys))


def _by_relay_field(deliveries: pd.DataFrame, needle: str) -> list[str]:
    """Return the keys of messages delivered to a relay that is not an SMTP or LMTP
    server, by the relay as logged: a pipe transport (relay=dovecot) or an LMTP
    socket (relay=mail.example.com[private/dovecot-lmtp])."""
    relay_query = needle.strip().lower()
    relay = deliveries["relay"].astype("string").str.lower()
    relay_ip = deliveries["relay_ip"].astype("string").str.lower()
    if relay_query == "none":  # relay=none: no server was reached
        return []
    matched = (relay == relay_query) | (relay_ip == relay_query)
    if "[" not in relay_query and relay_query != "local":
        relay_host = deliveries["relay_host"].astype("string").str.lower()
        matched |= relay_host == relay_query
    rows = matched.fillna(False).to_numpy(dtype=bool)
    return list(dict.fromkeys(deliveries.loc[rows, "message_key"].dropna().astype(str)))


def _client_matches(messages: pd.DataFrame, server: ServerQuery) -> np.ndarray:
    """Return which messages the client ``server`` submitted."""
    matched = pd.Series(True, index=messages.index)
    if server.name is not None:
        matched &= messages["client"].str.lower() == server.name.lower()
    if server.address is not None:
        matched &= messages["client_ip"] == server.address
    rows: np.ndarray = matched.fillna(False).to_numpy(dtype=bool)
    return rows


_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?")
"""A host name as a relay query: letters, digits, dots and hyphens."""


def _matcher(query: str) -> Callable[[pd.Series], pd.Series]:
    """Return a test of addresses against ``query``: the address itself, or every
    address in the domain that ``query`` names (example.com or @example.com).
    MAILER-DAEMON and <> name the null sender of bounce notices."""
    lowered = query.strip().lower().strip("<>")
    if lowered == "mailer-daemon":
        lowered = ""
    domain = lowered.lstrip("@") if "." in lowered and "@" not in lowered[1:] else None

    def matches(addresses: pd.Series) -> pd.Series:
        if not lowered:  # the null sender, not a missing one
            return addresses.astype(object).map(
                lambda v: isinstance(v, str) and v == ""
            )
        text = addresses.astype(object).fillna("").str.lower()
        if domain is not None:
            return text.str.endswith("@" + domain)
        return text == lowered

    return matches


def family(analysis: Analysis, keys: list[str]) -> list[str]:
    """Add the parents and children of ``keys``, in first-seen order."""
    messages = analysis.messages
    seen: set[str] = set()
    stack = list(keys)
    while stack:
        key = stack.pop()
        if key in seen or key not in messages.index:
            continue
        seen.add(key)
        parent = messages.at[key, "parent_key"]
        if isinstance(parent, str):
            stack.append(parent)
        stack.extend(messages.at[key, "child_keys"])

    # Each message comes before its children (a bounce notice can be first seen
    # before its parent's earliest line in the log), otherwise by first seen.
    def first_seen(key: str) -> tuple[bool, pd.Timestamp, int]:
        value = messages.at[key, "first_seen"]
        known = pd.notna(value)
        when = value if known else pd.Timestamp(0, tz="UTC")
        return (not known, when, int(messages.index.get_loc(key)))

    ordered: list[str] = []

    def visit(key: str) -> None:
        ordered.append(key)
        children = [c for c in messages.at[key, "child_keys"] if c in seen]
        for child in sorted(children, key=first_seen):
            if child not in ordered:
                visit(child)

    roots = [
        key
        for key in seen
        if not (isinstance(p := messages.at[key, "parent_key"], str) and p in seen)
    ]
    for root in sorted(roots, key=first_seen):
        visit(root)
    return ordered


def print_trace(analysis: Analysis, query: str, out: TextIO, lang: str = "en") -> bool:
    """Write the linked timelines of the messages that match ``query``, with
    the words around the log lines in ``lang``. Returns False when none matches."""
    text = i18n.labels(lang)
    matched = find_messages(analysis, query)
    keys = family(analysis, matched)
    # Messages that only a listing shows have no lines: their listing rows show them.
    messages = analysis.messages
    listed_only = set(in_log(messages).index.symmetric_difference(messages.index))
    logged = [key for key in keys if key not in listed_only]
    listed = _queued_only(analysis, query, logged, keys)
    if not logged and listed.empty:
        return False
    if logged:
        linked = len(set(logged) - set(matched))
        _print_logged(analysis, logged, linked, out, text)
    if not listed.empty:
        _print_listed(analysis, listed, out, text)
    return True


def _queued_only(
    analysis: Analysis, query: str, logged: list[str], keys: list[str]
) -> pd.DataFrame:
    """Return the queue listing rows of the messages that match ``query`` and
    that the log does not show. These are the rows that match, and the rows of
    the matching ``keys`` that are not ``logged``: the messages frame gives their
    addresses qualified ("root@example.com" for the listing's "root")."""
    queue = analysis.queue
    if queue.empty:
        return queue
    match = _matcher(query)
    found = (queue["queue_id"].fillna("").str.upper() == query.strip().upper()) | (
        match(queue["sender"]) | match(queue["recipient"])
    )
    # Every recipient of a matching message, as the log's timeline shows them.
    # A message is a host and a queue ID: another host may use the same ID.
    pair = queue["host"].astype(str) + " " + queue["queue_id"].astype(str)
    chosen = set(pair[found.to_numpy(dtype=bool, na_value=False)])
    messages = analysis.messages
    listed = messages.loc[[k for k in keys if k not in logged]]
    listed_pairs = set(
        listed["host"].astype(str) + " " + listed["queue_id"].astype(str)
    )
    shown = messages.loc[logged]
    chosen -= set(shown["host"].astype(str) + " " + shown["queue_id"].astype(str))
    chosen |= listed_pairs
    return queue[pair.isin(chosen).to_numpy(dtype=bool)]


def _print_listed(
    analysis: Analysis, rows: pd.DataFrame, out: TextIO, text: dict[str, str]
) -> None:
    # Plain lists: pandas row access costs a millisecond a row (25 s for 20,000
    # listed messages).
    columns = ["host", "queue_id", "queue_name", "sender", "arrival_time",
               "source", "line_no", "recipient", "reason"]  # fmt: skip
    records = zip(
        *(rows[name].astype(object).tolist() for name in columns), strict=True
    )
    messages: dict[tuple[object, object], list[tuple[object, ...]]] = {}
    for record in records:
        messages.setdefault((record[0], record[1]), []).append(record)
    count = f"{len(messages):,}"
    out.write(text["trace_listed"].format(count=count, zone=analysis.zone) + "\n")
    for (_, queue_id), group in messages.items():
        _, _, queue_name, sender, arrival, source, line_no, _, _ = group[0]
        sender = text["trace_from"].format(sender=sender if pd.notna(sender) else "?")
        arrived = text["trace_arrived"].format(time=_time(arrival, analysis.zone))
        out.write(
            f"\n== {queue_id}  [{queue_name}]  {sender}  {arrived}"
            f"   [{source}:{line_no}]\n"
        )
        for *_, recipient, reason in group:
            because = f"  ({reason})" if pd.notna(reason) else ""
            to = text["trace_to"].format(recipient=recipient)
            out.write(f"   {to}{because}\n")


def _in_log_order(lines: pd.DataFrame) -> pd.DataFrame:
    """Return one message's lines in time order. A line without a valid time gets
    the time of the line before it in its file, or of the line after it."""
    if not lines["time"].isna().any():
        return lines
    by_file = lines.sort_values(["source", "line_no"], kind="stable")
    placed = by_file.groupby("source", observed=True)["time"].transform(
        lambda times: times.ffill().bfill()
    )
    order = placed.sort_values(kind="stable").index
    return by_file.loc[order]


UNQUEUED_SHOWN = 20
"""Lines shown of those rejected before a queue ID was given."""


def print_unqueued(
    analysis: Analysis, query: str, out: TextIO, lang: str = "en"
) -> int:
    """Print the NOQUEUE lines (mail rejected before it got a queue ID) that name
    ``query`` as an address, domain, or client name or address.

    Returns how many lines matched.
    """
    events = analysis.event_fields
    unqueued = add_text(
        events[(events["queue_id"] == "NOQUEUE").to_numpy(dtype=bool, na_value=False)]
    )
    needle = query.strip().strip("<>")
    if unqueued.empty or not needle:
        return 0
    server = server_query(needle)
    texts = unqueued["text"].astype(str)
    named = texts.str.contains(re.escape(needle), case=False, regex=True)
    if server.address:
        named |= texts.str.contains(
            rf"\[(?:ipv6:)?{re.escape(server.address)}\]", case=False
        )
    found = unqueued[named.to_numpy(dtype=bool)]
    if found.empty:
        return 0
    text = i18n.labels(lang)
    count = f"{len(found):,}"
    out.write(text["trace_unqueued"].format(count=count, zone=analysis.zone))
    out.write("\n\n")
    for _, event in found.head(UNQUEUED_SHOWN).iterrows():
        out.write(_event_line(event, analysis.zone))
    if len(found) > UNQUEUED_SHOWN:
        more = text["trace_more"].format(count=f"{len(found) - UNQUEUED_SHOWN:,}")
        out.write(f"   {more}\n")
    return len(found)


def _print_logged(
    analysis: Analysis,
    keys: list[str],
    linked: int,
    out: TextIO,
    text: dict[str, str],
) -> None:
    """Write the timelines of ``keys``, of which ``linked`` did not match the
    query themselves but derive from or lead to those that did."""
    events = analysis.event_fields
    keyed = add_text(events[events["message_key"].isin(keys)])
    zone = analysis.zone
    if linked:
        header = text["trace_messages_linked"].format(
            count=f"{len(keys) - linked:,}", linked=f"{linked:,}", zone=zone
        )
    else:
        header = text["trace_messages"].format(count=f"{len(keys):,}", zone=zone)
    out.write(header + "\n")
    for key in keys:
        message = analysis.messages.loc[key]
        parent = message["parent_key"]
        state = message["final_state"]
        state = text.get(f"short_{state}", state)
        sender = message["sender"] if pd.notna(message["sender"]) else "?"
        out.write(f"\n== {key}  [{state}]  {text['trace_from'].format(sender=sender)}")
        if pd.notna(message["message_id"]):
            message_id = text["trace_message_id"].format(id=message["message_id"])
            out.write(f"  {message_id}")
        if isinstance(parent, str):
            link = str(message["link"])
            link = text.get(f"trace_link_{link.replace(' ', '_')}", link)
            child = text["trace_child_of"].format(parent=parent, link=link)
            out.write(f"\n   {child}")
        out.write("\n")
        for _, event in _in_log_order(keyed[keyed["message_key"] == key]).iterrows():
            out.write(_event_line(event, analysis.zone))
        if message["final_state"] in STILL_QUEUED:
            for line in _listing_lines(analysis, message, text):
                out.write(line)


STILL_QUEUED = ("deferred", "held", "unknown")
"""Final states of messages that the newest queue listing may still show."""


def _listing_lines(
    analysis: Analysis, message: pd.Series, text: dict[str, str]
) -> list[str]:
    """Return the lines of the host's newest queue listing that show ``message``:
    one per recipient, with its queue and the reason of its last deferral."""
    queue = analysis.queue
    if queue.empty:
        return []
    rows = queue[
        queue["in_newest_listing"].to_numpy(dtype=bool)
        & (queue["host"] == message["host"]).to_numpy(dtype=bool, na_value=False)
        & (queue["queue_id"] == message["queue_id"]).to_numpy(
            dtype=bool, na_value=False
        )
    ]
    lines = []
    for row in rows.itertuples(index=False):
        reason = f" ({row.reason})" if pd.notna(row.reason) else ""
        listed = text["trace_listed_row"].format(
            queue=row.queue_name, recipient=row.recipient, reason=reason
        )
        lines.append(f"   {listed}   [{row.source}:{row.line_no}]\n")
    return lines


def _event_line(event: pd.Series, zone: object) -> str:
    """Return one log line of a trace: time, daemon, text and where it is."""
    return (
        f"   {_time(event['time'], zone)}  {event['daemon']!s:<8} "
        f"{event['text']}   [{event['source']}:{event['line_no']}]\n"
    )
