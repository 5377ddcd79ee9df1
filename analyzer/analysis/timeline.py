"""Rebuild message lifetimes, delivery attempts, links and final states.

A message is one life of a queue ID on one host and Postfix instance. Short queue
IDs are reused: after ``removed`` (or ``postsuper`` deleting it) the same ID can
name a new message, and so can a second ``pickup``/``client=`` record. Lines of
the smtp and lmtp clients that carry no queue ID (warnings, ``connect to``
failures, TLS records) belong to the next message that process logs, as
Postfix's own ``collate`` tool groups them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from analyzer.analysis.frames import fields_frame, split_peer, to_float
from analyzer.analysis.reasons import normalize_reasons

BIRTH_KINDS = ("pickup", "client")
END_KINDS = ("removed", "deleted")
DELIVERY_AGENTS = ("smtp", "lmtp")

ATTACH_WINDOW = pd.Timedelta(minutes=10)
"""Longest time between an unkeyed smtp line and the message it is attached to."""

HANDOFF_WINDOW = pd.Timedelta(minutes=30)
"""Longest time between a hand-off and the first record of the new queue ID."""

STATUS_STATES = {
    "sent": "delivered",
    "bounced": "bounced",
    "deferred": "deferred",
    "expired": "expired",
    "deliverable": "delivered",
    "undeliverable": "bounced",
    "SOFTBOUNCE": "deferred",
}

FINAL_STATES = (
    "delivered", "deferred", "bounced", "expired", "deleted", "held", "rejected",
    "partial", "handed_off", "unknown",
)  # fmt: skip


@dataclass
class Timeline:
    """The frames rebuilt from one bundle's events."""

    events: pd.DataFrame
    messages: pd.DataFrame
    deliveries: pd.DataFrame
    recipients: pd.DataFrame


def build_timeline(events: pd.DataFrame, fields: dict[str, pa.Table]) -> Timeline:
    """Rebuild messages and deliveries from time-ordered ``events``."""
    events = events.copy()
    events["message_key"] = _message_keys(events)
    _attach_agent_lines(events)
    deliveries = _deliveries(events, fields.get("delivery"))
    messages = _messages(events, fields)
    recipients = _recipient_states(deliveries)
    links = _links(events, messages, deliveries, fields)
    _apply_links(messages, recipients, links)
    _infer_bulk_deletions(messages, events, fields)
    _final_states(messages, recipients, events)
    return Timeline(events, messages, deliveries, recipients)


# Keys


def _message_keys(events: pd.DataFrame) -> pd.Series:
    has_qid = events["queue_id"].notna() & (events["queue_id"] != "NOQUEUE")
    rows = events.loc[has_qid, ["host", "instance", "queue_id", "kind"]].copy()
    keys = ["host", "instance", "queue_id"]
    for column in ("host", "instance"):
        rows[column] = rows[column].astype(str)
    rows["end"] = rows["kind"].isin(END_KINDS)
    rows["birth"] = rows["kind"].isin(BIRTH_KINDS)
    grouped = rows.groupby(keys, sort=False)
    previous_end = grouped["end"].shift(1, fill_value=False).astype(bool)
    life_by_end = previous_end.groupby([rows[k] for k in keys], sort=False).cumsum()
    births = (
        rows["birth"]
        .groupby([rows[k] for k in keys] + [life_by_end], sort=False)
        .cumsum()
    )
    new_life = previous_end | (rows["birth"] & (births >= 2))
    life = new_life.groupby([rows[k] for k in keys], sort=False).cumsum()
    rows["life"] = life.astype(int)
    unique = rows[keys + ["life"]].drop_duplicates()
    labels = (
        unique["host"]
        + ":"
        + np.where(unique["instance"] == "postfix", "", unique["instance"] + ":")
        + unique["queue_id"]
        + np.where(unique["life"] > 0, "#" + (unique["life"] + 1).astype(str), "")
    )
    unique = unique.assign(message_key=labels.to_numpy())
    keyed = rows[keys + ["life"]].merge(unique, on=keys + ["life"], how="left")
    result = pd.Series(pd.NA, index=events.index, dtype="object")
    result[has_qid.to_numpy()] = keyed["message_key"].to_numpy()
    return result.astype("string")


def _attach_agent_lines(events: pd.DataFrame) -> None:
    """Give unkeyed smtp/lmtp lines the key of their process's next message."""
    agent = events["daemon"].isin(DELIVERY_AGENTS) & events["pid"].notna()
    if not agent.any():
        return
    sub = events.loc[agent, ["host", "pid", "message_key", "time"]].copy()
    sub["host"] = sub["host"].astype(str)
    sub["keyed_time"] = sub["time"].where(sub["message_key"].notna())
    sub = sub.sort_values(["host", "pid"], kind="stable")
    grouped = sub.groupby(["host", "pid"], sort=False)
    next_key = grouped["message_key"].bfill()
    next_time = grouped["keyed_time"].bfill()
    attach = (
        sub["message_key"].isna()
        & next_key.notna()
        & ((next_time - sub["time"]) <= ATTACH_WINDOW)
    )
    events.loc[attach[attach].index, "message_key"] = next_key[attach]


# Deliveries

DELIVERY_COLUMNS = [
    "message_key", "queue_id", "host", "recipient", "orig_recipient", "time",
    "daemon", "relay", "relay_host", "relay_ip", "relay_port", "conn_use", "delay",
    "delay_before_queue", "delay_in_queue", "delay_connect", "delay_transmit",
    "dsn", "dsn_class", "status", "reason", "reason_normalized", "attempt",
    "source", "line_no",
]  # fmt: skip


def _deliveries(events: pd.DataFrame, table: pa.Table | None) -> pd.DataFrame:
    names = ["recipient", "orig_recipient", "relay", "conn_use", "delay", "delays",
             "dsn", "status", "reply"]  # fmt: skip
    fields = fields_frame(table, names)
    context = events.loc[
        fields.index,
        ["message_key", "queue_id", "host", "time", "daemon", "source", "line_no"],
    ]
    frame = fields.join(context)
    frame["host"] = frame["host"].astype(str)
    frame["daemon"] = frame["daemon"].astype(str)
    frame["source"] = frame["source"].astype(str)
    delays = frame["delays"].astype("string").str.split("/", expand=True)
    for position, name in enumerate(
        ["delay_before_queue", "delay_in_queue", "delay_connect", "delay_transmit"]
    ):
        frame[name] = to_float(delays[position]) if position in delays else np.nan
    frame["delay"] = to_float(frame["delay"])
    frame["conn_use"] = pd.to_numeric(frame["conn_use"], errors="coerce").astype(
        "Int64"
    )
    peers = split_peer(frame["relay"].astype("string"))
    frame["relay_host"] = peers["name"].to_numpy()
    frame["relay_ip"] = peers["ip"].to_numpy()
    frame["relay_port"] = peers["port"].to_numpy()
    frame["reason"] = frame["reply"]
    frame["reason_normalized"] = normalize_reasons(frame["reply"].astype("string"))
    frame["dsn_class"] = (
        frame["dsn"]
        .astype("string")
        .str[0]
        .map({"2": "success", "4": "temporary", "5": "permanent"})
    )
    frame["attempt"] = (
        frame.groupby(["message_key", "recipient"], sort=False, dropna=False).cumcount()
        + 1
    )
    frame = frame.reset_index()
    for column in ("recipient", "orig_recipient", "relay", "dsn", "status", "reason",
                   "queue_id", "message_key", "relay_host", "relay_ip"):  # fmt: skip
        frame[column] = frame[column].astype("string")
    return frame[["event", *DELIVERY_COLUMNS]]


# Messages

MESSAGE_COLUMNS = [
    "message_key", "host", "instance", "queue_id", "message_id", "sender", "size",
    "nrcpt", "client", "client_ip", "origin", "first_seen", "last_seen",
    "started_in_log", "ended_in_log", "final_state", "parent_key", "child_keys",
    "recipient_count", "delivered", "deferred", "bounced", "attempts",
]  # fmt: skip


def _messages(events: pd.DataFrame, fields: dict[str, pa.Table]) -> pd.DataFrame:
    keyed = events[events["message_key"].notna() & events["queue_id"].notna()]
    grouped = keyed.groupby("message_key", sort=False)
    messages = pd.DataFrame(
        {
            "host": grouped["host"].first().astype(str),
            "instance": grouped["instance"].first().astype(str),
            "queue_id": grouped["queue_id"].first(),
            "first_seen": grouped["time"].min(),
            "last_seen": grouped["time"].max(),
        }
    )
    kinds = (
        keyed.groupby(["message_key", "kind"], observed=True, sort=False)
        .size()
        .unstack(fill_value=0)
    )
    kinds = kinds.reindex(messages.index, fill_value=0)

    def has(kind: str) -> pd.Series:
        return (
            kinds[kind] > 0 if kind in kinds else pd.Series(False, index=messages.index)
        )

    queued = _field_by_message(events, fields, "queued", ["sender", "size", "nrcpt"])
    pickup = _field_by_message(events, fields, "pickup", ["sender", "uid"])
    client = _field_by_message(
        events, fields, "client", ["client", "client_ip", "orig_queue_id"]
    )
    ids = _field_by_message(events, fields, "message_id", ["message_id"])
    messages["message_id"] = ids["message_id"].reindex(messages.index)
    sender = queued["sender"].reindex(messages.index)
    messages["sender"] = sender.fillna(pickup["sender"].reindex(messages.index))
    messages["size"] = pd.to_numeric(queued["size"].reindex(messages.index)).astype(
        "Int64"
    )
    messages["nrcpt"] = pd.to_numeric(queued["nrcpt"].reindex(messages.index)).astype(
        "Int64"
    )
    messages["client"] = client["client"].reindex(messages.index)
    messages["client_ip"] = client["client_ip"].reindex(messages.index)
    messages["orig_queue_id"] = client["orig_queue_id"].reindex(messages.index)
    messages["origin"] = np.select(
        [has("pickup"), has("client")], ["local", "smtp"], default=None
    )
    messages["started_in_log"] = has("pickup") | has("client") | has("message_id")
    messages["ended_in_log"] = has("removed") | has("deleted")
    for kind in ("deleted", "expired", "reject", "discard", "hold", "held", "released"):
        messages[f"has_{kind}"] = has(kind)
    messages["deletion_inferred"] = False
    messages["parent_key"] = pd.Series(pd.NA, index=messages.index, dtype="string")
    messages["link"] = pd.Series(pd.NA, index=messages.index, dtype="string")
    messages.index.name = "message_key"
    return messages


def _field_by_message(
    events: pd.DataFrame, fields: dict[str, pa.Table], kind: str, columns: list[str]
) -> pd.DataFrame:
    frame = fields_frame(fields.get(kind), columns)
    frame = frame.join(events["message_key"])
    frame = frame[frame["message_key"].notna()]
    return frame.groupby("message_key", sort=False)[columns].first()


# Recipients and states


def _recipient_states(deliveries: pd.DataFrame) -> pd.DataFrame:
    grouped = deliveries.groupby(["message_key", "recipient"], sort=False, dropna=False)
    last = grouped.tail(1).set_index(["message_key", "recipient"])
    recipients = pd.DataFrame(
        {
            "orig_recipient": last["orig_recipient"],
            "attempts": grouped.size(),
            "first_attempt": grouped["time"].min(),
            "last_attempt": last["time"],
            "last_status": last["status"],
            "last_dsn": last["dsn"],
            "last_reason": last["reason"],
            "relay": last["relay"],
        }
    )
    states = last["status"].map(STATUS_STATES).fillna("unknown")
    recipients["final_state"] = states.astype("object")
    recipients["child_key"] = pd.Series(pd.NA, index=recipients.index, dtype="string")
    return recipients


@dataclass
class _Link:
    parent: str
    child: str
    via: str
    """"notification", "queued_as", "forwarded_as" or "orig_queue_id"."""
    recipient: str | None = None


def _links(
    events: pd.DataFrame,
    messages: pd.DataFrame,
    deliveries: pd.DataFrame,
    fields: dict[str, pa.Table],
) -> list[_Link]:
    candidates = messages.reset_index()[["message_key", "host", "instance", "queue_id",
                                         "first_seen", "client_ip"]]  # fmt: skip
    links: list[_Link] = []
    notices = fields_frame(fields.get("notification"), ["notice", "child_queue_id"])
    if len(notices):
        notices = notices.join(events[["message_key", "host", "instance", "time"]])
        notices["host"] = notices["host"].astype(str)
        notices["instance"] = notices["instance"].astype(str)
        for parent, child, notice in _match_children(
            notices.rename(columns={"child_queue_id": "new_id"}), candidates, "notice"
        ):
            links.append(_Link(parent, child, "notification:" + str(notice)))
    sent = deliveries[deliveries["status"] == "sent"]
    if len(sent):
        found = sent["reason"].str.extract(
            r"(?P<how>queued as|forwarded as) (?P<new_id>[0-9A-Za-z]+)"
        )
        handed = sent.assign(**found)[found["new_id"].notna()].copy()
        handed["instance"] = (
            events.loc[handed["event"], "instance"].astype(str).to_numpy()
        )
        local = (_is_local_relay(handed) | (handed["how"] == "forwarded as")).set_axis(
            handed["event"].to_numpy()
        )
        for parent, child, recipient in _match_children(
            handed, candidates, "recipient", require_local=local
        ):
            links.append(_Link(parent, child, "handoff", recipient))
    return links


def _is_local_relay(handed: pd.DataFrame) -> pd.Series:
    ip = handed["relay_ip"].fillna("")
    host = handed["relay_host"].fillna("")
    return (
        ip.str.startswith("127.")
        | (ip == "::1")
        | (host == "localhost")
        | handed["relay_ip"].isna()
    )


def _match_children(
    sources: pd.DataFrame,
    candidates: pd.DataFrame,
    label: str,
    require_local: pd.Series | None = None,
) -> list[tuple[str, str, object]]:
    """Pair each source row with the first message of ``new_id`` that follows it."""
    merged = sources.reset_index().merge(
        candidates,
        left_on=["host", "instance", "new_id"],
        right_on=["host", "instance", "queue_id"],
        suffixes=("", "_child"),
    )
    if merged.empty:
        return []
    lag = merged["first_seen"] - merged["time"]
    close = (lag >= pd.Timedelta(seconds=-1)) & (lag <= HANDOFF_WINDOW)
    if require_local is not None:
        local_child = merged["client_ip"].fillna("").str.match(r"^(127\.|::1$)")
        allowed = require_local.reindex(merged["event"].to_numpy()).fillna(False).to_numpy(dtype=bool)
        close &= allowed | local_child.to_numpy()
    merged = merged[close & (merged["message_key"] != merged["message_key_child"])]
    merged = merged.sort_values("first_seen").drop_duplicates("event")
    return list(
        zip(
            merged["message_key"],
            merged["message_key_child"],
            merged[label],
            strict=True,
        )
    )


def _apply_links(
    messages: pd.DataFrame, recipients: pd.DataFrame, links: list[_Link]
) -> None:
    children: dict[str, list[str]] = {}
    for link in links:
        if link.child not in messages.index:
            continue
        messages.loc[link.child, "parent_key"] = link.parent
        messages.loc[link.child, "link"] = link.via
        children.setdefault(link.parent, []).append(link.child)
        if (
            link.recipient is not None
            and (link.parent, link.recipient) in recipients.index
        ):
            recipients.loc[(link.parent, link.recipient), "final_state"] = "handed_off"
            recipients.loc[(link.parent, link.recipient), "child_key"] = link.child
    messages["child_keys"] = [children.get(key, []) for key in messages.index]
    is_notice = messages["link"].fillna("").str.startswith("notification:")
    messages.loc[is_notice, "origin"] = (
        messages.loc[is_notice, "link"]
        .str.removeprefix("notification:")
        .str.replace(" ", "_")
        + "_notice"
    )
    handed = messages["link"] == "handoff"
    messages.loc[handed.fillna(False), "origin"] = "handoff"


def _infer_bulk_deletions(
    messages: pd.DataFrame, events: pd.DataFrame, fields: dict[str, pa.Table]
) -> None:
    """Mark messages deleted by ``postsuper -d ALL``, which logs only a count.

    Postfix 3.7 logs "QID: removed" when postsuper deletes by queue ID, but only
    "Deleted: N messages" for ``-d ALL``. The messages then in the queue (seen
    before, not ended, never seen after) are the deleted ones, as long as there are
    no more of them than N; otherwise which ones went is unknown and none is marked.
    """
    summaries = fields_frame(fields.get("postsuper_summary"), ["action", "count"])
    summaries = summaries[summaries["action"] == "Deleted"]
    if summaries.empty:
        return
    messages["deletion_inferred"] = False
    logged = events[events["kind"] == "deleted"]
    for event, row in summaries.join(events[["host", "instance", "pid", "time"]]).iterrows():
        by_id = int(((logged["pid"] == row["pid"]) & (logged["host"] == row["host"])).sum())
        remaining = int(row["count"]) - by_id
        pending = messages[
            (messages["host"] == str(row["host"]))
            & (messages["instance"] == str(row["instance"]))
            & ~messages["ended_in_log"]
            & ~messages["has_deleted"]
            & (messages["first_seen"] <= row["time"])
            & (messages["last_seen"] <= row["time"])
        ]
        if 0 < len(pending) <= remaining:
            messages.loc[pending.index, ["has_deleted", "ended_in_log", "deletion_inferred"]] = True


def _final_states(
    messages: pd.DataFrame, recipients: pd.DataFrame, events: pd.DataFrame
) -> None:
    """Settle each recipient's and each message's final state."""
    if len(recipients):
        owner = recipients.index.get_level_values("message_key")
        pending = recipients["final_state"] == "deferred"
        for flag, state in (("has_expired", "expired"), ("has_deleted", "deleted")):
            marked = messages[flag].reindex(owner).fillna(False).to_numpy(dtype=bool)
            recipients.loc[pending.to_numpy() & marked, "final_state"] = state
            pending = recipients["final_state"] == "deferred"
    held = _currently_held(messages, events)
    if len(recipients):
        owner = recipients.index.get_level_values("message_key")
        on_hold = held.reindex(owner).fillna(False).to_numpy(dtype=bool)
        waiting = (recipients["final_state"] == "deferred").to_numpy()
        recipients.loc[on_hold & waiting, "final_state"] = "held"
    by_message = recipients["final_state"].groupby(level="message_key", sort=False)
    single = by_message.nunique() == 1
    states = by_message.first().where(single, "partial")
    state = states.reindex(messages.index)
    no_delivery = state.isna()
    state[no_delivery & messages["has_reject"]] = "rejected"
    state[no_delivery & messages["has_discard"]] = "rejected"
    state[no_delivery & messages["has_expired"]] = "expired"
    state[no_delivery & messages["has_deleted"]] = "deleted"
    undelivered = state.isna() | state.isin(["deferred", "partial"])
    state[held & undelivered] = "held"
    messages["final_state"] = state.fillna("unknown").astype("object")
    owner = recipients.index.get_level_values("message_key")
    tally = pd.crosstab(owner, recipients["final_state"]).reindex(messages.index)
    tally = tally.fillna(0).astype(int)
    messages["recipient_count"] = tally.sum(axis=1).astype(int)
    for name in ("delivered", "deferred", "bounced"):
        messages[name] = tally[name] if name in tally else 0
    attempts = recipients.groupby(level="message_key", sort=False)["attempts"].sum()
    messages["attempts"] = attempts.reindex(messages.index).fillna(0).astype(int)


def _currently_held(messages: pd.DataFrame, events: pd.DataFrame) -> pd.Series:
    marks = events[events["kind"].isin(["held", "released", "hold", "delivery"])
                   & events["message_key"].notna()]  # fmt: skip
    last = marks.groupby("message_key", sort=False)["kind"].last()
    return (
        (last.isin(["held", "hold"])).reindex(messages.index).fillna(False).astype(bool)
    )
