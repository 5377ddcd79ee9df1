"""Delivery replies: the cause each one names, and the normalized text that groups
the same cause across messages and servers.

The replies are written in the forms that Postfix and common mail servers
(Exchange Online, Gmail, Postfix relays, greylisting daemons) use.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analyzer.analysis.reasons import normalize_reasons, reason_cause

CAUSE_CASES = [
    ("mail for localhost loops back to myself", "loops_to_myself"),
    ("Host or domain name not found. Name service error for name=smtp.example.com"
     " type=MX: Host not found, try again", "mx_lookup_failed"),
    ("Host or domain name not found. Name service error for name=smtp.example.com"
     " type=A: Host not found", "host_not_found"),
    ("connect to mx1.example.com[192.0.2.10]:25: Connection refused",
     "connection_refused"),
    ("connect to mx1.example.com[192.0.2.10]:25: Connection timed out",
     "connection_timed_out"),
    ("conversation with mx1.example.com[192.0.2.10] timed out while receiving the"
     " initial server greeting", "connection_timed_out"),
    ("connect to mx1.example.com[192.0.2.10]:25: No route to host", "no_route"),
    ("connect to mx1.example.com[2001:db8::10]:25: Network is unreachable",
     "network_unreachable"),
    ("lost connection with mx1.example.com[192.0.2.10] while receiving the initial"
     " server greeting", "lost_connection"),
    ("host mx1.example.com[192.0.2.10] said: 554 5.7.1 <soc@example.org>: Relay"
     " access denied (in reply to RCPT TO command)", "relay_denied"),
    ("host mx1.example.com[192.0.2.10] said: 454 4.7.1 <soc@example.org>: Relay"
     " access denied (in reply to RCPT TO command)", "relay_denied"),
    ("host mx.example.org[192.0.2.30] said: 450 4.7.1 <qradar>: Helo command"
     " rejected: Host not found (in reply to RCPT TO command)", "helo_rejected"),
    ("host mx.example.org[192.0.2.30] said: 550 5.7.1 EHLO name qradar is"
     " rejected: not a fully qualified name (in reply to MAIL FROM command)",
     "helo_rejected"),
    # Gmail's rate limit mentions spam, but defers: it is a rate limit.
    ("host mx.example.org[192.0.2.30] said: 421-4.7.28 Our system has detected an"
     " unusual rate of unsolicited mail originating from your IP address. To protect"
     " our users from spam, mail sent from your IP address has been temporarily rate"
     " limited. (in reply to end of DATA command)", "rate_limited"),
    ("host mx1.example.com[192.0.2.10] said: 553 5.1.8 <root@qradar>: Sender"
     " address rejected: Domain not found (in reply to RCPT TO command)",
     "sender_rejected"),
    ("host mx.other.example[198.51.100.9] said: 554 5.7.1 Service unavailable;"
     " Client host [192.0.2.10] blocked using zen.dnsbl.example"
     " (in reply to RCPT TO command)", "blocklisted"),
    ("host mx.other.example[198.51.100.9] said: 550 5.7.1 Your IP 192.0.2.10 is"
     " listed at bl.spamcop.net (in reply to MAIL FROM command)", "blocklisted"),
    ("host mx.other.example[198.51.100.9] said: 554 5.7.1 <soc@example.org>:"
     " Client host rejected: Access denied (in reply to RCPT TO command)",
     "client_rejected"),
    ("SASL authentication failed; cannot authenticate to server"
     " smtp.example.com[192.0.2.25]: no mechanism available", "sasl_no_mechanism"),
    ("SASL authentication failed; server mx1.example.com[192.0.2.10] said: 535"
     " 5.7.8 Error: authentication failed: authentication failure", "sasl_failed"),
    ("host smtp.office365.example[192.0.2.20] said: 530 5.7.57 Client not"
     " authenticated to send mail. [AM0PR01CA0001.eurprd01.example]"
     " (in reply to MAIL FROM command)", "auth_required"),
    ("host mx1.example.com[192.0.2.10] said: 530 5.7.0 Authentication required"
     " (in reply to MAIL FROM command)", "auth_required"),
    ("TLS is required, but was not offered by host mx1.example.com[192.0.2.10]",
     "tls_not_offered"),
    ("host mx1.example.com[192.0.2.10] said: 530 5.7.0 Must issue a STARTTLS"
     " command first (in reply to MAIL FROM command)", "starttls_required"),
    ("Server certificate not verified", "tls_failure"),
    ("Server certificate not trusted", "tls_failure"),
    ("Cannot start TLS: handshake failure", "tls_failure"),
    ("host mx1.example.com[192.0.2.10] said: 552 5.3.4 Message size exceeds fixed"
     " limit (in reply to end of DATA command)", "too_large"),
    ("host mx1.example.com[192.0.2.10] said: 552 5.2.2 <soc@example.org>: mailbox"
     " full (in reply to RCPT TO command)", "mailbox_full"),
    # local(8) writing to a mailbox file that reached its size limit.
    ("cannot update mailbox /var/mail/root for user root. error writing message:"
     " File too large", "mailbox_full"),
    # local(8) cannot write a mailbox file: its owner, its type or the file
    # system's permissions (Postfix's local/mailbox.c, global/mbox_open.c and
    # util/safe_open.c). A user named like a protocol is still such a failure.
    ("cannot update mailbox /var/mail/analyst for user analyst. destination"
     " /var/mail/analyst is not owned by recipient", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/analyst for user analyst. destination"
     " /var/mail/analyst is not a regular file", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/analyst for user analyst. cannot open file:"
     " Permission denied", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/analyst for user analyst. cannot create file"
     " exclusively: Permission denied", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/analyst for user analyst. unable to create"
     " lock file /var/mail/analyst.lock: Permission denied", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/analyst for user analyst. file is a symbolic"
     " link", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/analyst for user analyst. file has 2 hard"
     " links", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/analyst for user analyst. file is a"
     " directory", "mailbox_unwritable"),
    ("cannot update mailbox /var/mail/tls for user tls. cannot open file:"
     " Permission denied", "mailbox_unwritable"),
    ("alias database unavailable", "local_data_error"),
    ("mail transport unavailable", "transport_unavailable"),
    ("host mx1.example.com[192.0.2.10] refused to talk to me: 421 4.3.2 Service not"
     " available", "greeting_refused"),
    # A full mailbox, though "size limit" also names a message size limit.
    ("host mx1.example.com[192.0.2.10] said: 550 5.2.1 <soc@example.org>... User"
     " mailbox size limit reached (in reply to RCPT TO command)", "mailbox_full"),
    ("host mx1.example.com[192.0.2.10] said: 550 5.1.1 <soc@example.org>: Recipient"
     " address rejected: User unknown in virtual mailbox table (in reply to RCPT TO"
     " command)", "unknown_recipient"),
    # A temporary "Recipient address rejected" does not mean the user is unknown:
    # the server's own lookup failed, and it requests a retry.
    ("host mx1.example.com[192.0.2.10] said: 450 4.1.2 <soc@example.org>: Recipient"
     " address rejected: Domain not found (in reply to RCPT TO command)",
     "recipient_deferred"),
    ("host mx1.example.com[192.0.2.10] said: 451 4.3.0 <soc@example.org>: Recipient"
     " address rejected: Server configuration problem (in reply to RCPT TO"
     " command)", "recipient_deferred"),
    ("host mx1.example.com[192.0.2.10] said: 450 4.1.1 <soc@example.org>: Recipient"
     " address rejected: unverified address: Address verification in progress"
     " (in reply to RCPT TO command)", "recipient_deferred"),
    # ... unless the reply quotes the user-unknown result of a verification probe.
    ("host mx1.example.com[192.0.2.10] said: 450 4.1.1 <soc@example.org>: Recipient"
     " address rejected: unverified address: host mbox.example.org[192.0.2.40]"
     " said: 550 5.1.1 <soc@example.org>: User unknown (in reply to RCPT TO"
     " command)", "unknown_recipient"),
    ("NOQUEUE: reject: RCPT from client.example.net[192.0.2.77]: 550 5.1.1"
     " <nobody@example.org>: Recipient address rejected: User unknown in local"
     " recipient table; from=<a@example.net> to=<nobody@example.org> proto=ESMTP"
     " helo=<client.example.net>", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 550 <soc@example.org>: Recipient"
     " address rejected: Access denied (in reply to RCPT TO command)",
     "client_rejected"),
    ("host mx1.example.com[192.0.2.10] said: 550 Invalid mailbox: soc@example.org"
     " (in reply to RCPT TO command)", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 550 No such recipient here"
     " (in reply to RCPT TO command)", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 450 4.2.0 <soc@example.org>: Recipient"
     " address rejected: Greylisted, see https://postgrey.example/ (in reply to"
     " RCPT TO command)", "greylisted"),
    ("host mx1.example.com[192.0.2.10] said: 550 5.7.26 Unauthenticated email from"
     " example.com is not accepted due to domain's DMARC policy", "sender_policy"),
    ("host mx1.example.com[192.0.2.10] said: 421 4.7.0 Too many concurrent"
     " connections from this IP (in reply to end of DATA command)", "rate_limited"),
    ("host mx1.example.com[192.0.2.10] said: 554 5.7.1 Message rejected as spam"
     " (in reply to end of DATA command)", "content_rejected"),
    ("delivery temporarily suspended: connect to mx1.example.com[192.0.2.10]:25:"
     " Connection refused", "connection_refused"),
    ("lost connection with mx1.example.com[192.0.2.10] while performing the EHLO"
     " handshake", "lost_connection"),
    ("host mx1.example.com[192.0.2.10] said: 550 5.7.1 <soc@example.org>..."
     " Relaying denied. Proper authentication required. (in reply to RCPT TO"
     " command)", "relay_denied"),
    ("host mx1.example.com[192.0.2.10] said: 554 5.7.1 Command rejected (in reply"
     " to end of DATA command)", "other"),
    ("host mx1.example.com[192.0.2.10] said: 554 5.7.1 User <soc@example.org>"
     " should log in to enable receiving the mail (in reply to end of DATA"
     " command)", "other"),
    ("host mx1.example.com[192.0.2.10] said: 451-IP 192.0.2.25 is banned due spam"
     " from it. For unban, please visit 451 https://unban.example.org/ (in reply"
     " to RCPT TO command)", "blocklisted"),
    # Real replies of large providers and other servers, in their own words.
    ("host mx1.example.com[192.0.2.10] said: 421 4.7.0 Try again later, closing"
     " connection. (in reply to MAIL FROM command)", "rate_limited"),
    ("host mx1.example.com[192.0.2.10] said: 451 4.7.500 Server busy. Please try"
     " again later from [192.0.2.25]. (S77714) (in reply to MAIL FROM command)",
     "rate_limited"),
    ("host mx1.example.com[192.0.2.10] said: 421 4.7.0 [TSS04] Messages from"
     " 192.0.2.25 temporarily deferred due to unexpected volume or user complaints"
     " (in reply to MAIL FROM command)", "rate_limited"),
    ("host mx1.example.com[192.0.2.10] said: 450-4.2.1 The user you are trying to"
     " contact is receiving mail at a rate that prevents additional messages from"
     " being delivered. (in reply to RCPT TO command)", "rate_limited"),
    # The server's own queue: its disk, not this host's.
    ("host mx1.example.com[192.0.2.10] said: 451 4.3.0 Error: queue file write"
     " error (in reply to end of DATA command)", "server_storage"),
    ("warning: queue file write error", "disk_full"),
    # A greylisting server also requests a retry later.
    ("host mx1.example.com[192.0.2.10] said: 451 4.7.1 Greylisting in action,"
     " please try again later (in reply to RCPT TO command)", "greylisted"),
    ("host mx1.example.com[192.0.2.10] said: 550 Connection frequency limited."
     " http://service.mail.example.com/help (in reply to MAIL FROM command)",
     "rate_limited"),
    ("host mx1.example.com[192.0.2.10] said: 550 5.1.1 Recipient unknown"
     " <soc@example.org> (in reply to RCPT TO command)", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 550 nosuchuser: soc@example.org"
     " (in reply to RCPT TO command)", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 550 User not found: soc@example.org"
     " (in reply to RCPT TO command)", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 550 Unrouteable address (in reply to"
     " RCPT TO command)", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 554 delivery error: dd This user"
     " doesn't have a example.org account (soc@example.org) [0] - mx.example.org"
     " (in reply to end of DATA command)", "unknown_recipient"),
    ("host mx1.example.com[192.0.2.10] said: 553 sorry, that domain isn't in my"
     " list of allowed rcpthosts (#5.7.1) (in reply to RCPT TO command)",
     "relay_denied"),
    ("host mx1.example.com[192.0.2.10] said: 550 rejected because relaying is not"
     " allowed (in reply to RCPT TO command)", "relay_denied"),
    # A sender-verify callout that the sender's server rejected: the outer reply
    # rejects the sender, whatever the inner one contains.
    ("host mx1.example.com[192.0.2.10] said: 450 4.1.7 <info@example.net>: Sender"
     " address rejected: undeliverable address: host mx.example.net[192.0.2.50]"
     " said: 554 5.7.1 <info@example.net>: Relay access denied (in reply to RCPT TO"
     " command)", "sender_rejected"),
    # "Try again later" names no cause: providers send it for rate limits, poor
    # reputation and spam quarantine alike.
    ("host mx1.example.com[192.0.2.10] said: 452 4.7.1 Try again later (in reply to"
     " end of DATA command)", "other"),
    ("delivered to mailbox", "local_delivery"),
    ("250 2.0.0 Ok: queued as 4QWz1k2f3gz9", "other"),
    (None, "other"),
]  # fmt: skip


@pytest.mark.parametrize(("reply", "cause"), CAUSE_CASES)
def test_reply_cause(reply: str | None, cause: str) -> None:
    assert reason_cause(reply) == cause


NORMALIZE_CASES = [
    ("connect to mx1.example.com[192.0.2.10]:25: Connection refused",
     "connect to HOST[IP]:N: Connection refused"),
    ("connect to mx2.example.com[2001:db8::10]:25: Network is unreachable",
     "connect to HOST[IP]:N: Network is unreachable"),
    ("host mx1.example.com[192.0.2.10] said: 550 5.1.1 <soc@example.org>: User"
     " unknown (in reply to RCPT TO command)",
     "host HOST[IP] said: 550 5.1.1 <ADDR>: User unknown (in reply to RCPT TO"
     " command)"),
    ("250 2.0.0 Ok: queued as 4QWz1k2f3gz9", "250 2.0.0 Ok: queued as QID"),
    ("Name service error for name=smtp.example.com type=MX: Host not found",
     "Name service error for name=HOST type=MX: Host not found"),
    ("421 4.7.0 Try again in 3600 seconds", "421 4.7.0 Try again in N seconds"),
]  # fmt: skip


def test_normalized_replies() -> None:
    replies = pd.Series([reply for reply, _ in NORMALIZE_CASES] + [None])
    expected = [normal for _, normal in NORMALIZE_CASES] + [None]
    result = normalize_reasons(replies)
    assert [None if pd.isna(v) else v for v in result] == expected
