"""Findings from failed and successful delivery attempts."""

from __future__ import annotations

import re

import pandas as pd

from analyzer.analysis.findings.context import (
    Context,
    Relayhost,
    config_evidence,
    diverse_rows,
    is_self,
    log_evidence,
    parse_relayhost,
)
from analyzer.analysis.findings.model import Evidence, Finding
from analyzer.analysis.hosts import HostView
from analyzer.analysis.reasons import causes
from analyzer.parse.config import MainConfig

# Cause of a failed attempt -> finding code, and the priority of that code among
# findings of the same severity.
CAUSE_CODES = {
    "loops_to_myself": "localhost-loop",
    "mx_lookup_failed": "relayhost-mx-lookup",
    "host_not_found": "relayhost-unresolvable",
    "connection_refused": "relay-connection-failed",
    "connection_timed_out": "relay-connection-failed",
    "no_route": "relay-connection-failed",
    "network_unreachable": "relay-connection-failed",
    "lost_connection": "relay-connection-failed",
    "relay_denied": "relay-access-denied",
    "client_rejected": "relay-access-denied",
    "sender_rejected": "sender-address-rejected",
    "sasl_failed": "sasl-authentication-failed",
    "tls_not_offered": "tls-failure",
    "starttls_required": "tls-required-by-server",
    "tls_failure": "tls-failure",
    "sender_policy": "sender-policy-rejected",
    "rate_limited": "rate-limited",
    "too_large": "message-too-large",
    "unknown_recipient": "unknown-recipient",
    "greylisted": "greylisting",
    "disk_full": "disk-full",
    "mailbox_full": "mailbox-full",
    "suspended": "delivery-suspended",
    "content_rejected": "content-rejected",
}
PRIORITY = {
    "disk-full": 95,
    "localhost-loop": 90,
    "relayhost-mx-lookup": 90,
    "relayhost-unresolvable": 88,
    "dns-lookup-failed": 85,
    "relay-access-denied": 82,
    "sender-address-rejected": 82,
    "sasl-authentication-failed": 82,
    "tls-failure": 82,
    "tls-required-by-server": 82,
    "sender-policy-rejected": 80,
    "relay-connection-failed": 80,
    "ipv6-no-route": 78,
    "message-too-large": 55,
    "unknown-recipient": 50,
    "mailbox-full": 45,
    "content-rejected": 45,
    "delivery-suspended": 40,
    "rate-limited": 35,
    "delivery-failed": 30,
    "greylisting": 20,
}
UNRESOLVED = ("deferred", "bounced", "expired", "partial", "unknown")
"""Final states in which a message still suffers from the failure that hit it.

Held and deleted messages are blocked or ended by an administrator instead."""
LOST = ("bounced", "expired")
RECOVERED_PENALTY = 50
"""Priority taken off a failure that later deliveries through the same relay show cleared."""
_NAME = re.compile(r"name=([^\s,;)]+)")


def delivery_findings(ctx: Context) -> list[Finding]:
    failed = ctx.deliveries[
        ctx.deliveries["status"].isin(["deferred", "bounced"])
    ].copy()
    if failed.empty:
        return []
    failed["cause"] = causes(failed["reason"])
    failed["code"] = _codes(failed, ctx)
    findings = []
    for (host, code), group in failed.groupby(["host", "code"], sort=False):
        findings.append(_finding(ctx, str(host), str(code), group))
    return findings


def _codes(failed: pd.DataFrame, ctx: Context) -> pd.Series:
    """Finding code of each failed attempt, from its cause and, for DNS, its name."""
    code = failed["cause"].map(CAUSE_CODES).fillna("delivery-failed").astype(object)
    ipv6 = (
        code.eq("relay-connection-failed")
        & failed["relay_ip"].fillna("").str.contains(":", regex=False)
        & failed["cause"].isin(["network_unreachable", "no_route"])
    )
    code[ipv6.to_numpy(dtype=bool)] = "ipv6-no-route"
    dns = code.isin(["relayhost-mx-lookup", "relayhost-unresolvable"]).to_numpy(
        dtype=bool
    )
    if dns.any():
        rows = failed[dns]
        name = rows["reason"].str.extract(_NAME, expand=False).str.lower()
        domain = rows["recipient"].fillna("").str.rpartition("@")[2].str.lower()
        no_relay = rows["host"].map(lambda host: _relayhost_of(ctx, str(host)) is None)
        direct = (name.notna() & (name == domain) & no_relay).to_numpy(dtype=bool)
        values = code[dns].to_numpy(copy=True)
        values[direct] = "dns-lookup-failed"
        code[dns] = values
    return code


def _relayhost_of(ctx: Context, host: str) -> Relayhost | None:
    config = ctx.config(host)
    return parse_relayhost(config.get("relayhost")) if config else None


def _finding(ctx: Context, host: str, code: str, group: pd.DataFrame) -> Finding:
    keys = group["message_key"].dropna().unique().tolist()
    states = ctx.messages["final_state"].reindex(keys)
    unresolved = states.isin(UNRESOLVED)
    recovered = code != "greylisting" and _recovered(ctx, host, group)
    failing = states.isin(LOST).any() or (unresolved.any() and not recovered)
    severity = "error" if failing else "warning"
    if code == "greylisting":
        severity = "warning" if unresolved.any() else "info"
    config = ctx.config(host)
    relays = _top(group["relay_host"].where(group["relay_host"] != "none"), 3)
    params: dict[str, object] = {
        "count": f"{len(keys):,}",
        "relays": relays or _relayhost_name(config) or "?",
        "reasons": _example_reasons(group),
        "recipients": _top(group["recipient"], 3),
        "senders": _top(ctx.messages["sender"].reindex(keys), 2),
        "delivered": f"{int((~unresolved).sum()):,}",
    }
    if code in ("relayhost-mx-lookup", "relayhost-unresolvable", "dns-lookup-failed"):
        names = _top(group["reason"].str.extract(_NAME, expand=False), 3)
        params["names"] = names or "?"
        params["name"] = names.split(", ")[0] if names else "?"
    params.update(_relay_params(config, group))
    params["variant"] = _variant(code, config, ctx.host_view(host))
    evidence = log_evidence(ctx.events, _evidence_rows(ctx, group, keys))
    if code in _CONFIG_NAMES:
        for name in _CONFIG_NAMES[code]:
            evidence += config_evidence(config, name)
    return Finding(
        code=code,
        severity=severity,
        host=host,
        messages_affected=len(keys),
        first_seen=group["time"].min(),
        last_seen=group["time"].max(),
        evidence=evidence,
        params=params,
        message_keys=keys,
        priority=PRIORITY.get(code, 30) - (RECOVERED_PENALTY if recovered else 0),
    )


def _recovered(ctx: Context, host: str, group: pd.DataFrame) -> bool:
    """True when a delivery through the same relay succeeded after the last failure."""
    sent = ctx.sent[
        (ctx.sent["host"] == host) & (ctx.sent["time"] > group["time"].max())
    ]
    relays = set(group["relay_host"].dropna()) - {"none"}
    if relays:
        sent = sent[
            sent["relay_host"].isin(relays)
            | sent["relay_host"].isin(_relayhost_names(ctx, host))
        ]
    return len(sent) > 0


def _relayhost_names(ctx: Context, host: str) -> set[str]:
    config = ctx.config(host)
    relay = parse_relayhost(config.get("relayhost")) if config else None
    return {relay.host} if relay else set()


_CONFIG_NAMES = {
    "localhost-loop": ("relayhost", "mydestination"),
    "relayhost-mx-lookup": ("relayhost",),
    "relayhost-unresolvable": ("relayhost",),
    "dns-lookup-failed": ("relayhost",),
    "relay-connection-failed": ("relayhost",),
    "ipv6-no-route": ("inet_protocols",),
    "sender-address-rejected": ("myorigin", "myhostname"),
    "sasl-authentication-failed": ("smtp_sasl_auth_enable", "smtp_sasl_password_maps"),
    "tls-failure": ("smtp_tls_security_level",),
    "message-too-large": ("message_size_limit",),
}


def _evidence_rows(ctx: Context, group: pd.DataFrame, keys: list[str]) -> list[int]:
    rows = diverse_rows(group.sort_values("time"), "reason_normalized", limit=3)
    related = ctx.notes[ctx.notes["message_key"].isin(keys[:50])]
    return rows + [int(row) for row in related.index[:2]]


def _relay_params(config: MainConfig | None, group: pd.DataFrame) -> dict[str, object]:
    relayhost = config.get("relayhost") if config is not None else ""
    parsed = parse_relayhost(relayhost)
    ports = group["relay_port"].dropna()
    relay_host = parsed.host if parsed else _first(group["relay_host"], "?")
    return {
        "relayhost": relayhost,
        "relay_host": relay_host,
        "port": str(int(ports.iloc[0]))
        if len(ports)
        else (parsed.port if parsed else "25"),
    }


def _relayhost_name(config: MainConfig | None) -> str:
    parsed = parse_relayhost(config.get("relayhost")) if config is not None else None
    return parsed.host if parsed else ""


def _variant(code: str, config: MainConfig | None, view: HostView | None) -> str:
    """Pick the summary that fits what main.cf says (see the catalog's variants)."""
    if config is None:
        return "no_config"
    relay = parse_relayhost(config.get("relayhost"))
    if code == "localhost-loop":
        if relay is None:
            return "unset"
        return "" if is_self(relay.host, view, config) else "elsewhere"
    if code == "relayhost-mx-lookup" and relay is not None and relay.bracketed:
        return "bracketed"
    return ""


def _example_reasons(group: pd.DataFrame) -> str:
    """One whole reply for each of the two most frequent normalized reasons."""
    counts = group.groupby("reason_normalized", sort=False)["reason"].agg(
        ["size", "first"]
    )
    top = counts.sort_values("size", ascending=False, kind="stable").head(2)
    return "; ".join(f'"{reply}"' for reply in top["first"] if isinstance(reply, str))


def _top(values: pd.Series, limit: int) -> str:
    counts = values.dropna().astype(str).value_counts()
    return ", ".join(counts.index[:limit])


def _first(values: pd.Series, default: str) -> str:
    valid = values.dropna()
    valid = valid[valid != "none"]
    return str(valid.iloc[0]) if len(valid) else default


def accepted_findings(ctx: Context) -> list[Finding]:
    """Diagnosis 6: messages the next server accepted ("250 ... queued as X")."""
    sent = ctx.deliveries[ctx.deliveries["status"] == "sent"]
    remote = sent[
        sent["relay_ip"].notna()
        & ~sent["relay_ip"].fillna("").str.match(r"^(127\.|::1$)")
        & sent["daemon"].isin(["smtp", "lmtp"])
    ]
    findings = []
    for host, group in remote.groupby("host", sort=False):
        keys = group["message_key"].dropna().unique().tolist()
        findings.append(
            Finding(
                code="accepted-by-relay",
                severity="info",
                host=str(host),
                messages_affected=len(keys),
                first_seen=group["time"].min(),
                last_seen=group["time"].max(),
                evidence=log_evidence(
                    ctx.events, group.sort_values("time")["event"].tail(3)
                ),
                params={"count": len(keys), "relays": _top(group["relay_host"], 3)},
                message_keys=keys,
                priority=10,
            )
        )
    return findings


def local_mailbox_findings(ctx: Context) -> list[Finding]:
    """Diagnosis 7: notifications stored in a local mailbox (relay=local)."""
    local = ctx.deliveries[
        (ctx.deliveries["status"] == "sent")
        & (ctx.deliveries["relay"] == "local")
        & ctx.deliveries["reason"]
        .fillna("")
        .str.contains("delivered to (?:mailbox|maildir|file)")
    ]
    if local.empty:
        return []
    # Bounce notices to root are Postfix's own mail, not the appliance's.
    info = ctx.messages.reindex(local["message_key"])
    is_notice = info["origin"].fillna("").astype(str).str.endswith("_notice").to_numpy()
    has_sender = info["sender"].fillna("").ne("").to_numpy()
    local = local[~is_notice & has_sender]
    findings = []
    for host, group in local.groupby("host", sort=False):
        keys = group["message_key"].dropna().unique().tolist()
        recipients = group["orig_recipient"].fillna(group["recipient"])
        findings.append(
            Finding(
                code="local-mailbox-delivery",
                severity="warning",
                host=str(host),
                messages_affected=len(keys),
                first_seen=group["time"].min(),
                last_seen=group["time"].max(),
                evidence=log_evidence(ctx.events, group["event"]),
                params={"count": len(keys), "recipients": _top(recipients, 3)},
                message_keys=keys,
                priority=60,
            )
        )
    return findings


def queue_cause_findings(ctx: Context, existing: set[tuple[str, str]]) -> list[Finding]:
    """Diagnoses from the reasons a queue listing gives, where no log line shows them.

    A bundle may hold mailq output but no mail log; the "(reason)" lines of the
    listing carry the same replies as the log's deferrals.
    """
    queue = ctx.queue
    if queue.empty or "reason" not in queue:
        return []
    rows = queue[queue["reason"].notna()].copy()
    if rows.empty:
        return []
    rows["cause"] = causes(rows["reason"])
    rows["code"] = rows["cause"].map(CAUSE_CODES).fillna("delivery-failed")
    findings = []
    for (host, code), group in rows.groupby(["host", "code"], sort=False):
        if (str(host), str(code)) in existing:
            continue
        config = ctx.config(str(host))
        messages = group["queue_id"].nunique()
        first = group.drop_duplicates("reason")
        params: dict[str, object] = {
            "count": f"{messages:,}",
            "relays": _relayhost_name(config) or "?",
            "reasons": "; ".join(f'"{r}"' for r in first["reason"].head(2)),
            "recipients": _top(group["recipient"], 3),
            "senders": _top(group["sender"], 2),
            "delivered": "0",
        }
        name = group["reason"].str.extract(_NAME, expand=False).dropna()
        if len(name):
            params["name"] = params["names"] = str(name.iloc[0])
        params.update(
            _relay_params(config, group.assign(relay_host=None, relay_port=None))
        )
        params["variant"] = _variant(str(code), config, ctx.host_view(str(host)))
        evidence = [
            Evidence(
                str(r["source"]),
                int(r["line_no"]),
                f"{r['queue_id']} ({r['reason']})",
                "queue",
            )
            for _, r in first.head(3).iterrows()
        ]
        for setting in _CONFIG_NAMES.get(str(code), ()):
            evidence += config_evidence(config, setting)
        findings.append(
            Finding(
                code=str(code),
                severity="error",
                host=str(host),
                messages_affected=messages,
                first_seen=group["arrival_time"].min(),
                last_seen=group["arrival_time"].max(),
                evidence=evidence,
                params=params,
                priority=PRIORITY.get(str(code), 30),
            )
        )
    return findings
