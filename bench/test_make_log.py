"""Checks of the generated benchmark logs: coherent, parseable and free of real names.

Run with ``python -m pytest bench`` (the project's test suite does not collect bench/).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent
BSD_LINE = re.compile(
    r"^(?P<stamp>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (?P<host>\S+) "
    r"(?P<program>[^\s\[:]+)(?:\[\d+\])?: (?P<text>.*)$"
)
RFC3339_LINE = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00) (?P<host>\S+) "
    r"(?P<program>[^\s\[:]+)(?:\[\d+\])?: (?P<text>.*)$"
)
QUEUE_ID = re.compile(
    r"^([0-9A-F]{6,12}|[0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-z]{13,20}): (.*)$"
)
IPV4 = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3}){3})(?![\w.])")
# Dotted names, also after "//" (URLs), but neither file names after one "/" nor
# the local part before an "@".
DOMAIN = re.compile(
    r"(?<![\w.-])(?:(?<=//)|(?<!/))((?:[A-Za-z0-9_-]+\.)+[A-Za-z]{2,24})(?![\w@-])"
)
SAFE_IPV4 = re.compile(
    r"^(?:192\.0\.2\.|198\.51\.100\.|203\.0\.113\.|127\.|0\.0\.0\.0)"
)
SAFE_DOMAIN = re.compile(
    r"(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost|localdomain)$",
    re.IGNORECASE,
)
# Dotted tokens that are no host names: file names and cipher or version names.
NOT_DOMAINS = re.compile(r"\.(?:cf|db|lmdb|cdb|pid|conf|pem|crt)$|^TLSv", re.IGNORECASE)
STARTS = ("uid=", "client=")
# Generated local parts ("alice.bob"), SASL user names and Message-IDs look like
# dotted names, so the host name check removes them first.
NOT_HOST_FIELDS = re.compile(r"message-id=<[^>]*>|sasl_username=\S+|<[^@<>]*>")


def make_log(tmp_path: Path, mix: str, style: str, lines: int = 20_000) -> Path:
    out = tmp_path / f"{mix}-{style}.log"
    subprocess.run(
        [
            sys.executable,
            str(BENCH / "make_log.py"),
            "--lines",
            str(lines),
            "--out",
            str(out),
            "--mix",
            mix,
            "--format",
            style,
            "--seed",
            "7",
            "--quiet",
            "--cache",
            str(BENCH / "logs" / "cache"),
        ],
        check=True,
    )
    return out


@pytest.fixture(
    scope="module", params=[("qradar", "bsd"), ("relay", "bsd"), ("qradar", "rfc3339")]
)
def generated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    mix, style = request.param
    return make_log(tmp_path_factory.mktemp("logs"), mix, style)


def read_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_exact_line_count(generated: Path) -> None:
    assert len(read_lines(generated)) == 20_000


def test_every_line_is_syslog(generated: Path) -> None:
    pattern = RFC3339_LINE if "rfc3339" in generated.name else BSD_LINE
    bad = [line for line in read_lines(generated) if not pattern.match(line)]
    assert bad == []


def test_times_never_go_back(generated: Path) -> None:
    if "rfc3339" not in generated.name:
        pytest.skip("BSD stamps have no year; the RFC 3339 log checks the order")
    stamps = [line.split(" ", 1)[0] for line in read_lines(generated)]
    assert stamps == sorted(stamps)


def test_no_real_addresses_or_hosts(generated: Path) -> None:
    leaks = set()
    for line in read_lines(generated):
        text = line.split(": ", 1)[1]
        leaks.update(ip for ip in IPV4.findall(text) if not SAFE_IPV4.match(ip))
        for name in DOMAIN.findall(NOT_HOST_FIELDS.sub("", text)):
            if not SAFE_DOMAIN.search(name) and not NOT_DOMAINS.search(name):
                leaks.add(name)
    assert sorted(leaks)[:20] == []


def test_queue_ids_unique_while_live(generated: Path) -> None:
    live: set[tuple[str, str]] = set()
    reused_while_live = []
    for line in read_lines(generated):
        match = (RFC3339_LINE if "rfc3339" in generated.name else BSD_LINE).match(line)
        assert match is not None
        found = QUEUE_ID.match(match["text"])
        if not found:
            continue
        key = (match["host"], found.group(1))
        rest = found.group(2)
        if rest.startswith(STARTS):
            if key in live:
                reused_while_live.append(line)
            live.add(key)
        elif rest == "removed":
            live.discard(key)
    assert reused_while_live[:5] == []


def test_deliveries_follow_their_intake(generated: Path) -> None:
    started: set[tuple[str, str]] = set()
    orphans = 0
    total = 0
    for line in read_lines(generated):
        match = (RFC3339_LINE if "rfc3339" in generated.name else BSD_LINE).match(line)
        assert match is not None
        found = QUEUE_ID.match(match["text"])
        if not found:
            continue
        key = (match["host"], found.group(1))
        # A lifetime may also start at qmgr's "from=<" (postsuper -r re-queues).
        if found.group(2).startswith((*STARTS, "message-id=", "from=<")):
            started.add(key)
        elif found.group(2).startswith("to=<"):
            total += 1
            orphans += key not in started
    assert total > 0
    assert orphans == 0


def test_qradar_mix_is_deferral_heavy(tmp_path: Path) -> None:
    text = make_log(tmp_path, "qradar", "bsd", lines=100_000).read_text()
    deferred = text.count("status=deferred")
    sent = text.count("status=sent")
    assert deferred > sent


@pytest.mark.skipif(
    shutil.which("pflogsumm") is None, reason="pflogsumm is not installed"
)
def test_pflogsumm_counts_messages(generated: Path) -> None:
    result = subprocess.run(
        ["pflogsumm", str(generated)], capture_output=True, text=True, check=True
    )
    received = re.search(r"^\s*(\d+)\s+received", result.stdout, re.MULTILINE)
    delivered = re.search(r"^\s*(\d+)\s+delivered", result.stdout, re.MULTILINE)
    assert received is not None and int(received.group(1)) > 0
    assert delivered is not None and int(delivered.group(1)) > 0
