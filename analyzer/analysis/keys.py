"""Assign every event to a message lifetime, in bulk with NumPy.

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
import pyarrow.compute as pc

BIRTH_KINDS = ("pickup", "client")
END_KINDS = ("removed", "deleted")
DELIVERY_AGENTS = ("smtp", "lmtp")

ATTACH_WINDOW_NS = 10 * 60 * 1_000_000_000
"""Maximum time between an unkeyed smtp line and the message it is attached to."""

NAT = np.iinfo(np.int64).min


@dataclass
class MessageIndex:
    """Message number of every event, and the key of every message."""

    message: np.ndarray
    """Per event: message number (position in ``keys``), or -1."""
    keys: pa.StringArray
    """Per message, ordered by first event: the message key."""
    first_event: np.ndarray
    """Per message: its first event with a queue ID."""


def codes(values: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Return integer codes (-1 for missing) and the category names of ``values``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return np.asarray(values.cat.codes, dtype=np.int64), [
            str(c) for c in values.cat.categories
        ]
    found, uniques = pd.factorize(values, use_na_sentinel=True)
    return found.astype(np.int64), [str(u) for u in uniques]


def segmented_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Running sum of ``values`` that restarts where ``starts`` is True."""
    total = np.cumsum(values, dtype=np.int64)
    segment = np.cumsum(starts) - 1
    base = (total - values)[np.flatnonzero(starts)]
    return np.asarray(total - base[segment], dtype=np.int64)


def assign_messages(events: pd.DataFrame) -> MessageIndex:
    qid = events["queue_id"]
    has_qid = (qid.notna() & (qid != "NOQUEUE")).to_numpy(dtype=bool)
    rows = np.flatnonzero(has_qid)
    host, host_names = codes(events["host"])
    instance, instance_names = codes(events["instance"])
    kind, kind_names = codes(events["kind"])
    all_codes, qid_names = pd.factorize(qid)
    qid_codes = all_codes[rows]
    end = np.isin(
        kind[rows], [kind_names.index(k) for k in END_KINDS if k in kind_names]
    )
    birth = np.isin(
        kind[rows], [kind_names.index(k) for k in BIRTH_KINDS if k in kind_names]
    )

    combined = ((host[rows] + 1) * (len(instance_names) + 1) + (instance[rows] + 1)) * (
        len(qid_names) + 1
    ) + qid_codes
    order = np.argsort(combined, kind="stable")  # per key, in time order
    key = combined[order]
    ended = end[order]
    born = birth[order]
    start = np.ones(len(key), dtype=bool)
    start[1:] = key[1:] != key[:-1]
    previous_end = np.zeros(len(key), dtype=bool)
    previous_end[1:] = ended[:-1]
    previous_end &= ~start
    births = segmented_cumsum(born.astype(np.int64), start | previous_end)
    new_life = previous_end | (born & (births >= 2))
    life = segmented_cumsum(new_life.astype(np.int64), start)
    boundary = start | new_life
    sorted_message = np.cumsum(boundary) - 1

    # Number messages by their first event, so that they come in time order.
    first_sorted = np.flatnonzero(boundary)
    first_event = rows[order[first_sorted]]
    renumber = np.empty(len(first_event), dtype=np.int64)
    by_time = np.argsort(first_event, kind="stable")
    renumber[by_time] = np.arange(len(by_time))
    message = np.full(len(events), -1, dtype=np.int64)
    message[rows[order]] = renumber[sorted_message]

    first_sorted = first_sorted[by_time]
    first_event = first_event[by_time]
    qid_strings = pa.array(np.asarray(qid_names, dtype=object), pa.string())
    keys = _labels(
        host_names, instance_names, qid_strings, host[first_event],
        instance[first_event], qid_codes[order[first_sorted]], life[first_sorted],
    )  # fmt: skip
    return MessageIndex(message, keys, first_event)


def _labels(
    host_names: list[str],
    instance_names: list[str],
    qid_names: pa.Array,
    host: np.ndarray,
    instance: np.ndarray,
    qid: np.ndarray,
    life: np.ndarray,
) -> pa.StringArray:
    """Return "host:[instance:]qid[#N]" for each message, as Arrow strings."""
    # Code -1 (missing) picks the last name: no host, or the default instance.
    hosts = pa.array([*host_names, ""], pa.string()).take(host % (len(host_names) + 1))
    instances = pa.array([*instance_names, "postfix"], pa.string()).take(
        instance % (len(instance_names) + 1)
    )
    prefix = pc.if_else(
        pc.equal(instances, "postfix"),
        "",
        pc.binary_join_element_wise(instances, ":", ""),
    )
    reused = pa.array(life > 0)
    number = pc.cast(pa.array(life + 1), pa.string())
    suffix = pc.if_else(reused, pc.binary_join_element_wise("#", number, ""), "")
    return pc.binary_join_element_wise(
        hosts, ":", prefix, qid_names.take(qid), suffix, ""
    )


def attach_agent_lines(
    events: pd.DataFrame, message: np.ndarray, time: np.ndarray
) -> None:
    """Give unkeyed smtp/lmtp lines the message of their process's next keyed line."""
    daemon, daemon_names = codes(events["daemon"])
    agents = [daemon_names.index(d) for d in DELIVERY_AGENTS if d in daemon_names]
    pid = events["pid"].fillna(-1).to_numpy(dtype=np.int64)
    rows = np.flatnonzero(np.isin(daemon, agents) & (pid >= 0))
    if len(rows) == 0:
        return
    host, _ = codes(events["host"])
    group = host[rows] * (int(pid.max()) + 2) + pid[rows]
    order = np.argsort(group, kind="stable")
    sorted_rows = rows[order]
    sorted_group = group[order]
    keyed = message[sorted_rows] >= 0
    position = np.where(keyed, np.arange(len(sorted_rows)), len(sorted_rows))
    following = np.minimum.accumulate(position[::-1])[::-1]
    found = following < len(sorted_rows)
    target = np.minimum(following, len(sorted_rows) - 1)
    same_process = found & (sorted_group[target] == sorted_group)
    gap = time[sorted_rows[target]] - time[sorted_rows]
    close = (time[sorted_rows] != NAT) & (gap >= 0) & (gap <= ATTACH_WINDOW_NS)
    attach = ~keyed & same_process & close
    message[sorted_rows[attach]] = message[sorted_rows[target[attach]]]
