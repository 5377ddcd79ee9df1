"""Findings from failed and successful delivery attempts."""

from __future__ import annotations

import re
from itertools import chain

import numpy as np
import numpy.typing as npt
import pandas as pd

from analyzer.analysis.findings.catalog import CATALOG
from analyzer.analysis.findings.coded import Rows, first_distinct
from analyzer.analysis.findings.context import (
    Context,
    config_evidence,
    is_self,
    log_evidence,
    parse_relayhost,
)
from analyzer.analysis.findings.failures import (
    CAUSE_CODES,
    FAILED_STATUSES,
    LOOKUP_NAME,
    RELAY_SET,
    RELAY_UNSET,
    SERVER,
    Failures,
    direct_lookups,
    finding_codes,
    lookup_names,
    relay_state,
)
from analyzer.analysis.findings.mailbox import mailbox_fields, mailbox_params
from analyzer.analysis.findings.model import Evidence, Finding, quoted_reasons
from analyzer.analysis.findings.other import postfix_duration
from analyzer.analysis.findings.tables import (
    ROUTING_MAPS,
    STALE_TABLE_PRIORITY,
    routing_stale_table,
)
from analyzer.analysis.hosts import HostView
from analyzer.analysis.queued import in_log
from analyzer.analysis.reasons import causes, reason_cause
from analyzer.parse.config import MainConfig, MasterConfig

# Priority of each finding code among findings of the same severity.
PRIORITY = {
    "disk-full": 95,
    "localhost-loop": 90,
    "myhostname-conflict": 90,
    "own-name-loop": 60,
    "relayhost-mx-lookup": 90,
    "relayhost-unresolvable": 88,
    "lookup-table-unavailable": 88,
    "lookup-table-stale": STALE_TABLE_PRIORITY,
    "transport-missing": 88,
    "error-transport": 88,
    "dns-lookup-failed": 85,
    "relay-access-denied": 82,
    "ip-blocklisted": 82,
    "sender-address-rejected": 82,
    "helo-rejected": 82,
    "sasl-authentication-failed": 82,
    "sasl-required": 82,
    "sasl-no-mechanism": 82,
    "tls-failure": 82,
    "tls-required-by-server": 82,
    "sender-policy-rejected": 80,
    "relay-connection-failed": 80,
    "content-filter-unreachable": 86,
    "destination-dns-failed": 42,
    "destination-unreachable": 42,
    "ipv6-no-route": 78,
    "message-too-large": 55,
    "unknown-recipient": 50,
    "mailbox-unwritable": 60,
    "mailbox-full": 45,
    "content-rejected": 45,
    "delivery-suspended": 40,
    "rate-limited": 35,
    "relay-server-error": 34,
    "server-storage-full": 60,
    "delivery-failed": 30,
    "greylisting": 20,
}
RECOVERED_PENALTY = 50
"""Priority taken off a failure that later deliveries through the same relay show cleared."""
_DNS_CODES = (
    "relayhost-mx-lookup",
    "relayhost-unresolvable",
    "dns-lookup-failed",
    "destination-dns-failed",
)
"""Codes whose summaries name the names that DNS failed on."""
_DESTINATION_CODES = {
    "dns-lookup-failed": "destination-dns-failed",
    "relay-connection-failed": "destination-unreachable",
}
"""Failures that, when Postfix sends straight to recipient domains, can be one
destination's alone, and the code they then get."""


def delivery_findings(ctx: Context) -> list[Finding]:
    failed = ctx.deliveries["status"].isin(FAILED_STATUSES).to_numpy(dtype=bool)
    # cleanup logs a bounce for each recipient of a message that this host's
    # header_checks or body_checks rejected: content-check-stopped reports those.
    failed = failed & ~_content_check_bounces(ctx)
    # Non-delivery notices (from=<>) that fail go to the senders of mail this host
    # returned, not where this host's own mail goes: they get a finding of their own.
    notice = _notice_deliveries(ctx)
    findings = _notice_findings(ctx, np.flatnonzero(failed & notice))
    rows = np.flatnonzero(failed & ~notice)
    if not len(rows):
        return findings
    failures = Failures(ctx, rows)
    codes = finding_codes(ctx, failures)
    return findings + [
        _finding(ctx, failures, host, code, rows)
        for host, code, rows in failures.groups(codes)
    ]


def _content_check_bounces(ctx: Context) -> npt.NDArray[np.bool_]:
    """Return which delivery records are cleanup's bounces of messages that this
    host's header_checks or body_checks rejected (not a milter's rejects)."""
    deliveries = ctx.deliveries
    by_cleanup = (deliveries["daemon"] == "cleanup").to_numpy(
        dtype=bool, na_value=False
    )
    if not by_cleanup.any():
        return np.asarray(by_cleanup, dtype=bool)
    events = ctx.events
    rows = np.flatnonzero(
        ctx.of_kind("reject", "discard")
        & (events["daemon"] == "cleanup").to_numpy(dtype=bool, na_value=False)
    )
    texts = ctx.texts(rows).astype(str)
    checks = ~texts.str.contains(r"^(?:\w+: )?milter-", regex=True).to_numpy(bool)
    keys = events["message_key"].iloc[rows[checks]].dropna().unique()
    stopped = deliveries["message_key"].isin(list(keys)).to_numpy(bool, na_value=False)
    return np.asarray(by_cleanup & stopped, dtype=bool)


def _notice_deliveries(ctx: Context) -> npt.NDArray[np.bool_]:
    """Return which delivery attempts are of notices: messages with the null
    sender (from=<>), which Postfix made or relays for another server."""
    messages = ctx.messages
    notices = messages.index[
        messages["sender"].eq("").to_numpy(dtype=bool, na_value=False)
    ]
    keys = ctx.deliveries["message_key"]
    return np.asarray(keys.isin(list(notices)).to_numpy(dtype=bool, na_value=False))


def _notice_findings(ctx: Context, rows: npt.NDArray[np.intp]) -> list[Finding]:
    """Report notices that could not be returned to their senders, per host: their
    failed attempts at ``rows``, and the ones that expired."""
    messages = ctx.messages
    null_sender = messages["sender"].eq("").to_numpy(dtype=bool, na_value=False)
    gave_up = (
        messages["final_state"].eq("expired") | messages["has_expired"]
    ).to_numpy(dtype=bool, na_value=False)
    expired = messages[null_sender & gave_up]
    deliveries = ctx.deliveries.iloc[rows]
    hosts = dict.fromkeys(
        [*deliveries["host"].astype(object).dropna(), *expired["host"].dropna()]
    )
    findings = []
    for host in hosts:
        group = deliveries[(deliveries["host"] == host).to_numpy(dtype=bool)]
        lapsed = expired[(expired["host"] == host).to_numpy(dtype=bool)]
        keys = list(dict.fromkeys([*group["message_key"].dropna(), *lapsed.index]))
        states = messages["final_state"].reindex(keys)
        returned = states.index[states.isin(["bounced", "expired"]).to_numpy()]
        lost = len(set(returned) | set(lapsed.index))
        recipients = group["recipient"].astype(object).dropna()
        domains = recipients.str.rpartition("@")[2].str.lower()
        reasons = group["reason"].astype(object).dropna()
        quoted = group["event"].tolist()
        quoted += np.flatnonzero(
            ctx.events["message_key"].isin(list(lapsed.index)).to_numpy(dtype=bool)
            & ctx.of_kind("expired")
        ).tolist()
        times = pd.concat([group["time"], lapsed["last_seen"]])
        params: dict[str, object] = {}
        parents = messages["parent_key"].reindex(keys).dropna()
        origins = messages["origin"].reindex(parents.astype(str).tolist())
        if len(parents) == len(keys) and origins.eq("local").all():
            # Notices of mail submitted on this host go back to its own sender
            # (often root), so they answer no spam and are no backscatter.
            params["variant"] = "own_mail"
            daemons = set(group["daemon"].astype(str))
            if daemons and daemons <= {"smtp", "lmtp"}:
                # The sender is an address elsewhere: no alias here can fix it.
                params["variant"] = "own_mail_remote"
        findings.append(
            Finding(
                code="notices-undeliverable",
                severity="warning" if lost else "info",
                host=str(host),
                messages_affected=len(keys),
                first_seen=times.min(),
                last_seen=times.max(),
                evidence=log_evidence(ctx.events, quoted),
                params={
                    **params,
                    "count": len(keys),
                    "lost": lost,
                    "domains": ", ".join(domains.value_counts().index[:3]) or "?",
                    **quoted_reasons(
                        (shorten(r) for r in reasons.value_counts().index[:2]), "?"
                    ),
                },
                message_keys=[str(key) for key in keys],
                priority=40,
            )
        )
    return findings


def _finding(
    ctx: Context, failures: Failures, host: str, code: str, rows: Rows
) -> Finding:
    key_codes = failures.message_key.distinct(rows)
    keys = [str(key) for key in failures.message_key.labels[key_codes].tolist()]
    unresolved = failures.unresolved[key_codes]
    times = failures.times(rows)
    last_seen = times.max()
    # soft_bounce = yes keeps rejected mail queued until it expires, however
    # much other mail the server takes.
    soft_bounced = _soft_bounced(ctx, rows)
    recovered = (
        code != "greylisting"
        and not soft_bounced
        and _recovered(ctx, failures, host, rows, last_seen)
    )
    failing = failures.lost[key_codes].any() or (unresolved.any() and not recovered)
    severity = "error" if failing else "warning"
    # Sending straight to recipient domains, a failure at some destinations
    # while mail to others goes out is theirs, not this host's.
    elsewhere = 0
    if code in _DESTINATION_CODES and relay_state(ctx, host) != RELAY_SET:
        elsewhere = failures.delivered_elsewhere(host, rows)
    # DNS that answers "Host not found" (without "try again") works: the name
    # does not exist, which is the recipient's side however the rest went.
    absent = code == "dns-lookup-failed" and failures.names_absent(rows)
    if elsewhere or absent:
        code = _DESTINATION_CODES[code]
    if code == "sasl-required" and ctx.config(host) is None:
        # Without main.cf, whether Postfix is set to log in is unknown: a failed
        # login is the likelier cause.
        code = "sasl-authentication-failed"
    if (
        code == "tls-failure"
        and failures.all_replies_match(rows, "TLS configuration problem")
        and len(ctx.warnings_matching(_TABLE_PROBLEM, "table", "host", host)[0])
    ):
        # smtp_tls_policy_maps could not be read: the table, not the server.
        code = "lookup-table-unavailable"
    leading: list[int] = []  # lines that show the cause, quoted first
    if code == "localhost-loop":
        code, leading = _loop_cause(ctx, failures, host, rows)
    if code == "own-name-loop" and failures.delivered_elsewhere(host, rows):
        severity = "warning"  # mail to other destinations goes out
    filter_refuses = False
    if (
        code == "relay-connection-failed"
        and failures.on_loopback(rows)
        and not _relayhost_on_this_host(ctx, host)
    ):
        # A server on this host that is not the relay host: a content filter.
        code = "content-filter-unreachable"
        # It runs, but turns the session down: overloaded, not down.
        filter_refuses = failures.all_replies_match(
            rows, f"{_GREETING_REFUSED}|{_GREETING_LOST}"
        )
    if code == "greylisting" or elsewhere or absent:
        severity = "warning" if unresolved.any() else "info"

    instances = ctx.messages["instance"].reindex(keys).dropna().unique()
    instance = str(instances[0]) if len(instances) == 1 else None
    config = ctx.config(host, instance)
    relays = failures.server.top(rows, 3)
    params: dict[str, object] = {
        "count": f"{len(keys):,}",
        "relays": relays or _relayhost_name(config) or "?",
        **quoted_reasons(_example_reasons(failures, rows)),
        "recipients": failures.recipient.top(rows, 3),
        "senders": failures.sender.top(key_codes, 2),
        "delivered": f"{int(failures.delivered[key_codes].sum()):,}",
        # Bounced and expired mail has left the queue: nothing to flush.
        "queued": bool((unresolved & ~failures.lost[key_codes]).any()),
    }
    if instance is not None and instance != "postfix":
        params["instance"] = instance
    if code in _DNS_CODES:
        # A reply without name= names an IP address literal, the relayhost's:
        # Postfix 3.7 reports [192.0.2.10] so when inet_protocols lacks IPv4.
        names = lookup_names(failures, rows) or _relayhost_name(config)
        params["names"] = names or "?"
        params["name"] = names.split(", ")[0] if names else "?"
    port = failures.first_port(rows)
    server = failures.server.first(rows)
    params.update(_relay_params(config, port, server))
    params["variant"] = _variant(code, config, ctx.host_view(host), server)
    if filter_refuses:
        params["variant"] = "refuses"
        params["last"] = ctx.clock(last_seen)
    if code == "sasl-required":
        # sasl_passwd is looked up by relayhost exactly as main.cf writes it.
        params["sasl_key"] = params["relayhost"] or (
            params["relay_host"]
            if params["relay_host"] != "?"
            else "[mail.example.com]:587"
        )
        if _logs_in(config) and config is not None:
            # A failed login ends with "SASL authentication failed", not with
            # the server's demand for one: Postfix found no password to send.
            maps = config.get("smtp_sasl_password_maps").strip()
            level = config.get("smtp_tls_security_level").strip().lower()
            if not maps:
                params["variant"] = "no_maps"
            elif level in _TLS_ENFORCED:
                params["variant"] = "no_entry_tls"
            else:
                # TLS is off or optional: a server that offers its login only
                # after STARTTLS looks the same as a missing password entry.
                params["variant"] = "no_entry"
                params["tls_level"] = level or "none"
            params["password_maps"] = maps or "hash:/etc/postfix/sasl_passwd"
    if (
        code == "relay-connection-failed"
        and relay_state(ctx, host) != RELAY_SET
        and failures.server_domains(rows) >= 2
    ):
        # Straight to recipient domains, and the servers of every one of them
        # fail: the way out is closed, not each of those servers.
        params["variant"] = "direct_blocked"
        params["domains"] = failures.recipient_domains(rows, 3)
    if code == "relay-access-denied" and relay_state(ctx, host) == RELAY_UNSET:
        # Without relayhost the refusing server is the recipient domain's MX host.
        domains = failures.recipient_domains(rows, 3)
        params["variant"] = "direct"
        params["domains"] = domains
        params["domain"] = domains.split(", ")[0]
    if code == "relay-access-denied" and not params.get("variant"):
        rejected_domains = set(failures.recipient_domain_list(rows))
        sent = failures.sent_by(host)
        names = sent["relay_host"].astype("string").str.lower()
        recipients = sent["recipient"].astype("string").str.lower()
        domains = recipients.str.extract(r"@([^@]*)$", expand=False)
        to_server = (names == str(server).lower()).to_numpy(dtype=bool, na_value=False)
        # Mail for a rejected domain that went through before: the server changed.
        same = (
            domains[to_server]
            .isin(rejected_domains)
            .to_numpy(dtype=bool, na_value=False)
        )
        accepted = 0 if same.any() else int(to_server.sum())
        if accepted:
            # The server takes this host's mail, only not for these domains.
            params["variant"] = "some_domains"
            params["delivered_there"] = f"{accepted:,}"
            params["domains"] = failures.recipient_domains(rows, 3)
    if (
        code == "relay-access-denied"
        and params.get("variant", "") in ("", "some_domains")
        and config is not None
        and config.get("smtp_sasl_auth_enable").strip().lower() == "yes"
        and not _login_failed(ctx, host)
    ):
        # Postfix logs in: setting up SMTP authentication is no remedy.
        variant = str(params.get("variant") or "")
        params["variant"] = f"{variant}_authenticated".lstrip("_")
    if code == "relayhost-unresolvable" and failures.all_temporary(rows):
        params["variant"] = "temporary"
    protocols = config.get("inet_protocols").replace(",", " ").split() if config else []
    if (
        code in _DNS_CODES
        and protocols == ["ipv6"]
        and failures.all_replies_match(rows, _NO_IPV6_ADDRESS)
    ):
        # Postfix then looks up only AAAA records, and an IPv4 address,
        # even written in brackets, is "invalid host or domain name". A name
        # that does not exist at all ("Host not found") is misspelled instead.
        params["variant"] = "ipv6_only"
    deleted = int(failures.deleted[key_codes].sum())
    if code == "relay-connection-failed" and deleted:
        params["variant"] = "deleted"
        params["deleted"] = f"{deleted:,}"
    if code == "relay-connection-failed" and failures.delivered[key_codes].all():
        # Every message was delivered in the end, which the summary reports
        # whatever else applies. Deleted and held mail is resolved but not delivered.
        params["variant"] = "recovered"
        params["last"] = ctx.clock(last_seen, seconds=True)
    elif (
        code == "relay-connection-failed"
        and recovered
        and not deleted
        and not unresolved.any()
    ):
        # The server accepted mail again, and what was not delivered is on hold.
        states = ctx.messages["final_state"].reindex(keys)
        params["variant"] = "recovered_partly"
        params["held"] = f"{int(states.eq('held').sum()):,}"
        params["last"] = ctx.clock(last_seen, seconds=True)
    if (
        code == "relay-connection-failed"
        and not params.get("variant")
        and unresolved.any()
        and not recovered
    ):
        sent = ctx.sent
        own = sent["time"][(sent["host"] == host).to_numpy(dtype=bool)]
        if len(own) and own.max() < last_seen:
            # Mail went out earlier in the log, but not since the failures began.
            params["variant"] = "ongoing"
            params["last_delivered"] = ctx.clock(own.max())
            params["last"] = ctx.clock(last_seen)
    if (
        code == "relay-connection-failed"
        and params.get("variant") in ("", "no_config")
        and unresolved.any()
        and recovered
    ):
        # The server took this host's mail after the last failure: these
        # messages only wait for their next retry.
        params["variant"] = "works_again"
        delivered_until = failures.sent_after(host, last_seen)["time"].max()
        params["last_delivered"] = ctx.clock(delivered_until)
        backoff = _backoff(config)
        if delivered_until - last_seen > RETRY_GAP_FACTOR * backoff and not (
            _postfix_restarted(ctx, host, last_seen, delivered_until)
        ):
            # Postfix would have retried them long before: the log lacks lines,
            # or the messages left the queue without one.
            params["variant"] = "no_retry"
            params["last"] = ctx.clock(last_seen)
            params["backoff"] = (
                config.get("maximal_backoff_time") if config else "4000s"
            )
    if code == "relay-connection-failed" and params.get("variant") in (
        "",
        "ongoing",
        "no_config",
        "works_again",
    ):
        # The connection worked and broke later: "cannot connect" would mislead.
        view = ctx.host_view(host)
        master = view.master if view is not None else None
        broken = _broken_after_connect(config, master, port, failures, rows)
        if broken.startswith("greeting") and params["variant"] == "works_again":
            broken = ""  # the server took mail after the last refusal: it works
        if broken == "greeting_lost" and port == 465:
            broken = "greeting_lost_tls"  # SMTPS: TLS before the greeting
        if broken:
            params["variant"] = broken
            params["last"] = ctx.clock(last_seen)
            params.update(_broken_params(broken, config, failures, rows, port))
            sent = failures.sent_by(host)
            to_server = (
                sent["relay_host"].astype("string").str.lower() == str(server).lower()
            )
            params["delivered_there"] = f"{int(to_server.sum()):,}"
            if broken == "cut_in_data" and not to_server.any():
                params["variant"] = "cut_all"
            if broken == "not_smtp_port" and to_server.any():
                # An SMTP server listens on that port after all.
                params["variant"] = "greeting_lost"
                params.pop("service", None)
    routed_by: list[str] = []
    # "works_again" may come from relayhost taking mail, which shows nothing of
    # another server that a routing table chose.
    if code == "relay-connection-failed" and params.get("variant") in (
        "",
        "ongoing",
        "works_again",
    ):
        routed_by = _routing_maps(config, failures.servers_tried(rows))
        if routed_by:
            # Not relayhost: a table of main.cf sends this mail to that server,
            # and relayhost taking other mail does not clear it.
            relay_works = _relayhost_takes_mail(config, failures.sent_by(host))
            params["variant"] = "routed" if relay_works else "routed_alone"
            stale = routing_stale_table(ctx, host, config, routed_by)
            if stale is not None:
                # Its database is older than its text file: the old entries
                # still send the mail to this server.
                params["variant"] = "stale_table"
                params.update(stale.params(config))
                routed_by = [str(params["setting"])]
                leading = stale.rows[:1]
            params["maps"] = " or ".join(routed_by)
            recovered = False
            if unresolved.any():
                severity = "error"
    if code == "relay-connection-failed" and params.get("variant") in ("", "ongoing"):
        changed = _relayhost_elsewhere(config, server)
        if changed is not None:
            # main.cf names another server than the one that failed, and no
            # table routes the mail there: relayhost was changed since.
            params["variant"] = "relayhost_changed"
            params["new_host"], params["new_port"] = changed
    if code == "greylisting" and unresolved.all():
        params["variant"] = "pending"
    captured: list[str] = []
    if code == "unknown-recipient" and failures.all_local(rows):
        view = ctx.host_view(host)
        captured = local_domains(config, view, failures.recipient_domain_list(rows))
        if captured:
            params.update(_captured_params(config, captured))
            severity = "error"
        else:
            aliases = _local_aliases(ctx, rows)
            if aliases:
                # An alias of this host leads to a user it does not have.
                params["variant"] = "local_alias"
                params["aliases"] = ", ".join(aliases[:3])
                params["alias"] = aliases[0]
    if code == "mailbox-unwritable":
        found, leading = mailbox_params(ctx, failures, host, rows)
        params.update(found)
    if code == "helo-rejected":
        helo = _HELO_NOT_FOUND.search("; ".join(_example_reasons(failures, rows)))
        name = helo["name"] if helo else ""
        if "." in name and not name.lower().endswith(".localdomain"):
            # A full name that the server's DNS does not find: a DNS record is
            # missing, and another myhostname would not help.
            params["variant"] = "unresolved"
            params["helo"] = name
    if code == "localhost-loop" and failures.delivered[key_codes].all():
        # Every looping message was delivered later: the cause was fixed.
        params["variant"] = "recovered"
        params["last"] = ctx.clock(last_seen, seconds=True)
    if code in ("localhost-loop", "own-name-loop"):
        domains = failures.recipient_domains(rows, 3)
        params["domains"] = domains
        params["domain"] = domains.split(", ")[0]
    if code == "myhostname-conflict":
        params["server"] = params["relay_host"]
        params["own_name"] = config.get("myhostname") if config else "?"
        greeting = (
            _GREETING.search(str(ctx.texts(leading[:1]).iloc[0])) if leading else None
        )
        if greeting:
            params["server"] = greeting["server"]
            params["own_name"] = greeting["own_name"]
        else:
            params["variant"] = "same_name"
    if code == "lookup-table-unavailable":
        daemons = set(ctx.deliveries["daemon"].iloc[rows].astype(str))
        leading = _unavailable_table(ctx, host, daemons, times.min(), params)
    if code == "transport-missing":
        leading = _missing_transport(ctx, host, config, params)
    if code == "error-transport":
        routed_by.append(_error_route(config, params))
        params["domains"] = failures.recipient_domains(rows, 3)
        params["domain"] = str(params["domains"]).split(", ")[0]
    if code == "sasl-no-mechanism":
        leading = _mechanisms_filtered(ctx, host, config, params)
    if code == "sender-address-rejected":
        params.update(_rewritten_sender(failures, rows, key_codes, config))
    if code == "tls-failure":
        variant, leading, detail = _tls_cause(ctx, failures, host, rows)
        params["variant"] = variant
        params["verification"] = detail
        params["level"] = config.get("smtp_tls_security_level") if config else "?"
    if elsewhere or absent:
        domains = failures.recipient_domains(rows, 3)
        params["elsewhere"] = f"{elsewhere:,}"
        params["domains"] = domains
        params["domain"] = domains.split(", ")[0]
        params["variant"] = "" if elsewhere else "absent"

    if soft_bounced:
        params["soft_bounce"] = True
        params["lifetime"] = config.get("maximal_queue_lifetime") if config else "5d"
    params.update(_outcome(failures, key_codes, code, str(params.get("variant") or "")))
    quoted = [ctx.events.index[row] for row in leading[:1]]
    quoted += _evidence_rows(ctx, failures, times, keys, code)
    evidence = log_evidence(ctx.events, quoted)
    if code in _CONFIG_NAMES and not (routed_by and code == "relay-connection-failed"):
        # A server that a routing table chose: the table is quoted, not relayhost.
        settings: tuple[str, ...] = _CONFIG_NAMES[code]
        if code == "transport-missing" and "setting" in params:
            settings = (str(params["setting"]),)  # the one that names the transport
        for setting in settings:
            evidence += config_evidence(config, setting)
    if captured:
        evidence += config_evidence(config, "mydestination")
    for name in routed_by:
        evidence += config_evidence(config, name)
    if params.get("variant") == "ipv6_only":
        evidence += config_evidence(config, "inet_protocols")
    if params.get("variant") == "data_timeout":
        evidence += config_evidence(config, "smtp_data_done_timeout")
    if params.get("variant") == "generic_maps":
        evidence += config_evidence(config, "smtp_generic_maps")
    naming = _naming_setting(config, server) if code in _CONFIG_NAMES else None
    if naming:
        evidence += config_evidence(config, naming)
    if code == "mailbox-unwritable" and params.get("variant") == "owner":
        evidence += config_evidence(config, "strict_mailbox_ownership")
    if code == "mailbox-unwritable" and params.get("variant") == "maildir":
        evidence += config_evidence(config, "home_mailbox")
    if soft_bounced:
        evidence += config_evidence(config, "soft_bounce")
    return Finding(
        code=code,
        severity=severity,
        host=host,
        messages_affected=len(keys),
        first_seen=times.min(),
        last_seen=last_seen,
        evidence=evidence,
        params=params,
        message_keys=keys,
        priority=PRIORITY.get(code, 30) - (RECOVERED_PENALTY if recovered else 0),
        # A bounce stays an error when the relay accepts mail again, so it
        # ranks with the other errors; only a warning that cleared ranks last.
        secondary=recovered and severity == "warning",
    )


_OFFERED_MECHANISMS = re.compile(
    r"offered no supported AUTH mechanisms: '(?P<offered>[^']*)'"
)
"""smtp(8)'s warning that none of the server's AUTH methods is left to use."""


def _mechanisms_filtered(
    ctx: Context, host: str, config: MainConfig | None, params: dict[str, object]
) -> list[int]:
    """Set the "filtered" variant when smtp_sasl_mechanism_filter names no method
    that the server offers, and return the warning rows that show the offer.

    A filter with tables or "!" exclusions is left alone: which methods it keeps
    cannot be read from main.cf alone.
    """
    written = config.get("smtp_sasl_mechanism_filter") if config else ""
    names = [name.lower() for name in re.split(r"[\s,]+", written) if name]
    if not names or any(":" in n or "/" in n or n.startswith("!") for n in names):
        return []
    rows, found = ctx.warnings_matching(_OFFERED_MECHANISMS, "offered", "host", host)
    if not len(rows):
        return []
    offered = str(found["offered"].iloc[-1]).split()
    if not offered or any(name.lower() in names for name in offered):
        return []
    params["variant"] = "filtered"
    params["offered"] = ", ".join(offered)
    params["filter"] = written
    return [int(row) for row in rows[-1:]]


def _soft_bounced(ctx: Context, rows: Rows) -> bool:
    """Return whether Postfix logged any failure at ``rows`` as status=SOFTBOUNCE:
    soft_bounce = yes made a permanent rejection a temporary one."""
    status = ctx.deliveries["status"].iloc[rows]
    return bool(status.eq("SOFTBOUNCE").any())


def _relayhost_elsewhere(
    config: MainConfig | None, server: object
) -> tuple[str, str] | None:
    """Return the host and port of relayhost when it names another server than
    ``server`` in brackets (no MX lookup that could lead from one to the other),
    else None."""
    relay = parse_relayhost(config.get("relayhost")) if config is not None else None
    if relay is None or not relay.bracketed or relay.is_address or server is None:
        return None
    if str(server).lower() == relay.host.lower():
        return None
    if _naming_setting(config, server):
        return None  # the fallback relay or a transport's next hop
    return relay.host, relay.port


_QUOTED_ADDRESS = re.compile(r"<(?P<address>[^<>\s]+@[^<>\s]+)>")
"""The address that a server quotes in its reply ("553 5.5.4 <a@example.com>: ...")."""


def _rewritten_sender(
    failures: Failures, rows: Rows, key_codes: Rows, config: MainConfig | None
) -> dict[str, object]:
    """Return the "generic_maps" variant's parameters when the reply quotes a
    rejected address that is not one of the messages' senders, and main.cf sets
    smtp_generic_maps, which rewrites senders only on the way out."""
    table = config.get("smtp_generic_maps").strip() if config is not None else ""
    if not table:
        return {}
    quoted = _QUOTED_ADDRESS.search("; ".join(_example_reasons(failures, rows)))
    senders = [s for s in failures.sender.top(key_codes, 3).split(", ") if s]
    if quoted is None or not senders:
        return {}
    if quoted["address"].lower() in (s.lower() for s in senders):
        return {}
    return {
        "variant": "generic_maps",
        "rewritten": quoted["address"],
        "sender": senders[0],
        "table": table,
    }


def _login_failed(ctx: Context, host: str) -> bool:
    """Return whether a login of ``host`` at a server failed in the log, so
    that Postfix may have sent its mail without logging in."""
    failed = ctx.deliveries[
        (ctx.deliveries["host"] == host).to_numpy(dtype=bool, na_value=False)
        & ctx.deliveries["status"].ne("sent").to_numpy(dtype=bool, na_value=False)
    ]
    reasons = failed["reason"].dropna().astype(str)
    return bool(reasons.str.contains("SASL authentication failed", regex=False).any())


def _outcome(
    failures: Failures, key_codes: Rows, code: str, variant: str
) -> dict[str, object]:
    """Return the parameters that end a summary with what became of the
    messages, when some but not all were delivered later and the summary does
    not tell already."""
    delivered = int(failures.delivered[key_codes].sum())
    if not 0 < delivered < len(key_codes):
        return {}
    template = CATALOG[code].summary_for(variant)
    if "{delivered}" in template or "delivered later" in template:
        return {}
    unresolved = failures.unresolved[key_codes] & ~failures.lost[key_codes]
    waiting = int(unresolved.sum())
    outcome = "waiting" if waiting else "delivered"
    return {
        "outcome": f"{outcome}_one" if delivered == 1 else outcome,
        "waiting": f"{waiting:,}",
    }


_TABLE_PROBLEM = re.compile(
    r"warning: (?P<table>(?P<type>[a-z0-9_]+):(?P<path>\S+?)) (?:is unavailable\. "
    r"(?P<reason>.+)|lookup error for)"
)
"""Postfix's warnings about a lookup table it cannot read: "hash:/etc/postfix/
sasl_passwd is unavailable. open database /etc/postfix/sasl_passwd.db: No such
file or directory", then "... lookup error for "mail.example.com"."""
_INDEXED_TABLES = frozenset({"hash", "btree", "lmdb", "cdb", "dbm", "sdbm"})
"""Table types that ``postmap`` builds from a text file."""
_FILE_TABLES = frozenset({"texthash", "regexp", "pcre", "cidr", "inline", "static"})
"""Table types that Postfix reads from their text file (or main.cf) as is."""


def _unavailable_table(
    ctx: Context,
    host: str,
    daemons: set[str],
    first_failure: pd.Timestamp,
    params: dict[str, object],
) -> list[int]:
    """Name the lookup table that the host's warnings show Postfix cannot read, set
    the remedy's variant by its type, and return the warning row to quote.

    The warning is one of the programs that deferred the mail (``daemons``), the
    last one logged up to the first failure (another table's older trouble is
    not this one), else the first one after it.
    """
    rows, found = ctx.warnings_matching(_TABLE_PROBLEM, "table", "host", host)
    events = ctx.events
    same = events["daemon"].iloc[rows].astype(str).isin(daemons).to_numpy(bool)
    if same.any():
        rows, found = rows[same], found[same]
    if not len(rows):
        params["variant"] = "unnamed"
        return []
    before = (events["time"].iloc[rows] <= first_failure).to_numpy(
        dtype=bool, na_value=False
    )
    chosen = int(np.flatnonzero(before)[-1]) if before.any() else 0
    first = found.iloc[chosen]
    # Of that table's warnings, the one with the reason it cannot be read
    # ("is unavailable. open database ...") is quoted, else the chosen one.
    table = (found["table"] == first["table"]).to_numpy(dtype=bool, na_value=False)
    explained = table & found["reason"].notna().to_numpy(dtype=bool)
    quoted = int(np.flatnonzero(explained)[0]) if explained.any() else chosen
    params["table"] = first["table"]
    params["path"] = first["path"]
    reason = found["reason"].iloc[quoted]
    params["why"] = str(reason) if isinstance(reason, str) else "?"
    if first["path"].startswith(("/etc/aliases", "/etc/postfix/aliases")):
        params["variant"] = "aliases"
    elif first["type"] in _FILE_TABLES:
        params["variant"] = "file"
    elif first["type"] not in _INDEXED_TABLES:
        params["variant"] = "service"
    return [int(rows[quoted])]


_NO_TRANSPORT = re.compile(
    r"warning: connect to transport (?:private|public)/(?P<transport>\S+): "
    r"No such file or directory"
)
"""qmgr's warning when master.cf has no service for a transport that main.cf or
transport_maps names."""
_TRANSPORT_SETTINGS = (
    "default_transport",
    "relay_transport",
    "local_transport",
    "content_filter",
)


def _missing_transport(
    ctx: Context, host: str, config: MainConfig | None, params: dict[str, object]
) -> list[int]:
    """Name the transport that qmgr could not reach and the main.cf setting that
    names it, and return qmgr's warning row to quote."""
    rows, found = ctx.warnings_matching(_NO_TRANSPORT, "transport", "host", host)
    if not len(rows):
        params["variant"] = "unnamed"
        return []
    transport = str(found["transport"].iloc[0])
    params["transport"] = transport
    params["setting"] = "transport_maps"
    for name in _TRANSPORT_SETTINGS:
        value = config.get(name) if config is not None else ""
        if value.split(":", 1)[0].strip() == transport:
            params["setting"] = name
            break
    return [int(rows[0])]


def _error_route(config: MainConfig | None, params: dict[str, object]) -> str:
    """Name the setting that sends mail to the error transport, with its value,
    and return it: default_transport or relay_transport when its value is "error",
    else transport_maps, whose entries are not in the bundle."""
    for name, default in (("default_transport", "smtp"), ("relay_transport", "relay")):
        value = config.get(name) if config is not None else ""
        if value.split(":", 1)[0].strip() == "error":
            params["setting"] = name
            params["value"] = value
            params["default"] = default
            return name
    params["variant"] = "routed" if config is not None else "no_config"
    params["setting"] = "transport_maps"
    return "transport_maps"


_HELO_NOT_FOUND = re.compile(
    r"<(?P<name>[^<>\s]+)>: Helo command rejected: Host not found"
)
"""The reply of a server whose DNS does not resolve the HELO name (Postfix's
reject_unknown_helo_hostname)."""

_GREETING = re.compile(
    r"host (?P<server>\S+?)(?::\d+)? (?:greeted me|replied to HELO/EHLO) with my own "
    r"hostname (?P<own_name>\S+)"
)
"""The warning that Postfix's smtp client logs before it returns "mail for ...
loops back to myself", when the server used this host's myhostname (smtp_proto.c)."""


def _loop_cause(
    ctx: Context, failures: Failures, host: str, rows: Rows
) -> tuple[str, list[int]]:
    """Return the finding code of a "loops back to myself" failure, and the
    positions of the greeting warnings that show a server using this host's name.

    The server greeted with myhostname: myhostname-conflict. No relayhost and
    every recipient domain names this host: own-name-loop, because mydestination
    lacks the name. Otherwise mail went to this host as relay or MX: localhost-loop.
    """
    events = ctx.events
    warnings = np.flatnonzero(ctx.of_kind("warning") & (events["host"] == host))
    texts = ctx.texts(warnings).astype(str)
    greeted = texts.str.contains("with my own hostname", regex=False).to_numpy(
        dtype=bool
    )
    if greeted.any():
        return "myhostname-conflict", warnings[greeted].tolist()
    config = ctx.config(host)
    relay = parse_relayhost(config.get("relayhost")) if config else None
    if (
        config is not None
        and relay is not None
        and relay.host.lower() == config.get("myhostname").lower()
        and not failures.on_loopback(rows)
        and not _connected_here(ctx, host, failures, rows)
    ):
        # Postfix reached another machine, which greets with its own name, and
        # that is also this host's myhostname. The greeting warning has no queue
        # ID, so a log cut down to some messages lacks it.
        return "myhostname-conflict", []
    view = ctx.host_view(host)
    domains = [d for d in failures.recipient_domains(rows, 50).split(", ") if d]
    if relay is None and domains and all(is_self(d, view, config) for d in domains):
        return "own-name-loop", []
    return "localhost-loop", []


def _connected_here(ctx: Context, host: str, failures: Failures, rows: Rows) -> bool:
    """Return whether this host's smtpd logged a client with an address that the
    failed attempts at ``rows`` went to: the server was this host itself."""
    addresses = [
        a for a in pd.unique(failures.server_address[rows]) if isinstance(a, str)
    ]
    if not addresses:
        return False
    events = ctx.events
    mine = (events["host"] == host) & (events["daemon"] == "smtpd")
    texts = ctx.texts(mine.to_numpy(dtype=bool, na_value=False)).astype(str)
    pattern = "|".join(rf"\[{re.escape(address)}\]" for address in addresses)
    return bool(texts.str.contains(pattern, regex=True).any())


_VERIFY_DETAIL = re.compile(
    r"verification failed for \S+: (?:num=\d+:)?(?P<detail>.+)$"
)
"""Pattern of Postfix's certificate check line, whose detail is OpenSSL's objection."""


def _tls_cause(
    ctx: Context, failures: Failures, host: str, rows: Rows
) -> tuple[str, list[int], str]:
    """Return the tls-failure variant, the position of the certificate check that
    shows it, and what that check found wrong."""
    replies = [str(failures.reason.labels[c]) for c in failures.reason.distinct(rows)]
    if replies and all("was not offered" in reply for reply in replies):
        return "not_offered", [], ""
    if replies and all("refused to start TLS" in reply for reply in replies):
        return "server_broken", [], ""
    events = ctx.events
    checks = np.flatnonzero(
        (events["rule"] == "tls-verify-failed").to_numpy(dtype=bool, na_value=False)
        & (events["host"] == host).to_numpy(dtype=bool, na_value=False)
    )
    if len(checks) == 0:
        return "", [], ""
    details = ctx.texts(checks).astype(str).str.extract(_VERIFY_DETAIL)
    found = details["detail"].fillna("")
    mismatch = found.str.contains("mismatch", regex=False).to_numpy(dtype=bool)
    if mismatch.any():
        first = int(np.flatnonzero(mismatch)[0])
        return "name_mismatch", [int(checks[first])], str(found.iloc[first])
    return "untrusted", [int(checks[0])], str(found.iloc[0])


def _logs_in(config: MainConfig | None) -> bool:
    """Return whether main.cf turns SMTP AUTH on (True without main.cf, where
    it is unknown)."""
    if config is None:
        return True
    return config.get("smtp_sasl_auth_enable").strip().lower() == "yes"


_NO_IPV6_ADDRESS = "no data record of requested type|invalid host or domain name"
"""The replies of a lookup that inet_protocols = ipv6 makes fail: the name has
records, but none of type AAAA, or an IPv4 address that Postfix will not use."""

RETRY_GAP_FACTOR = 3
"""Times maximal_backoff_time without a retry, while the log goes on, from which
deferred mail counts as not retried. Postfix retries each deferred message at
least once per maximal_backoff_time, and qmgr may wait a little longer when it
is busy."""


def _postfix_restarted(
    ctx: Context, host: str, start: pd.Timestamp, end: pd.Timestamp
) -> bool:
    """Return whether the log shows Postfix stopped or started on ``host``
    between ``start`` and ``end``: no retries while it was down."""
    events = ctx.events
    times = events["time"]
    rows = (
        ctx.of_kind("master_start", "master_stop", "postfix_script")
        & (events["host"] == host).to_numpy(dtype=bool, na_value=False)
        & ((times > start) & (times < end)).to_numpy(dtype=bool, na_value=False)
    )
    return bool(rows.any())


def _backoff(config: MainConfig | None) -> pd.Timedelta:
    """Return maximal_backoff_time: the longest wait between retries."""
    value = config.get("maximal_backoff_time") if config else "4000s"
    return postfix_duration(value, "s") or pd.Timedelta(seconds=4000)


def _recovered(
    ctx: Context, failures: Failures, host: str, rows: Rows, last: pd.Timestamp
) -> bool:
    """True when a delivery through the same relay succeeded after the last failure."""
    sent = failures.sent_after(host, last)
    server = failures.server
    relays = {str(server.labels[code]) for code in server.distinct(rows)}
    if relays:
        relays |= _relayhost_names(ctx, host)
        sent = sent[sent["relay_host"].isin(relays).to_numpy(dtype=bool)]
    return len(sent) > 0


def _relayhost_on_this_host(ctx: Context, host: str) -> bool:
    config = ctx.config(host)
    relay = parse_relayhost(config.get("relayhost")) if config else None
    return relay is not None and is_self(relay.host, ctx.host_view(host), config)


def _relayhost_names(ctx: Context, host: str) -> set[str]:
    config = ctx.config(host)
    relay = parse_relayhost(config.get("relayhost")) if config else None
    return {relay.host} if relay else set()


_CONFIG_NAMES = {
    "transport-missing": ("default_transport", "relay_transport", "transport_maps"),
    "localhost-loop": ("relayhost", "mydestination"),
    "myhostname-conflict": ("myhostname", "relayhost"),
    "own-name-loop": ("mydestination", "myhostname", "relayhost"),
    "relayhost-mx-lookup": ("relayhost",),
    "relayhost-unresolvable": ("relayhost",),
    "dns-lookup-failed": ("relayhost",),
    "destination-dns-failed": ("relayhost",),
    "destination-unreachable": ("relayhost",),
    "relay-connection-failed": ("relayhost",),
    "content-filter-unreachable": ("content_filter",),
    "ipv6-no-route": ("inet_protocols",),
    "sender-address-rejected": ("myorigin", "myhostname"),
    "helo-rejected": ("myhostname", "smtp_helo_name"),
    "sasl-authentication-failed": ("smtp_sasl_auth_enable", "smtp_sasl_password_maps"),
    "sasl-required": ("smtp_sasl_auth_enable", "smtp_sasl_password_maps"),
    "sasl-no-mechanism": ("smtp_sasl_security_options", "smtp_sasl_mechanism_filter"),
    "tls-failure": ("smtp_tls_security_level", "smtp_tls_CAfile"),
    "message-too-large": ("message_size_limit",),
}


def _evidence_rows(
    ctx: Context, failures: Failures, times: pd.Series, keys: list[str], code: str
) -> list[int]:
    """Return event rows to quote: the earliest attempts, one for each of the first
    normalized reasons, and the newest attempt, which shows whether the failure
    lasts; then the first notes of the first 50 messages that show no other
    finding's cause."""
    ordered = times.sort_values(kind="stable").index.to_numpy()
    reasons = pd.Series(failures.reason_normalized.codes[ordered])
    firsts = ordered[~reasons.duplicated().to_numpy()]
    events = failures.event
    earliest = chain(events[firsts], events[ordered])
    chosen = first_distinct(earliest, 3)
    newest = int(events[ordered[-1]])
    if newest not in chosen:
        chosen = [*chosen[:2], newest]
    notes = _fitting_notes(ctx, ctx.note_rows(keys[:50], 20), code)
    return chosen + notes[:2]


def _fitting_notes(ctx: Context, rows: list[int], code: str) -> list[int]:
    """Return the notes of ``rows`` that can back finding ``code``: they show no
    cause, or this one.

    A message tried at several servers has notes about each of them, such as a
    rate limit at the first MX host before a full mailbox at the second.
    """
    if code not in _CAUSE_FINDINGS or not rows:
        return rows
    # One read for all rows: each read decompresses the text blocks it touches.
    texts = ctx.texts(rows).tolist()
    codes = (CAUSE_CODES.get(reason_cause(str(text))) for text in texts)
    return [
        row
        for row, note_code in zip(rows, codes, strict=True)
        if note_code is None or note_code == code
    ]


_CAUSE_FINDINGS = frozenset(CAUSE_CODES.values())


def _local_aliases(ctx: Context, rows: Rows) -> list[str]:
    """Return the addresses before alias expansion (orig_to=) of local deliveries
    at ``rows``, when every one of them was rewritten: the aliases that lead to
    the unknown users."""
    deliveries = ctx.deliveries.iloc[rows]
    original = deliveries["orig_recipient"].astype(object)
    # orig_to=<analyst> for to=<analyst@host> only had the domain appended, and
    # a change of letter case is no alias either: the user name must change.
    before = original.fillna("").str.partition("@")[0].str.lower()
    after = deliveries["recipient"].astype(object).fillna("").str.partition("@")[0]
    rewritten = original.notna() & (before != after.str.lower())
    if not len(rows) or not rewritten.all():
        return []
    return [str(a) for a in original.value_counts().index]


_TLS_ENFORCED = frozenset({"encrypt", "dane-only", "fingerprint", "verify", "secure"})
"""smtp_tls_security_level values that make Postfix start TLS or not send."""


_SERVICE_PORTS = {
    "smtp": "25",
    "submission": "587",
    "submissions": "465",
    "smtps": "465",
}
"""Port numbers of the service names that relayhost may give instead."""


def _routing_maps(
    config: MainConfig | None, servers: set[tuple[str, int | None]]
) -> list[str]:
    """Return the routing tables that main.cf sets, when none of the failing
    ``servers`` (name, port) is relayhost's: those tables sent the mail elsewhere.

    A failure at relayhost's own server among them points to the network
    rather than to a table, so no table is returned then.
    """
    if config is None or not servers:
        return []
    relay = parse_relayhost(config.get("relayhost"))
    if relay is None:
        return []
    relay_port = _SERVICE_PORTS.get(relay.port.lower(), relay.port)
    for name, port in servers:
        same_host = name == relay.host.lower()
        same_port = port is None or str(port) == relay_port
        if same_host and same_port:
            return []
        if _naming_setting(config, name):
            return []  # a setting, not a table, names this server
    return [name for name in ROUTING_MAPS if config.get(name).strip()]


NEXTHOP_SETTINGS = ("smtp_fallback_relay", "default_transport", "relay_transport")
"""Settings besides relayhost and the routing tables that name a server to
send mail to: the fallback relay (Postfix logs only the last server it tried),
and a transport's next hop (smtp:[backup.example.com])."""


def _naming_setting(config: MainConfig | None, server: object) -> str | None:
    """Return the first of NEXTHOP_SETTINGS whose value names ``server``."""
    if config is None or server is None:
        return None
    name = str(server).lower()
    for setting in NEXTHOP_SETTINGS:
        value = config.get(setting).lower()
        if setting != "smtp_fallback_relay":
            # transport:nexthop; a bare transport (smtp, relay) names no server.
            value = value.partition(":")[2]
        if name in re.split(r"[\s,\[\]:]+", value):
            return setting
    return None


def _relayhost_takes_mail(config: MainConfig | None, sent: pd.DataFrame) -> bool:
    """Return whether relayhost's server accepted mail of the host in ``sent``."""
    relay = parse_relayhost(config.get("relayhost")) if config is not None else None
    if relay is None:
        return False
    names = sent["relay_host"].astype("string").str.lower()
    return bool(names.eq(relay.host.lower()).any())


def _relay_params(
    config: MainConfig | None, port: int | None, server: object
) -> dict[str, object]:
    """Return main.cf's relayhost, and the server and port to test: the first one
    that the log shows Postfix trying, else relayhost's."""
    relayhost = config.get("relayhost") if config is not None else ""
    parsed = parse_relayhost(relayhost)
    relay_host = "?" if server is None else str(server)
    port_text = "25" if port is None else str(port)
    if parsed is not None:
        relay_host = parsed.host if server is None else relay_host
        port_text = parsed.port if port is None else port_text
    return {"relayhost": relayhost, "relay_host": relay_host, "port": port_text}


_GREETING_TIMEOUT = (
    r"(?:timed out|lost connection with .*) while receiving the initial server greeting"
)
"""A server on port 465 waits for the TLS handshake: Postfix, waiting for a
plain-text greeting, times out, or the server gives up and closes."""
_CUT_IN_DATA = (
    r"(?:lost connection with|conversation with) .* (?:timed out )?while sending "
    r"(?:end of data|message body)"
)
"""Postfix's smtp(8) replies when the connection breaks while or after the message
is sent ("... -- message may be sent more than once"). A loss at the DATA command
comes before the message and is not one of them."""


_DATA_DONE_TIMEOUT = r"timed out while sending end of data"
"""smtp(8)'s reply when the server did not reply to the end of the message within
smtp_data_done_timeout."""
_SESSION_STAGE = re.compile(
    r"while (?:sending (MAIL FROM|RCPT TO|DATA) ?(?:command)?|performing the "
    r"(EHLO|HELO|LHLO) handshake)"
)
"""The SMTP command at which a session broke, in smtp(8)'s reply."""
_CUT_IN_SESSION = (
    r"(?:lost connection with|conversation with) .* (?:timed out )?while "
    r"(?:sending (?:MAIL FROM|RCPT TO|DATA command)|performing the "
    r"(?:EHLO|HELO|LHLO) handshake)"
)
"""The server greeted, then ended the session before the message was sent."""
DATA_DONE_TIMEOUT_ADVISED = pd.Timedelta(minutes=10)
"""The wait for the reply to the end of the message that RFC 5321 (4.5.3.2.6)
advises, and Postfix's default smtp_data_done_timeout (600s)."""
NON_SMTP_PORTS = {
    21: "FTP",
    22: "SSH",
    23: "Telnet",
    53: "DNS",
    80: "HTTP",
    110: "POP3",
    143: "IMAP",
    443: "HTTPS",
    993: "IMAPS",
    995: "POP3S",
    3389: "RDP",
    8080: "HTTP",
}
"""Well-known ports of other services, with the service: no SMTP server
listens there."""


def _short_data_timeout(config: MainConfig | None) -> bool:
    """Return whether main.cf sets smtp_data_done_timeout below what RFC 5321
    advises."""
    if config is None or not config.is_set("smtp_data_done_timeout"):
        return False
    timeout = postfix_duration(config.get("smtp_data_done_timeout"), "s")
    return timeout is not None and timeout < DATA_DONE_TIMEOUT_ADVISED


def _broken_params(
    variant: str,
    config: MainConfig | None,
    failures: Failures,
    rows: Rows,
    port: int | None,
) -> dict[str, object]:
    """Return the parameters that the summary of a broken-connection variant names."""
    if variant == "not_smtp_port" and port is not None:
        return {"service": NON_SMTP_PORTS[port]}
    if variant == "data_timeout" and config is not None:
        timeout = config.get("smtp_data_done_timeout").strip()
        # A bare number is in seconds.
        return {"timeout": f"{timeout}s" if timeout.isdigit() else timeout}
    if variant == "cut_in_session":
        stage = _SESSION_STAGE.search("; ".join(_example_reasons(failures, rows)))
        command = (stage[1] or stage[2]) if stage else None
        return {"stage": command or "?"}
    return {}


_GREETING_REFUSED = r"refused to talk to me"
"""smtp(8)'s reply when the server replies to the connection with 421 or 554
instead of its 220 greeting."""
_GREETING_LOST = (
    r"(?:lost connection with|conversation with) .* (?:timed out )?while receiving "
    r"the initial server greeting"
)
"""The server took the connection and closed it, or sent nothing, before its
greeting."""


def _broken_after_connect(
    config: MainConfig | None,
    master: MasterConfig | None,
    port: int | None,
    failures: Failures,
    rows: Rows,
) -> str:
    """Return the relay-connection-failed variant for connections that were made
    and broke later, or "" when some attempt did not connect at all.

    "not_smtp_port": a port that another service uses (22 for SSH), a typing
    error in relayhost. "wrappermode": port 465 (SMTPS) without
    smtp_tls_wrappermode = yes, where Postfix times out waiting for a plain-text
    greeting. "data_timeout": smtp_data_done_timeout in main.cf is shorter than
    the server needs to accept a message. "cut_in_data": the connection broke
    after the message was sent. "cut_in_session": the server ended the session
    between its greeting and the message. "greeting_refused": the server
    replied with a refusal instead of its greeting. "greeting_lost": the server
    closed the connection, or sent nothing, before its greeting.
    """
    if port in NON_SMTP_PORTS and failures.all_replies_match(
        rows, f"{_GREETING_LOST}|{_GREETING_TIMEOUT}"
    ):
        # Connected, and no SMTP greeting came: another service listens there.
        return "not_smtp_port"
    wrapper = config.get("smtp_tls_wrappermode") if config is not None else None
    if (
        port == 465
        and wrapper is not None
        and wrapper.strip().lower() != "yes"
        and not _wrapper_in_master(master)
        and failures.all_replies_match(rows, _GREETING_TIMEOUT)
    ):
        return "wrappermode"
    if failures.all_replies_match(rows, _DATA_DONE_TIMEOUT) and _short_data_timeout(
        config
    ):
        return "data_timeout"
    if failures.all_replies_match(rows, _CUT_IN_DATA):
        return "cut_in_data"
    if failures.all_replies_match(rows, _CUT_IN_SESSION):
        return "cut_in_session"
    if failures.all_replies_match(rows, _GREETING_REFUSED):
        return "greeting_refused"
    if failures.all_replies_match(rows, _GREETING_LOST):
        return "greeting_lost"
    return ""


def _wrapper_in_master(master: MasterConfig | None) -> bool:
    """Return whether a service of master.cf that runs smtp(8) sets
    smtp_tls_wrappermode = yes (-o smtp_tls_wrappermode=yes)."""
    if master is None:
        return False
    return any(
        service.command == "smtp"
        and service.options.get("smtp_tls_wrappermode", "").strip().lower() == "yes"
        for service in master.services
    )


def _delivered_to(ctx: Context, host: str, server: object) -> pd.DataFrame:
    """Return the deliveries of ``host`` that the server named ``server`` took."""
    if server is None:
        return ctx.sent.iloc[0:0]
    sent = ctx.sent
    mine = (sent["host"] == host).to_numpy(dtype=bool, na_value=False)
    names = sent["relay_host"].astype("string").str.lower() == str(server).lower()
    return sent[mine & names.to_numpy(dtype=bool, na_value=False)]


def _relayhost_name(config: MainConfig | None) -> str:
    parsed = parse_relayhost(config.get("relayhost")) if config is not None else None
    return parsed.host if parsed else ""


def _variant(
    code: str, config: MainConfig | None, view: HostView | None, server: object = None
) -> str:
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
    if (
        code == "relay-connection-failed"
        and relay is not None
        and not relay.bracketed
        and not relay.is_address
        and server is not None
        and str(server).lower() != relay.host.lower()
    ):
        return "via_mx"
    return ""


def _example_reasons(failures: Failures, rows: Rows) -> list[str]:
    """Return one whole reply for each of the two most frequent normalized reasons."""
    normalized = failures.reason_normalized.codes[rows]
    top = failures.reason_normalized.ranked(rows)[:2]
    reason = failures.reason
    replies = []
    for code in top:
        with_reply = rows[(normalized == code) & (reason.codes[rows] >= 0)]
        if len(with_reply):
            reply = reason.labels[reason.codes[with_reply[0]]]
            if isinstance(reply, str):
                replies.append(shorten(reply))
    return replies


QUOTE_LIMIT = 300
"""Longest reply quoted in a summary; the evidence lines keep the whole text."""


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """Return ``text`` cut to ``limit`` characters, marked with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _top(values: pd.Series, limit: int) -> str:
    counts = values.dropna().astype(str).value_counts()
    return ", ".join(counts.index[:limit])


def accepted_findings(ctx: Context) -> list[Finding]:
    """Diagnosis 6: messages the next server accepted ("250 ... queued as X")."""
    deliveries = ctx.deliveries
    columns = ["host", "message_key", "time", "event", "relay_host", "relay_ip"]
    # SMTP only: LMTP hands mail to this site's own mailbox server (Dovecot,
    # Cyrus), which is delivery, not a next server that may hold it.
    sent = deliveries["status"].eq("sent") & deliveries["daemon"].eq("smtp")
    relayed = deliveries[columns][sent.to_numpy(dtype=bool, na_value=False)]
    remote = relayed[
        relayed["relay_ip"].notna()
        & ~relayed["relay_ip"].astype("string").fillna("").str.match(r"^(127\.|::1$)")
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
    deliveries = ctx.deliveries
    sent_here = (deliveries["status"] == "sent") & (deliveries["relay"] == "local")
    rows = np.flatnonzero(sent_here.to_numpy(dtype=bool, na_value=False))
    replies = deliveries["reason"].take(rows).astype("string").fillna("")
    stored = replies.str.contains("delivered to (?:mailbox|maildir|file)")
    local = deliveries.take(rows[stored.to_numpy(dtype=bool, na_value=False)])
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
        addressed = recipients.astype(object).dropna().str.partition("@")[0]
        params: dict[str, object] = {
            "count": len(keys),
            "recipients": _top(recipients, 3),
            # The alias example forwards the user that the mail was addressed to.
            "user": str(addressed.mode().iloc[0]) if len(addressed) else "root",
        }
        users = _alias_users(group)
        if users:
            params.update(variant="aliased", users=users)
        config = ctx.config(str(host))
        domains = recipients.astype(object).dropna().str.rpartition("@")[2].str.lower()
        view = ctx.host_view(str(host))
        captured = local_domains(config, view, list(dict.fromkeys(domains)))
        evidence = log_evidence(ctx.events, group["event"])
        if captured:
            # Mail for a whole domain stays here, not only for local users.
            params.update(_captured_params(config, captured))
            evidence += config_evidence(config, "mydestination")
        findings.append(
            Finding(
                code="local-mailbox-delivery",
                severity="error" if captured else "warning",
                host=str(host),
                messages_affected=len(keys),
                first_seen=group["time"].min(),
                last_seen=group["time"].max(),
                evidence=evidence,
                params=params,
                message_keys=keys,
                priority=60,
            )
        )
    return findings


def local_domains(
    config: MainConfig | None, view: HostView | None, domains: list[str]
) -> list[str]:
    """Return those of ``domains`` that are mydomain, where mydestination lists it.

    Postfix delivers mail for every domain in mydestination with local(8), so
    listing the organization's domain ($mydomain) keeps all its mail here. This
    host's own names (its short name, myhostname, localhost) belong there and
    are never returned. Lookup tables in mydestination (hash:/etc/postfix/...)
    are not read.
    """
    if config is None or not domains:
        return []
    listed = {
        entry.lower()
        for entry in re.split(r"[\s,]+", config.get("mydestination"))
        if entry and ":" not in entry and "/" not in entry
    }
    mydomain = config.get("mydomain").lower()
    return [
        domain
        for domain in domains
        if domain == mydomain
        and domain in listed
        and "." in domain
        and domain != "localdomain"
        and not is_self(domain, view, config)
    ]


def _captured_params(
    config: MainConfig | None, domains: list[str]
) -> dict[str, object]:
    written = config.raw("mydestination") if config is not None else None
    return {
        "variant": "mydestination",
        "domain": domains[0],
        "domains": ", ".join(domains[:3]),
        "mydestination": written if written is not None else "?",
    }


def _alias_users(deliveries: pd.DataFrame) -> str:
    """Return the local users that an alias gave every one of ``deliveries``
    (orig_to=<root> stored for to=<anna@...>), or "" when any went to the
    addressed user itself."""
    original = deliveries["orig_recipient"].astype(object)
    if original.isna().any():
        return ""
    users = deliveries["recipient"].astype(object).fillna("").str.partition("@")[0]
    if (original.str.partition("@")[0].str.lower() == users.str.lower()).any():
        return ""
    return _top(users[users != ""], 3)


def queue_cause_findings(ctx: Context, existing: set[tuple[str, str]]) -> list[Finding]:
    """Diagnoses from the reasons a queue listing gives, where no log line shows them.

    A bundle may hold mailq output but no mail log; the "(reason)" lines of the
    listing carry the same replies as the log's deferrals.
    """
    queue = ctx.queue
    if queue.empty or "reason" not in queue:
        return []
    # A message that only an older listing shows has left the queue since: its
    # reason may no longer hold.
    current = queue["in_newest_listing"].to_numpy(dtype=bool)
    rows = queue[queue["reason"].notna().to_numpy(dtype=bool) & current]
    # The log's lines, with every attempt and the deliveries to other servers,
    # already judged the messages the log contains, so the listing adds nothing.
    messages = ctx.messages
    logged_messages = in_log(messages)
    logged = pd.MultiIndex.from_frame(
        logged_messages[["host", "queue_id"]].astype(object)
    )
    # A listed message with the ID of an earlier one in the log is a message
    # that only the listing shows (see ``queued_only``).
    only_listed = messages[~messages.index.isin(logged_messages.index)]
    waiting = pd.MultiIndex.from_frame(only_listed[["host", "queue_id"]].astype(object))
    listed = pd.MultiIndex.from_frame(rows[["host", "queue_id"]].astype(object))
    rows = rows[~listed.isin(logged) | listed.isin(waiting)].copy()
    if rows.empty:
        return []
    rows["cause"] = causes(rows["reason"])
    rows["code"] = rows["cause"].map(CAUSE_CODES).fillna("delivery-failed")
    rows["name"] = rows["reason"].str.extract(LOOKUP_NAME, expand=False).str.lower()
    rows["domain"] = rows["recipient"].fillna("").str.rpartition("@")[2].str.lower()
    dns = rows["code"].isin(["relayhost-mx-lookup", "relayhost-unresolvable"])
    triples = list(
        rows.loc[dns, ["host", "name", "domain"]]
        .astype(object)
        .where(rows.loc[dns, ["host", "name", "domain"]].notna(), None)
        .itertuples(index=False, name=None)
    )
    direct = direct_lookups(triples, lambda host: relay_state(ctx, host))
    rows.loc[rows.index[dns.to_numpy()][np.asarray(direct, dtype=bool)], "code"] = (
        "dns-lookup-failed"
    )
    servers = rows["reason"].str.extract(SERVER)
    findings = []
    for (host, code), group in rows.groupby(["host", "code"], sort=False):
        if (str(host), str(code)) in existing:
            continue
        config = ctx.config(str(host))
        messages = group["queue_id"].nunique()
        first = group.drop_duplicates("reason")
        named = servers.loc[group.index]
        params: dict[str, object] = {
            "count": f"{messages:,}",
            "relays": _top(named["name"], 3) or _relayhost_name(config) or "?",
            **quoted_reasons(first["reason"].head(2)),
            "recipients": _top(group["recipient"], 3),
            "senders": _top(group["sender"], 2),
            "delivered": "0",
        }
        name = group["reason"].str.extract(LOOKUP_NAME, expand=False).dropna()
        if len(name):
            params["names"] = _top(name, 3)
            params["name"] = str(name.iloc[0])
        server = named["name"].dropna()
        port = pd.to_numeric(named["port"], errors="coerce").dropna()
        params.update(
            _relay_params(
                config,
                int(port.iloc[0]) if len(port) else None,
                server.iloc[0] if len(server) else None,
            )
        )
        params["variant"] = _variant(str(code), config, ctx.host_view(str(host)))
        if code == "lookup-table-unavailable":
            _unavailable_table(ctx, str(host), set(), pd.Timestamp.max, params)
        if code == "transport-missing":
            _missing_transport(ctx, str(host), config, params)
        if code == "mailbox-unwritable":
            params.update(mailbox_fields(first["reason"].astype(str).tolist()))
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
        severity = "error"
        works = _delivered_to(ctx, str(host), server.iloc[0] if len(server) else None)
        if (
            code == "relay-connection-failed"
            and len(works)
            and group["arrival_time"].max() < works["time"].max()
        ):
            # The log shows that server taking mail: the listing's reason is
            # older than those deliveries, or its messages wait for a retry.
            severity = "warning"
            params["variant"] = "works_now"
            params["delivered_there"] = f"{len(works):,}"
            params["last_delivered"] = ctx.clock(works["time"].max())
            params["listing"] = str(group["source"].iloc[0])
            evidence += log_evidence(ctx.events, works["event"].tail(1))
        findings.append(
            Finding(
                code=str(code),
                severity=severity,
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
