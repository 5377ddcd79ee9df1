"""Failed delivery attempts, coded once: the cause and finding code of each, and the
columns that the failure findings count and quote."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import numpy as np
import numpy.typing as npt
import pandas as pd

from analyzer.analysis.findings.coded import Coded, Rows
from analyzer.analysis.findings.context import Context, parse_relayhost
from analyzer.analysis.reasons import reason_cause

# Cause of a failed attempt -> finding code.
CAUSE_CODES = {
    "loops_to_myself": "localhost-loop",
    "mx_lookup_failed": "relayhost-mx-lookup",
    "host_not_found": "relayhost-unresolvable",
    "connection_refused": "relay-connection-failed",
    "connection_timed_out": "relay-connection-failed",
    "no_route": "relay-connection-failed",
    "network_unreachable": "relay-connection-failed",
    "lost_connection": "relay-connection-failed",
    "greeting_refused": "relay-connection-failed",
    "local_data_error": "lookup-table-unavailable",
    "transport_unavailable": "transport-missing",
    "relay_denied": "relay-access-denied",
    "client_rejected": "relay-access-denied",
    "blocklisted": "ip-blocklisted",
    "sender_rejected": "sender-address-rejected",
    "helo_rejected": "helo-rejected",
    "sasl_failed": "sasl-authentication-failed",
    "auth_required": "sasl-required",
    "sasl_no_mechanism": "sasl-no-mechanism",
    "tls_not_offered": "tls-failure",
    "starttls_required": "tls-required-by-server",
    "tls_failure": "tls-failure",
    "sender_policy": "sender-policy-rejected",
    "rate_limited": "rate-limited",
    "too_large": "message-too-large",
    "unknown_recipient": "unknown-recipient",
    "greylisted": "greylisting",
    "disk_full": "disk-full",
    "server_storage": "server-storage-full",
    "mailbox_full": "mailbox-full",
    "suspended": "delivery-suspended",
    "content_rejected": "content-rejected",
    "service_unavailable": "relay-server-error",
    "mailbox_unwritable": "mailbox-unwritable",
}
FAILED_STATUSES = ("deferred", "bounced", "SOFTBOUNCE")
"""Delivery statuses of a failed attempt. Postfix logs status=SOFTBOUNCE where
soft_bounce = yes turned a bounce into a deferral (the message stays queued)."""
UNRESOLVED = ("deferred", "bounced", "expired", "partial", "unknown")
"""Final states in which a message still suffers from the failure that hit it.

Held and deleted messages are blocked or ended by an administrator instead."""
LOST = ("bounced", "expired")
LOOKUP_NAME = re.compile(r"name=([^\s,;)]+)")
SERVER = re.compile(
    r"(?:connect to|connection with|conversation with|host) "
    r"(?P<name>[^\s\[\]]+)\[(?P<address>[^\]]+)\](?::(?P<port>\d+))?"
)
"""The server a reply names ("connect to mx.example.com[192.0.2.1]:25: ..."); when
a connection fails, Postfix logs relay=none and names the server only here."""
"""The name that a DNS error names ("Name service error for name=example.com")."""
FINDING_CODES = tuple(
    dict.fromkeys(
        [
            *CAUSE_CODES.values(),
            "ipv6-no-route",
            "dns-lookup-failed",
            "error-transport",
            "delivery-failed",
        ]
    )
)
"""Every code a failed attempt can get: arrays of attempts hold indexes into it."""


class Failures:
    """Failed delivery attempts (deferred or bounced) as positions in
    ``ctx.deliveries``, with the columns that the findings read coded once."""

    def __init__(self, ctx: Context, rows: Rows) -> None:
        deliveries = ctx.deliveries
        self.rows = rows
        # Only the failed attempts are coded: the rules read no other rows.
        self.host = Coded.of(deliveries["host"], rows)
        self.message_key = Coded.of(deliveries["message_key"], rows)
        self.recipient = Coded.of(deliveries["recipient"], rows)
        self.relay_host = Coded.of(deliveries["relay_host"], rows).without("none")
        self.reason = Coded.of(deliveries["reason"], rows)
        self.reason_normalized = Coded.of(deliveries["reason_normalized"], rows)
        self.server, self.server_address, self.server_port = self._servers(deliveries)
        self.has_port = self.server_port >= 0
        self.time = deliveries["time"].array
        self.relay = deliveries["relay"]
        self.event = deliveries["event"].to_numpy()
        # Final state and sender of each message, indexed by message_key's codes.
        # A key missing from the messages (-1) reads the False or null appended.
        messages = ctx.messages
        found = messages.index.get_indexer(self.message_key.labels)
        states = messages["final_state"]
        unresolved = states.isin(UNRESOLVED).to_numpy(dtype=bool)
        self.unresolved = np.append(unresolved, False)[found]
        self.lost = np.append(states.isin(LOST).to_numpy(dtype=bool), False)[found]
        delivered = states.eq("delivered").to_numpy(dtype=bool, na_value=False)
        self.delivered = np.append(delivered, False)[found]
        deleted = states.eq("deleted").to_numpy(dtype=bool, na_value=False)
        self.deleted = np.append(deleted, False)[found]
        sender = Coded.of(messages["sender"])
        self.sender = Coded(np.append(sender.codes, -1)[found], sender.labels)
        self.sent = ctx.sent
        self.sent_by_smtp = ctx.sent_by_smtp
        self._sent_by_host: dict[str, pd.DataFrame] = {}

    def _servers(
        self, deliveries: pd.DataFrame
    ) -> tuple[Coded, npt.NDArray[np.object_], npt.NDArray[np.int64]]:
        """Return the server each failed attempt tried: its name, address and port.

        They come from relay=, or, where that is "none", from the server the reply
        names. Replies are read once per distinct text.
        """
        # Only the replies of failed attempts are read: the others are mostly
        # "queued as ..." texts, one for each message.
        rows = self.rows
        by_reply = self.reason.codes[rows]
        used = np.unique(by_reply)
        used = used[used >= 0]
        texts = pd.Series(self.reason.labels[used], dtype=object).fillna("")
        per_label = np.full((len(self.reason.labels) + 1, 3), np.nan, dtype=object)
        if len(used):
            per_label[used + 1] = texts.str.extract(SERVER).to_numpy(dtype=object)
        label_ports = pd.to_numeric(pd.Series(per_label[:, 2]), errors="coerce")
        reply_ports = label_ports.to_numpy(dtype=float)[by_reply + 1]
        reply = per_label[by_reply + 1]
        relay = (
            deliveries["relay_host"].iloc[rows].to_numpy(dtype=object, na_value=None)
        )
        from_relay = np.array(
            [v is not None and v != "none" for v in relay], dtype=bool
        )
        names = np.full(len(deliveries), None, dtype=object)
        names[rows] = np.where(from_relay, relay, reply[:, 0])
        address = (
            deliveries["relay_ip"].iloc[rows].to_numpy(dtype=object, na_value=None)
        )
        addresses = np.full(len(deliveries), None, dtype=object)
        addresses[rows] = np.where(from_relay & pd.notna(address), address, reply[:, 1])
        ports = pd.to_numeric(
            deliveries["relay_port"].iloc[rows], errors="coerce"
        ).to_numpy(dtype=float, na_value=np.nan)
        port = np.full(len(deliveries), -1, dtype=np.int64)
        chosen = np.where(from_relay & ~np.isnan(ports), ports, reply_ports)
        port[rows] = np.where(np.isnan(chosen), -1, chosen).astype(np.int64)
        return Coded.of(pd.Series(names, dtype=object), rows), addresses, port

    def groups(self, codes: Rows) -> Iterator[tuple[str, str, Rows]]:
        """Yield the host, finding code and rows of each group of failed attempts.

        ``codes`` is the index into FINDING_CODES of each failed attempt. Groups
        come in order of their first row and keep their rows in order, as
        ``groupby(["host", "code"], sort=False)`` does, and rows without a host
        are left out.
        """
        hosts = self.host.codes[self.rows]
        has_host = hosts >= 0
        pairs = hosts[has_host] * len(FINDING_CODES) + codes[has_host]
        group_of, group_pairs = pd.factorize(pairs)
        members = self.rows[has_host][np.argsort(group_of, kind="stable")]
        sizes = np.bincount(group_of, minlength=len(group_pairs))
        ends = np.cumsum(sizes)
        starts = ends - sizes
        for pair, start, end in zip(group_pairs, starts, ends, strict=True):
            host, code = divmod(int(pair), len(FINDING_CODES))
            yield str(self.host.labels[host]), FINDING_CODES[code], members[start:end]

    def times(self, rows: Rows) -> pd.Series:
        """Return the times of ``rows``, indexed by their positions."""
        return pd.Series(self.time.take(rows), index=rows)

    def first_port(self, rows: Rows) -> int | None:
        """Return the port of the first server tried at ``rows``, or None."""
        present = rows[self.has_port[rows]]
        return int(self.server_port[present[0]]) if len(present) else None

    def servers_tried(self, rows: Rows) -> set[tuple[str, int | None]]:
        """Return the distinct servers tried at ``rows``: the name in lower case
        and the port, None where the log gives none."""
        codes = self.server.codes[rows]
        ports = self.server_port[rows]
        return {
            (str(self.server.labels[code]).lower(), int(port) if port >= 0 else None)
            for code, port in zip(codes.tolist(), ports.tolist(), strict=True)
            if code >= 0
        }

    def sent_by(self, host: str) -> pd.DataFrame:
        """Return the successful deliveries of ``host``."""
        sent = self._sent_by_host.get(host)
        if sent is None:
            same_host = self.sent["host"] == host
            sent = self.sent[same_host.to_numpy(dtype=bool, na_value=False)]
            self._sent_by_host[host] = sent
        return sent

    def sent_after(self, host: str, last: pd.Timestamp) -> pd.DataFrame:
        """Return the successful deliveries of ``host`` after ``last``."""
        sent = self.sent_by(host)
        return sent[(sent["time"] > last).to_numpy(dtype=bool, na_value=False)]

    def names_absent(self, rows: Rows) -> bool:
        """Return whether DNS reported, for every failure at ``rows``, that the name
        does not exist: "Host not found" without "try again". A resolver that
        cannot reach DNS reports "try again" instead."""
        used = np.unique(self.reason.codes[rows])
        if (used < 0).any():
            return False
        texts = pd.Series(self.reason.labels[used], dtype=object).str.lower()
        found = texts.str.contains("host not found", regex=False)
        retry = texts.str.contains("try again", regex=False)
        return bool((found & ~retry).all())

    def on_loopback(self, rows: Rows) -> bool:
        """Return whether the failed attempts at ``rows`` name at least one server
        address, and every address they name is on this host (127.0.0.0/8, ::1)."""
        distinct = pd.unique(self.server_address[rows])
        addresses = [a for a in distinct if isinstance(a, str)]
        return bool(addresses) and all(
            a.startswith("127.") or a in ("::1", "ipv6:::1") for a in addresses
        )

    def server_domains(self, rows: Rows) -> int:
        """Return how many domains the servers tried at ``rows`` belong to."""
        names = [str(self.server.labels[c]).lower() for c in self.server.distinct(rows)]
        return len({".".join(name.split(".")[-2:]) for name in names})

    def all_temporary(self, rows: Rows) -> bool:
        """Return whether every reply at ``rows`` is DNS's "try again": no reply
        came, so whether the name exists is unknown."""
        return self.all_replies_match(rows, "try again")

    def all_replies_match(self, rows: Rows, pattern: str) -> bool:
        """Return whether every reply at ``rows`` contains the regular expression
        ``pattern``, ignoring case. A row without a reply does not match."""
        used = np.unique(self.reason.codes[rows])
        if len(used) == 0 or (used < 0).any():
            return False
        texts = pd.Series(self.reason.labels[used], dtype=object).str.lower()
        return bool(texts.str.contains(pattern, case=False, regex=True).all())

    def all_local(self, rows: Rows) -> bool:
        """Return whether local(8) made every attempt at ``rows`` (relay=local)."""
        relay = self.relay.iloc[rows]
        return bool(len(rows)) and bool(relay.eq("local").all())

    def recipient_domain_list(self, rows: Rows) -> list[str]:
        """Return the distinct recipient domains at ``rows``, most frequent first."""
        recipients = pd.Series(self.recipient.labels, dtype=object).fillna("")
        domains = recipients.str.rpartition("@")[2].str.lower().to_numpy(dtype=object)
        codes = self.recipient.codes[rows]
        present = domains[codes[codes >= 0]]
        return [str(d) for d in pd.Series(present).value_counts().index if d]

    def recipient_domains(self, rows: Rows, limit: int) -> str:
        """Join the ``limit`` recipient domains most frequent at ``rows``."""
        recipients = pd.Series(self.recipient.labels, dtype=object).fillna("")
        codes, labels = pd.factorize(recipients.str.rpartition("@")[2].str.lower())
        per_row = np.append(codes, -1)[self.recipient.codes[rows]]
        return Coded(per_row, pd.Index(labels)).top(np.arange(len(rows)), limit)

    def delivered_elsewhere(self, host: str, rows: Rows) -> int:
        """Return how many messages ``host`` handed to remote servers other than
        the ones that failed at ``rows``: its outbound connections work."""
        sent = self.sent_by_smtp[self.sent_by_smtp["host"] == host]
        failing = {
            str(self.server.labels[code]).lower() for code in self.server.distinct(rows)
        }
        relay = sent["relay_host"].astype(object).fillna("").str.lower()
        other = ~relay.isin(failing | {""})
        keys = sent["message_key"][other.to_numpy(dtype=bool, na_value=False)]
        return int(keys.nunique())


def finding_codes(ctx: Context, failures: Failures) -> Rows:
    """Return the finding code of each failed attempt, as an index into
    FINDING_CODES, from its cause and, for DNS, from the name looked up."""
    reason = failures.reason
    reason_codes = reason.codes[failures.rows]
    used = np.unique(reason_codes[reason_codes >= 0])
    # Position -1, which a null reason indexes, stays "other" like an empty reply.
    cause = np.full(len(reason.labels) + 1, "other", dtype=object)
    cause[used] = [reason_cause(reason.labels[index]) for index in used]
    index_of = {code: i for i, code in enumerate(FINDING_CODES)}
    code_of_reason = np.array(
        [index_of[CAUSE_CODES.get(name, "delivery-failed")] for name in cause],
        dtype=np.intp,
    )
    codes = code_of_reason[reason_codes]
    # error(8) returns mail with the text that follows "error:" in the setting
    # that routes it there (default_transport = error, a transport_maps entry):
    # often a host name, or nothing, which names no cause.
    daemon = ctx.deliveries["daemon"].to_numpy(dtype=object, na_value=None)
    by_error = (daemon[failures.rows] == "error") & (cause[reason_codes] == "other")
    codes[by_error] = index_of["error-transport"]
    unreachable = np.isin(cause, ["network_unreachable", "no_route"])[reason_codes]
    ipv6 = np.flatnonzero((codes == index_of["relay-connection-failed"]) & unreachable)
    if len(ipv6):
        addresses = failures.server_address[failures.rows[ipv6]]
        on_ipv6 = np.array([isinstance(a, str) and ":" in a for a in addresses])
        codes[ipv6[on_ipv6.astype(bool)]] = index_of["ipv6-no-route"]
    _follow_closing_replies(failures, cause[reason_codes], codes)
    dns_codes = [index_of["relayhost-mx-lookup"], index_of["relayhost-unresolvable"]]
    dns = np.flatnonzero(np.isin(codes, dns_codes))
    if len(dns):
        direct = _direct_lookups(ctx, failures, failures.rows[dns])
        codes[dns[direct]] = index_of["dns-lookup-failed"]
    return codes


def _follow_closing_replies(
    failures: Failures, row_causes: npt.NDArray[np.object_], codes: Rows
) -> None:
    """Give a lost connection the code of the 421 reply that closed it.

    A server that replies 421 to one recipient closes the session, and Postfix
    logs the message's other recipients of that session as "lost connection
    ... while sending RCPT TO": a consequence of the reply, not a network fault.
    The session is the message and the second of the attempt.
    """
    lost = np.flatnonzero(row_causes == "lost_connection")
    if not len(lost):
        return
    rows = failures.rows
    replies = failures.reason.labels[failures.reason.codes[rows]]
    closing = np.flatnonzero(
        pd.Series(replies, dtype=object).fillna("").str.contains(" said: 421[ -]")
    )
    if not len(closing):
        return
    seconds = pd.to_datetime(pd.Series(failures.time[rows])).dt.floor("s")
    keys = failures.message_key.codes[rows]
    closed = pd.DataFrame(
        {
            "key": keys[closing],
            "second": seconds.iloc[closing].to_numpy(),
            "at": closing,
        }
    ).drop_duplicates(["key", "second"])
    broken = pd.DataFrame(
        {"key": keys[lost], "second": seconds.iloc[lost].to_numpy(), "row": lost}
    )
    matched = broken.merge(closed, on=["key", "second"])
    codes[matched["row"].to_numpy()] = codes[matched["at"].to_numpy()]


def _direct_lookups(
    ctx: Context, failures: Failures, rows: Rows
) -> npt.NDArray[np.bool_]:
    """Return which DNS failures at ``rows`` were Postfix looking up a recipient's
    destination itself, not a relay host (see ``direct_lookups``).

    Names and domains are extracted once per distinct reply and recipient, and
    the decision is made once per distinct host, name and domain.
    """
    reason_codes = failures.reason.codes[rows]
    names = _per_label(
        failures.reason,
        reason_codes,
        lambda texts: texts.str.extract(LOOKUP_NAME, expand=False).str.lower(),
    )
    recipient_codes = failures.recipient.codes[rows]
    domains = _per_label(
        failures.recipient,
        recipient_codes,
        lambda texts: texts.str.rpartition("@")[2].str.lower(),
    )
    host_codes = failures.host.codes[rows]
    width_names, width_domains = len(names), len(domains)
    triple = (
        (host_codes.astype(np.int64) + 1) * width_names + (reason_codes + 1)
    ) * width_domains + (recipient_codes + 1)
    triple_codes, uniques = pd.factorize(triple)
    hosts = [*failures.host.labels.astype(object), None]
    decoded = []
    for value in uniques.tolist():
        rest, domain = divmod(value, width_domains)
        host, name = divmod(rest, width_names)
        decoded.append((hosts[host - 1], names[name - 1], domains[domain - 1]))
    direct = np.asarray(
        direct_lookups(decoded, lambda host: relay_state(ctx, host)), dtype=bool
    )
    return np.asarray(direct[triple_codes], dtype=bool)


RELAY_SET, RELAY_UNSET, RELAY_UNKNOWN = "set", "unset", "unknown"


def relay_state(ctx: Context, host: str | None) -> str:
    """Whether main.cf of ``host`` sets relayhost. Without main.cf, a host whose
    mail went to servers of several domains has none; else it is unknown."""
    config = ctx.config(host) if host is not None else None
    if config is None:
        return RELAY_UNSET if host in ctx.direct_hosts else RELAY_UNKNOWN
    return (
        RELAY_UNSET if parse_relayhost(config.get("relayhost")) is None else RELAY_SET
    )


def direct_lookups(
    failures: list[tuple[str | None, str | None, str | None]],
    state_of: Callable[[str | None], str],
) -> list[bool]:
    """Return, for each (host, looked-up name, recipient domain) of a DNS failure,
    whether Postfix was finding the recipient's destination itself.

    Without relayhost in main.cf, every lookup is of a destination: the
    recipient's domain or the mail servers its MX records name. With relayhost
    set, the lookup is of the relay host. Without main.cf, a name that is the
    recipient's domain or under it is a destination, and so are all names of a
    host that fails on more than one name, since one relay host has one name.
    """
    names_of_host: dict[str | None, set[str]] = {}
    for host, name, _ in failures:
        if name:
            names_of_host.setdefault(host, set()).add(name)
    result = []
    for host, name, domain in failures:
        state = state_of(host)
        if state == RELAY_UNSET:
            result.append(True)
        elif state == RELAY_SET or not name:
            result.append(False)
        else:
            own = bool(domain) and (name == domain or name.endswith("." + str(domain)))
            result.append(own or len(names_of_host.get(host, ())) > 1)
    return result


def _per_label(
    column: Coded, codes: Rows, transform: Callable[[pd.Series], pd.Series]
) -> npt.NDArray[np.object_]:
    """Apply a pandas string method to the distinct values at ``codes`` and return
    its results by code, with None for a null result and at position -1.

    The values keep the column's dtype, so the method behaves as on the column.
    """
    used = np.unique(codes[codes >= 0])
    result = np.full(len(column.labels) + 1, None, dtype=object)
    if len(used):
        texts = pd.Series(column.labels[used])
        values = transform(texts).astype(object)
        result[used] = [None if pd.isna(v) else v for v in values]
    return result


def lookup_names(failures: Failures, rows: Rows) -> str:
    """Join the three names that the replies at ``rows`` most often give as
    "name=...", as is."""
    reason_codes = failures.reason.codes[rows]
    names = _per_label(
        failures.reason,
        reason_codes,
        lambda texts: texts.str.extract(LOOKUP_NAME, expand=False),
    )
    # Code the names themselves, since different replies can give the same name.
    name_of_reason, labels = pd.factorize(names)
    name_codes = np.asarray(name_of_reason, dtype=np.intp)[reason_codes]
    return Coded(name_codes, pd.Index(labels)).top(np.arange(len(rows)), 3)
