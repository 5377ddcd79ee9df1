"""Scenarios in which a mail server rejects the appliance itself.

The server objects to the appliance's HELO name, its IP address, or the missing
login or TLS, not to a sender or recipient address.
"""

from __future__ import annotations

from ..dns_stub import DnsSpec
from ..model import HostPlan, Scenario
from ..smtp_sink import SinkSpec
from .common import CONSOLE, RELAY_NAME, relay_dns, relay_sink
from .relay import (
    sasl_relay_host,
    send_and_collect_bounces,
    send_and_let_retry,
    single_relay_host,
)

HELO_REJECTED = Scenario(
    name="helo-rejected",
    description="The relay checks the HELO name in its own DNS, where "
    "qradar-console.example.com is missing, and replies to RCPT with '450 4.7.1 "
    "<qradar-console.example.com>: Helo command rejected: Host not found', the reply "
    "of Postfix's reject_unknown_helo_hostname; the messages stay deferred.",
    expected_top_finding="helo-rejected",
    healthy=False,
    hosts=single_relay_host(
        send_and_let_retry,
        "sosreport",
        rcpt_reply="450 4.7.1 <{helo}>: Helo command rejected: Host not found",
    ),
)

SASL_REQUIRED = Scenario(
    name="sasl-required",
    description="relayhost = [mail.example.com]:587, a submission port that offers "
    "AUTH and replies to MAIL '530 5.7.0 Authentication required'; Postfix has no "
    "smtp_sasl settings, so it never logs in and the messages bounce, with the notices "
    "delivered to root.",
    expected_top_finding="sasl-required",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_collect_bounces,
            settings={"relayhost": f"[{RELAY_NAME}]:587"},
            dns=relay_dns(),
            sinks=[relay_sink(port=587, auth_rejects=True)],
            layout="flat",
        )
    ],
)

SASL_NO_MECHANISM = Scenario(
    name="sasl-no-mechanism",
    description="smtp_sasl_auth_enable = yes with a password map, and "
    "smtp_sasl_security_options left at its default, noplaintext, noanonymous. The "
    "relay on port 587 offers only AUTH LOGIN PLAIN, which that default forbids, so "
    "every attempt ends with 'No worthy mechs found' and 'no mechanism available' and "
    "the messages stay deferred.",
    expected_top_finding="sasl-no-mechanism",
    healthy=False,
    hosts=sasl_relay_host("example-password", "appliance"),
)

TLS_REQUIRED_BY_SERVER = Scenario(
    name="tls-required-by-server",
    description="The relay lists STARTTLS and replies to MAIL '530 5.7.0 Must issue a "
    "STARTTLS command first', but smtp_tls_security_level = none, so Postfix never "
    "starts TLS and the messages bounce, with the notices delivered to root.",
    expected_top_finding="tls-required-by-server",
    healthy=False,
    hosts=single_relay_host(
        send_and_collect_bounces,
        "getlogs",
        settings={"smtp_tls_security_level": "none"},
        advertise_starttls=True,
        mail_from_reply="530 5.7.0 Must issue a STARTTLS command first",
    ),
)

# Postfix sends from this address, so the blocklist reply names the appliance,
# not the receiving server's own address.
APPLIANCE_ADDRESS = "198.51.100.7"
RECIPIENT_MX_NAME = "mx1.example.net"
RECIPIENT_MX_ADDRESS = "203.0.113.25"

IP_BLOCKLISTED = Scenario(
    name="ip-blocklisted",
    description="relayhost is not set, so Postfix delivers to the recipient domains' "
    "MX host mx1.example.net itself. That server finds the appliance's address "
    "198.51.100.7 on the DNS blocklist dnsbl.example.org and replies to RCPT with "
    "'554 5.7.1 Service unavailable; Client host [198.51.100.7] blocked using "
    "dnsbl.example.org'; the messages bounce, with the notices delivered to root.",
    expected_top_finding="ip-blocklisted",
    healthy=False,
    hosts=[
        HostPlan(
            hostname=CONSOLE,
            drive=send_and_collect_bounces,
            settings={"smtp_bind_address": APPLIANCE_ADDRESS},
            dns=DnsSpec(
                records={
                    domain: {"MX": [(10, RECIPIENT_MX_NAME)]}
                    for domain in ("example.com", "example.net", "example.org")
                }
                | {RECIPIENT_MX_NAME: {"A": [RECIPIENT_MX_ADDRESS]}}
            ),
            sinks=[
                SinkSpec(
                    name="mx",
                    address=RECIPIENT_MX_ADDRESS,
                    server_name=RECIPIENT_MX_NAME,
                    rcpt_reply=(
                        "554 5.7.1 Service unavailable; Client host [{client}] "
                        "blocked using dnsbl.example.org; "
                        "https://dnsbl.example.org/query/ip/{client}"
                    ),
                )
            ],
            source_addresses=[APPLIANCE_ADDRESS],
            layout="appliance",
        )
    ],
)
