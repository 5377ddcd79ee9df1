"""Our fields against the grok test cases of postfix-grok-patterns.

Each corpus file ``whyscream__postfix-grok-patterns__test__*.yaml`` contains a
grok pattern name, a message body (``data``, without syslog header) and the
fields the pattern extracts (``results``). The test puts the body behind a
syslog header whose program is the daemon the pattern name implies, parses the
line, and compares every field that both sides name, through ``FIELD_MAP``.

Patterns that read a fragment of a line (``POSTFIX_DELAYS``, ``POSTFIX_RELAY``,
``POSTFIX_TLS_FEATURES``, ``POSTFIX_COMMAND_COUNTER_DATA``) are embedded in a
line of the record they come from, and the field that keeps the fragment whole
must equal ``data``.
"""

from __future__ import annotations

import io
import re
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest

from analyzer.parse.logfile import parse_log
from analyzer.parse.timestamps import YearReference
from tests.conftest import CORPUS

yaml = pytest.importorskip(
    "yaml", reason="PyYAML reads the grok cases; install it with the test extras"
)

PREFIX = "whyscream__postfix-grok-patterns__test__"
HEADER = "Mar 11 12:14:29 mx1.example.com postfix/{daemon}[123]: "

# Grok pattern name -> the daemon whose lines it reads.
DAEMONS = {
    "ANVIL": "anvil", "BOUNCE": "bounce", "CLEANUP": "cleanup",
    "DISCARD": "discard", "DNSBLOG": "dnsblog", "ERROR": "error", "LMTP": "lmtp",
    "LOCAL": "local", "MASTER": "master", "PICKUP": "pickup", "PIPE": "pipe",
    "POSTDROP": "postdrop", "POSTMAP": "postmap", "POSTSCREEN": "postscreen",
    "POSTSUPER": "postsuper", "QMGR": "qmgr", "SCACHE": "scache",
    "SCRIPT": "postfix-script", "SENDMAIL": "sendmail", "SMTP": "smtp",
    "SMTPD": "smtpd", "TLSMGR": "tlsmgr", "TLSPROXY": "tlsproxy",
    "TRIVIAL_REWRITE": "trivial-rewrite", "VERIFY": "verify", "VIRTUAL": "virtual",
}  # fmt: skip

# Fragment patterns: the line they are embedded in, and our field that keeps them.
_DELIVERY = (
    "3A1F2B7C9D: to=<bob@example.com>, relay={relay}, delay=1,"
    " delays={delays},{tls} dsn=2.0.0, status=sent (250 2.0.0 Ok)"
)
FRAGMENTS = {
    "DELAYS": ("smtp", "delays", lambda data: _DELIVERY.format(
        relay="mail.example.net[198.51.100.25]:25", delays=data, tls="")),
    "RELAY": ("lmtp", "relay", lambda data: _DELIVERY.format(
        relay=data, delays="0/0/0/0", tls="")),
    "TLS_FEATURES": ("smtp", "tls", lambda data: _DELIVERY.format(
        relay="mail.example.net[198.51.100.25]:25", delays="0/0/0/0",
        tls=f" tls={data},")),
    "COMMAND_COUNTER_DATA": ("smtpd", "counters", lambda data: (
        f"disconnect from client.example.net[192.0.2.10] {data}")),
}  # fmt: skip

# Grok field -> our fields, the first of which present in our result is
# compared. "queue_id" and "kind" are event columns; the rest are fields.
FIELD_MAP: dict[str, tuple[str, ...]] = {
    "postfix_queueid": ("queue_id",),
    "postfix_client_hostname": ("client",),
    "postfix_client_ip": ("client_ip",),
    "postfix_client_ip_unknown": ("client_ip",),
    "postfix_client_port": ("client_port",),
    "postfix_server_ip": ("server_ip",),
    "postfix_server_port": ("server_port",),
    "postfix_relay_hostname": ("relay",),
    "postfix_relay_ip": ("relay_ip",),
    "postfix_relay_port": ("relay_port",),
    "postfix_status": ("status",),
    "postfix_smtp_response": ("reply",),
    "postfix_local_response": ("reply",),
    "postfix_pipe_response": ("reply",),
    "postfix_error_response": ("reply",),
    "postfix_action": ("action",),
    "postfix_smtp_stage": ("stage",),
    "postfix_status_code": ("reply_code",),
    "postfix_status_code_enhanced": ("dsn",),
    "postfix_message-id": ("message_id",),
    "postfix_message": ("text",),
    "postfix_message_level": ("action", "kind"),
    "postfix_from": ("sender",),
    "postfix_termination_signal": ("signal",),
    "postfix_version": ("version",),
    "postfix_config_path": ("config",),
    "postfix_anvil_conn_count": ("value",),
    "postfix_anvil_conn_rate": ("value",),
    "postfix_anvil_cache_size": ("value",),
    "postfix_anvil_conn_period": ("period",),
    "postfix_anvil_timestamp": ("peak_time",),
    "postfix_service": ("service",),
    "postfix_bounce_queueid": ("child_queue_id",),
    "postfix_bounce_recipient": ("notified",),
    "postfix_bounce_reason": ("notice_type",),
    "postfix_dnsbl_domain": ("domain",),
    "postfix_dnsbl_result": ("result",),
    "postfix_postscreen_access": ("event_name",),
    "postfix_postscreen_violation": ("event_name",),
    "postfix_postscreen_violation_time": ("elapsed",),
    "postfix_postscreen_dnsbl_rank": ("rank",),
    "postfix_postscreen_cache_retained": ("retained",),
    "postfix_postscreen_cache_dropped": ("dropped",),
    "postfix_postscreen_toobusy_data": ("reply",),
    "postfix_postsuper_summary_action": ("action",),
    "postfix_postsuper_summary_count": ("count",),
    "postfix_scache_hits": ("hits",),
    "postfix_scache_miss": ("misses",),
    "postfix_scache_success": ("success_percent",),
    "postfix_scache_domains": ("domains",),
    "postfix_scache_addresses": ("addresses",),
    "postfix_scache_connection": ("connections",),
    "postfix_scache_timestamp": ("interval_start",),
    "postfix_verify_cleanup_type": ("cleanup",),
    "postfix_verify_cache_retained": ("retained",),
    "postfix_verify_cache_dropped": ("dropped",),
    "postfix_tls_trustlevel": ("trust",),
    "postfix_tls_version": ("protocol",),
    "postfix_tls_cipher": ("cipher",),
    "postfix_tls_cipher_size": ("cipher_bits",),
    "postfix_tls_key_exchange": ("key_exchange",),
    "postfix_tls_server_signature": ("server_signature",),
    "postfix_tls_server_signature_curve": ("server_signature_curve",),
    "postfix_tls_server_signature_size": ("server_signature_bits",),
    "postfix_tls_server_digest": ("server_digest",),
    "postfix_tls_error": ("reason",),
    "postfix_smtp_lostconn_data": ("condition", "reason"),
    "postfix_smtp_lostconn_reason": ("stage",),
    "postfix_smtpd_lostconn_data": ("condition",),
    "postfix_pix_workaround": ("workarounds",),
    "postfix_proxy_result": ("action",),
    "postfix_proxy_smtp_stage": ("stage",),
    "postfix_proxy_message": ("reply",),
    "postfix_proxy_status_code": ("reply_code",),
    "postfix_proxy_status_code_enhanced": ("dsn",),
    "postfix_discarded_ehlo_keywords": ("keywords",),
    "postfix_command_counter_data": ("counters",),
    "postfix_prepend_type": ("stage",),
    "postfix_prepend_trigger": ("content",),
    "postfix_prepend_value": ("text",),
}

# Grok fields that cut the line where we do not, so no field of ours has the
# same value: a span of several key=value fields, the reply split into its
# address and text, milter results named without the "milter-" prefix, the
# per-feature parts of tls= and of the SMTP command counters, the four delays,
# and postsuper actions named by their text where our kind names them.
NOT_COMPARED = {
    "postfix_keyvalue_data", "postfix_status_data", "postfix_status_message",
    "postfix_milter_result", "postfix_milter_message", "postfix_milter_data",
    "postfix_postsuper_action", "postfix_tls_security_level",
    "postfix_tls_downgrade_level", "postfix_tls_policy_undecided",
    "postfix_requiretls", "postfix_requiretls_downgrade_level",
    "postfix_requiretls_policy_undecided", "postfix_requiretls_policy_violation",
    "postfix_delay_before_qmgr", "postfix_delay_in_qmgr",
    "postfix_delay_conn_setup", "postfix_delay_transmission",
    "postfix_relay_service",
}  # fmt: skip

# The one case where both sides name a field but cut it differently: grok's
# message of a SASL failure leaves out the client that our text keeps.
DIFFERENT_CUT = {("smtpd_0029", "postfix_message")}


def grok_files() -> list[str]:
    folder = CORPUS / "maillog"
    if not folder.is_dir():
        return ["(corpus absent)"]
    return sorted(p.name for p in folder.glob(PREFIX + "*.yaml"))


def pattern_name(case: dict[str, Any]) -> str:
    match = re.fullmatch(r"\^%\{POSTFIX_(\w+)\}\$?", case["pattern"])
    assert match, case["pattern"]
    return match.group(1)


def as_log_text(data: str) -> str:
    """Write control characters as C escapes, as Postfix 3.x logs them.

    A raw line break would end the syslog line.
    """
    data = data.rstrip("\r\n")
    return data.encode("unicode_escape").decode("ascii").replace("\\\\", "\\")


def parse_one(line: str) -> tuple[dict[str, Any], dict[str, str]]:
    parsed = parse_log(
        io.BytesIO(line.encode() + b"\n"), "grok", YearReference(year=2024), UTC
    )
    events = parsed.events.to_pylist()
    assert len(events) == 1, line
    event = events[0]
    fields: dict[str, str] = {}
    table = parsed.fields.get(event["kind"])
    if table is not None:
        for row in table.to_pylist():
            if row["event"] == 0:
                fields = {
                    k: v for k, v in row.items() if k != "event" and v is not None
                }
    return event, fields


def ours(event: dict[str, Any], fields: dict[str, str], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in ("queue_id", "kind"):
            if event[name] is not None:
                return event[name]
        elif name in fields:
            return fields[name]
    return None


def normalize(field: str, value: Any) -> str:
    text = str(value)
    if field == "postfix_message-id":
        return text.removeprefix("<").removesuffix(">")
    return text


@pytest.mark.parametrize("name", grok_files())
def test_grok_case_fields_agree(name: str, corpus: Path) -> None:
    case = yaml.safe_load((corpus / "maillog" / name).read_text())
    case_id = name.removeprefix(PREFIX).removesuffix(".yaml")
    pattern = pattern_name(case)
    data = str(case["data"])
    if pattern in FRAGMENTS:
        daemon, field, embed = FRAGMENTS[pattern]
        event, fields = parse_one(HEADER.format(daemon=daemon) + embed(data))
        assert event["kind"] != "unknown", event["text"]
        assert fields.get(field) == data
        return
    daemon = DAEMONS[pattern]
    event, fields = parse_one(HEADER.format(daemon=daemon) + as_log_text(data))
    assert event["daemon"] == daemon
    assert event["kind"] != "unknown", event["text"]
    compared = 0
    for grok_field, value in (case.get("results") or {}).items():
        if grok_field in NOT_COMPARED or (case_id, grok_field) in DIFFERENT_CUT:
            continue
        assert grok_field in FIELD_MAP, f"unmapped grok field {grok_field}"
        mine = ours(event, fields, FIELD_MAP[grok_field])
        if mine is None:
            continue
        assert normalize(grok_field, mine) == normalize(grok_field, value), grok_field
        compared += 1
    print(f"{case_id}: {compared} fields compared")


def test_grok_cases_are_all_recognized(corpus: Path) -> None:
    names = grok_files()
    recognized = 0
    for name in names:
        case = yaml.safe_load((corpus / "maillog" / name).read_text())
        pattern = pattern_name(case)
        if pattern in FRAGMENTS:
            daemon, _, embed = FRAGMENTS[pattern]
            line = HEADER.format(daemon=daemon) + embed(str(case["data"]))
        else:
            line = HEADER.format(daemon=DAEMONS[pattern]) + as_log_text(
                str(case["data"])
            )
        event, _ = parse_one(line)
        recognized += event["kind"] != "unknown"
    print(f"grok cases: {recognized}/{len(names)} recognized")
    assert recognized == len(names)
