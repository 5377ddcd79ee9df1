"""Scenarios that vary the log itself: rotation, RFC 3339 time, maillog_file."""

from __future__ import annotations

import time

from ..host import HostContext
from ..model import HostPlan, Scenario
from .common import CONSOLE, RELAY_NAME, SECOPS, SOC, pause, relay_dns, relay_sink
from .config import send_and_let_retry

BRACKETED_RELAY = {"relayhost": f"[{RELAY_NAME}]"}


def dateext_name(base: str) -> str:
    """Name a rotated file as logrotate's ``dateext`` and ``dateformat -%Y%m%d-%s`` do.

    The epoch suffix lets one day have several rotations, as this short run needs.
    """
    return f"{base}-{time.strftime('%Y%m%d')}-{int(time.time())}"


def retry_across_rotations(context: HostContext) -> None:
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.wait_deferred(2)
    pause(12)
    first = context.maillog.rotate(dateext_name("maillog"))
    context.send([SECOPS])
    context.send([SOC])
    context.wait_deferred(4)
    pause(14)
    context.maillog.rotate(dateext_name("maillog"))
    context.maillog.compress(first)
    pause(4)
    context.sinks.start("relay")
    context.wait_receptions(4, timeout=60)
    context.wait_mailbox(2, timeout=30)
    context.wait_queue_empty()


ROTATED_LOGS = Scenario(
    name="rotated-logs",
    description="The relay refuses connections for about 30 s, then comes back and the "
    "retries deliver everything; delay_warning_time = 10s sends a delay notice to root "
    "for each message. The log is rotated twice during the deferrals "
    "(maillog-DATE-EPOCH.gz, maillog-DATE-EPOCH, maillog).",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    finding_note="All mail is delivered in the end, but only after the relay was "
    "unreachable for several retries. The bounce daemon's warnings about "
    "delay_warning_time below one hour ('zero result in delay template conversion') "
    "are real Postfix 3.7 output.",
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=retry_across_rotations,
            settings={**BRACKETED_RELAY, "delay_warning_time": "10s"},
            dns=relay_dns(),
            sinks=[relay_sink(start_with_host=False)],
            layout="appliance",
        )
    ],
)

RFC3339 = Scenario(
    name="rfc3339",
    description="The localhost loop of localhost-loop (relayhost = localhost), logged "
    "by rsyslog's Debian 12 default format with RFC 3339 timestamps to "
    "/var/log/mail.log.",
    expected_top_finding="localhost-loop",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings={"relayhost": "localhost"},
            log_format="rfc3339",
            log_name="mail.log",
            layout="getlogs",
        )
    ],
)

POSTFIX_MAILLOG_FILE = Scenario(
    name="postfix-maillog-file",
    description="Connection refused by the relay, logged by Postfix's own postlogd "
    "(maillog_file = /var/log/maillog) instead of syslog.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[relay_sink(start_with_host=False)],
            log_format="maillog_file",
            layout="flat",
        )
    ],
)
