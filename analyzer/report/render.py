"""Render a report context to HTML, PDF and JSON files.

Nothing here reaches the network: templates and CSS are inlined, charts are
inline SVG, and WeasyPrint gets a URL fetcher that refuses every URL, so a log
line that smuggled in ``<img src=http://...>`` (escaped anyway by Jinja's
autoescape) could not make the renderer fetch it.
"""

from __future__ import annotations

import json
import logging
import numbers
import re
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from analyzer.bundle.names import escape_controls
from analyzer.report.context import ReportContext

logger = logging.getLogger(__name__)


def templates_dir() -> Path:
    """Return the folder of the report templates: the repository's or the installed copy."""
    source = Path(__file__).resolve().parents[2] / "templates"
    if (source / "base.html").is_file():
        return source
    return Path(str(resources.files("analyzer") / "templates"))


_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_CODE_TOKEN = re.compile(r"[^ ]+")


def code_element(command: str) -> str:
    """Wrap ``command`` in <code> and each space-separated token of it in a .token span.

    The CSS makes each token an inline block, so a line breaks at the spaces
    between tokens but not after a "-" or "/" inside one (``ss -`` / ``ltn``).
    Only a token wider than the line wraps inside. The spans add no characters,
    so text copied from the HTML or the PDF is the command itself.
    """
    tokens = _CODE_TOKEN.sub(r'<span class="token">\g<0></span>', command)
    return f"<code>{tokens}</code>"


# An absolute path in running text, such as /etc/postfix/main.cf. It ends before a
# final "." or "," and before non-ASCII text, as in Japanese "/etc/postfix/main.cfの".
# A slash after a letter, digit, "/", ":" or "." starts no path, so "and/or" and URLs
# stay plain text.
_PLAIN_PATH = re.compile(r"(?<![\w/:.])/[\w.+-]+(?:/[\w.+-]+)*/?(?<![.,])", re.ASCII)


# A host name or address in running text (smtp-relay.example.net,
# root@qradar-console.localdomain). Those with a "-" become tokens, so that the
# line does not break after the hyphen and split the name.
_PLAIN_NAME = re.compile(
    r"(?<![\w.@/-])(?:[\w.+-]+@)?[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)+(?<![.-])",
    re.ASCII,
)
_PLAIN_TOKEN = re.compile(
    f"(?P<path>{_PLAIN_PATH.pattern})|{_PLAIN_NAME.pattern}", re.ASCII
)


def path_token(match: re.Match[str]) -> str:
    text = match.group(0)
    if match.group("path") is None and "-" not in text:
        return text
    return f'<span class="token">{text}</span>'


def page_counters(template: str) -> markupsafe.Markup:
    """Turn a footer text such as "Page {page} / {pages}" into a CSS ``content``
    value, with the page counters in place of the fields."""
    parts = re.split(r"\{(page|pages)\}", template)
    tokens = [
        f"counter({part})" if index % 2 else _css_string(part)
        for index, part in enumerate(parts)
        if index % 2 or part
    ]
    return markupsafe.Markup(" ".join(tokens))


def _css_string(text: str) -> str:
    """Quote ``text`` as a CSS string: a label, never log text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def code_spans(text: str) -> markupsafe.Markup:
    """Escape ``text``, set each `backticked` command in <code> and keep paths,
    and names with a hyphen, whole.

    A path or such a name outside backticks gets the same token span as a code
    token, so the line does not break after one of its slashes or hyphens either.
    """
    escaped = str(markupsafe.escape(text))
    parts = _CODE_SPAN.split(escaped)
    # re.split puts the text between backticks at the odd indexes.
    for index, part in enumerate(parts):
        if index % 2:
            parts[index] = code_element(part)
        else:
            parts[index] = _PLAIN_TOKEN.sub(path_token, part)
    return markupsafe.Markup("".join(parts))


def visible_controls(value: Any) -> Any:
    """Return a text value with its control characters shown as escapes, and
    other values as they are. A bidirectional control in a log line (U+202E)
    would make the line read differently from its text. Markup stays markup."""
    if not isinstance(value, str):
        return value
    escaped = escape_controls(value)
    if escaped == value:
        return value
    return (
        markupsafe.Markup(escaped) if isinstance(value, markupsafe.Markup) else escaped
    )


def count(value: object) -> object:
    """Write a whole number with thousands separators (3,000), as the key numbers
    and summaries do; other values stay as they are."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return f"{int(value):,}"
    return value


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir()),
        autoescape=True,
        finalize=visible_controls,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["code_spans"] = code_spans
    env.filters["count"] = count
    env.filters["page_counters"] = page_counters
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
