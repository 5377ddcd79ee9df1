"""The PDF summary breaks lines between the words of commands, paths and setting
names, not inside one that fits on a line, so a command copied from it still runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from analyzer.report.render import code_spans, render_pdf
from analyzer.report.write import report_context
from tests.conftest import pdf_text
from tests.test_report_ranking import write_bundle

COMMANDS = [
    ("run", "`postfix flush`", "and"),
    ("lower", "`smtp_destination_concurrency_limit`", "to"),
    ("check", "`ss -ltn | grep 10024`", "then"),
    ("edit", "`/etc/postfix/main.cf`", "or"),
    ("delete with", "`postsuper -d ALL deferred`", "only"),
    ("remove it from", "/etc/postfix-in/master.cf", "and"),
]
"""Code spans and a path in running text in each remedy, with the words around
them: options after a hyphen and paths with slashes, where the line breaker may
otherwise wrap."""

PADDINGS = 80
"""Remedies rendered, each with one more character before the commands, so that
some of them reach the end of a line inside each command."""


def padded_remedy(width: int) -> str:
    padding = "word " * (width // 5) + "x" * (width % 5)
    spans = " ".join(f"{before} {code} {after}" for before, code, after in COMMANDS)
    return f"{padding} {spans} send the mail."


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pdf_keeps_code_words_whole(tmp_path: Path, lang: str) -> None:
    analysis = analyze_bundle(write_bundle(tmp_path / "bundle"), year=2026)
    context = report_context(analysis, lang)
    context.next_steps = [
        (f"Step {width}", padded_remedy(width)) for width in range(PADDINGS)
    ]
    render_pdf(context, tmp_path / "summary.pdf")
    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "summary.pdf"))
    # A remedy that runs onto the next page has the page footer inside it.
    page = re.escape(context.labels["page_footer"]).replace(r"\{page\}", r"\d+")
    footer = " mailbundle " + page.replace(r"\{pages\}", r"\d+") + " "
    text = re.sub(footer, " ", text)
    for before, code, after in COMMANDS:
        command = code.strip("`")
        assert text.count(f"{before} {command} {after}") == PADDINGS, command


def test_pdf_wraps_token_wider_than_line(tmp_path: Path) -> None:
    """A path wider than the line wraps inside itself instead of running off the page."""
    folders = "/".join(f"folder{number}" for number in range(20))
    path = f"/var/spool/postfix/{folders}/file.txt"
    analysis = analyze_bundle(write_bundle(tmp_path / "bundle"), year=2026)
    context = report_context(analysis, "en")
    context.next_steps = [("Step", f"Read `{path}` and `postfix flush` it.")]
    render_pdf(context, tmp_path / "summary.pdf")
    text = pdf_text(tmp_path / "summary.pdf")
    assert path in re.sub(r"\s+", "", text)
    assert "postfix flush it." in re.sub(r"\s+", " ", text)


def test_code_spans_mark_tokens_and_paths() -> None:
    html = str(
        code_spans("Run `ss -ltn`, edit /etc/postfix/main.cf. Then /var/spool/の")
    )
    ss = '<span class="token">ss</span> <span class="token">-ltn</span>'
    assert f"<code>{ss}</code>," in html
    assert '<span class="token">/etc/postfix/main.cf</span>. ' in html
    assert '<span class="token">/var/spool/</span>の' in html


def test_code_spans_leave_other_slashes() -> None:
    text = "Use and/or 10/s at http://192.0.2.9/x."
    assert str(code_spans(text)) == text


def test_code_spans_keep_hyphenated_names_whole() -> None:
    html = str(
        code_spans(
            "Sent as root@qradar-console.localdomain to smtp-relay.example.net, "
            "a well-known host, for <ops@example.org>."
        )
    )
    assert '<span class="token">root@qradar-console.localdomain</span> ' in html
    assert '<span class="token">smtp-relay.example.net</span>, ' in html
    # Words and names without a hyphen stay plain.
    assert "a well-known host" in html
    assert "&lt;ops@example.org&gt;." in html


def test_pdf_keeps_hyphenated_host_whole(tmp_path: Path) -> None:
    analysis = analyze_bundle(write_bundle(tmp_path / "bundle"), year=2026)
    context = report_context(analysis, "en")
    name = "root@qradar-console-primary.localdomain"
    context.next_steps = [
        (f"Step {width}", f"{'word ' * width}Mail from {name} bounced.")
        for width in range(14)
    ]
    render_pdf(context, tmp_path / "summary.pdf")
    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "summary.pdf"))
    assert text.count(name) == 14
