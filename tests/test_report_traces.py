"""Message traces in the HTML report: long ones are cut, with a note."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from analyzer.api import analyze_bundle
from analyzer.report import charts
from analyzer.report import context as context_module
from analyzer.report.render import code_spans, render_html
from analyzer.report.write import report_context, write_reports
from tests.conftest import SAMPLES, convert_sample, truth


def test_long_trace_is_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(context_module, "TRACE_HEAD", 2)
    monkeypatch.setattr(context_module, "TRACE_TAIL", 1)
    analysis = analyze_bundle(SAMPLES / "greylisting.tar.gz")
    events = analysis.events.groupby("message_key").size()
    context = report_context(analysis, "en")
    long = [m for m in context.messages if events.get(m["key"], 0) > 3]
    assert long, "the sample has no message with more than three trace lines"
    for message in long:
        total = int(events[message["key"]])
        assert len(message["trace"]) == 3
        assert message["omitted"] == total - 3
    html = BeautifulSoup(render_html(context), "html.parser")
    first = long[0]
    rows = html.find(id=first["anchor"]).select("table.trace tr")
    assert len(rows) == 4
    note = rows[2].get_text()
    assert f"{first['omitted']} more lines" in note
    assert first["queue_id"] in note


def test_short_trace_is_whole() -> None:
    analysis = analyze_bundle(SAMPLES / "healthy.tar.gz")
    events = analysis.events.groupby("message_key").size()
    context = report_context(analysis, "en")
    for message in context.messages:
        assert len(message["trace"]) == events.get(message["key"], 0)
        assert message["omitted"] == 0


def test_code_spans_escape_log_text() -> None:
    """Backticks in log text make code spans, never markup of their own."""
    text = "run `postfix flush`; reply `<img src=http://192.0.2.9/x>` & more"
    html = str(code_spans(text))
    flush = '<span class="token">postfix</span> <span class="token">flush</span>'
    assert f"<code>{flush}</code>" in html
    img = '<span class="token">&lt;img</span> <span class="token">src=http://192.0.2.9/x&gt;</span>'
    assert f"<code>{img}</code>" in html
    assert "&amp; more" in html
    assert "<img" not in html


def test_queue_ages_note_copy_gap(tmp_path: Path) -> None:
    """A listing whose file time is long after the log gets a warning note."""
    folder = convert_sample("connection-refused", "dir", tmp_path)
    # The queue shape counts the postqueue -j rows, which the mailq output repeats.
    listing = folder / "postqueue-j.out"
    ages = report_context(analyze_bundle(folder), "en").qshape["note"]
    assert "the time that listing was made: " in ages
    assert "postqueue-j.out 2026-12-04" in ages
    assert "days after the last log line" not in ages
    later = listing.stat().st_mtime + 30 * 86400
    os.utime(listing, (later, later))
    copied = report_context(analyze_bundle(folder), "en").qshape["note"]
    assert "30.0 days after the last log line" in copied


def test_traffic_chart_needs_traffic(tmp_path: Path) -> None:
    """A bundle with only main.cf gets no empty chart; a healthy one gets its chart."""
    (tmp_path / "main.cf").write_text("relayhost = [mail.example.com]\n")
    analysis = analyze_bundle(tmp_path)
    assert "traffic" not in report_context(analysis, "en").charts
    written = write_reports(analysis, tmp_path / "out", ["html", "pdf"], "en")
    html = BeautifulSoup(written[0].read_text(), "html.parser")
    assert html.select("#timeline figure.chart") == []
    assert written[1].stat().st_size > 0
    healthy = report_context(analyze_bundle(SAMPLES / "healthy.tar.gz"), "en")
    assert healthy.charts["traffic"].startswith("<svg")


def test_traffic_counts_filtered_mail_once() -> None:
    """A message and its copy that the content filter re-queued count once."""
    facts = truth("content-filter")
    originals = [m for m in facts["messages"] if m["kind"] == "original"]
    delivered = [
        r
        for m in facts["messages"]
        for r in m["recipients"]
        if r["final_state"] == "delivered"
    ]
    analysis = analyze_bundle(SAMPLES / "content-filter.tar.gz")
    table = report_context(analysis, "en").traffic
    assert [row["received"] for row in table] == [len(originals)]
    assert [row["delivered"] for row in table] == [len(delivered)]
    times = analysis.events["time"]
    chart = analysis.traffic(charts.choose_period(times.min(), times.max()))
    assert chart["received"].sum() == len(originals)
    assert chart["delivered"].sum() == len(delivered)


def test_unrecognized_counted_once(tmp_path: Path) -> None:
    """A line that two overlapping rotated copies both contain is listed once."""
    odd = "Dec  4 10:00:01 mx1 postfix/smtp[300]: something no rule knows\n"
    known = "Dec  4 10:00:00 mx1 postfix/qmgr[299]: 4A1B2C3D4E: removed\n"
    later = "Dec  4 10:00:02 mx1 postfix/qmgr[299]: 5B2C3D4E5F: removed\n"
    # The files differ, so neither is a copy of the other: they overlap.
    (tmp_path / "maillog.1").write_text(known + odd)
    (tmp_path / "maillog").write_text(known + odd + later)
    analysis = analyze_bundle(tmp_path, year=2026)
    assert analysis.duplicates_dropped == 2
    unrecognized = report_context(analysis, "en").unrecognized
    assert unrecognized["by_daemon"] == [("smtp", 1)]
    assert [s["text"] for s in unrecognized["samples"]] == ["something no rule knows"]


def test_message_note_explains_handoffs() -> None:
    analysis = analyze_bundle(SAMPLES / "content-filter.tar.gz")
    context = report_context(analysis, "en")
    numbers = dict(context.key_numbers)
    assert numbers["Messages"] == "3"
    assert context.messages_note == (
        "Showing 6 of 6 queue entries, problems first. 3 of them are copies that "
        "went on under a new queue ID (through a content filter, another Postfix "
        "instance or an alias forward), so the key numbers count 3 messages."
    )
    japanese = report_context(analysis, "ja").messages_note
    assert "うち 3 件は新しいキュー ID で引き継がれたコピー" in japanese


def test_message_note_without_handoffs() -> None:
    context = report_context(analyze_bundle(SAMPLES / "healthy.tar.gz"), "en")
    shown = len(context.messages)
    assert context.messages_note == (
        f"Showing {shown} of {shown} messages, problems first."
    )


def test_linked_messages_link_to_each_other() -> None:
    """A bounce notice and its original link to each other's entry in the HTML."""
    context = report_context(analyze_bundle(SAMPLES / "bounce-notice.tar.gz"), "en")
    html = BeautifulSoup(render_html(context), "html.parser")
    ids = {tag["id"] for tag in html.select("details.message[id]")}
    links = [a["href"][1:] for a in html.select("details.message p.meta a[href]")]
    assert links
    assert set(links) <= ids
    notices = [m for m in context.messages if m["parent"]]
    assert notices
    assert all(m["parent_anchor"] for m in notices)
