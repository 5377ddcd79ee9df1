"""The PDF summary breaks lines between the words of commands and setting
names, not inside one that fits on a line, so a command copied from it still runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from analyzer.report.render import render_pdf
from analyzer.report.write import report_context
from tests.conftest import pdf_text
from tests.test_report_ranking import write_bundle

COMMAND = "postfix flush"
SETTING = "smtp_destination_concurrency_limit"
PADDINGS = 80
"""Remedies rendered, each with one more character before the command, so that
some of them reach the end of a line inside it."""


def padded_remedy(width: int) -> str:
    padding = "word " * (width // 5) + "x" * (width % 5)
    return f"{padding} run `{COMMAND}` and lower `{SETTING}` to send the mail."


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_pdf_keeps_code_words_whole(tmp_path: Path, lang: str) -> None:
    analysis = analyze_bundle(write_bundle(tmp_path / "bundle"), year=2026)
    context = report_context(analysis, lang)
    context.next_steps = [
        (f"Step {width}", padded_remedy(width)) for width in range(PADDINGS)
    ]
    render_pdf(context, tmp_path / "summary.pdf")
    text = re.sub(r"\s+", " ", pdf_text(tmp_path / "summary.pdf"))
    assert text.count(f"run {COMMAND} and") == PADDINGS
    assert text.count(f"lower {SETTING} to") == PADDINGS
