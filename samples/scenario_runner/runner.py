"""Outer side of a scenario run: namespaces, host processes, bundle and truth files."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from . import truth
from .bundle import bundle_members, write_bundle
from .checks import find_foreign_values
from .model import Scenario
from .namespace import create_netns, delete_netns

logger = logging.getLogger(__name__)

SAMPLES_DIR = Path(__file__).resolve().parent.parent


def run_scenario(
    scenario: Scenario, work_dir: Path, output_dir: Path
) -> dict[str, Any]:
    """Run SCENARIO's hosts side by side, then write its bundle and truth file."""
    started = time.monotonic()
    scenario_dir = work_dir / scenario.name
    scenario_dir.mkdir(parents=True)
    scenario_dir.chmod(0o755)

    run_hosts(scenario, scenario_dir)
    results = read_host_results(scenario, scenario_dir)

    members = []
    for index, plan in enumerate(scenario.hosts):
        collected = scenario_dir / f"host{index}" / "collected"
        members += bundle_members(plan.layout, plan.hostname, collected)
    bundle_path = output_dir / "bundles" / f"{scenario.name}.tar.gz"
    write_bundle(bundle_path, members)
    problems = find_foreign_values(bundle_path)
    if problems:
        bundle_path.unlink()
        raise RuntimeError(
            f"bundle of {scenario.name} contains values that are not reserved, so it "
            "was removed; use example domains and documentation addresses: "
            f"{problems[:10]}"
        )
    write_truth(output_dir / "truth" / f"{scenario.name}.json", scenario, results)

    elapsed = time.monotonic() - started
    size = bundle_path.stat().st_size
    logger.info(
        "scenario %s done in %.0f s: %s (%d bytes)",
        scenario.name,
        elapsed,
        bundle_path,
        size,
    )
    return {"scenario": scenario.name, "seconds": round(elapsed), "bundle_bytes": size}


def run_hosts(scenario: Scenario, scenario_dir: Path) -> None:
    """Run each host in its own network namespace, deleted afterwards even on error."""
    namespaces: list[str] = []
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for index, plan in enumerate(scenario.hosts):
            namespace = f"mbsample-{os.getpid()}-{index}"
            host_dir = scenario_dir / f"host{index}"
            host_dir.mkdir()
            host_dir.chmod(0o755)
            create_netns(namespace, plan.hostname)
            namespaces.append(namespace)
            processes.append(_start_host(namespace, scenario.name, index, host_dir))
        failures = _wait_hosts(processes, scenario.timeout)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for namespace in namespaces:
            delete_netns(namespace)
    if failures:
        raise RuntimeError(
            f"scenario {scenario.name} failed: {failures}; logs in {scenario_dir}"
        )


def read_host_results(scenario: Scenario, scenario_dir: Path) -> list[dict[str, Any]]:
    results = []
    for index in range(len(scenario.hosts)):
        host_dir = scenario_dir / f"host{index}"
        result_path = host_dir / "host-result.json"
        if not result_path.exists():
            raise RuntimeError(
                f"host {index} of scenario {scenario.name} wrote no result; "
                f"see {host_dir / 'host.log'}"
            )
        result = json.loads(result_path.read_text())
        if result["error"]:
            raise RuntimeError(
                f"scenario {scenario.name} failed on {result['hostname']}: "
                f"{result['error']}; "
                f"see {host_dir / 'host.log'}"
            )
        results.append(result)
    return results


def _start_host(
    namespace: str, scenario_name: str, index: int, host_dir: Path
) -> subprocess.Popen[bytes]:
    env = dict(os.environ, PYTHONPATH=str(SAMPLES_DIR), TZ=os.environ.get("TZ", "UTC"))
    command = [
        "ip",
        "netns",
        "exec",
        namespace,
        "unshare",
        "--mount",
        "--uts",
        "--propagation",
        "private",
        sys.executable,
        "-m",
        "scenario_runner.host",
        scenario_name,
        str(index),
        str(host_dir),
    ]
    log = (host_dir / "host.log").open("wb")
    return subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=host_dir
    )


def _wait_hosts(processes: list[subprocess.Popen[bytes]], timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    failures = []
    for index, process in enumerate(processes):
        try:
            returncode = process.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            failures.append(f"host {index} timed out after {timeout:.0f} s")
            continue
        if returncode != 0:
            failures.append(f"host {index} exited with status {returncode}")
    return failures


def write_truth(path: Path, scenario: Scenario, results: list[dict[str, Any]]) -> None:
    messages: list[dict[str, Any]] = []
    notes: list[str] = []
    for result in results:
        host_messages, host_notes = truth.build_host_messages(result)
        messages += host_messages
        notes += host_notes
    document = {
        "scenario": scenario.name,
        "description": scenario.description,
        "log_format": scenario.log_format,
        "expected_top_finding": scenario.expected_top_finding,
        "finding_note": scenario.finding_note,
        "healthy": scenario.healthy,
        "hosts": [plan.hostname for plan in scenario.hosts],
        "syslog_hostnames": {plan.hostname: plan.short_name for plan in scenario.hosts},
        "counts": truth.count_final_states(messages),
        "unmatched": notes,
        "messages": messages,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(format_truth(document))


def format_truth(document: dict[str, Any]) -> str:
    """Format the truth as JSON with one message a line, so large files diff well."""
    head = {key: value for key, value in document.items() if key != "messages"}
    text = json.dumps(head, indent=2)[:-2]
    lines = [json.dumps(message) for message in document["messages"]]
    body = ",\n    ".join(lines)
    return (
        f'{text},\n  "messages": [\n    {body}\n  ]\n}}\n'
        if lines
        else f'{text},\n  "messages": []\n}}\n'
    )
