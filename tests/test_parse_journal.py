"""``journalctl -o json`` exports: fields, times, and the two ways of reading them."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pandas as pd

from analyzer.parse import journal
from analyzer.parse.lines import iter_line_chunks

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
    assert events[0]["host"] == "mx1.example.com"
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
    assert journal._record(lines.to_pylist()[0])[4] == "caf\ufffd"
