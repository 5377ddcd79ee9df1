"""The compiled scanner and the RE2 patterns give the same events.

The scanner (``analyzer/parse/_scan.c``) handles the most frequent line shapes;
whatever it does not accept goes to the patterns. Both paths must produce
identical tables on every corpus file, and the delivery-record scanner must agree
with the delivery rule's pattern on any text, including malformed ones.
"""

from __future__ import annotations

import gzip
import io
from datetime import UTC
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.parse import fast, postfix
from analyzer.parse.logfile import ParsedLog, parse_log
from analyzer.parse.timestamps import YearReference
from tests.test_parse_corpus import LOG_DIR, corpus_logs, unwrap

pytestmark = pytest.mark.skipif(
    not fast.AVAILABLE,
    reason="the compiled scanner is not built: run pip install -e . (it needs a C compiler)",
)

DELIVERY = next(rule for rule in postfix.RULES if rule.name == "delivery")


def parse_both(data: bytes, monkeypatch: pytest.MonkeyPatch) -> list[ParsedLog]:
    parsed = []
    for disabled in ("0", "1"):
        monkeypatch.setenv(fast.DISABLE_VARIABLE, disabled)
        stream = io.BytesIO(data)
        parsed.append(parse_log(stream, "log", YearReference(year=2024), UTC))
    return parsed


@pytest.mark.parametrize("name", corpus_logs())
def test_corpus_same_both_paths(
    name: str, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = LOG_DIR / name
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = unwrap(name, data.decode("utf-8", errors="replace"))
    scanned, patterns = parse_both(text.encode("utf-8"), monkeypatch)
    assert scanned.events.equals(patterns.events)
    assert sorted(scanned.fields) == sorted(patterns.fields)
    for kind, table in scanned.fields.items():
        assert table.equals(patterns.fields[kind]), kind


def test_delivery_rule_uses_scanner() -> None:
    # The scanner implements this exact pattern; a changed rule falls back to RE2.
    assert DELIVERY.pattern == fast.DELIVERY_PATTERN


def assert_same_as_pattern(texts: list[str]) -> None:
    array = pa.array(texts, pa.string())
    expected = pc.extract_regex(array, "^" + DELIVERY.pattern)
    ok, scanned = fast.delivery(array)
    for index, text in enumerate(texts):
        want = expected[index].as_py()
        got = scanned[index].as_py() if ok[index] else None
        # The scanner may reject what the pattern accepts (it falls back), never
        # the reverse, and what it accepts it must split the same way.
        if got is not None:
            assert got == want, text


SEGMENTS = {
    "to": ["to=<a@example.com>", "to=<>", "to=a@example.com", "to=", "to=<a,b>",
           "to=<a", "to=a b", "to=<a>x", "tox=<a>"],
    "orig": ["", " orig_to=<b@example.com>", " orig_to=b", " orig_to=<b", " orig_to="],
    "relay": [" relay=mx.example.com[192.0.2.1]:25", " relay=none", " relay=local",
              " relay=", " relay=a b[c]", " relay"],
    "conn": ["", " conn_use=2", " conn_use=", " conn_use=x"],
    "delay": [" delay=0.5", " delay=12", " delay=", " delay=1a", " delay=.."],
    "delays": ["", " delays=0.1/0/0.2/0.3", " delays=1/2/3", " delays=1/2/3/4/5",
               " delays=//1/2"],
    "tls": ["", " tls=TLSv1.3", " tls=", " tls=a b"],
    "dsn": ["", " dsn=2.0.0", " dsn=4.4.1", " dsn=5.7.1234", " dsn=2.0", " dsn=x.0.0",
            " dsn=4.12.123"],
    "status": [" status=sent", " status=deferred", " status=", " status=bounced!",
               " status=soft-bounce", " statu=sent", " status=sent_x"],
    "reply": ["", " (250 2.0.0 Ok: queued as 4Q1)", " (connect to x[192.0.2.9]:25:"
              " Connection refused)", " ()", " (", " (a))", " (no closing", " x",
              " (a)b", " (\u00e9\u00e8)", " (tab\there)"],
}  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(st.fixed_dictionaries({k: st.sampled_from(v) for k, v in SEGMENTS.items()}))
def test_delivery_scanner_matches_pattern(parts: dict[str, str]) -> None:
    order = ["to", "orig", "relay", "conn", "delay", "delays", "tls", "dsn", "status"]
    text = ",".join([parts["to"], *(parts[k] for k in order[1:] if parts[k])])
    text += parts["reply"]
    assert_same_as_pattern([text])


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet="to=<>@a ,.relay[]:1dsn_ustc()-/\t", max_size=90))
def test_delivery_scanner_on_noise(text: str) -> None:
    assert_same_as_pattern([text, "to=<a>, relay=none, delay=1, status=sent " + text])


def test_delivery_scanner_accepts_common_records() -> None:
    texts = [
        "to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1.2,"
        " delays=0.1/0/0.5/0.6, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
        "to=<b@example.com>, orig_to=<c@example.com>, relay=none, delay=30,"
        " delays=0/0/30/0, dsn=4.4.1, status=deferred (connect to"
        " mx.example.com[192.0.2.2]:25: Connection timed out)",
        "to=<d@example.com>, relay=local, delay=0.01, status=sent (delivered)",
    ]
    ok, scanned = fast.delivery(pa.array(texts))
    assert ok.all()
    assert scanned.equals(pc.extract_regex(pa.array(texts), "^" + DELIVERY.pattern))


def test_delivery_scanner_reads_chosen_rows_in_place() -> None:
    texts = pa.array(
        [
            "to=<a@example.com>, relay=local, delay=0.01, status=sent (delivered)",
            "not a delivery record",
            None,
            "to=<b@example.com>, relay=none, delay=30, dsn=4.4.1, status=deferred"
            " (connect to mx.example.com[192.0.2.2]:25: Connection refused)",
        ]
    ).slice(0)
    rows = np.array([3, 1, 0, 2])
    ok, scanned = fast.delivery(texts, rows)
    expected_ok, expected = fast.delivery(texts.take(pa.array(rows)))
    assert ok.tolist() == expected_ok.tolist() == [True, False, True, False]
    assert scanned.equals(expected)
