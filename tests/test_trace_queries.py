"""Queries of ``trace``: the message key that it prints, and the relay host name
or IP address that deliveries went to or were attempted at."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.api import Analysis, analyze_bundle
from analyzer.cli import main
from analyzer.terminal import find_messages
from tests.conftest import SAMPLES

SENT = "250 2.0.0 Ok: queued as 7B3C"
REFUSED = "connect to mx.dead.example.org[198.51.100.9]:25: Connection refused"


def lifetime(
    host: str, program: str, queue_id: str, minute: int, relay: str, reply: str
) -> str:
    """Return the lines of one message that ``host`` sends to ``relay``."""
    head = f"Dec  3 10:{minute:02d}:00 {host} {program}"
    status = "sent" if reply == SENT else "deferred"
    lines = (
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/cleanup[301]: {queue_id}: message-id=<{queue_id}.{minute}@example.com>\n"
        f"{head}/qmgr[302]: {queue_id}: from=<root@{host}.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/smtp[303]: {queue_id}: to=<bob@example.net>, relay={relay}, delay=1,"
        f" delays=0/0/1/0, dsn=2.0.0, status={status} ({reply})\n"
    )
    if status == "sent":
        lines += f"{head}/qmgr[302]: {queue_id}: removed\n"
    return lines


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Write a log of two hosts that share a queue ID. mx1 uses it twice and
    runs a second instance, postfix-out, whose one message is deferred."""
    log = (
        lifetime("mx1", "postfix", "4A1B2C0000", 1, "mx.example.net[198.51.100.25]:25", SENT)
        + lifetime("mx1", "postfix", "4A1B2C0000", 2, "mx.example.net[198.51.100.25]:25", SENT)
        + lifetime("mx2", "postfix", "4A1B2C0000", 3, "mx.other.example[198.51.100.26]:25", SENT)
        + lifetime("mx1", "postfix-out", "5B2C3D0000", 4, "none", REFUSED)
    )  # fmt: skip
    path = tmp_path_factory.mktemp("trace") / "maillog"
    path.write_text(log)
    return path


@pytest.fixture(scope="module")
def analysis(bundle: Path) -> Analysis:
    return analyze_bundle(bundle, year=2026)


def test_message_keys_as_expected(analysis: Analysis) -> None:
    assert analysis.messages.index.tolist() == [
        "mx1:4A1B2C0000",
        "mx1:4A1B2C0000#2",
        "mx2:4A1B2C0000",
        "mx1:postfix-out:5B2C3D0000",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mx1:4A1B2C0000", ["mx1:4A1B2C0000", "mx1:4A1B2C0000#2"]),
        ("mx1:4A1B2C0000#2", ["mx1:4A1B2C0000#2"]),
        ("mx2:4a1b2c0000", ["mx2:4A1B2C0000"]),
        ("mx1:postfix-out:5B2C3D0000", ["mx1:postfix-out:5B2C3D0000"]),
        ("mx1:5B2C3D0000", ["mx1:postfix-out:5B2C3D0000"]),
        ("mx1:4A1B2C0000#1", ["mx1:4A1B2C0000"]),
        ("mx1:postfix-out:5B2C3D0000#1", ["mx1:postfix-out:5B2C3D0000"]),
        ("mx1:postfix:4A1B2C0000#2", ["mx1:4A1B2C0000#2"]),
        ("mx1:4A1B2C0000#3", []),
        ("4A1B2C0000#2", ["mx1:4A1B2C0000#2"]),
        ("4a1b2c0000#1", ["mx1:4A1B2C0000", "mx2:4A1B2C0000"]),
        ("mx3:4A1B2C0000", []),
    ],
)
def test_trace_by_message_key(
    analysis: Analysis, query: str, expected: list[str]
) -> None:
    assert find_messages(analysis, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("mx.example.net", ["mx1:4A1B2C0000", "mx1:4A1B2C0000#2"]),
        ("MX.Example.NET", ["mx1:4A1B2C0000", "mx1:4A1B2C0000#2"]),
        ("198.51.100.26", ["mx2:4A1B2C0000"]),
        ("mx.dead.example.org", ["mx1:postfix-out:5B2C3D0000"]),
        ("198.51.100.9", ["mx1:postfix-out:5B2C3D0000"]),
        ("[mx.example.net]", ["mx1:4A1B2C0000", "mx1:4A1B2C0000#2"]),
        ("mx.example.net:25", ["mx1:4A1B2C0000", "mx1:4A1B2C0000#2"]),
        ("198.51.100.26:25", ["mx2:4A1B2C0000"]),
        ("[198.51.100.26]:25", ["mx2:4A1B2C0000"]),
        ("dead.example.org", []),
        ("198.51.100.2", []),
        # A port given must be the port of the relay= or "connect to" line.
        ("mx.example.net:587", []),
        ("[198.51.100.26]:587", []),
        ("mx.dead.example.org:25", ["mx1:postfix-out:5B2C3D0000"]),
        # The relay as Postfix logs it, copied from relay= or deliveries.relay.
        ("mx.example.net[198.51.100.25]:25", ["mx1:4A1B2C0000", "mx1:4A1B2C0000#2"]),
        ("mx.other.example[198.51.100.26]", ["mx2:4A1B2C0000"]),
        ("mx.example.net[198.51.100.26]", []),
        ("none", []),
    ],
)
def test_trace_by_relay(analysis: Analysis, query: str, expected: list[str]) -> None:
    assert find_messages(analysis, query) == expected


def test_trace_cli_accepts_printed_key(bundle: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["trace", str(bundle), "mx1:4A1B2C0000#2"])
    assert result.exit_code == 0, result.output
    assert "== mx1:4A1B2C0000#2" in result.output
    assert "== mx2:4A1B2C0000" not in result.output


def test_trace_by_client(tmp_path: Path) -> None:
    """The client that submitted a message, by name or address."""
    log = (
        "Dec  3 10:00:00 mx1 postfix/smtpd[400]: 6C3D4E0000:"
        " client=app1.example.com[192.0.2.50]\n"
        "Dec  3 10:00:01 mx1 postfix/qmgr[302]: 6C3D4E0000:"
        " from=<app@example.com>, size=700, nrcpt=1 (queue active)\n"
    )
    (tmp_path / "maillog").write_text(log)
    analysis = analyze_bundle(tmp_path, year=2026)
    for query in (
        "app1.example.com",
        "192.0.2.50",
        "APP1.example.com",
        "app1.example.com[192.0.2.50]",
    ):
        assert find_messages(analysis, query) == ["mx1:6C3D4E0000"], query
    assert find_messages(analysis, "unknown[192.0.2.50]") == []


def test_trace_by_pipe_and_lmtp_socket_relay(tmp_path: Path) -> None:
    """Deliveries to a pipe transport or an LMTP socket name no SMTP server; the
    relay as logged finds them."""
    head = "Dec  3 10:00:00 mx1 postfix"
    (tmp_path / "maillog").write_text(
        f"{head}/pipe[500]: 7D4E5F0001: to=<ann@example.com>, relay=dovecot,"
        " delay=0.1, delays=0/0/0/0.1, dsn=2.0.0, status=sent (delivered via"
        " dovecot service)\n"
        f"{head}/lmtp[501]: 7D4E5F0002: to=<bob@example.com>,"
        " relay=mail.example.com[private/dovecot-lmtp], delay=0.1,"
        " delays=0/0/0/0.1, dsn=2.0.0, status=sent (250 2.0.0 <bob@example.com>"
        " Saved)\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert find_messages(analysis, "dovecot") == ["mx1:7D4E5F0001"]
    assert find_messages(analysis, "private/dovecot-lmtp") == ["mx1:7D4E5F0002"]
    assert find_messages(analysis, "mail.example.com[private/dovecot-lmtp]") == [
        "mx1:7D4E5F0002"
    ]
    assert find_messages(analysis, "mail.example.com") == ["mx1:7D4E5F0002"]


def test_trace_marks_repeated_hour_with_offset(tmp_path: Path) -> None:
    """On 2026-11-01 New York's clocks go back from 02:00 EDT to 01:00 EST: a
    trace shows the UTC offset of the times that happen twice, so that a
    delivery at 01:05 reads as later than a deferral at 01:50."""
    head = "mx6 postfix"
    (tmp_path / "maillog").write_text(
        f"Nov  1 00:59:00 {head}/qmgr[503]: 6D4E5F0009: removed\n"
        f"Nov  1 01:50:00 {head}/pickup[501]: 6D4E5F0001: uid=0 from=<root>\n"
        f"Nov  1 01:50:30 {head}/smtp[504]: 6D4E5F0001: to=<ops@example.net>,"
        " relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred"
        " (connect to mx.example.net[198.51.100.30]:25: Connection timed out)\n"
        f"Nov  1 01:05:01 {head}/smtp[505]: 6D4E5F0001: to=<ops@example.net>,"
        " relay=mx.example.net[198.51.100.30]:25, delay=901, delays=900/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
        f"Nov  1 02:30:00 {head}/qmgr[503]: 6D4E5F0001: removed\n"
    )
    result = CliRunner().invoke(
        main,
        ["trace", str(tmp_path), "6D4E5F0001", "--year", "2026",
         "--timezone", "America/New_York"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "2026-11-01 01:50:00-04:00  pickup" in result.output
    assert "2026-11-01 01:05:01-05:00  smtp" in result.output
    # Times that happen once keep their plain form.
    assert "2026-11-01 02:30:00  qmgr" in result.output


REJECTED = (
    "Dec  3 10:00:00 mx1 postfix/smtpd[400]: NOQUEUE: reject: RCPT from"
    " unknown[198.51.100.99]: 554 5.7.1 <x@example.org>: Relay access denied;"
    " from=<spam@example.net> to=<x@example.org> proto=ESMTP helo=<spam>\n"
)


@pytest.mark.parametrize("query", ["x@example.org", "<X@example.org>", "198.51.100.99"])
def test_trace_shows_lines_refused_before_queueing(tmp_path: Path, query: str) -> None:
    """Mail refused at RCPT gets no queue ID: trace shows the NOQUEUE lines that
    name the address or client and says so, still with the no-match exit code."""
    (tmp_path / "maillog").write_text(REJECTED)
    result = CliRunner().invoke(main, ["trace", str(tmp_path), query, "--year", "2026"])
    assert result.exit_code == 6
    assert "1 line(s) without a queue ID" in result.stdout
    assert "Relay access denied" in result.stdout
    assert "[maillog:1]" in result.stdout
    assert "rejected before it was queued" in result.stderr


def test_trace_japanese_rejected_lines(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(REJECTED)
    result = CliRunner().invoke(
        main, ["trace", str(tmp_path), "x@example.org", "--year", "2026", "--lang", "ja"]
    )  # fmt: skip
    assert result.exit_code == 6
    assert result.stdout.startswith("キュー ID のない行 1 件：")  # noqa: RUF001
    # The log line itself stays as Postfix wrote it.
    assert "Relay access denied" in result.stdout
    assert "'x@example.org' に一致するメッセージはありません。" in result.stderr
    assert "キューに入る前に拒否された" in result.stderr


def test_trace_japanese_timeline(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(
        "Dec  3 09:00:00 mx1 postfix/pickup[300]: 5A5A5A5A5A: uid=0 from=<root>\n"
        "Dec  3 09:00:00 mx1 postfix/qmgr[302]: 5A5A5A5A5A: from=<root@example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
        "Dec  3 09:00:01 mx1 postfix/smtp[303]: 5A5A5A5A5A: to=<a@example.org>,"
        " relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred"
        " (connect to mail.example.org[192.0.2.25]:25: Connection timed out)\n"
    )
    result = CliRunner().invoke(
        main, ["trace", str(tmp_path), "5A5A5A5A5A", "--year", "2026", "--lang", "ja"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "メッセージ 1 件（時刻は UTC）"  # noqa: RUF001
    assert lines[2] == "== mx1:5A5A5A5A5A  [配送待ち]  送信者 <root@example.com>"
    assert "status=deferred (connect to" in result.stdout


def test_trace_says_when_the_logs_show_no_message(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(REJECTED)
    result = CliRunner().invoke(main, ["trace", str(tmp_path), "a@example.com"])
    assert result.exit_code == 6
    assert result.stdout == ""
    assert "show no message at all" in result.stderr


def test_trace_orders_line_without_time(tmp_path: Path) -> None:
    """A line whose stamp cannot be read (Dec 32) stays between its neighbours."""
    head = "mx1 postfix"
    (tmp_path / "maillog").write_text(
        f"Dec  3 09:00:00 {head}/pickup[300]: 5A5A5A5A5A: uid=0 from=<root>\n"
        f"Dec  3 09:00:00 {head}/qmgr[302]: 5A5A5A5A5A: from=<root@example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
        f"Dec 32 09:00:01 {head}/smtp[303]: 5A5A5A5A5A: to=<a@example.org>,"
        " relay=mx.example.org[198.51.100.20]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
        f"Dec  3 09:00:02 {head}/qmgr[302]: 5A5A5A5A5A: removed\n"
    )
    result = CliRunner().invoke(
        main, ["trace", str(tmp_path), "5A5A5A5A5A", "--year", "2026"]
    )
    assert result.exit_code == 0, result.output
    order = [
        line.rsplit("[maillog:", 1)[1]
        for line in result.stdout.splitlines()
        if "[maillog:" in line
    ]
    assert order == ["1]", "2]", "3]", "4]"]


def test_trace_null_sender_by_either_name() -> None:
    """Bounce notices come from the null sender, which Postfix logs as from=<>
    and names MAILER-DAEMON in the notice."""
    analysis = analyze_bundle(SAMPLES / "bounce-notice.tar.gz")
    notices = find_messages(analysis, "MAILER-DAEMON")
    assert notices
    assert find_messages(analysis, "<>") == notices
    assert (analysis.messages.loc[notices, "sender"] == "").all()


def test_trace_key_with_full_host_name(analysis: Analysis) -> None:
    """Bundle folders often carry the full name; keys use the syslog name."""
    assert find_messages(analysis, "mx2.example.com:4A1B2C0000") == ["mx2:4A1B2C0000"]


@pytest.mark.parametrize(
    ("sample", "query"),
    [("localhost-loop", "localhost"), ("localhost-loop", "[localhost]"),
     ("relayhost-unresolvable", "mial.example.com")],
)  # fmt: skip
def test_trace_relay_never_reached(sample: str, query: str) -> None:
    """relayhost as the report quotes it finds the messages tried there, also
    when no address was reached: a loop back to this host, or a name not in DNS."""
    analysis = analyze_bundle(SAMPLES / f"{sample}.tar.gz")
    deferred = analysis.messages.index[analysis.messages["deferred"] > 0].tolist()
    assert deferred
    assert sorted(find_messages(analysis, query)) == sorted(deferred)


def test_trace_address_literal_not_used(tmp_path: Path) -> None:
    """With inet_protocols = ipv6, Postfix names relayhost = [192.0.2.25] without
    brackets when it will not use it: the address still finds the messages."""
    (tmp_path / "maillog").write_text(
        "Dec  4 10:00:00 mx1 postfix/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        "Dec  4 10:00:00 mx1 postfix/smtp[303]: A1B2C3D4E5: to=<ops@example.com>, "
        "relay=none, delay=0.1, delays=0.1/0/0/0, dsn=4.3.5, status=deferred (Name "
        "service error for 192.0.2.25: invalid host or domain name)\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    assert find_messages(analysis, "192.0.2.25") == ["mx1:A1B2C3D4E5"]
    assert find_messages(analysis, "[192.0.2.25]") == ["mx1:A1B2C3D4E5"]
    assert find_messages(analysis, "192.0.2.2") == []


def test_trace_address_finds_tries() -> None:
    """A try that cleanup did not accept names its address only in the warning."""
    analysis = analyze_bundle(SAMPLES / "alias-loop.tar.gz")
    tries = analysis.messages.index[analysis.messages["final_state"] == "not_accepted"]
    assert set(tries) <= set(find_messages(analysis, "soc@example.com"))
    assert not set(tries) & set(find_messages(analysis, "analyst@example.org"))


def test_trace_names_the_port_used() -> None:
    """relayhost's server was tried at 587: a query for port 25 finds nothing and
    names the port to give."""
    result = CliRunner().invoke(
        main,
        ["trace", str(SAMPLES / "sasl-auth-failed.tar.gz"), "[mail.example.com]:25"],
    )
    assert result.exit_code == 6
    assert (
        "that server was tried at port 587: give that port, or none." in result.stderr
    )
    found = CliRunner().invoke(
        main,
        ["trace", str(SAMPLES / "sasl-auth-failed.tar.gz"), "[mail.example.com]:587"],
    )
    assert found.exit_code == 0, found.output
