"""Unusable bundles give a one-line error that names the file, and no traceback."""

from __future__ import annotations

import gzip
import io
import signal
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, cli_env


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=120,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], path: Path) -> None:
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mailbundle: error: ")
    assert str(path) in lines[0]
    assert "Traceback" not in result.stderr


def test_missing_path(tmp_path: Path) -> None:
    path = tmp_path / "no-such-bundle.tar.gz"
    result = run_cli("report", str(path), "-o", str(tmp_path / "out"))
    assert_one_line_error(result, path)
    assert "no such file or directory" in result.stderr
    assert not (tmp_path / "out").exists()


def test_binary_file_is_not_a_bundle(tmp_path: Path) -> None:
    path = tmp_path / "bundle.zip"
    path.write_bytes(bytes(range(256)) * 64)
    result = run_cli("report", str(path), "-o", str(tmp_path / "out"))
    assert_one_line_error(result, path)
    assert "not a directory, log file or known archive" in result.stderr


@pytest.mark.parametrize("fmt", ["tar", "zip"])
def test_empty_archive(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"empty.{fmt}"
    if fmt == "tar":
        tarfile.open(path, "w").close()
    else:
        zipfile.ZipFile(path, "w").close()
    result = run_cli("summary", str(path))
    assert_one_line_error(result, path)
    assert "the bundle is empty" in result.stderr


def test_truncated_tar_gz(tmp_path: Path) -> None:
    source = (
        Path(__file__).resolve().parents[1] / "samples" / "bundles" / "healthy.tar.gz"
    )
    path = tmp_path / "cut.tar.gz"
    path.write_bytes(source.read_bytes()[:40])
    result = run_cli("summary", str(path))
    assert_one_line_error(result, path)


def test_directory_without_mail_files(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "notes.txt").write_text("nothing about mail here\n")
    result = run_cli("summary", str(folder))
    assert_one_line_error(result, folder)
    assert "no mail log, main.cf or mailq output" in result.stderr


def test_version_and_help() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("mailbundle, version ")
    for command in ("report", "summary", "trace", "export"):
        help_text = run_cli(command, "--help").stdout
        assert "--year" in help_text
        assert "--timezone" in help_text
        assert "Default" in help_text or "default" in help_text


def test_empty_trace_query_rejected() -> None:
    result = run_cli("trace", str(SAMPLES / "healthy.tar.gz"), " ")
    assert result.returncode == 2, result.stderr
    assert "QUERY" in result.stderr


@pytest.mark.parametrize("year", ["abc", "1800", "26"])
def test_invalid_year_rejected(year: str) -> None:
    result = run_cli("summary", str(SAMPLES / "healthy.tar.gz"), "--year", year)
    assert result.returncode == 2, result.stderr
    assert f"'{year}' is not a year from 1970 to 2200" in result.stderr
    assert "such as 2026" in result.stderr


def test_out_of_memory_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Running out of memory is not a damaged upload. The command names the
    cause and stops, rather than analyzing the bundle without the log."""
    from click.testing import CliRunner

    from analyzer import load
    from analyzer.cli import main

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError("Unable to allocate 42.0 MiB")

    monkeypatch.setattr(load, "parse_log", exhausted)
    result = CliRunner().invoke(main, ["summary", str(SAMPLES / "healthy.tar.gz")])
    assert result.exit_code == 1
    assert "ran out of memory" in result.output
    assert "upload" not in result.output


@pytest.mark.parametrize(
    ("name", "content", "messages"),
    [
        (
            "bundle.zip",
            b"<!DOCTYPE html><html>Session expired</html>\n",
            [
                "the name says zip, but the content is not a zip archive",
                "fetch the bundle again",
            ],
        ),
        ("maillog", b"", ["the bundle is empty: maillog is an empty file"]),
        # logrotate compresses an empty log to a few bytes of gzip: still empty.
        (
            "maillog.1.gz",
            gzip.compress(b""),
            ["the bundle is empty: maillog.1.gz is an empty file"],
        ),
        (
            "bundle.tar.gz",
            b"",
            ["the file is empty (0 bytes), not a tar.gz archive"],
        ),
    ],
)
def test_unusable_file_error(
    tmp_path: Path, name: str, content: bytes, messages: list[str]
) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    result = run_cli("summary", str(path))

    assert_one_line_error(result, path)
    for message in messages:
        assert message in result.stderr


def test_folder_of_empty_files_is_empty(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "maillog").write_text("")
    (folder / "main.cf").write_text("")
    result = run_cli("summary", str(folder))
    assert_one_line_error(result, folder)
    assert "the bundle is empty: maillog and main.cf are empty files" in result.stderr


@pytest.mark.parametrize(
    "command", [["report", "--format", "json"], ["export", "--format", "csv"]]
)
def test_output_is_a_file(tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "afile"
    target.write_text("keep me\n")
    bundle = str(SAMPLES / "healthy.tar.gz")
    result = run_cli(command[0], bundle, *command[1:], "-o", str(target))
    assert result.returncode == 5, result.stderr
    assert f"{target} is a file, not a folder" in result.stderr
    assert "choose a folder with -o" in result.stderr
    assert target.read_text() == "keep me\n"


CUT_LOG = "".join(
    f"Dec  3 12:{n // 60 % 60:02d}:{n % 60:02d} relay1 postfix/qmgr[1003]: "
    f"4F2A1C0D9E: removed\n"
    for n in range(3000)
).encode()


def write_cut_gzip(path: Path) -> None:
    data = gzip.compress(CUT_LOG, mtime=0)
    path.write_bytes(data[: len(data) * 2 // 3])


def test_partial_warning_names_members(tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    folder.mkdir()
    (folder / "maillog").write_text(CUT_LOG.decode())
    for number in range(1, 6):
        write_cut_gzip(folder / f"maillog.{number}.gz")
    result = run_cli("summary", str(folder))
    assert result.returncode == 4, result.stderr
    warning = result.stderr[result.stderr.index("warning:") :]
    lines = warning.splitlines()
    problem = "the compressed data ends early"
    assert "results are partial" in lines[0]
    assert len(lines) == 5, warning
    assert lines[1].strip().startswith("maillog.1.gz: " + problem)
    assert lines[3].strip().startswith("maillog.3.gz: " + problem)
    assert lines[4].strip() == "and 2 more (the inventory lists them all)"


def test_partial_warning_one_member(tmp_path: Path) -> None:
    path = tmp_path / "maillog-20261203.gz"
    write_cut_gzip(path)
    result = run_cli("summary", str(path))
    assert result.returncode == 4, result.stderr
    assert "maillog-20261203.gz: the compressed data ends early" in result.stderr
    assert "more" not in result.stderr


def test_single_file_that_is_not_a_log(tmp_path: Path) -> None:
    """A file with no syslog line, given as the bundle, is an error like a folder
    without logs, not a report about an empty log."""
    notes = tmp_path / "notes.txt"
    notes.write_text(
        "Ticket 4711: mail from the console does not arrive.\nSee attachments.\n"
    )
    result = run_cli("summary", str(notes))
    assert_one_line_error(result, notes)
    assert "not a mail log: none of its 2 lines starts with a syslog header" in (
        result.stderr
    )


def test_sigterm_removes_temporary_folder(tmp_path: Path) -> None:
    """timeout or kill ends the command, and its temporary folder goes with it."""
    line = (
        "Dec  4 10:00:{s:02d} mx1 postfix/smtp[303]: A1B2C{n:05d}: to=<ops@example.com>,"
        " relay=none, delay=1, delays=0/0/1/0, dsn=4.4.1, status=deferred (connect"
        " to mail.example.com[192.0.2.25]:25: Connection timed out)\n"
    )
    text = "".join(line.format(s=n % 60, n=n) for n in range(300_000))
    bundle = tmp_path / "bundle.tar.gz"
    with tarfile.open(bundle, "w:gz", compresslevel=1) as archive:
        data = text.encode()
        info = tarfile.TarInfo("var/log/maillog")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**cli_env(), "TMPDIR": str(temporary)}
    process = subprocess.Popen(
        [sys.executable, "-m", "analyzer", "summary", str(bundle)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(temporary.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert any(temporary.iterdir()), "no temporary folder appeared"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM, stderr
    assert "mailbundle: terminated" in stderr
    assert list(temporary.iterdir()) == []
