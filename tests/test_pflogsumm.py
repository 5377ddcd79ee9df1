"""Totals against Debian's pflogsumm 1.1.5, run on the same files.

``pflogsumm_totals`` must equal pflogsumm's output exactly, and mailbundle's own
totals must lead to it through named rules only (``stats.reconcile``): a
difference no rule explains fails the test.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from analyzer.analysis.stats import RECONCILE_RULES, reconcile
from analyzer.api import Analysis, analyze_bundle
from tests.conftest import CORPUS, SAMPLES, sample_names, truth
from tests.pflogsumm import log_text, run_pflogsumm

COMPARED = (
    "received",
    "delivered",
    "forwarded",
    "deferred",
    "deferrals",
    "bounced",
    "rejected",
)


def corpus_logs() -> list[str]:
    folder = CORPUS / "maillog"
    if not folder.is_dir():
        return []
    return sorted(
        p.name for p in folder.iterdir() if not p.name.endswith((".yaml", ".ini"))
    )


@cache
def analysis_of(path: Path) -> Analysis:
    return analyze_bundle(path)


def check(path: Path) -> list:
    theirs = run_pflogsumm(log_text(path))
    analysis = analysis_of(path)
    emulated = analysis.pflogsumm_totals()
    assert {k: emulated[k] for k in COMPARED} == {k: theirs[k] for k in COMPARED}
    rows = reconcile(analysis.events, analysis.messages, analysis.deliveries)
    for row in rows:
        assert row.pflogsumm == theirs[row.name], (row.name, row.ours, row.differences)
        for rule, _ in row.differences:
            assert rule in RECONCILE_RULES
    return rows


@pytest.mark.parametrize("name", sample_names())
def test_samples_match_pflogsumm(name: str) -> None:
    check(SAMPLES / f"{name}.tar.gz")


@pytest.mark.parametrize("name", corpus_logs() or ["(corpus absent)"])
def test_corpus_matches_pflogsumm(name: str, corpus: Path) -> None:
    rows = check(corpus / "maillog" / name)
    explained = {row.name: dict(row.differences) for row in rows if row.differences}
    assert explained == EXPECTED_DIFFERENCES.get(name, {})


# Differences between mailbundle's totals and pflogsumm's, with the rule behind
# each: every one is asserted, so a new one fails until it is understood.
EXPECTED_DIFFERENCES = {
    # amavis-style filter: each message is delivered to amavis, then re-injected
    # on port 10025 and delivered for real; pflogsumm counts both deliveries.
    "pixelpark__postfix-logsums__test__mail.log.gz": {
        "delivered": {"content_filter": 180}
    },
    "Konsong__zimbra-readonly-tui__tests__fixtures__zimbra_log_outcomes.txt": {
        "delivered": {"content_filter": 2}
    },
    # One smtpd milter-reject, and three rejects of the postfix-incoming instance.
    "fail2ban__fail2ban__fail2ban__tests__files__logs__postfix": {
        "rejected": {"smtpd_milter_reject": -1, "other_instance": -3}
    },
    # "NOQUEUE: reject: Unsupported" is a deliberately malformed test line.
    "sergeymakinen__postfix_exporter__exporter__testdata__mail.log": {
        "rejected": {"smtpd_milter_reject": -1, "malformed_reject": 1}
    },
}


def test_content_filter_sample_counts_once() -> None:
    rows = {row.name: row for row in check(SAMPLES / "content-filter.tar.gz")}
    copies = [
        m for m in truth("content-filter")["messages"] if m["kind"] == "filter_copy"
    ]
    final = sum(
        1 for m in copies for r in m["recipients"] if r["final_state"] == "delivered"
    )
    assert final > 0
    assert rows["delivered"].ours == final
    assert dict(rows["delivered"].differences) == {"content_filter": final}


def test_accuracy_page_is_current() -> None:
    """docs/accuracy.md is what scripts/accuracy_table.py writes today."""
    import importlib.util

    from tests.conftest import ROOT

    spec = importlib.util.spec_from_file_location(
        "accuracy_table", ROOT / "scripts" / "accuracy_table.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (ROOT / "docs" / "accuracy.md").read_text() == module.render(), (
        "run python scripts/accuracy_table.py"
    )
