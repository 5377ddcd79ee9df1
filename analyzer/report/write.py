"""Write the requested report files for one analysis."""

from __future__ import annotations

import logging
from pathlib import Path

from analyzer.api import Analysis
from analyzer.errors import MailbundleError
from analyzer.report import charts
from analyzer.report.context import build_context
from analyzer.report.render import (
    CJK_FONT_HELP,
    cjk_font_available,
    render_html,
    render_pdf,
    write_json,
)

logger = logging.getLogger(__name__)

HTML_NAME = "report.html"
PDF_NAME = "summary.pdf"
JSON_NAME = "findings.json"


class OutputError(MailbundleError):
    """The report folder cannot be written."""

    exit_code = 1


def write_reports(
    analysis: Analysis, folder: Path, formats: list[str], lang: str
) -> list[Path]:
    """Write report.html, summary.pdf and findings.json (as requested) into ``folder``."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"{folder}: cannot create the report folder ({error.strerror}); choose another with -o."
        ) from error
    written = []
    if "json" in formats:
        path = folder / JSON_NAME
        write_json(findings_document(analysis), path)
        written.append(path)
    if "html" in formats or "pdf" in formats:
        context = build_context(analysis, lang)
        times = analysis.events["time"]
        period = charts.choose_period(times.min(), times.max())
        context.charts["traffic"] = charts.traffic_svg(
            analysis.traffic(period), context.labels, period
        )
        context.chart_captions["traffic"] = context.labels[f"traffic_chart_{period}"]
        if "html" in formats:
            path = folder / HTML_NAME
            path.write_text(render_html(context), encoding="utf-8")
            written.append(path)
        if "pdf" in formats:
            if lang == "ja" and not cjk_font_available():
                logger.warning("%s", CJK_FONT_HELP)
            path = folder / PDF_NAME
            render_pdf(context, path)
            written.append(path)
    return written


def findings_document(analysis: Analysis) -> dict[str, object]:
    """The findings.json document: the bundle, its verdict counts and every finding."""
    records = [f.as_record() for f in analysis.findings]
    severities = [f.severity for f in analysis.findings]
    return {
        "bundle": analysis.bundle.inventory.source.rsplit("/", 1)[-1],
        "partial": analysis.partial,
        "hosts": sorted(analysis.hosts),
        "counts": {s: severities.count(s) for s in ("error", "warning", "info")},
        "findings": records,
    }
