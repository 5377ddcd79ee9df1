"""Findings about the configuration files themselves: comments after a value,
and main.cf disagreeing with ``postconf -n`` output."""

from __future__ import annotations

import os
from pathlib import Path

from analyzer.analysis.findings.model import Finding
from analyzer.api import Analysis, analyze_bundle
from analyzer.report.context import build_context
from tests.conftest import SAMPLES

HOST = "relay1"


def mx_lookup_log() -> str:
    """Two messages deferred because Postfix looked up MX records for the relay."""
    lines = []
    for queue_id, stamp in (("A1B2C3D4E5", "10:00:00"), ("B2C3D4E5F6", "10:05:00")):
        head = f"Dec  4 {stamp} {HOST} postfix"
        lines += [
            f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
            f"{head}/cleanup[301]: {queue_id}: message-id=<{queue_id}@example.com>\n",
            f"{head}/qmgr[302]: {queue_id}: from=<root@relay1.example.com>, "
            "size=700, nrcpt=1 (queue active)\n",
            f"{head}/smtp[303]: {queue_id}: to=<soc@example.com>, relay=none, "
            "delay=1, delays=0/0/1/0, dsn=4.4.3, status=deferred (Host or domain "
            "name not found. Name service error for name=mail.example.com type=MX: "
            "Host not found, try again)\n",
        ]
    return "".join(lines)


def write_bundle(folder: Path, main_cf: str, postconf: str | None = None) -> Path:
    (folder / "var/log").mkdir(parents=True)
    (folder / "var/log/maillog").write_text(mx_lookup_log())
    (folder / "etc/postfix").mkdir(parents=True)
    (folder / "etc/postfix/main.cf").write_text(main_cf)
    if postconf is not None:
        (folder / "sos_commands/postfix").mkdir(parents=True)
        (folder / "sos_commands/postfix/postconf_-n").write_text(postconf)
    return folder


def config_source(analysis: Analysis) -> str:
    """Return the file name of the configuration that the analysis uses."""
    config = analysis.hosts[HOST].config
    assert config is not None
    return config.source.rsplit("/", 1)[-1]


def mx_variant(analysis: Analysis) -> str:
    """Return the variant of the relayhost-mx-lookup finding."""
    found = [f for f in analysis.findings if f.code == "relayhost-mx-lookup"]
    return str(found[0].params["variant"])


def codes(analysis: Analysis) -> list[str]:
    return [f.code for f in analysis.findings]


MAIN_CF = (
    "myhostname = relay1.example.com\n"
    "inet_interfaces = localhost\n"
    "relayhost = [mail.example.com]   # corp relay\n"
)


def test_inline_comment_is_warned(tmp_path: Path) -> None:
    analysis = analyze_bundle(write_bundle(tmp_path / "b", MAIN_CF), year=2026)
    found = [f for f in analysis.findings if f.code == "config-inline-comment"]
    assert len(found) == 1
    assert found[0].severity == "warning"
    assert "relayhost (line 3)" in found[0].summary
    assert "own line" in found[0].remedy
    assert found[0].evidence[0].line_no == 3
    assert found[0].evidence[0].text == "relayhost = [mail.example.com]   # corp relay"


def test_inline_comment_stays_in_value(tmp_path: Path) -> None:
    analysis = analyze_bundle(write_bundle(tmp_path / "b", MAIN_CF), year=2026)
    config = analysis.hosts[HOST].config
    assert config is not None
    assert config.get("relayhost") == "[mail.example.com] # corp relay"


def test_inline_comment_in_review(tmp_path: Path) -> None:
    analysis = analyze_bundle(write_bundle(tmp_path / "b", MAIN_CF), year=2026)
    context = build_context(analysis, "en")
    rows = context.config_review[0]["rows"]
    relayhost = next(row for row in rows if row["name"] == "relayhost")
    assert relayhost["comment"] == "# corp relay"
    myhostname = next(row for row in rows if row["name"] == "myhostname")
    assert myhostname["comment"] == ""


def test_bracketed_relayhost_remedy_no_brackets(tmp_path: Path) -> None:
    analysis = analyze_bundle(write_bundle(tmp_path / "b", MAIN_CF), year=2026)
    found = [f for f in analysis.findings if f.code == "relayhost-mx-lookup"]
    assert len(found) == 1
    assert found[0].params["variant"] == "bracketed"
    assert "has no brackets" not in found[0].title
    assert "Put the mail server in brackets" not in found[0].remedy
    assert "postfix reload" in found[0].remedy
    assert "relayhost-unbracketed" not in codes(analysis)


UNBRACKETED = (
    "myhostname = relay1.example.com\n"
    "inet_interfaces = localhost\n"
    "relayhost = mail.example.com\n"
)
POSTCONF = (
    "inet_interfaces = localhost\n"
    "myhostname = relay1.example.com\n"
    "relayhost = [mail.example.com]\n"
)


def set_times(folder: Path, main_cf: int, postconf: int) -> None:
    """Set the modification times of main.cf and the postconf -n output."""
    os.utime(folder / "etc/postfix/main.cf", (main_cf, main_cf))
    output = folder / "sos_commands/postfix/postconf_-n"
    os.utime(output, (postconf, postconf))


def timed_conflict(
    tmp_path: Path, main_cf_time: int, postconf_time: int
) -> tuple[Analysis, Finding]:
    """Return the analysis of the conflicting pair with these file times, and
    its one config-conflict finding."""
    folder = write_bundle(tmp_path / "b", UNBRACKETED, POSTCONF)
    set_times(folder, main_cf_time, postconf_time)
    analysis = analyze_bundle(folder, year=2026)
    found = [f for f in analysis.findings if f.code == "config-conflict"]
    assert len(found) == 1
    return analysis, found[0]


def test_conflict_uses_postconf(tmp_path: Path) -> None:
    analysis, finding = timed_conflict(tmp_path, 1796400000, 1796400600)
    assert finding.severity == "warning"
    assert "relayhost" in finding.summary
    assert "postconf_-n" in finding.summary
    quoted = [
        (e.source.rsplit("/", 1)[-1], e.line_no, e.text) for e in finding.evidence
    ]
    assert quoted == [
        ("main.cf", 3, "relayhost = mail.example.com"),
        ("postconf_-n", 3, "relayhost = [mail.example.com]"),
    ]
    assert config_source(analysis) == "postconf_-n"
    assert mx_variant(analysis) == "bracketed"


def test_conflict_newer_main_cf_wins(tmp_path: Path) -> None:
    analysis, finding = timed_conflict(tmp_path, 1796400600, 1796400000)
    assert finding.params["variant"] == "main_newer"
    assert config_source(analysis) == "main.cf"
    assert mx_variant(analysis) == ""


def test_conflict_missing_setting(tmp_path: Path) -> None:
    postconf = "myhostname = relay1.example.com\nrelayhost = mail.example.com\n"
    folder = write_bundle(tmp_path / "b", UNBRACKETED, postconf)
    analysis = analyze_bundle(folder, year=2026)
    found = [f for f in analysis.findings if f.code == "config-conflict"]
    assert len(found) == 1
    assert found[0].params["parameters"] == "inet_interfaces"
    texts = [e.text for e in found[0].evidence]
    assert "(inet_interfaces is not set)" in texts


def test_agreeing_configs_no_conflict(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "b", UNBRACKETED, UNBRACKETED)
    analysis = analyze_bundle(folder, year=2026)
    assert "config-conflict" not in codes(analysis)
    assert config_source(analysis) == "main.cf"


def delivered_log() -> str:
    """One message delivered through the relay, with no MX lookup."""
    head = f"Dec  4 10:00:00 {HOST} postfix"
    return (
        f"{head}/pickup[300]: C3D4E5F6A7: uid=0 from=<root>\n"
        f"{head}/cleanup[301]: C3D4E5F6A7: message-id=<c3@example.com>\n"
        f"{head}/qmgr[302]: C3D4E5F6A7: from=<root@relay1.example.com>, size=700, "
        "nrcpt=1 (queue active)\n"
        f"{head}/smtp[303]: C3D4E5F6A7: to=<soc@example.com>, "
        "relay=mail.example.com[192.0.2.10]:25, delay=1, delays=0/0/0.5/0.5, "
        "dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 9F8E7D)\n"
    )


BRACKETED_COMMENTED = (
    "myhostname = relay1.example.com\n"
    "inet_interfaces = localhost\n"
    "relayhost = [mail.example.com] # corp relay\n"
)
POSTCONF_UNBRACKETED = (
    "inet_interfaces = localhost\n"
    "myhostname = relay1.example.com\n"
    "relayhost = mail.example.com\n"
)


def stale_postconf_bundle(folder: Path) -> Path:
    """Return a bundle whose older main.cf has the brackets (and a comment after
    the value) while the newer postconf -n output prints relayhost without them."""
    write_bundle(folder, BRACKETED_COMMENTED, POSTCONF_UNBRACKETED)
    (folder / "var/log/maillog").write_text(delivered_log())
    set_times(folder, 1796400000, 1796400600)
    return folder


def test_unbracketed_names_postconf_source(tmp_path: Path) -> None:
    analysis = analyze_bundle(stale_postconf_bundle(tmp_path / "b"), year=2026)
    assert "config-conflict" in codes(analysis)
    found = [f for f in analysis.findings if f.code == "relayhost-unbracketed"]
    assert len(found) == 1
    assert found[0].params["variant"] == "main_fixed"
    assert "main.cf sets relayhost = mail.example.com" not in found[0].summary
    assert "postconf_-n" in found[0].summary
    assert "[mail.example.com]" in found[0].summary


def test_unbracketed_fixed_main_remedy_reload(tmp_path: Path) -> None:
    analysis = analyze_bundle(stale_postconf_bundle(tmp_path / "b"), year=2026)
    found = [f for f in analysis.findings if f.code == "relayhost-unbracketed"]
    assert len(found) == 1
    assert "postfix reload" in found[0].remedy
    assert "Write relayhost" not in found[0].remedy


def test_unbracketed_main_cf_only(tmp_path: Path) -> None:
    folder = write_bundle(tmp_path / "b", UNBRACKETED)
    (folder / "var/log/maillog").write_text(delivered_log())
    analysis = analyze_bundle(folder, year=2026)
    found = [f for f in analysis.findings if f.code == "relayhost-unbracketed"]
    assert len(found) == 1
    assert "variant" not in found[0].params
    assert "etc/postfix/main.cf sets relayhost" in found[0].summary
    assert "Write relayhost = [mail.example.com]" in found[0].remedy


def test_inline_comment_checked_in_main_cf(tmp_path: Path) -> None:
    analysis = analyze_bundle(stale_postconf_bundle(tmp_path / "b"), year=2026)
    assert config_source(analysis) == "postconf_-n"
    found = [f for f in analysis.findings if f.code == "config-inline-comment"]
    assert len(found) == 1
    assert found[0].params["source"] == "etc/postfix/main.cf"
    assert found[0].params["variant"] == "not_in_use"
    assert "postfix reload" in found[0].summary


def test_unbracketed_relayhost_mail_went_to_mx() -> None:
    """A real Postfix 3.7 with relayhost = mail.example.com, whose MX record names
    mx-in.example.com: every message went to mx-in, which relayhost does not name."""
    analysis = analyze_bundle(SAMPLES / "relayhost-unbracketed.tar.gz")
    found = [f for f in analysis.findings if f.code == "relayhost-unbracketed"]
    assert len(found) == 1
    assert found[0].params["variant"] == "mx_used"
    assert found[0].params["servers"] == "mx-in.example.com"
    assert "do not show that yet" not in found[0].summary
    assert "mx-in.example.com" in found[0].summary
    assert "mx-in.example.com" in found[0].title or "MX" in found[0].title
    assert any("relay=mx-in.example.com" in e.text for e in found[0].evidence)
    assert "Write relayhost = [mail.example.com]" in found[0].remedy


def test_no_log_asks_for_every_postfix_unit(tmp_path: Path) -> None:
    (tmp_path / "main.cf").write_text(UNBRACKETED)
    analysis = analyze_bundle(tmp_path, year=2026)
    found = next(f for f in analysis.findings if f.code == "no-mail-log")
    assert "`journalctl -u 'postfix*' -o json`" in found.remedy


FULL_POSTCONF = (
    "2bounce_notice_recipient = postmaster\n"
    "access_map_defer_code = 450\n"
    "default_transport = smtp\n"
    "inet_interfaces = localhost\n"
    "maximal_queue_lifetime = 5d\n"
    "message_size_limit = 10240000\n"
    "myhostname = relay1.example.com\n"
    "relayhost = mail.example.com\n"
    "smtp_sasl_auth_enable = no\n"
    "smtp_sasl_password_maps =\n"
    "smtp_sasl_security_options = noplaintext, noanonymous\n"
) + "".join(f"smtpd_example_limit_{n} = {n}\n" for n in range(300))


def test_full_postconf_compares_main_cf_settings(tmp_path: Path) -> None:
    """sosreport saves plain `postconf`, every parameter with its default, as
    sos_commands/postfix/postconf: only what main.cf sets can conflict."""
    folder = write_bundle(tmp_path / "b", UNBRACKETED)
    (folder / "sos_commands/postfix").mkdir(parents=True)
    (folder / "sos_commands/postfix/postconf").write_text(FULL_POSTCONF)
    analysis = analyze_bundle(folder, year=2026)
    assert "config-conflict" not in codes(analysis)
    changed = FULL_POSTCONF.replace(
        "relayhost = mail.example.com", "relayhost = [x.example.net]"
    )
    (folder / "sos_commands/postfix/postconf").write_text(changed)
    analysis = analyze_bundle(folder, year=2026)
    found = [f for f in analysis.findings if f.code == "config-conflict"]
    assert len(found) == 1
    assert found[0].params["parameters"] == "relayhost"
    # The summary contains both values, for readers of the PDF alone.
    assert "relayhost (mail.example.com / [x.example.net])" in found[0].summary


def test_postconf_default_values_do_not_conflict(tmp_path: Path) -> None:
    """An output that shows a parameter at Postfix's default agrees with a
    main.cf that leaves it out."""
    output = POSTCONF.replace("[mail.example.com]", "mail.example.com") + (
        "default_transport = smtp\nmessage_size_limit = 10240000\n"
    )
    folder = write_bundle(tmp_path / "b", UNBRACKETED, output)
    analysis = analyze_bundle(folder, year=2026)
    assert "config-conflict" not in codes(analysis)
