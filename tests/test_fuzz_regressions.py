"""Crashes that scripts/fuzz.py found, each reduced to the input that triggers it.

Parser-level tests check that each input parses; the bundle-level tests check
that the same inputs do not stop the analysis of the rest of a bundle.
"""

from __future__ import annotations

import gzip
import io
import signal
import sys
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from analyzer.api import analyze_bundle
from analyzer.bundle.limits import Limits
from analyzer.bundle.walk import Walker
from analyzer.errors import MailbundleError
from analyzer.parse.config import parse_main_cf
from analyzer.parse.journal import parse_journal
from analyzer.parse.queue import parse_mailq, parse_postqueue_json
from tests.test_hostile_archives import (
    Member,
    assert_finding,
    build_tar,
    entry,
    sample_members,
)

MAILQ_BAD_MONTH = (
    "-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------\n"
    "A2F0F20E590*     702 Fri Ddc  4 17:23:13  root@qradar-console.example.com\n"
    "                                         analyst@example.org\n"
    "\n"
    "-- 1 Kbytes in 1 Request.\n"
)
POSTQUEUE_HUGE_TIME = (
    '{"queue_name": "hold", "queue_id": "C85CE210226", "arrival_time": 1e400, '
    '"message_size": 667, "forced_expire": false, "sender": "root@example.com", '
    '"recipients": [{"address": "secops@example.net"}]}\n'
)
MAIN_CF_HOSTNAME_LOOP = "myhostname = mail.$mydomain\nrelayhost = [192.0.2.25]\n"
MAIN_CF_SELF_REFERENCE = (
    "relayhost = $relayhost$relayhost\nmyhostname = h.example.com\n"
)


def bundle_with(tmp_path: Path, *extra: Member) -> Path:
    members = [Member(n, d) for n, d in sample_members().items()]
    members = [m for m in members if m.name not in {e.name for e in extra}]
    return build_tar(tmp_path / "bundle.tar.gz", [*members, *extra])


# Queue listings: the parsers raise, the loader contains it.


def test_mailq_unknown_month_parses() -> None:
    listing = parse_mailq(MAILQ_BAD_MONTH, "mailq", datetime(2026, 12, 4, tzinfo=UTC))
    assert listing.rows


def test_postqueue_infinite_time_parses() -> None:
    parse_postqueue_json(POSTQUEUE_HUGE_TIME, "postqueue-j")


def test_postqueue_far_future_time_parses() -> None:
    text = POSTQUEUE_HUGE_TIME.replace("1e400", "179640559999999999999999999918")
    parse_postqueue_json(text, "postqueue-j").frame()


def test_postqueue_huge_integer_parses() -> None:
    text = POSTQUEUE_HUGE_TIME.replace("1e400", "7" * 5000)
    parse_postqueue_json(text, "postqueue-j")


def test_bundle_with_bad_mailq_still_analyzed(tmp_path: Path) -> None:
    bundle = bundle_with(tmp_path, Member("mailq.out", MAILQ_BAD_MONTH.encode()))
    analysis = analyze_bundle(bundle)
    assert entry(analysis, "mailq.out").status == "read"
    row = analysis.queue.set_index("queue_id").loc["A2F0F20E590"]
    assert row["arrival_time"] is None or pd.isna(row["arrival_time"])
    assert_finding(analysis)


def test_bundle_with_bad_postqueue_still_analyzed(tmp_path: Path) -> None:
    bundle = bundle_with(
        tmp_path, Member("postqueue-j.out", POSTQUEUE_HUGE_TIME.encode())
    )
    analysis = analyze_bundle(bundle)
    assert entry(analysis, "postqueue-j.out").status == "read"
    row = analysis.queue.set_index("queue_id").loc["C85CE210226"]
    assert pd.isna(row["arrival_time"])
    assert_finding(analysis)


# Journal exports: the walker contains the parser's failures.

JOURNAL_HUGE_TIME = (
    '{"__REALTIME_TIMESTAMP": "99999999999999999999999", "MESSAGE": "x", '
    '"SYSLOG_IDENTIFIER": "postfix/smtp", "_HOSTNAME": "h"}\n'
)
JOURNAL_HUGE_INTEGER = JOURNAL_HUGE_TIME.replace(
    '"99999999999999999999999"', "7" * 5000
)


@pytest.mark.parametrize("text", [JOURNAL_HUGE_TIME, JOURNAL_HUGE_INTEGER])
def test_bundle_with_bad_journal_still_analyzed(tmp_path: Path, text: str) -> None:
    bundle = bundle_with(tmp_path, Member("journal.json", text.encode()))
    analysis = analyze_bundle(bundle)
    # The entry without a valid time is damage, so the member is partial.
    assert entry(analysis, "journal.json").status == "partial"
    stats = next(
        log.stats for log in analysis.bundle.logs if log.source == "journal.json"
    )
    assert (stats.lines, stats.syslog_lines) == (1, 0)
    assert stats.unparsed_samples == [(1, text.rstrip("\n"))]
    assert_finding(analysis)


@pytest.mark.parametrize("text", [JOURNAL_HUGE_TIME, JOURNAL_HUGE_INTEGER])
def test_journal_huge_numbers_parse(text: str) -> None:
    parse_journal(io.BytesIO(text.encode()), "journal.json", UTC)


# main.cf expansion: bugs in MainConfig.get, reached from the findings.


def test_main_cf_hostname_from_mydomain() -> None:
    config = parse_main_cf(MAIN_CF_HOSTNAME_LOOP, "main.cf")
    assert config.get("myhostname") == "mail.localdomain"
    assert config.get("mydomain") == "localdomain"


class ExpansionTimeout(Exception):
    """MainConfig.get ran longer than the test allows."""


def _stop_expansion(signum: int, frame: object) -> None:
    raise ExpansionTimeout("MainConfig.get took more than 2 seconds")


def test_main_cf_self_reference_is_bounded() -> None:
    config = parse_main_cf(MAIN_CF_SELF_REFERENCE, "main.cf")
    previous = signal.signal(signal.SIGALRM, _stop_expansion)
    signal.setitimer(signal.ITIMER_REAL, 2.0)
    try:
        value = config.get("relayhost")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert len(value) < 64 * 1024


def test_bundle_with_hostname_loop_analyzed(tmp_path: Path) -> None:
    bundle = bundle_with(tmp_path, Member("main.cf", MAIN_CF_HOSTNAME_LOOP.encode()))
    assert_finding(analyze_bundle(bundle))


# Archive reader crashes, fixed in analyzer/bundle.


def test_nested_gzip_deeper_than_recursion_limit(tmp_path: Path) -> None:
    data = b"Dec  4 17:08:26 h postfix/smtp[1]: x\n"
    for _ in range(sys.getrecursionlimit() + 100):
        data = gzip.compress(data, compresslevel=1)
    path = tmp_path / "maillog.gz"
    path.write_bytes(data)
    inventory = Walker().walk(path, lambda entry, stream: None)
    assert inventory.entries[0].status == "rejected"
    assert inventory.entries[0].limit == "--max-depth"


def test_directory_symlink_loop(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "maillog").write_bytes(sample_members()["maillog"])
    (folder / "a").symlink_to("b")
    (folder / "b").symlink_to("a")
    inventory = Walker().walk(folder, lambda entry, stream: None)
    loop = next(e for e in inventory.entries if e.path == "a")
    assert loop.status == "rejected"
    assert "loop" in loop.detail


def test_header_encrypted_7z_wrong_password(tmp_path: Path) -> None:
    import py7zr

    path = tmp_path / "bundle.7z"
    with py7zr.SevenZipFile(
        path, "w", password="right", header_encryption=True
    ) as archive:
        archive.writestr(b"x\n", "maillog")
    with pytest.raises(MailbundleError, match="password is wrong"):
        Walker(password="wrong").walk(path, lambda entry, stream: None)


def test_zip_member_with_mismatched_local_name(tmp_path: Path) -> None:
    """zipfile raises BadZipFile from open() when the two names differ."""
    raw = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(raw, "w") as archive:
        archive.writestr("maillog", sample_members()["maillog"])
        archive.writestr("main.cf", sample_members()["main.cf"])
    data = bytearray(raw.getvalue())
    local = data.find(b"main.cf")
    data[local : local + 7] = b"MAIN.CF"
    path = tmp_path / "bundle.zip"
    path.write_bytes(bytes(data))
    inventory = Walker().walk(path, lambda entry, stream: stream.read())
    mismatched = next(e for e in inventory.entries if e.path == "main.cf")
    assert mismatched.status == "error"
    assert "differ" in mismatched.detail


def test_tar_gz_pax_header_bomb_memory(tmp_path: Path) -> None:
    header = tarfile.TarInfo("././@PaxHeader")
    header.type = tarfile.XHDTYPE
    header.size = (1 << 33) - 1  # the largest size a ustar header stores
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(
        gzip.compress(header.tobuf(format=tarfile.USTAR_FORMAT) + b"0" * 4096)
    )
    with pytest.raises(MailbundleError, match="extended header"):
        Walker(Limits()).walk(path, lambda entry, stream: None)
