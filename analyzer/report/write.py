"""Write the requested report files for one analysis."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import asdict, fields, replace
from pathlib import Path

from analyzer import progress
from analyzer.api import Analysis
from analyzer.bundle.names import HTML_NAME, JSON_NAME, PDF_NAME
from analyzer.errors import MailbundleError
from analyzer.redact import Redactor
from analyzer.report import charts, i18n
from analyzer.report.context import (
    ReportContext,
    build_context,
    localized_texts,
    verdict,
)
from analyzer.report.render import (
    CJK_FONT_HELP,
    cjk_font_available,
    render_html,
    render_pdf,
    write_json,
)

logger = logging.getLogger(__name__)


class OutputError(MailbundleError):
    """The report folder cannot be written."""

    exit_code = 5


def write_reports(
    analysis: Analysis,
    folder: Path,
    formats: list[str],
    lang: str,
    redactor: Redactor | None = None,
) -> list[Path]:
    """Write report.html, summary.pdf and findings.json (as requested) into ``folder``.

    Every file is written under a temporary name first and all are renamed at the
    end, so an interrupted run leaves the previous reports as they were instead of
    mixing two bundles' files in one folder.
    """
    with staged_files(folder, "reports") as staging:
        _render_all(analysis, formats, lang, staging, redactor)
    return staging.finals


class Staging:
    """Temporary names in one folder for the files being written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.staged: list[tuple[Path, Path]] = []

    def path(self, name: str) -> Path:
        """Return the temporary path to write the file ``name`` to."""
        temporary = self.folder / f".{name}.partial"
        self.staged.append((temporary, self.folder / name))
        return temporary

    @property
    def finals(self) -> list[Path]:
        return [final for _, final in self.staged]


@contextlib.contextmanager
def staged_files(folder: Path, label: str) -> Iterator[Staging]:
    """Create ``folder`` and give temporary names for the files written into it.

    When the block ends, all the files are renamed to their names at once, so an
    interrupted run leaves the earlier files as they were instead of mixing two
    bundles' files in one folder. ``label`` names the files in error messages.
    """
    check_output_folder(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError(
            f"{folder}: cannot create the folder for the {label} ({error.strerror}); "
            "choose another with -o."
        ) from error
    staging = Staging(folder)
    try:
        yield staging
        for temporary, final in staging.staged:
            temporary.replace(final)
    except OSError as error:
        raise OutputError(
            f"{folder}: cannot write the {label} ({error.strerror}); choose another "
            "folder with -o."
        ) from error
    finally:
        for temporary, _ in staging.staged:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def check_output_folder(folder: Path) -> None:
    """Raise ``OutputError`` when ``folder`` exists and is not a folder."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(
            f"{folder} is a file, not a folder; choose a folder with -o (a new "
            "name creates it) or move the file away."
        )


def report_context(
    analysis: Analysis, lang: str, html_written: bool = True
) -> ReportContext:
    """Build the context of both reports, charts included."""
    context = build_context(analysis, lang, html_written=html_written)
    times = analysis.event_fields["time"]
    period = charts.choose_period(times.min(), times.max())
    # The chart leaves the notices out, as the key numbers count them apart.
    traffic = analysis.traffic(period, notices=False)
    if len(traffic) and traffic.to_numpy().sum() > 0:
        # Without a delivery attempt the chart would be an empty frame.
        context.charts["traffic"] = charts.traffic_svg(traffic, context.labels, period)
        caption = context.labels[f"traffic_chart_{period}"]
        if traffic["rejected"].any():
            caption = context.labels["traffic_chart_rejected"].format(caption=caption)
        if analysis.totals().notices:
            caption = context.labels["traffic_chart_notices"].format(caption=caption)
        context.chart_captions["traffic"] = caption
    return context


def _render_all(
    analysis: Analysis,
    formats: list[str],
    lang: str,
    staging: Staging,
    redactor: Redactor | None,
) -> None:
    stage = staging.path
    if "json" in formats:
        with _timed(f"wrote {JSON_NAME}"):
            document = findings_document(analysis, lang)
            if redactor is not None:
                document = redactor.value(document)
            write_json(document, stage(JSON_NAME))
    if "html" not in formats and "pdf" not in formats:
        return
    progress.stage("Building the report")
    with _timed("built the report context and charts"):
        context = report_context(analysis, lang, html_written="html" in formats)
        if redactor is not None:
            context = redact_context(context, redactor)
    if "html" in formats:
        progress.stage(f"Writing {HTML_NAME}")
        with _timed(f"wrote {HTML_NAME}"):
            stage(HTML_NAME).write_text(render_html(context), encoding="utf-8")
    if "pdf" in formats:
        progress.stage(f"Rendering {PDF_NAME}")
        if lang == "ja" and not cjk_font_available():
            logger.warning("%s", CJK_FONT_HELP)
        with _timed(f"wrote {PDF_NAME}"):
            render_pdf(context, stage(PDF_NAME))


@contextlib.contextmanager
def _timed(step: str) -> Iterator[None]:
    """Log how long ``step`` took (shown with -v)."""
    started = time.perf_counter()
    yield
    logger.info("%s in %.1f s", step, time.perf_counter() - started)


UNREDACTED_FIELDS = frozenset(
    [
        "lang",
        "labels",
        "title",
        "generated",
        "charts",
        "chart_captions",
        "zone",
        "summary_note",
        "messages_note",
    ]
)
"""Report context fields that hold only mailbundle's own words, SVG or numbers."""


def redact_context(context: ReportContext, redactor: Redactor) -> ReportContext:
    """Return ``context`` with addresses, host names and IPs in its data replaced."""
    changes = {
        f.name: redactor.value(getattr(context, f.name))
        for f in fields(context)
        if f.name not in UNREDACTED_FIELDS
    }
    return replace(context, **changes)


def findings_document(analysis: Analysis, lang: str = "en") -> dict[str, object]:
    """Build the findings.json document: the bundle, the verdict in English, the
    totals, the count of findings per severity and every finding.

    For another ``lang``, the English texts stay where ticket systems read them,
    and each finding gets a "localized" title, summary and remedy, next to a
    "localized_verdict"."""
    records = [f.as_record() for f in analysis.findings]
    severities = [f.severity for f in analysis.findings]
    document: dict[str, object] = {
        "bundle": analysis.bundle.inventory.name,
        "partial": analysis.partial,
        "hosts": sorted(analysis.hosts),
        "verdict": verdict(analysis, records, i18n.labels("en")),
        "totals": asdict(analysis.totals()),
        "pflogsumm_totals": analysis.pflogsumm_totals(),
        "counts": {s: severities.count(s) for s in ("error", "warning", "info")},
        "findings": records,
    }
    if lang != "en":
        local = []
        for finding, record in zip(analysis.findings, records, strict=True):
            title, summary, remedy = localized_texts(finding, lang)
            texts = {"title": title, "summary": summary, "remedy": remedy}
            record["localized"] = texts
            local.append({**record, **texts})
        document["lang"] = lang
        document["localized_verdict"] = verdict(analysis, local, i18n.labels(lang))
    return document
