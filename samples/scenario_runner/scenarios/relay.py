"""Scenarios in which the relay cannot be reached or rejects the appliance's mail."""

from __future__ import annotations

from ..host import HostContext
from ..model import HostPlan, Scenario
from .common import (
    ANALYST,
    CONSOLE,
    RELAY_ADDRESS,
    RELAY_NAME,
    RETRY_WINDOW,
    SECOPS,
    SOC,
    pause,
    relay_dns,
    relay_sink,
)

BRACKETED_RELAY = {"relayhost": f"[{RELAY_NAME}]"}
UNKNOWN_USER = "former.analyst@example.com"
UNKNOWN_USER_REPLY = (
    "550 5.1.1 <{rcpt}>: Recipient address rejected: "
    "User unknown in virtual mailbox table"
)


def send_and_let_retry(context: HostContext) -> None:
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.send([ANALYST])
    context.wait_deferred(3)
    pause(RETRY_WINDOW)


def send_and_collect_bounces(context: HostContext) -> None:
    """Send three messages that the relay rejects, and wait for the notices to root."""
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.send([ANALYST])
    context.wait_mailbox(3)
    context.wait_queue_empty()


def single_relay_host(
    drive, layout: str, settings: dict | None = None, **sink_behaviour
) -> list[HostPlan]:
    return [
        HostPlan(
            hostname=CONSOLE,
            drive=drive,
            settings={**BRACKETED_RELAY, **(settings or {})},
            dns=relay_dns(),
            sinks=[relay_sink(**sink_behaviour)],
            layout=layout,
        )
    ]


def sasl_relay_host(
    password: str, layout: str, settings: dict | None = None
) -> list[HostPlan]:
    """Return the plan of a host that logs in to the relay's submission port with
    ``password``, which the relay rejects whatever it is."""
    return [
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings={
                "relayhost": f"[{RELAY_NAME}]:587",
                "smtp_sasl_auth_enable": "yes",
                "smtp_sasl_password_maps": "hash:/etc/postfix/sasl_passwd",
                **(settings or {}),
            },
            hash_maps={
                "sasl_passwd": (
                    f"[{RELAY_NAME}]:587 qradar-alerts@example.com:{password}\n"
                )
            },
            dns=relay_dns(),
            sinks=[relay_sink(port=587, auth_rejects=True)],
            layout=layout,
        )
    ]


CONNECTION_REFUSED = Scenario(
    name="connection-refused",
    description="The relay mail.example.com[192.0.2.25] has no SMTP listener, so every "
    "connection is refused and the messages stay deferred.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=single_relay_host(send_and_let_retry, "flat", start_with_host=False),
)

CONNECTION_TIMEOUT = Scenario(
    name="connection-timeout",
    description="A firewall drops SYNs to mail.example.com[192.0.2.25]:25 (an nftables "
    "rule in the host's namespace); with smtp_connect_timeout = 5s every attempt times "
    "out.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings={**BRACKETED_RELAY, "smtp_connect_timeout": "5s"},
            dns=relay_dns(),
            # Not started, because the dropped SYNs would fail aiosmtpd's self-test.
            sinks=[relay_sink(start_with_host=False)],
            nft_rules=[
                "table inet sample_firewall {",
                "  chain output {",
                "    type filter hook output priority 0; policy accept;",
                f"    ip daddr {RELAY_ADDRESS} tcp dport 25 drop",
                "  }",
                "}",
            ],
            layout="appliance",
        )
    ],
)

RELAY_DENIED = Scenario(
    name="relay-denied",
    description="The relay replies to RCPT with '554 5.7.1 <rcpt>: Relay access "
    "denied'; the messages bounce and the non-delivery notices are delivered to root's "
    "local mailbox.",
    expected_top_finding="relay-access-denied",
    healthy=False,
    hosts=single_relay_host(
        send_and_collect_bounces,
        "appliance",
        rcpt_reply="554 5.7.1 <{rcpt}>: Relay access denied",
    ),
)

RELAY_DENIED_TEMPORARY = Scenario(
    name="relay-denied-temporary",
    description="The relay replies to RCPT with '454 4.7.1 <rcpt>: Relay access "
    "denied'; the messages stay deferred.",
    expected_top_finding="relay-access-denied",
    healthy=False,
    hosts=single_relay_host(
        send_and_let_retry,
        "sosreport",
        rcpt_reply="454 4.7.1 <{rcpt}>: Relay access denied",
    ),
)

SENDER_REJECTED = Scenario(
    name="sender-rejected",
    description="The appliance's host name qradar-console.localdomain is not a real "
    "domain, so the relay rejects MAIL FROM:<root@qradar-console.localdomain> with "
    "'553 5.1.8 ... Sender address rejected: Domain not found'; the notices go to root "
    "locally.",
    expected_top_finding="sender-address-rejected",
    healthy=False,
    hosts=[
        HostPlan(
            hostname="qradar-console.localdomain",
            drive=send_and_collect_bounces,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[
                relay_sink(
                    mail_from_reply=(
                        "553 5.1.8 <{sender}>: Sender address rejected: "
                        "Domain not found"
                    )
                )
            ],
            layout="getlogs",
        )
    ],
)

SASL_AUTH_FAILED = Scenario(
    name="sasl-auth-failed",
    description="The relay on port 587 requires AUTH; Postfix has "
    "smtp_sasl_auth_enable = yes and a password map, and the relay replies '535 5.7.8 "
    "Authentication credentials invalid', so the messages stay deferred.",
    expected_top_finding="sasl-authentication-failed",
    healthy=False,
    hosts=sasl_relay_host(
        "not-the-password", "getlogs", {"smtp_sasl_security_options": "noanonymous"}
    ),
)

TLS_REQUIRED = Scenario(
    name="tls-required",
    description="smtp_tls_security_level = encrypt, but the relay offers no STARTTLS, "
    "so every message is deferred with 'TLS is required, but was not offered'.",
    expected_top_finding="tls-failure",
    healthy=False,
    hosts=single_relay_host(
        send_and_let_retry, "appliance", settings={"smtp_tls_security_level": "encrypt"}
    ),
)


def send_one_large(context: HostContext) -> None:
    context.send([SOC])
    context.send([SOC], size=80_000)
    context.send([SECOPS])
    context.wait_receptions(2)
    context.wait_mailbox(1)
    context.wait_queue_empty()


MESSAGE_TOO_LARGE = Scenario(
    name="message-too-large",
    description="The relay accepts at most 40000 bytes and replies '552 5.3.4 Message "
    "size exceeds fixed maximum message size' at end of DATA for one 80 kB message, "
    "which bounces; two small messages are delivered.",
    expected_top_finding="message-too-large",
    healthy=False,
    hosts=single_relay_host(send_one_large, "flat", max_message_size=40_000),
)


def send_to_unknown_user(context: HostContext) -> None:
    context.send([SOC])
    context.send([UNKNOWN_USER])
    context.send([SECOPS])
    context.send([UNKNOWN_USER])
    context.wait_receptions(2)
    context.wait_mailbox(2)
    context.wait_queue_empty()


UNKNOWN_RECIPIENT = Scenario(
    name="unknown-recipient",
    description="The relay replies '550 5.1.1 ... User unknown' for "
    "former.analyst@example.com: the two messages to that address bounce, the two "
    "others are delivered.",
    expected_top_finding="unknown-recipient",
    healthy=False,
    hosts=single_relay_host(
        send_to_unknown_user,
        "sosreport",
        rcpt_replies={UNKNOWN_USER: UNKNOWN_USER_REPLY},
    ),
)


def send_through_greylisting(context: HostContext) -> None:
    context.send([SOC])
    context.send([SECOPS, ANALYST])
    context.send([SOC])
    context.wait_receptions(3, timeout=90)
    context.wait_queue_empty()


GREYLISTING = Scenario(
    name="greylisting",
    description="The relay replies '450 4.7.1 ... Greylisted' to the first attempt of "
    "each sender and recipient pair and accepts the retry 8 s later; every message is "
    "delivered.",
    expected_top_finding="greylisting",
    healthy=True,
    finding_note="Only an info-level greylisting finding is expected: every deferral "
    "cleared itself.",
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_through_greylisting,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[relay_sink(greylist_seconds=8)],
            log_format="rfc3339",
            log_name="mail.log",
            layout="appliance",
        )
    ],
)


def send_bounced_alerts(context: HostContext) -> None:
    sender = f"alerts@{CONSOLE}"
    context.send([UNKNOWN_USER], envelope_sender=sender, header_from=sender)
    context.send(
        [UNKNOWN_USER, "old-soc@example.com"],
        envelope_sender=sender,
        header_from=sender,
    )
    context.wait_mailbox(2)
    context.wait_queue_empty()


BOUNCE_NOTICE = Scenario(
    name="bounce-notice",
    description="Notifications sent as alerts@qradar-console.example.com bounce with "
    "'550 5.1.1 User unknown'; the aliases file maps alerts to root, so each 'sender "
    "non-delivery notification' lands in /var/mail/root (to=<root@...>, "
    "orig_to=<alerts@...>).",
    expected_top_finding="unknown-recipient",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_bounced_alerts,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[relay_sink(rcpt_reply=UNKNOWN_USER_REPLY)],
            extra_aliases="alerts:\t\troot\n",
            layout="flat",
        )
    ],
)


def send_mixed(context: HostContext) -> None:
    for _ in range(3):
        context.send([SOC, UNKNOWN_USER, "oncall@example.net"])
    context.wait_receptions(3)
    context.wait_mailbox(3)
    pause(RETRY_WINDOW)


MIXED_RECIPIENTS = Scenario(
    name="mixed-recipients",
    description="Each message has three recipients: soc@example.com is delivered, "
    "former.analyst@example.com bounces with 550 5.1.1 and oncall@example.net stays "
    "deferred with '451 4.3.0 Temporary lookup failure'.",
    expected_top_finding="unknown-recipient",
    healthy=False,
    finding_note="The 550 5.1.1 bounces lose mail for good, while the 451 deferrals "
    "may still clear, so unknown-recipient ranks first.",
    hosts=single_relay_host(
        send_mixed,
        "getlogs",
        rcpt_replies={
            UNKNOWN_USER: UNKNOWN_USER_REPLY,
            "oncall@example.net": "451 4.3.0 <{rcpt}>: Temporary lookup failure",
        },
    ),
)
