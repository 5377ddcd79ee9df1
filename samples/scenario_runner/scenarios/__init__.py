"""Registry of all scenarios, by name, in the order they run."""

from __future__ import annotations

from ..model import Scenario
from . import (
    config,
    delivery,
    faults,
    faults_local,
    faults_tables,
    local,
    logs,
    policy,
    queue,
    relay,
    session,
)

ALL: list[Scenario] = [
    config.HEALTHY,
    config.LOCALHOST_LOOP,
    config.RELAYHOST_MX_LOOKUP,
    config.RELAYHOST_UNRESOLVABLE,
    relay.CONNECTION_REFUSED,
    relay.CONNECTION_TIMEOUT,
    relay.RELAY_DENIED,
    relay.RELAY_DENIED_TEMPORARY,
    relay.SENDER_REJECTED,
    relay.SASL_AUTH_FAILED,
    relay.TLS_REQUIRED,
    relay.MESSAGE_TOO_LARGE,
    relay.UNKNOWN_RECIPIENT,
    relay.GREYLISTING,
    queue.EXPIRED,
    queue.BACKLOG_FLUSH,
    queue.BACKLOG_DELETED,
    queue.HELD,
    delivery.CONTENT_FILTER,
    relay.BOUNCE_NOTICE,
    relay.MIXED_RECIPIENTS,
    delivery.LOCAL_MAILBOX,
    delivery.TWO_HOSTS,
    logs.ROTATED_LOGS,
    logs.RFC3339,
    logs.POSTFIX_MAILLOG_FILE,
    policy.HELO_REJECTED,
    policy.SASL_REQUIRED,
    policy.SASL_NO_MECHANISM,
    policy.TLS_REQUIRED_BY_SERVER,
    policy.IP_BLOCKLISTED,
    delivery.CONTENT_FILTER_UNREACHABLE,
    config.RELAYHOST_UNBRACKETED,
    queue.POSTFIX_STOPPED,
    *session.ALL,
    *local.ALL,
    *faults_tables.ALL,
    *faults.ALL,
    *faults_local.ALL,
]

SCENARIOS: dict[str, Scenario] = {scenario.name: scenario for scenario in ALL}
