"""Exit codes and one-line errors of the command line on hostile bundles.

Every error is one line on stderr that names the bundle, what is wrong and what
to do. The exit codes are the ones README.md documents.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer import cli
from tests.conftest import ROOT, SAMPLES, cli_env
from tests.test_hostile_archives import (
    Member,
    build_tar,
    build_zip,
    sample_members,
)
from tests.test_hostile_corrupt import cut_gzip
from tests.test_hostile_encrypted import PASSWORD, seven_zip

SAMPLE = SAMPLES / "localhost-loop.tar.gz"
ADVICE = re.compile(
    r"; (check|give|pass|raise|collect|unpack|run|choose|use)\b", re.IGNORECASE
)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        capture_output=True, text=True, env=cli_env(), timeout=300,
    )  # fmt: skip


def assert_error_line(
    result: subprocess.CompletedProcess[str], code: int, path: Path
) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("mailbundle: error: ")
    assert str(path) in line
    assert ADVICE.search(line), f"the error says nothing to do: {line}"
    assert "Traceback" not in result.stderr
    return line


def test_readme_documents_exit_codes() -> None:
    readme = (ROOT / "README.md").read_text()
    sentence = readme[readme.index("Exit codes:") :].split("\n\n")[0]
    for code, meaning in (
        ("0", "analyzed"),
        ("2", "invalid command line"),
        ("3", "unusable bundle"),
        ("4", "partial results"),
        ("5", "output not writable"),
        ("6", "no matching message"),
        ("1", "internal error"),
    ):
        assert f"{code} {meaning}" in " ".join(sentence.split()), (code, sentence)


def test_exit_0_on_sample(tmp_path: Path) -> None:
    result = run_cli("summary", str(SAMPLE))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--max-size", "0"],
        ["--max-ratio", "0.5"],
        ["--max-members", "-1"],
        ["--max-depth", "x"],
        ["--format", "docx"],
        ["--timezone", "Mars/Olympus"],
    ],
)
def test_exit_2_on_invalid_options(tmp_path: Path, args: list[str]) -> None:
    result = run_cli("report", str(SAMPLE), "-o", str(tmp_path / "out"), *args)
    assert result.returncode == 2, result.stderr
    assert not (tmp_path / "out").exists()


def test_exit_3_on_encrypted(tmp_path: Path) -> None:
    bundle = seven_zip(tmp_path / "bundle.7z", PASSWORD, True)
    line = assert_error_line(run_cli("summary", str(bundle)), 3, bundle)
    assert "encrypted" in line


def test_exit_3_when_limit_leaves_nothing(tmp_path: Path) -> None:
    line = b"Dec  4 17:08:26 qradar-console postfix/qmgr[1]: line\n"
    members = [Member("aaa/maillog.1", line * (3 * 1024 * 1024 // len(line)))]
    members += [Member(n, d) for n, d in sample_members().items()]
    bundle = build_tar(tmp_path / "bundle.tar.gz", members)
    line = assert_error_line(
        run_cli("summary", str(bundle), "--max-size", "1"), 3, bundle
    )
    assert "--max-size" in line


def test_exit_3_on_zip_directory_over_limit(tmp_path: Path) -> None:
    members = [Member(f"many/{n:04d}", b"") for n in range(300)]
    bundle = build_zip(tmp_path / "bundle.zip", members)
    line = assert_error_line(
        run_cli("summary", str(bundle), "--max-members", "10"), 3, bundle
    )
    assert "--max-members" in line


def test_exit_3_on_all_members_broken(tmp_path: Path) -> None:
    bundle = tmp_path / "maillog.gz"
    bundle.write_bytes(cut_gzip()[:30])
    line = assert_error_line(run_cli("summary", str(bundle)), 3, bundle)
    assert "no member of the bundle could be read" in line


def test_exit_4_on_corrupt_member(tmp_path: Path) -> None:
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("maillog-20261203.gz", cut_gzip()))
    bundle = build_tar(tmp_path / "bundle.tar.gz", members)
    result = run_cli("summary", str(bundle))
    assert result.returncode == 4, result.stderr
    assert "partial" in result.stderr
    assert "localhost-loop" in result.stdout


def test_exit_4_on_member_over_limit(tmp_path: Path) -> None:
    line = b"Dec  4 17:08:26 qradar-console postfix/qmgr[1]: line\n"
    members = [Member(n, d) for n, d in sample_members().items()]
    members.append(Member("maillog.1", line * (2 * 1024 * 1024 // len(line))))
    bundle = build_tar(tmp_path / "bundle.tar.gz", members)
    result = run_cli("summary", str(bundle), "--max-size", "1")
    assert result.returncode == 4, result.stderr
    assert "localhost-loop" in result.stdout


def test_exit_1_on_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise KeyError("line one\nline two")

    monkeypatch.setattr("analyzer.api.analyze_bundle", broken)
    result = CliRunner().invoke(cli.main, ["summary", str(SAMPLE)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert "internal error" in lines[0]
    assert "report it" in lines[0]


def test_error_with_line_break_stays_one_line(tmp_path: Path) -> None:
    bundle = tmp_path / "two\nlines.tar"
    bundle.write_bytes(b"\x00\x01\x02\x03" * 2000)
    result = run_cli("summary", str(bundle))
    assert result.returncode == 3
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
