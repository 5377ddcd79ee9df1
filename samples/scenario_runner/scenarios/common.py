"""Names, addresses and sink factories shared by the scenarios.

Every name is under example.com, example.net or example.org, and every
address a documentation address (RFC 5737) or loopback. Sink addresses are
put on the ``lo`` of the host's own network namespace.
"""

from __future__ import annotations

import time
from typing import Any

from ..dns_stub import DnsSpec
from ..smtp_sink import SinkSpec

CONSOLE = "qradar-console.example.com"
PROCESSOR = "qradar-ep1.example.com"
RELAY_NAME = "mail.example.com"
RELAY_ADDRESS = "192.0.2.25"
SOC = "soc@example.com"
SECOPS = "secops@example.net"
ANALYST = "analyst@example.org"

# How long a scenario lets deferred mail retry before it collects the bundle,
# in seconds: with the 5 s backoff of postfix_instance.BASE_MAIN_CF, three or
# four delivery attempts per message.
RETRY_WINDOW = 25.0


def relay_dns(**extra: dict[str, list[Any]]) -> DnsSpec:
    """DNS view in which the relay mail.example.com has an A record and no MX."""
    return DnsSpec(records={RELAY_NAME: {"A": [RELAY_ADDRESS]}, **extra})


def relay_sink(**behaviour: Any) -> SinkSpec:
    """Return the sink that plays the customer's relay, mail.example.com[192.0.2.25]."""
    return SinkSpec(
        name="relay", address=RELAY_ADDRESS, server_name=RELAY_NAME, **behaviour
    )


def pause(seconds: float) -> None:
    time.sleep(seconds)
