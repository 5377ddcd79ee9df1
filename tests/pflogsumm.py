"""Run Debian's pflogsumm on log text and read its grand totals."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from analyzer.bundle.members import rotation_date, rotation_number

TOTALS = (
    "received",
    "delivered",
    "forwarded",
    "deferred",
    "bounced",
    "rejected",
    "reject warnings",
    "held",
    "discarded",
)


def run_pflogsumm(text: bytes) -> dict[str, int]:
    """Return pflogsumm's grand totals (and "deferrals") for the log ``text``."""
    program = shutil.which("pflogsumm")
    if program is None:
        pytest.fail(
            "pflogsumm is not installed; run scripts/setup.sh (Debian package pflogsumm)"
        )
    output = subprocess.run(
        [program], input=text, capture_output=True, check=True, timeout=600
    ).stdout.decode("utf-8", errors="replace")
    grand = output[output.index("Grand Totals") :]
    totals = {}
    for name in TOTALS:
        match = re.search(rf"^\s*(\d+)\s+{name}\b", grand, re.MULTILINE)
        assert match, f"pflogsumm printed no {name} total"
        totals[name.replace(" ", "_")] = int(match.group(1))
    deferrals = re.search(r"\((\d+)\s+deferrals\)", grand)
    totals["deferrals"] = int(deferrals.group(1)) if deferrals else 0
    return totals


def log_text(path: Path) -> bytes:
    """Return the text of a log file, or of every log in a bundle, oldest first."""
    if not path.name.endswith((".tar.gz", ".tgz")):
        data = path.read_bytes()
        return gzip.decompress(data) if path.name.endswith(".gz") else data
    logs = []
    with tarfile.open(path) as archive:
        for member in archive.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            if member.isfile() and name.startswith(("maillog", "mail.log")):
                data = archive.extractfile(member).read()  # type: ignore[union-attr]
                if name.endswith(".gz"):
                    data = gzip.decompress(data)
                dated = rotation_date(name)
                logs.append(
                    (
                        (
                            -rotation_number(name),
                            dated is None,
                            str(dated),
                            member.name,
                        ),
                        data,
                    )
                )
    return b"".join(data for _, data in sorted(logs))
