"""Rebuild messages, delivery attempts, links and final states from events.

Events are assigned to message lifetimes in ``keys``; here the per-message and
per-recipient facts are gathered with NumPy over integer codes, and pandas frames
are built once at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer import memory
from analyzer.analysis import links as linking
from analyzer.analysis.frames import (
    arrow_strings,
    line_texts,
    per_distinct,
    take,
    take_category,
    take_decoded,
)
from analyzer.analysis.keys import (
    NAT,
    MessageIndex,
    assign_messages,
    attach_agent_lines,
    codes,
)
from analyzer.analysis.reasons import normalize_reasons
from analyzer.parse.rules import RULES
from analyzer.schema import to_int64

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
    "discarded", "partial", "handed_off", "not_accepted", "unknown",
)  # fmt: skip

FLAG_KINDS = ("deleted", "expired", "reject", "discard", "hold", "held", "released")
"""Event kinds recorded per message as ``has_KIND`` flags."""
NOT_ACCEPTED_RULE = "warning-not-accepted"
"""cleanup's "message not accepted, try again later": the queue ID names a try
that pickup (or the client) repeats under a new queue ID, not a message."""


@dataclass
class Timeline:
    """The frames rebuilt from one bundle's events."""

    events: pd.DataFrame
    messages: pd.DataFrame
    deliveries: pd.DataFrame
    recipients: pd.DataFrame


def build_timeline(events: pd.DataFrame, fields: dict[str, pa.Table]) -> Timeline:
    """Rebuild messages and deliveries from time-ordered ``events``.

    The records are taken out of ``fields`` once read, so that their tables are
    freed as the frames are built (83 MiB on a 1M-line log).
    """
    time = events["time"].array.asi8
    index = assign_messages(events)
    attach_agent_lines(events, index.message, time)
    events = events.assign(message_key=_key_codes(index.keys, index.message))
    deliveries, pair, pair_count = _deliveries(
        events, index, fields.pop("delivery", None)
    )
    delivery_message = index.message[deliveries["event"].to_numpy(dtype=np.int64)]
    memory.release()  # the delivery records' pages, before the messages are built
    messages = _messages(events, index, fields, time)
    # Free the records read so far (30 MiB on a 1M-line log) before the links.
    for kind in [k for k in fields if k not in linking.FIELD_KINDS]:
        del fields[kind]
    memory.release()
    recipients, recipient_message = _recipient_states(
        deliveries, delivery_message, pair, pair_count
    )
    found = linking.find_links(events, messages, deliveries, fields)
    linking.apply_links(messages, recipients, found)
    linking.infer_bulk_deletions(messages, events, fields)
    held = _currently_held(events, index.message, len(messages))
    _final_states(messages, recipients, recipient_message, held)
    recipients = _add_unattempted(recipients, messages, named_recipients(events))
    return Timeline(events, messages, deliveries, recipients)


def _keys_at(keys: pa.Array, message: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """Return the key of each message number as a "string" array, missing for -1."""
    return arrow_strings(keys.take(pa.array(message, mask=message < 0))).array


def _key_codes(keys: pa.Array, message: np.ndarray) -> pd.Categorical:
    """Return the key of each message number as a categorical, missing for -1.

    The message numbers are the codes, so no key is copied per line: on a
    1M-line log this takes 6 MiB where strings took 29 MiB.
    """
    categories = pd.Index(arrow_strings(keys).array)
    return pd.Categorical.from_codes(message, categories=categories)


# Deliveries

_RELAY = r"^(?P<name>[^\[\]]*)(?:\[(?P<ip>[^\]]*)\])?(?::(?P<port>\d+))?$"
_DELAYS = r"^(?P<a>[\d.]+)/(?P<b>[\d.]+)/(?P<c>[\d.]+)/(?P<d>[\d.]+)$"
DELAY_PARTS = (
    "delay_before_queue",
    "delay_in_queue",
    "delay_connect",
    "delay_transmit",
)


DELIVERY_FIELDS = ("recipient", "orig_recipient", "relay", "conn_use", "delay",
                   "delays", "dsn", "status", "reply")  # fmt: skip
"""Fields of the delivery records that the deliveries frame uses."""

CATEGORY_COLUMNS = ("relay", "relay_host", "relay_ip", "dsn", "dsn_class", "status",
                    "reason", "reason_normalized")  # fmt: skip
"""Deliveries columns whose values repeat: each row contains a code (a quarter of the
memory of the text on a 1M-line log)."""

DSN_CLASSES = {"2": "success", "4": "temporary", "5": "permanent"}


def _deliveries(
    events: pd.DataFrame, index: MessageIndex, table: pa.Table | None
) -> tuple[pd.DataFrame, np.ndarray, int]:
    """Build the deliveries frame, one row per delivery record in event order.

    Also returns the (message, recipient) pair of each row and the number of
    pairs, which the recipient states reuse.
    """
    if table is None or table.num_rows == 0:
        empty = pd.DataFrame(columns=["event", *DELIVERY_COLUMNS])
        return empty, np.zeros(0, dtype=np.int64), 0
    present = [name for name in DELIVERY_FIELDS if name in table.column_names]
    order = pc.sort_indices(table.column("event"))
    event = table.column("event").take(order).to_numpy()
    rows = order.to_numpy()

    def coded(name: str) -> pd.Categorical:
        """Return the field ``name`` in event order as a categorical. Only the
        codes are reordered, so no text is copied per row."""
        if name not in present:
            return pd.Categorical.from_codes(
                np.full(len(rows), -1), categories=pd.Index([], dtype="string")
            )
        values = pd.Categorical(arrow_strings(table.column(name)))
        return pd.Categorical.from_codes(values.codes[rows], dtype=values.dtype)

    frame = pd.DataFrame({"event": event})
    message = index.message[event]
    frame["message_key"] = _keys_at(index.keys, message)
    for column in ("queue_id", "time", "line_no"):
        frame[column] = take(events[column], event)
    for column in ("host", "daemon", "source"):
        frame[column] = take_category(events[column], event)
    missing = arrow_strings(pa.nulls(len(frame), pa.string()))
    for name in ("recipient", "orig_recipient"):
        ordered = table.column(name).take(order) if name in present else None
        frame[name] = missing if ordered is None else arrow_strings(ordered)
    for name in ("relay", "dsn", "status"):
        frame[name] = coded(name)
    _split_delays(frame, coded("delays"))
    _split_relay(frame, frame["relay"].array)
    frame["delay"] = _per_category(coded("delay"), _to_float)
    frame["conn_use"] = _per_category(coded("conn_use"), _to_count)
    reply = coded("reply")
    frame["reason"] = reply
    frame["reason_normalized"] = _recoded(
        normalize_reasons(pd.Series(reply.categories)), reply.codes
    )
    frame["dsn_class"] = _recoded(
        _dsn_class(pd.Series(frame["dsn"].cat.categories)), frame["dsn"].cat.codes
    )
    pair, pair_count = _pairs(message, frame["recipient"])
    frame["attempt"] = _running_count(pair)
    return frame[["event", *DELIVERY_COLUMNS]], pair, pair_count


def _recoded(per_category: pd.Series, codes: np.ndarray) -> pd.Categorical:
    """Return a categorical with, for each row, ``per_category`` at the row's code
    (missing for -1). Equal results of different categories become one."""
    new_codes, uniques = pd.factorize(per_category)
    mapped = np.where(codes >= 0, new_codes[np.maximum(codes, 0)], -1)
    return pd.Categorical.from_codes(mapped, categories=pd.Index(uniques))


def _per_category(
    values: pd.Categorical, convert: Callable[[pd.Series], pd.Series]
) -> pd.api.extensions.ExtensionArray:
    """Apply ``convert`` once per category and spread the results over the rows."""
    converted = convert(pd.Series(values.categories))
    return converted.array.take(values.codes, allow_fill=True)


def _to_float(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype("float64")


def _to_count(values: pd.Series) -> pd.Series:
    return pd.Series(to_int64(values), index=values.index)


def _dsn_class(dsn: pd.Series) -> pd.Series:
    return dsn.str[0].map(DSN_CLASSES).astype("string")


DELIVERY_COLUMNS = [
    "message_key", "queue_id", "host", "recipient", "orig_recipient", "time",
    "daemon", "relay", "relay_host", "relay_ip", "relay_port", "conn_use", "delay",
    *DELAY_PARTS, "dsn", "dsn_class", "status", "reason", "reason_normalized",
    "attempt", "source", "line_no",
]  # fmt: skip


# The delays and relay texts repeat across deliveries, so each distinct text is
# parsed once and the results are spread over the rows by dictionary indices.


def _split_delays(frame: pd.DataFrame, delays: pd.Categorical) -> None:
    parts = pc.extract_regex(
        pa.array(delays.categories.to_numpy(dtype=object), pa.string()), _DELAYS
    )
    for name, group in zip(DELAY_PARTS, "abcd", strict=True):
        values = pc.cast(parts.field(group), pa.float64(), safe=False)
        per_category = values.to_numpy(zero_copy_only=False)
        frame[name] = np.where(
            delays.codes >= 0,
            per_category[np.maximum(delays.codes, 0)] if len(per_category) else np.nan,
            np.nan,
        )


def _split_relay(frame: pd.DataFrame, relay: pd.Categorical) -> None:
    names = pa.array(relay.categories.to_numpy(dtype=object), pa.string())
    parts = pc.extract_regex(names, _RELAY)
    for name, group in (("relay_host", "name"), ("relay_ip", "ip")):
        values = parts.field(group)
        values = pc.if_else(pc.equal(values, ""), None, values)
        frame[name] = _recoded(arrow_strings(values), relay.codes)
    port = pc.if_else(pc.equal(parts.field("port"), ""), None, parts.field("port"))
    ports = to_int64(port.to_pandas())
    frame["relay_port"] = ports.take(relay.codes, allow_fill=True)


def _pairs(message: np.ndarray, recipient: pd.Series) -> tuple[np.ndarray, int]:
    """Number the (message, recipient) pairs; returns the pair of each row and their count."""
    recipient_codes, uniques = pd.factorize(recipient, use_na_sentinel=True)
    combined = (message + 1) * (len(uniques) + 2) + (recipient_codes + 1)
    pair, inverse = np.unique(combined, return_inverse=True)
    return inverse.astype(np.int64), len(pair)


def _running_count(group: np.ndarray) -> np.ndarray:
    """1 for the first row of each group, 2 for its second, ... (rows in order)."""
    order = np.argsort(group, kind="stable")
    sorted_group = group[order]
    start = np.ones(len(order), dtype=bool)
    start[1:] = sorted_group[1:] != sorted_group[:-1]
    position = np.arange(len(order))
    first = np.maximum.accumulate(np.where(start, position, 0))
    count = np.empty(len(order), dtype=np.int64)
    count[order] = position - first + 1
    return count


# Messages

MESSAGE_FIELDS = {
    "queued": ("sender", "size", "nrcpt"),
    "expired": ("sender",),
    "pickup": ("sender",),
    "client": ("client", "client_ip", "orig_queue_id"),
    "message_id": ("message_id",),
}


def _messages(
    events: pd.DataFrame,
    index: MessageIndex,
    fields: dict[str, pa.Table],
    time: np.ndarray,
) -> pd.DataFrame:
    count = len(index.keys)
    first = index.first_event
    keys = pd.Index(arrow_strings(index.keys).array, name="message_key")
    messages = pd.DataFrame(index=keys)
    for column in ("host", "instance", "queue_id"):
        messages[column] = pd.array(take_decoded(events[column], first), dtype="string")
    qid_rows = np.flatnonzero(
        events["queue_id"].notna().to_numpy(dtype=bool) & (index.message >= 0)
    )
    owner = index.message[qid_rows]
    stamps = np.where(time[qid_rows] == NAT, np.iinfo(np.int64).max, time[qid_rows])
    lowest = np.full(count, np.iinfo(np.int64).max)
    np.minimum.at(lowest, owner, stamps)
    highest = np.full(count, NAT)
    np.maximum.at(highest, owner, time[qid_rows])
    messages["first_seen"] = _to_times(
        np.where(lowest == np.iinfo(np.int64).max, NAT, lowest)
    )
    messages["last_seen"] = _to_times(highest)

    kind, kind_names = codes(events["kind"])
    present = np.zeros((count, len(kind_names) + 1), dtype=bool)
    present[owner, kind[qid_rows]] = True

    def has(name: str) -> np.ndarray:
        return (
            present[:, kind_names.index(name)]
            if name in kind_names
            else np.zeros(count, bool)
        )

    values = {kind: _first_per_message(fields.get(kind), index, names, count)
              for kind, names in MESSAGE_FIELDS.items()}  # fmt: skip
    messages["message_id"] = arrow_strings(values["message_id"]["message_id"]).array
    envelope = _first_per_message(_envelope_senders(fields), index, ("sender",), count)
    # qmgr's records come first: they give the sender after cleanup's rewriting.
    sender = pc.coalesce(
        values["queued"]["sender"],
        values["expired"]["sender"],
        envelope["sender"],
        values["pickup"]["sender"],
    )
    messages["sender"] = arrow_strings(sender).array
    for name in ("size", "nrcpt"):
        texts = values["queued"][name].to_numpy(zero_copy_only=False)
        messages[name] = to_int64(texts)
    for name in ("client", "client_ip", "orig_queue_id"):
        messages[name] = arrow_strings(values["client"][name]).array
    origin = np.full(count, None, dtype=object)
    origin[has("client")] = "smtp"
    origin[has("pickup")] = "local"
    messages["origin"] = origin
    messages["started_in_log"] = has("pickup") | has("client") | has("message_id")
    messages["ended_in_log"] = has("removed") | has("deleted")
    for name in FLAG_KINDS:
        messages[f"has_{name}"] = has(name)
    rule, rule_names = codes(events["rule"])
    tried = np.zeros(count, dtype=bool)
    if NOT_ACCEPTED_RULE in rule_names:
        hit = rule[qid_rows] == rule_names.index(NOT_ACCEPTED_RULE)
        tried[owner[hit]] = True
    messages["has_not_accepted"] = tried
    messages["deletion_inferred"] = False
    missing = arrow_strings(pa.nulls(count, pa.string())).array
    messages["parent_key"] = missing
    messages["link"] = missing
    return messages


ENVELOPE_KINDS = ("reject", "reject_warning", "hold", "discard", "redirect",
                  "filter", "bcc", "header_check", "proxy")  # fmt: skip
"""Kinds of the records that end with the envelope (from=<> to=<>): cleanup's
header and body actions, and the access decisions of smtpd and milters."""


FIELD_KINDS = frozenset(
    ["delivery", *MESSAGE_FIELDS, *ENVELOPE_KINDS, *linking.FIELD_KINDS]
)
"""Kinds of the field records that ``build_timeline`` reads. The loader keeps
only these: the others (connection errors, warnings, TLS and postscreen
details) took 24 MiB on a 1M-line log while the timeline was built."""


def _envelope_senders(fields: dict[str, pa.Table]) -> pa.Table | None:
    """Return the sender and event of every record of ``ENVELOPE_KINDS``.

    Mail that cleanup holds, rejects or discards never reaches qmgr. For such
    mail these records alone give the envelope sender, because pickup logs only
    the login name of the user who submitted it.
    """
    tables = [
        table.select(["sender", "event"])
        for kind in ENVELOPE_KINDS
        if (table := fields.get(kind)) is not None and "sender" in table.column_names
    ]
    return pa.concat_tables(tables) if tables else None


def _to_times(values: np.ndarray) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(values.view("datetime64[ns]")).tz_localize("UTC")


def _first_per_message(
    table: pa.Table | None, index: MessageIndex, names: tuple[str, ...], count: int
) -> dict[str, pa.ChunkedArray]:
    """Return each field of the first record of each message, null where none."""
    missing = pa.chunked_array([pa.nulls(count, pa.string())])
    if table is None or table.num_rows == 0:
        return {name: missing for name in names}
    event = table.column("event").to_numpy()
    owner = index.message[event]
    order = np.lexsort((event, owner))
    keep = order[owner[order] >= 0]
    unique_owner, first = np.unique(owner[keep], return_index=True)
    rows = np.full(count, -1, dtype=np.int64)
    rows[unique_owner] = keep[first]
    positions = pa.array(rows, mask=rows < 0)
    return {
        name: table.column(name).take(positions)
        if name in table.column_names
        else missing
        for name in names
    }


# Recipients and states


def _recipient_states(
    deliveries: pd.DataFrame, message: np.ndarray, pair: np.ndarray, count: int
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per (message, recipient): its attempts and last status.

    ``pair`` numbers the (message, recipient) pair of each delivery and ``count``
    is the number of pairs. Returns the frame and the message number of each of
    its rows.
    """
    columns = ["message_key", "recipient", "orig_recipient", "attempts", "first_attempt",
               "last_attempt", "last_status", "last_dsn", "last_reason", "relay",
               "final_state", "child_key"]  # fmt: skip
    if deliveries.empty:
        empty = pd.DataFrame(columns=columns)
        return empty.set_index(["message_key", "recipient"]), np.zeros(
            0, dtype=np.int64
        )
    rows = np.arange(len(pair))
    last = np.full(count, -1)
    np.maximum.at(last, pair, rows)
    first = np.full(count, len(pair))
    np.minimum.at(first, pair, rows)
    attempts = np.bincount(pair, minlength=count)
    times = deliveries["time"]
    recipients = pd.DataFrame(
        {
            name: take(deliveries[column], last)
            for name, column in (
                ("message_key", "message_key"), ("recipient", "recipient"),
                ("orig_recipient", "orig_recipient"), ("last_status", "status"),
                ("last_dsn", "dsn"), ("last_reason", "reason"), ("relay", "relay"),
            )
        }
    )  # fmt: skip
    recipients["attempts"] = attempts
    recipients["first_attempt"] = take(times, first)
    recipients["last_attempt"] = take(times, last)
    states = per_distinct(recipients["last_status"], _status_state)
    recipients["final_state"] = states.fillna("unknown").astype(object)
    recipients["child_key"] = pd.array([None] * count, dtype="string")
    return recipients[columns].set_index(["message_key", "recipient"]), message[last]


def _status_state(status: pd.Series) -> pd.Series:
    return status.map(STATUS_STATES).astype("string")


def _final_states(
    messages: pd.DataFrame,
    recipients: pd.DataFrame,
    owner: np.ndarray,
    held: np.ndarray,
) -> None:
    """Settle each recipient's and each message's final state.

    ``owner`` is the message number of each recipient row; ``held`` tells per
    message whether it is on hold at the end of the log.
    """
    state = recipients["final_state"].to_numpy(dtype=object)
    waiting = state == "deferred"
    for flag, replacement in (("has_expired", "expired"), ("has_deleted", "deleted")):
        marked = messages[flag].to_numpy(dtype=bool)[owner]
        state = np.where(waiting & marked, replacement, state)
        waiting = state == "deferred"
    state = np.where(waiting & held[owner], "held", state)
    recipients["final_state"] = state

    state_codes = pd.Categorical(state, categories=FINAL_STATES).codes.astype(np.int64)
    count = len(messages)
    lowest = np.full(count, len(FINAL_STATES))
    np.minimum.at(lowest, owner, state_codes)
    highest = np.full(count, -1)
    np.maximum.at(highest, owner, state_codes)
    names = np.asarray((*FINAL_STATES, ""), dtype=object)
    result = np.where(
        lowest == highest, names[np.minimum(lowest, len(FINAL_STATES))], "partial"
    )
    none = highest < 0
    result = result.astype(object)
    result[none] = None
    for flag, replacement in (("has_reject", "rejected"), ("has_discard", "discarded"),
                              ("has_expired", "expired"), ("has_deleted", "deleted")):  # fmt: skip
        result = np.where(
            none & messages[flag].to_numpy(dtype=bool), replacement, result
        )
    undelivered = pd.isna(result) | np.isin(result, ["deferred", "partial"])
    result = np.where(held & undelivered, "held", result)
    # A try that cleanup did not accept never reached qmgr: no recipient state.
    tried = messages["has_not_accepted"].to_numpy(dtype=bool) & pd.isna(result)
    result = np.where(tried, "not_accepted", result)
    messages["final_state"] = np.where(pd.isna(result), "unknown", result).astype(
        object
    )

    tally = np.zeros((count, len(FINAL_STATES)), dtype=np.int64)
    np.add.at(tally, (owner, state_codes), 1)
    messages["recipient_count"] = tally.sum(axis=1)
    for name in ("delivered", "deferred", "bounced"):
        messages[name] = tally[:, FINAL_STATES.index(name)]
    attempts = np.zeros(count, dtype=np.int64)
    np.add.at(attempts, owner, recipients["attempts"].to_numpy(dtype=np.int64))
    messages["attempts"] = attempts


def _currently_held(
    events: pd.DataFrame, message: np.ndarray, count: int
) -> np.ndarray:
    """Per message: whether its last hold-related record leaves it on hold."""
    kind, names = codes(events["kind"])
    wanted = {
        name: names.index(name)
        for name in ("held", "released", "hold", "delivery")
        if name in names
    }
    held = np.zeros(count, dtype=bool)
    rows = np.flatnonzero(np.isin(kind, list(wanted.values())) & (message >= 0))
    if len(rows) == 0:
        return held
    last = np.full(count, -1)
    np.maximum.at(last, message[rows], rows)
    marked = last >= 0
    holding = [wanted[name] for name in ("held", "hold") if name in wanted]
    held[marked] = np.isin(kind[last[marked]], holding)
    return held


# Recipients without a delivery attempt

_NAMING_RULES = {
    rule.name: rule.pattern
    for rule in RULES
    if rule.kind != "delivery" and "(?P<recipient>" in rule.pattern
}
"""Patterns of the rules whose lines name a recipient outside a delivery record:
cleanup's header and body actions, and the access decisions of smtpd and milters."""


@cache
def _naming_pattern(rule: str) -> re.Pattern[str]:
    return re.compile(_NAMING_RULES[rule])


def named_recipients(events: pd.DataFrame) -> pd.DataFrame:
    """Return the message key and recipient of each line of a message that names a
    recipient without being a delivery record.

    Mail that header_checks, body_checks or a milter rejects, puts on hold or discards
    gets no delivery record, so these lines alone name its recipient. cleanup
    names the first envelope recipient only.
    """
    naming = events["rule"].isin(list(_NAMING_RULES)) & events["message_key"].notna()
    lines = events[naming.to_numpy(dtype=bool)]
    keys: list[str] = []
    recipients: list[str] = []
    for key, rule, queue_id, text in zip(
        lines["message_key"],
        lines["rule"],
        lines["queue_id"],
        line_texts(lines),
        strict=True,
    ):
        # The rule patterns match the text after the queue ID, as the parser runs them.
        found = _naming_pattern(str(rule)).match(text.removeprefix(f"{queue_id}: "))
        recipient = (found["recipient"] or "").strip("<>") if found else ""
        if recipient:
            keys.append(key)
            recipients.append(recipient)
    return pd.DataFrame({"message_key": keys, "recipient": recipients}, dtype="string")


def _add_unattempted(
    recipients: pd.DataFrame, messages: pd.DataFrame, named: pd.DataFrame
) -> pd.DataFrame:
    """Add a row for each recipient that a line names of a message with no
    delivery attempt (held, rejected or discarded by header_checks, body_checks
    or a milter), with no attempts and the message's final state."""
    unattempted = messages.index[messages["recipient_count"].to_numpy() == 0]
    named = named[named["message_key"].isin(unattempted).to_numpy(dtype=bool)]
    named = named.drop_duplicates()
    if named.empty:
        return recipients
    keys = named["message_key"].to_numpy(dtype=object)
    rows = pd.DataFrame(
        {
            "attempts": 0,
            "final_state": messages["final_state"].reindex(keys).to_numpy(dtype=object),
        },
        index=pd.MultiIndex.from_arrays(
            [keys, named["recipient"].to_numpy(dtype=object)],
            names=recipients.index.names,
        ),
    )
    return pd.concat([recipients, rows]).reindex(columns=recipients.columns)
