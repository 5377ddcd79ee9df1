"""Deferral tables: one row per reason, cause, DSN, relay, domain, host and hour,
counted over the deferred attempts of a real Postfix log."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from analyzer.analysis import stats
from analyzer.api import analyze_bundle
from analyzer.terminal import print_summary
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


def timed_out(number: int, server: str, address: str) -> str:
    queue_id = f"{0xB0000 + number:X}0"
    return (
        f"Dec  3 10:{number:02d}:00 relay01 postfix/smtp[400]: {queue_id}: "
        f"to=<user{number}@example.net>, relay=none, delay=31, "
        "delays=0/0/31/0, dsn=4.4.1, status=deferred "
        f"(connect to {server}[{address}]:25: Connection timed out)\n"
    )


def test_deferral_example_most_frequent_reply(tmp_path):
    """A reason's example is its most frequent reply, not the first one found."""
    lines = [timed_out(0, "mx.example.org", "198.51.100.7")]
    lines += [timed_out(n, "mx.example.net", "192.0.2.25") for n in range(1, 4)]
    (tmp_path / "maillog").write_text("".join(lines))
    analysis = analyze_bundle(tmp_path, year=2026)
    for name in ("by_reason", "by_dsn"):
        top = analysis.deferrals(name)[name].iloc[0]
        assert top["deferrals"] == 4, name
        assert "mx.example.net[192.0.2.25]" in top["example"], name
        assert top["example_deferrals"] == 3, name
    out = io.StringIO()
    print_summary(analysis, out)
    text = out.getvalue()
    assert "4 x  connect to mx.example.net[192.0.2.25]:25" in text
    assert "(3 of 4 with this reply)" in text
