"""Totals, traffic and deferral statistics.

Two sets of totals are kept. ``pflogsumm_totals`` follows pflogsumm 1.1.5's
definitions line by line, so an admin can check them against the tool they trust:
``received`` counts smtpd ``client=`` and pickup records, ``delivered`` and
``bounced`` count recipient records, ``deferred`` counts queue IDs with a deferral,
``rejected`` counts reject records and ``reject_warnings`` counts smtpd's
reject_warning records and cleanup's header_checks and body_checks WARN records.
pflogsumm reads no status=SOFTBOUNCE record (soft_bounce = yes), so its
``deferred`` and ``deferrals`` leave those out.
``message_totals`` counts messages as rebuilt here: a message passed through a
content filter and re-queued counts once, by the outcome of its last copy, and
a SOFTBOUNCE record counts as the deferral it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analyzer.analysis.frames import line_texts
from analyzer.analysis.reasons import causes

AGE_BUCKETS_MINUTES = (0, 5, 10, 20, 40, 80, 160, 320, 640, 1280)
"""Queue age bucket starts in minutes. qshape names each bucket by the start of
the next one, and the last, open-ended one by its start and "+"."""

NAT_TICKS = np.iinfo(np.int64).min
"""The integer value of NaT in a datetime64 array."""


def recipient_domain(addresses: pd.Series) -> pd.Series:
    """Return the lower-cased domain of each address ("" when it has none).

    The domain is taken once per distinct address, because a deferred recipient
    repeats on every retry.
    """
    codes, uniques = pd.factorize(addresses)
    domains = [_domain(str(address)) for address in uniques]
    # Missing addresses have code -1, which picks the trailing "".
    per_code = np.array([*domains, ""], dtype=object)
    return pd.Series(
        per_code[codes], index=addresses.index, name=addresses.name, dtype=object
    )


def _domain(address: str) -> str:
    return address.rsplit("@", 1)[-1].lower() if "@" in address else ""


DEFERRED = ("deferred", "SOFTBOUNCE")
"""Delivery statuses that leave the message queued for another try: Postfix logs
SOFTBOUNCE where soft_bounce = yes turned a bounce into a deferral."""


def _is(values: pd.Series, *names: str) -> np.ndarray:
    """Rows whose (categorical or string) value is one of ``names``; no copies."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        # Compare the integer codes: isin on a categorical builds its values first.
        selected = np.zeros(len(values.cat.categories) + 1, dtype=bool)
        found = values.cat.categories.get_indexer(list(names))
        selected[found[found >= 0]] = True
        return np.asarray(selected[values.cat.codes.to_numpy()], dtype=bool)
    return np.asarray(values.isin(names), dtype=bool)


def _text_matches(
    events: pd.DataFrame, searches: list[tuple[np.ndarray, str]]
) -> list[np.ndarray]:
    """For each (rows, pattern) of ``searches``, return which events of the rows
    mask have a text that ``pattern`` matches. The texts of all rows are read
    at once, because each read decompresses the text blocks that it touches."""
    wanted = np.zeros(len(events), dtype=bool)
    for rows, _ in searches:
        wanted |= rows
    where = np.flatnonzero(wanted)
    texts = line_texts(events, where).reset_index(drop=True)
    results = []
    for rows, pattern in searches:
        result = np.zeros(len(events), dtype=bool)
        picked = rows[where]
        if picked.any():
            found = texts[picked].str.contains(pattern, regex=True)
            result[where[picked]] = found.fillna(False).to_numpy(dtype=bool)
        results.append(result)
    return results


def _facts(events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Masks over events that the totals share: instance, service, kinds, texts."""
    own = _is(events["instance"], "postfix")
    service = events["service"]
    plain = own & (
        np.asarray(service.isna(), dtype=bool) | _is(service, "smtps", "submission")
    )
    kind = events["kind"]
    reject = _is(kind, "reject")
    milter, malformed, content_warning = _text_matches(
        events,
        [
            (reject, r"^(?:\S+: )?milter-reject: "),
            # pflogsumm counts any smtpd line with "reject:", also the shapes
            # that no rule recognizes.
            (_is(kind, "unknown"), r"\breject: "),
            # header_checks and body_checks WARN (also a milter's), which
            # pflogsumm counts as reject warnings; its pattern wants header or
            # body, not content.
            (
                _is(kind, "header_check") & _is(events["daemon"], "cleanup"),
                r"\bwarning: (?:header|body) ",
            ),
        ],
    )
    return {
        "own": own,
        "plain": plain,
        "reject": reject,
        "client": _is(kind, "client") & _is(events["daemon"], "smtpd", "postscreen"),
        "pickup": _is(kind, "pickup") & _is(events["daemon"], "pickup"),
        "cleanup": _is(events["daemon"], "cleanup"),
        "milter": milter,
        "malformed": malformed,
        "content_warning": content_warning,
    }


PFLOGSUMM_SERVICES = ("", "smtps", "submission")
"""Services pflogsumm 1.1.5 accepts in a program tag (``postfix/smtps/smtpd``)."""


def pflogsumm_totals(events: pd.DataFrame, deliveries: pd.DataFrame) -> dict[str, int]:
    """Return totals with pflogsumm's definitions (see the module docstring).

    pflogsumm reads only lines whose tag starts with ``postfix/`` (its default
    syslog name), so other instances (``postfix-out/smtp``) are left out, and it
    takes the daemon from the tag only when the service is smtps or submission:
    the client records of a re-injection service such as ``postfix/10025/smtpd``
    are not counted as received. Its smtpd pattern wants "QID: reject:", so it
    misses ``milter-reject`` records of smtpd (it counts those of cleanup).
    """
    facts = _facts(events)
    own = facts["own"]
    received = int((facts["plain"] & facts["client"]).sum())
    received += int((facts["plain"] & facts["pickup"]).sum())
    mine = own[deliveries["event"].to_numpy(dtype=np.int64)]
    status = deliveries["status"]
    sent = mine & _is(status, "sent")
    forwarded = _contains(deliveries["reason"], "forwarded as ", sent)
    deferred = mine & _is(status, "deferred")
    return {
        "received": received,
        "delivered": int((sent & ~forwarded).sum()),
        "forwarded": int(forwarded.sum()),
        "deferred": int(deliveries["queue_id"][deferred].nunique()),
        "deferrals": int(deferred.sum()),
        "bounced": int((mine & _is(status, "bounced")).sum()),
        "rejected": int(
            (own & facts["reject"] & ~(facts["milter"] & ~facts["cleanup"])).sum()
            + (own & facts["malformed"]).sum()
        ),
        "reject_warnings": int(
            (own & _is(events["kind"], "reject_warning")).sum()
            + (facts["plain"] & facts["content_warning"]).sum()
        ),
        "held": int((own & _is(events["kind"], "hold")).sum()),
        "discarded": int((own & _is(events["kind"], "discard")).sum()),
    }


@dataclass
class Totals:
    """Counts of the rebuilt messages, a content-filter pair counted once."""

    messages: int = 0
    received: int = 0
    delivered_recipients: int = 0
    forwarded: int = 0
    deferred_messages: int = 0
    deferrals: int = 0
    bounced_recipients: int = 0
    rejected: int = 0
    rejected_unqueued: int = 0
    """Rejects before a queue ID was given (NOQUEUE): mail never accepted."""
    rejected_local: int = 0
    """The NOQUEUE rejects of loopback clients: this host's own mail."""
    held: int = 0
    discarded: int = 0
    bytes_received: int = 0
    senders: int = 0
    recipients: int = 0
    states: dict[str, int] = field(default_factory=dict)
    """Messages per final state, hand-off copies not counted."""
    notices: int = 0
    """Messages with the null sender (from=<>): the non-delivery and delay notices
    Postfix makes or relays. ``messages`` and ``states`` count them too."""
    notice_states: dict[str, int] = field(default_factory=dict)
    """Those notices per final state."""

    def mail_states(self) -> dict[str, int]:
        """Return the messages per final state without the notices, as the
        reports' key numbers count them: a bounce notice delivered to root is
        not this host's mail delivered. States left without a message are dropped."""
        counts = {
            state: count - self.notice_states.get(state, 0)
            for state, count in self.states.items()
        }
        return {state: count for state, count in counts.items() if count}


LOOPBACK_CLIENT = r" from [^\s\[]*\[(?:127\.\d+\.\d+\.\d+|::1)\]"
"""A reject of a client on a loopback address ("RCPT from localhost[127.0.0.1]")."""


def message_totals(
    events: pd.DataFrame, messages: pd.DataFrame, deliveries: pd.DataFrame
) -> Totals:
    # A hand-off copy is the same message, and a try that cleanup did not
    # accept is tried again as another: neither counts.
    counted = _mask(~messages["final_state"].isin(["handed_off", "not_accepted"]))
    # Submissions as pflogsumm counts them: a try that cleanup did not accept
    # is one too, though no message of the states.
    originals = np.asarray(messages["origin"].isin(["local", "smtp"]), dtype=bool)
    real = ~_handoff_deliveries(deliveries, messages)
    status = deliveries["status"]
    sent = real & _is(status, "sent")
    forwarded = _contains(deliveries["reason"], "forwarded as ", sent)
    deferred = real & _is(status, *DEFERRED)
    kind = events["kind"]
    states = messages["final_state"][counted].value_counts()
    notice = counted & _mask(messages["sender"].eq(""))
    notice_states = messages["final_state"][notice].value_counts()
    unqueued = _is(kind, "reject") & np.asarray(events["message_key"].isna())
    [local] = _text_matches(events, [(unqueued, LOOPBACK_CLIENT)])
    return Totals(
        messages=int(counted.sum()),
        received=int(originals.sum()),
        delivered_recipients=int((sent & ~forwarded).sum()),
        forwarded=int(forwarded.sum()),
        deferred_messages=int(deliveries["message_key"][deferred].nunique()),
        deferrals=int(deferred.sum()),
        bounced_recipients=int((real & _is(status, "bounced")).sum()),
        rejected=int(_is(kind, "reject").sum()),
        rejected_unqueued=int(unqueued.sum()),
        rejected_local=int(local.sum()),
        held=int(_is(kind, "hold", "held").sum()),
        discarded=int(_is(kind, "discard").sum()),
        bytes_received=int(messages["size"][originals].fillna(0).sum()),
        senders=int(messages["sender"][originals].nunique()),
        recipients=int(deliveries["recipient"][real].nunique()),
        states={str(k): int(v) for k, v in states.items()},
        notices=int(notice.sum()),
        notice_states={str(k): int(v) for k, v in notice_states.items()},
    )


def _mask(values: pd.Series) -> np.ndarray:
    """Return ``values`` as a NumPy mask, missing values False as in indexing."""
    return np.asarray(values.fillna(False), dtype=bool)


def _contains(values: pd.Series, text: str, where: np.ndarray) -> np.ndarray:
    """Rows selected by ``where`` whose value contains ``text``.

    Only those rows are searched, because the texts are long and most rows are
    not selected. Missing values contain nothing.
    """
    result = np.zeros(len(values), dtype=bool)
    rows = np.flatnonzero(where)
    if len(rows):
        found = values.iloc[rows].str.contains(text, regex=False)
        result[rows] = _mask(found)
    return result


def _handoff_deliveries(deliveries: pd.DataFrame, messages: pd.DataFrame) -> np.ndarray:
    """True for deliveries that handed a message to a content filter."""
    children = _mask(messages["parent_key"].notna() & messages["link"].eq("handoff"))
    parents = messages["parent_key"][children].unique()
    candidates = _is(deliveries["status"], "sent") & np.asarray(
        deliveries["message_key"].isin(parents), dtype=bool
    )
    return _contains(deliveries["reason"], "queued as ", candidates)


def traffic(
    events: pd.DataFrame,
    messages: pd.DataFrame,
    deliveries: pd.DataFrame,
    freq: str,
    zone: str = "UTC",
    notices: bool = True,
) -> pd.DataFrame:
    """Count received, delivered, deferred, bounced and rejected (before
    queueing) per period.

    As in ``message_totals``, a message and the copy that a content filter or a
    .forward re-queued count once. The copy's arrival is not counted as
    received, and the hand-off of the message to the filter or the forward is
    not counted as delivered. Without ``notices``, the delivery attempts of
    messages with the null sender (from=<>) are left out.
    """
    kind = events["kind"]
    arrivals = np.flatnonzero(_is(kind, "pickup", "client"))
    copies = messages.index[_mask(messages["link"].eq("handoff"))]
    is_copy = events["message_key"].iloc[arrivals].isin(copies).to_numpy(dtype=bool)
    status = deliveries["status"]
    real = ~_handoff_deliveries(deliveries, messages)
    if not notices:
        null_sender = messages.index[_mask(messages["sender"].eq(""))]
        real &= ~deliveries["message_key"].isin(null_sender).to_numpy(dtype=bool)
    sent = real & _is(status, "sent")
    sent &= ~_contains(deliveries["reason"], "forwarded as ", sent)
    series = {
        "received": events["time"].iloc[arrivals[~is_copy]],
        "delivered": deliveries.loc[sent, "time"],
        "deferred": deliveries.loc[real & _is(status, *DEFERRED), "time"],
        "bounced": deliveries.loc[real & _is(status, "bounced"), "time"],
        # Rejected before queueing (NOQUEUE), as the chart's caption names them.
        # A queued message that cleanup rejected has its bounce among "bounced".
        "rejected": events.loc[
            _is(kind, "reject") & np.asarray(events["message_key"].isna()), "time"
        ],
    }
    counts = {
        name: values.dropna().dt.tz_convert(zone).dt.floor(freq).value_counts()
        for name, values in series.items()
    }
    frame = pd.DataFrame(counts).fillna(0).astype(int).sort_index()
    frame.index.name = "period"
    return frame


DEFERRAL_TABLES = {
    "by_reason": "reason_normalized",
    "by_cause": "cause",
    "by_dsn": "dsn",
    "by_relay": "relay",
    "by_domain": "domain",
    "by_host": "host",
    "by_hour": "hour",
}
"""Deferral tables by name, and the column each one groups by."""


def deferral_stats(
    deliveries: pd.DataFrame, names: Iterable[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Group deferred attempts by normalized reason, DSN class, relay, domain, host, hour.

    ``names`` picks tables of DEFERRAL_TABLES (default: all). Each table has one
    row per value, most deferrals first: the deferrals, the distinct messages,
    the first and last time, the most frequent reply text (``example``) and the
    deferrals with that text (``example_deferrals``).
    """
    requested = {name: DEFERRAL_TABLES[name] for name in (names or DEFERRAL_TABLES)}
    rows = np.flatnonzero(_is(deliveries["status"], *DEFERRED))
    if len(rows) == 0:
        return {name: _empty_group(column) for name, column in requested.items()}
    reason = deliveries["reason"].iloc[rows]
    time = deliveries["time"].iloc[rows]
    message, _ = pd.factorize(deliveries["message_key"].iloc[rows])

    def keys(column: str) -> pd.Series:
        if column == "cause":
            return causes(reason)
        if column == "domain":
            return recipient_domain(deliveries["recipient"].iloc[rows])
        if column == "hour":
            return time.dt.floor("h")
        return deliveries[column].iloc[rows]

    return {
        name: _group(column, keys(column), message, time, reason)
        for name, column in requested.items()
    }


def _empty_group(column: str) -> pd.DataFrame:
    return pd.DataFrame(
        columns=[
            column,
            "deferrals",
            "messages",
            "first_seen",
            "last_seen",
            "example",
            "example_deferrals",
        ]
    )


def _group(
    column: str,
    keys: pd.Series,
    message: np.ndarray,
    time: pd.Series,
    reason: pd.Series,
) -> pd.DataFrame:
    """Aggregate deferred rows per distinct key, missing keys included.

    ``message`` contains the message number of each row (-1 for none). Groups come
    in order of first appearance before the sort, as ``groupby(sort=False)``
    gives them, so that rows with equal counts keep the same order.
    """
    group, uniques = pd.factorize(keys, use_na_sentinel=False)
    count = len(uniques)
    example, example_deferrals = _most_frequent_per_group(group, reason, count)
    frame = pd.DataFrame(
        {
            "deferrals": np.bincount(group, minlength=count),
            "messages": _distinct_per_group(group, message, count),
            "first_seen": _time_per_group(group, time, count, np.minimum),
            "last_seen": _time_per_group(group, time, count, np.maximum),
            "example": reason.array.take(example, allow_fill=True),
            "example_deferrals": example_deferrals,
        },
        index=_group_index(uniques, column),
    ).sort_values("deferrals", ascending=False)
    return frame.reset_index()


def _group_index(uniques: pd.Index | np.ndarray, name: str) -> pd.Index:
    """Return the distinct keys as the index that ``groupby`` would give them."""
    index = pd.Index(uniques, name=name)
    if index.dtype == object:
        # groupby infers the dtype of object keys: plain strings give a "str" index.
        index = pd.Index(index.to_list(), name=name)
    return index


def _distinct_per_group(
    group: np.ndarray, values: np.ndarray, count: int
) -> np.ndarray:
    """Count the distinct non-negative ``values`` of each group."""
    present = values >= 0
    width = int(values.max(initial=0)) + 1
    pairs = pd.unique(group[present].astype(np.int64) * width + values[present])
    return np.bincount(pairs // width, minlength=count)


def _time_per_group(
    group: np.ndarray, time: pd.Series, count: int, pick: np.ufunc
) -> pd.arrays.DatetimeArray:
    """Return the earliest (``np.minimum``) or latest (``np.maximum``) group times.

    Missing times are skipped, and a group without any gets NaT, as ``min`` and
    ``max`` of a groupby do.
    """
    stamps = time.dt
    ticks = np.asarray(time.array.asi8)
    valid = ~np.asarray(time.isna())
    start = NAT_TICKS if pick is np.maximum else np.iinfo(np.int64).max
    result = np.full(count, start, dtype=np.int64)
    pick.at(result, group[valid], ticks[valid])
    result[result == np.iinfo(np.int64).max] = NAT_TICKS
    instants = pd.DatetimeIndex(result.view(f"datetime64[{stamps.unit}]"))
    if stamps.tz is not None:
        instants = instants.tz_localize("UTC").tz_convert(stamps.tz)
    return instants.array


def _most_frequent_per_group(
    group: np.ndarray, values: pd.Series, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Find the most frequent non-missing value of each group, the first one to
    appear among equals. Return its first row (-1 for a group without values)
    and how many rows of the group have it (0 then)."""
    rows = np.flatnonzero(np.asarray(values.notna(), dtype=bool))
    example = np.full(count, -1, dtype=np.int64)
    frequency = np.zeros(count, dtype=np.int64)
    if len(rows) == 0:
        return example, frequency
    codes, uniques = pd.factorize(values.iloc[rows])
    pairs = group[rows].astype(np.int64) * len(uniques) + codes
    distinct, first, counts = np.unique(pairs, return_index=True, return_counts=True)
    owner = distinct // len(uniques)
    # Per group: the highest count first, then the earliest row.
    order = np.lexsort((first, -counts, owner))
    leading = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    example[owner[leading]] = rows[first[leading]]
    frequency[owner[leading]] = counts[leading]
    return example, frequency


def delivery_delays(
    messages: pd.DataFrame, deliveries: pd.DataFrame
) -> dict[str, float]:
    """Percentiles of the time from submission to final delivery, in seconds."""
    sent = deliveries[deliveries["status"] == "sent"]
    final = sent.groupby("message_key")["time"].max()
    first = messages["first_seen"].reindex(final.index)
    seconds = (final - first).dt.total_seconds().dropna()
    if seconds.empty:
        return {}
    quantiles = seconds.quantile([0.5, 0.9, 0.99, 1.0])
    return {
        "p50": float(quantiles.iloc[0]),
        "p90": float(quantiles.iloc[1]),
        "p99": float(quantiles.iloc[2]),
        "max": float(quantiles.iloc[3]),
    }


def attempts_per_message(messages: pd.DataFrame) -> pd.Series:
    return messages["attempts"].value_counts().sort_index()


def stuck_messages(messages: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Messages whose last state is deferred or held, with their age at ``now``."""
    stuck = messages[
        messages["final_state"].isin(["deferred", "held", "partial"])
    ].copy()
    stuck["age"] = now - stuck["first_seen"]
    return stuck.sort_values("age", ascending=False)


def qshape(queue: pd.DataFrame, now: pd.Timestamp) -> pd.DataFrame:
    """Rebuild qshape's table: messages per recipient domain and age bucket.

    As in Postfix's qshape, each column is named by the age in minutes that its
    messages are younger than ("5" for 0 to 5 minutes), and the last, "1280+",
    has no limit. qshape counts each recipient of a message once per domain, and
    so does this. Ages count to each row's ``listing_time``, or to ``now``
    without one.
    """
    labels = [str(b) for b in AGE_BUCKETS_MINUTES[1:]] + [f"{AGE_BUCKETS_MINUTES[-1]}+"]
    if queue.empty:
        return pd.DataFrame(columns=["T", *labels])
    listed = np.asarray(queue["recipient"].notna(), dtype=bool)
    columns = ["queue_id", "recipient", "arrival_time"]
    # Two hosts may use the same queue ID: a message is a host and a queue ID.
    key = ["host", "queue_id"] if "host" in queue else ["queue_id"]
    columns += [name for name in ("host", "listing_time") if name in queue]
    frame = queue.loc[listed, columns]
    domain = recipient_domain(frame["recipient"])
    # qshape keeps an address without "@" (a local name from maildrop) whole.
    bare = (domain == "").to_numpy(dtype=bool)
    domain[bare] = frame["recipient"][bare].astype(str).str.lower()
    frame["domain"] = domain
    frame = frame.drop_duplicates([*key, "domain"])
    reference = frame["listing_time"].fillna(now) if "listing_time" in frame else now
    age = (reference - frame["arrival_time"]).dt.total_seconds() / 60
    bucket = pd.cut(
        age.clip(lower=0),
        bins=[*AGE_BUCKETS_MINUTES, float("inf")],
        right=False,
        labels=labels,
    )
    table = pd.crosstab(frame["domain"], bucket).reindex(columns=labels, fill_value=0)
    table.insert(0, "T", table.sum(axis=1))
    table = table.sort_values("T", ascending=False)
    table.columns.name = None
    table.index.name = None
    total = table.sum().to_frame().T
    total.index = ["TOTAL"]
    return pd.concat([total, table])


@dataclass
class Reconciled:
    """One total as mailbundle counts it, and the named rules that make pflogsumm's."""

    name: str
    ours: int
    differences: list[tuple[str, int]]
    """(rule, amount) pairs; pflogsumm's total is ``ours`` plus every amount."""

    @property
    def pflogsumm(self) -> int:
        return self.ours + sum(amount for _, amount in self.differences)


RECONCILE_RULES = {
    "content_filter": "each delivery to a content filter counts as delivered",
    "reinjected": "each copy re-injected by a content filter counts as received again",
    "other_service": "clients of services other than smtps and submission are not counted",
    "other_instance": "instances other than postfix (postfix-out/...) are not read",
    "reused_queue_id": "a queue ID reused by a later message counts once",
    "smtpd_milter_reject": "milter-reject records of smtpd are not counted",
    "malformed_reject": 'any line with "reject:" counts, even one no rule recognizes',
    "soft_bounce": "status=SOFTBOUNCE records (soft_bounce = yes) are not counted",
}
"""pflogsumm 1.1.5 behaviours that make its totals differ from mailbundle's."""


def reconcile(
    events: pd.DataFrame, messages: pd.DataFrame, deliveries: pd.DataFrame
) -> list[Reconciled]:
    """Explain, rule by rule, how pflogsumm's totals follow from mailbundle's."""
    ours = message_totals(events, messages, deliveries)
    facts = _facts(events)
    own, plain, client = facts["own"], facts["plain"] & facts["own"], facts["client"]
    pickup = _is(events["kind"], "pickup")
    is_original = np.asarray(messages["origin"].isin(["local", "smtp"]), dtype=bool)
    original = _per_event(is_original, events["message_key"], messages.index)
    own_service = np.asarray(events["service"].isna(), dtype=bool) | _is(
        events["service"], "smtps", "submission"
    )
    received = [
        ("reinjected", int((client & plain & ~original).sum())),
        ("other_service", -int((client & own & ~own_service & original).sum())),
        ("other_instance", -int(((client | pickup) & ~own & original).sum())),
    ]
    handoff = _handoff_deliveries(deliveries, messages)
    foreign = ~own[deliveries["event"].to_numpy(dtype=np.int64)]
    status = deliveries["status"]
    sent = _is(status, "sent")
    sent = sent & ~_contains(deliveries["reason"], "forwarded as ", sent)
    delivered = [
        ("content_filter", int((handoff & ~foreign).sum())),
        ("other_instance", -int((sent & ~handoff & foreign).sum())),
    ]
    is_deferred = _is(status, "deferred") & ~handoff
    deferred_rows = deliveries.loc[is_deferred, ["message_key", "queue_id"]]
    by_key = deferred_rows.groupby("message_key")["queue_id"].first()
    foreign_keys = deliveries.loc[is_deferred & foreign, "message_key"]
    # Messages whose only deferrals are SOFTBOUNCE records.
    any_deferral = deliveries.loc[_is(status, *DEFERRED) & ~handoff, "message_key"]
    soft_only = int(any_deferral.nunique()) - len(by_key)
    deferred = [
        ("other_instance", -int(foreign_keys.nunique())),
        ("soft_bounce", -soft_only),
        ("reused_queue_id", -(len(by_key) - int(by_key.nunique()))),
    ]
    rejected = [
        (
            "smtpd_milter_reject",
            -int((own & facts["reject"] & facts["milter"] & ~facts["cleanup"]).sum()),
        ),
        ("other_instance", -int((~own & facts["reject"]).sum())),
        ("malformed_reject", int((own & facts["malformed"]).sum())),
    ]
    bounced = [("other_instance", -int((_is(status, "bounced") & foreign).sum()))]
    return [
        Reconciled("received", ours.received, _nonzero(received)),
        Reconciled("delivered", ours.delivered_recipients, _nonzero(delivered)),
        Reconciled("deferred", ours.deferred_messages, _nonzero(deferred)),
        Reconciled("bounced", ours.bounced_recipients, _nonzero(bounced)),
        Reconciled("rejected", ours.rejected, _nonzero(rejected)),
    ]


def _per_event(
    per_message: np.ndarray, message_key: pd.Series, keys: pd.Index
) -> np.ndarray:
    """Spread a boolean per message (in ``keys`` order) over the events.

    Each distinct key is looked up once. Events of no known message get False.
    """
    codes, distinct = pd.factorize(message_key)
    position = np.append(keys.get_indexer(distinct), -1)[codes]
    return np.asarray(np.append(per_message, False)[position], dtype=bool)


def _nonzero(pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(rule, amount) for rule, amount in pairs if amount]
