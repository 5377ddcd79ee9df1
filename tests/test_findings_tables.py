"""Lookup tables whose database is older than its source file, and servers that a
routing table, not relayhost, sends the mail to."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import Analysis
from analyzer.report.context import build_context
from tests.test_findings_servers import HOST, analyze_lines, deferred

ROUTED_MAIN_CF = (
    "relayhost = [mail.example.com]\ntransport_maps = hash:/etc/postfix/transport\n"
)
OLD_RELAY_REFUSED = (
    "connect to old-relay.example.com[192.0.2.30]:25: Connection refused"
)


def stale(database: str, source: str, daemon: str = "trivial-rewrite[310]") -> str:
    """Return the warning that Postfix logs when it opens a table whose indexed
    file ``database`` is older than its text file ``source``."""
    return (
        f"Dec  4 09:59:59 {HOST} postfix/{daemon}: warning: database {database}"
        f" is older than source file {source}\n"
    )


def findings_of(analysis: Analysis, code: str) -> list[object]:
    return [f for f in analysis.findings if f.code == code]


@pytest.mark.parametrize(
    ("daemon", "database", "source", "main_cf", "command"),
    [
        (
            "trivial-rewrite[310]",
            "/etc/postfix/transport.db",
            "/etc/postfix/transport",
            ROUTED_MAIN_CF,
            "`postmap hash:/etc/postfix/transport`",
        ),
        (
            "smtp[303]",
            "/etc/postfix/sasl_passwd.db",
            "/etc/postfix/sasl_passwd",
            "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n",
            "`postmap hash:/etc/postfix/sasl_passwd`",
        ),
        (
            "cleanup[301]",
            "/etc/postfix/virtual.db",
            "/etc/postfix/virtual",
            None,
            "`postmap /etc/postfix/virtual`",
        ),
        (
            "smtp[303]",
            "/etc/postfix/generic.lmdb",
            "/etc/postfix/generic",
            None,
            "`postmap lmdb:/etc/postfix/generic`",
        ),
        (
            "cleanup[301]",
            "/etc/postfix/canonical.cdb",
            "/etc/postfix/canonical",
            "sender_canonical_maps = cdb:/etc/postfix/canonical\n",
            "`postmap cdb:/etc/postfix/canonical`",
        ),
        # Read through proxymap: postmap builds the table inside it.
        (
            "trivial-rewrite[310]",
            "/etc/postfix/transport.db",
            "/etc/postfix/transport",
            "transport_maps = proxy:hash:/etc/postfix/transport\n",
            "`postmap hash:/etc/postfix/transport`",
        ),
        (
            "local[320]",
            "/etc/aliases.db",
            "/etc/aliases",
            None,
            "`newaliases`",
        ),
        (
            "local[320]",
            "/etc/postfix/aliases.db",
            "/etc/postfix/aliases",
            "alias_maps = hash:/etc/postfix/aliases\n",
            "`newaliases`",
        ),
    ],
)
def test_stale_table_warning(
    tmp_path: Path,
    daemon: str,
    database: str,
    source: str,
    main_cf: str | None,
    command: str,
) -> None:
    """The warning alone, with mail delivered: Postfix uses the old database, so
    the remedy rebuilds it and reloads."""
    lines = [
        stale(database, source, daemon),
        *deferred("A1B2C3D4E5", "10:00:00", "x")[:3],
        f"Dec  4 10:00:01 {HOST} postfix/smtp[303]: A1B2C3D4E5: to=<soc@example.org>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F017AB)\n",
    ]
    analysis = analyze_lines(tmp_path, lines, main_cf)
    found = findings_of(analysis, "lookup-table-stale")
    assert len(found) == 1
    finding = found[0]
    assert finding.severity == "warning"
    assert finding.messages_affected == 0
    assert finding.params["database"] == database
    assert finding.params["source"] == source
    assert f"{database} is older than {source}" in finding.summary
    assert "not in effect" in finding.summary
    assert command in finding.remedy
    assert "`postfix reload`" in finding.remedy
    assert "is older than source file" in finding.evidence[0].text


def test_stale_transport_table_blamed(tmp_path: Path) -> None:
    """transport.db still names a server that refuses connections, while the edited
    transport file and relayhost name another: the stale table is the cause, and
    the failure quotes transport_maps, not relayhost."""
    lines = [stale("/etc/postfix/transport.db", "/etc/postfix/transport")]
    lines += deferred("A1B2C3D4E5", "10:00:00", OLD_RELAY_REFUSED)
    lines += deferred("B2C3D4E5F6", "10:00:05", OLD_RELAY_REFUSED)
    analysis = analyze_lines(tmp_path, lines, ROUTED_MAIN_CF)

    top = analysis.findings[0]
    assert top.code == "lookup-table-stale"
    assert top.severity == "error"
    assert top.messages_affected == 2
    assert "/etc/postfix/transport.db" in top.title
    assert "old-relay.example.com" in top.summary
    assert "`postmap hash:/etc/postfix/transport`" in top.remedy
    quoted = [e.text for e in top.evidence]
    assert "is older than source file /etc/postfix/transport" in quoted[0]
    assert "transport_maps = hash:/etc/postfix/transport" in quoted

    failure = findings_of(analysis, "relay-connection-failed")[0]
    assert failure.params["variant"] == "stale_table"
    assert failure.params["maps"] == "transport_maps"
    assert "cannot connect to the mail server" not in failure.title
    assert "/etc/postfix/transport.db" in failure.summary
    assert "That is not relayhost ([mail.example.com])" in failure.summary
    assert "`postmap hash:/etc/postfix/transport`" in failure.remedy
    quoted = [e.text for e in failure.evidence]
    assert "transport_maps = hash:/etc/postfix/transport" in quoted
    assert not [text for text in quoted if text.startswith("relayhost")]
    assert any("is older than source file" in text for text in quoted)

    detail = build_context(analysis, "en").verdict["detail"]
    assert "/etc/postfix/transport.db" in detail


def test_stale_table_that_routes_nothing(tmp_path: Path) -> None:
    """A stale sasl_passwd does not choose servers: the refused connection to
    another server than relayhost is transport_maps' alone."""
    lines = [stale("/etc/postfix/sasl_passwd.db", "/etc/postfix/sasl_passwd")]
    lines += deferred("A1B2C3D4E5", "10:00:00", OLD_RELAY_REFUSED)
    main_cf = (
        ROUTED_MAIN_CF + "smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd\n"
    )
    analysis = analyze_lines(tmp_path, lines, main_cf)
    failure = findings_of(analysis, "relay-connection-failed")[0]
    assert failure.params["variant"] == "routed_alone"
    stale_finding = findings_of(analysis, "lookup-table-stale")[0]
    assert stale_finding.severity == "warning"
    assert stale_finding.messages_affected == 0


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("transport_maps", "hash:/etc/postfix/transport"),
        ("sender_dependent_relayhost_maps", "hash:/etc/postfix/sender_relay"),
    ],
)
def test_routing_table_without_relayhost_mail(
    tmp_path: Path, setting: str, value: str
) -> None:
    """relayhost's server takes no mail in the log, and the failing server is
    another: the table chose it, so the finding quotes the table, not relayhost."""
    lines = deferred("A1B2C3D4E5", "10:00:00", OLD_RELAY_REFUSED)
    main_cf = f"relayhost = [mail.example.com]\n{setting} = {value}\n"
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.code == "relay-connection-failed"
    assert finding.params["variant"] == "routed_alone"
    assert finding.params["maps"] == setting
    assert finding.severity == "error"
    assert "That is not relayhost ([mail.example.com])" in finding.summary
    assert "cannot connect to the mail server" not in finding.title
    quoted = [e.text for e in finding.evidence]
    assert f"{setting} = {value}" in quoted
    assert not [text for text in quoted if text.startswith("relayhost")]


def test_relayhost_failing_too_not_routed(tmp_path: Path) -> None:
    """Failures at relayhost's own server among them: the network, not a table,
    is the likelier cause, so no table is named."""
    lines = deferred("A1B2C3D4E5", "10:00:00", OLD_RELAY_REFUSED)
    relay_refused = "connect to mail.example.com[192.0.2.25]:25: Connection refused"
    lines += deferred("B2C3D4E5F6", "10:00:05", relay_refused)
    finding = analyze_lines(tmp_path, lines, ROUTED_MAIN_CF).findings[0]
    assert finding.code == "relay-connection-failed"
    assert finding.params.get("variant") not in ("routed", "routed_alone")


def test_no_routing_table_no_table_named(tmp_path: Path) -> None:
    lines = deferred("A1B2C3D4E5", "10:00:00", OLD_RELAY_REFUSED)
    analysis = analyze_lines(tmp_path, lines, "relayhost = [mail.example.com]\n")
    finding = analysis.findings[0]
    assert finding.code == "relay-connection-failed"
    assert finding.params.get("variant") not in ("routed", "routed_alone")
