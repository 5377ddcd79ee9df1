"""Ground truth of a scenario, built from what was sent, received and queued.

Nothing here reads the Postfix log. Queue IDs come from the Received headers
that Postfix adds ("by HOST (Postfix, from userid 0) id QID" on submission,
"by HOST (Postfix) with ESMTP id QID" on SMTP re-injection), as seen by the
sinks, in local mailboxes, in the headers that bounce notices return, and in
``postcat`` output for messages still queued. A notice's own queue ID comes
from the Message-ID that Postfix's cleanup gives it
("<YYYYMMDDhhmmss.QID@myhostname>").
"""

from __future__ import annotations

import re
from collections import Counter
from email.message import Message
from email.parser import Parser
from email.policy import compat32
from typing import Any

RECEIVED_BY_POSTFIX = re.compile(
    r"by (?P<host>\S+) \(Postfix(?:, from userid \d+)?\)"
    r"(?: with \S+)? id (?P<queue_id>[0-9A-Za-z]+)"
)
NOTICE_MESSAGE_ID = re.compile(r"^<\d{14}\.(?P<queue_id>[0-9A-Za-z]+)@")
QUEUED_AS = re.compile(r"queued as (?P<queue_id>[0-9A-Za-z]+)")

FINAL_STATES = (
    "delivered",
    "deferred",
    "bounced",
    "expired",
    "deleted",
    "held",
    "rejected",
    "partial",
    "handed_off",
    "unknown",
)


def postfix_queue_ids(received: list[str], hostname: str) -> list[str]:
    """Return the queue IDs that HOSTNAME's Postfix gave a message, oldest first.

    Received headers are prepended, so the last one in the list is the oldest.
    """
    ids = []
    for header in reversed(received):
        match = RECEIVED_BY_POSTFIX.search(" ".join(header.split()))
        if match and match["host"].lower() == hostname.lower():
            ids.append(match["queue_id"])
    return ids


def describe_mailbox_message(mailbox_name: str, message: Message) -> dict[str, Any]:
    """Extract headers and delivery status of one message in a local mailbox."""
    record: dict[str, Any] = {
        "mailbox": mailbox_name,
        "message_id": (message.get("Message-ID") or "").strip() or None,
        "delivered_to": (message.get("Delivered-To") or "").strip() or None,
        "original_to": (message.get("X-Original-To") or "").strip() or None,
        "return_path": (message.get("Return-Path") or "").strip(),
        "received": [str(value) for value in message.get_all("Received", [])],
        "subject": str(message.get("Subject") or ""),
        "dsn_recipients": [],
        "returned_headers": None,
    }
    if message.get_content_type() != "multipart/report":
        return record
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/delivery-status":
            blocks = part.get_payload()
            for block in blocks[1:]:
                record["dsn_recipients"].append(
                    {
                        "final_recipient": _dsn_address(block.get("Final-Recipient")),
                        "original_recipient": _dsn_address(
                            block.get("Original-Recipient")
                        ),
                        "action": (block.get("Action") or "").strip().lower(),
                        "status": (block.get("Status") or "").strip(),
                    }
                )
        elif content_type in ("text/rfc822-headers", "message/rfc822"):
            if content_type == "message/rfc822":
                returned = part.get_payload()[0]
            else:
                returned = Parser(policy=compat32).parsestr(
                    part.get_payload(decode=True).decode("utf-8", "replace"),
                    headersonly=True,
                )
            record["returned_headers"] = {
                "message_id": (returned.get("Message-ID") or "").strip() or None,
                "received": [str(value) for value in returned.get_all("Received", [])],
            }
    return record


def _dsn_address(value: str | None) -> str | None:
    if not value:
        return None
    return value.split(";", 1)[-1].strip()


class HostTruth:
    """Messages of one host, keyed by queue ID, filled from several sources."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.hostname = result["hostname"]
        self.messages: dict[str, dict[str, Any]] = {}
        self.sent_by_message_id = {
            record["message_id"]: record for record in result["sent"]
        }
        self.unmatched_sent = dict(self.sent_by_message_id)

    def message(
        self,
        queue_id: str,
        message_id: str | None,
        kind: str = "original",
        parent_queue_id: str | None = None,
    ) -> dict[str, Any]:
        """Return the message with QUEUE_ID, made from the sent record when new."""
        existing = self.messages.get(queue_id)
        if existing is not None:
            return existing
        sent = self.sent_by_message_id.get(message_id or "")
        record = {
            "host": self.hostname,
            "queue_id": queue_id,
            "message_id": message_id,
            "sender": sent["sender"]
            if sent and kind != "bounce_notice" and kind != "delay_notice"
            else "",
            "kind": kind,
            "parent_queue_id": parent_queue_id,
            "recipients": {
                address: "unknown"
                for address in (
                    sent["recipients"]
                    if sent and kind in ("original", "filter_copy")
                    else []
                )
            },
            "final_state": "unknown",
        }
        if kind == "original" and sent is not None:
            self.unmatched_sent.pop(message_id, None)
        self.messages[queue_id] = record
        return record

    def chain(
        self, received: list[str], message_id: str | None
    ) -> dict[str, Any] | None:
        """Register the original and filter copies in RECEIVED, and return the last."""
        ids = postfix_queue_ids(received, self.hostname)
        if not ids:
            return None
        current = self.message(ids[0], message_id)
        for child_id in ids[1:]:
            current = self.message(
                child_id, message_id, "filter_copy", current["queue_id"]
            )
        return current

    def set_state(self, message: dict[str, Any], address: str, state: str) -> None:
        message["recipients"][
            address.lower() if address.lower() in message["recipients"] else address
        ] = state


def build_host_messages(
    result: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the truth messages of one host and notes on what could not be matched."""
    truth = HostTruth(result)
    filter_sinks = set(result["filter_sinks"])
    for reception in result["receptions"]:
        if not reception["accepted"]:
            continue
        message = truth.chain(reception["received"], reception["message_id"])
        if message is None:
            continue
        if reception["sink"] in filter_sinks:
            match = QUEUED_AS.search(reception["reply"])
            if match:
                truth.message(
                    match["queue_id"],
                    reception["message_id"],
                    "filter_copy",
                    message["queue_id"],
                )
            continue
        for address in reception["rcpt_tos"]:
            truth.set_state(message, address, "delivered")
    for item in result["mailbox"]:
        _apply_mailbox_message(truth, item, result)
    # A message still queued counts as deferred unless it is on hold. That
    # includes the maildrop queue, where mail submitted while Postfix is stopped waits.
    for entry in result["final_queue"]:
        _apply_queue_entry(
            truth, entry, "held" if entry["queue_name"] == "hold" else "deferred"
        )
    for entry in result["deleted"]:
        _apply_queue_entry(truth, entry, "deleted")
    notes = [
        f"sent message {message_id} was never seen again"
        for message_id in truth.unmatched_sent
    ]
    messages = list(truth.messages.values())
    _settle_final_states(messages)
    return messages, notes


def _apply_mailbox_message(
    truth: HostTruth, item: dict[str, Any], result: dict[str, Any]
) -> None:
    recipient = (
        item["original_to"]
        or item["delivered_to"]
        or f"{item['mailbox']}@{result['myorigin']}"
    )

    if item["message_id"] in truth.sent_by_message_id:
        message = truth.chain(item["received"], item["message_id"])
        if message is not None:
            truth.set_state(
                message, _qualify(recipient, result["myorigin"]), "delivered"
            )
        return

    match = NOTICE_MESSAGE_ID.match(item["message_id"] or "")
    if not match:
        return
    actions = {dsn["action"] for dsn in item["dsn_recipients"]}
    kind = "delay_notice" if actions == {"delayed"} else "bounce_notice"
    parent = None
    returned = item["returned_headers"]
    if returned is not None:
        parent = truth.chain(returned["received"], returned["message_id"])
    notice = truth.message(
        match["queue_id"],
        item["message_id"],
        kind,
        parent["queue_id"] if parent else None,
    )
    notice["sender"] = ""

    # The log's to= is the address after alias expansion, which is the
    # mailbox owner, and orig_to= the address the notice was sent to
    # (X-Original-To). Delivered-To is not used because local(8) sets it to
    # the alias address when it expands an alias.
    delivered_to = _qualify(item["mailbox"], result["myorigin"])
    notice["recipients"][delivered_to] = "delivered"
    original = _qualify(recipient, result["myorigin"])
    if original != delivered_to:
        notice.setdefault("orig_addresses", {})[delivered_to] = original

    if parent is None:
        return
    for dsn in item["dsn_recipients"]:
        address = dsn["original_recipient"] or dsn["final_recipient"]
        if dsn["action"] == "failed":
            state = "expired" if dsn["status"].startswith("4") else "bounced"
            truth.set_state(parent, address, state)


def _apply_queue_entry(truth: HostTruth, entry: dict[str, Any], state: str) -> None:
    ids = postfix_queue_ids(entry.get("received", []), truth.hostname)
    if len(ids) > 1:
        truth.chain(entry["received"], entry["message_id"])
        message = truth.messages[entry["queue_id"]]
    else:
        message = truth.message(entry["queue_id"], entry["message_id"])
    for recipient in entry["recipients"]:
        truth.set_state(message, recipient["address"], state)


def _qualify(address: str, myorigin: str) -> str:
    return address if "@" in address else f"{address}@{myorigin}"


def _settle_final_states(messages: list[dict[str, Any]]) -> None:
    parents = {
        message["parent_queue_id"]
        for message in messages
        if message["kind"] == "filter_copy"
    }
    for message in messages:
        states = set(message["recipients"].values())
        if message["queue_id"] in parents:
            message["final_state"] = "handed_off"
            message["recipients"] = {
                address: "handed_off" for address in message["recipients"]
            }
        elif len(states) == 1:
            message["final_state"] = states.pop()
        elif states:
            message["final_state"] = "partial"
        orig_addresses = message.pop("orig_addresses", {})
        message["recipients"] = [
            {"address": address, "final_state": state}
            | (
                {"orig_address": orig_addresses[address]}
                if address in orig_addresses
                else {}
            )
            for address, state in message["recipients"].items()
        ]


def count_final_states(messages: list[dict[str, Any]]) -> dict[str, int]:
    """Count messages by final state, a content-filter pair once (by its last copy)."""
    counts = Counter(
        message["final_state"]
        for message in messages
        if message["final_state"] != "handed_off"
    )
    return {state: counts[state] for state in FINAL_STATES if counts[state]}
