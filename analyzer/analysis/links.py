"""Links between messages: notices, content-filter hand-offs, bulk deletions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.analysis.frames import arrow_strings, arrow_text, fields_frame, take

HANDOFF_WINDOW = pd.Timedelta(minutes=30)
"""Longest time between a hand-off and the first record of the new queue ID."""

LINK_COLUMNS = ["parent", "child", "via", "recipient"]

SENT_COLUMNS = ["event", "message_key", "host", "time", "recipient", "reason",
                "relay_host", "relay_ip"]  # fmt: skip
"""Columns of the deliveries that hand-offs are matched and checked on."""


FIELD_KINDS = ("notification", "postsuper_summary")
"""Kinds of the field records that ``find_links`` and ``infer_bulk_deletions``
read."""


def find_links(
    events: pd.DataFrame,
    messages: pd.DataFrame,
    deliveries: pd.DataFrame,
    fields: dict[str, pa.Table],
) -> pd.DataFrame:
    """Return one row per link: parent key, child key, how found, recipient handed on.

    A bounce or delay notice names its new queue ID ("sender non-delivery
    notification: NEWID"); a content filter or a .forward re-queues a recipient
    under a new ID ("250 ... queued as NEWID", "forwarded as NEWID"). The child is
    the first message with that ID on the same host that starts within
    HANDOFF_WINDOW. A notice's child is in the same Postfix instance. A hand-off's
    child can be in another instance of the host, because a content filter can
    re-inject into a second instance (postfix-in to postfix-out), and
    ``_choose_child_instance`` picks among the instances. A "queued as" reply
    counts as a hand-off only from a loopback relay, or when the new message
    came from a loopback client: a remote server's queue ID can equal a local
    one by chance.
    """
    candidates = messages.reset_index()[
        [
            "message_key",
            "host",
            "instance",
            "queue_id",
            "first_seen",
            "client",
            "client_ip",
        ]
    ]
    found = [pd.DataFrame(columns=LINK_COLUMNS)]
    notices = fields_frame(fields.get("notification"), ["notice", "child_queue_id"])
    if len(notices):
        notices = notices.join(events[["message_key", "host", "instance", "time"]])
        notices = _as_strings(notices.rename(columns={"child_queue_id": "new_id"}))
        matched = _match_children(notices, candidates)
        found.append(
            pd.DataFrame(
                {
                    "parent": matched["message_key"],
                    "child": matched["message_key_child"],
                    "via": "notification:" + matched["notice"].astype(str),
                    "recipient": None,
                }
            )
        )
    is_sent = np.asarray(deliveries["status"].eq("sent").fillna(False), dtype=bool)
    sent = deliveries.loc[is_sent, SENT_COLUMNS]
    if len(sent):
        found_ids = pc.extract_regex(
            arrow_text(sent["reason"]),
            r"(?P<how>queued as|forwarded as) (?P<new_id>[0-9A-Za-z]+)",
        )
        valid = found_ids.is_valid().to_numpy(zero_copy_only=False)
        handed = sent[valid]
        handed["how"] = arrow_strings(found_ids.field("how").filter(valid)).array
        handed["new_id"] = arrow_strings(found_ids.field("new_id").filter(valid)).array
        handed["instance"] = take(events["instance"], handed["event"].to_numpy())
        handed = _as_strings(handed)
        found.append(_relayed_within_bundle(handed, candidates))
        matched = _match_children(handed, candidates, any_instance=True)
        local_relay = _is_local_relay(matched) | (matched["how"] == "forwarded as")
        local_client = matched["client_ip"].fillna("").str.match(r"^(127\.|::1$)")
        matched = matched[(local_relay | local_client).to_numpy(dtype=bool)]
        found.append(
            pd.DataFrame(
                {
                    "parent": matched["message_key"],
                    "child": matched["message_key_child"],
                    "via": "handoff",
                    "recipient": matched["recipient"],
                }
            )
        )
    return pd.concat(found, ignore_index=True)


RELAY_SKEW = pd.Timedelta(minutes=5)
"""How far the next host's clock may run behind the sending host's."""


def _relayed_within_bundle(
    handed: pd.DataFrame, candidates: pd.DataFrame
) -> pd.DataFrame:
    """Link mail that one host of the bundle relayed to another.

    The delivery's reply is "queued as NEWID", and the relay's short name is that
    of another host of the bundle. There, the message NEWID came from a client
    named like the sending host. It started at most RELAY_SKEW before and at
    most HANDOFF_WINDOW after the delivery.

    The parent's recipient stays delivered: the next host is another system.
    """
    merged = handed.merge(
        candidates.astype({"host": "string", "queue_id": "string", "client": "string"}),
        left_on="new_id",
        right_on="queue_id",
        suffixes=("", "_child"),
    )
    if merged.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    short = _short_names
    other_host = short(merged["host_child"]) != short(merged["host"])
    to_that_host = short(merged["relay_host"]) == short(merged["host_child"])
    from_this_host = short(merged["client"]) == short(merged["host"])
    lag = merged["first_seen"] - merged["time"]
    close = (lag >= -RELAY_SKEW) & (lag <= HANDOFF_WINDOW)
    chosen = merged[
        (other_host & to_that_host & from_this_host & close).to_numpy(
            dtype=bool, na_value=False
        )
    ]
    chosen = chosen.sort_values("first_seen").drop_duplicates("event")
    return pd.DataFrame(
        {
            "parent": chosen["message_key"],
            "child": chosen["message_key_child"],
            "via": "relay",
            "recipient": None,
        }
    )


def _short_names(names: pd.Series) -> pd.Series:
    """Return the first label of each host name, in lower case."""
    return names.astype("string").str.lower().str.partition(".")[0]


def _as_strings(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column in ("host", "instance", "new_id", "message_key") or isinstance(
            frame[column].dtype, pd.CategoricalDtype
        ):
            frame[column] = frame[column].astype("string")
    return frame


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
    sources: pd.DataFrame, candidates: pd.DataFrame, any_instance: bool = False
) -> pd.DataFrame:
    """Pair each source row with the first message of ``new_id`` that follows it.

    With ``any_instance`` the message can be in any instance of the source's
    host, and its instance is in the ``instance_child`` column.
    """
    keys = ["host", "new_id"] if any_instance else ["host", "instance", "new_id"]
    merged = sources.reset_index().merge(
        candidates.astype(
            {"host": "string", "instance": "string", "queue_id": "string"}
        ),
        left_on=keys,
        right_on=[*keys[:-1], "queue_id"],
        suffixes=("", "_child"),
    )
    if merged.empty:
        return merged
    lag = merged["first_seen"] - merged["time"]
    close = (lag >= pd.Timedelta(seconds=-1)) & (lag <= HANDOFF_WINDOW)
    merged = merged[close & (merged["message_key"] != merged["message_key_child"])]
    if any_instance:
        merged = _choose_child_instance(merged)
    return merged.sort_values("first_seen").drop_duplicates("event")


def _choose_child_instance(merged: pd.DataFrame) -> pd.DataFrame:
    """Keep, per source event, the candidates of the most likely instance.

    The source's own instance comes first, so a host with one instance links
    within it. Next come other instances where the new message came from a
    loopback client, as a filter's re-injection does, then any other instance.
    Candidates in two or more other instances of equal rank are all dropped,
    because nothing in the log shows which of them the filter re-injected into.
    """
    # NOTE: the port in the reply ("from MTA(smtp:[127.0.0.1]:10025)") could
    # tell such instances apart, but the log does not say which instance
    # listens on which port.
    own = merged["instance_child"].fillna("") == merged["instance"].fillna("")
    loopback = merged["client_ip"].fillna("").str.match(r"^(127\.|::1$)")
    rank = np.where(own, 0, np.where(loopback.to_numpy(dtype=bool), 1, 2))
    merged = merged.assign(rank=rank)
    best = merged.groupby("event")["rank"].transform("min")
    merged = merged[merged["rank"] == best]
    instances = merged.groupby("event")["instance_child"].transform("nunique")
    return merged[(merged["rank"] == 0) | (instances == 1)].drop(columns="rank")


def apply_links(
    messages: pd.DataFrame, recipients: pd.DataFrame, links: pd.DataFrame
) -> None:
    """Record parents, children and hand-offs in the message and recipient frames."""
    links = links[links["child"].isin(messages.index)]
    per_child = links.drop_duplicates("child", keep="last").set_index("child")
    position = pd.Index(messages.index)
    rows = position.get_indexer(per_child.index)
    parent = messages["parent_key"].to_numpy(dtype=object, copy=True)
    via = messages["link"].to_numpy(dtype=object, copy=True)
    parent[rows] = per_child["parent"].to_numpy()
    via[rows] = per_child["via"].to_numpy()
    messages["parent_key"] = pd.array(parent, dtype="string")
    messages["link"] = pd.array(via, dtype="string")
    children: list[list[str]] = [[] for _ in range(len(messages))]
    owners = position.get_indexer(links["parent"]).tolist()
    for owner, child in zip(owners, links["child"].tolist(), strict=True):
        # Parents are message keys, so get_indexer should find each one. A
        # parent it does not find (-1) is skipped, not filed under the last
        # message.
        # A hand-off links once per recipient: each child is listed once.
        if owner >= 0 and child not in children[owner]:
            children[owner].append(child)
    messages["child_keys"] = children
    handed = links.dropna(subset=["recipient"])
    if len(handed) and len(recipients):
        index = pd.MultiIndex.from_arrays([handed["parent"], handed["recipient"]])
        present = index.isin(recipients.index)
        recipients.loc[index[present], "final_state"] = "handed_off"
        recipients.loc[index[present], "child_key"] = handed["child"].to_numpy()[
            present
        ]
    link = messages["link"].fillna("")
    is_notice = link.str.startswith("notification:").to_numpy(dtype=bool)
    origin = messages["origin"].to_numpy(dtype=object, copy=True)
    notice = link[is_notice].str.removeprefix("notification:").str.replace(" ", "_")
    origin[is_notice] = (notice + "_notice").to_numpy()
    origin[(link == "handoff").to_numpy(dtype=bool)] = "handoff"
    messages["origin"] = origin


def infer_bulk_deletions(
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
    logged = events[events["kind"] == "deleted"]
    context = events[["host", "instance", "pid", "time"]]
    for _, row in summaries.join(context).iterrows():
        by_id = int(
            ((logged["pid"] == row["pid"]) & (logged["host"] == row["host"])).sum()
        )
        remaining = int(row["count"]) - by_id
        pending = (
            (messages["host"] == str(row["host"]))
            & (messages["instance"] == str(row["instance"]))
            & ~messages["ended_in_log"]
            & ~messages["has_deleted"]
            & (messages["first_seen"] <= row["time"])
            & (messages["last_seen"] <= row["time"])
        ).to_numpy(dtype=bool)
        if 0 < pending.sum() <= remaining:
            for column in ("has_deleted", "ended_in_log", "deletion_inferred"):
                values = messages[column].to_numpy(dtype=bool).copy()
                values[pending] = True
                messages[column] = values
            # Their life ends with the deletion, which the count line records.
            messages.loc[pending, "last_seen"] = row["time"]
