"""Bursts of submissions: many more messages within minutes than the host's usual
rate, or than a fixed floor when the log is too short to show a usual rate."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from analyzer.api import Analysis, analyze_bundle

START = datetime(2026, 12, 3, 8, 0, 0)


def submissions(times: list[datetime]) -> str:
    """Return pickup and qmgr lines of one message submitted at each time."""
    lines = []
    for number, moment in enumerate(times):
        queue_id = f"{0xA00000 + number:X}"
        head = f"{moment:%b} {moment.day:2d} {moment:%H:%M:%S} siem01 postfix"
        lines.append(f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n")
        lines.append(
            f"{head}/qmgr[301]: {queue_id}: from=<root@siem01.example.com>, size=900,"
            " nrcpt=1 (queue active)\n"
        )
    return "".join(lines)


def analyze(tmp_path: Path, times: list[datetime]) -> Analysis:
    (tmp_path / "maillog").write_text(submissions(sorted(times)))
    return analyze_bundle(tmp_path, year=2026)


def spread(count: int, start: datetime, span: timedelta) -> list[datetime]:
    step = span / count
    return [start + step * n for n in range(count)]


def bursts(analysis: Analysis) -> list:
    return [f for f in analysis.findings if f.code == "submission-burst"]


def test_burst_on_quiet_host_quotes_submissions(tmp_path: Path) -> None:
    usual = spread(240, START, timedelta(hours=6))
    burst = spread(350, START + timedelta(hours=3), timedelta(minutes=5))
    found = bursts(analyze(tmp_path, usual + burst))
    assert len(found) == 1
    assert found[0].messages_affected >= 350
    assert found[0].params["count"] >= 350
    assert found[0].evidence
    assert all("postfix/pickup" in e.text for e in found[0].evidence)


def test_steady_busy_relay_is_no_burst(tmp_path: Path) -> None:
    """400 submissions every 10 minutes for two hours is this host's usual load."""
    steady = spread(4800, START, timedelta(hours=2))
    assert bursts(analyze(tmp_path, steady)) == []


def test_short_log_of_one_burst(tmp_path: Path) -> None:
    """A log of a few minutes shows no usual rate: the fixed floor decides."""
    burst = spread(350, START, timedelta(minutes=5))
    assert len(bursts(analyze(tmp_path, burst))) == 1


def test_burst_names_its_messages(tmp_path: Path) -> None:
    """The finding lists the burst's messages, which link it to them in the report
    and let the verdict tell when they were all delivered."""
    usual = spread(240, START, timedelta(hours=6))
    burst = spread(350, START + timedelta(hours=3), timedelta(minutes=5))
    analysis = analyze(tmp_path, usual + burst)
    [found] = bursts(analysis)
    assert len(found.message_keys) == found.messages_affected
    first_seen = analysis.messages["first_seen"].reindex(found.message_keys)
    assert first_seen.min() == found.first_seen
    assert first_seen.max() == found.last_seen
