"""Scenarios in which this host's own configuration keeps mail from leaving: an
alias loop that cleanup rejects, a transport that master.cf lacks, and a
header_checks rule that rejects the notifications."""

from __future__ import annotations

from pathlib import Path

from ..host import HostContext
from ..model import HostPlan, Scenario
from .common import CONSOLE, RELAY_NAME, SECOPS, SOC, relay_dns, relay_sink
from .session import send_and_wait, send_three

ALIAS_LOOP = Scenario(
    name="alias-loop",
    description="virtual_alias_maps maps soc@example.com to secops@example.net and "
    "secops@example.net back to soc@example.com. cleanup does not accept the two "
    "messages for them ('unreasonable virtual_alias_maps map nesting'), which stay "
    "in the maildrop queue; the message to analyst@example.org is delivered.",
    expected_top_finding="mail-not-accepted",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_wait,
            settings={
                "relayhost": f"[{RELAY_NAME}]",
                "virtual_alias_maps": "hash:/etc/postfix/virtual",
            },
            hash_maps={"virtual": f"{SOC}\t{SECOPS}\n{SECOPS}\t{SOC}\n"},
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="getlogs",
        )
    ],
)

TRANSPORT_TYPO = Scenario(
    name="transport-typo",
    description="default_transport = smpt, a typo of smtp that master.cf does not "
    "define: qmgr cannot connect to private/smpt, and every message stays deferred "
    "with 'mail transport unavailable'.",
    expected_top_finding="transport-missing",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_wait,
            settings={"relayhost": f"[{RELAY_NAME}]", "default_transport": "smpt"},
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="flat",
        )
    ],
)


def header_checks_drive(context: HostContext) -> None:
    Path("/etc/postfix/header_checks").write_text(
        "/^Subject: QRadar Offense/ REJECT Offense notifications are not allowed\n"
    )
    send_three(context)
    context.wait_mailbox(3)
    context.wait_queue_empty()


HEADER_CHECKS_REJECT = Scenario(
    name="header-checks-reject",
    description="header_checks = regexp:/etc/postfix/header_checks with a REJECT "
    "rule on 'Subject: QRadar Offense': cleanup rejects every notification, and "
    "the non-delivery notices go to root's mailbox.",
    expected_top_finding="content-check-stopped",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=header_checks_drive,
            settings={
                "relayhost": f"[{RELAY_NAME}]",
                "header_checks": "regexp:/etc/postfix/header_checks",
            },
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="sosreport",
        )
    ],
)

ALL = [ALIAS_LOOP, TRANSPORT_TYPO, HEADER_CHECKS_REJECT]
