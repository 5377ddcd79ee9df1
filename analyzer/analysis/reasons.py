"""Normalize delivery reply texts and name the cause they show.

Normalizing replaces addresses, IP addresses, host names next to an address,
queue IDs and other numbers with placeholders, so that the same cause reported
for different messages and servers groups together. SMTP reply codes (``550``)
and enhanced status codes (``5.7.1``) are kept: they carry the meaning.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.analysis.frames import arrow_strings

# Passes run by RE2 over every reply first: they remove what makes most replies
# unique (queue IDs in "250 Ok: queued as X", addresses), so the slower Python
# pass below runs once per distinct text only.
_BULK = (
    (r"queued as [0-9A-Za-z]+", "queued as QID"),
    (r"<[^<>\s]*@[^<>\s]*>", "<ADDR>"),
    (r"\b[\w.+=-]+@[\w.-]+\.\w+\b", "ADDR"),
    (r"\b(?:\d{1,3}\.){3}\d{1,3}\b", "IP"),
    (r"\[(?:IPv6:)?[0-9A-Fa-f]*:[0-9A-Fa-f:.]*\]", "[IP]"),
    (r"[\w.-]+\[IP\]", "HOST[IP]"),
)
_DETAIL = (
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
    """Return the normalized form of each reply; nulls stay null.

    The work is done once per distinct reply: a deferral repeats the same text
    for every message and retry.
    """
    if replies.empty:
        return replies.astype("string")
    encoded = pc.dictionary_encode(pa.array(replies.array, pa.string()))
    values = encoded.dictionary
    for pattern, replacement in _BULK:
        values = pc.replace_substring_regex(values, pattern, replacement)
    # The bulk pass makes many replies equal ("queued as QID"): normalize those once.
    bulk_codes, bulk_uniques = pd.factorize(
        pd.Series(values.to_pylist(), dtype="string")
    )
    normalized = pa.array(
        [_normalize_detail(text) for text in bulk_uniques], pa.string()
    )
    # Each row's dictionary entry, then that entry's normalized text: two Arrow
    # takes, without a Python string per row. Null replies stay null.
    per_row = pc.take(pa.array(bulk_codes, pa.int64()), encoded.indices)
    result = arrow_strings(normalized.take(per_row))
    result.index = replies.index
    return result


def _normalize_detail(text: str) -> str:
    for pattern, replacement in _DETAIL:
        text = pattern.sub(replacement, text)
    return text.strip()


# Causes a reply text can show, checked in order: the first match names the
# cause, so specific texts come before the generic codes that also appear in them
# (a "552 5.2.2 quota" reply is a full mailbox, not a message too large).
CAUSES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        # local(8) could not write a mailbox file ("cannot update mailbox PATH for
        # user USER. REASON", Postfix's local/mailbox.c). First, because the
        # path may contain words that the patterns below look for (/var/mail/tls).
        (
            "mailbox_unwritable",
            r"^cannot update mailbox \S+ for user \S+\. (?:destination \S+ is not "
            r"(?:owned by recipient|a regular file)|file is a (?:directory|symbolic "
            r"link)|file has \d+ hard links|.*: Permission denied$)"
            r"|^maildir delivery failed: create maildir file \S+: Permission denied$",
        ),
        ("loops_to_myself", r"loops back to myself"),
        ("helo_rejected", r"Helo command rejected|\b(?:HELO|EHLO)\b.{0,40}\brejected"),
        ("mx_lookup_failed", r"type=MX: Host not found"),
        (
            "host_not_found",
            r"Host or domain name not found|Name service error|Host not found",
        ),
        ("tls_not_offered", r"TLS is required, but (?:was not offered|our TLS engine)"),
        # Before auth_required: "Relaying denied. Proper authentication required"
        # comes from a server that does not take mail for that domain from this host.
        # A sender-verify callout that the sender's server refused: the outer
        # reply rejects the sender, whatever the quoted inner reply contains.
        ("sender_rejected", r"Sender address rejected: undeliverable address"),
        (
            "relay_denied",
            r"Relay access denied|not permitted to relay|relaying denied|"
            r"Relaying (?:is )?not allowed|Unable to relay|relay not permitted|"
            r"not in my list of allowed rcpthosts|isn't in my list of allowed rcpthosts",
        ),
        # Before starttls_required: "530 5.7.0 Authentication required" is a
        # demand to log in, not to start TLS.
        (
            "auth_required",
            r"not authenticated|Authentication required|5\.7\.57\b",
        ),
        (
            "starttls_required",
            r"Must issue a STARTTLS|STARTTLS (?:is )?required|Encryption required|"
            r"TLS required|530[ -]5\.7\.0",
        ),
        # The EHLO "handshake" of a dropped connection is not a TLS handshake.
        ("tls_failure", r"\bTLS\b|\bSSL\b|certificate|(?<!EHLO )(?<!HELO )handshake"),
        # Postfix 3.x: "SASL authentication failed: server ... offered no
        # compatible authentication mechanisms for this type of connection security".
        (
            "sasl_no_mechanism",
            r"no mechanism available|No worthy mechs found|"
            r"offered no (?:compatible|supported) (?:authentication|AUTH) mechanisms",
        ),
        (
            "sasl_failed",
            r"SASL authentication failed|authentication failed|5\.7\.8|"
            r"Authentication (?:credentials invalid|required|unsuccessful)|535[ -]|"
            r"not authenticated|5\.7\.57\b",
        ),
        ("greylisted", r"grey-?list|gray-?list|grey listed|postgrey"),
        (
            "mailbox_full",
            r"mailbox (?:is )?full|quota exceeded|over quota|exceeded (?:storage|quota)|"
            r"mailbox size limit|error writing message: File too large|[45]\.2\.2\b",
        ),
        (
            "too_large",
            r"5\.3\.4|too (?:large|big)|size (?:limit|exceeds)|"
            r"exceeds (?:the )?(?:maximum |fixed )?(?:maximum )?(?:size|message size)",
        ),
        (
            "sender_policy",
            r"\bDMARC\b|\bSPF\b|\bDKIM\b|sender policy|not authori[sz]ed to send|"
            r"5\.7\.2[3-7]\b",
        ),
        (
            "sender_rejected",
            r"Sender address rejected|Domain of sender address|"
            r"sender domain|5\.1\.[78]\b",
        ),
        # A rate limit whose text also names spam (Gmail's 4.7.28) is a rate limit.
        # Yahoo: "temporarily deferred due to unexpected volume or user
        # complaints"; Gmail: "receiving mail at a rate that prevents additional
        # messages from being delivered".
        (
            "rate_limited",
            r"rate limit|4\.7\.28\b|frequency limited|unexpected volume|"
            r"receiving mail at a rate",
        ),
        # Before content_rejected: a banned or listed address is the cause even
        # where the reply adds that spam came from it.
        (
            "blocklisted",
            r"blocked using|listed (?:at|on|in|by) |block ?list|black ?list|"
            r"\bDNSBL\b|\bRBL\b|spamhaus\.org|spamcop\.net|barracudacentral|"
            r"\bIP\b.{0,40}\bbanned\b",
        ),
        (
            "content_rejected",
            r"content (?:rejected|restriction)|rejected due to content|message content|"
            r"\bspam\b|virus|malware|phish",
        ),
        # A bare "554 5.7.1" names no cause ("Command rejected", "should log in").
        ("client_rejected", r"Client host rejected|Access denied"),
        (
            "unknown_recipient",
            r"5\.1\.1|User unknown|"
            r"no such (?:user|recipient|mailbox)|mailbox unavailable|does not exist|"
            r"unknown user|Unknown recipient|Recipient unknown|invalid (?:mailbox|recipient)|"
            r"mailbox not found|recipient not found|user not found|nosuchuser|"
            r"Unrouteable address|doesn't have an? \S+ account",
        ),
        # With a temporary code and none of the texts above, the server could not
        # check the recipient (its DNS or verification failed) and requests a retry.
        (
            "recipient_deferred",
            r"\b4\d\d[ -](?:4\.\d{1,3}\.\d{1,3} )?[^()]*Recipient address rejected",
        ),
        ("unknown_recipient", r"Recipient address rejected"),
        ("connection_refused", r"Connection refused"),
        (
            "connection_timed_out",
            r"Connection timed out|conversation with .* timed out|"
            r"timed out while",
        ),
        ("no_route", r"No route to host"),
        ("network_unreachable", r"Network is unreachable|Address family not supported"),
        ("lost_connection", r"lost connection with|Connection reset by peer"),
        # Gmail replies to a sender it slows down with "421 4.7.0 Try again later,
        # closing connection", Microsoft with "451 4.7.500 Server busy".
        (
            "rate_limited",
            r"too many (?:concurrent |simultaneous )?(?:connections|messages|recipients|"
            r"sessions)|rate limit|throttl|"
            r"421[ -]4\.7\.0 Try again later|4\.7\.5\d\d Server busy",
        ),
        # qmgr could not reach the delivery agent that the transport names.
        ("transport_unavailable", r"mail transport unavailable"),
        # Postfix could not read one of its lookup tables (sasl_passwd.db missing).
        (
            "local_data_error",
            r"local data error|table lookup failure|alias database unavailable",
        ),
        # The server replied to the connection with a refusal instead of its
        # greeting: 421 or 554, and Postfix defers a 5xx greeting by default.
        ("greeting_refused", r"refused to talk to me"),
        ("suspended", r"delivery temporarily suspended"),
        # A server that cannot write its own queue reports it in its reply: its
        # disk, not this host's.
        (
            "server_storage",
            r" said: [^()]*(?:queue file write error|No space left on device)",
        ),
        ("disk_full", r"No space left on device|queue file write error"),
        # The server's own disk or queue is full (452 4.3.1): not this host's.
        ("server_storage", r"insufficient system storage|\b4\.3\.1\b|mail system full"),
        (
            "local_delivery",
            r"delivered to mailbox|delivered to maildir|delivered to file",
        ),
        (
            "service_unavailable",
            r"Service unavailable|insufficient system storage|421[ -]|450[ -]|451[ -]",
        ),
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
    named = np.array([reason_cause(t) for t in uniques] + ["other"], dtype=object)
    return pd.Series(pd.array(named[codes], dtype="string"), index=replies.index)
