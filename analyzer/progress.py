"""A progress bar on stderr for long work, shown only when stderr is a terminal.

Library code announces each stage with ``stage``. The calls do nothing unless the
command line has opened a display with ``shown``, so the analysis API, tests and
piped output stay silent, and rich is imported only when a bar is drawn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Poll = Callable[[], float]
"""Returns the amount of work done so far in the current stage."""

REFRESH_SECONDS = 0.1


class _Display:
    """One rich progress bar whose current task follows the stages."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        class SizeColumn(DownloadColumn):
            """Bytes done of the total, and nothing for a stage without a size."""

            def render(self, task: Any) -> Any:
                return "" if task.total is None else super().render(task)

        self._bar = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            SizeColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: Any = None
        self._poll: Poll | None = None
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._poller = threading.Thread(target=self._follow, daemon=True)

    def start(self) -> None:
        self._bar.start()
        self._poller.start()

    def stop(self) -> None:
        self._stopped.set()
        self._poller.join()
        self._bar.stop()

    def stage(self, description: str, total: float | None, poll: Poll | None) -> None:
        with self._lock:
            if self._task is not None:
                self._bar.remove_task(self._task)
            self._task = self._bar.add_task(description, total=total)
            self._poll = poll

    def _follow(self) -> None:
        while not self._stopped.wait(REFRESH_SECONDS):
            with self._lock:
                if self._task is None or self._poll is None:
                    continue
                try:
                    done = self._poll()
                except (OSError, ValueError):  # the stream closed under the poll
                    continue
                self._bar.update(self._task, completed=done)


_display: _Display | None = None


@contextmanager
def shown(enabled: bool) -> Iterator[None]:
    """Draw the stages announced inside the block, when ``enabled``."""
    global _display
    if not enabled or _display is not None:
        yield
        return
    display = _Display()
    display.start()
    _display = display
    try:
        yield
    finally:
        _display = None
        display.stop()


def stage(
    description: str, total: float | None = None, poll: Poll | None = None
) -> None:
    """Start a stage; with ``total`` and ``poll`` (bytes) its bar fills as it goes."""
    if _display is not None:
        _display.stage(description, total, poll)
