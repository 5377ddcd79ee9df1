"""Measure child processes and describe the machine they ran on."""

from __future__ import annotations

import hashlib
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path


@dataclass
class Sample:
    """One run of one command."""

    wall_seconds: float
    cpu_seconds: float
    """User plus system CPU time of the child and the children it waited for."""
    max_rss_bytes: int
    """Peak resident set size of the child (Linux ``ru_maxrss``, in KiB, times 1024)."""
    exit_code: int
    stderr_tail: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def run_measured(
    command: list[str],
    stdin_path: Path | None = None,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    memory_limit: int | None = None,
) -> Sample:
    """Run a command with its output discarded and return its times and peak memory.

    ``os.wait4`` returns the resource usage of exactly this child, so runs of
    other commands do not mix into its figures. ``memory_limit`` caps the
    child's address space (``RLIMIT_AS``, bytes), so a run that would exhaust
    a shared machine fails alone instead.
    """

    def limit_memory() -> None:
        # Under memory pressure the kernel then ends this child first, not a
        # process of another user of the machine.
        with open("/proc/self/oom_score_adj", "w") as handle:
            handle.write("1000")
        if memory_limit:
            resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))

    stdin = stdin_path.open("rb") if stdin_path else subprocess.DEVNULL
    started = time.perf_counter()
    with subprocess.Popen(
        command,
        stdin=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        preexec_fn=limit_memory,
    ) as process:
        stderr_reader = _Drain(process)
        deadline = None if timeout is None else started + timeout
        status, usage = _wait(process.pid, deadline)
        wall = time.perf_counter() - started
        process.returncode = (
            os.waitstatus_to_exitcode(status) if status is not None else -9
        )
    if stdin_path:
        stdin.close()  # type: ignore[union-attr]
    return Sample(
        wall_seconds=wall,
        cpu_seconds=usage.ru_utime + usage.ru_stime if usage else float("nan"),
        max_rss_bytes=usage.ru_maxrss * 1024 if usage else 0,
        exit_code=process.returncode,
        stderr_tail=stderr_reader.tail(),
    )


def _wait(pid: int, deadline: float | None):  # type: ignore[no-untyped-def]
    while True:
        finished, status, usage = os.wait4(pid, os.WNOHANG if deadline else 0)
        if finished:
            return status, usage
        if deadline is not None and time.perf_counter() > deadline:
            os.kill(pid, 9)
            _, status, usage = os.wait4(pid, 0)
            return None, usage
        time.sleep(0.05)


class _Drain:
    """Reader of a child's stderr in a thread, so that the child does not stall on a full pipe."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        import threading

        self.chunks: list[bytes] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stderr is not None
        for block in iter(lambda: process.stderr.read(65536), b""):  # type: ignore[union-attr]
            self.chunks.append(block)
            if len(self.chunks) > 64:
                del self.chunks[:-64]

    def tail(self) -> str:
        self.thread.join(timeout=5)
        return b"".join(self.chunks)[-2000:].decode("utf-8", errors="replace")


def _command_output(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return "not installed"
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"failed: {error}"
    return (result.stdout + result.stderr).strip()


def _cpu_model() -> str:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else platform.processor()


def _memory_bytes() -> int:
    try:
        text = Path("/proc/meminfo").read_text()
    except OSError:
        return 0
    match = re.search(r"^MemTotal:\s+(\d+) kB", text, re.MULTILINE)
    return int(match.group(1)) * 1024 if match else 0


def _package_versions(names: list[str]) -> dict[str, str]:
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def source_digest(folder: Path) -> str:
    """Return the SHA-256 of the Python files under a folder, to identify the code measured.

    Others may edit the package while a long benchmark runs, so ``run.py``
    records this before and after each size.
    """
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*.py")):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def machine_facts(repository: Path) -> dict[str, object]:
    """Describe the hardware, operating system and tool versions of this run."""
    debian = _command_output(
        [
            "dpkg-query",
            "-W",
            "-f",
            "${Package} ${Version}\n",
            "pflogsumm",
            "logwatch",
            "postfix",
            "perl",
        ]
    )
    commit = _command_output(["git", "-C", str(repository), "rev-parse", "HEAD"])
    changed = _command_output(
        ["git", "-C", str(repository), "status", "--porcelain", "--", "analyzer"]
    )
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else None,
        "memory_bytes": _memory_bytes(),
        "kernel": platform.release(),
        "os": _command_output(["sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"]),
        "python": sys.version.split()[0],
        "python_packages": _package_versions(
            [
                "mailbundle",
                "pandas",
                "pyarrow",
                "numpy",
                "jinja2",
                "weasyprint",
                "matplotlib",
                "click",
                "py7zr",
            ]
        ),
        "debian_packages": dict(
            line.split(" ", 1) for line in debian.splitlines() if " " in line
        ),
        "pflogsumm_version": _command_output(["pflogsumm", "--version"]),
        "mailbundle_commit": commit,
        "analyzer_uncommitted_changes": bool(changed.strip()),
        "load_average_at_start": os.getloadavg(),
    }
