"""Messages that only a queue listing shows.

Mail can wait in the queue without a line in the log. postdrop writes it to the
maildrop queue while Postfix is stopped, pickup leaves a submission there when
cleanup does not accept it, and the log of its arrival may have been rotated out
before the bundle was made. The host's newest listing shows such a message, so
the analysis counts it too: deferred, or held when it waits in the hold queue,
like every message that is still queued.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pandas.core.groupby import DataFrameGroupBy

ORIGIN = "queue"
"""The origin of a message that only a queue listing shows."""


def in_log(messages: pd.DataFrame) -> pd.DataFrame:
    """Return the messages that the log shows, leaving out those of a listing."""
    return messages[(messages["origin"] != ORIGIN).to_numpy(dtype=bool, na_value=True)]


def queued_only(
    queue: pd.DataFrame, messages: pd.DataFrame, origins: Mapping[str, str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return rows of the messages frame and of the recipients frame for the
    messages in ``queue`` whose host and queue ID no message of ``messages``
    has. Only the hosts' newest listings count: an older one may show mail that
    has left the queue since. ``origins`` gives the myorigin of each host where
    cleanup appends it to addresses without a domain (append_at_myorigin)."""
    listed, lives = _not_in_log(queue, messages)
    if listed.empty:
        return pd.DataFrame(), pd.DataFrame()
    listed = listed.assign(
        sender=_qualified(listed, "sender", origins),
        recipient=_qualified(listed, "recipient", origins),
    )

    # A listing names the default instance's queue: postqueue -c selects others.
    suffix = np.where(lives > 0, "#" + (lives + 1).astype(str), "")
    key = listed["host"].astype(str) + ":" + listed["queue_id"].astype(str) + suffix
    on_hold = (listed["queue_name"] == "hold").to_numpy(dtype=bool, na_value=False)
    state = pd.Series(np.where(on_hold, "held", "deferred"), index=listed.index)
    has_recipient = listed["recipient"].notna().to_numpy(dtype=bool)
    recipients = pd.DataFrame(
        {
            "message_key": key[has_recipient],
            "recipient": listed["recipient"][has_recipient],
            "orig_recipient": listed["orig_recipient"][has_recipient],
            "attempts": 0,
            "first_attempt": pd.NaT,
            "last_attempt": pd.NaT,
            "last_status": None,
            "last_dsn": None,
            "last_reason": listed["reason"][has_recipient],
            "relay": None,
            "final_state": state[has_recipient],
            "child_key": None,
        }
    ).drop_duplicates(["message_key", "recipient"])

    grouped = listed.assign(
        message_key=key, final_state=state, has_recipient=has_recipient
    ).groupby("message_key", sort=False)
    return _message_rows(grouped), recipients


def _not_in_log(
    queue: pd.DataFrame, messages: pd.DataFrame
) -> tuple[pd.DataFrame, np.ndarray]:
    """Return the newest listings' rows of the messages that the log does not
    show, with how many messages of the same host and queue ID the log has."""
    newest = queue["in_newest_listing"].to_numpy(dtype=bool)
    listed = queue[
        newest
        & queue["host"].notna().to_numpy(dtype=bool)
        & queue["queue_id"].notna().to_numpy(dtype=bool)
    ]
    logged = _lifetimes(messages)
    pairs = pd.MultiIndex.from_frame(listed[["host", "queue_id"]].astype(object))
    lives = logged["lives"].reindex(pairs).fillna(0).to_numpy(dtype=np.int64)

    # The log's last message of that ID left the queue before the listed one
    # arrived, so Postfix gave the ID to a new message.
    ended = logged["ended"].reindex(pairs).to_numpy(dtype="datetime64[ns]")
    arrived = (
        listed["arrival_time"].dt.tz_convert(None).to_numpy(dtype="datetime64[ns]")
    )
    reused = (lives > 0) & (ended < arrived)
    keep = (lives == 0) | reused
    return listed[keep], lives[keep]


def _message_rows(grouped: DataFrameGroupBy) -> pd.DataFrame:
    """Return a row of the messages frame for each group of listing rows."""
    first = grouped.first()
    count = grouped["has_recipient"].sum().astype("int64")
    deferred = np.where(first["final_state"] == "deferred", count, 0)
    messages_rows = pd.DataFrame(
        {
            "message_key": first.index,
            "host": first["host"].to_numpy(),
            "instance": "postfix",
            "queue_id": first["queue_id"].to_numpy(),
            "message_id": None,
            "sender": first["sender"].to_numpy(),
            "size": first["size"].to_numpy(),
            "nrcpt": count.to_numpy(),
            "client": None,
            "client_ip": None,
            "orig_queue_id": None,
            "origin": ORIGIN,
            "first_seen": first["arrival_time"].to_numpy(),
            "last_seen": first["arrival_time"].to_numpy(),
            "started_in_log": False,
            "ended_in_log": False,
            "final_state": first["final_state"].to_numpy(),
            "parent_key": None,
            "link": None,
            "recipient_count": 0,
            "delivered": 0,
            "deferred": deferred,
            "bounced": 0,
            "attempts": 0,
            "has_deleted": False,
            "deletion_inferred": False,
            "has_expired": False,
            "has_reject": False,
            "has_discard": False,
            "has_hold": False,
            "has_held": False,
            "has_released": False,
            "has_not_accepted": False,
        }
    )
    messages_rows["child_keys"] = [[] for _ in range(len(messages_rows))]
    return messages_rows


def _lifetimes(messages: pd.DataFrame) -> pd.DataFrame:
    """Return, by host and queue ID, how many messages the log shows with that
    ID ("lives") and when the last of them left the queue ("ended", NaT while
    it is still there as far as the log shows)."""
    logged = messages[["host", "queue_id", "last_seen", "ended_in_log"]].astype(
        {"host": object, "queue_id": object}
    )
    logged = logged.dropna(subset=["host", "queue_id"])
    last = logged.sort_values("last_seen").groupby(["host", "queue_id"]).tail(1)
    left_at = last["last_seen"].dt.tz_convert(None).where(last["ended_in_log"])
    result = pd.DataFrame(
        {"ended": left_at.to_numpy()},
        index=pd.MultiIndex.from_frame(last[["host", "queue_id"]]),
    )
    result["lives"] = logged.groupby(["host", "queue_id"]).size()
    return result


def _qualified(
    listed: pd.DataFrame, column: str, origins: Mapping[str, str]
) -> pd.Series:
    """Return the addresses of ``column`` as cleanup will write them: in the
    maildrop queue, "root" is still "root@" + the host's myorigin. Only there,
    since cleanup qualifies the addresses of the queue files it writes, but
    mailq does not name the maildrop queue."""
    values = listed[column].astype(object)
    domain = listed["host"].astype(str).map(origins)
    bare = (
        values.notna().to_numpy(dtype=bool)
        & ~values.fillna("").str.contains("@", regex=False).to_numpy(dtype=bool)
        & values.fillna("").ne("").to_numpy(dtype=bool)
        & domain.notna().to_numpy(dtype=bool)
    )
    return values.where(~bare, values + "@" + domain)
