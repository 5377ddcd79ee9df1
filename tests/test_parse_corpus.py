"""Recognition of every public log file in the shared corpus.

For each file the test prints the share of Postfix lines that a rule recognized
and requires 99.5%. Every line left unrecognized, and every non-blank line that
has no syslog header, must be listed below with the reason. A listed line that
becomes recognized fails the test too, so the list stays true. The corpus holds test
fixtures of other projects: some lines are malformed on purpose, and a few files
wrap log lines in a template or an ini file, which ``unwrap`` undoes while
keeping line numbers.

The grok YAML files of the corpus are message bodies without a syslog header;
tests/test_parse_grok.py reads them.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

import pytest

from analyzer.parse import logfile
from analyzer.parse.logfile import LineStats, parse_log
from analyzer.parse.timestamps import YearReference
from tests.conftest import CORPUS

MIN_SHARE = 0.995
LOG_DIR = CORPUS / "maillog"


@dataclass(frozen=True)
class Expected:
    """Lines of one corpus file that the parser is expected not to recognize."""

    unknown: dict[int, str] = field(default_factory=dict)
    """Postfix lines that no rule recognizes: line number -> reason."""
    unparsed: dict[int, str] = field(default_factory=dict)
    """Non-blank, non-comment lines without a syslog header: line -> reason."""
    wrapper: str | None = None
    """Pattern of lines that belong to the file's wrapper format, not the log."""


_SECTION = "negative case of that project's parser tests"
EXPECTED: dict[str, Expected] = {
    "pk65__search_postfix_log__src__test__resources__mail.log": Expected(
        unknown={23: f"delivery record with 'tox=' in place of 'to=', a {_SECTION}"}
    ),
    "sergeymakinen__postfix_exporter__exporter__testdata__mail.log": Expected(
        unknown={
            3: "program postfix/unknown with the text 'foo', from the fixture's"
            " section of unsupported lines",
            45: "the fixture's 'Unsupported' placeholder after NOQUEUE: reject:",
            46: "the fixture's 'Unsupported' placeholder for smtpd",
            50: "the fixture's 'Unsupported' placeholder for lmtp",
            55: f"delivery record without 'to=' before the recipient, a {_SECTION}",
            56: f"delivery record without 'to=' before the recipient, a {_SECTION}",
            60: "the fixture's 'Unsupported' placeholder for smtp",
            63: "the fixture's 'Unsupported' placeholder for cleanup",
            65: f"expiry record whose sender ends in '>>', a {_SECTION}",
            66: "the fixture's 'Unsupported' placeholder for qmgr",
        },
        unparsed={
            4: "month followed by a colon ('Jan:'), deliberately malformed",
            5: "process ID in letters ('[abcde]'), deliberately malformed",
            6: "header cut before ']:', deliberately malformed",
            7: "header without '[pid]:' or message, deliberately malformed",
            8: "month name 'Foo' and no program, deliberately malformed",
            9: "timestamp alone, deliberately malformed",
            10: "month name alone, deliberately malformed",
        },
    ),
    "youyo__postfix-log-parser__test__test-milter.log": Expected(
        unparsed={
            1: "timestamp cut at its first digit ('021-02-06T...')",
            **{
                number: "syslog template without the colon after [pid]"
                " ('postfix/smtpd[123] text'); pflogsumm skips these lines too"
                for number in (4, 5, 6, 9, 10, 11, 12, 13, 14, 15)
            },
        }
    ),
    "wazuh__wazuh-ruleset__rules__log-entries__postfix.ini": Expected(
        unparsed={1: "prose title of the ini file"}
    ),
    "wazuh__wazuh-ruleset__tools__rules-testing__tests__0030-postfix.ini": Expected(
        wrapper=r"\[.*\]|\w+ =( .*)?"
    ),
}

_INI_LOG_LINE = re.compile(r"^log \d+ \w+ = ")


def unwrap(name: str, text: str) -> str:
    """Return the log lines inside a wrapped corpus file, one per original line.

    modoboa's file is a template whose timestamps start with the placeholder
    ``%(day)s``; wazuh's test files give each log line as ``log N pass = LINE``.
    """
    if name.startswith("modoboa__"):
        return text.replace("%(day)s", "Mar 11")
    if name.endswith(".ini"):
        return "\n".join(_INI_LOG_LINE.sub("", line) for line in text.split("\n"))
    return text


def corpus_logs() -> list[str]:
    if not LOG_DIR.is_dir():
        return ["(corpus absent)"]
    return sorted(p.name for p in LOG_DIR.iterdir() if not p.name.endswith(".yaml"))


def read_stats(path: Path, monkeypatch: pytest.MonkeyPatch) -> LineStats:
    # Keep every unknown and unparsed line as a sample, so all can be checked.
    monkeypatch.setattr(logfile, "SAMPLE_LIMIT", 10**9)
    monkeypatch.setattr(logfile, "SAMPLES_PER_DAEMON", 10**9)
    monkeypatch.setattr(logfile, "UNKNOWN_SAMPLE_LIMIT", 10**9)
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    text = unwrap(path.name, data.decode("utf-8", errors="replace"))
    stream = io.BytesIO(text.encode("utf-8"))
    return parse_log(stream, path.name, YearReference(year=2024), UTC).stats


def is_noise(text: str, expected: Expected) -> bool:
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return True
    return bool(expected.wrapper and re.fullmatch(expected.wrapper, stripped))


@pytest.mark.parametrize("name", corpus_logs())
def test_corpus_file_is_recognized(
    name: str, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = EXPECTED.get(name, Expected())
    stats = read_stats(corpus / "maillog" / name, monkeypatch)
    unknown = {line_no for line_no, _, _ in stats.unknown_samples}
    unparsed = {
        line_no
        for line_no, text in stats.unparsed_samples
        if not is_noise(text, expected)
    }
    counted = stats.postfix_lines - len(expected.unknown)
    recognized = stats.recognized_lines
    share = recognized / counted if counted else 1.0
    raw = recognized / stats.postfix_lines if stats.postfix_lines else 1.0
    print(
        f"{name}: {recognized}/{stats.postfix_lines} Postfix lines recognized"
        f" ({raw:.2%}; {share:.2%} without the {len(expected.unknown)} listed)"
    )
    assert unknown == set(expected.unknown)
    assert unparsed == set(expected.unparsed)
    assert share >= MIN_SHARE
    assert stats.bad_timestamps == 0


def test_wrapped_files_contain_postfix_lines(
    corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Check that unwrapping finds the log lines, which the raw files hide."""
    for name in (
        "modoboa__modoboa__modoboa__maillog__tests__mail.log",
        "wazuh__wazuh-ruleset__tools__rules-testing__tests__0030-postfix.ini",
    ):
        stats = read_stats(corpus / "maillog" / name, monkeypatch)
        assert stats.postfix_lines > 50, name
