"""The analysis of every real-Postfix sample equals the truth its runner recorded.

The truth files come from what the scenario runner sent, what its SMTP sinks
received and Postfix's queue at the end, never from the log, so they can
disagree with the analysis; any disagreement is a bug. No tolerance.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pandas as pd
import pytest

from analyzer.api import Analysis, analyze_bundle
from tests.conftest import SAMPLES, sample_cases, sample_names, truth


@cache
def analysis_of(name: str) -> Analysis:
    return analyze_bundle(SAMPLES / f"{name}.tar.gz")


def expected_messages(name: str) -> dict[tuple[str, str], dict]:
    facts = truth(name)
    syslog_names = facts.get("syslog_hostnames", {})
    return {
        (syslog_names.get(m["host"], m["host"]), m["queue_id"]): m
        for m in facts["messages"]
    }


def actual_messages(name: str) -> dict[tuple[str, str], dict]:
    messages = analysis_of(name).messages.reset_index(drop=True)
    # A try that cleanup did not accept is repeated under a new queue ID: the
    # message is the one that waits in the maildrop queue.
    messages = messages[messages["final_state"] != "not_accepted"]
    return {
        (str(r["host"]), str(r["queue_id"])): r.to_dict()
        for _, r in messages.iterrows()
    }


@pytest.mark.parametrize("name", sample_cases(sample_names()))
def test_same_messages(name: str) -> None:
    assert set(actual_messages(name)) == set(expected_messages(name))


@pytest.mark.parametrize("name", sample_names())
def test_final_states(name: str) -> None:
    actual = actual_messages(name)
    wrong = {
        key: (actual[key]["final_state"], expected["final_state"])
        for key, expected in expected_messages(name).items()
        if key in actual and actual[key]["final_state"] != expected["final_state"]
    }
    assert wrong == {}


@pytest.mark.parametrize("name", sample_names())
def test_message_ids_and_senders(name: str) -> None:
    actual = actual_messages(name)
    for key, expected in expected_messages(name).items():
        if key not in actual:
            continue
        # A queue listing shows no Message-ID, and the log nothing of these.
        if expected.get("message_id") and actual[key]["origin"] != "queue":
            assert actual[key]["message_id"] == expected["message_id"], key
        if expected.get("sender") is not None:
            assert (actual[key]["sender"] or "") == expected["sender"], key


@pytest.mark.parametrize("name", sample_names())
def test_recipient_states(name: str) -> None:
    recipients = analysis_of(name).recipients
    actual = {}
    for (key, recipient), row in recipients.iterrows():
        actual[(key, str(recipient))] = row["final_state"]
        if isinstance(
            row["orig_recipient"], str
        ):  # the truth names the address sent to
            actual[(key, row["orig_recipient"])] = row["final_state"]
    keys = {
        (str(r["host"]), str(r["queue_id"])): k
        for k, r in analysis_of(name).messages.iterrows()
    }
    for key, expected in expected_messages(name).items():
        message_key = keys.get(key)
        for recipient in expected["recipients"]:
            state = actual.get((message_key, recipient["address"]))
            if state is None:  # no delivery attempt logged for this recipient
                assert recipient["final_state"] in ("held", "deleted", "deferred"), (
                    key,
                    recipient,
                )
                continue
            assert state == recipient["final_state"], (key, recipient["address"])


@pytest.mark.parametrize("name", sample_names())
def test_parent_links(name: str) -> None:
    expected = expected_messages(name)
    messages = analysis_of(name).messages
    by_key = {(str(r["host"]), str(r["queue_id"])): k for k, r in messages.iterrows()}
    for key, fact in expected.items():
        parent = fact.get("parent_queue_id")
        actual_parent = (
            messages.at[by_key[key], "parent_key"] if key in by_key else None
        )
        if parent is None:
            assert actual_parent is None or actual_parent is pd.NA, key
        else:
            assert actual_parent == by_key[(key[0], parent)], key


@pytest.mark.parametrize("name", sample_names())
def test_child_links(name: str) -> None:
    """Each message lists the messages derived from it, each once, whatever the
    number of recipients a hand-off had."""
    expected = expected_messages(name)
    messages = analysis_of(name).messages
    by_key = {(str(r["host"]), str(r["queue_id"])): k for k, r in messages.iterrows()}
    expected_children: dict[str, list[str]] = {k: [] for k in messages.index}
    for key, fact in expected.items():
        parent = fact.get("parent_queue_id")
        if parent is not None and key in by_key:
            expected_children[by_key[(key[0], parent)]].append(by_key[key])
    actual = {k: list(v) for k, v in messages["child_keys"].items()}
    assert {k: sorted(v) for k, v in actual.items()} == {
        k: sorted(v) for k, v in expected_children.items()
    }


@pytest.mark.parametrize("name", sample_cases(sample_names()))
def test_state_counts(name: str) -> None:
    expected = Counter({k: v for k, v in truth(name)["counts"].items() if v})
    assert Counter(analysis_of(name).totals().states) == expected


@pytest.mark.parametrize("name", sample_names())
def test_top_finding(name: str) -> None:
    facts = truth(name)
    findings = analysis_of(name).findings
    errors = [f.code for f in findings if f.severity == "error"]
    if facts["healthy"]:
        assert errors == []
    if facts["expected_top_finding"] is not None:
        assert findings[0].code == facts["expected_top_finding"]
