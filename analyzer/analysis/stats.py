"""Totals, traffic and deferral statistics.

Two sets of totals are kept. ``pflogsumm_totals`` follows pflogsumm 1.1.5's
definitions line by line, so an admin can check them against the tool they trust:
``received`` counts smtpd ``client=`` and pickup records, ``delivered`` and
``bounced`` count recipient records, ``deferred`` counts queue IDs with a deferral
and ``rejected`` counts reject records. ``message_totals`` counts messages as
rebuilt here: a message passed through a content filter and re-queued counts
once, by the outcome of its last copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analyzer.analysis.reasons import causes

AGE_BUCKETS_MINUTES = (0, 5, 10, 20, 40, 80, 160, 320, 640, 1280)
"""Queue age bucket starts, as qshape prints them (the last one is open-ended)."""


def recipient_domain(addresses: pd.Series) -> pd.Series:
    """Return the lower-cased domain of each address ("" when it has none)."""
    domain = addresses.astype("string").str.rsplit("@", n=1).str[-1].str.lower()
    has_at = addresses.astype("string").str.contains("@", regex=False).fillna(False)
    return domain.where(has_at, "")


def _is(values: pd.Series, *names: str) -> np.ndarray:
    """Rows whose (categorical or string) value is one of ``names``; no copies."""
    return np.asarray(values.isin(names), dtype=bool)


def _text_matches(events: pd.DataFrame, rows: np.ndarray, pattern: str) -> np.ndarray:
    """Search ``pattern`` in the text of the selected rows only."""
    result = np.zeros(len(events), dtype=bool)
    where = np.flatnonzero(rows)
    if len(where):
        found = events["text"].iloc[where].str.contains(pattern, regex=True)
        result[where] = found.fillna(False).to_numpy(dtype=bool)
    return result


def _facts(events: pd.DataFrame) -> dict[str, np.ndarray]:
    """Masks over events that the totals share: instance, service, kinds, texts."""
    own = _is(events["instance"], "postfix")
    service = events["service"]
    plain = own & (
        np.asarray(service.isna(), dtype=bool) | _is(service, "smtps", "submission")
    )
    kind = events["kind"]
    reject = _is(kind, "reject")
    unknown = _is(kind, "unknown")
    return {
        "own": own,
        "plain": plain,
        "reject": reject,
        "client": _is(kind, "client") & _is(events["daemon"], "smtpd", "postscreen"),
        "pickup": _is(kind, "pickup") & _is(events["daemon"], "pickup"),
        "cleanup": _is(events["daemon"], "cleanup"),
        "milter": _text_matches(events, reject, r"^(?:\S+: )?milter-reject: "),
        # pflogsumm counts any smtpd line with "reject:", shapes no rule knows included.
        "malformed": _text_matches(events, unknown, r"\breject: "),
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
    deliveries = deliveries[mine]
    status = deliveries["status"]
    forwarded = status.eq("sent") & deliveries["reason"].fillna("").str.contains(
        "forwarded as "
    )
    deferred_ids = deliveries.loc[status.eq("deferred"), "queue_id"]
    return {
        "received": received,
        "delivered": int((status.eq("sent") & ~forwarded).sum()),
        "forwarded": int(forwarded.sum()),
        "deferred": int(deferred_ids.nunique()),
        "deferrals": int(status.eq("deferred").sum()),
        "bounced": int(status.eq("bounced").sum()),
        "rejected": int(
            (own & facts["reject"] & ~(facts["milter"] & ~facts["cleanup"])).sum()
            + (own & facts["malformed"]).sum()
        ),
        "reject_warnings": int((own & _is(events["kind"], "reject_warning")).sum()),
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
    held: int = 0
    discarded: int = 0
    bytes_received: int = 0
    senders: int = 0
    recipients: int = 0
    states: dict[str, int] = field(default_factory=dict)
    """Messages per final state, hand-off copies not counted."""


def message_totals(
    events: pd.DataFrame, messages: pd.DataFrame, deliveries: pd.DataFrame
) -> Totals:
    counted = messages[messages["final_state"] != "handed_off"]
    originals = messages[messages["origin"].isin(["local", "smtp"])]
    to_filter = _handoff_deliveries(deliveries, messages)
    real = deliveries[~to_filter]
    status = real["status"]
    forwarded = status.eq("sent") & real["reason"].fillna("").str.contains(
        "forwarded as "
    )
    kind = events["kind"]
    return Totals(
        messages=len(counted),
        received=len(originals),
        delivered_recipients=int((status.eq("sent") & ~forwarded).sum()),
        forwarded=int(forwarded.sum()),
        deferred_messages=int(real.loc[status.eq("deferred"), "message_key"].nunique()),
        deferrals=int(status.eq("deferred").sum()),
        bounced_recipients=int(status.eq("bounced").sum()),
        rejected=int(_is(kind, "reject").sum()),
        held=int(_is(kind, "hold", "held").sum()),
        discarded=int(_is(kind, "discard").sum()),
        bytes_received=int(originals["size"].fillna(0).sum()),
        senders=int(originals["sender"].dropna().nunique()),
        recipients=int(real["recipient"].dropna().nunique()),
        states={
            str(k): int(v) for k, v in counted["final_state"].value_counts().items()
        },
    )


def _handoff_deliveries(deliveries: pd.DataFrame, messages: pd.DataFrame) -> pd.Series:
    """True for deliveries that handed a message to a content filter."""
    children = messages["parent_key"].notna() & messages["link"].eq("handoff")
    parents = set(messages.loc[children, "parent_key"])
    reason = deliveries["reason"].fillna("")
    return (
        deliveries["message_key"].isin(parents)
        & deliveries["status"].eq("sent")
        & reason.str.contains("queued as ")
    ).fillna(False)


def traffic(
    events: pd.DataFrame, deliveries: pd.DataFrame, freq: str, zone: str = "UTC"
) -> pd.DataFrame:
    """Count received, delivered, deferred, bounced and rejected per period."""
    kind = events["kind"]
    series = {
        "received": events.loc[_is(kind, "pickup", "client"), "time"],
        "delivered": deliveries.loc[deliveries["status"] == "sent", "time"],
        "deferred": deliveries.loc[deliveries["status"] == "deferred", "time"],
        "bounced": deliveries.loc[deliveries["status"] == "bounced", "time"],
        "rejected": events.loc[_is(kind, "reject"), "time"],
    }
    counts = {
        name: values.dropna().dt.tz_convert(zone).dt.floor(freq).value_counts()
        for name, values in series.items()
    }
    frame = pd.DataFrame(counts).fillna(0).astype(int).sort_index()
    frame.index.name = "period"
    return frame


def deferral_stats(deliveries: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Group deferred attempts by normalized reason, DSN class, relay, domain, host, hour."""
    deferred = deliveries[deliveries["status"] == "deferred"].copy()
    deferred["cause"] = causes(deferred["reason"])
    deferred["domain"] = recipient_domain(deferred["recipient"])
    deferred["hour"] = deferred["time"].dt.floor("h")
    result: dict[str, pd.DataFrame] = {}
    for name, column in (
        ("by_reason", "reason_normalized"),
        ("by_cause", "cause"),
        ("by_dsn", "dsn"),
        ("by_relay", "relay"),
        ("by_domain", "domain"),
        ("by_host", "host"),
        ("by_hour", "hour"),
    ):
        result[name] = _group(deferred, column)
    return result


def _group(deferred: pd.DataFrame, column: str) -> pd.DataFrame:
    if deferred.empty:
        return pd.DataFrame(
            columns=[
                column,
                "deferrals",
                "messages",
                "first_seen",
                "last_seen",
                "example",
            ]
        )
    grouped = deferred.groupby(column, dropna=False, sort=False)
    frame = pd.DataFrame(
        {
            "deferrals": grouped.size(),
            "messages": grouped["message_key"].nunique(),
            "first_seen": grouped["time"].min(),
            "last_seen": grouped["time"].max(),
            "example": grouped["reason"].first(),
        }
    ).sort_values("deferrals", ascending=False)
    return frame.reset_index()


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

    qshape counts each recipient of a message once per domain; so does this.
    """
    columns = ["T"] + [str(b) for b in AGE_BUCKETS_MINUTES]
    if queue.empty:
        return pd.DataFrame(columns=columns)
    frame = queue.dropna(subset=["recipient"]).copy()
    frame["domain"] = recipient_domain(frame["recipient"])
    frame = frame.drop_duplicates(["queue_id", "domain"])
    age = (now - frame["arrival_time"]).dt.total_seconds() / 60
    bucket = pd.cut(
        age.clip(lower=0),
        bins=[*AGE_BUCKETS_MINUTES, float("inf")],
        right=False,
        labels=[str(b) for b in AGE_BUCKETS_MINUTES],
    )
    table = pd.crosstab(frame["domain"], bucket).reindex(
        columns=[str(b) for b in AGE_BUCKETS_MINUTES], fill_value=0
    )
    table.insert(0, "T", table.sum(axis=1))
    table = table.sort_values("T", ascending=False)
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
    owner = messages["origin"].reindex(events["message_key"])
    original = owner.isin(["local", "smtp"]).to_numpy(dtype=bool)
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
    sent = deliveries["status"].eq("sent") & ~deliveries["reason"].fillna(
        ""
    ).str.contains("forwarded as ")
    delivered = [
        ("content_filter", int((handoff & ~foreign).sum())),
        ("other_instance", -int((sent & ~handoff & foreign).sum())),
    ]
    is_deferred = (deliveries["status"].eq("deferred") & ~handoff).to_numpy(dtype=bool)
    deferred_rows = deliveries[is_deferred]
    by_key = deferred_rows.groupby("message_key")["queue_id"].first()
    foreign_keys = deliveries.loc[is_deferred & foreign, "message_key"]
    deferred = [
        ("other_instance", -int(foreign_keys.nunique())),
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
    bounced = [
        ("other_instance", -int((deliveries["status"].eq("bounced") & foreign).sum()))
    ]
    return [
        Reconciled("received", ours.received, _nonzero(received)),
        Reconciled("delivered", ours.delivered_recipients, _nonzero(delivered)),
        Reconciled("deferred", ours.deferred_messages, _nonzero(deferred)),
        Reconciled("bounced", ours.bounced_recipients, _nonzero(bounced)),
        Reconciled("rejected", ours.rejected, _nonzero(rejected)),
    ]


def _nonzero(pairs: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return [(rule, amount) for rule, amount in pairs if amount]
