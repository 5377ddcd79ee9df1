"""Property tests with Hypothesis, bounded to a few seconds in the normal test run.

scripts/fuzz.py runs the same kind of checks for minutes; these keep the basic
properties from regressing. The examples are derandomized, so every run tries
the same inputs.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import tarfile
import zipfile
from datetime import UTC, date
from pathlib import Path

import hypothesis.strategies as st
from hypothesis import HealthCheck, given, settings

from analyzer.bundle.limits import Budget, LimitedReader, Limits
from analyzer.bundle.names import display_name, unsafe_path_reason
from analyzer.bundle.walk import Walker
from analyzer.errors import LimitExceeded, MailbundleError
from analyzer.parse.config import parse_main_cf, parse_master_cf
from analyzer.parse.logfile import parse_log
from analyzer.parse.timestamps import YearReference
from tests.test_hostile_archives import sample_members

FAST = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

LOG_LINE = b"Dec  4 17:08:26 qradar-console postfix/smtp[3706]: 8E6942106A1: to=<a@example.com>, relay=none, dsn=4.3.5, status=deferred (x)\n"
log_bytes = st.one_of(
    st.binary(max_size=2048),
    st.lists(
        st.one_of(
            st.just(LOG_LINE),
            st.just(LOG_LINE.replace(b"\n", b"\r\n")),
            st.binary(max_size=80).map(lambda b: LOG_LINE[:40] + b + b"\n"),
            st.sampled_from(
                [b"\x00" * 100, b"\xff\xfe", b"\n", "件名".encode("shift_jis")]
            ),
        ),
        max_size=40,
    ).map(b"".join),
)


@FAST
@given(log_bytes)
def test_parse_log_accounts_for_lines(data: bytes) -> None:
    parsed = parse_log(
        io.BytesIO(data), "maillog", YearReference(end=date(2026, 12, 4)), UTC
    )
    stats = parsed.stats
    assert stats.lines >= stats.syslog_lines >= stats.postfix_lines
    assert stats.postfix_lines >= stats.recognized_lines
    assert parsed.events.num_rows == stats.postfix_lines
    assert stats.lines == data.count(b"\n") + (
        0 if data.endswith(b"\n") or not data else 1
    )


@FAST
@given(st.text(max_size=2000))
def test_config_parsers_accept_any_text(text: str) -> None:
    main = parse_main_cf(text, "main.cf")
    master = parse_master_cf(text, "master.cf")
    physical = len(text.splitlines())
    assert len(main.settings) + len(main.unparsed) <= physical
    assert len(master.services) + len(master.unparsed) <= physical


@FAST
@given(st.text(max_size=300))
def test_safe_names_stay_inside(name: str) -> None:
    shown = display_name(name)
    assert shown.isprintable()
    if unsafe_path_reason(name) is None:
        joined = posixpath.normpath(posixpath.join("/bundle", name.replace("\\", "/")))
        assert joined.startswith("/bundle/"), name


@FAST
@given(st.lists(st.integers(min_value=0, max_value=5000), min_size=1, max_size=30))
def test_limited_reader_never_passes_limits(sizes: list[int]) -> None:
    limits = Limits(max_total_bytes=20_000, max_member_bytes=10_000)
    budget = Budget(limits)
    reader = LimitedReader(io.BytesIO(b"x" * 50_000), "member", budget)  # type: ignore[arg-type]
    received = 0
    try:
        for size in sizes:
            received += len(reader.read(size))
    except LimitExceeded:
        pass
    assert received <= limits.max_member_bytes + 1
    assert budget.total_bytes <= limits.max_total_bytes + 1


def seed_archives() -> list[bytes]:
    files = sample_members()
    tar_buffer = io.BytesIO()
    with tarfile.open(fileobj=tar_buffer, mode="w:gz") as archive:
        for name in ("maillog", "main.cf"):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            archive.addfile(info, io.BytesIO(files[name]))
    zip_buffer = io.BytesIO()
    with zipfile.ZipFile(zip_buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in ("maillog", "main.cf"):
            archive.writestr(name, files[name])
    return [tar_buffer.getvalue(), zip_buffer.getvalue()]


SEEDS = seed_archives()


@st.composite
def mutated_archives(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip" and position < len(data):
            data[position] ^= draw(st.integers(1, 255))
        elif action == "cut":
            data = data[:position]
        else:
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
    return bytes(data)


@settings(FAST, max_examples=40)
@given(mutated_archives())
def test_walker_on_mutated_archives(tmp_path_factory: object, data: bytes) -> None:
    folder = Path(tmp_path_factory.mktemp("walk"))  # type: ignore[attr-defined]
    path = folder / "bundle.bin"
    path.write_bytes(data)
    work = folder / "work"
    work.mkdir()

    def visit(entry: object, stream: io.BufferedIOBase) -> None:
        while stream.read(65536):
            pass

    with contextlib.suppress(MailbundleError):
        Walker(workdir=work).walk(path, visit)  # type: ignore[arg-type]
    assert list(work.iterdir()) == []
