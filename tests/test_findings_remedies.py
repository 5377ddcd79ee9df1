"""Remedies fit the mail they are about: "run postfix flush" only while some of
it is still queued, in English and in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analysis.findings.catalog import CATALOG, FLUSH
from analyzer.api import analyze_bundle
from analyzer.report.context import build_context
from analyzer.report.i18n import FLUSH_JA, finding_texts
from tests.test_findings_direct import analyze, message, said_by, sent

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "bundles"


@pytest.mark.parametrize(
    ("sample", "queued"),
    [
        # Refused with 554: the mail bounced and left the queue.
        ("relay-denied.tar.gz", False),
        # Refused with 454: the mail waits in the queue for the next attempt.
        ("relay-denied-temporary.tar.gz", True),
    ],
)
def test_flush_only_while_mail_is_queued(sample: str, queued: bool) -> None:
    analysis = analyze_bundle(SAMPLES / sample)
    finding = next(f for f in analysis.findings if f.code == "relay-access-denied")
    assert finding.params["queued"] is queued
    assert (FLUSH in finding.remedy) is queued
    assert finding.remedy.endswith(".")
    japanese = build_context(analysis, lang="ja")
    remedy = next(
        f["remedy"] for f in japanese.findings if f["code"] == "relay-access-denied"
    )
    assert (FLUSH_JA in remedy) is queued


def denied_direct(number: int, domain: str) -> str:
    server = f"mx.{domain}[198.51.100.{number + 10}]"
    return message(
        number,
        f"user{number}@{domain}",
        f"{server}:25",
        "bounced",
        said_by(server, f"554 5.7.1 <user{number}@{domain}>: Relay access denied"),
    )


def test_relay_denied_by_recipient_mx(tmp_path: Path) -> None:
    """Without relayhost, the server that denies relaying is the recipient
    domain's own: its remedy is about the recipient, not this host's relay."""
    lines = [*sent(2), denied_direct(20, "example.org")]
    analysis = analyze(tmp_path, lines, "")
    finding = next(f for f in analysis.findings if f.code == "relay-access-denied")
    assert finding.params["variant"] == "direct"
    assert "example.org" in finding.summary
    assert "relayhost is not set" in finding.summary
    assert "mynetworks" not in finding.remedy
    assert "recipient address" in finding.remedy
    assert finding.title != CATALOG["relay-access-denied"].title
    japanese = build_context(analysis, lang="ja")
    texts = next(f for f in japanese.findings if f["code"] == "relay-access-denied")
    assert "mynetworks" not in texts["remedy"]
    assert "relayhost が設定されていない" in texts["summary"]


def test_relay_denied_by_relay_host(tmp_path: Path) -> None:
    lines = [*sent(2), denied_direct(20, "example.org")]
    analysis = analyze(tmp_path, lines, "relayhost = [mx.example.org]\n")
    finding = next(f for f in analysis.findings if f.code == "relay-access-denied")
    assert finding.params.get("variant", "") == ""
    assert "mynetworks" in finding.remedy


@pytest.mark.parametrize(
    ("settings", "variant"),
    [
        ("", ""),
        ("smtp_sasl_auth_enable = yes\n", "authenticated"),
        ("smtp_sasl_auth_enable = no\n", ""),
    ],
)
def test_relay_denied_for_logged_in_host(
    tmp_path: Path, settings: str, variant: str
) -> None:
    """A host that logs in is known to the server: setting up SMTP authentication
    is no remedy, the account's right to relay is."""
    lines = [*sent(2), denied_direct(20, "example.org")]
    main_cf = "relayhost = [mx.example.org]\n" + settings
    analysis = analyze(tmp_path, lines, main_cf)
    finding = next(f for f in analysis.findings if f.code == "relay-access-denied")
    assert finding.params.get("variant", "") == variant
    assert ("set up SMTP authentication" in finding.remedy) is not bool(variant)
    assert ("smtp_sasl_password_maps" in finding.remedy) is bool(variant)
    remedy = next(
        f["remedy"]
        for f in build_context(analysis, lang="ja").findings
        if f["code"] == "relay-access-denied"
    )
    assert ("smtp_sasl_password_maps" in remedy) is bool(variant)


@pytest.mark.parametrize(
    "code",
    [
        "sender-address-rejected",
        "unknown-recipient",
        "submission-burst",
        "queue-backlog",
    ],
)
def test_remedies_name_no_product(code: str) -> None:
    """Nothing in a bundle shows which application submits the mail, so these
    remedies name none."""
    entry = CATALOG[code]
    japanese = finding_texts(code, "ja")
    assert japanese is not None
    for text in (entry.remedy, japanese[2]):
        assert "QRadar" not in text
        assert "offense" not in text
        assert "オフェンス" not in text
        assert "notification" not in text
        assert "通知" not in text


def catalog_texts() -> list[tuple[str, str]]:
    """Return every English and Japanese text of the catalog, with its code."""
    texts = []
    for code, entry in CATALOG.items():
        english = [entry.title, entry.summary, entry.remedy]
        english += [*entry.variants.values(), *entry.titles.values()]
        english += list(entry.remedies.values())
        texts += [(code, text) for text in english]
        japanese = finding_texts(code, "ja")
        assert japanese is not None
        texts += [(code, text) for text in japanese]
    return texts


def test_texts_assume_no_appliance() -> None:
    """QRadar is named only as an aside ("on QRadar, ..."): the host may be any
    Postfix host, so no text calls it an appliance or names it like QRadar."""
    for code, text in catalog_texts():
        assert "appliance" not in text.lower(), code
        assert "アプライアンス" not in text, code
        assert "qradar.example.com" not in text, code
        assert "QRadar's" not in text, code


ALIASED = (
    "Dec  3 10:30:00 relay01 postfix/pickup[300]: 4C1D2E3F40: uid=0 from=<root>\n"
    "Dec  3 10:30:00 relay01 postfix/qmgr[302]: 4C1D2E3F40: "
    "from=<root@relay01.example.com>, size=700, nrcpt=1 (queue active)\n"
    "Dec  3 10:30:01 relay01 postfix/local[304]: 4C1D2E3F40: "
    "to=<anna@relay01.example.com>, orig_to=<root>, relay=local, delay=1, "
    "delays=0/0/0/1, dsn=2.0.0, status=sent (delivered to mailbox)\n"
)


def test_local_mailbox_of_aliased_root(tmp_path: Path) -> None:
    analysis = analyze(tmp_path, [ALIASED], "relayhost = [mail.example.com]\n")
    finding = next(f for f in analysis.findings if f.code == "local-mailbox-delivery")
    assert finding.params["variant"] == "aliased"
    assert finding.params["users"] == "anna"
    assert "nobody reads" not in finding.summary
    assert "anna" in finding.summary
    japanese = build_context(analysis, lang="ja")
    summary = next(
        f["summary"] for f in japanese.findings if f["code"] == "local-mailbox-delivery"
    )
    assert "誰も読まない" not in summary
    assert "anna" in summary


def test_local_mailbox_of_root(tmp_path: Path) -> None:
    unaliased = ALIASED.replace(
        "to=<anna@relay01.example.com>, orig_to=<root>", "to=<root@relay01.example.com>"
    )
    analysis = analyze(tmp_path, [unaliased], "relayhost = [mail.example.com]\n")
    finding = next(f for f in analysis.findings if f.code == "local-mailbox-delivery")
    assert finding.params.get("variant", "") == ""
    assert "nobody reads" in finding.summary


def local(number: int, recipient: str, status: str, reply: str) -> str:
    """Return one message that local(8) delivers or returns (relay=local)."""
    queue_id = f"{0xB0000 + number:X}0"
    head = f"Dec  3 10:{number:02d}:00 relay01 postfix"
    dsn = {"sent": "2.0.0", "bounced": "5.1.1"}[status]
    return (
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n"
        f"{head}/qmgr[302]: {queue_id}: from=<root@relay01.example.com>, size=700,"
        " nrcpt=1 (queue active)\n"
        f"{head}/local[304]: {queue_id}: to=<{recipient}>, relay=local, delay=1,"
        f" delays=0/0/0/1, dsn={dsn}, status={status} ({reply})\n"
    )


CAPTURING = (
    "mydomain = example.com\n"
    "mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain\n"
    "relayhost = [mail.example.com]\n"
)


@pytest.mark.parametrize(
    ("status", "reply", "code", "kept"),
    [
        ("bounced", 'unknown user: "soc"', "unknown-recipient", "returned mail"),
        ("sent", "delivered to mailbox", "local-mailbox-delivery", "already stored"),
    ],
)
def test_domain_kept_by_mydestination(
    tmp_path: Path, status: str, reply: str, code: str, kept: str
) -> None:
    """$mydomain in mydestination makes local(8) take all mail for the
    organization's domain, which never reaches the mail server."""
    lines = [local(n, f"{user}@example.com", status, reply) for n, user in
             enumerate(["soc", "soc", "admin"])]  # fmt: skip
    analysis = analyze(tmp_path, lines, CAPTURING)
    finding = next(f for f in analysis.findings if f.code == code)
    assert finding.params["variant"] == "mydestination"
    assert finding.severity == "error"
    assert finding.title.startswith("Mail for example.com stays on this host")
    assert "mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain" in (
        finding.summary
    )
    assert "Remove example.com (or $mydomain) from mydestination" in finding.remedy
    assert kept in finding.remedy
    quoted = [e.text for e in finding.evidence if e.kind == "config"]
    assert quoted == [
        "mydestination = $myhostname, localhost.$mydomain, localhost, $mydomain"
    ]
    japanese = build_context(analysis, lang="ja")
    title = next(f["title"] for f in japanese.findings if f["code"] == code)
    assert "mydestination" in title


def test_own_host_name_in_mydestination_is_not_captured(tmp_path: Path) -> None:
    """Mail for this host's own name belongs here: that is the default."""
    lines = [local(1, "root@relay01.example.com", "sent", "delivered to mailbox")]
    analysis = analyze(tmp_path, lines, CAPTURING)
    finding = next(f for f in analysis.findings if f.code == "local-mailbox-delivery")
    assert finding.params.get("variant", "") == ""
    assert finding.severity == "warning"


@pytest.mark.parametrize(
    ("main_cf", "recipient"),
    [
        # The host's short name and its .localdomain name are its own.
        (
            "mydestination = $myhostname, localhost, relay01, relay01.localdomain\n",
            "root@relay01",
        ),
        # myhostname unset: the listed FQDN is still this host's own name.
        (
            "mydestination = relay01.example.com, localhost.example.com, localhost\n",
            "root@relay01.example.com",
        ),
        # A local domain that is not $mydomain is a choice, not this mistake.
        (
            "mydomain = example.com\nmydestination = $myhostname, alerts.example.org\n",
            "ops@alerts.example.org",
        ),
    ],
)
def test_own_names_in_mydestination(
    tmp_path: Path, main_cf: str, recipient: str
) -> None:
    lines = [local(1, recipient, "sent", "delivered to mailbox")]
    (tmp_path / "maillog").write_text("".join(lines))
    (tmp_path / "main.cf").write_text(main_cf)
    analysis = analyze_bundle(tmp_path, year=2026)
    finding = next(f for f in analysis.findings if f.code == "local-mailbox-delivery")
    assert finding.params.get("variant", "") == ""
    assert finding.severity == "warning"
