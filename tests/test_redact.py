"""--redact: addresses, host names and IPs become pseudonyms in every output."""

from __future__ import annotations

import gzip
import io
import json
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.api import analyze_bundle
from analyzer.cli import main
from analyzer.redact import Redactor, for_analysis
from tests.conftest import SAMPLES, pdf_text
from tests.test_findings_servers import deferred

# Text, then the text redacted by a fresh Redactor given the syslog host name
# qradar-ep1. Numbers follow the order of first appearance in the text.
CASES = [
    (
        "to=<soc@corp.example>, relay=mx1.corp.example[198.51.100.7]:25",
        "to=<user1@host1.example>, relay=host2.example[198.18.0.1]:25",
    ),
    (
        "connect to mx1.corp.example[2001:db8::25]:25: Network is unreachable",
        "connect to host1.example[2001:db8::1]:25: Network is unreachable",
    ),
    ("client=unknown[IPv6:2001:db8::7]", "client=unknown[IPv6:2001:db8::1]"),
    # A public blocklist's zone names a service, which the remedy needs.
    (
        "Client host [203.0.113.5] blocked using zen.spamhaus.org; see"
        " https://check.spamhaus.org/",
        "Client host [198.18.0.1] blocked using zen.spamhaus.org; see"
        " https://check.spamhaus.org/",
    ),
    ("listed at bl.spamcop.net", "listed at bl.spamcop.net"),
    # Only the blocklist's own domain: a look-alike under another one is replaced.
    ("listed at spamhaus.org.corp.example", "listed at host1.example"),
    (
        "message-id=<1796404861.4103.JavaMail.root@qradar-ep1.corp.example>",
        "message-id=<user1@host1.example>",
    ),
    ("from=<root@qradar-ep1>", "from=<root@host1.example>"),
    ("MAILER-DAEMON@corp.example", "MAILER-DAEMON@host1.example"),
    ("sasl_username=monitor@corp.example", "sasl_username=user1@host1.example"),
    ("qradar-ep1:4A1B2C3D4E", "host1.example:4A1B2C3D4E"),
    (
        "Dec  4 10:00:00 qradar-ep1 postfix/smtp[303]: warning: x",
        "Dec  4 10:00:00 host1.example postfix/smtp[303]: warning: x",
    ),
    ("mail for localhost loops back to myself", "mail for localhost loops back to myself"),
    ("connect to 127.0.0.1:25 and [::1]:25", "connect to 127.0.0.1:25 and [::1]:25"),
    ("relayhost = [mail.example.com]:587", "relayhost = [mail.example.com]:587"),
    ("main.cf, maillog.1.gz, postqueue-j.out", "main.cf, maillog.1.gz, postqueue-j.out"),
    ("Postfix 3.7.11, dsn=4.4.1, delays=0.08/0.01/5/0", "Postfix 3.7.11, dsn=4.4.1, delays=0.08/0.01/5/0"),
    ("at 17:21:01 from 10.1.2.3", "at 17:21:01 from 198.18.0.1"),
    ("554 5.7.1 your IP 192.0.2.5. Contact us", "554 5.7.1 your IP 198.18.0.1. Contact us"),
    ("content_filter = smtp-amavis:[192.0.2.80]:10024 inet:192.0.2.81:8891",
     "content_filter = smtp-amavis:[198.18.0.1]:10024 inet:198.18.0.2:8891"),
    ("max connection rate 1/60s for (smtp:192.0.2.5) and (smtpd:2001:db8:77::5)",
     "max connection rate 1/60s for (smtp:198.18.0.1) and (smtpd:2001:db8::1)"),
    ("lost connection after CONNECT: PROBE_192.0.2.5_25", "lost connection after CONNECT: PROBE_198.18.0.1_25"),
    ("to=<jdoe@192.0.2.6>, to=<jdoe@[192.0.2.6]>", "to=<user1@198.18.0.1>, to=<user1@[198.18.0.1]>"),
    ("QRADAR-EP1 Qradar-Ep1", "host1.example host1.example"),
    ("client=WKSTN_7QX.corp.example[192.0.2.9]", "client=host1.example[198.18.0.1]"),
    ('"jan kowalski"@corp.example', '"user1"@host1.example'),
    ("o'brien@corp.example zoë.kraus@corp.example", "user1@host1.example user2@host1.example"),
    ("mail.bücher.example", "host1.example"),
    ("to=<jdoe@corp.example>, orig_to=<jdoe>", "to=<user1@host1.example>, orig_to=<user1>"),
    ("sasl_method=LOGIN, sasl_username=anna.nowak", "sasl_method=LOGIN, sasl_username=user1"),
    ("helo=<WKSTN4471>", "helo=<host1.example>"),
    ("relay=exchsrv88[192.0.2.88]:25, relay=unknown[192.0.2.89]",
     "relay=host1.example[198.18.0.1]:25, relay=unknown[198.18.0.2]"),
    ("connect to mx1.corp.example.[192.0.2.7]:25", "connect to host1.example.[198.18.0.1]:25"),
    ("e.g. this, i.e. that, TLSv1.3, postfix/smtp[303]", "e.g. this, i.e. that, TLSv1.3, postfix/smtp[303]"),
    ("mail.warn main.cf.bak main.cf.orig mail.log.old transport.regexp",
     "mail.warn main.cf.bak main.cf.orig mail.log.old transport.regexp"),
    ("mx1.corp.pl zmta-ep5.corp.example.log", "host1.example.pl host2.example.log"),
    ("customer-mta.corp.example-20261204.tar.gz", "host1.example.tar.gz"),
    ("mynetworks = 127.0.0.0/8, 192.0.2.0/24, 198.51.100.0/255.255.255.128, [2001:db8:5a::]/48",
     "mynetworks = 127.0.0.0/8, net1/24, net2/25, net3/48"),
    ("postfix/master[1]: master.cf line 3", "postfix/master[1]: master.cf line 3"),
    ("to=<bounce+jdoe=corp.example@lists.example.net>", "to=<user1@host1.example>"),
    ("helo=<ws-771.corp.example.>", "helo=<host1.example.>"),
    ("reverse 203.0.113.23.dyn.isp.example", "reverse host1.example"),
    ("PREGREET 11 after 0.1 from [192.0.2.1]:1234: EHLO ws-771\\r\\n",
     "PREGREET 11 after 0.1 from [198.18.0.1]:1234: EHLO host1.example\\r\\n"),
    ("subject_CN=Jan Kowalski, issuer_CN=Corp Device CA",
     "subject_CN=name1, issuer_CN=name2"),
    ("warning: header Subject: Salary for Jan Kowalski from mx1[192.0.2.9]; from=<>",
     "warning: header Subject: [redacted] from host1.example[198.18.0.1]; from=<>"),
    ("see https://help.corp.example/x?rcpt=jdoe%40corp.example",
     "see https://host1.example/x?rcpt=user1%40host2.example"),
    ("андрей.кузнецов@почта.example 山田太郎@corp.example",
     "user1@host1.example user2@host2.example"),
    ("mx.corp.pl user@corp.info mail.info main.cf transport.map",
     "host1.example.pl user1@host2.example mail.info main.cf transport.map"),
    ("550 5.1.1 <jkowalczyk>: Recipient address rejected; <CR><LF>",
     "550 5.1.1 <user1>: Recipient address rejected; <CR><LF>"),
    ("fatal: User jkowalczyk(1007) is not allowed to submit mail",
     "fatal: User user1(1007) is not allowed to submit mail"),
    # Folder names that carry the host between - or _ (sosreport, collectors).
    ("sosreport-qradar-ep1-20261117/var/log/maillog:4",
     "sosreport-host1.example-20261117/var/log/maillog:4"),
    ("logs_qradar-ep1_20261204/maillog", "logs_host1.example_20261204/maillog"),
    # Only a whole name between separators: qradar-ep10 is another host.
    ("logs_qradar-ep10_20261204/maillog", "logs_qradar-ep10_20261204/maillog"),
    # .local is an internal domain (Active Directory), not a file suffix.
    ("from=<jdoe.sales@corp.local> relay=mx1.corp.local[192.0.2.40]",
     "from=<user1@host1.example> relay=host2.example[198.18.0.1]"),
    # An address with an IPv6 literal.
    ("<jdoe@[IPv6:2001:db8::5]>", "<user1@[IPv6:2001:db8::1]>"),
    # Japanese domain labels, Thai and Vietnamese local parts.
    ("from=<jdoe@例え.example> <ทดสอบ@例え.example> to=<nguyễnvăn@corp.example>",
     "from=<user1@host1.example> <user2@host1.example> to=<user3@host2.example>"),
    # Japanese text follows a name without a space: the last label ends first.
    ("soc@corp.exampleに送信", "user1@host1.exampleに送信"),
    # A DNSBL query name starts with the client's address reversed.
    ("lookup error for DNS query 23.100.51.198.list.dnswl.org",
     "lookup error for DNS query 1.0.18.198.list.dnswl.org"),
    # Leading zeros, and IPv6 written with an IPv4 tail after six groups.
    ("unknown[198.051.100.007] from 198.51.100.7",
     "unknown[198.18.0.1] from 198.18.0.1"),
    ("client 2001:db8:0:0:0:ffff:192.0.2.81", "client 2001:db8::1"),
    # An RFC 2047 encoded Message-ID is decoded first: its host is one step away.
    ("message-id==?UTF-8?B?PDIwMjYxMjAzLjQ3MTFAbXg5LmNvcnAuZXhhbXBsZT4=?=",
     "message-id=<user1@host1.example>"),
    # A HELO name in angle brackets keeps the pseudonym that helo= gave it.
    ("helo=<WIN-KROE01>; 504 5.5.2 <WIN-KROE01>: Helo command rejected",
     "helo=<host1.example>; 504 5.5.2 <host1.example>: Helo command rejected"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redactor_text(text: str, expected: str) -> None:
    assert Redactor(["qradar-ep1"]).text(text) == expected


def test_redactor_consistent() -> None:
    redactor = Redactor()
    first = redactor.text("soc@corp.example via 192.0.2.10")
    assert redactor.text("corp.example") == "host1.example"
    assert redactor.text("192.0.2.10 and 192.0.2.11") == "198.18.0.1 and 198.18.0.2"
    assert redactor.text("soc@corp.example") == first.split(" via")[0]
    assert redactor.text("noc@corp.example") == "user2@host1.example"


def test_redactor_leaves_common_bare_names() -> None:
    """A syslog host called "mail" stays: replacing the word would rewrite text."""
    assert Redactor(["mail"]).text("mail for mail") == "mail for mail"


def test_redactor_keeps_daemon_names() -> None:
    """A host called "master" must not rewrite postfix/master."""
    redactor = Redactor(["master", "qradar-ep1"])
    assert redactor.text("postfix/master[1]") == "postfix/master[1]"


def test_redactor_host_named_like_a_word() -> None:
    """A relay called "exchange" is a word of mailbundle's own texts, but the
    findings name the relay by it: it is replaced there too."""
    redactor = Redactor(["exchange", "mail"])
    text = "could not be handed to exchange: connect to exchange[192.0.2.60]:25"
    assert redactor.text(text) == (
        "could not be handed to host1.example: connect to host1.example[198.18.0.1]:25"
    )
    # Words of every log line stay.
    assert redactor.text("mail for mail") == "mail for mail"


def test_redactor_bare_user_names() -> None:
    """A recipient without a domain is replaced wherever the word appears."""
    redactor = Redactor(bare_locals=["jkowalczyk"])
    assert redactor.text("to=<jkowalczyk@corp.example>") == "to=<user1@host1.example>"
    assert redactor.text("1 message for jkowalczyk") == "1 message for user1"


SECRETS = ("corp.example", "example.org", "192.0.2.", "soc@", "qradar-console",
           "jkowalczyk", "exchsrv88", "WKSTN4471", "anna.nowak")  # fmt: skip


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    folder.mkdir()
    reply = "connect to mx1.corp.example[192.0.2.10]:25: Connection timed out"
    lines = deferred("A1B2C3D4E5", "10:00:00", reply)
    lines += deferred("B2C3D4E5F6", "10:05:00", reply)
    head = "Dec  4 10:10:00 qradar-console postfix"
    lines += [
        f"{head}/smtpd[400]: connect from WKSTN4471[192.0.2.44]\n",
        f"{head}/smtpd[400]: C3D4E5F6A7: client=WKSTN4471[192.0.2.44],"
        " sasl_method=LOGIN, sasl_username=anna.nowak\n",
        f"{head}/cleanup[401]: C3D4E5F6A7: message-id=<x1@WKSTN4471>\n",
        f"{head}/qmgr[302]: C3D4E5F6A7: from=<anna.nowak@example.org>, size=900,"
        " nrcpt=1 (queue active)\n",
        f"{head}/local[402]: C3D4E5F6A7: to=<jkowalczyk@qradar-console>,"
        " orig_to=<jkowalczyk>, relay=local, delay=0.1, delays=0/0/0/0.1,"
        " dsn=2.0.0, status=sent (delivered to mailbox)\n",
        f"{head}/smtp[403]: D4E5F6A7B8: to=<soc@example.org>,"
        " relay=exchsrv88[192.0.2.88]:25, delay=1, delays=0/0/0.5/0.5, dsn=5.7.1,"
        " status=bounced (host exchsrv88[192.0.2.88] said: 554 5.7.1 your IP"
        " 192.0.2.44. is not allowed (in reply to RCPT TO command))\n",
        f"{head}/anvil[404]: statistics: max connection rate 1/60s for"
        " (smtp:192.0.2.44) at Dec  4 10:10:00\n",
    ]
    text = "".join(lines).replace("example.com", "corp.example")
    (folder / "qradar-console.corp.example.log").write_text(text)
    (folder / "main.cf").write_text(
        "relayhost = smtp.corp.example\n"
        "content_filter = smtp-amavis:[192.0.2.80]:10024\n"
    )
    return folder


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, [*args, "--year", "2026"])
    assert result.exit_code == 0, result.output
    return result.output


def assert_redacted(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, (where, secret)


def test_report_redacted(bundle: Path, tmp_path: Path) -> None:
    output = tmp_path / "report"
    plain = tmp_path / "plain"
    invoke("report", str(bundle), "-o", str(plain), "--format", "html")
    assert "mx1.corp.example" in (plain / "report.html").read_text()
    invoke("report", str(bundle), "-o", str(output), "--redact")
    html = (output / "report.html").read_text()
    assert_redacted(html, "report.html")
    assert "198.18.0.1" in html
    assert "This host cannot connect to the mail server" in html
    document = json.loads((output / "findings.json").read_text())
    assert_redacted(json.dumps(document), "findings.json")
    codes = [finding["code"] for finding in document["findings"]]
    assert "relay-connection-failed" in codes
    assert document["findings"][0]["params"]["relays"].endswith(".example")
    pdf = pdf_text(output / "summary.pdf")
    assert_redacted(pdf, "summary.pdf")
    assert re.search(r"host\d+\.example 25", pdf), "no pseudonym in the remedy"


def test_summary_trace_export_redacted(bundle: Path, tmp_path: Path) -> None:
    summary = invoke("summary", str(bundle), "--redact")
    assert_redacted(summary, "summary")
    assert "Connection timed out" in summary
    trace = invoke("trace", str(bundle), "soc@example.org", "--redact")
    assert_redacted(trace, "trace")
    assert "A1B2C3D4E5" in trace
    # Hosts and recipients are numbered before anything else, so the commands
    # agree on their pseudonyms.
    first_host = summary.split("hosts: ")[1].split(")")[0]
    assert f"== {first_host}:A1B2C3D4E5  [deferred]" in trace
    folder = tmp_path / "export"
    invoke("export", str(bundle), "--format", "csv", "-o", str(folder), "--redact")
    for path in folder.glob("*.csv"):
        assert_redacted(path.read_text(), path.name)
    events = (folder / "events.csv").read_text()
    assert re.search(r"198\.18\.0\.\d+", events)


def test_summary_redacted_columns_line_up() -> None:
    """The pseudonyms are shorter or longer than the host names they replace."""
    bundle = str(SAMPLES / "two-hosts.tar.gz")
    hosts = []
    for output in (invoke("summary", bundle), invoke("summary", bundle, "--redact")):
        rows = [line for line in output.splitlines() if line.endswith(" msgs")]
        assert len(rows) == 2, output
        assert len({row.rindex(" msgs") for row in rows}) == 1, rows
        hosts.append([row.split()[2] for row in rows])
    assert [len(host) for host in hosts[0]] != [len(host) for host in hosts[1]]


@pytest.mark.parametrize("config_name", ["main.cf", "postconf-n.txt"])
def test_short_name_and_fqdn_share_pseudonym(tmp_path: Path, config_name: str) -> None:
    """The syslog host name and myhostname, its FQDN, name one host, so a loop
    to the host's own name stays visible after redaction. ``postconf -n``
    output without main.cf names it as well."""
    head = "Dec  4 10:00:00 siem-console postfix"
    (tmp_path / "maillog").write_text(
        f"{head}/pickup[300]: A1B2C3D4E5: uid=0 from=<root>\n"
        f"{head}/qmgr[301]: A1B2C3D4E5: from=<root@siem-console.example.net>,"
        " size=700, nrcpt=1 (queue active)\n"
        f"{head}/smtp[302]: A1B2C3D4E5: to=<admin@siem-console.example.net>,"
        " relay=none, delay=0.05, delays=0.05/0/0/0, dsn=5.4.6, status=bounced"
        " (mail for siem-console.example.net loops back to myself)\n"
    )
    (tmp_path / config_name).write_text(
        "myhostname = siem-console.example.net\nmydestination = localhost\n"
    )
    summary = invoke("summary", str(tmp_path), "--redact")
    assert "siem-console" not in summary
    host = summary.split("hosts: ")[1].split(")")[0]
    assert re.fullmatch(r"host\d+\.example", host)
    assert f"mail for {host} loops back to myself" in summary
    assert f"to=<user1@{host}>" in summary


def test_message_ids_share_pseudonyms_across_commands(tmp_path: Path) -> None:
    """trace and export number Message-IDs alike, so an analyst can follow a
    message from a redacted trace into the redacted frames."""
    head = "Dec  4 10:00:00 qradar-console postfix"
    lines = []
    for number, queue_id in enumerate(("A1B2C3D4E5", "B2C3D4E5F6", "C3D4E5F6A7")):
        lines += [
            f"{head}/pickup[300]: {queue_id}: uid=0 from=<root>\n",
            f"{head}/cleanup[301]: {queue_id}: message-id="
            f"<2026120410000{number}.{queue_id}@qradar-console.corp.example>\n",
            f"{head}/qmgr[302]: {queue_id}: from=<root@qradar-console.corp.example>,"
            " size=700, nrcpt=1 (queue active)\n",
        ]
    (tmp_path / "maillog").write_text("".join(lines))
    folder = tmp_path / "export"
    invoke(
        "export",
        str(tmp_path / "maillog"),
        "--format",
        "csv",
        "-o",
        str(folder),
        "--redact",
    )
    exported = (folder / "messages.csv").read_text()
    for queue_id in ("A1B2C3D4E5", "C3D4E5F6A7"):
        trace = invoke("trace", str(tmp_path / "maillog"), queue_id, "--redact")
        message_id = trace.split("message-id ")[1].split()[0]
        assert "corp.example" not in message_id
        row = next(line for line in exported.splitlines() if f":{queue_id}," in line)
        assert f",{message_id}," in row, (trace, row)


def test_redacted_report_folder_hides_bundle_name(
    bundle: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    named = tmp_path / "sosreport-qradar-console-20261204"
    bundle.rename(named)
    monkeypatch.chdir(tmp_path)
    invoke("report", str(named), "--redact", "--format", "json")
    assert (tmp_path / "redacted-report" / "findings.json").is_file()
    assert not (tmp_path / "sosreport-qradar-console-20261204-report").exists()


def test_values_of_other_lines_numbered_alike(tmp_path: Path) -> None:
    """Addresses of a rejected submission, HELO names and SASL logins get their
    pseudonyms from the bundle, not from the order a command meets them."""
    head = "Dec  4 10:00:00 qradar-console postfix/smtpd[400]"
    (tmp_path / "maillog").write_text(
        f"{head}: NOQUEUE: reject: RCPT from unknown[192.0.2.44]: 554 5.7.1"
        " <carol@corp.example>: Relay access denied; from=<bob@corp.example>"
        " to=<carol@corp.example> proto=ESMTP helo=<laptop-dave>\n"
        f"{head}: C3D4E5F6A7: client=WKSTN4471[192.0.2.45], sasl_method=LOGIN,"
        " sasl_username=jdoe\n"
    )
    analysis = analyze_bundle(tmp_path, year=2026)
    lines = ["to=<carol@corp.example>", "helo=<laptop-dave>", "sasl_username=jdoe"]
    forward = for_analysis(analysis)
    backward = for_analysis(analysis)
    first = [forward.text(line) for line in lines]
    second = [backward.text(line) for line in reversed(lines)][::-1]
    assert first == second
    assert "carol" not in first[0]
    assert "laptop-dave" not in first[1]
    assert "jdoe" not in first[2]


REJECTED_ONLY = (
    "Dec  3 10:00:00 mx1 postfix/smtpd[400]: NOQUEUE: reject: RCPT from"
    " unknown[198.51.100.99]: 550 5.1.1 <kroe@corp.example>: Recipient address"
    " rejected: User unknown; from=<jdoe@corp.example> to=<kroe@corp.example>"
    " proto=ESMTP helo=<client.corp.example>\n"
)


def test_trace_redacts_its_query(tmp_path: Path) -> None:
    """The query would otherwise stand next to its pseudonym in the lines above."""
    (tmp_path / "maillog").write_text(REJECTED_ONLY)
    result = CliRunner().invoke(
        main, ["trace", str(tmp_path), "kroe@corp.example", "--redact", "--year", "2026"]
    )  # fmt: skip
    assert result.exit_code == 6
    assert "corp.example" not in result.output
    assert "no message matches 'user" in result.stderr


def test_partial_warning_and_log_redacted(tmp_path: Path) -> None:
    """Member paths name hosts: the warning on partial results and the -v log
    lines hide them like the reports do."""
    folder = tmp_path / "mx7.corp.example"
    (folder / "var/log").mkdir(parents=True)
    (folder / "var/log/maillog").write_text(REJECTED_ONLY)
    rotated = gzip.compress(REJECTED_ONLY.encode() * 200)
    (folder / "var/log/maillog.1.gz").write_bytes(rotated[: len(rotated) // 2])
    # A process of its own: the -v lines go to the stderr of the first
    # logging set-up, which CliRunner does not capture.
    command = [sys.executable, "-m", "analyzer", "summary", str(folder), "-v"]
    result = subprocess.run(
        [*command, "--redact"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 4, result.stderr
    assert "results are partial" in result.stderr
    assert "maillog.1.gz: read error" in result.stderr
    assert "read 2 of 2 members" in result.stderr
    assert "corp.example" not in result.stderr
    assert "mx7" not in result.stderr
    # Without --redact the paths stay as they are.
    plain = subprocess.run(command, capture_output=True, text=True, check=False)
    assert "mx7.corp.example: read 2 of 2 members" in plain.stderr


def test_archive_with_a_non_log_member_still_read(tmp_path: Path) -> None:
    """A maillog inside an archive whose lines have no syslog header is one bad
    member: main.cf and the queue listing are still analyzed."""
    with tarfile.open(tmp_path / "bundle.tar.gz", "w:gz") as archive:
        for name, text in [
            ("var/log/maillog", "%(day)s %(time)s mx1 postfix/smtpd: template\n"),
            ("etc/postfix/main.cf", "myhostname = mx1.example.com\n"),
            ("mailq", "Mail queue is empty\n"),
        ]:
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    result = CliRunner().invoke(main, ["summary", str(tmp_path / "bundle.tar.gz")])
    assert result.exit_code == 0, result.output
    assert "hosts: mx1.example.com" in result.stdout
    # The member is counted, its line shown as one that no rule recognized.
    assert "1 line, 0 from Postfix, 0 recognized" in result.stdout
