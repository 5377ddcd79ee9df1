"""Scenarios in which a setting or a file on this host keeps mail queued: soft_bounce
left on, and a mailbox file that its user does not own."""

from __future__ import annotations

import os
from pathlib import Path

from ..host import HostContext
from ..model import HostPlan, Scenario
from .common import (
    ANALYST,
    CONSOLE,
    RELAY_NAME,
    RETRY_WINDOW,
    SOC,
    pause,
    relay_dns,
    relay_sink,
)
from .session import send_three

UNKNOWN_USER_REPLY = (
    "550 5.1.1 <{rcpt}>: Recipient address rejected: "
    "User unknown in virtual mailbox table"
)
LOCAL_USER = "daemon"
"""A user that every Debian system has, whose mailbox local(8) writes."""


def send_through_soft_bounce(context: HostContext) -> None:
    """Send three messages, two with soc@example.com among their recipients, let
    Postfix retry the rejected ones, then send one that the relay accepts after
    the last rejection."""
    send_three(context)
    context.wait_receptions(2)
    context.wait_deferred(2)
    pause(RETRY_WINDOW)
    context.send([ANALYST])
    context.wait_receptions(3)


SOFT_BOUNCE = Scenario(
    name="soft-bounce",
    description="soft_bounce = yes is left on. The relay replies '550 5.1.1 ... User "
    "unknown' for soc@example.com, which Postfix logs as status=SOFTBOUNCE and keeps "
    "queued until maximal_queue_lifetime instead of returning it; the relay accepts "
    "the other recipients, also after the last rejection.",
    expected_top_finding="unknown-recipient",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_through_soft_bounce,
            settings={"relayhost": f"[{RELAY_NAME}]", "soft_bounce": "yes"},
            dns=relay_dns(),
            sinks=[relay_sink(rcpt_replies={SOC: UNKNOWN_USER_REPLY})],
            layout="appliance",
        )
    ],
)


def send_to_root_owned_mailbox(context: HostContext) -> None:
    """Make the local user's mailbox a file of root, and send it two messages.

    local(8) opens mailboxes as root only in a folder that is not world-writable,
    and then rejects a mailbox that the recipient does not own. In the runner's
    world-writable /var/mail it would open the file as the user instead and fail
    with "Permission denied".
    """
    os.chmod("/var/mail", 0o755)
    mailbox = Path("/var/mail") / LOCAL_USER
    mailbox.write_text("")
    mailbox.chmod(0o600)
    context.send([LOCAL_USER], on_command_line=True)
    context.send([LOCAL_USER], on_command_line=True)
    context.send([SOC])
    context.wait_receptions(1)
    context.wait_deferred(2)
    pause(RETRY_WINDOW)


MAILBOX_OWNERSHIP = Scenario(
    name="mailbox-ownership",
    description="/var/mail/daemon belongs to root (mode 0600) and /var/mail has mode "
    "0755. local(8) defers the two messages for the local user daemon with 'destination "
    "/var/mail/daemon is not owned by recipient' and warns that "
    "strict_mailbox_ownership = no would ignore that; the message to soc@example.com "
    "is delivered.",
    expected_top_finding="mailbox-unwritable",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_to_root_owned_mailbox,
            settings={"relayhost": f"[{RELAY_NAME}]"},
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="getlogs",
        )
    ],
)

ALL = [SOFT_BOUNCE, MAILBOX_OWNERSHIP]
