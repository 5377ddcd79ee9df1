"""The rules table as data: order, patterns, and how the classifier applies it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from analyzer.parse import postfix
from analyzer.parse.rules import KINDS, QID_ANY, QID_NONE, QID_REQUIRED, RULES

RESERVED_FIELDS = {"event", "row"}
"""Column names that the field tables use for their own pointers."""


def test_rule_names_are_unique() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))


def test_longer_leads_come_first() -> None:
    """A rule must precede every rule whose lead is a prefix of its own.

    Rules whose daemon sets do not overlap never see the same line.
    """
    wrong = []
    for position, earlier in enumerate(RULES):
        for later in RULES[position + 1 :]:
            if (
                earlier.daemons
                and later.daemons
                and not earlier.daemons & later.daemons
            ):
                continue
            for short in earlier.leads:
                for long in later.leads:
                    if long != short and long.startswith(short):
                        wrong.append((earlier.name, short, later.name, long))
    assert wrong == []


@pytest.mark.parametrize("rule", RULES, ids=[rule.name for rule in RULES])
def test_rule_pattern_is_valid_re2(rule: postfix.Rule) -> None:
    pc.extract_regex(pa.array(["x"]), postfix._full_pattern(rule))
    groups = set(re.compile(rule.pattern).groupindex)
    assert groups.isdisjoint(RESERVED_FIELDS)
    assert rule.queue_id in (QID_ANY, QID_NONE, QID_REQUIRED)
    assert rule.kind in KINDS
    if rule.source:
        assert all(re.fullmatch(r"[a-z0-9_]+/[a-z0-9_]+\.c", s)
                   for s in rule.source.split(", ")), rule.source  # fmt: skip


@pytest.mark.parametrize(
    "rule", [r for r in RULES if r.kind in ("warning", "error", "fatal", "panic")]
)
def test_diagnostic_rules_keep_the_text(rule: postfix.Rule) -> None:
    assert "text" in re.compile(rule.pattern).groupindex


def classify(lines: list[str], daemons: list[str]) -> postfix.Classified:
    return postfix.classify(pa.array(lines), np.array(daemons))


def kind_of(result: postfix.Classified, row: int) -> str:
    return postfix.KIND_NAMES[result.kind[row]]


def rule_of(result: postfix.Classified, row: int) -> str:
    index = int(result.rule[row])
    return RULES[index].name if index >= 0 else "none"


def test_line_falls_back_to_shorter_lead() -> None:
    # "warning: hostname " leads to a specific rule whose pattern fails here.
    result = classify(["warning: hostname lookup table is empty"], ["smtpd"])
    assert rule_of(result, 0) == "warning"
    assert kind_of(result, 0) == "warning"


def test_daemon_limits_a_rule() -> None:
    result = classify(
        ["CONNECT from [192.0.2.1]:1025", "CONNECT from [192.0.2.1]:1025"],
        ["postscreen", "tlsproxy"],
    )
    assert rule_of(result, 0) == "postscreen-connect"
    assert rule_of(result, 1) == "tlsproxy-connect"


def test_queue_id_requirement() -> None:
    result = classify(["removed", "3A1F2B7C9D: removed"], ["qmgr", "qmgr"])
    assert kind_of(result, 0) == "unknown"
    assert kind_of(result, 1) == "removed"


def test_queue_id_inside_warning_fills_column() -> None:
    result = classify(
        ["warning: 3A1F2B7C9D: message rejected: hopcount exceeded",
         "warning: 198.51.100.7: address not listed for hostname h.example.net"],
        ["cleanup", "smtpd"],
    )  # fmt: skip
    assert result.queue_id.to_pylist() == ["3A1F2B7C9D", None]
    assert "queue_id" not in result.fields["warning"].column_names


def test_null_sender_is_empty_not_missing() -> None:
    result = classify(
        ["3A1F2B7C9D: from=<>, size=10, nrcpt=1 (queue active)"], ["qmgr"]
    )
    assert result.fields["queued"].column("sender").to_pylist() == [""]


def test_anonymized_queue_id_before_queue_lead() -> None:
    result = classify(["QUEUEID1: removed", "QUEUEID1: statistics: x"], ["qmgr"] * 2)
    assert result.queue_id.to_pylist() == ["QUEUEID1", None]
    assert kind_of(result, 1) == "unknown"


def test_unknown_line_keeps_queue_id() -> None:
    result = classify(["3A1F2B7C9D: something new"], ["smtp"])
    assert kind_of(result, 0) == "unknown"
    assert result.queue_id.to_pylist() == ["3A1F2B7C9D"]


def doc_row(rule: postfix.Rule) -> str:
    """Return the row of ``rule`` in the rules table of docs/parsing.md."""
    groups = [g for g in re.compile(rule.pattern).groupindex if g != "queue_id"]
    daemons = ", ".join(sorted(rule.daemons)) if rule.daemons else "any"
    lead = rule.leads[0].rstrip() if rule.leads[0] else "(any text)"
    others = f" (+{len(rule.leads) - 1})" if len(rule.leads) > 1 else ""
    queue_id = {QID_ANY: "optional", QID_REQUIRED: "required", QID_NONE: "none"}
    sources = ", ".join(f"`{s}`" for s in rule.source.split(", ") if s)
    return (
        f"| `{rule.name}` | `{rule.kind}` | {daemons} | {queue_id[rule.queue_id]}"
        f" | `{lead}`{others} | {', '.join(groups)} | {sources} |"
    )


def test_docs_table_matches_rules() -> None:
    lines = (Path(__file__).parents[1] / "docs" / "parsing.md").read_text()
    documented = [line for line in lines.splitlines() if line.startswith("| `")]
    rows = [doc_row(rule) for rule in RULES]
    assert [row for row in rows if row not in documented] == []
