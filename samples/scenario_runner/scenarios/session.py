"""Scenarios in which the relay takes the connection but not the session, and
in which Postfix has no password to log in with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..host import HostContext
from ..model import HostPlan, Scenario
from ..scripted_relay import ScriptedRelay
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


def send_three(context: HostContext) -> None:
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.send([ANALYST])


Drive = Callable[[HostContext], None]


def scripted_relay_drive(**relay_options: Any) -> Drive:
    """Return a drive that starts a ScriptedRelay in place of the relay, sends
    three messages and lets them retry."""

    def drive(context: HostContext) -> None:
        ScriptedRelay(RELAY_ADDRESS, **relay_options).start()
        send_three(context)
        context.wait_deferred(3)
        pause(RETRY_WINDOW)

    return drive


def scripted_host(drive: Drive, layout: str) -> list[HostPlan]:
    return [
        HostPlan(
            hostname=CONSOLE,
            drive=drive,
            settings={"relayhost": f"[{RELAY_NAME}]"},
            dns=relay_dns(),
            source_addresses=[RELAY_ADDRESS],
            layout=layout,
        )
    ]


GREETING_REFUSED = Scenario(
    name="greeting-refused",
    description="The relay answers every connection with '421 4.3.2 Service not "
    "available' instead of its greeting and closes it: every message stays deferred.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=scripted_host(
        scripted_relay_drive(
            greeting=f"421 4.3.2 {RELAY_NAME} Service not available, closing "
            "transmission channel",
            close_after_greeting=True,
        ),
        "appliance",
    ),
)

GREETING_BLOCKED = Scenario(
    name="greeting-blocked",
    description="The relay greets with '554 5.7.1 No SMTP service here' for this "
    "host's address; Postfix defers a 5xx greeting (smtp_skip_5xx_greeting = yes).",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=scripted_host(
        scripted_relay_drive(
            greeting=f"554 5.7.1 {RELAY_NAME} No SMTP service here for 192.0.2.1"
        ),
        "flat",
    ),
)

GREETING_DROPPED = Scenario(
    name="greeting-dropped",
    description="The relay, or a firewall in front of it, accepts the TCP "
    "connection and closes it before any greeting.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=scripted_host(scripted_relay_drive(greeting=None), "sosreport"),
)


def sasl_host(drive: Drive, password_key: str, layout: str) -> list[HostPlan]:
    """Return a host set to log in at the relay's port 587, with one password
    entry under ``password_key``. The relay demands a login."""
    return [
        HostPlan(
            hostname=CONSOLE,
            drive=drive,
            settings={
                "relayhost": f"[{RELAY_NAME}]:587",
                "smtp_sasl_auth_enable": "yes",
                "smtp_sasl_password_maps": "hash:/etc/postfix/sasl_passwd",
                "smtp_sasl_security_options": "noanonymous",
            },
            hash_maps={
                "sasl_passwd": f"{password_key} qradar-alerts@example.com:secret\n"
            },
            dns=relay_dns(),
            sinks=[relay_sink(port=587, auth_rejects=True)],
            layout=layout,
        )
    ]


def send_and_wait(context: HostContext) -> None:
    send_three(context)
    pause(RETRY_WINDOW)


SASL_PASSWORD_KEY = Scenario(
    name="sasl-password-key",
    description="smtp_sasl_auth_enable = yes, but sasl_passwd's key is "
    "'[mail.example.com]' while relayhost = [mail.example.com]:587: no entry "
    "matches, Postfix sends no login, and the relay answers MAIL with '530 5.7.0 "
    "Authentication required'.",
    expected_top_finding="sasl-required",
    healthy=False,
    hosts=sasl_host(send_and_wait, f"[{RELAY_NAME}]", "appliance"),
)


def table_missing_drive(context: HostContext) -> None:
    Path("/etc/postfix/sasl_passwd.db").unlink()
    send_three(context)
    pause(RETRY_WINDOW)


SASL_TABLE_MISSING = Scenario(
    name="sasl-table-missing",
    description="smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd, but "
    "postmap was never run: sasl_passwd.db is missing, and Postfix defers every "
    "message with 'local data error'.",
    expected_top_finding="lookup-table-unavailable",
    healthy=False,
    hosts=sasl_host(table_missing_drive, f"[{RELAY_NAME}]:587", "sosreport"),
)

ALL = [
    GREETING_REFUSED,
    GREETING_BLOCKED,
    GREETING_DROPPED,
    SASL_PASSWORD_KEY,
    SASL_TABLE_MISSING,
]
