"""Deferral tables: one row per reason, cause, DSN, relay, domain, host and hour,
counted over the deferred attempts of a real Postfix log."""

from __future__ import annotations

import pandas as pd
import pytest

from analyzer.analysis import stats
from analyzer.api import analyze_bundle
from tests.conftest import SAMPLES


@pytest.fixture(scope="module")
def analysis():
    # A real Postfix 3.7 deferred mail to three domains behind a greylisting relay.
    return analyze_bundle(SAMPLES / "greylisting.tar.gz", year=2026)


def test_deferral_tables_count_every_attempt(analysis):
    deferred = int((analysis.deliveries["status"] == "deferred").sum())
    assert deferred > 0
    tables = analysis.deferrals()
    assert set(tables) == set(stats.DEFERRAL_TABLES)
    for name, table in tables.items():
        assert int(table["deferrals"].sum()) == deferred, name
    rows = analysis.deliveries[analysis.deliveries["status"] == "deferred"]
    domains = rows["recipient"].str.rsplit("@", n=1).str[-1]
    expected = rows.groupby(domains)["message_key"].nunique()
    by_domain = tables["by_domain"].set_index("domain")["messages"]
    assert by_domain.sort_index().to_dict() == expected.sort_index().to_dict()
    assert len(by_domain) == 3  # example.com, example.net and example.org
    top = tables["by_reason"].iloc[0]
    assert "Greylisted, try again in N seconds" in top["reason_normalized"]
    assert "try again in 8 seconds" in top["example"]


def test_deferral_table_by_name_matches_full_set(analysis):
    alone = stats.deferral_stats(analysis.deliveries, ["by_hour"])
    assert list(alone) == ["by_hour"]
    pd.testing.assert_frame_equal(alone["by_hour"], analysis.deferrals()["by_hour"])


def test_deferral_tables_computed_once(analysis, monkeypatch):
    first = analysis.deferrals("by_reason")["by_reason"]
    monkeypatch.setattr(stats, "deferral_stats", None)  # a second computation fails
    assert analysis.deferrals("by_reason")["by_reason"] is first
    assert set(analysis.deferrals()) == set(stats.DEFERRAL_TABLES)
