"""Content-filter hand-offs between Postfix instances of one host."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from analyzer.api import analyze_bundle
from analyzer.cli import main
from analyzer.report.context import build_context

FILTER_REPLY = "250 2.0.0 from MTA(smtp:[127.0.0.1]:10025): 250 2.0.0 Ok: queued as"


def received(host: str, instance: str, queue_id: str, client: str, at: str) -> str:
    """Return the lines of one message that ``instance`` receives and queues."""
    head = f"Dec  3 09:00:{at} {host} {instance}"
    return (
        f"{head}/smtpd[2001]: {queue_id}: client={client}\n"
        f"{head}/cleanup[2002]: {queue_id}: message-id=<{queue_id}@client.example.com>\n"
        f"{head}/qmgr[2003]: {queue_id}: from=<alice@example.com>, size=2000, "
        "nrcpt=1 (queue active)\n"
    )


def handed_off(host: str, queue_id: str, new_id: str, recipient: str) -> str:
    """Return postfix-in's delivery to the filter on port 10024 and its removal."""
    head = f"Dec  3 09:00:20 {host} postfix-in"
    return (
        f"{head}/smtp[2004]: {queue_id}: to=<{recipient}>, "
        "relay=127.0.0.1[127.0.0.1]:10024, delay=2.1, delays=0.1/0/0/2, "
        f"dsn=2.0.0, status=sent ({FILTER_REPLY} {new_id})\n"
        f"{head}/qmgr[2003]: {queue_id}: removed\n"
    )


def delivered(host: str, queue_id: str, recipient: str) -> str:
    head = f"Dec  3 09:00:40 {host} postfix-out"
    return (
        f"{head}/smtp[3004]: {queue_id}: to=<{recipient}>, "
        "relay=mx.example.net[198.51.100.7]:25, delay=1, delays=0.1/0/0.4/0.5, "
        "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 7788A)\n"
        f"{head}/qmgr[3003]: {queue_id}: removed\n"
    )


def deferred(host: str, queue_id: str, recipient: str) -> str:
    return (
        f"Dec  3 09:00:50 {host} postfix-out/smtp[3004]: {queue_id}: "
        f"to=<{recipient}>, relay=none, delay=30, delays=0.1/0/30/0, dsn=4.4.1, "
        "status=deferred (connect to mx.example.net[198.51.100.7]:25: "
        "Connection refused)\n"
    )


INBOUND = "client.example.com[192.0.2.10]"
REINJECTED = "localhost[127.0.0.1]"


def two_instance_log() -> str:
    """Return a postfix-in to postfix-out log: one delivered, one deferred.

    The second message keeps its queue ID in postfix-out, which can happen
    because each instance has its own queue directory.
    """
    return (
        received("mx", "postfix-in", "4Pk1Xy2Zq9z3tBr", INBOUND, "01")
        + received("mx", "postfix-in", "4Pk2Xy2Zq9z3tBr", INBOUND, "02")
        + received("mx", "postfix-out", "4Pm1Ab3Cd8z4tGh", REINJECTED, "20")
        + received("mx", "postfix-out", "4Pk2Xy2Zq9z3tBr", REINJECTED, "20")
        + handed_off("mx", "4Pk1Xy2Zq9z3tBr", "4Pm1Ab3Cd8z4tGh", "bob@example.net")
        + handed_off("mx", "4Pk2Xy2Zq9z3tBr", "4Pk2Xy2Zq9z3tBr", "carol@example.net")
        + delivered("mx", "4Pm1Ab3Cd8z4tGh", "bob@example.net")
        + deferred("mx", "4Pk2Xy2Zq9z3tBr", "carol@example.net")
    )


def test_handoff_links_across_instances(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(two_instance_log())
    analysis = analyze_bundle(tmp_path, year=2026)
    messages = analysis.messages
    parents = messages["parent_key"].dropna().to_dict()
    assert parents == {
        "mx:postfix-out:4Pm1Ab3Cd8z4tGh": "mx:postfix-in:4Pk1Xy2Zq9z3tBr",
        "mx:postfix-out:4Pk2Xy2Zq9z3tBr": "mx:postfix-in:4Pk2Xy2Zq9z3tBr",
    }
    assert set(messages["link"].dropna()) == {"handoff"}
    states = messages["final_state"].to_dict()
    assert states["mx:postfix-in:4Pk1Xy2Zq9z3tBr"] == "handed_off"
    assert states["mx:postfix-in:4Pk2Xy2Zq9z3tBr"] == "handed_off"
    assert states["mx:postfix-out:4Pm1Ab3Cd8z4tGh"] == "delivered"
    assert states["mx:postfix-out:4Pk2Xy2Zq9z3tBr"] == "deferred"
    recipients = analysis.recipients.reset_index()
    inbound = recipients[recipients["message_key"].str.startswith("mx:postfix-in:")]
    assert set(inbound["final_state"]) == {"handed_off"}


def test_summary_counts_filtered_copies_once(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(two_instance_log())
    result = CliRunner().invoke(main, ["summary", "--year", "2026", str(tmp_path)])
    assert result.exit_code in (0, 4), result.output
    assert "Messages: 2 (delivered 1, deferred 1)" in result.output
    assert "pflogsumm reads only postfix/ lines: the " in result.output
    assert "postfix-in, postfix-out, are not in these totals" in result.output


def test_per_host_count_matches_key_numbers(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(two_instance_log())
    analysis = analyze_bundle(tmp_path, year=2026)
    context = build_context(analysis)
    assert [host["messages"] for host in context.hosts] == [analysis.totals().messages]
    assert analysis.totals().messages == 2


def test_trace_shows_parent_in_other_instance(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(two_instance_log())
    result = CliRunner().invoke(
        main, ["trace", "--year", "2026", str(tmp_path), "4Pm1Ab3Cd8z4tGh"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("1 message(s), and 1 linked to them")
    assert "== mx:postfix-in:4Pk1Xy2Zq9z3tBr  [handed_off]" in result.output
    assert "== mx:postfix-out:4Pm1Ab3Cd8z4tGh  [delivered]" in result.output
    assert "child of mx:postfix-in:4Pk1Xy2Zq9z3tBr (handoff)" in result.output


def test_handoff_not_linked_across_hosts(tmp_path: Path) -> None:
    """A queue ID of another host is a different message, even in a filter reply."""
    (tmp_path / "maillog").write_text(
        received("mx1", "postfix-in", "4Pk1Xy2Zq9z3tBr", INBOUND, "01")
        + received("mx2", "postfix-out", "4Pm1Ab3Cd8z4tGh", REINJECTED, "20")
        + handed_off("mx1", "4Pk1Xy2Zq9z3tBr", "4Pm1Ab3Cd8z4tGh", "bob@example.net")
        + delivered("mx2", "4Pm1Ab3Cd8z4tGh", "bob@example.net")
    )
    messages = analyze_bundle(tmp_path, year=2026).messages
    assert messages["parent_key"].isna().all()
    assert messages.at["mx1:postfix-in:4Pk1Xy2Zq9z3tBr", "final_state"] == "delivered"


@pytest.mark.parametrize(
    ("copies", "links"),
    [
        # A filter that re-injects into the sending instance links there first.
        (
            [("postfix-in", REINJECTED), ("postfix-out", REINJECTED)],
            {"mx:postfix-in:4Pm1Ab3Cd8z4tGh": "mx:postfix-in:4Pk1Xy2Zq9z3tBr"},
        ),
        # Two other instances that both queued the new ID leave the child unknown.
        ([("postfix-out", REINJECTED), ("postfix-relay", REINJECTED)], {}),
        # Of two other instances, the one the filter reached over loopback wins.
        (
            [("postfix-out", REINJECTED), ("postfix-relay", INBOUND)],
            {"mx:postfix-out:4Pm1Ab3Cd8z4tGh": "mx:postfix-in:4Pk1Xy2Zq9z3tBr"},
        ),
    ],
)
def test_handoff_instance_choice(
    tmp_path: Path, copies: list[tuple[str, str]], links: dict[str, str]
) -> None:
    """Which queued copy of the new ID a hand-off from postfix-in links to."""
    log = received("mx", "postfix-in", "4Pk1Xy2Zq9z3tBr", INBOUND, "01")
    for instance, client in copies:
        log += received("mx", instance, "4Pm1Ab3Cd8z4tGh", client, "20")
    log += handed_off("mx", "4Pk1Xy2Zq9z3tBr", "4Pm1Ab3Cd8z4tGh", "bob@example.net")
    (tmp_path / "maillog").write_text(log)

    messages = analyze_bundle(tmp_path, year=2026).messages

    assert messages["parent_key"].dropna().to_dict() == links


def test_relay_between_hosts_of_the_bundle(tmp_path: Path) -> None:
    """app1 relays to mx1, and the bundle contains both logs: mx1's message is the
    child of app1's, while app1's recipient stays delivered."""
    for host in ("app1", "mx1"):
        (tmp_path / host).mkdir()

    (tmp_path / "app1" / "maillog").write_text(
        "Dec  4 09:00:00 app1 postfix/pickup[10]: 1A2B3C4D5E: uid=0 from=<ops>\n"
        "Dec  4 09:00:00 app1 postfix/qmgr[11]: 1A2B3C4D5E: from=<ops@app1.example.com>,"
        " size=500, nrcpt=1 (queue active)\n"
        "Dec  4 09:00:01 app1 postfix/smtp[12]: 1A2B3C4D5E: to=<soc@example.org>,"
        " relay=mx1.example.com[192.0.2.20]:25, delay=1, delays=0.1/0.1/0.3/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F8E7D6C5B)\n"
        "Dec  4 09:00:01 app1 postfix/qmgr[11]: 1A2B3C4D5E: removed\n"
    )

    (tmp_path / "mx1" / "maillog").write_text(
        "Dec  4 09:00:01 mx1 postfix/smtpd[20]: 9F8E7D6C5B: client=app1.example.com[192.0.2.10]\n"
        "Dec  4 09:00:01 mx1 postfix/qmgr[21]: 9F8E7D6C5B: from=<ops@app1.example.com>,"
        " size=700, nrcpt=1 (queue active)\n"
        "Dec  4 09:00:02 mx1 postfix/smtp[22]: 9F8E7D6C5B: to=<soc@example.org>,"
        " relay=mx.example.org[198.51.100.20]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
        # The same queue ID on a third, unrelated host is not the child.
        "Dec  4 09:00:01 mx2 postfix/smtpd[30]: 9F8E7D6C5B: client=web.example.com[192.0.2.30]\n"
    )

    analysis = analyze_bundle(tmp_path, year=2026)
    messages = analysis.messages
    assert messages.at["mx1:9F8E7D6C5B", "parent_key"] == "app1:1A2B3C4D5E"
    assert messages.at["mx1:9F8E7D6C5B", "link"] == "relay"
    assert list(messages.at["app1:1A2B3C4D5E", "child_keys"]) == ["mx1:9F8E7D6C5B"]
    assert pd.isna(messages.at["mx2:9F8E7D6C5B", "parent_key"])
    state = analysis.recipients.loc[
        ("app1:1A2B3C4D5E", "soc@example.org"), "final_state"
    ]
    assert state == "delivered"
