"""The inventory names the host each member belongs to, as the analysis does."""

from __future__ import annotations

import bz2
import io
import subprocess
import sys
import tarfile
from pathlib import Path

import pandas as pd

from analyzer.api import analyze_bundle
from tests.conftest import cli_env
from tests.test_findings_queue_listings import MAILQ


def log_lines(host: str, queue_id: str) -> str:
    head = f"Dec  3 12:00:01 {host} postfix"
    return (
        f"{head}/pickup[1001]: {queue_id}: uid=0 from=<alerts@example.com>\n"
        f"{head}/qmgr[1003]: {queue_id}: from=<alerts@example.com>, size=900, "
        "nrcpt=1 (queue active)\n"
        f"{head}/smtp[2400]: {queue_id}: to=<bob@example.net>, "
        "relay=mx.example.net[192.0.2.25]:25, delay=0.4, delays=0.1/0/0.2/0.1, "
        "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 7B3C)\n"
        f"{head}/qmgr[1003]: {queue_id}: removed\n"
    )


MAIN_CF = "relayhost = [smtp.example.com]\ninet_interfaces = loopback-only\n"


def export_inventory(bundle: Path, output: Path) -> pd.DataFrame:
    """Export the bundle's frames as CSV and return the inventory, by path."""
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "export", str(bundle), "--format", "csv",
         "-o", str(output), "--year", "2026"],
        capture_output=True, text=True, env=cli_env(), timeout=300,
    )  # fmt: skip
    assert result.returncode in (0, 4), result.stderr
    inventory = pd.read_csv(output / "inventory.csv", keep_default_na=False)
    return inventory.set_index("path")


def add_file(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def test_one_host_bundle(tmp_path: Path) -> None:
    """Every member of a one-host bundle, wherever it sits, carries its host."""
    bundle = tmp_path / "logs_relay1_20261204.tar.gz"
    top = "logs_relay1_20261204"
    cut_log = bz2.compress(log_lines("relay1", "4F2A1C0D9E").encode() * 50)[:40]
    with tarfile.open(bundle, "w:gz") as archive:
        add_file(archive, f"{top}/command_output/postconf_-n.txt", MAIN_CF.encode())
        add_file(archive, f"{top}/command_output/postqueue_-p.txt", b"")
        add_file(archive, f"{top}/command_output/uptime.txt", b"up 3 days\n")
        add_file(archive, f"{top}/etc/postfix/main.cf", MAIN_CF.encode())
        add_file(
            archive,
            f"{top}/var/log/maillog",
            log_lines("relay1", "4F2A1C0D9E").encode(),
        )
        add_file(archive, f"{top}/var/log/maillog.2.bz2", cut_log)
        link = tarfile.TarInfo(f"{top}/var/log/passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)

    inventory = export_inventory(bundle, tmp_path / "out")
    hosts = inventory["host"]
    for name in (
        "command_output/postconf_-n.txt",
        "command_output/postqueue_-p.txt",
        "command_output/uptime.txt",
        "etc/postfix/main.cf",
        "var/log/maillog",
    ):
        assert hosts[f"{top}/{name}"] == "relay1", name
    assert inventory.at[f"{top}/var/log/maillog.2.bz2", "status"] == "error"
    assert hosts[f"{top}/var/log/maillog.2.bz2"] == ""
    assert inventory.at[f"{top}/var/log/passwd", "status"] == "rejected"
    assert hosts[f"{top}/var/log/passwd"] == ""


def test_two_host_bundle(tmp_path: Path) -> None:
    """Each member carries the host of its folder, named as the logs name it."""
    bundle = tmp_path / "bundle"
    for folder, host in (("siteA", "mta1"), ("siteB", "mta2")):
        (bundle / folder / "etc" / "postfix").mkdir(parents=True)
        (bundle / folder / "var" / "log").mkdir(parents=True)
        (bundle / folder / "etc" / "postfix" / "main.cf").write_text(MAIN_CF)
        log = log_lines(host, "4F2A1C0D9E" if host == "mta1" else "5A3B2D1E0F")
        (bundle / folder / "var" / "log" / "maillog").write_text(log)
        (bundle / folder / "uptime.txt").write_text("up 3 days\n")
    (bundle / "siteC").mkdir()
    (bundle / "siteC" / "notes.txt").write_text("collected by the operator\n")
    (bundle / "README.txt").write_text("two relays of example.com\n")

    hosts = export_inventory(bundle, tmp_path / "out")["host"]
    for folder, host in (("siteA", "mta1"), ("siteB", "mta2")):
        assert hosts[f"{folder}/etc/postfix/main.cf"] == host
        assert hosts[f"{folder}/var/log/maillog"] == host
        assert hosts[f"{folder}/uptime.txt"] == host
    # A folder with nothing of a host's own keeps the folder's name.
    assert hosts["siteC/notes.txt"] == "siteC"
    assert hosts["README.txt"] == ""


def test_command_output_folder_is_no_host(tmp_path: Path) -> None:
    """Without logs or myhostname, command_output does not become a host."""
    top = tmp_path / "logs_relay1_20261204"
    (top / "command_output").mkdir(parents=True)
    (top / "etc" / "postfix").mkdir(parents=True)
    (top / "etc" / "postfix" / "main.cf").write_text(MAIN_CF)
    (top / "command_output" / "postconf_-n.txt").write_text(MAIN_CF)
    (top / "command_output" / "postqueue_-p.txt").write_text("Mail queue is empty\n")
    assert summary_head(tmp_path) == (
        f"Bundle: {tmp_path.name} (3 members; hosts: unknown host)"
    )


def test_sosreport_folders_are_no_host(tmp_path: Path) -> None:
    """sosreport keeps command output in sos_commands/: one host, not two."""
    top = tmp_path / "sosreport-siem01-20261117"
    (top / "sos_commands" / "postfix").mkdir(parents=True)
    (top / "etc" / "postfix").mkdir(parents=True)
    (top / "etc" / "postfix" / "main.cf").write_text(
        MAIN_CF + "myhostname = siem01.example.com\n"
    )
    (top / "sos_commands" / "postfix" / "mailq").write_text("Mail queue is empty\n")
    assert summary_head(tmp_path) == (
        f"Bundle: {tmp_path.name} (2 members; hosts: siem01.example.com)"
    )


def summary_head(bundle: Path) -> str:
    """The first line of the summary command's output: the bundle and its hosts."""
    result = subprocess.run(
        [sys.executable, "-m", "analyzer", "summary", str(bundle)],
        capture_output=True, text=True, env=cli_env(), timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[0]


def test_listing_folder_joins_the_only_host(tmp_path: Path) -> None:
    """A folder of its own for mailq output names no second host when the
    bundle's only configuration names the host."""
    top = tmp_path / "case-0412"
    (top / "diag").mkdir(parents=True)
    (top / "etc" / "postfix").mkdir(parents=True)
    (top / "etc" / "postfix" / "main.cf").write_text(
        MAIN_CF + "myhostname = relay7.example.com\n"
    )
    (top / "diag" / "mailq").write_text("Mail queue is empty\n")
    assert summary_head(tmp_path) == (
        f"Bundle: {tmp_path.name} (2 members; hosts: relay7.example.com)"
    )


def test_host_without_log_keeps_its_name(tmp_path: Path) -> None:
    """Folder a contains ep1's log, and folder b only console's main.cf and queue
    listing. console's listing must not become ep1's."""
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "maillog").write_text(
        "Dec  5 09:00:00 qradar-ep1 postfix/pickup[300]: A1B2C3D4E5: uid=0"
        " from=<root>\n"
    )
    (tmp_path / "a" / "main.cf").write_text("myhostname = qradar-ep1.example.com\n")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "main.cf").write_text("myhostname = qradar-console.example.com\n")
    (tmp_path / "b" / "mailq.txt").write_text(MAILQ)
    analysis = analyze_bundle(tmp_path, year=2026)
    assert sorted(analysis.hosts) == ["qradar-console.example.com", "qradar-ep1"]
    listed = analysis.queue.drop_duplicates("queue_id")
    assert set(listed["host"]) == {"qradar-console.example.com"}
