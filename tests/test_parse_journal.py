"""``journalctl -o json`` exports: fields, times, and the two ways of reading them."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from analyzer.api import analyze_bundle
from analyzer.parse import journal
from analyzer.parse.lines import iter_line_chunks
from analyzer.terminal import print_summary

MOMENT = datetime(2024, 3, 11, 12, 14, 29, 123456, tzinfo=UTC)
MICROS = int(MOMENT.timestamp()) * 1_000_000 + MOMENT.microsecond


def export(records: list[dict[str, object]]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def test_journal_export_times_and_fields() -> None:
    moment, micros = MOMENT, MICROS
    records: list[dict[str, object]] = [
        {
            "__REALTIME_TIMESTAMP": str(micros),
            "_HOSTNAME": "mx1.example.com",
            "SYSLOG_IDENTIFIER": "postfix/qmgr",
            "_PID": "2401",
            "MESSAGE": "3A1F2B7C9D: removed",
        },
        {
            "__REALTIME_TIMESTAMP": str(micros + 1_000_000),
            "_HOSTNAME": "mx1.example.com",
            "SYSLOG_IDENTIFIER": "postfix/smtpd",
            "SYSLOG_PID": "2101",
            # journald's form of a message that is not UTF-8: a list of bytes.
            "MESSAGE": list(b"connect from client.example.net[192.0.2.10]"),
        },
        {
            "__REALTIME_TIMESTAMP": str(micros),
            "SYSLOG_IDENTIFIER": "kernel",
            "MESSAGE": "eth0: link up",
        },
    ]
    data = export(records) + b"not json\n"

    parsed = journal.parse_journal(io.BytesIO(data), "journal.json", UTC)

    events = parsed.events.to_pylist()
    assert [e["kind"] for e in events] == ["removed", "connect"]
    assert [e["pid"] for e in events] == [2401, 2101]
    # The first label, as rsyslog writes it in the syslog file of the same host.
    assert events[0]["host"] == "mx1"
    assert pd.Timestamp(events[0]["time"]) == pd.Timestamp(moment)
    assert pd.Timestamp(events[1]["time"]) == pd.Timestamp(moment) + pd.Timedelta("1s")
    assert parsed.stats.other_programs == {"kernel": 1}
    assert parsed.stats.unparsed_lines == 1


def test_bulk_and_line_reads_agree() -> None:
    records = [
        {"__REALTIME_TIMESTAMP": str(MICROS), "_HOSTNAME": "mx1.example.com",
         "SYSLOG_IDENTIFIER": "postfix/qmgr", "_PID": "2401",
         "MESSAGE": "3A1F2B7C9D: removed\n", "PRIORITY": "6"},
        {"__REALTIME_TIMESTAMP": str(MICROS + 1), "SYSLOG_IDENTIFIER": "postfix/smtpd",
         "SYSLOG_PID": "2101", "MESSAGE": "connect from a.example.net[192.0.2.1]"},
        {"__REALTIME_TIMESTAMP": str(MICROS + 2), "SYSLOG_IDENTIFIER": "kernel"},
    ]  # fmt: skip
    lines = next(iter_line_chunks(io.BytesIO(export(records)))).lines
    bulk = journal._read_bulk(lines)
    assert bulk is not None
    one_by_one = [journal._record(text) for text in lines.to_pylist()]
    assert bulk.ts.to_pylist() == [r[0] for r in one_by_one if r]
    assert bulk.host.to_pylist() == [r[1] for r in one_by_one if r]
    assert bulk.program.to_pylist() == [r[2] for r in one_by_one if r]
    assert bulk.pid.tolist() == [r[3] for r in one_by_one if r]
    assert bulk.body.to_pylist() == [r[4] for r in one_by_one if r]


def test_byte_array_message_read_per_line() -> None:
    record = {"__REALTIME_TIMESTAMP": str(MICROS), "SYSLOG_IDENTIFIER": "postfix/smtpd"}
    records = [{**record, "MESSAGE": list("caf\u00e9".encode("latin-1"))}]
    lines = next(iter_line_chunks(io.BytesIO(export(records)))).lines
    assert journal._read_bulk(lines) is None
    assert journal._record(lines.to_pylist()[0])[4] == "caf\u00e9"


TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(
    ("zone", "stamp"),
    [
        (UTC, "2024-03-11T12:14:29.123456+00:00"),
        (TOKYO, "2024-03-11T21:14:29.123456+09:00"),
        (ZoneInfo("America/St_Johns"), "2024-03-11T09:44:29.123456-02:30"),
        (timezone(timedelta(hours=5, minutes=30)), "2024-03-11T17:44:29.123456+05:30"),
    ],
)
def test_journal_stamps_in_zone(zone: tzinfo, stamp: str) -> None:
    """The stamp gives the instant in the chosen zone, and the time stays the same."""
    record = {"__REALTIME_TIMESTAMP": str(MICROS), "_HOSTNAME": "mx1.example.com",
              "SYSLOG_IDENTIFIER": "postfix/qmgr", "MESSAGE": "3A1F2B7C9D: removed"}  # fmt: skip
    lines = next(iter_line_chunks(io.BytesIO(export([record])))).lines
    bulk = journal._read_bulk(lines, zone)
    assert bulk is not None
    assert bulk.ts.to_pylist() == [stamp]
    assert journal._record(lines.to_pylist()[0], zone)[0] == stamp
    parsed = journal.parse_journal(io.BytesIO(export([record])), "journal.json", zone)
    event = parsed.events.to_pylist()[0]
    assert event["stamp"] == stamp
    assert pd.Timestamp(event["time"]) == pd.Timestamp(MOMENT)


class ChangingOffset(tzinfo):
    """A zone that gives no offset without a date, unlike ZoneInfo's keyed zones."""

    def utcoffset(self, moment: datetime | None) -> timedelta | None:
        return None if moment is None else timedelta(hours=9)

    def dst(self, moment: datetime | None) -> timedelta | None:
        return timedelta(0)


def test_journal_zone_without_name_read_per_line() -> None:
    record = {"__REALTIME_TIMESTAMP": str(MICROS), "SYSLOG_IDENTIFIER": "postfix/qmgr",
              "MESSAGE": "3A1F2B7C9D: removed"}  # fmt: skip
    data = export([record])
    lines = next(iter_line_chunks(io.BytesIO(data))).lines
    assert journal._read_bulk(lines, ChangingOffset()) is None
    parsed = journal.parse_journal(io.BytesIO(data), "journal.json", ChangingOffset())
    assert parsed.events.to_pylist()[0]["stamp"] == "2024-03-11T21:14:29.123456+09:00"


DEFERRED = [
    ("postfix/pickup", "BABDB210214: uid=0 from=<root>"),
    ("postfix/qmgr", "BABDB210214: from=<root@siem01.example.com>, size=681, nrcpt=1"
     " (queue active)"),
    ("postfix/smtp", "BABDB210214: to=<soc@example.com>, relay=none, delay=0.06,"
     " delays=0.03/0.02/0.01/0, dsn=4.4.1, status=deferred (connect to"
     " mail.example.com[192.0.2.25]:25: Connection refused)"),
]  # fmt: skip
"""Tags and messages of one deferred message's lines."""


def epoch_micros(moment: datetime) -> int:
    return (moment - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def test_journal_evidence_in_chosen_zone(tmp_path: Path) -> None:
    """Journal and syslog lines of the same instants quote the same clock time."""
    start = datetime(2026, 12, 4, 8, 28, 39, 250000, tzinfo=UTC)
    records = [
        {"__REALTIME_TIMESTAMP": str(epoch_micros(start) + n * 1_000_000),
         "_HOSTNAME": "siem01", "SYSLOG_IDENTIFIER": tag, "_PID": "300",
         "MESSAGE": text}
        for n, (tag, text) in enumerate(DEFERRED)
    ]  # fmt: skip
    (tmp_path / "journal").mkdir()
    (tmp_path / "journal" / "postfix.json").write_bytes(export(records))
    # The same lines as syslog writes them on a host whose zone is Asia/Tokyo.
    (tmp_path / "syslog").mkdir()
    (tmp_path / "syslog" / "maillog").write_text(
        "".join(
            f"Dec  4 17:28:{39 + n} siem01 {tag}[300]: {text}\n"
            for n, (tag, text) in enumerate(DEFERRED)
        )
    )
    quoted = {}
    for name in ("journal", "syslog"):
        analysis = analyze_bundle(tmp_path / name, year=2026, timezone="Asia/Tokyo")
        finding = next(f for f in analysis.findings if f.evidence)
        quoted[name] = finding.evidence[0].text
    journal_stamp, _, journal_rest = quoted["journal"].partition(" ")
    assert journal_stamp == "2026-12-04T17:28:41.250000+09:00"
    assert quoted["syslog"].startswith("Dec  4 17:28:41 ")
    assert journal_rest == quoted["syslog"].removeprefix("Dec  4 17:28:41 ")


def message_records() -> list[dict[str, object]]:
    """A delivered message as journal entries, with a byte-list MESSAGE."""
    texts = [
        ("postfix/pickup", "4B2C3D4E5F: uid=0 from=<root>"),
        ("postfix/qmgr", "4B2C3D4E5F: from=<root@mx1.example.com>, size=612, nrcpt=1"
         " (queue active)"),
        ("postfix/smtp", "4B2C3D4E5F: to=<ops@example.net>, relay=mail.example.net"
         "[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5, dsn=2.0.0, status=sent (250 ok)"),
        ("postfix/qmgr", "4B2C3D4E5F: removed"),
    ]  # fmt: skip
    records: list[dict[str, object]] = [
        {
            "__CURSOR": f"s=1;i={number}",
            "__REALTIME_TIMESTAMP": str(MICROS + number * 1_000_000),
            "_HOSTNAME": "mx1.example.com",
            "SYSLOG_IDENTIFIER": program,
            "_PID": str(2400 + number),
            "MESSAGE": text,
        }
        for number, (program, text) in enumerate(texts)
    ]
    records[3]["MESSAGE"] = list(str(records[3]["MESSAGE"]).encode())
    return records


def event_fields(data: bytes) -> list[tuple[object, ...]]:
    parsed = journal.parse_journal(io.BytesIO(data), "journal.json", UTC)
    return [
        (e["kind"], e["host"], e["pid"], e["time"]) for e in parsed.events.to_pylist()
    ]


def test_pretty_export_read() -> None:
    records = message_records()
    pretty = "\n".join(json.dumps(r, indent=8) for r in records).encode() + b"\n"
    expected = event_fields(export(records))
    assert len(expected) == 4
    assert event_fields(pretty) == expected


def test_pretty_export_line_numbers() -> None:
    records = message_records()
    pretty = "\n".join(json.dumps(r, indent=8) for r in records).encode() + b"\n"
    parsed = journal.parse_journal(io.BytesIO(pretty), "journal.json", UTC)
    object_lines = len(json.dumps(records[0], indent=8).split("\n"))
    line_nos = [e["line_no"] for e in parsed.events.to_pylist()]
    assert line_nos[:2] == [1, 1 + object_lines]


def test_array_export_read() -> None:
    records = message_records()
    expected = event_fields(export(records))
    assert event_fields(json.dumps(records).encode()) == expected
    spread = json.dumps(records, indent=2).encode()
    assert event_fields(spread) == expected


def test_pretty_export_small_reads() -> None:
    """Objects that span many reads are put together before they are parsed."""
    records = message_records()
    pretty = "\n".join(json.dumps(r, indent=8) for r in records).encode()
    objects = list(journal.iter_objects(io.BytesIO(pretty), read_bytes=7))
    object_lines = len(json.dumps(records[0], indent=8).split("\n"))
    assert [line_no for line_no, _ in objects] == [
        1 + number * object_lines for number in range(4)
    ]
    assert [json.loads(text) for _, text in objects] == records


def test_pretty_export_invalid_object_skipped() -> None:
    records = message_records()
    objects = [json.dumps(r, indent=8) for r in records]
    objects.insert(2, '{\n        "__REALTIME_TIMESTAMP": oops\n}')
    parsed = journal.parse_journal(
        io.BytesIO("\n".join(objects).encode()), "journal.json", UTC
    )
    kinds = [e["kind"] for e in parsed.events.to_pylist()]
    assert len(kinds) == 4
    assert parsed.stats.lines == 5
    assert parsed.stats.unparsed_samples[0][1].startswith("{")


@pytest.mark.parametrize("form", ["pretty", "array"])
def test_journal_forms_in_bundle(tmp_path: Path, form: str) -> None:
    records = message_records()
    if form == "pretty":
        data = "\n".join(json.dumps(r, indent=8) for r in records)
    else:
        data = json.dumps(records)
    (tmp_path / "journal.json").write_text(data)
    analysis = analyze_bundle(tmp_path / "journal.json", year=2026)
    entry = analysis.bundle.inventory.entries[0]
    assert entry.kind == "journal_json"
    assert list(analysis.messages["final_state"]) == ["delivered"]


@pytest.mark.parametrize("form", ["lines", "pretty"])
def test_damaged_journal_is_partial(tmp_path: Path, form: str) -> None:
    """An entry that is not valid JSON marks the export as damaged; the rest is read."""
    records = message_records()
    if form == "lines":
        texts = [json.dumps(r) for r in records]
        texts[1] = texts[1][: len(texts[1]) // 2]
    else:
        texts = [json.dumps(r, indent=8) for r in records]
        texts.insert(2, '{\n        "__REALTIME_TIMESTAMP": oops\n}')
    (tmp_path / "journal.json").write_text("\n".join(texts) + "\n")

    analysis = analyze_bundle(tmp_path / "journal.json", year=2026)

    entry = analysis.bundle.inventory.entries[0]
    assert entry.status == "partial"
    assert "1 entry is not valid journal JSON" in entry.detail
    assert analysis.partial
    assert len(analysis.events) >= 3


def test_whole_journal_is_read(tmp_path: Path) -> None:
    (tmp_path / "journal.json").write_bytes(export(message_records()))
    analysis = analyze_bundle(tmp_path / "journal.json", year=2026)
    assert analysis.bundle.inventory.entries[0].status == "read"
    assert not analysis.partial


def test_journal_and_syslog_counted_once(tmp_path: Path) -> None:
    """A bundle with the syslog file and a journal export of the same lines:
    the journal's times have microseconds, the file's whole seconds, and each
    line counts once."""
    start = datetime(2026, 12, 3, 10, 0, 0, tzinfo=UTC)
    lines = [
        ("postfix/pickup", 300, "A1B2C3D4E5: uid=0 from=<root>"),
        ("postfix/qmgr", 302, "A1B2C3D4E5: from=<root@mx1.example.com>, size=700, "
         "nrcpt=1 (queue active)"),
        ("postfix/smtp", 303, "A1B2C3D4E5: to=<ops@example.com>, relay=mail.example."
         "com[192.0.2.25]:25, delay=0.4, delays=0.1/0/0.2/0.1, dsn=2.0.0, status=sent "
         "(250 2.0.0 Ok)"),
        ("postfix/qmgr", 302, "A1B2C3D4E5: removed"),
    ]  # fmt: skip
    syslog, records = [], []
    for number, (tag, pid, text) in enumerate(lines):
        moment = start + timedelta(seconds=number, microseconds=123_456)
        syslog.append(f"{moment:%b %d %H:%M:%S} mx1 {tag}[{pid}]: {text}\n")
        micros = int(moment.timestamp()) * 1_000_000 + moment.microsecond
        records.append({"__REALTIME_TIMESTAMP": str(micros), "_HOSTNAME": "mx1.example.com",
                        "SYSLOG_IDENTIFIER": tag, "_PID": str(pid), "MESSAGE": text})  # fmt: skip
    (tmp_path / "maillog").write_text("".join(syslog))
    (tmp_path / "journal.json").write_bytes(export(records))
    analysis = analyze_bundle(tmp_path, year=2026)
    assert analysis.duplicates_dropped == len(lines)
    assert analysis.totals().messages == 1
    assert analysis.pflogsumm_totals()["delivered"] == 1
    out = io.StringIO()
    print_summary(analysis, out)
    assert "; 4 lines that overlapping files repeat were read once" in out.getvalue()


def test_journal_time_just_before_the_syslog_second(tmp_path: Path) -> None:
    """rsyslog stamps a line it received at 10:00:40.99999 with 10:00:41."""
    text = "A1B2C3D4E5: removed"
    (tmp_path / "maillog").write_text(
        f"Dec  3 10:00:41 mx1 postfix/qmgr[302]: {text}\n"
    )
    moment = datetime(2026, 12, 3, 10, 0, 40, 999_990, tzinfo=UTC)
    micros = int(moment.timestamp()) * 1_000_000 + moment.microsecond
    record = {"__REALTIME_TIMESTAMP": str(micros), "_HOSTNAME": "mx1",
              "SYSLOG_IDENTIFIER": "postfix/qmgr", "_PID": "302", "MESSAGE": text}  # fmt: skip
    (tmp_path / "journal.json").write_bytes(export([record]))
    assert analyze_bundle(tmp_path, year=2026).duplicates_dropped == 1
