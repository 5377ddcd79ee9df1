"""Remedies fit the mail they are about: "run postfix flush" only while some of
it is still queued, in English and in Japanese."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.analysis.findings.catalog import FLUSH
from analyzer.api import analyze_bundle
from analyzer.report.context import build_context
from analyzer.report.i18n import FLUSH_JA

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
