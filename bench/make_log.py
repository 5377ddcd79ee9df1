"""Make a large, realistic Postfix log for benchmarks.

The log replays the line shapes of the real corpus (``--corpus``) and of the
real-Postfix sample bundles (``--bundles``), read at run time, with fresh queue
IDs, pids, addresses, host names and documentation IP addresses. Each
message's lines stay one coherent lifecycle, interleaved in time with the
other messages' lines as in a busy log.

Example::

    python bench/make_log.py --lines 1000000 --out bench/logs/qradar-1M.log --mix qradar
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from loggen.library import Library, load_library
from loggen.qradar import APPLIANCE, SECOND_HOST, qradar_arrivals
from loggen.relay import relay_arrivals
from loggen.replay import Context, Host, Instance
from loggen.values import TEAM_NAMES, LocalParts, Names, Pids, QueueIds
from loggen.writer import SyslogFormat, write_log

REPOSITORY = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPOSITORY.parent / "shared" / "corpus" / "maillog"
DEFAULT_BUNDLES = REPOSITORY / "samples" / "bundles"
DEFAULT_CACHE = Path(__file__).resolve().parent / "logs" / "cache"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    parser.add_argument(
        "--lines", type=int, required=True, help="number of log lines to write"
    )
    parser.add_argument("--out", type=Path, required=True, help="log file to write")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default: 1)")
    parser.add_argument(
        "--format",
        choices=["bsd", "rfc3339"],
        default="bsd",
        help="timestamp format: bsd 'Mar  1 12:14:29' or rfc3339 (default: bsd)",
    )
    parser.add_argument(
        "--mix",
        choices=["qradar", "relay"],
        default="qradar",
        help="qradar: an appliance whose relay fails for hours, plus smtpd and "
        "postscreen noise; relay: a busy MTA in the corpus proportions (default: qradar)",
    )
    parser.add_argument(
        "--start",
        default="2026-01-05T00:00:00",
        help="UTC time of the first line, ISO 8601 (default: 2026-01-05T00:00:00)",
    )
    parser.add_argument(
        "--long-id-share",
        type=float,
        default=0.03,
        help="share of messages logged by a second host with enable_long_queue_ids "
        "(default: 0.03)",
    )
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"folder of real mail logs (default: {DEFAULT_CORPUS})",
    )
    parser.add_argument(
        "--bundles",
        type=Path,
        default=DEFAULT_BUNDLES,
        help=f"folder of sample bundles (default: {DEFAULT_BUNDLES})",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=DEFAULT_CACHE,
        help="folder for the parsed-template cache; 'none' disables it",
    )
    parser.add_argument("--quiet", action="store_true", help="print no progress")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    problem = _check_arguments(arguments)
    if problem:
        print(problem, file=sys.stderr)
        return 2

    started = time.monotonic()
    cache = None if str(arguments.cache) == "none" else arguments.cache
    library = load_library(arguments.corpus, arguments.bundles, cache)
    context, hosts = _run_state(arguments)
    start = datetime.fromisoformat(arguments.start).replace(tzinfo=UTC).timestamp()
    try:
        arrivals = _arrivals(arguments, library, context, hosts, start)
        written = _write(arguments, arrivals)
    except ValueError as error:
        print(f"cannot make the log: {error}", file=sys.stderr)
        return 2

    metadata = _metadata(
        arguments, library, context.stats, written, time.monotonic() - started
    )
    meta_path = arguments.out.with_name(arguments.out.name + ".meta.json")
    meta_path.write_text(json.dumps(metadata, indent=2) + "\n")
    missing = context.stats.get("outage_scenarios_missing")
    if missing:
        print(
            f"warning: {missing} outage scenario bundles are missing from "
            f"{arguments.bundles}, so the log has fewer kinds of outage",
            file=sys.stderr,
        )
    if not arguments.quiet:
        print(json.dumps(metadata, indent=2))
    return 0


def _check_arguments(arguments: argparse.Namespace) -> str:
    """Return what is wrong with the command line, or an empty string."""
    if arguments.lines <= 0:
        return f"--lines must be positive, not {arguments.lines}"
    if not arguments.corpus.is_dir():
        return (
            f"corpus folder not found: {arguments.corpus}; pass --corpus with the "
            "folder of real Postfix logs (the corpus's maillog folder)"
        )
    if not arguments.bundles.is_dir():
        return f"folder not found: {arguments.bundles}; pass --bundles"
    try:
        datetime.fromisoformat(arguments.start)
    except ValueError:
        return f"invalid --start {arguments.start!r}: use ISO 8601, e.g. 2026-01-05T00:00:00"
    return ""


def _run_state(arguments: argparse.Namespace) -> tuple[Context, tuple[Host, Host]]:
    """Create the run's random state, pseudonyms and the two hosts.

    The order of the calls fixes the random draws, so keep it: a change makes
    every log of a given seed different.
    """
    rng = random.Random(arguments.seed)
    team = arguments.mix == "qradar"
    local_parts = LocalParts(rng, 40 if team else 200_000, TEAM_NAMES if team else ())
    context = Context(rng, Names(rng), local_parts)
    main_name, second_name = (APPLIANCE, SECOND_HOST) if team else ("mx1", "mx2")
    hosts = (
        Host(main_name, QueueIds(rng, long_ids=False, reuse_share=0.002), Pids(rng)),
        Host(second_name, QueueIds(rng, long_ids=True, reuse_share=0.0), Pids(rng)),
    )
    return context, hosts


def _arrivals(
    arguments: argparse.Namespace,
    library: Library,
    context: Context,
    hosts: tuple[Host, Host],
    start: float,
) -> Iterator[Instance]:
    if arguments.mix == "qradar":
        return qradar_arrivals(context, library, hosts, arguments.long_id_share, start)
    bundle_units = [t for units in library.scenarios.values() for t in units]
    return relay_arrivals(
        context, library.corpus, bundle_units, hosts, arguments.long_id_share, start
    )


def _write(arguments: argparse.Namespace, arrivals: Iterator[Instance]) -> int:
    """Write the log through a temporary name, so a stopped run leaves no partial log."""
    style = SyslogFormat(arguments.format)
    arguments.out.parent.mkdir(parents=True, exist_ok=True)
    partial = arguments.out.with_name(arguments.out.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n") as stream:
        written = write_log(
            arrivals, arguments.lines, stream, style, not arguments.quiet
        )
    partial.replace(arguments.out)
    return written


def _metadata(
    arguments: argparse.Namespace,
    library: object,
    stats: dict[str, int],
    written: int,
    seconds: float,
) -> dict[str, object]:
    digest = hashlib.sha256()
    with arguments.out.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {
        "file": str(arguments.out),
        "lines": written,
        "bytes": arguments.out.stat().st_size,
        "sha256": digest.hexdigest(),
        "mix": arguments.mix,
        "format": arguments.format,
        "seed": arguments.seed,
        "start": arguments.start,
        "long_id_share": arguments.long_id_share,
        "generator_seconds": round(seconds, 1),
        "dropped_template_units": getattr(library, "dropped_units", 0),
        "stats": stats,
    }


if __name__ == "__main__":
    sys.exit(main())
