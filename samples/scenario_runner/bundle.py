"""Layout and packing of support bundles.

Layouts differ between scenarios on purpose, so an analyzer must find members
by name and content, not by one fixed path.
"""

from __future__ import annotations

import tarfile
import time
from pathlib import Path

# Member path of each collected file, by layout. "{log}" is a log file's name,
# "{prefix}" the per-host folder of the layout.
LAYOUTS: dict[str, dict[str, str]] = {
    # A folder per host named after its FQDN, with the appliance's own paths.
    "appliance": {
        "prefix": "{hostname}/",
        "log": "var/log/{log}",
        "main.cf": "etc/postfix/main.cf",
        "master.cf": "etc/postfix/master.cf",
        "postconf-n.txt": "commands/postconf-n.txt",
        "mailq.txt": "commands/mailq.txt",
        "postqueue-j.json": "commands/postqueue-j.json",
    },
    # Everything at the top, as a customer who copies files by hand sends it.
    "flat": {
        "prefix": "",
        "log": "{log}",
        "main.cf": "main.cf",
        "master.cf": "master.cf",
        "postconf-n.txt": "postconf-n.out",
        "mailq.txt": "mailq.out",
        "postqueue-j.json": "postqueue-j.out",
    },
    # An sos report: files at their paths, command output under sos_commands.
    "sosreport": {
        "prefix": "sosreport-{short}-{date}/",
        "log": "var/log/{log}",
        "main.cf": "etc/postfix/main.cf",
        "master.cf": "etc/postfix/master.cf",
        "postconf-n.txt": "sos_commands/postfix/postconf_-n",
        "mailq.txt": "sos_commands/postfix/mailq",
        "postqueue-j.json": "sos_commands/postfix/postqueue_-j",
    },
    # A log collection script's archive: files at their paths, command output beside.
    "getlogs": {
        "prefix": "logs_{short}_{date}/",
        "log": "var/log/{log}",
        "main.cf": "etc/postfix/main.cf",
        "master.cf": "etc/postfix/master.cf",
        "postconf-n.txt": "command_output/postconf_-n.txt",
        "mailq.txt": "command_output/postqueue_-p.txt",
        "postqueue-j.json": "command_output/postqueue_-j.txt",
    },
}


def bundle_members(
    layout: str, hostname: str, collected: Path
) -> list[tuple[Path, str]]:
    """Return (file, member name) pairs of one host's collected files."""
    paths = LAYOUTS[layout]
    date = time.strftime(
        "%Y%m%d", time.localtime((collected / "main.cf").stat().st_mtime)
    )
    prefix = paths["prefix"].format(
        hostname=hostname, short=hostname.split(".")[0], date=date
    )
    members = []
    for log in sorted((collected / "logs").iterdir()):
        members.append((log, prefix + paths["log"].format(log=log.name)))
    for name in (
        "main.cf",
        "master.cf",
        "postconf-n.txt",
        "mailq.txt",
        "postqueue-j.json",
    ):
        if (collected / name).exists():
            members.append((collected / name, prefix + paths[name]))
    return members


def write_bundle(target: Path, members: list[tuple[Path, str]]) -> None:
    """Pack MEMBERS into a .tar.gz with relative names, each file keeping its mtime."""
    target.parent.mkdir(parents=True, exist_ok=True)
    names = [name for _, name in members]
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate member names in bundle {target}: {sorted(names)}")
    with tarfile.open(target, "w:gz", format=tarfile.GNU_FORMAT) as archive:
        for path, name in sorted(members, key=lambda member: member[1]):
            info = archive.gettarinfo(str(path), arcname=name.lstrip("/"))
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            info.mode = 0o644
            with path.open("rb") as stream:
                archive.addfile(info, stream)
