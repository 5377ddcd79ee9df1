"""Golden parser cases: every line in tests/parser_cases and what it must yield.

The cases are data (see tests/parser_cases/README.md). Each is parsed on its own
through ``parse_log``, with the RE2 patterns alone and, when the compiled scanner
is built, with the scanner too, and every event column and field is compared.
"""

from __future__ import annotations

import io
import tomllib
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from analyzer.parse import fast
from analyzer.parse.logfile import ParsedLog, parse_log
from analyzer.parse.rules import RULES
from analyzer.parse.timestamps import YearReference

CASES_DIR = Path(__file__).parent / "parser_cases"
COLUMNS = ("kind", "rule", "queue_id", "daemon", "instance", "service", "pid", "host")
CASE_KEYS = {*COLUMNS, "line", "time", "fields", "year", "zone"}
DEFAULT_YEAR = 2024


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.toml")):
        with path.open("rb") as handle:
            for number, case in enumerate(tomllib.load(handle)["case"], start=1):
                cases.append((f"{path.stem}-{number}", case))
    return cases


CASES = load_cases()
SCANNERS = ["scanner", "patterns"] if fast.AVAILABLE else ["patterns"]


@pytest.fixture(params=SCANNERS)
def scanner(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "patterns":
        monkeypatch.setenv(fast.DISABLE_VARIABLE, "1")
    return str(request.param)


def parse_line(case: dict[str, Any]) -> ParsedLog:
    reference = YearReference(year=case.get("year", DEFAULT_YEAR))
    zone = ZoneInfo(case.get("zone", "UTC"))
    data = io.BytesIO(case["line"].encode("utf-8") + b"\n")
    return parse_log(data, "case", reference, zone)


def event_fields(parsed: ParsedLog, kind: str) -> dict[str, str]:
    table = parsed.fields.get(kind)
    if table is None:
        return {}
    rows = [row for row in table.to_pylist() if row["event"] == 0]
    assert len(rows) <= 1, rows
    if not rows:
        return {}
    return {k: v for k, v in rows[0].items() if k != "event" and v is not None}


def expected_time(case: dict[str, Any]) -> pd.Timestamp | None:
    text = case.get("time")
    return None if text == "NaT" else pd.Timestamp(text)


@pytest.mark.parametrize(("case_id", "case"), CASES, ids=[c[0] for c in CASES])
def test_case_yields_expected_event(
    case_id: str, case: dict[str, Any], scanner: str
) -> None:
    assert set(case) <= CASE_KEYS, f"{case_id}: unknown keys {set(case) - CASE_KEYS}"
    parsed = parse_line(case)
    events = parsed.events.to_pylist()
    assert len(events) == 1, f"{case_id}: no Postfix event; stats {parsed.stats}"
    event = events[0]
    for column in COLUMNS:
        actual = event[column]
        if column == "pid" and actual == -1:
            actual = None
        assert actual == case.get(column), f"{case_id}: {column}"
    time = event["time"]
    actual_time = None if time is None else pd.Timestamp(time)
    assert actual_time == expected_time(case), f"{case_id}: time"
    assert event_fields(parsed, event["kind"]) == case.get("fields", {}), case_id


def test_every_rule_has_a_case() -> None:
    covered = {case["rule"] for _, case in CASES if "rule" in case}
    missing = [rule.name for rule in RULES if rule.name not in covered]
    assert missing == []


def test_every_case_names_a_known_rule() -> None:
    names = {rule.name for rule in RULES}
    unknown = [case_id for case_id, case in CASES if case.get("rule") not in names]
    assert unknown == []


def test_case_lines_are_unique() -> None:
    lines = [(case["line"], case.get("year"), case.get("zone")) for _, case in CASES]
    repeated = {line for line in lines if lines.count(line) > 1}
    assert repeated == set()
