"""Normalize delivery reply texts and name the cause they show.

Normalizing replaces addresses, IP addresses, host names next to an address,
queue IDs and other numbers with placeholders, so that the same cause reported
for different messages and servers groups together. SMTP reply codes (``550``)
and enhanced status codes (``5.7.1``) are kept: they carry the meaning.
"""

from __future__ import annotations

import re

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

# Passes run by RE2 over every reply first: they remove what makes most replies
# unique (queue IDs in "250 Ok: queued as X", addresses), so the slower Python
# pass below runs once per distinct text only.
_BULK = (
    (r"queued as [0-9A-Za-z]+", "queued as QID"),
    (r"<[^<>\s]*@[^<>\s]*>", "<ADDR>"),
    (r"\b[\w.+=-]+@[\w.-]+\.\w+\b", "ADDR"),
    (r"\b(?:\d{1,3}\.){3}\d{1,3}\b", "IP"),
    (r"\[(?:IPv6:)?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]", "[IP]"),
)
_DETAIL = (
    (re.compile(r"[\w.-]+\[IP\]"), "HOST[IP]"),
    (re.compile(r"\bname=[^\s,;]+"), "name=HOST"),
    (re.compile(r"\bid=[^\s,;)]+"), "id=ID"),
    (
        re.compile(
            r"\b(?<![\d.])(?![245]\.\d{1,3}\.\d{1,3}\b)(?![245]\d\d\b)\d+(?:\.\d+)*\b"
        ),
        "N",
    ),
    (re.compile(r"\s+"), " "),
)


def normalize_reasons(replies: pd.Series) -> pd.Series:
    """Return the normalized form of each reply; nulls stay null."""
    if replies.empty:
        return replies.astype("string")
    values = pa.array(replies.astype(object).where(replies.notna(), None), pa.string())
    for pattern, replacement in _BULK:
        values = pc.replace_substring_regex(values, pattern, replacement)
    bulk = pd.Series(values.to_pylist(), index=replies.index, dtype="string")
    codes, uniques = pd.factorize(bulk)
    normalized = [_normalize_detail(text) for text in uniques]
    result = pd.array(normalized, dtype="string").take(codes, allow_fill=True)
    return pd.Series(result, index=replies.index, dtype="string")


def _normalize_detail(text: str) -> str:
    for pattern, replacement in _DETAIL:
        text = pattern.sub(replacement, text)
    return text.strip()


# Causes a reply text can show, checked in order; the first match names the cause.
CAUSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("loops_to_myself", r"loops back to myself"),
        ("mx_lookup_failed", r"type=MX: Host not found"),
        (
            "host_not_found",
            r"Host or domain name not found|Name service error|"
            r"Host not found|type=A+: ",
        ),
        ("greylisted", r"greylist|grey-list|graylist|try again later|4\.7\.1 .*later"),
        ("tls_not_offered", r"TLS is required, but (?:was not offered|our TLS engine)"),
        ("tls_failure", r"TLS|SSL|certificate verification|handshake"),
        (
            "sasl_failed",
            r"SASL authentication failed|authentication failed|5\.7\.8|"
            r"Authentication (?:credentials invalid|required)|535[ -]",
        ),
        (
            "relay_denied",
            r"Relay access denied|not permitted to relay|relaying denied|"
            r"Relaying not allowed|Unable to relay|relay not permitted",
        ),
        (
            "sender_rejected",
            r"Sender address rejected|Domain of sender address|"
            r"sender domain|5\.1\.[78]\b",
        ),
        (
            "client_rejected",
            r"Client host rejected|Access denied|554 5\.7\.1|"
            r"blocked using|5\.7\.1",
        ),
        (
            "too_large",
            r"5\.3\.4|too (?:large|big)|exceeds (?:the )?(?:size|message size)|"
            r"552[ -]",
        ),
        (
            "unknown_recipient",
            r"5\.1\.1|User unknown|Recipient address rejected|"
            r"no such user|mailbox unavailable|does not exist|"
            r"unknown user|Unknown recipient",
        ),
        ("connection_refused", r"Connection refused"),
        (
            "connection_timed_out",
            r"Connection timed out|conversation with .* timed out|"
            r"timed out while",
        ),
        ("no_route", r"No route to host"),
        ("network_unreachable", r"Network is unreachable|Address family not supported"),
        ("lost_connection", r"lost connection with|Connection reset by peer"),
        ("suspended", r"delivery temporarily suspended"),
        (
            "disk_full",
            r"No space left on device|insufficient system storage|4\.3\.1|"
            r"queue file write error",
        ),
        ("mailbox_full", r"mailbox full|quota exceeded|over quota|5\.2\.2|4\.2\.2"),
        (
            "local_delivery",
            r"delivered to mailbox|delivered to maildir|delivered to file",
        ),
        ("content_rejected", r"content rejected|spam|virus|5\.7\.0"),
        ("service_unavailable", r"Service unavailable|421[ -]|450[ -]|451[ -]"),
    )
)


def reason_cause(text: str | None) -> str:
    """Return the cause name that ``text`` shows, or "other"."""
    if not text:
        return "other"
    for name, pattern in CAUSES:
        if pattern.search(text):
            return name
    return "other"


def causes(replies: pd.Series) -> pd.Series:
    """Return ``reason_cause`` of each reply, computed once per distinct text."""
    codes, uniques = pd.factorize(replies)
    named = pd.array([reason_cause(t) for t in uniques] + ["other"], dtype="string")
    return pd.Series(named.take(codes), index=replies.index, dtype="string")
