"""Render a report context to HTML, PDF and JSON files.

Nothing here reaches the network: templates and CSS are inlined, charts are
inline SVG, and WeasyPrint gets a URL fetcher that refuses every URL, so a log
line that smuggled in ``<img src=http://...>`` (escaped anyway by Jinja's
autoescape) could not make the renderer fetch it.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from analyzer.report.context import ReportContext

logger = logging.getLogger(__name__)


def templates_dir() -> Path:
    """Return the folder of the report templates: the repository's or the installed copy."""
    source = Path(__file__).resolve().parents[2] / "templates"
    if (source / "base.html").is_file():
        return source
    return Path(str(resources.files("analyzer") / "templates"))


_CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(text: str) -> markupsafe.Markup:
    """Escape ``text`` and set each `backticked` command in <code>."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(_CODE_SPAN.sub(r"<code>\1</code>", escaped))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code_spans"] = code_spans
    return env


def render_html(context: ReportContext, template: str = "report.html") -> str:
    return environment().get_template(template).render(ctx=context)


class FetchRefused(Exception):
    """Raised for every URL WeasyPrint asks for; reports embed all they need."""


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    logger.warning("refused to fetch %s while rendering the PDF", url[:200])
    raise FetchRefused(f"mailbundle reports fetch nothing; refused {url[:200]!r}")


def render_pdf(context: ReportContext, path: Path) -> None:
    """Render the manager summary to a PDF file through WeasyPrint."""
    import weasyprint

    html = render_html(context, "summary.html")
    document = weasyprint.HTML(string=html, url_fetcher=refuse_fetch, base_url=None)
    document.write_pdf(path)


def write_json(records: Any, path: Path) -> None:
    path.write_text(
        json.dumps(records, indent=2, ensure_ascii=False, default=str) + "\n",
        encoding="utf-8",
    )


def cjk_font_available() -> bool:
    """True when fontconfig knows a font with Japanese glyphs."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    result = subprocess.run(
        [fc_list, ":lang=ja", "family"], capture_output=True, text=True, check=False
    )
    return bool(result.stdout.strip())


CJK_FONT_HELP = (
    "no font with Japanese glyphs is installed, so Japanese text in the PDF would "
    "show as boxes; install one, for example: apt-get install fonts-noto-cjk "
    "(Debian, Ubuntu) or dnf install google-noto-sans-cjk-jp-fonts (RHEL, Fedora)."
)
