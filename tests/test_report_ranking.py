"""Finding order: within a severity, the findings that affect most messages
come first, in the HTML report and the PDF summary alike, and the PDF states how
many findings it leaves out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer.api import Analysis, analyze_bundle
from analyzer.report.write import write_reports
from tests.conftest import pdf_text
from tests.test_findings_direct import message, said_by, sent

REPLIES = {
    "unknown": (
        8,
        "550 5.1.1 <{recipient}>: Recipient address rejected: User unknown in "
        "virtual mailbox table",
    ),
    "full": (3, "552 5.2.2 <{recipient}>: Mailbox full"),
    "large": (2, "552 5.3.4 Message size exceeds fixed limit"),
    "sender": (
        1,
        "553 5.1.8 <root@relay01.example.com>: Sender address rejected: "
        "Domain not found",
    ),
    "relay": (1, "554 5.7.1 <{recipient}>: Relay access denied"),
    "block": (
        1,
        "554 5.7.1 Service unavailable; Client host [192.0.2.10] blocked using "
        "zen.spamhaus.org",
    ),
}
"""Bounce replies of remote MX hosts and how many messages get each."""


def write_bundle(folder: Path) -> Path:
    """Write a bundle whose six errors affect 8, 3, 2, 1, 1 and 1 messages."""
    lines = sent(2)
    number = 10
    for name, (count, reply) in REPLIES.items():
        for _ in range(count):
            recipient = f"user{number}@{name}.example.org"
            server = f"mx.{name}.example.org[198.51.100.{number}]"
            text = said_by(server, reply.format(recipient=recipient))
            lines.append(message(number, recipient, f"{server}:25", "bounced", text))
            number += 1
    folder.mkdir()
    (folder / "maillog").write_text("".join(lines))
    (folder / "main.cf").write_text("myhostname = relay01.example.com\n")
    return folder


@pytest.fixture(scope="module")
def analysis(tmp_path_factory: pytest.TempPathFactory) -> Analysis:
    folder = write_bundle(tmp_path_factory.mktemp("ranking") / "bundle")
    return analyze_bundle(folder, year=2026)


def test_errors_ranked_by_messages(analysis: Analysis) -> None:
    errors = [f for f in analysis.findings if f.severity == "error"]
    counts = [f.messages_affected for f in errors]
    assert len(errors) == 6
    assert counts == [8, 3, 2, 1, 1, 1]
    assert errors[0].code == "unknown-recipient"


def test_severity_still_first(analysis: Analysis) -> None:
    severities = [f.severity for f in analysis.findings]
    assert severities == sorted(severities, key=["error", "warning", "info"].index)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize(
    ("lang", "note"),
    [
        ("en", "5 of 8 findings shown; report.html lists them all."),
        (
            "ja",
            "8 件の検出事項のうち 5 件を表示しています。すべては report.html にあります。",
        ),
    ],
)
def test_pdf_says_findings_left_out(
    analysis: Analysis, tmp_path: Path, lang: str, note: str
) -> None:
    write_reports(analysis, tmp_path, ["html", "pdf"], lang=lang)
    text = flat(pdf_text(tmp_path / "summary.pdf"))
    assert note in text


def test_pdf_and_html_share_order(analysis: Analysis, tmp_path: Path) -> None:
    write_reports(analysis, tmp_path, ["html", "pdf"], "en")
    html = (tmp_path / "report.html").read_text()
    pdf = flat(pdf_text(tmp_path / "summary.pdf"))
    codes = [f.code for f in analysis.findings]
    html_order = sorted(codes, key=html.index)
    pdf_codes = [code for code in codes if code in pdf]
    assert html_order == codes
    assert pdf_codes == codes[:5]
    assert sorted(pdf_codes, key=pdf.index) == codes[:5]


def test_pdf_without_html_names_command(analysis: Analysis, tmp_path: Path) -> None:
    write_reports(analysis, tmp_path, ["pdf"], "en")
    text = flat(pdf_text(tmp_path / "summary.pdf"))
    assert (
        "5 of 8 findings shown; mailbundle report --format html lists them all." in text
    )


def test_pdf_all_shown_has_no_note(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "maillog").write_text("".join(sent(2)))
    write_reports(analyze_bundle(folder, year=2026), tmp_path / "out", ["pdf"], "en")
    text = flat(pdf_text(tmp_path / "out" / "summary.pdf"))
    assert "findings shown" not in text
