"""The host's maillog, written by a private rsyslogd or by Postfix's postlogd.

rsyslogd runs in the host's mount namespace, so its ``/dev/log`` socket is the
one Postfix's syslog(3) calls reach there, and nowhere else.
"""

from __future__ import annotations

import gzip
import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

logger = logging.getLogger(__name__)

# rsyslog's built-in templates: the traditional BSD file format
# ("Dec  4 16:44:01 host tag: msg") and its Debian 12 default, RFC 3339 with
# microseconds ("2026-12-04T16:44:01.123456+00:00 host tag: msg").
RSYSLOG_TEMPLATES = {
    "bsd": "RSYSLOG_TraditionalFileFormat",
    "rfc3339": "RSYSLOG_FileFormat",
}

LOG_DIR = Path("/var/log")


class MailLog:
    """Writer and rotation of /var/log/FILE_NAME for one log format.

    For "maillog_file", Postfix's postlogd writes the file (``maillog_file`` in
    main.cf) and no rsyslogd runs.
    """

    def __init__(self, log_format: str, file_name: str, run_dir: Path) -> None:
        if log_format not in (*RSYSLOG_TEMPLATES, "maillog_file"):
            raise ValueError(f"unknown log format {log_format!r}")
        self.log_format = log_format
        self.path = LOG_DIR / file_name
        self.run_dir = run_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.rotated: list[Path] = []

    @property
    def uses_rsyslog(self) -> bool:
        return self.log_format in RSYSLOG_TEMPLATES

    def start(self) -> None:
        if not self.uses_rsyslog:
            return
        work_dir = self.run_dir / "rsyslog"
        work_dir.mkdir(parents=True, exist_ok=True)
        config = self.run_dir / "rsyslog.conf"
        config.write_text(
            f'global(workDirectory="{work_dir}")\n'
            # Rate limiting is turned off explicitly: a backlog logs thousands of
            # lines a second, and a limit would drop some of them.
            'module(load="imuxsock" SysSock.RateLimit.Interval="0")\n'
            f'mail.* action(type="omfile" file="{self.path}" '
            f'template="{RSYSLOG_TEMPLATES[self.log_format]}")\n'
        )
        self.process = subprocess.Popen(
            [
                "rsyslogd",
                "-n",
                "-f",
                str(config),
                "-i",
                str(self.run_dir / "rsyslogd.pid"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.run_dir / "rsyslogd.err").open("wb"),
        )
        deadline = time.monotonic() + 10
        while not Path("/dev/log").exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "rsyslogd did not create /dev/log; "
                    f"see {self.run_dir / 'rsyslogd.err'}"
                )
            time.sleep(0.05)
        logger.info(
            "rsyslogd started, writing %s in %s format", self.path, self.log_format
        )

    def stop(self) -> None:
        if self.process is None:
            return
        # Let rsyslogd write what Postfix logged last before it stops.
        time.sleep(1.0)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def rotate(self, rotated_name: str) -> Path:
        """Rename the live log to ROTATED_NAME and make its writer reopen it."""
        time.sleep(0.5)
        target = LOG_DIR / rotated_name
        os.rename(self.path, target)
        if self.process is not None:
            self.process.send_signal(signal.SIGHUP)
        else:
            subprocess.run(["postfix", "logrotate"], check=False, capture_output=True)
        self.rotated.append(target)
        logger.info("rotated %s to %s", self.path, target)
        return target

    def compress(self, rotated: Path) -> Path:
        """Gzip a rotated file in place, keeping its mtime (logrotate ``compress``)."""
        target = rotated.with_name(rotated.name + ".gz")
        stat = rotated.stat()
        with rotated.open("rb") as source, gzip.open(target, "wb") as sink:
            shutil.copyfileobj(source, sink)
        os.utime(target, (stat.st_atime, stat.st_mtime))
        rotated.unlink()
        self.rotated[self.rotated.index(rotated)] = target
        return target

    def rotate_numbered(self) -> None:
        """Rotate as Debian's logrotate: FILE.1 plain, FILE.2.gz and older gzipped."""
        ordered = sorted(
            self.rotated,
            key=lambda path: int(
                path.name.removeprefix(self.path.name + ".").split(".")[0]
            ),
            reverse=True,
        )
        for old in ordered:
            number = int(old.name.removeprefix(self.path.name + ".").split(".")[0])
            suffix = ".gz" if old.name.endswith(".gz") else ""
            new = old.with_name(f"{self.path.name}.{number + 1}{suffix}")
            os.rename(old, new)
            self.rotated[self.rotated.index(old)] = new
            if not suffix:
                self.compress(new)
        self.rotate(f"{self.path.name}.1")
        self.rotated.sort(key=lambda path: path.stat().st_mtime)

    def files(self) -> list[Path]:
        """Return the rotated files, oldest first, then the live log."""
        return [*self.rotated, self.path]
