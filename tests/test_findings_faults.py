"""Bundles a real Postfix wrote where a setting of the host or the relay's
behaviour in the session stops the mail, while the symptom looks like a
network fault or a wrong password."""

from __future__ import annotations

import pytest

from analyzer.api import analyze_bundle
from analyzer.report.context import localized_texts
from tests.conftest import SAMPLES

CASES = [
    pytest.param(
        "sasl-mechanism-filter",
        "sasl-no-mechanism",
        "filtered",
        "smtp_sasl_mechanism_filter = cram-md5, digest-md5",
        "Add a method that the server offers (LOGIN, PLAIN)",
        id="mechanism-filter",
    ),
    pytest.param(
        "alias-expansion-limit",
        "mail-not-accepted",
        "expansion_limit",
        "virtual_alias_expansion_limit = 3",
        "raise virtual_alias_expansion_limit",
        id="expansion-limit",
    ),
    pytest.param(
        "session-cut-at-data",
        "relay-connection-failed",
        "cut_in_session",
        "relayhost = [mail.example.com]",
        "when Postfix sends DATA",
        id="cut-at-data",
    ),
    pytest.param(
        "server-error-421",
        "relay-server-error",
        "",
        None,
        "Ask the administrator of mail.example.com what the reply means",
        id="server-421",
    ),
    pytest.param(
        "data-timeout",
        "relay-connection-failed",
        "data_timeout",
        "smtp_data_done_timeout = 5s",
        "Remove smtp_data_done_timeout",
        id="data-timeout",
    ),
    pytest.param(
        "generic-maps-sender",
        "sender-address-rejected",
        "generic_maps",
        "smtp_generic_maps = hash:/etc/postfix/generic",
        "Correct the entry for root@qradar-console.example.com",
        id="generic-maps",
    ),
    pytest.param(
        "relayhost-wrong-port",
        "relay-connection-failed",
        "not_smtp_port",
        "relayhost = [mail.example.com]:22",
        "Correct the port in relayhost",
        id="wrong-port",
    ),
]


@pytest.mark.parametrize(("sample", "code", "variant", "setting", "remedy"), CASES)
def test_fault_named(
    sample: str, code: str, variant: str, setting: str | None, remedy: str
) -> None:
    analysis = analyze_bundle(SAMPLES / f"{sample}.tar.gz")
    finding = analysis.findings[0]
    assert finding.code == code
    assert finding.severity == "error"
    assert finding.params.get("variant", "") == variant
    assert remedy in finding.remedy
    if setting is not None:
        settings = [e.text for e in finding.evidence if e.kind == "config"]
        assert setting in settings
    # The connection works in each: no test of the port alone.
    assert "`nc -vz" not in finding.remedy
    # Every text has its Japanese form, with no placeholder left.
    for text in localized_texts(finding, "ja"):
        assert "{" not in text


def test_server_error_single_finding() -> None:
    """The lost connection after the 421 is part of it, not a second error."""
    analysis = analyze_bundle(SAMPLES / "server-error-421.tar.gz")
    errors = [f.code for f in analysis.findings if f.severity == "error"]
    assert errors == ["relay-server-error"]
