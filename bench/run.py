"""Time mailbundle against pflogsumm and postfix-logwatch on the same generated logs.

For each log size the commands run in turn, A B C D A B C D ..., so that the
load of a shared machine spreads over all of them alike:

- ``mailbundle``: ``python -m analyzer summary LOG`` (parse, timelines,
  statistics, findings; renders nothing);
- ``report``: ``python -m analyzer report LOG --format html,pdf -o DIR``;
- ``pflogsumm``: Debian's ``pflogsumm LOG``;
- ``logwatch``: the postfix-logwatch service script of Debian's logwatch,
  run standalone at detail 10 with the log on standard input.

A log that is missing, or whose ``.meta.json`` names other generator settings,
is made first with ``bench/make_log.py``. Each figure is the median of the runs.
An "empty run" (mailbundle on a 20-line log) gives the peak RSS of the
interpreter and its imports, which the memory target does not count.

Example: ``python bench/run.py`` (1M lines 5 runs, 10M lines 3 runs), or
``python bench/run.py --sizes 1M:3`` for a quicker look.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from measure import Sample, machine_facts, run_measured, source_digest

BENCH = Path(__file__).resolve().parent
REPOSITORY = BENCH.parent
LOGWATCH_SCRIPT = Path("/usr/share/logwatch/scripts/services/postfix")
DEFAULT_JSON = BENCH / "results.json"
TOOLS = ("mailbundle", "report", "pflogsumm", "logwatch")
# Targets for the mailbundle analysis. On 1M lines it must be at least
# TARGET_SPEEDUP times faster than pflogsumm (wall time), with a peak RSS net
# of the empty run of at most TARGET_RSS_PER_LOG_BYTE times the log size.
# 10M lines must take at most TARGET_SCALING times the 1M wall time.
TARGET_SPEEDUP = 10.0
TARGET_RSS_PER_LOG_BYTE = 2.0
TARGET_SCALING = 12.0


def parse_size(text: str) -> int:
    """Parse a line count such as 1M, 500k or 250000."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor > 1 else text
    try:
        return int(float(number) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid size {text!r}: use e.g. 1M, 500k"
        ) from None


def size_label(lines: int) -> str:
    if lines % 1_000_000 == 0:
        return f"{lines // 1_000_000}M"
    if lines % 1_000 == 0:
        return f"{lines // 1_000}k"
    return str(lines)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])

    parser.add_argument(
        "--sizes",
        default="1M:5,10M:3",
        help="comma-separated log sizes in lines, each with ':RUNS' to set its number "
        "of runs (default: 1M:5,10M:3)",
    )
    parser.add_argument("--runs", type=int, help="runs per size, overriding --sizes")
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help=f"commands to time, from {','.join(TOOLS)} (default: all)",
    )

    parser.add_argument(
        "--mix",
        choices=["qradar", "relay"],
        default="qradar",
        help="log mix for bench/make_log.py (default: qradar)",
    )
    parser.add_argument(
        "--format",
        choices=["bsd", "rfc3339"],
        default="bsd",
        help="timestamp format of the logs (default: bsd)",
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="generator seed (default: 1)"
    )
    parser.add_argument(
        "--logs",
        type=Path,
        default=BENCH / "logs",
        help="folder of generated logs (default: bench/logs)",
    )

    parser.add_argument(
        "--json",
        type=Path,
        default=DEFAULT_JSON,
        help="JSON file to update with the results (default: bench/results.json)",
    )

    parser.add_argument(
        "--recompute",
        action="store_true",
        help="measure nothing: recompute the medians, ratios and targets of the JSON file",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="seconds after which one run is stopped (default: 3600)",
    )
    parser.add_argument(
        "--memory-limit",
        type=float,
        default=0.0,
        help="address space limit of each run in GiB (RLIMIT_AS); a run over it fails "
        "and is counted as failed; 0 sets none (default: 0)",
    )
    return parser.parse_args(argv)


def size_plan(arguments: argparse.Namespace) -> list[tuple[int, int]]:
    plan = []
    for item in arguments.sizes.split(","):
        size_text, _, runs_text = item.partition(":")
        runs = arguments.runs or (int(runs_text) if runs_text else 5)
        plan.append((parse_size(size_text), runs))
    return plan


def ensure_log(
    lines: int, arguments: argparse.Namespace
) -> tuple[Path, dict[str, object]]:
    """Return the log of this size and its metadata, generating it when missing."""
    suffix = "" if arguments.format == "bsd" else f"-{arguments.format}"
    path = arguments.logs / f"{arguments.mix}-{size_label(lines)}{suffix}.log"
    meta_path = path.with_name(path.name + ".meta.json")
    expected = {
        "lines": lines,
        "mix": arguments.mix,
        "format": arguments.format,
        "seed": arguments.seed,
    }
    if path.exists() and meta_path.exists():
        metadata = json.loads(meta_path.read_text())
        if all(metadata.get(key) == value for key, value in expected.items()):
            return path, metadata
    print(f"generating {path} ...", flush=True)
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "make_log.py"),
            "--lines",
            str(lines),
            "--out",
            str(path),
            "--mix",
            arguments.mix,
            "--format",
            arguments.format,
            "--seed",
            str(arguments.seed),
            "--quiet",
        ],
        check=True,
    )
    return path, json.loads(meta_path.read_text())


def tiny_log(log: Path, folder: Path) -> Path:
    """Write the first 20 lines of a log, for the empty run."""
    tiny = folder / "tiny.log"
    with log.open("rb") as source:
        head = b"".join(source.readline() for _ in range(20))
    tiny.write_bytes(head)
    return tiny


def commands(
    log: Path, work: Path, metadata: dict[str, object]
) -> dict[str, dict[str, object]]:
    """Build the command line of each tool, with its standard input if it reads one."""
    python = [sys.executable, "-m", "analyzer"]
    logwatch = ["perl", str(LOGWATCH_SCRIPT), "--detail", "10"]
    if metadata.get("long_id_share", 0) and float(metadata["long_id_share"]) > 0.5:
        logwatch.append("--long_queue_ids")
    return {
        "mailbundle": {"command": [*python, "summary", str(log)]},
        "report": {
            "command": [
                *python,
                "report",
                str(log),
                "--format",
                "html,pdf",
                "-o",
                str(work / "report"),
            ]
        },
        "pflogsumm": {"command": ["pflogsumm", str(log)]},
        "logwatch": {"command": logwatch, "stdin": log},
    }


def measure_size(
    lines: int, runs: int, arguments: argparse.Namespace, tools: list[str]
) -> dict[str, object]:
    log, metadata = ensure_log(lines, arguments)
    env = dict(os.environ)
    # Standalone mode: the script reads its options from the command line,
    # not from logwatch's LOGWATCH_* variables.
    env.pop("LOGWATCH_DETAIL_LEVEL", None)
    memory_limit = int(arguments.memory_limit * 2**30) or None
    with tempfile.TemporaryDirectory(prefix="mailbundle-bench-") as folder:
        work = Path(folder)
        table = commands(log, work, metadata)
        _read_through(log)
        empty = [
            run_measured(
                [*table["mailbundle"]["command"][:-1], str(tiny_log(log, work))],
                cwd=REPOSITORY,
                env=env,
                timeout=arguments.timeout,
                memory_limit=memory_limit,
            )
            for _ in range(3)
        ]
        samples: dict[str, list[Sample]] = {tool: [] for tool in tools}
        for run in range(runs):
            for tool in tools:
                spec = table[tool]
                sample = run_measured(
                    spec["command"],
                    stdin_path=spec.get("stdin"),
                    cwd=REPOSITORY,
                    env=env,
                    timeout=arguments.timeout,
                    memory_limit=memory_limit,
                )
                samples[tool].append(sample)
                print(
                    f"  {size_label(lines)} run {run + 1}/{runs} {tool:<10} "
                    f"wall {sample.wall_seconds:7.2f} s  cpu {sample.cpu_seconds:7.2f} s  "
                    f"rss {sample.max_rss_bytes / 2**20:8.1f} MiB  exit {sample.exit_code}",
                    flush=True,
                )
    return summarize(lines, runs, log, metadata, table, samples, empty)


def _read_through(path: Path) -> None:
    """Read the log once so every tool starts with it in the page cache."""
    with path.open("rb") as handle:
        while handle.read(1 << 22):
            pass


def _medians(samples: list[dict[str, object]]) -> dict[str, object]:
    """Return the medians of the runs that exited 0, or of all runs when none did."""
    completed = [s for s in samples if s["exit_code"] == 0] or samples
    return {
        "wall_seconds": statistics.median(s["wall_seconds"] for s in completed),
        "cpu_seconds": statistics.median(s["cpu_seconds"] for s in completed),
        "max_rss_bytes": int(statistics.median(s["max_rss_bytes"] for s in completed)),
        "failed_runs": len(samples) - len([s for s in samples if s["exit_code"] == 0]),
        "samples": samples,
    }


def summarize(
    lines: int,
    runs: int,
    log: Path,
    metadata: dict[str, object],
    table: dict[str, dict[str, object]],
    samples: dict[str, list[Sample]],
    empty: list[Sample],
) -> dict[str, object]:
    results = {
        tool: _medians([s.as_dict() for s in found]) for tool, found in samples.items()
    }
    for tool, result in results.items():
        result["command"] = " ".join(str(x) for x in table[tool]["command"])
        if "stdin" in table[tool]:
            result["command"] += f" < {table[tool]['stdin']}"
    summary: dict[str, object] = {
        "lines": lines,
        "runs": runs,
        "log": {"path": str(log), "bytes": log.stat().st_size, "metadata": metadata},
        "results": results,
        "empty_run": _medians([s.as_dict() for s in empty]),
    }
    return derive(summary)


def derive(summary: dict[str, object]) -> dict[str, object]:
    """Fill in the medians, the ratios against pflogsumm and the net peak RSS of one size."""
    results = summary["results"]
    for result in results.values():
        result.update(
            {k: v for k, v in _medians(result["samples"]).items() if k != "samples"}
        )
    empty_result = summary["empty_run"]
    empty_result.update(
        {k: v for k, v in _medians(empty_result["samples"]).items() if k != "samples"}
    )
    log_bytes = summary["log"]["bytes"]
    ratios: dict[str, float] = {}
    baseline = results.get("pflogsumm")
    if baseline:
        for tool in results:
            if tool == "pflogsumm":
                continue
            for figure in ("wall_seconds", "cpu_seconds", "max_rss_bytes"):
                ratios[f"{tool}/pflogsumm {figure}"] = (
                    results[tool][figure] / baseline[figure]
                    if baseline[figure]
                    else float("nan")
                )
    summary["ratios"] = ratios
    if "mailbundle" in results:
        net = results["mailbundle"]["max_rss_bytes"] - empty_result["max_rss_bytes"]
        summary["mailbundle_net_rss_bytes"] = net
        summary["mailbundle_net_rss_per_log_byte"] = net / log_bytes
    return summary


def targets(sizes: dict[str, dict[str, object]]) -> dict[str, object]:
    """Check the lead's targets against the figures at hand."""
    checks: dict[str, object] = {}
    small = sizes.get("1M")
    if small and "mailbundle/pflogsumm wall_seconds" in small["ratios"]:
        speedup = 1 / small["ratios"]["mailbundle/pflogsumm wall_seconds"]
        checks["speedup_vs_pflogsumm_1M"] = {
            "value": speedup,
            "target": f">= {TARGET_SPEEDUP}",
            "met": speedup >= TARGET_SPEEDUP,
        }
    if small and "mailbundle_net_rss_per_log_byte" in small:
        share = small["mailbundle_net_rss_per_log_byte"]
        checks["net_rss_per_log_byte_1M"] = {
            "value": share,
            "target": f"<= {TARGET_RSS_PER_LOG_BYTE}",
            "met": share <= TARGET_RSS_PER_LOG_BYTE,
        }
    large = sizes.get("10M")
    if (
        small
        and large
        and "mailbundle" in small["results"]
        and "mailbundle" in large["results"]
    ):
        failed = large["results"]["mailbundle"]["failed_runs"]
        scale = (
            large["results"]["mailbundle"]["wall_seconds"]
            / small["results"]["mailbundle"]["wall_seconds"]
        )
        # The CPU ratio is not the target, but it shows how much of the wall
        # ratio comes from the machine's load rather than from mailbundle.
        cpu_scale = (
            large["results"]["mailbundle"]["cpu_seconds"]
            / small["results"]["mailbundle"]["cpu_seconds"]
        )
        checks["wall_10M_over_1M"] = {
            "value": scale,
            "target": f"<= {TARGET_SCALING}, every run completed",
            "met": scale <= TARGET_SCALING and not failed,
            "failed_runs_10M": failed,
            "cpu_10M_over_1M": cpu_scale,
        }
    return checks


def print_table(label: str, summary: dict[str, object]) -> None:
    results = summary["results"]
    print(
        f"\n{label}: {summary['lines']:,} lines, {summary['log']['bytes'] / 2**20:.0f} MiB, "
        f"median of {summary['runs']} runs"
    )
    print(
        f"{'command':<12}{'wall s':>10}{'cpu s':>10}{'peak RSS MiB':>14}{'wall vs pflogsumm':>19}"
    )
    base = results.get("pflogsumm", {}).get("wall_seconds")
    for tool, result in results.items():
        ratio = f"{result['wall_seconds'] / base:.3f}" if base else "-"
        failed = f"  ({result['failed_runs']} failed)" if result["failed_runs"] else ""
        print(
            f"{tool:<12}{result['wall_seconds']:>10.2f}{result['cpu_seconds']:>10.2f}"
            f"{result['max_rss_bytes'] / 2**20:>14.1f}{ratio:>19}{failed}"
        )
    empty = summary["empty_run"]
    print(
        f"{'empty run':<12}{empty['wall_seconds']:>10.2f}{empty['cpu_seconds']:>10.2f}"
        f"{empty['max_rss_bytes'] / 2**20:>14.1f}"
    )
    if "mailbundle_net_rss_bytes" in summary:
        print(
            f"mailbundle peak RSS net of the empty run: "
            f"{summary['mailbundle_net_rss_bytes'] / 2**20:.1f} MiB = "
            f"{summary['mailbundle_net_rss_per_log_byte']:.2f} x the log size"
        )


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    tools = [t for t in arguments.tools.split(",") if t]
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        print(
            f"unknown tools {unknown}: choose from {','.join(TOOLS)}", file=sys.stderr
        )
        return 2
    if "logwatch" in tools and not LOGWATCH_SCRIPT.exists():
        print(f"{LOGWATCH_SCRIPT} not found: apt-get install logwatch", file=sys.stderr)
        return 2

    document = json.loads(arguments.json.read_text()) if arguments.json.exists() else {}
    document.setdefault("sizes", {})
    if arguments.recompute:
        for summary in document["sizes"].values():
            derive(summary)
        document["targets"] = targets(document["sizes"])
        arguments.json.write_text(json.dumps(document, indent=2) + "\n")
        print_targets(document["targets"])
        return 0
    document["machine"] = machine_facts(REPOSITORY)
    # pip byte-compiles an installed package. An editable install of this
    # checkout compiles on first import, or never when PYTHONDONTWRITEBYTECODE
    # is set, so each run would compile the source again (about 0.1 s of CPU).
    compileall.compile_dir(REPOSITORY / "analyzer", quiet=1)

    for lines, runs in size_plan(arguments):
        label = size_label(lines)
        started = time.monotonic()
        code_before = source_digest(REPOSITORY / "analyzer")
        summary = measure_size(lines, runs, arguments, tools)
        summary["analyzer_sha256_before"] = code_before
        summary["analyzer_sha256_after"] = source_digest(REPOSITORY / "analyzer")
        summary["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        summary["load_average_after"] = os.getloadavg()
        summary["benchmark_seconds"] = round(time.monotonic() - started, 1)
        summary["memory_limit_bytes"] = int(arguments.memory_limit * 2**30) or None
        summary["command"] = " ".join(
            ["python", "bench/run.py", *(argv or sys.argv[1:])]
        )
        document["sizes"][label] = summary
        print_table(label, summary)
        # Write after each size, so the figures of a long run survive an interruption.
        document["targets"] = targets(document["sizes"])
        document["updated_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        arguments.json.write_text(json.dumps(document, indent=2) + "\n")

    print_targets(document["targets"])
    print(f"results written to {arguments.json}")
    return 0


def print_targets(checks: dict[str, dict[str, object]]) -> None:
    print("\ntargets:")
    for name, check in checks.items():
        print(
            f"  {name}: {check['value']:.3f} (target {check['target']}): "
            f"{'met' if check['met'] else 'NOT met'}"
        )


if __name__ == "__main__":
    sys.exit(main())
