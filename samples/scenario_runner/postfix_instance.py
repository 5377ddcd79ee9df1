"""One Postfix instance: its main.cf and master.cf, start and stop, queue commands.

The instance uses the standard paths (/etc/postfix, /var/spool/postfix,
/var/lib/postfix, /var/mail), which ``namespace.enter_private_root`` has bound
to the host's temporary folders, so the collected files and log lines show the
paths a real appliance shows.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from email.parser import Parser
from email.policy import compat32
from pathlib import Path
from typing import Any

from .namespace import run_command

logger = logging.getLogger(__name__)

CONFIG_DIR = Path("/etc/postfix")

# Files of the Debian package that postfix-script and postconf read from
# meta_directory (/etc/postfix on Debian 12).
META_FILES = (
    "postfix-files",
    "postfix-files.d",
    "dynamicmaps.cf",
    "dynamicmaps.cf.d",
    "postfix-script",
    "post-install",
)

# main.cf of a RHEL-like appliance. Scenario settings replace these in place or
# are appended; a value of None deletes the setting.
BASE_MAIN_CF: list[tuple[str, str | None]] = [
    ("compatibility_level", "3.6"),
    ("queue_directory", "/var/spool/postfix"),
    ("command_directory", "/usr/sbin"),
    ("daemon_directory", "/usr/lib/postfix/sbin"),
    ("data_directory", "/var/lib/postfix"),
    ("mail_owner", "postfix"),
    ("myhostname", "{hostname}"),
    ("mydomain", "{domain}"),
    ("myorigin", "$myhostname"),
    ("inet_interfaces", "localhost"),
    ("inet_protocols", "ipv4"),
    ("mydestination", "$myhostname, localhost.$mydomain, localhost"),
    ("unknown_local_recipient_reject_code", "550"),
    ("alias_maps", "hash:/etc/postfix/aliases"),
    ("alias_database", "hash:/etc/postfix/aliases"),
    ("smtpd_banner", "$myhostname ESMTP $mail_name"),
    ("biff", "no"),
    ("append_dot_mydomain", "no"),
    ("readme_directory", "no"),
    ("relayhost", ""),
    # Retry timers in seconds, not Postfix's defaults of minutes and hours,
    # so a deferral scenario shows several retries within a short run.
    ("queue_run_delay", "5s"),
    ("minimal_backoff_time", "5s"),
    ("maximal_backoff_time", "15s"),
]

# master.cf services with the upstream defaults and no chroot, as on RHEL.
MASTER_CF = """\
# Postfix master process configuration file.
# ==========================================================================
# service type  private unpriv  chroot  wakeup  maxproc command + args
#               (yes)   (yes)   (no)    (never) (100)
# ==========================================================================
smtp      inet  n       -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
        -o syslog_name=postfix/$service_name
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""

ALIASES = """\
# Aliases of local names. root has no alias, so its mail stays in /var/mail/root.
mailer-daemon:	postmaster
postmaster:	root
nobody:		root
hostmaster:	root
webmaster:	root
abuse:		root
"""


def copy_meta_files(target: Path) -> None:
    """Copy the package's meta files to TARGET, the folder bound at /etc/postfix."""
    target.mkdir(parents=True, exist_ok=True)
    for name in META_FILES:
        source = CONFIG_DIR / name
        if source.is_dir():
            shutil.copytree(source, target / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, target / name)


def render_main_cf(hostname: str, settings: dict[str, str | None]) -> str:
    domain = hostname.split(".", 1)[1] if "." in hostname else "localdomain"
    merged: dict[str, str | None] = {}
    for key, value in BASE_MAIN_CF:
        merged[key] = (
            None if value is None else value.format(hostname=hostname, domain=domain)
        )
    merged.update(settings)
    lines = [
        f"# Postfix main.cf of {hostname}.",
        "# See /usr/share/postfix/main.cf.dist for every setting with its description.",
    ]
    lines += [f"{key} = {value}" for key, value in merged.items() if value is not None]
    return "\n".join(lines) + "\n"


class PostfixInstance:
    """The Postfix of one sample host, controlled with its ordinary commands."""

    def __init__(
        self,
        hostname: str,
        settings: dict[str, str | None],
        master_cf_extra: str = "",
        hash_maps: dict[str, str] | None = None,
        extra_aliases: str = "",
    ) -> None:
        self.hostname = hostname
        self.settings = settings
        self.master_cf_extra = master_cf_extra
        self.hash_maps = hash_maps or {}
        self.extra_aliases = extra_aliases

    def write_config(self) -> None:
        (CONFIG_DIR / "main.cf").write_text(
            render_main_cf(self.hostname, self.settings)
        )
        (CONFIG_DIR / "master.cf").write_text(MASTER_CF + self.master_cf_extra)
        (CONFIG_DIR / "aliases").write_text(ALIASES + self.extra_aliases)
        run_command(["postalias", "/etc/postfix/aliases"])
        for name, text in self.hash_maps.items():
            path = CONFIG_DIR / name
            path.write_text(text)
            path.chmod(0o600)
            run_command(["postmap", f"hash:{path}"])
        Path("/var/lib/postfix").chmod(0o755)
        shutil.chown("/var/lib/postfix", "postfix", "postfix")
        Path("/var/mail").chmod(0o1777)

    def start(self) -> None:
        run_command(["postfix", "start"])
        deadline = time.monotonic() + 15
        while self.status() != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("Postfix master did not start within 15 s")
            time.sleep(0.2)
        logger.info("Postfix started on %s", self.hostname)

    def stop(self) -> None:
        subprocess.run(["postfix", "stop"], capture_output=True, check=False)
        deadline = time.monotonic() + 15
        while self.status() == 0 and time.monotonic() < deadline:
            time.sleep(0.2)

    @staticmethod
    def status() -> int:
        """Return 0 when the master process runs, as ``postfix status`` does.

        ``postfix status`` itself is not used because it logs a line each time.
        """
        try:
            pid = int(Path("/var/spool/postfix/pid/master.pid").read_text().split()[0])
            os.kill(pid, 0)
        except (FileNotFoundError, ValueError, IndexError, ProcessLookupError):
            return 1
        return 0

    @staticmethod
    def postconf_n() -> str:
        return run_command(["postconf", "-n"]).stdout

    @staticmethod
    def mailq() -> str:
        return subprocess.run(
            ["postqueue", "-p"], capture_output=True, text=True
        ).stdout

    @staticmethod
    def postqueue_json() -> str:
        return run_command(["postqueue", "-j"]).stdout

    @staticmethod
    def flush() -> None:
        run_command(["postfix", "flush"])

    @staticmethod
    def postsuper(*args: str) -> str:
        result = run_command(["postsuper", *args])
        return result.stdout + result.stderr

    def queue_entries(self) -> list[dict[str, Any]]:
        """List the queue (postqueue -j) with each message's Message-ID and Received."""
        entries = [
            json.loads(line)
            for line in self.postqueue_json().splitlines()
            if line.strip()
        ]
        with ThreadPoolExecutor(max_workers=4) as pool:
            headers = list(
                pool.map(self.message_headers, [entry["queue_id"] for entry in entries])
            )
        for entry, header in zip(entries, headers, strict=True):
            entry.update(header)
        return entries

    @staticmethod
    def message_headers(queue_id: str) -> dict[str, Any]:
        result = subprocess.run(
            ["postcat", "-h", "-q", queue_id], capture_output=True, text=True
        )
        if result.returncode != 0:
            # The message left the queue between postqueue -j and postcat.
            return {
                "message_id": None,
                "received": [],
                "postcat_error": result.stderr.strip(),
            }
        message = Parser(policy=compat32).parsestr(result.stdout, headersonly=True)
        return {
            "message_id": (message.get("Message-ID") or "").strip() or None,
            "received": [str(value) for value in message.get_all("Received", [])],
        }

    def queue_is_empty(self) -> bool:
        return not self.postqueue_json().strip()
