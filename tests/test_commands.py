"""The trace, summary and export commands, and the documented frame schema."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from analyzer.api import analyze_bundle
from analyzer.cli import main
from analyzer.export import export_frames, read_export
from analyzer.schema import FRAMES, markdown
from tests.conftest import ROOT, SAMPLES, truth

DOC = ROOT / "docs" / "frames.md"


def invoke(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_frames_doc_matches_schema() -> None:
    assert DOC.read_text() == markdown(), (
        "run: python -c 'from analyzer.schema import markdown; print(markdown(), end=\"\")' > docs/frames.md"
    )


def test_frames_have_documented_columns_and_dtypes() -> None:
    analysis = analyze_bundle(SAMPLES / "content-filter.tar.gz")
    frames = analysis.frames()
    assert set(frames) == set(FRAMES)
    # The attributes analysts use directly have the same columns and dtypes.
    attributes = {
        f"analysis.{name}": getattr(analysis, name)
        for name in ("events", "messages", "deliveries", "recipients", "queue")
    }
    attributes["analysis.findings_frame"] = analysis.findings_frame
    for label, frame in attributes.items():
        name = label.removeprefix("analysis.").removesuffix("_frame")
        assert [(c, str(t)) for c, t in frame.dtypes.items()] == [
            (c.name, c.dtype) for c in FRAMES[name]
        ], label
    for name, frame in frames.items():
        documented = FRAMES[name]
        assert list(frame.columns) == [c.name for c in documented], name
        for column in documented:
            assert str(frame[column.name].dtype) == column.dtype, (name, column.name)


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
def test_export_writes_one_file_per_frame(fmt: str, tmp_path: Path) -> None:
    output = invoke(
        "export",
        str(SAMPLES / "bounce-notice.tar.gz"),
        "--format",
        fmt,
        "-o",
        str(tmp_path),
    )
    written = sorted(Path(line).name for line in output.split())
    assert written == sorted(f"{name}.{fmt}" for name in FRAMES)
    if fmt == "parquet":
        messages = pd.read_parquet(tmp_path / "messages.parquet")
    elif fmt == "csv":
        messages = pd.read_csv(tmp_path / "messages.csv")
    else:
        messages = pd.read_json(tmp_path / "messages.json")
    assert list(messages.columns) == [c.name for c in FRAMES["messages"]]
    expected = {m["queue_id"] for m in truth("bounce-notice")["messages"]}
    assert set(messages["queue_id"]) == expected


@pytest.mark.parametrize("fmt", ["csv", "parquet", "json"])
@pytest.mark.parametrize("sample", ["bounce-notice", "header-checks-reject"])
def test_read_export_gives_frames_back(fmt: str, sample: str, tmp_path: Path) -> None:
    """Equal frames, floats to the last digit, and lists as lists: the evidence
    of header-checks-reject quotes a default setting, which has no line."""
    analysis = analyze_bundle(SAMPLES / f"{sample}.tar.gz")
    export_frames(analysis, tmp_path, fmt)
    for name, frame in analysis.frames().items():
        expected = frame.reset_index(drop=True)
        if fmt == "csv":
            # CSV writes an empty text and a missing value alike.
            for column in expected.columns:
                if expected[column].dtype == "string":
                    expected[column] = expected[column].replace("", pd.NA)
        back = read_export(tmp_path / f"{name}.{fmt}")
        pd.testing.assert_frame_equal(back, expected, check_categorical=False, obj=name)
        for column in expected.select_dtypes("float").columns:
            pd.testing.assert_series_equal(
                back[column], expected[column], check_exact=True, obj=column
            )
    findings = read_export(tmp_path / f"findings.{fmt}")
    evidence = [line for lines in findings["evidence"] for line in lines]
    assert all(isinstance(lines, list) for lines in findings["evidence"])
    assert {type(line["line_no"]) for line in evidence} <= {int, type(None)}
    assert json.dumps(evidence)
    messages = read_export(tmp_path / f"messages.{fmt}")
    assert all(isinstance(keys, list) for keys in messages["child_keys"])


def test_read_export_names_a_reports_findings_file(tmp_path: Path) -> None:
    invoke("report", str(SAMPLES / "bounce-notice.tar.gz"), "--format", "json",
           "-o", str(tmp_path))  # fmt: skip
    with pytest.raises(ValueError, match='under the key "findings"'):
        read_export(tmp_path / "findings.json")


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_read_export_keeps_digit_queue_id(fmt: str, tmp_path: Path) -> None:
    """A short queue ID is hexadecimal: 0123456789 is one, and stays text."""
    (tmp_path / "maillog").write_text(
        "Dec  3 10:00:00 mx1 postfix/pickup[300]: 0123456789: uid=0 from=<root>\n"
    )
    invoke(
        "export",
        str(tmp_path / "maillog"),
        "--format",
        fmt,
        "-o",
        str(tmp_path / "out"),
    )
    messages = read_export(tmp_path / "out" / f"messages.{fmt}")
    assert messages["queue_id"].tolist() == ["0123456789"]


def test_read_export_rejects_other_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a file that export writes"):
        read_export(tmp_path / "report.html")


def test_export_json_keeps_a_reports_findings_file(tmp_path: Path) -> None:
    """The report's findings.json is an object with the verdict; the export's is
    an array of findings, and must not replace it."""
    bundle = str(SAMPLES / "bounce-notice.tar.gz")
    invoke("report", bundle, "--format", "json", "-o", str(tmp_path))
    before = (tmp_path / "findings.json").read_bytes()
    result = CliRunner().invoke(
        main, ["export", bundle, "--format", "json", "-o", str(tmp_path)]
    )
    assert result.exit_code == 5
    assert "findings file of a report" in result.output
    assert (tmp_path / "findings.json").read_bytes() == before
    assert not (tmp_path / "events.json").exists()
    invoke("export", bundle, "--format", "csv", "-o", str(tmp_path))
    assert (tmp_path / "findings.csv").exists()


def test_export_that_fails_leaves_the_earlier_export(tmp_path: Path) -> None:
    invoke(
        "export",
        str(SAMPLES / "healthy.tar.gz"),
        "--format",
        "csv",
        "-o",
        str(tmp_path),
    )
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    # The last frame cannot be written: a folder is where its temporary file goes.
    (tmp_path / ".inventory.csv.partial").mkdir()
    result = CliRunner().invoke(
        main,
        [
            "export",
            str(SAMPLES / "bounce-notice.tar.gz"),
            "--format",
            "csv",
            "-o",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 5, result.output
    assert "cannot write the export" in result.output
    (tmp_path / ".inventory.csv.partial").rmdir()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_trace_by_queue_id_shows_linked_bounce_notice() -> None:
    facts = truth("bounce-notice")
    notice = next(m for m in facts["messages"] if m["kind"] == "bounce_notice")
    output = invoke(
        "trace", str(SAMPLES / "bounce-notice.tar.gz"), notice["parent_queue_id"]
    )
    # The notice did not match the queue ID: it is linked to the message that did.
    assert output.startswith(
        "1 message(s), and 1 linked to them (notices, filter copies, relayed"
        " copies); times in UTC\n"
    )
    assert f":{notice['parent_queue_id']}  [bounced]" in output
    assert f":{notice['queue_id']}  [delivered]" in output
    assert "sender non-delivery notification" in output
    assert "child of" in output
    japanese = invoke(
        "trace",
        str(SAMPLES / "bounce-notice.tar.gz"),
        notice["parent_queue_id"],
        "--lang",
        "ja",
    )
    assert "から生成（送信者への不達通知）" in japanese  # noqa: RUF001


def test_trace_by_message_id_and_address() -> None:
    facts = truth("healthy")
    message = facts["messages"][0]
    by_id = invoke(
        "trace", str(SAMPLES / "healthy.tar.gz"), message["message_id"].strip("<>")
    )
    assert message["queue_id"] in by_id
    address = message["recipients"][0]["address"]
    by_address = invoke("trace", str(SAMPLES / "healthy.tar.gz"), address)
    assert by_address.count("== ") >= 1
    assert address in by_address


@pytest.mark.parametrize("query", ["example.com", "@example.com", "EXAMPLE.COM"])
def test_trace_domain_notice_order(query: str) -> None:
    facts = truth("bounce-notice")
    output = invoke("trace", str(SAMPLES / "bounce-notice.tar.gz"), query)
    headers = [line for line in output.splitlines() if line.startswith("== ")]
    order = [line.split()[1].split(":")[1] for line in headers]
    # Every message of the sample has a recipient in example.com or is a notice.
    assert sorted(order) == sorted(m["queue_id"] for m in facts["messages"])
    for notice in (m for m in facts["messages"] if m["kind"] == "bounce_notice"):
        assert order.index(notice["parent_queue_id"]) < order.index(notice["queue_id"])


def test_trace_domain_whole_match() -> None:
    result = CliRunner().invoke(
        main, ["trace", str(SAMPLES / "healthy.tar.gz"), "ample.com"]
    )
    assert result.exit_code == 6


def test_trace_unknown_query_fails() -> None:
    result = CliRunner().invoke(
        main, ["trace", str(SAMPLES / "healthy.tar.gz"), "nobody@example.invalid"]
    )
    assert result.exit_code == 6
    assert "no message matches" in result.output


def test_trace_japanese_queue_only(tmp_path: Path) -> None:
    (tmp_path / "mailq").write_text(MAILQ_ONLY)
    output = invoke("trace", str(tmp_path), "7C6B5A4938", "--lang", "ja")
    lines = output.splitlines()
    assert lines[0] == "キューの一覧にだけあるメッセージ 1 件（時刻は UTC）"  # noqa: RUF001
    # Queue names stay Postfix's words.
    assert lines[2].startswith(
        "== 7C6B5A4938  [hold]  送信者 <root@siem01.example.com>"
    )
    assert "  到着 " in lines[2]
    assert lines[3] == "   宛先 <audit@example.net>"


def test_summary_names_verdict_totals_and_reasons() -> None:
    output = invoke("summary", str(SAMPLES / "localhost-loop.tar.gz"))
    assert "Verdict: FAILING: Mail loops back to this host" in output
    assert "mail for localhost loops back to myself" in output
    assert "localhost-loop" in output
    assert "Totals as pflogsumm counts them: received" in output


def test_summary_names_problems_over() -> None:
    """The summary, like the reports' headline, tells that the problems are over."""
    output = invoke("summary", str(SAMPLES / "rotated-logs.tar.gz")).splitlines()
    assert output[1].startswith("Verdict: WARNING: ")
    assert output[2] == "         Problems occurred earlier; mail goes out now."
    failing = invoke("summary", str(SAMPLES / "localhost-loop.tar.gz")).splitlines()
    assert failing[2].startswith("Logs: ")


def test_summary_counts_members(tmp_path: Path) -> None:
    log = tmp_path / "maillog"
    log.write_text("Dec  4 10:00:00 mx1 postfix/master[300]: daemon started\n")
    single = invoke("summary", str(log))
    assert "(1 member; hosts: mx1)" in single
    several = invoke("summary", str(SAMPLES / "localhost-loop.tar.gz"))
    assert " members; hosts: qradar-console)" in several


def test_summary_empty_log(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text("")
    (tmp_path / "main.cf").write_text("relayhost = [mail.example.com]\n")
    output = invoke("summary", str(tmp_path))
    assert "The bundle has no Postfix log lines" in output
    found = analyze_bundle(tmp_path).findings
    assert [f.code for f in found] == ["no-mail-log"]
    assert "mail logs (maillog) hold no Postfix lines" in found[0].summary


def test_report_folder_error_is_one_line() -> None:
    result = CliRunner().invoke(
        main,
        [
            "report",
            str(SAMPLES / "healthy.tar.gz"),
            "--format",
            "json",
            "-o",
            "/dev/null/x",
        ],
    )
    assert result.exit_code == 5
    assert "cannot create the folder for the reports" in result.output


def test_summary_imports_no_renderer() -> None:
    # Nor py7zr, which only a bundle holding a 7z archive needs.
    import subprocess
    import sys

    code = (
        "import sys; from analyzer.cli import main\n"
        "try:\n    main(['summary', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('weasyprint', 'matplotlib', 'jinja2', 'py7zr')\n"
        "       if m in sys.modules]\n"
        "print('LOADED', bad)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(SAMPLES / "healthy.tar.gz")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "LOADED []" in result.stdout


def test_report_warns_about_stale_files(tmp_path: Path) -> None:
    bundle = str(SAMPLES / "healthy.tar.gz")
    output = str(tmp_path / "out")
    first = CliRunner().invoke(
        main, ["report", bundle, "--format", "html", "-o", output]
    )
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(
        main, ["report", bundle, "--format", "json", "-o", output]
    )
    assert second.exit_code == 0, second.output
    assert "report.html is left from an earlier run" in second.output


MAILQ_ONLY = """\
-Queue ID-  --Size-- ----Arrival Time---- -Sender/Recipient-------
4F0E1D2C3B     2210 Thu Nov 12 06:02:19  root@siem01.example.com
(connect to smtp.example.com[192.0.2.25]:25: Connection timed out)
                                         soc@example.net
                                         noc@example.org

7C6B5A4938!    1800 Tue Nov 17 08:00:00  root@siem01.example.com
                                         audit@example.net

-- 4 Kbytes in 2 Requests.
"""


@pytest.mark.parametrize(
    ("query", "ids"),
    [
        ("7C6B5A4938", ["7C6B5A4938"]),
        ("example.org", ["4F0E1D2C3B"]),
        ("soc@example.net", ["4F0E1D2C3B"]),
        ("@example.net", ["4F0E1D2C3B", "7C6B5A4938"]),
    ],
)
def test_trace_queue_only_messages(tmp_path: Path, query: str, ids: list[str]) -> None:
    (tmp_path / "mailq").write_text(MAILQ_ONLY)
    output = invoke("trace", str(tmp_path), query)
    assert output.startswith(f"{len(ids)} message(s) only in the queue listing")
    assert [
        line.split()[1] for line in output.splitlines() if line.startswith("== ")
    ] == ids
    # The whole message shows, both recipients, even when one matched.
    if ids == ["4F0E1D2C3B"]:
        assert "to <soc@example.net>" in output
        assert "to <noc@example.org>" in output


# This host's header_checks and body_checks stop mail in cleanup, which names the
# envelope (the first recipient only). No delivery record follows, and held mail
# never reaches qmgr, whose "from=" line otherwise gives the sender.
CHECKED_LOG = """\
Dec  4 11:00:00 gw03 postfix/smtpd[200]: connect from client.example.net[198.51.100.7]
Dec  4 11:00:00 gw03 postfix/smtpd[200]: 4A1B2C3D4E: client=client.example.net[198.51.100.7]
Dec  4 11:00:01 gw03 postfix/cleanup[301]: 4A1B2C3D4E: hold: header Subject: invoice \
from client.example.net[198.51.100.7]; from=<alice@example.net> to=<bob@example.com> \
proto=ESMTP helo=<client.example.net>: held for review
Dec  4 11:00:01 gw03 postfix/smtpd[200]: disconnect from client.example.net[198.51.100.7] \
ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5
Dec  4 11:01:00 gw03 postfix/pickup[300]: 5B2C3D4E5F: uid=0 from=<root>
Dec  4 11:01:00 gw03 postfix/cleanup[301]: 5B2C3D4E5F: reject: header Subject: weekly \
report from local; from=<root@gw03.example.com> to=<soc@example.com>: 5.7.1 \
Executable attachments are not accepted
Dec  4 11:02:00 gw03 postfix/smtpd[200]: 6C3D4E5F6A: client=client.example.net[198.51.100.7]
Dec  4 11:02:01 gw03 postfix/cleanup[301]: 6C3D4E5F6A: reject: body X-Payload: evil \
from client.example.net[198.51.100.7]; from=<carol@example.net> to=<dave@example.com> \
proto=ESMTP helo=<client.example.net>: 5.7.1 Message content rejected
"""


@pytest.mark.parametrize(
    ("query", "queue_id"),
    [
        ("bob@example.com", "4A1B2C3D4E"),
        ("alice@example.net", "4A1B2C3D4E"),
        ("soc@example.com", "5B2C3D4E5F"),
        ("root@gw03.example.com", "5B2C3D4E5F"),
        ("DAVE@example.com", "6C3D4E5F6A"),
        ("carol@example.net", "6C3D4E5F6A"),
    ],
)
def test_trace_finds_checked_mail(tmp_path: Path, query: str, queue_id: str) -> None:
    (tmp_path / "maillog").write_text(CHECKED_LOG)
    output = invoke("trace", "--year", "2026", str(tmp_path), query)
    headers = [line for line in output.splitlines() if line.startswith("== ")]
    assert len(headers) == 1, output
    assert headers[0].startswith(f"== gw03:{queue_id}  ")


def test_trace_domain_finds_checked_mail(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(CHECKED_LOG)
    output = invoke("trace", "--year", "2026", str(tmp_path), "@example.com")
    assert output.startswith("3 message(s)")


def test_trace_held_mail_names_sender(tmp_path: Path) -> None:
    (tmp_path / "maillog").write_text(CHECKED_LOG)
    output = invoke("trace", "--year", "2026", str(tmp_path), "4A1B2C3D4E")
    assert "== gw03:4A1B2C3D4E  [held]  from <alice@example.net>\n" in output
    rejected = invoke("trace", "--year", "2026", str(tmp_path), "5B2C3D4E5F")
    # cleanup's envelope, not pickup's login name "root".
    assert "[rejected]  from <root@gw03.example.com>\n" in rejected


def test_parquet_keeps_empty_category(tmp_path: Path) -> None:
    """A category column without a value (no service in any tag) reads back
    from Parquet as a category."""
    log = tmp_path / "maillog"
    log.write_text("Dec  4 10:00:00 mx1 postfix/master[300]: daemon started\n")
    for folder, redact in (("plain", []), ("redacted", ["--redact"])):
        output = str(tmp_path / folder)
        invoke("export", str(log), "--format", "parquet", "-o", output, *redact)
        events = pd.read_parquet(tmp_path / folder / "events.parquet")
        assert events["service"].isna().all(), folder
        assert isinstance(events["service"].dtype, pd.CategoricalDtype), folder


def test_summary_host_column_fits_long_names(tmp_path: Path) -> None:
    host = "qradar-console-primary-01"
    log = tmp_path / "maillog"
    log.write_text(
        f"Dec  4 10:00:00 {host} postfix/smtp[300]: A1B2C3D4E5: to=<soc@example.net>,"
        " relay=none, delay=30, delays=0/0/30/0, dsn=4.4.1, status=deferred"
        " (connect to mail.example.com[192.0.2.25]:25: Connection timed out)\n"
    )
    output = invoke("summary", str(log))
    finding = next(line for line in output.splitlines() if "relay-conn" in line)
    assert f" {host}  1 msgs" in finding


def test_export_json_keeps_fractions_of_seconds(tmp_path: Path) -> None:
    """RFC 3339 stamps carry microseconds; JSON keeps them as CSV and Parquet do."""
    log = tmp_path / "mail.log"
    log.write_text(
        "2026-03-14T09:00:31.123456+01:00 mx1 postfix/pickup[300]: 4B2C3D0001: "
        "uid=0 from=<root>\n"
    )
    invoke("export", str(log), "--format", "json", "-o", str(tmp_path / "out"))
    events = json.loads((tmp_path / "out" / "events.json").read_text())
    assert events[0]["time"] == "2026-03-14T08:00:31.123456000Z"
    back = pd.read_json(tmp_path / "out" / "events.json")
    assert pd.to_datetime(back["time"])[0] == pd.Timestamp(
        "2026-03-14T08:00:31.123456Z"
    )


def test_inventory_is_a_frame_like_the_others() -> None:
    analysis = analyze_bundle(SAMPLES / "bounce-notice.tar.gz")
    assert list(analysis.inventory.columns) == [c.name for c in FRAMES["inventory"]]
    assert analysis.inventory.equals(analysis.frames()["inventory"])


def test_own_outputs_inside_bundle_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run inside the bundle folder, report and export write there: the next
    run leaves those folders out and names the bundle by its folder."""
    bundle = tmp_path / "case-4711"
    with tarfile.open(SAMPLES / "healthy.tar.gz") as archive:
        archive.extractall(bundle, filter="data")
    monkeypatch.chdir(bundle)
    before = invoke("summary", ".")
    invoke("report", ".", "--format", "html,json")
    invoke("report", ".", "-o", "only-json", "--format", "json")
    invoke("export", ".", "-o", "frames", "--format", "csv")
    after = invoke("summary", ".")
    assert after.splitlines()[0].startswith("Bundle: case-4711 (")
    assert after.splitlines()[1:] == before.splitlines()[1:]
    analysis = analyze_bundle(bundle)
    skipped = {e.path: e.detail for e in analysis.bundle.inventory.entries
               if e.status == "skipped"}  # fmt: skip
    assert skipped == {
        "case-4711-report/": "a folder of mailbundle's own report files, not of the bundle",
        "frames/": "a folder of mailbundle's own export files, not of the bundle",
        "only-json/": "a folder of mailbundle's own report files, not of the bundle",
    }


def test_read_export_json_keeps_floats_exact(tmp_path: Path) -> None:
    """pandas' default float parser reads 1.7 as 1.7000000000000002."""
    (tmp_path / "maillog").write_text(
        "Dec  3 10:00:00 mx1 postfix/smtp[301]: 4F2A1C0D9E: to=<ops@example.com>, "
        "relay=mail.example.com[192.0.2.25]:25, delay=1.7, delays=0.1/0.2/0.3/1.1, "
        "dsn=2.0.0, status=sent (250 2.0.0 Ok)\n"
    )
    invoke("export", str(tmp_path / "maillog"), "--format", "json", "-o",
           str(tmp_path / "out"))  # fmt: skip
    deliveries = read_export(tmp_path / "out" / "deliveries.json")
    assert deliveries["delay"].tolist() == [1.7]
    assert deliveries["delay_in_queue"].tolist() == [0.2]


def test_trace_shows_listing_of_queued_message() -> None:
    """A message still queued ends with its entry in the newest queue listing."""
    facts = truth("connection-timeout")
    queue_id = facts["messages"][0]["queue_id"]
    output = invoke("trace", str(SAMPLES / "connection-timeout.tar.gz"), queue_id)
    listed = [line for line in output.splitlines() if "in the queue listing:" in line]
    assert listed, output
    assert listed[0].startswith("   in the queue listing: [")
    assert "commands/postqueue-j.json:" in listed[0]
    # A delivered message is not in the listing.
    delivered = truth("healthy")["messages"][0]["queue_id"]
    healthy = invoke("trace", str(SAMPLES / "healthy.tar.gz"), delivered)
    assert "in the queue listing:" not in healthy


def test_summary_cuts_overlong_evidence(tmp_path: Path) -> None:
    """A 60,000-character reply stays whole in the reports, not on the terminal."""
    reply = "host mx.example.net[192.0.2.7] said: 550 5.1.1 " + "x" * 60000
    (tmp_path / "maillog").write_text(
        "Dec  4 10:00:00 mx1 postfix/smtp[303]: A1B2C3D4E5: to=<soc@example.org>,"
        " relay=mx.example.net[192.0.2.7]:25, delay=1, delays=0/0/0.5/0.5,"
        f" dsn=5.1.1, status=bounced ({reply})\n"
    )
    output = invoke("summary", str(tmp_path), "--year", "2026")
    assert max(len(line) for line in output.splitlines()) < 1200
    assert "… (+" in output
