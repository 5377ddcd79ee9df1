"""Scenarios in which a setting of this host, or the relay's behaviour in the
session, stops the mail while the symptom looks like a network fault or a
wrong password.

They cover a mechanism filter, an alias list over its limit, a relay that
hangs up at DATA or replies 421, a data timeout shorter than the relay needs,
relayhost on the port of another service, and a sender that smtp_generic_maps
rewrites into one that the relay rejects."""

from __future__ import annotations

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
from .session import Drive, scripted_host, scripted_relay_drive, send_and_wait


def relay_host(drive: Drive, settings: dict[str, str], layout: str) -> list[HostPlan]:
    """Return the console host set to send through the scripted relay, with
    ``settings`` added to relayhost."""
    plan = scripted_host(drive, layout)[0]
    plan.settings = {"relayhost": f"[{RELAY_NAME}]", **settings}
    return [plan]


SASL_MECHANISM_FILTER = Scenario(
    name="sasl-mechanism-filter",
    description="smtp_sasl_mechanism_filter = cram-md5, digest-md5, while the relay "
    "offers only LOGIN and PLAIN: Postfix has no method left to log in with and "
    "defers every message ('offered no compatible authentication mechanisms').",
    expected_top_finding="sasl-no-mechanism",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_wait,
            settings={
                "relayhost": f"[{RELAY_NAME}]:587",
                "smtp_sasl_auth_enable": "yes",
                "smtp_sasl_password_maps": "hash:/etc/postfix/sasl_passwd",
                "smtp_sasl_security_options": "noanonymous",
                "smtp_sasl_mechanism_filter": "cram-md5, digest-md5",
            },
            hash_maps={
                "sasl_passwd": f"[{RELAY_NAME}]:587 qradar-alerts@example.com:secret\n"
            },
            dns=relay_dns(),
            sinks=[relay_sink(port=587, auth_rejects=True)],
            layout="appliance",
        )
    ],
)


def expansion_drive(context: HostContext) -> None:
    context.send([SOC])
    context.send([ANALYST])
    context.send([SOC, ANALYST])
    pause(RETRY_WINDOW)


ALIAS_EXPANSION_LIMIT = Scenario(
    name="alias-expansion-limit",
    description="virtual_alias_maps expands soc@example.com to four addresses, "
    "but virtual_alias_expansion_limit = 3: cleanup does not accept mail for "
    "soc@example.com ('unreasonable virtual_alias_maps map expansion size'), and "
    "pickup tries it again and again. Mail for analyst@example.org goes out.",
    expected_top_finding="mail-not-accepted",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=expansion_drive,
            settings={
                "relayhost": f"[{RELAY_NAME}]",
                "virtual_alias_maps": "hash:/etc/postfix/virtual",
                "virtual_alias_expansion_limit": "3",
            },
            hash_maps={
                "virtual": "soc@example.com analyst1@example.com, "
                "analyst2@example.com, analyst3@example.com, analyst4@example.com\n"
            },
            dns=relay_dns(),
            sinks=[relay_sink()],
            layout="appliance",
        )
    ],
)

SESSION_CUT_AT_DATA = Scenario(
    name="session-cut-at-data",
    description="The relay greets and accepts MAIL FROM and RCPT TO, then closes "
    "the connection at DATA, as a relay whose content scanner fails does: 'lost "
    "connection ... while sending DATA command'.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=relay_host(scripted_relay_drive(dialogue={"DATA": None}), {}, "flat"),
)

SERVER_ERROR_421 = Scenario(
    name="server-error-421",
    description="The relay replies to RCPT TO with '421 4.3.0 Temporary System "
    "Problem. Try again later.' and closes the session: the message's next "
    "recipient is logged as 'lost connection ... while sending RCPT TO'.",
    expected_top_finding="relay-server-error",
    healthy=False,
    hosts=relay_host(
        scripted_relay_drive(
            dialogue={"RCPT": "421 4.3.0 Temporary System Problem. Try again later."}
        ),
        {},
        "sosreport",
    ),
)

DATA_TIMEOUT = Scenario(
    name="data-timeout",
    description="smtp_data_done_timeout = 5s, and the relay needs 20 s to accept a "
    "message: Postfix gives up after sending it ('timed out while sending end of "
    "data -- message may be sent more than once') and sends it again later.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=relay_host(
        scripted_relay_drive(dialogue={}, data_done_delay=20.0),
        {"smtp_data_done_timeout": "5s"},
        "appliance",
    ),
)


RELAYHOST_WRONG_PORT = Scenario(
    name="relayhost-wrong-port",
    description="relayhost = [mail.example.com]:22, a typing error for :25. An SSH "
    "server listens there: it sends its version line, no SMTP greeting, and closes "
    "the connection 8 s later.",
    expected_top_finding="relay-connection-failed",
    healthy=False,
    hosts=relay_host(
        scripted_relay_drive(
            port=22,
            greeting="SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3",
            hang_up_after=8.0,
        ),
        {"relayhost": f"[{RELAY_NAME}]:22"},
        "flat",
    ),
)

GENERIC_MAPS_SENDER = Scenario(
    name="generic-maps-sender",
    description="smtp_generic_maps rewrites root@qradar-console.example.com to "
    "'qradar-alerts', which trivial-rewrite completes to "
    "qradar-alerts@qradar-console.example.com on the way out; the relay rejects "
    "that sender at MAIL FROM with '553 5.5.4 ... need fully-qualified address', "
    "and the messages bounce to root.",
    expected_top_finding="sender-address-rejected",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_wait,
            settings={
                "relayhost": f"[{RELAY_NAME}]",
                "smtp_generic_maps": "hash:/etc/postfix/generic",
            },
            hash_maps={"generic": f"root@{CONSOLE} qradar-alerts\n"},
            dns=relay_dns(),
            sinks=[
                relay_sink(
                    mail_from_reply="553 5.5.4 <{sender}>: Sender address rejected: "
                    "need fully-qualified address"
                )
            ],
            layout="flat",
        )
    ],
)

ALL = [
    SASL_MECHANISM_FILTER,
    ALIAS_EXPANSION_LIMIT,
    SESSION_CUT_AT_DATA,
    SERVER_ERROR_421,
    DATA_TIMEOUT,
    RELAYHOST_WRONG_PORT,
    GENERIC_MAPS_SENDER,
]
