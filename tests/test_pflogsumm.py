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
from analyzer.errors import EmptyBundle
from tests.conftest import CORPUS, SAMPLES, sample_names, truth
from tests.pflogsumm import log_text, run_pflogsumm
from tests.test_timeline_links import two_instance_log

COMPARED = (
    "received",
    "delivered",
    "forwarded",
    "deferred",
    "deferrals",
    "bounced",
    "rejected",
    "reject_warnings",
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
    path = corpus / "maillog" / name
    if name in NOT_LOGS:
        # Rejected as not a mail log; pflogsumm finds nothing in it either.
        with pytest.raises(EmptyBundle, match="not a mail log"):
            analyze_bundle(path)
        assert not any(run_pflogsumm(log_text(path)).values())
        return
    rows = check(path)
    explained = {row.name: dict(row.differences) for row in rows if row.differences}
    assert explained == EXPECTED_DIFFERENCES.get(name, {})


NOT_LOGS = {"modoboa__modoboa__modoboa__maillog__tests__mail.log"}
"""Corpus files without one syslog line: a test template whose every line starts
with the placeholder "%(day)s" where the date goes."""


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


def test_filter_to_other_instance_counts_once(tmp_path: Path) -> None:
    """A filter re-injects into postfix-out, so only postfix-out's delivery counts."""
    log = two_instance_log().replace(" postfix-in/", " postfix/")
    (tmp_path / "maillog").write_text(log)
    rows = {row.name: row for row in check(tmp_path / "maillog")}
    assert rows["received"].ours == 2
    assert rows["received"].differences == []
    assert rows["delivered"].ours == 1
    assert dict(rows["delivered"].differences) == {
        "content_filter": 2,
        "other_instance": -1,
    }
    assert rows["deferred"].ours == 1


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


CONTENT_ACTIONS = """\
Dec  3 10:00:00 relay01 postfix/pickup[300]: 4A1B2C3D4E: uid=0 from=<root>
Dec  3 10:00:00 relay01 postfix/cleanup[301]: 4A1B2C3D4E: warning: header Subject: \
Offense 42 from localhost[127.0.0.1]; from=<root@relay01.example.com> \
to=<soc@example.net> proto=ESMTP helo=<relay01>: Subject matched
Dec  3 10:00:01 relay01 postfix/cleanup[301]: 5A1B2C3D4E: warning: body Offense text \
from localhost[127.0.0.1]; from=<root@relay01.example.com> to=<soc@example.net> \
proto=ESMTP helo=<relay01>
Dec  3 10:00:02 relay01 postfix/cleanup[301]: 6A1B2C3D4E: milter-header-warning: \
header Subject: Checked from localhost[127.0.0.1]; from=<root@relay01.example.com> \
to=<soc@example.net> proto=ESMTP helo=<relay01>
Dec  3 10:00:03 relay01 postfix/cleanup[301]: 7A1B2C3D4E: hold: header Subject: Held \
from localhost[127.0.0.1]; from=<root@relay01.example.com> to=<soc@example.net> \
proto=ESMTP helo=<relay01>
Dec  3 10:00:04 relay01 postfix/cleanup[301]: 8A1B2C3D4E: info: header Subject: Noted \
from localhost[127.0.0.1]; from=<root@relay01.example.com> to=<soc@example.net> \
proto=ESMTP helo=<relay01>
Dec  3 10:00:05 relay01 postfix/smtpd[400]: NOQUEUE: reject_warning: RCPT from \
unknown[203.0.113.5]: 450 4.7.1 Client host rejected: cannot find your hostname; \
from=<a@example.org> to=<b@example.net> proto=ESMTP helo=<example.org>
Dec  3 10:00:06 relay01 postfix/cleanup[301]: warning: 9A1B2C3D4E: read timeout
"""


def test_content_warnings_match_pflogsumm(tmp_path: Path) -> None:
    """header_checks and body_checks WARN lines count as reject warnings."""
    log = tmp_path / "maillog"
    log.write_text(CONTENT_ACTIONS)
    theirs = run_pflogsumm(CONTENT_ACTIONS.encode())
    totals = analyze_bundle(log, year=2026).pflogsumm_totals()
    assert theirs["reject_warnings"] == 4
    assert totals["reject_warnings"] == theirs["reject_warnings"]
    assert totals["held"] == theirs["held"]
