"""Scenarios whose cause is the relayhost setting or the name service."""

from __future__ import annotations

from ..dns_stub import DnsSpec
from ..host import HostContext
from ..model import HostPlan, Scenario
from ..smtp_sink import SinkSpec
from .common import (
    CONSOLE,
    RELAY_NAME,
    RETRY_WINDOW,
    SECOPS,
    SOC,
    pause,
    relay_dns,
    relay_sink,
)


def send_and_let_retry(context: HostContext, count: int = 4) -> None:
    for index in range(count):
        context.send([SOC] if index % 2 == 0 else [SOC, SECOPS])
    context.wait_deferred(count)
    pause(RETRY_WINDOW)


def deliver_all(context: HostContext) -> None:
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.send([SECOPS], on_command_line=True)
    context.send([SOC])
    context.wait_receptions(4)
    context.wait_queue_empty()


HEALTHY = Scenario(
    name="healthy",
    description="relayhost = [mail.example.com] and the relay accepts every message; "
    "four offense notifications are delivered.",
    expected_top_finding=None,
    healthy=True,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=deliver_all,
            settings={"relayhost": f"[{RELAY_NAME}]"},
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="appliance",
        )
    ],
)

LOCALHOST_LOOP = Scenario(
    name="localhost-loop",
    description="relayhost = localhost: Postfix resolves localhost to 127.0.0.1, its "
    "own address, and defers every message with 'mail for localhost loops back to "
    "myself' (dsn=4.3.5) after 'warning: relayhost configuration problem'.",
    expected_top_finding="localhost-loop",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings={"relayhost": "localhost"},
            dns=DnsSpec(),
            layout="flat",
        )
    ],
)

RELAYHOST_MX_LOOKUP = Scenario(
    name="relayhost-mx-lookup",
    description="relayhost = mail.example.com without brackets, so Postfix asks for "
    "its MX record; the DNS server answers SERVFAIL and every message is deferred with "
    "dsn=4.4.3.",
    expected_top_finding="relayhost-mx-lookup",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings={"relayhost": RELAY_NAME},
            dns=DnsSpec(
                records={RELAY_NAME: {"A": ["192.0.2.25"]}},
                failures={(RELAY_NAME, "MX"): "SERVFAIL"},
            ),
            sinks=[relay_sink()],
            layout="sosreport",
        )
    ],
)

RELAYHOST_UNRESOLVABLE = Scenario(
    name="relayhost-unresolvable",
    description="relayhost = [mial.example.com], a typo: its A lookup gets NXDOMAIN, "
    "so every message is deferred with dsn=4.3.5 and 'Name service error for "
    "name=mial.example.com type=A: Host not found' after 'warning: relayhost "
    "configuration problem'.",
    expected_top_finding="relayhost-unresolvable",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_let_retry,
            settings={"relayhost": "[mial.example.com]"},
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="getlogs",
        )
    ],
)

# The MX host of mail.example.com: the company's inbound gateway, a different
# server from the relay that the administrator meant.
INBOUND_MX_NAME = "mx-in.example.com"
INBOUND_MX_ADDRESS = "192.0.2.26"

RELAYHOST_UNBRACKETED = Scenario(
    name="relayhost-unbracketed",
    description="relayhost = mail.example.com without brackets, and DNS gives "
    "mail.example.com both an A record (192.0.2.25, the relay) and an MX record "
    "naming the inbound gateway mx-in.example.com (192.0.2.26). Postfix follows the "
    "MX, so every message is delivered to mx-in.example.com, never to the relay that "
    "relayhost names.",
    expected_top_finding="relayhost-unbracketed",
    healthy=False,
    finding_note="Nothing fails yet, but mail goes to a server that relayhost does "
    "not name, and would be deferred if that MX record went away.",
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=deliver_all,
            settings={"relayhost": RELAY_NAME},
            dns=DnsSpec(
                records={
                    RELAY_NAME: {
                        "A": ["192.0.2.25"],
                        "MX": [(10, INBOUND_MX_NAME)],
                    },
                    INBOUND_MX_NAME: {"A": [INBOUND_MX_ADDRESS]},
                }
            ),
            sinks=[
                relay_sink(),
                SinkSpec(
                    name="inbound-mx",
                    address=INBOUND_MX_ADDRESS,
                    server_name=INBOUND_MX_NAME,
                ),
            ],
            layout="flat",
        )
    ],
)
