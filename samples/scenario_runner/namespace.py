"""Network, mount and UTS namespaces that isolate one sample host.

A host runs in a network namespace that has only ``lo``, so Postfix, the DNS
stub and the SMTP sinks can reach nothing but each other. Inside it, a private
mount namespace puts the host's temporary folders at the standard Postfix
paths and gives it its own ``/dev`` (so rsyslogd's ``/dev/log`` socket never
appears in the machine's ``/dev``).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

logger = logging.getLogger(__name__)

NETNS_ETC = Path("/etc/netns")

# Paths that each host gets as private bind mounts, relative to its root folder.
# NOTE: home folders (/root, /home) are the machine's own: a scenario that sets
# home_mailbox or a .forward would make local(8) write into them.
PRIVATE_PATHS = (
    "etc/postfix",
    "var/spool/postfix",
    "var/lib/postfix",
    "var/mail",
    "var/log",
    "run/sample",
)

# Character devices recreated in the private /dev: (name, major, minor).
DEVICE_NODES = (
    ("null", 1, 3),
    ("zero", 1, 5),
    ("full", 1, 7),
    ("random", 1, 8),
    ("urandom", 1, 9),
    ("tty", 5, 0),
)


def run_command(
    args: list[str], input: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command, raising CalledProcessError with its output on failure."""
    result = subprocess.run(args, capture_output=True, text=True, input=input)
    if result.returncode != 0:
        raise subprocess.CalledProcessError(
            result.returncode, args, result.stdout, result.stderr
        )
    return result


def create_netns(name: str, hostname: str) -> None:
    """Create network namespace NAME with its own resolv.conf and hosts file.

    ``ip netns exec`` bind-mounts the files in /etc/netns/NAME over /etc, so
    every resolver inside the namespace queries the DNS stub on 127.0.0.1.
    """
    etc_dir = NETNS_ETC / name
    etc_dir.mkdir(parents=True, exist_ok=True)
    (etc_dir / "resolv.conf").write_text(
        "nameserver 127.0.0.1\noptions attempts:1 timeout:2\n"
    )
    short_name = hostname.split(".")[0]
    (etc_dir / "hosts").write_text(
        "127.0.0.1\tlocalhost localhost.localdomain\n"
        f"127.0.1.1\t{hostname} {short_name}\n"
    )
    run_command(["ip", "netns", "add", name])
    run_command(["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"])
    links = run_command(
        ["ip", "netns", "exec", name, "ip", "-o", "link", "show"]
    ).stdout
    interfaces = [
        line.split(":")[1].strip() for line in links.splitlines() if line.strip()
    ]
    if interfaces != ["lo"]:
        delete_netns(name)
        raise RuntimeError(
            f"network namespace {name} has interfaces {interfaces}, expected only lo"
        )


def delete_netns(name: str) -> None:
    """Stop every process left in network namespace NAME, then delete it."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        pids = list_netns_pids(name)
        if not pids:
            break
        logger.warning(
            "stopping %d processes left in namespace %s: %s", len(pids), name, pids
        )
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        time.sleep(1.0)
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
    shutil.rmtree(NETNS_ETC / name, ignore_errors=True)


def list_netns_pids(name: str) -> list[int]:
    result = subprocess.run(
        ["ip", "netns", "pids", name], capture_output=True, text=True
    )
    return [int(pid) for pid in result.stdout.split()]


def enter_private_root(root: Path, hostname: str) -> None:
    """Bind the host's folders at the standard paths and replace /dev.

    Must run in a process started by ``unshare -m -u --propagation private``,
    so none of these mounts, nor the host name, is seen outside it.
    """
    for relative in PRIVATE_PATHS:
        source = root / relative
        target = Path("/") / relative
        source.mkdir(parents=True, exist_ok=True)
        target.mkdir(parents=True, exist_ok=True)
        run_command(["mount", "--bind", str(source), str(target)])
    run_command(
        ["mount", "-t", "tmpfs", "-o", "mode=0755,size=16m", "sample-dev", "/dev"]
    )
    for name, major, minor in DEVICE_NODES:
        path = f"/dev/{name}"
        os.mknod(path, 0o666 | 0o020000, os.makedev(major, minor))
        os.chmod(path, 0o666)
    for name, target_path in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target_path, f"/dev/{name}")
    os.mkdir("/dev/shm")
    run_command(
        ["mount", "-t", "tmpfs", "-o", "mode=1777,size=16m", "sample-shm", "/dev/shm"]
    )
    run_command(["hostname", hostname])


def add_loopback_addresses(addresses: list[str]) -> None:
    """Put ADDRESSES on ``lo`` so sinks can listen on documentation addresses."""
    for address in addresses:
        run_command(["ip", "addr", "add", f"{address}/32", "dev", "lo"])


def apply_nft_rules(rules: list[str]) -> None:
    """Load nftables RULES (``nft -f`` syntax) into the current network namespace."""
    if rules:
        run_command(["nft", "-f", "-"], input="\n".join(rules) + "\n")
