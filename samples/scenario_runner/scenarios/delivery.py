"""Scenarios about where mail goes: content filter, local mailbox, two hosts."""

from __future__ import annotations

from ..host import HostContext
from ..model import HostPlan, Scenario
from ..smtp_sink import SinkSpec
from .common import (
    CONSOLE,
    PROCESSOR,
    RELAY_NAME,
    RETRY_WINDOW,
    SECOPS,
    SOC,
    pause,
    relay_dns,
    relay_sink,
)
from .config import deliver_all
from .relay import send_and_let_retry

BRACKETED_RELAY = {"relayhost": f"[{RELAY_NAME}]"}

# The amavisd-new style re-injection listener of Postfix's documentation
# (FILTER_README). Its syslog_name marks its lines as postfix/10025/smtpd.
REINJECTION_SERVICE = """\
127.0.0.1:10025 inet n  -       n       -       -       smtpd
    -o syslog_name=postfix/10025
    -o content_filter=
    -o receive_override_options=no_unknown_recipient_checks,no_header_body_checks
    -o smtpd_helo_restrictions=
    -o smtpd_client_restrictions=
    -o smtpd_sender_restrictions=
    -o smtpd_recipient_restrictions=permit_mynetworks,reject
    -o smtpd_relay_restrictions=permit_mynetworks,reject
    -o mynetworks=127.0.0.0/8
    -o smtpd_authorized_xforward_hosts=127.0.0.0/8
"""


def deliver_through_filter(context: HostContext) -> None:
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.send([SECOPS])
    context.wait_receptions(3, sink="relay")
    context.wait_queue_empty()


CONTENT_FILTER = Scenario(
    name="content-filter",
    description="content_filter = smtp:[127.0.0.1]:10024 hands each message to a "
    "filter that re-injects it into Postfix's 127.0.0.1:10025 smtpd ('queued as "
    "NEWID'); the copies are delivered to [mail.example.com].",
    expected_top_finding=None,
    healthy=True,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=deliver_through_filter,
            settings={**BRACKETED_RELAY, "content_filter": "smtp:[127.0.0.1]:10024"},
            dns=relay_dns(),
            sinks=[
                relay_sink(),
                SinkSpec(
                    name="filter",
                    address="127.0.0.1",
                    port=10024,
                    server_name="localhost",
                    reinject_to=("127.0.0.1", 10025),
                ),
            ],
            master_cf_extra=REINJECTION_SERVICE,
            layout="appliance",
        )
    ],
)


# Debian's amavisd-new transport, as its README.Postfix adds it to master.cf.
AMAVIS_TRANSPORT = """\
smtp-amavis unix -      -       n       -       2       smtp
    -o syslog_name=postfix/amavis
    -o smtp_data_done_timeout=1200
    -o smtp_send_xforward_command=yes
    -o disable_dns_lookups=yes
    -o max_use=20
"""

CONTENT_FILTER_UNREACHABLE = Scenario(
    name="content-filter-unreachable",
    description="content_filter = smtp-amavis:[127.0.0.1]:10024, but amavisd is not "
    "running: every connection to 127.0.0.1:10024 is refused and the messages stay "
    "deferred, never reaching the relay.",
    expected_top_finding="content-filter-unreachable",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings={
                **BRACKETED_RELAY,
                "content_filter": "smtp-amavis:[127.0.0.1]:10024",
            },
            dns=relay_dns(),
            sinks=[relay_sink()],
            master_cf_extra=AMAVIS_TRANSPORT + REINJECTION_SERVICE,
            layout="sosreport",
        )
    ],
)


def send_to_root(context: HostContext) -> None:
    context.send(["root"], on_command_line=True)
    context.send(["root"])
    context.send([SOC])
    context.send(["root"], on_command_line=True)
    context.wait_mailbox(3)
    context.wait_receptions(1)
    context.wait_queue_empty()


LOCAL_MAILBOX = Scenario(
    name="local-mailbox",
    description="Notifications addressed to 'root', which has no alias to a real "
    "address, are delivered to /var/mail/root (relay=local, 'delivered to mailbox'); "
    "one message to soc@example.com goes to the relay.",
    expected_top_finding="local-mailbox-delivery",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_to_root,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="flat",
        )
    ],
)


def send_and_loop(context: HostContext) -> None:
    for index in range(3):
        context.send([SOC] if index % 2 == 0 else [SOC, SECOPS])
    context.wait_deferred(3)
    pause(RETRY_WINDOW)


TWO_HOSTS = Scenario(
    name="two-hosts",
    description="A console that relays through [mail.example.com] and delivers, and an "
    "event processor whose relayhost = localhost loops back to itself; one bundle with "
    "a folder per host.",
    expected_top_finding="localhost-loop",
    healthy=False,
    finding_note="The localhost loop is on qradar-ep1.example.com; the console is "
    "healthy.",
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=deliver_all,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="appliance",
        ),
        HostPlan(
            hostname=PROCESSOR,
            drive=send_and_loop,
            settings={"relayhost": "localhost"},
            layout="appliance",
        ),
    ],
)
