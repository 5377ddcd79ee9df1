"""The ``mailbundle`` command line.

Exit codes: 0 the bundle was analyzed; 2 the command line is invalid; 3 the
bundle cannot be used (missing, not an archive, empty, encrypted, over a limit);
4 results are partial because some members could not be read; 5 the output
cannot be written; 6 ``trace`` found no matching message; 1 an unexpected
internal error. Output cut short by a closed pipe (``| head``) ends quietly.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from analyzer import __version__, progress
from analyzer.errors import MailbundleError

if TYPE_CHECKING:
    from analyzer.api import Analysis
    from analyzer.redact import Redactor

EXIT_OK = 0
EXIT_INTERNAL = 1
EXIT_UNUSABLE = 3
EXIT_PARTIAL = 4
EXIT_NO_MATCH = 6
EXIT_BROKEN_PIPE = 141
"""128 + SIGPIPE, what a shell reports for a program stopped by a closed pipe."""

PASSWORD_VARIABLE = "MAILBUNDLE_PASSWORD"
FORMATS = ("html", "pdf", "json")

logger = logging.getLogger("analyzer")


if TYPE_CHECKING:
    _IntParamType = click.ParamType[int]  # generic since Click 8.2
else:
    _IntParamType = click.ParamType


class _Year(_IntParamType):
    """A calendar year of Postfix logs, 1970 to 2200."""

    name = "YEAR"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        try:
            year = int(value)
        except (TypeError, ValueError):
            year = 0
        if not 1970 <= year <= 2200:
            self.fail(
                f"{value!r} is not a year from 1970 to 2200; give the four-digit "
                "year of the newest log line, such as 2026",
                param,
                ctx,
            )
        return year


YEAR = _Year()


def _lang_option(help_text: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Return the --lang option of a command that writes text for people."""
    return click.option(
        "--lang",
        type=click.Choice(["en", "ja"]),
        default="en",
        show_default=True,
        help=help_text,
    )


def _bundle_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads a bundle."""
    options = [
        click.argument("bundle", type=click.Path(path_type=Path)),
        click.option(
            "--year",
            type=YEAR,
            default=None,
            help="Year of the newest line of the bundle's BSD-format logs, which "
            "carry no year; older files and lines are placed before it. Default: "
            "taken from the bundle (rotation dates in file names, file times).",
        ),
        click.option(
            "--timezone",
            "timezone",
            default="UTC",
            show_default=True,
            help="Time zone (IANA name, such as Asia/Tokyo) of log timestamps "
            "that carry none, and of times in the output.",
        ),
        click.option(
            "--password",
            default=None,
            help=f"Password of an encrypted zip or 7z bundle (ZipCrypto zip, 7z "
            f"with or without encrypted names). Default: the {PASSWORD_VARIABLE} "
            "environment variable, which other users cannot see in the process "
            "list.",
        ),
        click.option(
            "--max-size",
            type=click.IntRange(1),
            default=8192,
            show_default=True,
            help="Maximum decompressed size of the whole bundle, and of any one "
            "member, in MiB.",
        ),
        click.option(
            "--max-ratio",
            type=click.FloatRange(1),
            default=1000.0,
            show_default=True,
            help="Maximum ratio of a member's decompressed to compressed size, "
            "checked once a member passes 64 MiB.",
        ),
        click.option(
            "--max-members",
            type=click.IntRange(1),
            default=20000,
            show_default=True,
            help="Maximum number of archive members, over all nesting levels.",
        ),
        click.option(
            "--max-depth",
            type=click.IntRange(0),
            default=4,
            show_default=True,
            help="Maximum nesting of archives inside archives, and of "
            "compression layers inside one member (at least one layer is always "
            "read).",
        ),
        click.option(
            "--redact",
            is_flag=True,
            help="Replace e-mail addresses, user names, host names and IP "
            "addresses in the output with pseudonyms (user1@host2.example, "
            "198.18.0.1), the same value always with the same one, for sharing "
            "outside support.",
        ),
        click.option(
            "-v",
            "--verbose",
            is_flag=True,
            help="Log progress and skipped members to stderr.",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _handle_errors(function: Callable[..., int | None]) -> Callable[..., None]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        try:
            code = function(*args, **kwargs) or EXIT_OK
        except MailbundleError as error:
            click.echo(f"mailbundle: error: {_one_line(str(error))}", err=True)
            sys.exit(error.exit_code)
        except click.ClickException:
            raise  # an invalid option value: click prints the usage, exit code 2
        except BrokenPipeError:
            # The reader (head, less) left: drop what is still buffered, quietly.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_BROKEN_PIPE)
        except KeyboardInterrupt:
            click.echo("mailbundle: interrupted", err=True)
            sys.exit(130)
        except MemoryError:
            click.echo(
                "mailbundle: error: the analysis ran out of memory; run it where "
                "more memory is free (about 0.45 GiB per million log lines), or give "
                "it fewer rotated logs.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        except Exception as error:  # a bug: say so in one line, trace with -v
            logger.info("internal error", exc_info=True)
            click.echo(
                f"mailbundle: internal error: {type(error).__name__}: "
                f"{_one_line(str(error))}; run again with -v for the traceback and "
                "report it.",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)
        finally:
            _RedactedLog.remove()
        sys.exit(code)

    return wrapper


def _one_line(message: str) -> str:
    """Return ``message`` with line breaks replaced, so each error is one line."""
    return " ".join(message.splitlines())


def _analyze(bundle: Path, **options: Any) -> Analysis:
    from analyzer.api import analyze_bundle
    from analyzer.bundle.limits import Limits, MiB

    verbose = options.pop("verbose", False)
    _configure_logging(verbose)
    if verbose and options.get("redact"):
        _RedactedLog.install()
    limits = Limits(
        max_total_bytes=options["max_size"] * MiB,
        max_member_bytes=options["max_size"] * MiB,
        max_ratio=options["max_ratio"],
        max_members=options["max_members"],
        max_depth=options["max_depth"],
    )
    password = options["password"] or os.environ.get(PASSWORD_VARIABLE) or None
    zone = _zone(options["timezone"])
    with progress.shown(_show_progress(verbose)):
        return analyze_bundle(
            bundle,
            year=options["year"],
            timezone=zone,
            limits=limits,
            password=password,
        )


def _show_progress(verbose: bool) -> bool:
    """Draw a progress bar on a terminal, unless -v log lines take its place."""
    return not verbose and sys.stderr.isatty()


QUIET_LOGGERS = ("weasyprint", "fontTools", "PIL", "py7zr")
"""Libraries whose own warnings (CSS hints, font subsetting) mean nothing to users."""


def _configure_logging(verbose: bool) -> None:
    """Errors only by default; with -v, mailbundle's progress and skipped members."""
    logging.basicConfig(
        level=logging.ERROR, format="mailbundle: %(message)s", stream=sys.stderr
    )
    logger.setLevel(logging.INFO if verbose else logging.ERROR)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def _zone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise click.BadParameter(
            f"unknown time zone {name!r}; use an IANA name such as UTC or Asia/Tokyo",
            param_hint="--timezone",
        ) from error
    return name


def _redactor(analysis: Analysis, options: dict[str, Any]) -> Redactor | None:
    from analyzer.redact import for_analysis

    if not options.get("redact"):
        return None
    redactor = for_analysis(analysis)
    _RedactedLog.release(redactor)
    return redactor


class _RedactedLog(logging.Filter):
    """With --redact and -v: hold the log lines until the bundle's redactor
    exists, then write them and every later one redacted. Member paths name
    hosts (sosreport-mx1.example.com/...), and so do skipped members' details."""

    active: _RedactedLog | None = None

    def __init__(self) -> None:
        super().__init__()
        self.redactor: Redactor | None = None
        self.held: list[logging.LogRecord] = []

    @classmethod
    def install(cls) -> None:
        cls.remove()
        cls.active = cls()
        for handler in logging.getLogger().handlers:
            handler.addFilter(cls.active)

    @classmethod
    def release(cls, redactor: Redactor) -> None:
        active = cls.active
        if active is None:
            return
        active.redactor = redactor
        records, active.held = active.held, []
        for record in records:
            logging.getLogger(record.name).handle(record)

    @classmethod
    def remove(cls) -> None:
        if cls.active is not None:
            for handler in logging.getLogger().handlers:
                handler.removeFilter(cls.active)
            cls.active = None

    def filter(self, record: logging.LogRecord) -> bool:
        # Each handler calls the filter: hold a record once, redact it once.
        if self.redactor is None:
            if not any(waiting is record for waiting in self.held):
                self.held.append(record)
            return False
        if not getattr(record, "redacted", False):
            record.msg = self.redactor.text(record.getMessage())
            record.args = None
            record.redacted = True
        return True


@contextlib.contextmanager
def _redacted_stdout(redactor: Redactor | None) -> Iterator[TextIO]:
    """Give the terminal output a stream, redacted at the end by ``redactor``.

    Control characters of log text are escaped on the way out: an escape
    sequence in a log line could otherwise set the window title, clear the
    screen or print a fake verdict.
    """
    from analyzer.bundle.names import escape_controls

    buffer = io.StringIO()
    yield buffer
    text = buffer.getvalue()
    sys.stdout.write(escape_controls(redactor.text(text) if redactor else text))


PARTIAL_NAMED = 3
"""Unreadable members that the warning on partial results names."""


def _partial_code(analysis: Analysis, redactor: Redactor | None = None) -> int:
    """Return the exit code, and warn that the results are partial when some
    member could not be read (its path redacted by ``redactor``)."""
    if not analysis.partial:
        return EXIT_OK
    problems = analysis.bundle.inventory.problems()
    if redactor is not None:
        problems = [redactor.text(problem) for problem in problems]
    lines = [
        "mailbundle: warning: the results are partial because some members of "
        "the bundle could not be read:"
    ]
    lines += [f"  {problem}" for problem in problems[:PARTIAL_NAMED]]
    if len(problems) > PARTIAL_NAMED:
        more = len(problems) - PARTIAL_NAMED
        lines.append(f"  and {more} more (the inventory lists them all)")
    click.echo("\n".join(lines), err=True)
    return EXIT_PARTIAL


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="mailbundle")
def main() -> None:
    """Analyze Postfix support bundles: find why mail is not sent, and prove it."""
    from analyzer.memory import tune_allocator

    tune_allocator()
    # SIGTERM (timeout, kill) ends the command as an exception does, so that the
    # temporary files of archive members and unfinished outputs are removed.
    signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: object) -> None:
    click.echo("mailbundle: terminated", err=True)
    sys.exit(128 + signum)


@main.command()
@_bundle_options
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the reports. Default: BUNDLE-report in the current folder, "
    "or redacted-report with --redact, whose name shows no host name.",
)
@click.option(
    "--format",
    "formats",
    default="html,pdf,json",
    show_default=True,
    help="Comma-separated outputs: html (support report), pdf (manager "
    "summary), json (findings.json for ticket systems).",
)
@_lang_option(
    "Language of the HTML and PDF reports, and of findings.json's added texts."
)
@_handle_errors
def report(
    bundle: Path, output: Path | None, formats: str, lang: str, **options: Any
) -> int:
    """Write the case report of BUNDLE as HTML, PDF and findings.json."""
    from analyzer.report.write import check_output_folder, write_reports

    wanted = _parse_formats(formats)
    # A bundle's name often contains the host name, which --redact hides.
    default = "redacted-report" if options.get("redact") else f"{_stem(bundle)}-report"
    folder = output or Path(default)
    # Fail before the analysis, which can take long on a large bundle.
    check_output_folder(folder)
    analysis = _analyze(bundle, **options)

    redactor = _redactor(analysis, options)
    with progress.shown(_show_progress(options.get("verbose", False))):
        written = write_reports(analysis, folder, wanted, lang, redactor)
    for path in written:
        click.echo(str(path))
    _warn_stale(folder, written)
    return _partial_code(analysis, redactor)


def _warn_stale(folder: Path, written: list[Path]) -> None:
    """Warn about report files that this run left from an earlier one."""
    from analyzer.bundle.names import REPORT_NAMES

    for name in REPORT_NAMES:
        path = folder / name
        if path not in written and path.exists():
            click.echo(
                f"mailbundle: warning: {path} is left from an earlier run and may "
                "describe another bundle; delete it or choose another folder with -o.",
                err=True,
            )


def _parse_formats(text: str) -> list[str]:
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in FORMATS]
    if unknown or not wanted:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown) or text!r}; choose from {', '.join(FORMATS)}",
            param_hint="--format",
        )
    return wanted


def _stem(bundle: Path) -> str:
    name = bundle.resolve().name
    for suffix in (
        ".tar.gz",
        ".tar.bz2",
        ".tar.xz",
        ".tgz",
        ".tar",
        ".zip",
        ".7z",
        ".gz",
    ):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


@main.command()
@_bundle_options
@_lang_option("Language of the summary; log lines and settings stay as written.")
@_handle_errors
def summary(bundle: Path, lang: str, **options: Any) -> int:
    """Print a short summary of BUNDLE: verdict, totals, reasons and findings."""
    from analyzer.terminal import print_summary

    analysis = _analyze(bundle, **options)
    redactor = _redactor(analysis, options)
    with _redacted_stdout(redactor) as out:
        print_summary(analysis, out, redactor.text if redactor else None, lang)
    return _partial_code(analysis, redactor)


@main.command()
@_bundle_options
@click.argument("query")
@_lang_option("Language of the words around the log lines; log lines stay as written.")
@_handle_errors
def trace(bundle: Path, query: str, lang: str, **options: Any) -> int:
    """Print the linked timeline of messages matching QUERY in BUNDLE.

    QUERY is a queue ID, a message key as trace prints it (mx1:4A1B2C0000, or
    mx1:postfix-out:4A1B2C0000#2 for one instance and lifetime), a Message-ID
    (with or without angle brackets), an e-mail address (sender or recipient), a
    domain (example.com or @example.com: every sender and recipient in it), a
    relay host name or IP address (every message delivered or tried there; also
    [mail.example.com]:587 as relayhost writes it), or the name or address of the
    client that submitted a message.
    """
    from analyzer.report import i18n
    from analyzer.terminal import other_ports, print_trace, print_unqueued

    if not query.strip():
        raise click.BadParameter(
            "empty; give a queue ID, message key, Message-ID, address, domain, "
            "or relay host name or IP address",
            param_hint="QUERY",
        )
    analysis = _analyze(bundle, **options)
    redactor = _redactor(analysis, options)
    with _redacted_stdout(redactor) as out:
        found = print_trace(analysis, query, out, lang)
    if not found:
        with _redacted_stdout(redactor) as out:
            unqueued = print_unqueued(analysis, query, out, lang)
        text = i18n.labels(lang)
        ports = other_ports(analysis, query)
        if unqueued:
            hint = text["trace_hint_unqueued"]
        elif analysis.messages.empty:
            hint = text["trace_hint_empty"]
        elif ports:
            hint = text["trace_hint_port"].format(ports=", ".join(ports))
        else:
            hint = text["trace_hint_query"]
        # The query as typed would stand next to its pseudonym in the lines above.
        query_text = redactor.text(query) if redactor else query
        message = text["trace_no_match"].format(query=repr(query_text), hint=hint)
        click.echo(f"mailbundle: {message}", err=True)
        return EXIT_NO_MATCH
    return _partial_code(analysis, redactor)


@main.command()
@_bundle_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "parquet", "json"]),
    default="parquet",
    show_default=True,
    help="File format of the exported frames.",
)
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(path_type=Path),
    required=True,
    help="Folder to write one file per frame into (created if missing).",
)
@_handle_errors
def export(bundle: Path, fmt: str, output: Path, **options: Any) -> int:
    """Export the frames of BUNDLE (events, messages, deliveries, findings, ...).

    Times are written in UTC, so that exports of bundles from different zones
    compare directly; --timezone still sets how timestamps without a zone are
    read.
    """
    from analyzer.export import export_frames
    from analyzer.report.write import check_output_folder

    # Fail before the analysis, which can take long on a large bundle.
    check_output_folder(output)
    analysis = _analyze(bundle, **options)
    redactor = _redactor(analysis, options)
    for path in export_frames(analysis, output, fmt, redactor):
        click.echo(str(path))
    return _partial_code(analysis, redactor)


def run() -> None:
    """Run the command line as the ``mailbundle`` command and ``python -m analyzer``.

    The process first starts again with glibc's huge page tunable where it helps
    (see ``analyzer.memory``). ``main`` alone, as tests call it, never restarts.
    """
    from analyzer.memory import restart_with_huge_pages

    restart_with_huge_pages([sys.executable, "-m", "analyzer", *sys.argv[1:]])
    main(prog_name="mailbundle")


if __name__ == "__main__":  # pragma: no cover
    run()
