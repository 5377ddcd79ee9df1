"""Scenarios about the queue: expiry, a backlog, held messages."""

from __future__ import annotations

from ..host import HostContext
from ..model import HostPlan, Scenario
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

BRACKETED_RELAY = {"relayhost": f"[{RELAY_NAME}]"}
BACKLOG_SIZE = 3000
# A backlog scenario retries nothing by itself: the customer's flush or
# delete ends it, and the log stays at a few lines per message.
NO_RETRY_TIMERS = {
    "queue_run_delay": "300s",
    "minimal_backoff_time": "300s",
    "maximal_backoff_time": "600s",
}


def send_until_expired(context: HostContext) -> None:
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.send([SECOPS])
    context.wait_deferred(3)
    context.wait_mailbox(3, timeout=150)
    context.wait_queue_empty()


EXPIRED = Scenario(
    name="expired",
    description="The relay refuses connections until maximal_queue_lifetime (45 s "
    "here) passes; each message ends 'status=expired, returned to sender' and the "
    "notices are delivered to root locally.",
    expected_top_finding="messages-expired",
    healthy=False,
    finding_note="The relay connection failures cause the expiry; the expiry is the "
    "loss the customer sees, so it ranks first.",
    timeout=300,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_until_expired,
            settings={
                **BRACKETED_RELAY,
                "maximal_queue_lifetime": "45s",
                "bounce_queue_lifetime": "45s",
            },
            dns=relay_dns(),
            sinks=[relay_sink(start_with_host=False)],
            layout="getlogs",
        )
    ],
)


def build_backlog(context: HostContext, rotate_midway: bool) -> None:
    """Queue BACKLOG_SIZE messages while the relay is down, then capture mailq."""
    half = BACKLOG_SIZE // 2
    context.send_many(half, [SOC])
    if rotate_midway:
        context.maillog.rotate_numbered()
    context.send_many(BACKLOG_SIZE - half, [SOC])
    context.wait_deferred(BACKLOG_SIZE, timeout=300)
    context.capture_commands()


def flush_backlog(context: HostContext) -> None:
    build_backlog(context, rotate_midway=True)
    context.maillog.rotate_numbered()
    context.sinks.start("relay")
    context.flush()
    context.wait_receptions(BACKLOG_SIZE, timeout=400)
    context.wait_queue_empty(timeout=120)


def delete_backlog(context: HostContext) -> None:
    build_backlog(context, rotate_midway=False)
    # First two single deletions, then the whole queue: postsuper logs
    # "QID: removed" for the first form and only a count for the second.
    first_ids = [entry["queue_id"] for entry in context.queue()][:2]
    context.delete(first_ids)
    context.delete_all()
    context.wait_queue_empty()


BACKLOG_FLUSH = Scenario(
    name="backlog-flush",
    description=f"{BACKLOG_SIZE} notifications queue up while the relay is down; the "
    f"bundle's mailq and postqueue -j show that backlog. Then the relay comes back and "
    f"'postfix flush' delivers all of them. The log is rotated twice (mail.log.2.gz, "
    f"mail.log.1, mail.log).",
    expected_top_finding="queue-backlog",
    healthy=False,
    finding_note="The mailq output shows thousands of queued messages; the connection "
    "failures that built the backlog rank below it.",
    timeout=900,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=flush_backlog,
            settings={**BRACKETED_RELAY, **NO_RETRY_TIMERS},
            dns=relay_dns(),
            sinks=[relay_sink(start_with_host=False)],
            log_format="rfc3339",
            log_name="mail.log",
            layout="sosreport",
        )
    ],
)

BACKLOG_DELETED = Scenario(
    name="backlog-deleted",
    description=f"{BACKLOG_SIZE} notifications queue up while the relay is down; the "
    f"bundle's mailq shows that backlog, then the administrator deletes two messages "
    f"with 'postsuper -d QID' and the rest with 'postsuper -d ALL'.",
    expected_top_finding="queue-backlog",
    healthy=False,
    finding_note="Same backlog as backlog-flush, ended by deletion, so every message "
    "is deleted.",
    timeout=900,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=delete_backlog,
            settings={**BRACKETED_RELAY, **NO_RETRY_TIMERS},
            dns=relay_dns(),
            sinks=[relay_sink(start_with_host=False)],
            layout="appliance",
        )
    ],
)


def hold_some(context: HostContext) -> None:
    for index in range(5):
        context.send([SOC] if index % 2 else [SECOPS])
    context.wait_deferred(5)
    pause(RETRY_WINDOW)
    held_ids = [entry["queue_id"] for entry in context.queue()][:2]
    context.hold(held_ids)
    context.sinks.start("relay")
    context.flush()
    context.wait_receptions(3)
    context.wait_until(
        lambda: len(context.queue()) == 2, 30, "only the held messages queued"
    )


HELD = Scenario(
    name="held",
    description="Five messages are deferred while the relay is down; the administrator "
    "puts two on hold with 'postsuper -h QID', then the relay comes back and 'postfix "
    "flush' delivers the other three. The two stay in the hold queue.",
    expected_top_finding="messages-on-hold",
    healthy=False,
    finding_note="The connection failures cleared; the held messages are what still "
    "blocks mail.",
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=hold_some,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[relay_sink(start_with_host=False)],
            layout="flat",
        )
    ],
)


def submit_while_stopped(context: HostContext) -> None:
    """Deliver one message, stop Postfix, then submit three that wait in maildrop."""
    context.send([SOC])
    context.wait_receptions(1)
    context.wait_queue_empty()
    context.postfix.stop()
    context.send([SOC])
    context.send([SOC, SECOPS])
    context.send([SECOPS])
    pause(2)
    context.capture_commands()


POSTFIX_STOPPED = Scenario(
    name="postfix-stopped",
    description="One message is delivered, then Postfix is stopped with 'postfix "
    "stop' and not started again. Three more notifications are submitted with "
    "sendmail: postdrop writes them to the maildrop queue, where they wait. Postfix "
    "3.7 logs nothing for them: the public/pickup socket is still there, so postdrop "
    "reports no lookup error. Only "
    "the queue listings, made with 'Mail system is down -- accessing queue "
    "directly', show them.",
    finding_note="The truth counts the three messages in the maildrop queue as "
    "deferred, the state of every message still queued and not on hold.",
    expected_top_finding="postfix-stopped",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=submit_while_stopped,
            settings=BRACKETED_RELAY,
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="getlogs",
        )
    ],
)
