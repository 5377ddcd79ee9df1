"""This host's own configuration keeps mail from leaving: an alias loop that
cleanup rejects, and a transport that master.cf lacks."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.api import analyze_bundle
from tests.conftest import SAMPLES
from tests.test_findings_servers import HOST, analyze_lines, deferred


def test_alias_loop_not_accepted() -> None:
    """Real Postfix: two messages loop in virtual_alias_maps, one is delivered.
    The verdict must not be healthy."""
    analysis = analyze_bundle(SAMPLES / "alias-loop.tar.gz")
    finding = analysis.findings[0]
    assert finding.code == "mail-not-accepted"
    assert finding.severity == "error"
    assert finding.params["variant"] == "alias_loop"
    assert finding.title == (
        "An alias loop keeps Postfix from accepting mail for soc@example.com"
    )
    # Counted by Message-ID: each retry has a new queue ID.
    assert finding.messages_affected == 2
    assert finding.params["address"] == "soc@example.com"
    expected = "`postmap -q soc@example.com hash:/etc/postfix/virtual`"
    assert expected in finding.remedy
    assert "map nesting for soc@example.com" in finding.evidence[0].text


@pytest.mark.parametrize(
    ("main_cf", "limit", "quoted"),
    [
        (
            "virtual_alias_maps = hash:/etc/postfix/virtual\n"
            "virtual_alias_expansion_limit = 3\n",
            "3",
            "virtual_alias_expansion_limit = 3",
        ),
        # Two tables: postmap -q reads one, so the remedy names the first.
        (
            "virtual_alias_maps = hash:/etc/postfix/virtual, ldap:/etc/postfix/ldap.cf\n"
            "virtual_alias_expansion_limit = 3\n",
            "3",
            "virtual_alias_expansion_limit = 3",
        ),
        # Postfix's default limit, quoted as the setting main.cf leaves out.
        (
            "virtual_alias_maps = hash:/etc/postfix/virtual\n",
            "1000",
            '(virtual_alias_expansion_limit is not set; default: "1000")',
        ),
    ],
)
def test_alias_expansion_limit(
    tmp_path: Path, main_cf: str, limit: str, quoted: str
) -> None:
    head = f"Dec  4 10:00:01 {HOST} postfix"
    lines = [
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n",
        f"{head}/cleanup[301]: A1B2C3D4E5: message-id=<a1@example.com>\n",
        f"{head}/cleanup[301]: warning: A1B2C3D4E5: unreasonable virtual_alias_maps"
        " map expansion size for soc@example.com -- message not accepted, try"
        " again later\n",
    ]
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.code == "mail-not-accepted"
    assert finding.params["variant"] == "expansion_limit"
    assert finding.params["limit"] == limit
    assert f"virtual_alias_expansion_limit = {limit} allows" in finding.summary
    assert "(`postmap -q soc@example.com hash:/etc/postfix/virtual`" in finding.remedy
    assert quoted in [e.text for e in finding.evidence if e.kind == "config"]


def test_other_problem_not_accepted(tmp_path: Path) -> None:
    head = f"Dec  4 10:00:0{{}} {HOST} postfix"
    lines = [
        f"{head.format(1)}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n",
        f"{head.format(1)}/cleanup[301]: A1B2C3D4E5: message-id=<a1@example.com>\n",
        f"{head.format(1)}/cleanup[301]: warning: A1B2C3D4E5: hash:/etc/postfix/"
        "canonical lookup error -- message not accepted, try again later\n",
        f"{head.format(2)}/pickup[300]: B2C3D4E5F6: uid=0 from=<root>\n",
        f"{head.format(2)}/cleanup[301]: B2C3D4E5F6: message-id=<a1@example.com>\n",
        f"{head.format(2)}/cleanup[301]: warning: B2C3D4E5F6: hash:/etc/postfix/"
        "canonical lookup error -- message not accepted, try again later\n",
    ]
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "mail-not-accepted"
    assert "variant" not in finding.params
    assert finding.messages_affected == 1
    assert finding.params["attempts"] == "2"
    assert '"hash:/etc/postfix/canonical lookup error"' in finding.summary


def test_transport_missing() -> None:
    """Real Postfix: default_transport = smpt, which master.cf does not define."""
    finding = analyze_bundle(SAMPLES / "transport-typo.tar.gz").findings[0]
    assert finding.code == "transport-missing"
    assert finding.severity == "error"
    assert finding.messages_affected == 3
    assert finding.params["transport"] == "smpt"
    assert finding.params["setting"] == "default_transport"
    assert finding.title == "Postfix has no delivery service named smpt"
    assert "connect to transport private/smpt" in finding.evidence[0].text
    quoted = [e.text for e in finding.evidence]
    assert "default_transport = smpt" in quoted


def test_header_checks_reject_leads() -> None:
    """Real Postfix: header_checks rejects every notification. cleanup's bounce
    lines are that finding's, not a generic delivery failure's."""
    analysis = analyze_bundle(SAMPLES / "header-checks-reject.tar.gz")
    codes = [f.code for f in analysis.findings]
    assert codes[0] == "content-check-stopped"
    assert "delivery-failed" not in codes
    finding = analysis.findings[0]
    assert finding.severity == "error"
    assert finding.messages_affected == 3
    assert '"5.7.1 Offense notifications are not allowed"' in finding.summary
    assert finding.summary.startswith("cleanup rejected 3 message(s) by header_checks")
    # The remedy tests the matched header against the table main.cf names.
    assert (
        "`postmap -q 'Subject: QRadar Offense 4101: Potential Data Exfiltration by"
        " Outbound Transfer' regexp:/etc/postfix/header_checks`" in finding.remedy
    )
    assert finding.remedy.endswith("The rejected mail went back to its sender.")
    # Queued, then rejected by cleanup: not "rejected before queueing".
    assert analysis.traffic("D")["rejected"].sum() == 0


def test_routing_table_names_failing_server(tmp_path: Path) -> None:
    """transport_maps sends the mail to 192.0.2.99, not to relayhost: the finding
    quotes transport_maps instead of sending the reader to a working relayhost."""
    reply = "connect to 192.0.2.99[192.0.2.99]:25: Connection refused"
    lines = deferred("A1B2C3D4E5", "10:00:00", reply)
    # relayhost takes the rest of this host's mail.
    lines += [
        *deferred("B2C3D4E5F6", "10:01:00", "x")[:3],
        f"Dec  4 10:01:00 {HOST} postfix/smtp[303]: B2C3D4E5F6: to=<ops@example.org>,"
        " relay=mx1.corp.example[192.0.2.25]:25, delay=1, delays=0/0/0.5/0.5,"
        " dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F017AB)\n",
    ]
    routed = (
        "relayhost = [mx1.corp.example]\ntransport_maps = hash:/etc/postfix/transport\n"
    )
    finding = analyze_lines(tmp_path, lines, routed).findings[0]
    assert finding.code == "relay-connection-failed"
    assert finding.params["variant"] == "routed"
    assert finding.severity == "error"
    assert finding.params["maps"] == "transport_maps"
    assert "That is not relayhost ([mx1.corp.example])" in finding.summary
    quoted = [e.text for e in finding.evidence]
    assert "transport_maps = hash:/etc/postfix/transport" in quoted
    plain = analyze_lines(tmp_path, lines, "relayhost = [mx1.corp.example]\n")
    assert plain.findings[0].params.get("variant") != "routed"
    # relayhost taking no mail in the log does not clear the table: it chose
    # a server that relayhost does not name.
    alone = analyze_lines(tmp_path, lines[:4], routed)
    assert alone.findings[0].params.get("variant") == "routed_alone"


def test_alias_to_missing_user(tmp_path: Path) -> None:
    """root is an alias of a user this host lacks: the fix is the alias, not the
    recipient domain's administrator."""
    head = f"Dec  4 10:00:00 {HOST} postfix"
    lines = [
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n",
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<root@{HOST}.example.com>, size=700,"
        " nrcpt=1 (queue active)\n",
        f"{head}/local[304]: A1B2C3D4E5: to=<qradaradmin@{HOST}.example.com>,"
        " orig_to=<root>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1,"
        ' status=bounced (unknown user: "qradaradmin")\n',
    ]
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "unknown-recipient"
    assert finding.params["variant"] == "local_alias"
    # orig_to=<QRadarAdmin>: only the domain and the letter case changed, which
    # no alias does, so the user name itself is wrong.
    bare = [line.replace("orig_to=<root>", "orig_to=<QRadarAdmin>") for line in lines]
    plain = analyze_lines(tmp_path, bare).findings[0]
    assert plain.code == "unknown-recipient"
    assert plain.params.get("variant") != "local_alias"
    assert finding.params["alias"] == "root"
    assert "Correct the alias root in /etc/aliases" in finding.remedy
    assert "`newaliases`" in finding.remedy
    assert "administrator" not in finding.remedy


def test_notices_of_own_mail(tmp_path: Path) -> None:
    """Notices of mail submitted here go back to root, whose alias fails too:
    no backscatter advice."""
    head = f"Dec  4 10:00:00 {HOST} postfix"
    local = (
        f"{head}/local[304]: {{qid}}: to=<qradaradmin@{HOST}.example.com>,"
        " orig_to=<root>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn=5.1.1,"
        ' status=bounced (unknown user: "qradaradmin")\n'
    )
    lines = [
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n",
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<root@{HOST}.example.com>, size=700,"
        " nrcpt=1 (queue active)\n",
        local.format(qid="A1B2C3D4E5"),
        f"{head}/bounce[305]: A1B2C3D4E5: sender non-delivery notification:"
        " B2C3D4E5F6\n",
        f"{head}/qmgr[302]: B2C3D4E5F6: from=<>, size=2100, nrcpt=1 (queue active)\n",
        local.format(qid="B2C3D4E5F6"),
    ]
    analysis = analyze_lines(tmp_path, lines)
    finding = next(f for f in analysis.findings if f.code == "notices-undeliverable")
    assert finding.params["variant"] == "own_mail"
    assert "for mail submitted on this host" in finding.summary
    assert "backscatter" not in finding.summary
    assert "`newaliases`" in finding.remedy
    assert "smtpd_recipient_restrictions" not in finding.remedy


def test_bind_address_missing(tmp_path: Path) -> None:
    """smtp_bind_address names an address the host lacks: mail still goes out,
    from another address, so this is a warning that names the setting."""
    head = f"Dec  4 10:00:00 {HOST} postfix"
    lines = [
        f"{head}/smtp[303]: warning: smtp_connect_addr: bind 198.51.100.77: Cannot"
        " assign requested address\n",
        *deferred("A1B2C3D4E5", "10:00:01", "Connection timed out"),
    ]
    main_cf = "relayhost = [mx1.corp.example]\nsmtp_bind_address = 198.51.100.77\n"
    analysis = analyze_lines(tmp_path, lines, main_cf)
    finding = next(f for f in analysis.findings if f.code == "bind-address-missing")
    assert finding.severity == "warning"
    assert finding.params["address"] == "198.51.100.77"
    assert finding.params["reason"] == "Cannot assign requested address"
    assert [e.text for e in finding.evidence][-1] == "smtp_bind_address = 198.51.100.77"


def test_transport_of_content_filter(tmp_path: Path) -> None:
    """content_filter names the transport that master.cf lacks."""
    lines = [
        f"Dec  4 10:00:00 {HOST} postfix/qmgr[302]: warning: connect to transport"
        " private/amavisfeed: No such file or directory\n",
        *deferred("A1B2C3D4E5", "10:00:01", "mail transport unavailable"),
    ]
    main_cf = "relayhost = [mx1.corp.example]\ncontent_filter = amavisfeed:[127.0.0.1]:10024\n"
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.code == "transport-missing"
    assert finding.params["transport"] == "amavisfeed"
    assert finding.params["setting"] == "content_filter"
    assert "add a service named amavisfeed" in finding.remedy
    # Only the setting that names the transport is quoted, not every default.
    config = [e.text for e in finding.evidence if e.kind == "config"]
    assert config == ["content_filter = amavisfeed:[127.0.0.1]:10024"]


def test_content_filter_refusing_session(tmp_path: Path) -> None:
    """The filter on 127.0.0.1 replies 421 instead of its greeting: it runs, so
    "start the filter" would not help."""
    reply = (
        "host 127.0.0.1[127.0.0.1] refused to talk to me: 421 4.3.2 amavisd Service"
        " shutting down, closing transmission channel"
    )
    lines = deferred("A1B2C3D4E5", "10:00:00", reply, "127.0.0.1[127.0.0.1]:10024")
    main_cf = "relayhost = [mx1.corp.example]\ncontent_filter = smtp-amavis:[127.0.0.1]:10024\n"
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.code == "content-filter-unreachable"
    assert finding.params["variant"] == "refuses"
    assert "takes connections but refuses the session" in finding.title
    assert "systemctl status amavis" not in finding.remedy


def test_relayhost_port_by_service_name(tmp_path: Path) -> None:
    """relayhost = [mx1.corp.example]:submission is port 587: a failure there is
    relayhost's own, whatever routing tables main.cf also sets."""
    reply = "connect to mx1.corp.example[192.0.2.25]:587: Connection refused"
    lines = deferred("A1B2C3D4E5", "10:00:00", reply)
    main_cf = (
        "relayhost = [mx1.corp.example]:submission\n"
        "transport_maps = hash:/etc/postfix/transport\n"
    )
    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]
    assert finding.code == "relay-connection-failed"
    assert finding.params.get("variant") != "routed"


def test_notices_to_a_remote_sender(tmp_path: Path) -> None:
    """The application sends as an address elsewhere that does not exist: an
    alias on this host cannot fix that."""
    head = f"Dec  4 10:00:00 {HOST} postfix"
    refused = (
        "host mail.example.com[192.0.2.25] said: 550 5.1.1 <alerts@example.net>: "
        "Recipient address rejected: User unknown (in reply to RCPT TO command)"
    )
    lines = [
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<alerts@example.net>\n",
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<alerts@example.net>, size=700,"
        " nrcpt=1 (queue active)\n",
        f"{head}/smtp[303]: A1B2C3D4E5: to=<gone@example.com>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=0.1, delays=0/0/0/0.1,"
        " dsn=5.1.1, status=bounced (host mail.example.com[192.0.2.25] said: 550"
        " 5.1.1 <gone@example.com>: User unknown (in reply to RCPT TO command))\n",
        f"{head}/bounce[305]: A1B2C3D4E5: sender non-delivery notification:"
        " B2C3D4E5F6\n",
        f"{head}/qmgr[302]: B2C3D4E5F6: from=<>, size=2100, nrcpt=1 (queue active)\n",
        f"{head}/smtp[303]: B2C3D4E5F6: to=<alerts@example.net>,"
        " relay=mail.example.com[192.0.2.25]:25, delay=0.1, delays=0/0/0/0.1,"
        f" dsn=5.1.1, status=bounced ({refused})\n",
    ]
    analysis = analyze_lines(tmp_path, lines)
    finding = next(f for f in analysis.findings if f.code == "notices-undeliverable")
    assert finding.params["variant"] == "own_mail_remote"
    assert "an address at example.net, does not take mail" in finding.summary
    assert "/etc/aliases does not help" in finding.remedy
    assert "`newaliases`" not in finding.remedy


def local_failure(
    queue_id: str, stamp: str, dsn: str, status: str, reason: str
) -> list[str]:
    """Return the lines of a message for the local user analyst that local(8)
    could not write to /var/mail/analyst, failing with ``reason``."""
    head = f"Dec  4 {stamp} {HOST} postfix"
    return [
        f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
        f"{head}/qmgr[302]: {queue_id}: from=<root@{HOST}.example.com>, size=700,"
        " nrcpt=1 (queue active)\n",
        f"{head}/local[304]: {queue_id}: to=<analyst@{HOST}.example.com>,"
        f" orig_to=<analyst>, relay=local, delay=0.1, delays=0/0/0/0.1, dsn={dsn},"
        f" status={status} (cannot update mailbox /var/mail/analyst for user"
        f" analyst. {reason})\n",
    ]


OWNER_WARNING = (
    f"Dec  4 10:00:00 {HOST} postfix/local[304]: warning: specify"
    ' "strict_mailbox_ownership = no" to ignore mailbox ownership mismatch\n'
)

# local(8)'s reasons for not writing a mailbox file, each with the DSN and
# status that Postfix 3.7 gives it, and the variant of the finding.
MAILBOX_CASES = [
    ("destination /var/mail/analyst is not owned by recipient", "4.2.0",
     "deferred", "owner"),
    ("destination /var/mail/analyst is not a regular file", "5.2.0", "bounced",
     "not_file"),
    ("file is a directory", "5.2.0", "bounced", "not_file"),
    ("file is a symbolic link", "5.2.0", "bounced", "not_file"),
    ("file has 2 hard links", "5.2.0", "bounced", "not_file"),
    ("cannot open file: Permission denied", "5.2.0", "bounced", ""),
    ("cannot create file exclusively: Permission denied", "5.2.0", "bounced", ""),
    ("unable to create lock file /var/mail/analyst.lock: Permission denied",
     "5.2.0", "bounced", ""),
]  # fmt: skip


@pytest.mark.parametrize(("reason", "dsn", "status", "variant"), MAILBOX_CASES)
def test_mailbox_unwritable(
    tmp_path: Path, reason: str, dsn: str, status: str, variant: str
) -> None:
    lines = local_failure("A1B2C3D4E5", "10:00:00", dsn, status, reason)
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "mailbox-unwritable"
    assert finding.severity == "error"
    assert finding.params.get("variant", "") == variant
    assert finding.params["mailbox"] == "/var/mail/analyst"
    assert finding.params["user"] == "analyst"
    assert "remote server" not in finding.remedy
    assert "/var/mail/analyst" in finding.remedy
    assert reason in finding.summary


def test_mailbox_owner_quotes_warning(tmp_path: Path) -> None:
    """local(8) warns before it defers: the warning names the setting that
    relaxes the check, which the remedy keeps for the last resort."""
    reason = "destination /var/mail/analyst is not owned by recipient"
    lines = [
        OWNER_WARNING,
        *local_failure("A1B2C3D4E5", "10:00:00", "4.2.0", "deferred", reason),
    ]
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.code == "mailbox-unwritable"
    assert finding.title == "The mailbox /var/mail/analyst is not owned by analyst"
    quoted = [e.text for e in finding.evidence]
    assert "strict_mailbox_ownership = no" in quoted[0]
    assert "is not owned by recipient" in quoted[1]
    assert "`chown analyst /var/mail/analyst`" in finding.remedy
    assert "`chmod 0600 /var/mail/analyst`" in finding.remedy
    assert finding.remedy.index("chown") < finding.remedy.index(
        "strict_mailbox_ownership = no"
    )
    assert "postfix flush" in finding.remedy
    assert "retries" in finding.summary


def test_mailbox_permission_names_folder(tmp_path: Path) -> None:
    reason = "cannot open file: Permission denied"
    lines = local_failure("A1B2C3D4E5", "10:00:00", "5.2.0", "bounced", reason)
    finding = analyze_lines(tmp_path, lines).findings[0]
    assert finding.params["folder"] == "/var/mail"
    assert "`ls -ld /var/mail /var/mail/analyst`" in finding.remedy
    # Bounced mail has left the queue: nothing to flush.
    assert "postfix flush" not in finding.remedy


def test_maildir_not_writable(tmp_path: Path) -> None:
    """home_mailbox = Maildir/ for a user who cannot write its home: Postfix 3.7
    warns and returns the mail (dsn=5.2.0). The fix creates the Maildir."""
    head = f"Dec  4 10:00:01 {HOST} postfix"
    maildir_file = "/home/ops/Maildir/tmp/1796489724.P31885.qradar-console.example.com"
    lines = [
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n",
        f"{head}/qmgr[302]: A1B2C3D4E5: from=<root@example.com>, size=700, nrcpt=1"
        " (queue active)\n",
        f"{head}/local[320]: warning: maildir access problem for UID/GID=1001/1001:"
        f" create maildir file {maildir_file}: Permission denied\n",
        f"{head}/local[320]: warning: perhaps you need to create the maildirs in"
        " advance\n",
        f"{head}/local[320]: A1B2C3D4E5: to=<ops@example.com>, orig_to=<ops>,"
        " relay=local, delay=0.03, delays=0.01/0.02/0/0.01, dsn=5.2.0,"
        f" status=bounced (maildir delivery failed: create maildir file"
        f" {maildir_file}: Permission denied)\n",
    ]
    main_cf = "myhostname = example.com\nhome_mailbox = Maildir/\n"

    finding = analyze_lines(tmp_path, lines, main_cf).findings[0]

    assert finding.code == "mailbox-unwritable"
    assert finding.params["variant"] == "maildir"
    assert finding.params["mailbox"] == "/home/ops/Maildir/"
    assert finding.params["user"] == "ops"
    assert (
        finding.title == "Local delivery cannot write to the Maildir /home/ops/Maildir/"
    )
    assert "`chown -R ops /home/ops/Maildir/`" in finding.remedy
    assert "maildir access problem" in finding.evidence[0].text

    settings = [e.text for e in finding.evidence if e.kind == "config"]
    assert "home_mailbox = Maildir/" in settings
