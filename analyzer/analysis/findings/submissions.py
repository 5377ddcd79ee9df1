"""Problems of this host's own sending path that no delivery record shows.

Mail that cleanup does not accept stays in the maildrop queue, and pickup tries
it again under a new queue ID each time. A source address that smtp cannot use
makes it connect from another one. Mail that qmgr queued may get no delivery
attempt at all."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analyzer.analysis.findings.context import Context, config_evidence, log_evidence
from analyzer.analysis.findings.model import Finding

NOT_ACCEPTED = re.compile(
    r"warning: (?:[0-9A-Za-z]+: )?(?P<problem>.+?) -- message not accepted, try "
    r"again later"
)
"""cleanup's warning when a problem on this host keeps it from queueing a
message. pickup tries the submission again later."""
ALIAS_LOOP = re.compile(
    r"unreasonable (?P<maps>\w+) map (?P<limit>nesting|expansion size) for "
    r"(?P<address>\S+)"
)
"""The problem when alias entries lead back to each other or nest deeper than
virtual_alias_recursion_limit ("nesting"), or when an alias gives more
addresses than virtual_alias_expansion_limit ("expansion size")."""


def not_accepted_findings(ctx: Context) -> list[Finding]:
    """Report, per host, the submissions that cleanup did not accept."""
    events = ctx.events
    rows, found = ctx.warnings_matching(NOT_ACCEPTED, "problem", "daemon", "cleanup")
    problems = found["problem"]
    findings = []
    hosts = events["host"].iloc[rows].astype(object)
    for host in dict.fromkeys(hosts):
        own = (hosts == host).to_numpy(dtype=bool)
        group = events.iloc[rows[own]]
        keys = group["message_key"].dropna().astype(str).unique().tolist()
        count = _waiting(ctx, str(host), keys)
        problem = str(problems[own].iloc[0])
        params: dict[str, object] = {
            "count": count,
            "attempts": f"{len(group):,}",
            "problem": problem,
        }
        loop = ALIAS_LOOP.search(problem)
        if loop:
            params["variant"] = "alias_loop"
            params["maps"] = loop["maps"]
            params["address"] = loop["address"]
            config = ctx.config(str(host))
            tables = config.get(loop["maps"]) if config is not None else ""
            # postmap -q reads one table: the first one that main.cf lists.
            first = next(iter(re.split(r"[\s,]+", tables.strip())), "")
            params["table"] = first or loop["maps"]
            if loop["limit"] == "expansion size":
                params["variant"] = "expansion_limit"
                limit = config.get("virtual_alias_expansion_limit") if config else ""
                params["limit"] = limit or "?"
        evidence = log_evidence(events, rows[own])
        if params.get("variant") == "expansion_limit":
            evidence += config_evidence(
                ctx.config(str(host)), "virtual_alias_expansion_limit"
            )
        origins = ctx.messages["origin"].reindex(keys)
        if len(origins) and origins.eq("smtp").all():
            # smtpd replied with a temporary error, so the clients keep the
            # mail and retry. Nothing waits in maildrop.
            params["variant"] = "from_clients"
        findings.append(
            Finding(
                code="mail-not-accepted",
                severity="error",
                host=str(host),
                messages_affected=int(count),
                first_seen=group["time"].min(),
                last_seen=group["time"].max(),
                evidence=evidence,
                params=params,
                message_keys=keys,
                # An error, but of some addresses: below causes that stop all
                # of a host's mail.
                priority=75,
            )
        )
    return findings


def _waiting(ctx: Context, host: str, keys: list[str]) -> int:
    """Return how many messages wait: the maildrop entries of the host's newest
    queue listing, else the Message-IDs of the tries. Each try has a new queue
    ID, and a new Message-ID too where cleanup adds it."""
    queue = ctx.queue
    listed = queue[
        (queue["host"] == host).to_numpy(dtype=bool, na_value=False)
        & queue["in_newest_listing"].to_numpy(dtype=bool)
        & (queue["queue_name"] == "maildrop").to_numpy(dtype=bool, na_value=False)
    ]
    if len(listed):
        return int(listed["queue_id"].nunique())
    # NOTE: where cleanup adds the Message-ID, each try has its own, so without
    # a listing this counts tries, not messages.
    message_ids = ctx.messages["message_id"].reindex(keys).dropna()
    return int(message_ids.nunique()) if len(message_ids) else len(keys)


BIND_FAILED = re.compile(
    r"warning: smtp_connect_addr: bind (?P<address>\S+): (?P<reason>.+)"
)
"""smtp's warning when smtp_bind_address names an address this host lacks. It
then connects from its default address."""


def bind_address_findings(ctx: Context) -> list[Finding]:
    """Report, per host, smtp's failures to use the source address main.cf sets."""
    events = ctx.events
    rows, found = ctx.warnings_matching(BIND_FAILED, "address", "daemon", "smtp")
    findings = []
    hosts = events["host"].iloc[rows].astype(object)
    for host in dict.fromkeys(hosts):
        own = (hosts == host).to_numpy(dtype=bool)
        group = events.iloc[rows[own]]
        config = ctx.config(str(host))
        evidence = log_evidence(events, rows[own])
        evidence += config_evidence(config, "smtp_bind_address")
        findings.append(
            Finding(
                code="bind-address-missing",
                severity="warning",
                host=str(host),
                first_seen=group["time"].min(),
                last_seen=group["time"].max(),
                evidence=evidence,
                params={
                    "count": f"{len(group):,}",
                    "address": str(found["address"][own].iloc[0]),
                    "reason": str(found["reason"][own].iloc[0]),
                },
                priority=48,
            )
        )
    return findings


UNATTEMPTED_AFTER = pd.Timedelta(minutes=30)
"""Time the log must go on after a message entered the active queue with no
delivery line for it. qmgr hands a message to a delivery agent at once, and
one attempt lasts at most about 20 minutes with Postfix's default smtp
timeouts (connect, greeting, commands and data)."""


def unattempted_findings(ctx: Context) -> list[Finding]:
    """Report, per host, messages that qmgr queued and that no delivery agent
    tried while the log went on for UNATTEMPTED_AFTER: the report would
    otherwise call a host healthy that sent none of its mail."""
    messages = ctx.messages
    waiting = messages[
        messages["final_state"].eq("unknown").to_numpy(dtype=bool, na_value=False)
        & messages["nrcpt"].notna().to_numpy(dtype=bool)
        & messages["attempts"].eq(0).to_numpy(dtype=bool)
    ]
    if waiting.empty:
        return []
    ends = ctx.events.groupby("host", observed=True)["time"].max()
    findings = []
    for host, group in waiting.groupby("host", sort=False):
        end = ends.get(host)
        if end is None or pd.isna(end):
            continue
        stuck = group[(end - group["last_seen"]) >= UNATTEMPTED_AFTER]
        if stuck.empty:
            continue
        keys = stuck["message_key"].astype(str).tolist()
        events = ctx.events
        rows = np.flatnonzero(
            ctx.of_kind("queued")
            & events["message_key"].isin(keys[:EVIDENCE_MESSAGES]).to_numpy(dtype=bool)
        )
        listed = _still_listed(ctx, str(host), stuck["queue_id"])
        findings.append(
            Finding(
                code="delivery-not-attempted",
                severity="warning",
                host=str(host),
                messages_affected=len(stuck),
                first_seen=stuck["first_seen"].min(),
                last_seen=end,
                evidence=log_evidence(events, rows),
                params={
                    "count": f"{len(stuck):,}",
                    "oldest": ctx.clock(stuck["first_seen"].min()),
                    "end": ctx.clock(end),
                    "listed": f"{listed:,}",
                    "variant": "listed" if listed else "",
                },
                message_keys=keys,
                priority=45,
            )
        )
    return findings


EVIDENCE_MESSAGES = 4
"""Messages whose queue entry lines are quoted."""


def _still_listed(ctx: Context, host: str, queue_ids: pd.Series) -> int:
    """Return how many of ``queue_ids`` the host's newest queue listing shows."""
    queue = ctx.queue
    if queue.empty:
        return 0
    current = queue[
        (queue["host"] == host).to_numpy(dtype=bool, na_value=False)
        & queue["in_newest_listing"].to_numpy(dtype=bool)
    ]
    in_listing = current["queue_id"].isin(set(queue_ids.astype(str)))
    return int(current.loc[in_listing.to_numpy(dtype=bool), "queue_id"].nunique())
