"""Make the sample support bundles and their ground truth with a real Postfix.

Usage: python samples/make_samples.py [--only NAME ...] [--list] [--keep-work]

Needs root. Writes samples/bundles/NAME.tar.gz and samples/truth/NAME.json.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scenario_runner.deps import missing_requirements

SAMPLES_DIR = Path(__file__).resolve().parent


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="+", metavar="NAME", help="run only these scenarios"
    )
    parser.add_argument(
        "--list", action="store_true", help="list the scenarios and exit"
    )
    parser.add_argument(
        "--keep-work",
        action="store_true",
        help="keep the temporary work folder (host logs, sink records) after the run",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s: %(message)s"
    )
    problems = missing_requirements()
    if problems and not args.list:
        for problem in problems:
            print(f"make_samples: {problem}", file=sys.stderr)
        return 2
    from scenario_runner.runner import run_scenario
    from scenario_runner.scenarios import ALL, SCENARIOS

    if args.list:
        for scenario in ALL:
            print(
                f"{scenario.name:24} {scenario.expected_top_finding or '-':28} "
                f"{scenario.description}"
            )
        return 0
    unknown = sorted(set(args.only or []) - set(SCENARIOS))
    if unknown:
        print(
            f"make_samples: unknown scenario names {unknown}; see --list",
            file=sys.stderr,
        )
        return 2
    selected = [
        scenario for scenario in ALL if not args.only or scenario.name in args.only
    ]
    work_dir = Path(tempfile.mkdtemp(prefix="mailbundle-samples-"))
    work_dir.chmod(0o755)
    started = time.monotonic()
    failed = []
    try:
        for scenario in selected:
            logging.info("running scenario %s", scenario.name)
            try:
                run_scenario(scenario, work_dir, SAMPLES_DIR)
            except (RuntimeError, OSError) as error:
                logging.error("%s", error)
                failed.append(scenario.name)
    finally:
        if args.keep_work or failed:
            logging.info("work folder kept: %s", work_dir)
        else:
            shutil.rmtree(work_dir, ignore_errors=True)
    logging.info(
        "%d scenarios in %.0f s, %d failed: %s",
        len(selected),
        time.monotonic() - started,
        len(failed),
        failed,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
