"""The progress bar appears on a terminal and nowhere else."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.conftest import SAMPLES

BUNDLE = SAMPLES / "backlog-deleted.tar.gz"


def read_all(descriptor: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(descriptor, 65536)
        except OSError:  # EIO once the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def test_terminal_shows_stages() -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "analyzer", "summary", str(BUNDLE)],
        stdout=subprocess.DEVNULL,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "100", "TERM": "xterm"},
    )
    os.close(terminal)
    shown = read_all(controller).decode("utf-8", "replace")
    os.close(controller)
    assert process.wait(timeout=300) == 0
    assert "Reading backlog-deleted.tar.gz" in shown
    assert "Diagnosing" in shown


def test_pipe_gets_no_bar() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "summary", str(BUNDLE)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_verbose_logs_instead_of_bar() -> None:
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "analyzer", "summary", "-v", str(BUNDLE)],
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    shown = read_all(controller).decode("utf-8", "replace")
    os.close(controller)
    assert process.wait(timeout=300) == 0
    assert "read 6 of 6 members" in shown
    assert "Diagnosing" not in shown


def test_verbose_times_rendering(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "report", "-v", str(BUNDLE),
         "-o", str(tmp_path), "--format", "html,pdf,json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for step in (
        "wrote findings.json in",
        "wrote report.html in",
        "wrote summary.pdf in",
    ):
        assert step in result.stderr, result.stderr


def test_verbose_counts_messages_as_summary() -> None:
    """-v counts messages as the summary does, hand-off copies apart."""
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "summary", "-v",
         str(BUNDLE.parent / "content-filter.tar.gz")],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )  # fmt: skip
    assert "analyzed 3 messages (and 3 hand-off copies)" in result.stderr
    assert "Messages: 3 (delivered 3)" in result.stdout
