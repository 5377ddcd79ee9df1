"""``--lang ja``: the reports in Japanese, with every text translated."""

from __future__ import annotations

import json
import re
import string
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup
from click.testing import CliRunner

from analyzer.analysis.findings.catalog import CATALOG
from analyzer.analysis.findings.model import quoted_reasons
from analyzer.api import analyze_bundle
from analyzer.cli import main
from analyzer.report import i18n
from analyzer.report.context import build_context
from tests.conftest import SAMPLES, pdf_text
from tests.test_findings_queue_listings import two_listings

LOOP_TITLE_JA = "メールがこのホスト自身に戻っています"


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_finding_translated() -> None:
    for code, entry in CATALOG.items():
        texts = i18n.finding_texts(code, "ja")
        assert texts is not None, code
        title, summary, remedy = texts
        # A Japanese text may leave out a value, but never name one the English lacks.
        english = fields(entry.title + entry.summary + entry.remedy)
        english |= {name for v in entry.variants.values() for name in fields(v)}
        assert fields(title + summary + remedy) <= english, code


def test_every_variant_translated() -> None:
    """Each English variant of a summary, a title or a remedy has its Japanese,
    and no more."""
    summaries = {(c, v) for c, e in CATALOG.items() for v in e.variants}
    titles = {(c, v) for c, e in CATALOG.items() for v in e.titles}
    remedies = {(c, v) for c, e in CATALOG.items() for v in e.remedies}
    assert set(i18n.VARIANTS_JA) == summaries
    assert set(i18n.TITLES_JA) == titles
    assert set(i18n.REMEDIES_JA) == remedies
    for (code, variant), text in i18n.TITLES_JA.items():
        assert fields(text) <= fields(CATALOG[code].titles[variant]), code
    for (code, variant), text in i18n.REMEDIES_JA.items():
        assert fields(text) <= fields(CATALOG[code].remedies[variant]), code


def test_every_label_translated() -> None:
    english, japanese = i18n.labels("en"), i18n.labels("ja")
    assert english.keys() == japanese.keys()
    for key, text in japanese.items():
        assert text, key
        assert fields(text) == fields(english[key]), key


def japanese_report(sample: str, output: Path) -> BeautifulSoup:
    """Write the Japanese report of a sample bundle to ``output`` and parse its HTML."""
    bundle = SAMPLES / f"{sample}.tar.gz"
    result = CliRunner().invoke(
        main, ["report", str(bundle), "-o", str(output), "--lang", "ja"]
    )
    assert result.exit_code == 0, result.output
    return BeautifulSoup((output / "report.html").read_text(), "html.parser")


def test_japanese_report(tmp_path: Path) -> None:
    soup = japanese_report("localhost-loop", tmp_path)
    assert soup.html is not None
    assert soup.html["lang"] == "ja"
    verdict = soup.find(id="verdict")
    assert verdict is not None
    assert "メールが配送されていません" in verdict.get_text()
    assert LOOP_TITLE_JA in soup.select("#findings article.finding h3")[0].get_text()

    pdf = tmp_path / "summary.pdf"
    text = pdf_text(pdf)
    assert LOOP_TITLE_JA in "".join(text.split())
    # The footer counts pages in Japanese order, and labels take full-width colons.
    assert re.search(r"\d+ / \d+ ページ", text), text
    assert "ホスト：" in text
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    # IPAGothic has no bold face; Noto Sans CJK has one, so headings are bold.
    assert "Noto-Sans-CJK-JP-Bold" in fonts, fonts


def test_quoted_replies_in_japanese_marks(tmp_path: Path) -> None:
    """A server's reply quoted from the log is set in 「」, not in ASCII quotes."""
    soup = japanese_report("sasl-auth-failed", tmp_path)
    summary = soup.select("#findings article.finding p")[2].get_text()
    assert "「SASL authentication failed;" in summary, summary
    assert '"' not in summary, summary


def test_localized_params_quotes() -> None:
    params = {
        **quoted_reasons(["mail for example.com loops back to myself", "x"]),
        "count": 2,
    }
    assert params["reasons"] == '"mail for example.com loops back to myself"; "x"'
    ja = i18n.localized_params(params, "ja")
    assert ja["reasons"] == "「mail for example.com loops back to myself」、「x」"
    assert ja["count"] == 2
    assert i18n.localized_params(params, "en") is params
    assert i18n.localized_params({"reasons": "plain"}, "ja") == {"reasons": "plain"}


REPLY_WITH_SEPARATOR = (
    'host mail.example.com[192.0.2.25] said: 550 5.1.1 User unknown; see "policy"; '
    '"help" at https://example.com/help (in reply to RCPT TO command)'
)


def test_reply_with_separator_quoted_whole(tmp_path: Path) -> None:
    """A reply that contains '"; "' itself is one quote, as the log has it."""
    (tmp_path / "maillog").write_text(
        "Dec  4 10:00:01 mx1 postfix/pickup[100]: C1C2C3C4C5: uid=0 from=<root>\n"
        "Dec  4 10:00:01 mx1 postfix/qmgr[102]: C1C2C3C4C5: from=<root@mx1.example.com>"
        ", size=700, nrcpt=1 (queue active)\n"
        "Dec  4 10:00:01 mx1 postfix/smtp[103]: C1C2C3C4C5: to=<gone@example.com>, "
        "relay=mail.example.com[192.0.2.25]:25, delay=0.1, delays=0/0/0.05/0.05, "
        f"dsn=5.1.1, status=bounced ({REPLY_WITH_SEPARATOR})\n"
        "Dec  4 10:00:01 mx1 postfix/qmgr[102]: C1C2C3C4C5: removed\n"
    )
    context = build_context(analyze_bundle(tmp_path, year=2026), "ja")
    summaries = [finding["summary"] for finding in context.findings]
    assert any(f"「{REPLY_WITH_SEPARATOR}」" in text for text in summaries), summaries


def test_listings_and_states_in_japanese(tmp_path: Path) -> None:
    """Queue listings made at different times, and the per-host message states,
    read in Japanese, with times in the zone asked for."""
    analysis = two_listings(tmp_path)
    english = next(f for f in analysis.findings if f.code == "queue-listings-differ")
    assert "(2 messages, made 2026-12-04 12:00 UTC)" in english.summary

    tokyo = analyze_bundle(tmp_path, year=2026, timezone="Asia/Tokyo")
    context = build_context(tokyo, "ja")
    finding = next(f for f in context.findings if f["code"] == "queue-listings-differ")
    assert "messages, made" not in finding["summary"]
    listing = "cmd/postqueue_-j（2 通、2026-12-04 21:00 Asia/Tokyo 作成）"
    assert listing in finding["summary"]
    states = context.hosts[0]["states"]
    # The log ends with the removal of a message whose start it lacks; the
    # newest listing, mailq, adds one active message and one on hold.
    assert states == {"配送待ち": 3, "不明": 1, "保留": 1}


def test_own_texts_in_japanese() -> None:
    """Texts mailbundle writes itself, not quoted from the bundle, are Japanese:
    a setting main.cf leaves out, qshape's totals, inventory states and kinds."""
    too_large = build_context(
        analyze_bundle(SAMPLES / "message-too-large.tar.gz"), "ja"
    )
    evidence = [e["text"] for f in too_large.findings for e in f["evidence"]]
    assert '（message_size_limit は未設定。既定値："10240000"）' in evidence
    assert not [text for text in evidence if "is not set" in text]
    member = too_large.inventory[0]
    assert member["status_label"] == "読み取り済み"
    japanese = build_context(analyze_bundle(SAMPLES / "held.tar.gz"), "ja")
    assert japanese.qshape["columns"][0] == "合計"
    assert japanese.qshape["rows"][0][0] == "合計"
    english = build_context(analyze_bundle(SAMPLES / "held.tar.gz"), "en")
    assert english.qshape["columns"][0] == "T"
    assert english.qshape["rows"][0][0] == "TOTAL"


def test_host_names_in_japanese_brackets() -> None:
    """With several hosts, the verdict and next steps name the host in （）."""
    context = build_context(analyze_bundle(SAMPLES / "two-hosts.tar.gz"), "ja")
    assert "（qradar-ep1）。" in context.verdict["detail"]
    assert " (" not in context.verdict["detail"]
    assert context.next_steps[0][0].endswith("（qradar-ep1）")


def test_queue_lifetime_in_japanese_units() -> None:
    params = i18n.localized_params({"lifetime": "45s"}, "ja")
    assert params["lifetime"] == "45s = 45 秒"
    assert i18n.localized_params({"lifetime": "5d"}, "ja")["lifetime"] == "5d = 5 日"
    # A value Postfix would not take as a time stays as written.
    assert i18n.localized_params({"lifetime": "$x"}, "ja")["lifetime"] == "$x"
    assert i18n.localized_params({"lifetime": "45s"}, "en")["lifetime"] == "45s"
    context = build_context(analyze_bundle(SAMPLES / "expired.tar.gz"), "ja")
    expired = next(f for f in context.findings if f["code"] == "messages-expired")
    assert "maximal_queue_lifetime（45s = 45 秒）" in expired["summary"]


def test_findings_json_adds_japanese(tmp_path: Path) -> None:
    """Ticket systems keep reading the English texts; the Japanese ones come
    next to them."""
    bundle = str(SAMPLES / "relay-denied.tar.gz")
    result = CliRunner().invoke(
        main,
        ["report", bundle, "--lang", "ja", "--format", "json", "-o", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    document = json.loads((tmp_path / "findings.json").read_text())
    assert document["lang"] == "ja"
    finding = document["findings"][0]
    assert finding["title"] == "The mail server refuses to relay mail for this host"
    assert finding["localized"]["title"] == (
        "メール・サーバーがこのホストからの中継を拒否しています"
    )
    assert "通が mail.example.com に拒否されました" in finding["localized"]["summary"]
    assert document["verdict"]["headline"] == "Mail is not being delivered"
    assert document["localized_verdict"]["headline"] == "メールが配送されていません"


def test_findings_json_english_has_no_localized(tmp_path: Path) -> None:
    bundle = str(SAMPLES / "relay-denied.tar.gz")
    CliRunner().invoke(
        main, ["report", bundle, "--format", "json", "-o", str(tmp_path)]
    )
    document = json.loads((tmp_path / "findings.json").read_text())
    assert "lang" not in document
    assert "localized" not in document["findings"][0]


def test_summary_in_japanese() -> None:
    """summary --lang ja: Japanese labels, states and finding titles; log lines
    and finding codes stay as written."""
    bundle = str(SAMPLES / "two-hosts.tar.gz")
    result = CliRunner().invoke(main, ["summary", bundle, "--lang", "ja"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert (
        lines[0]
        == "バンドル：two-hosts.tar.gz（メンバー 12 件、ホスト：qradar-console、qradar-ep1）"
    )
    assert lines[1].startswith("判定：要対応：メールがこのホスト自身に戻っています")
    assert "メッセージ：7 通（配送済み 4、配送待ち 3）" in lines
    assert "検出事項：" in lines
    assert "  エラー  localhost-loop              qradar-ep1              3 通" in lines
    assert "mail for localhost loops back to myself" in result.output
    assert "Verdict" not in result.output
