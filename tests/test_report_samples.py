"""``mailbundle report`` on every sample bundle, in every archive format."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from analyzer.cli import main
from tests.conftest import (
    ARCHIVE_FORMATS,
    SAMPLES,
    convert_sample,
    mismatch_marks,
    pdf_text,
    sample_names,
    truth,
)

# Every sample in every format would render ~200 PDFs; the three bundles the
# report must get right first run in every format, the rest as shipped.
CORE_SAMPLES = ("healthy", "localhost-loop", "relayhost-mx-lookup")
CASES = [(name, fmt) for name in CORE_SAMPLES for fmt in ARCHIVE_FORMATS] + [
    pytest.param(name, "tar.gz", marks=mismatch_marks(name))
    for name in sample_names()
    if name not in CORE_SAMPLES
]


def has_severity(findings: list[dict[str, str]], severity: str) -> bool:
    return any(f["severity"] == severity for f in findings)


def run_report(bundle: Path, output: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(bundle), "-o", str(output)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_report_outputs_agree_with_truth(name: str, fmt: str, tmp_path: Path) -> None:
    expected = truth(name)
    bundle = convert_sample(name, fmt, tmp_path)
    output = tmp_path / "out"
    run_report(bundle, output)

    document = json.loads((output / "findings.json").read_text())
    findings = document["findings"]
    errors = [f for f in findings if f["severity"] == "error"]
    top = expected["expected_top_finding"]
    if expected["healthy"]:
        assert errors == [], errors
    assert document["totals"]["states"] == expected["counts"]
    if errors:
        status = "failing"
    elif has_severity(findings, "warning"):
        status = "warning"
    else:
        status = "healthy"
    assert document["verdict"]["status"] == status
    if top is not None:
        assert findings, "no findings at all"
        assert findings[0]["code"] == top
        assert findings[0]["evidence"], "the top finding quotes no evidence"

    soup = BeautifulSoup((output / "report.html").read_text(), "html.parser")
    verdict = soup.find(id="verdict").get_text(" ", strip=True)
    cards = soup.select("#findings article.finding")
    if top is not None:
        assert cards[0]["id"].startswith(f"finding-{top}-")
        assert findings[0]["title"] in cards[0].get_text(" ", strip=True)
    # A headline in the past tense states that every problem is over.
    if errors:
        assert "not being delivered" in verdict or "later mail goes out" in verdict
    elif [f for f in findings if f["severity"] == "warning"]:
        assert "Problems to fix" in verdict or "Problems occurred earlier" in verdict
    else:
        assert "No problem found" in verdict
    if not expected["healthy"]:
        assert "No problem found" not in verdict

    text = pdf_text(output / "summary.pdf")
    words = " ".join(text.split())
    assert "Verdict" in words
    # The manager summary takes two or three pages.
    assert 2 <= text.count("\f") <= 3, text.count("\f")
    if top is not None:
        assert " ".join(findings[0]["title"].split()) in words
    # Commands in remedies are set as code, not shown with their backticks.
    remedies = soup.select("#findings p.remedy")
    assert not any("`" in r.get_text() for r in remedies), name
    if top == "localhost-loop":
        assert "postfix flush" in [c.get_text() for c in remedies[0].find_all("code")]
        assert "`" not in words


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_summary_timeline_on_first_page(lang: str, tmp_path: Path) -> None:
    """The title page has room for the chart, so it does not start a new page."""
    result = CliRunner().invoke(
        main,
        ["report", str(SAMPLES / "tls-required.tar.gz"), "-o", str(tmp_path),
         "--format", "pdf", "--lang", lang],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    first_page = pdf_text(tmp_path / "summary.pdf").split("\f")[0]
    timeline = {"en": "Timeline", "ja": "タイムライン"}[lang]
    assert timeline in first_page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_printed_html_report_fits_a4(tmp_path: Path, lang: str) -> None:
    """report.html printed on A4 (WeasyPrint here, as a browser's print would):
    no table runs past the right edge of a page."""
    from PIL import Image
    from weasyprint import HTML

    output = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        ["report", str(SAMPLES / "two-hosts.tar.gz"), "--lang", lang,
         "--format", "html", "-o", str(output)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    pdf = tmp_path / "printed.pdf"
    HTML(filename=str(output / "report.html")).write_pdf(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert pages
    for page in pages:
        pixels = np.asarray(Image.open(page).convert("L"))
        inked = np.flatnonzero((pixels < 200).any(axis=0))
        assert inked.max() < pixels.shape[1] - 2, page.name
