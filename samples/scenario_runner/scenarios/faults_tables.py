"""Scenarios in which a lookup table that Postfix reads is out of date: its
text file was edited, but the database that postmap builds from it was not."""

from __future__ import annotations

import os
import time
from pathlib import Path

from ..host import HostContext
from ..model import HostPlan, Scenario
from .common import CONSOLE, RELAY_NAME, RETRY_WINDOW, pause, relay_dns, relay_sink
from .session import send_three

# The server that the company used before mail.example.com. Its address is put
# on the namespace's lo with nothing listening, so connections are refused.
OLD_RELAY_NAME = "old-relay.example.com"
OLD_RELAY_ADDRESS = "192.0.2.30"

TRANSPORT = "/etc/postfix/transport"
RECIPIENT_DOMAINS = ("example.com", "example.net", "example.org")

# Seconds by which the drive backdates the database and its edited text file.
# Postfix (dict_db.c) warns that a database is older than its source file only
# when the source file is newer and was changed more than 100 seconds ago.
DATABASE_AGE = 600
SOURCE_AGE = 300


def transport_entries(server: str) -> str:
    """Return a transport table that sends every recipient domain to ``server``."""
    return "".join(f"{domain} smtp:[{server}]\n" for domain in RECIPIENT_DOMAINS)


def stale_transport_drive(context: HostContext) -> None:
    """Edit the transport file to name the new relay without running postmap,
    backdate both files, then send three messages that the old database routes
    to the old relay."""
    Path(TRANSPORT).write_text(
        "# Moved to the new relay.\n" + transport_entries(RELAY_NAME)
    )
    now = time.time()
    os.utime(f"{TRANSPORT}.db", (now - DATABASE_AGE, now - DATABASE_AGE))
    os.utime(TRANSPORT, (now - SOURCE_AGE, now - SOURCE_AGE))
    send_three(context)
    context.wait_deferred(3)
    pause(RETRY_WINDOW)


STALE_TRANSPORT_TABLE = Scenario(
    name="stale-transport-table",
    description="transport_maps = hash:/etc/postfix/transport. The transport file "
    "was edited to send every domain to mail.example.com, relayhost's server, "
    "but postmap was not run: transport.db still sends the mail to "
    "old-relay.example.com, which refuses connections. trivial-rewrite logs "
    "'warning: database /etc/postfix/transport.db is older than source file "
    "/etc/postfix/transport', and every message is deferred.",
    expected_top_finding="lookup-table-stale",
    healthy=False,
    finding_note="The stale table is the cause of the refused connections: its "
    "old entries choose old-relay.example.com, which neither relayhost nor the "
    "edited transport file names.",
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=stale_transport_drive,
            settings={
                "relayhost": f"[{RELAY_NAME}]",
                "transport_maps": f"hash:{TRANSPORT}",
            },
            hash_maps={"transport": transport_entries(OLD_RELAY_NAME)},
            dns=relay_dns(**{OLD_RELAY_NAME: {"A": [OLD_RELAY_ADDRESS]}}),
            sinks=[relay_sink()],
            source_addresses=[OLD_RELAY_ADDRESS],
            layout="sosreport",
        )
    ],
)

ALL = [STALE_TRANSPORT_TABLE]
