"""Fuzz the parsers and the archive reader with Hypothesis, for a time or case budget.

Targets:

- maillog: ``analyzer.parse.logfile.parse_log`` on bytes;
- mailq: ``analyzer.parse.queue.parse_mailq`` on text;
- postqueue: ``analyzer.parse.queue.parse_postqueue_json`` on text;
- config: ``parse_main_cf`` and ``parse_master_cf`` on text, with every
  parameter expanded through ``MainConfig.get``;
- archive: ``analyzer.bundle.walk.Walker`` on mutated tar, tar.gz, zip and 7z
  files, where only ``MailbundleError`` is an expected exception.

Inputs are the members of the sample bundles in samples/bundles, mutated (bytes
flipped, inserted, deleted, repeated, lines spliced from other samples, special
bytes such as NUL, CR and invalid UTF-8), plus plain random bytes. Any other
exception, or a case slower than --slow seconds (CaseTimeout), is a crash. The
script prints each distinct crash (by exception type and function) with the
input that triggered it, and exits with 1 when it found any.

Examples::

    python scripts/fuzz.py --seconds 60            # each target for 60 s
    python scripts/fuzz.py --cases 2000 --targets maillog,archive
"""

from __future__ import annotations

import argparse
import contextlib
import io
import logging
import random
import signal
import sys
import tarfile
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import hypothesis.strategies as st
import py7zr
from hypothesis import HealthCheck, Phase, given, seed, settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.bundle.limits import Limits, MiB  # noqa: E402
from analyzer.bundle.walk import Walker  # noqa: E402
from analyzer.errors import MailbundleError  # noqa: E402
from analyzer.parse.config import parse_main_cf, parse_master_cf  # noqa: E402
from analyzer.parse.logfile import parse_log  # noqa: E402
from analyzer.parse.queue import parse_mailq, parse_postqueue_json  # noqa: E402
from analyzer.parse.timestamps import YearReference  # noqa: E402

TARGETS = ("maillog", "mailq", "postqueue", "config", "archive")
SPECIAL = [
    b"\x00", b"\r", b"\r\n", b"\n", b"\xff", b"\xfe\xff", b"\x82\xa0", b"\xe3\x81",
    b"\t", b" " * 64, b"A" * 70000, b"$", b"${", b"$(", b"}", b")", b"[", b"]",
    b"<", b">", b"=", b",", b":", b"\"", b"{", b"\\", b"-1", b"99999999999999999999",
    b"1e309", b"NaN", b"Feb 29", b"2024-02-30T25:61:61Z", b"postfix/", b"[]:",
]  # fmt: skip


class CaseTimeout(Exception):
    """A case ran longer than --slow seconds (raised by SIGALRM)."""


def _interrupt_case(signum: int, frame: object) -> None:
    raise CaseTimeout("the case ran longer than the --slow limit")


@dataclass
class Crash:
    """One distinct failure: where it happened and the first input that caused it."""

    key: str
    error: str
    sample: bytes
    count: int = 1


@dataclass
class Run:
    """Cases and crashes of one target."""

    target: str
    cases: int = 0
    seconds: float = 0.0
    crashes: dict[str, Crash] = field(default_factory=dict)


def sample_seeds() -> dict[str, list[bytes]]:
    """Return the members of the sample bundles, grouped by what they are."""
    seeds: dict[str, list[bytes]] = {name: [] for name in TARGETS}
    for bundle in sorted((ROOT / "samples" / "bundles").glob("*.tar.gz")):
        with tarfile.open(bundle) as archive:
            for member in archive:
                stream = archive.extractfile(member) if member.isfile() else None
                if stream is None:
                    continue
                data = stream.read()
                name = Path(member.name).name
                if name.startswith(("maillog", "mail.log", "syslog")):
                    seeds["maillog"].append(data)
                elif name.startswith("mailq"):
                    seeds["mailq"].append(data)
                elif name.startswith("postqueue-j"):
                    seeds["postqueue"].append(data)
                elif name.endswith(".cf") or name.startswith("postconf"):
                    seeds["config"].append(data)
    if not seeds["maillog"]:
        raise SystemExit(f"no sample bundles found in {ROOT / 'samples' / 'bundles'}")
    return seeds


def mutate(data: bytes, others: list[bytes], rng: random.Random) -> bytes:
    """Apply one to eight random byte-level and line-level mutations."""
    buffer = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.randrange(8)
        position = rng.randrange(len(buffer) + 1)
        if choice == 0 and buffer:
            buffer[min(position, len(buffer) - 1)] ^= 1 << rng.randrange(8)
        elif choice == 1:
            buffer[position:position] = rng.choice(SPECIAL)
        elif choice == 2:
            end = position + rng.randint(1, 200)
            del buffer[position:end]
        elif choice == 3:
            end = position + rng.randint(1, 400)
            buffer[position:position] = buffer[position:end] * rng.randint(2, 50)
        elif choice == 4 and others:
            lines = rng.choice(others).splitlines(keepends=True)
            if lines:
                buffer[position:position] = rng.choice(lines)
        elif choice == 5:
            buffer[position:position] = rng.randbytes(rng.randint(1, 64))
        elif choice == 6:
            buffer = buffer[:position]
        else:
            words = bytes(buffer).split(b" ")
            rng.shuffle(words)
            buffer = bytearray(b" ".join(words))
    return bytes(buffer)


def inputs(seeds: list[bytes]) -> st.SearchStrategy[bytes]:
    """Return a strategy of mutated seeds, seeds spliced together and random bytes."""
    mutated = st.builds(
        lambda seed, salt: mutate(seed, seeds, random.Random(salt)),
        st.sampled_from(seeds),
        st.integers(0, 2**32),
    )
    return st.one_of(mutated, mutated, mutated, st.binary(max_size=4096))


# Targets


def run_maillog(data: bytes) -> None:
    reference = YearReference(end=date(2026, 12, 4))
    parsed = parse_log(io.BytesIO(data), "maillog", reference, UTC)
    stats = parsed.stats
    assert stats.lines >= stats.syslog_lines >= stats.postfix_lines, stats
    assert stats.postfix_lines >= stats.recognized_lines, stats
    assert parsed.events.num_rows == stats.postfix_lines, stats


def run_mailq(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    parse_mailq(text, "mailq", datetime(2026, 12, 4, tzinfo=UTC)).frame()


def run_postqueue(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    parse_postqueue_json(text, "postqueue-j").frame()


def run_config(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    main = parse_main_cf(text, "main.cf")
    for name in list(main.settings)[:50]:
        main.get(name)
    parse_master_cf(text, "master.cf")


class ArchiveTarget:
    """Walks mutated archives in a temporary folder; checks that it is left empty."""

    LIMITS = Limits(
        max_total_bytes=64 * MiB, max_member_bytes=32 * MiB, max_members=500
    )

    def __init__(self, seeds: dict[str, list[bytes]], folder: Path) -> None:
        self.folder = folder
        files = {
            "maillog": seeds["maillog"][0],
            "main.cf": seeds["config"][0],
            "mailq.out": (seeds["mailq"] or [b""])[0],
        }
        self.archives = [
            build_archive(fmt, files) for fmt in ("tar", "tgz", "zip", "7z")
        ]

    def seeds(self) -> list[bytes]:
        return self.archives

    def __call__(self, data: bytes) -> None:
        path = self.folder / "case.bin"
        path.write_bytes(data)
        work = self.folder / "work"
        work.mkdir(exist_ok=True)

        def visit(entry: object, stream: io.BufferedIOBase) -> None:
            while stream.read(MiB):
                pass

        with contextlib.suppress(MailbundleError):
            Walker(self.LIMITS, workdir=work).walk(path, visit)  # type: ignore[arg-type]
        left = list(work.iterdir())
        assert not left, f"the walker left files behind: {left}"


def build_archive(fmt: str, files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    if fmt in ("tar", "tgz"):
        with tarfile.open(fileobj=buffer, mode="w:gz" if fmt == "tgz" else "w") as tar:
            for name, data in files.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    elif fmt == "zip":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
    else:
        with py7zr.SevenZipFile(buffer, "w") as archive:
            for name, data in files.items():
                archive.writestr(data, name)
    return buffer.getvalue()


# Driver


def fuzz_target(
    name: str,
    function: Callable[[bytes], None],
    seeds: list[bytes],
    cases: int | None,
    seconds: float | None,
    slow: float,
    first_seed: int,
) -> Run:
    """Run ``function`` on generated inputs until the case or time budget is spent."""
    run = Run(name)
    started = time.monotonic()
    signal.signal(signal.SIGALRM, _interrupt_case)
    strategy = inputs(seeds)

    def one_case(data: bytes) -> None:
        run.cases += 1
        signal.setitimer(signal.ITIMER_REAL, slow)
        try:
            function(data)
        except Exception as error:
            record(run, error, data)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)

    batch = 0
    while True:
        remaining = None if cases is None else cases - run.cases
        if remaining is not None and remaining <= 0:
            break
        if seconds is not None and time.monotonic() - started >= seconds:
            break
        size = 200 if remaining is None else min(200, remaining)
        test = settings(
            max_examples=size,
            deadline=None,
            database=None,
            derandomize=False,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )(given(strategy)(one_case))
        seed(first_seed + batch)(test)()
        batch += 1
    run.seconds = time.monotonic() - started
    return run


def record(run: Run, error: BaseException, data: bytes) -> None:
    frames = traceback.extract_tb(error.__traceback__)
    where = next(
        (f for f in reversed(frames) if "/analyzer/" in f.filename),
        frames[-1] if frames else None,
    )
    # The function, not the line, identifies a crash: a recursion or a timeout
    # stops at a different line of the same function from case to case.
    location = f"{Path(where.filename).name}:{where.name}" if where else "?"
    key = f"{type(error).__name__} in {location}"
    if key in run.crashes:
        run.crashes[key].count += 1
        return
    message = f"{type(error).__name__}: {str(error)[:300]}"
    run.crashes[key] = Crash(key, message, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--targets",
        default=",".join(TARGETS),
        help=f"comma-separated targets out of {', '.join(TARGETS)} (default: all)",
    )
    parser.add_argument(
        "--cases", type=int, help="cases per target (default: no case limit)"
    )
    parser.add_argument(
        "--seconds",
        type=float,
        help="seconds per target (default: 30 when --cases is not given either)",
    )
    parser.add_argument(
        "--slow", type=float, default=10.0, help="seconds after which a case is a crash"
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the first batch of cases; batch N uses seed + N (default: 0)",
    )
    options = parser.parse_args(argv)
    if options.cases is None and options.seconds is None:
        options.seconds = 30.0
    names = [n.strip() for n in options.targets.split(",") if n.strip()]
    unknown = [n for n in names if n not in TARGETS]
    if unknown:
        parser.error(
            f"unknown target {', '.join(unknown)}; choose from {', '.join(TARGETS)}"
        )

    # The walker logs each damaged member it contains; the mutated archives are
    # all damaged, so only crashes are printed.
    logging.getLogger("analyzer").setLevel(logging.CRITICAL)
    seeds = sample_seeds()
    runs = []
    with tempfile.TemporaryDirectory(prefix="mailbundle-fuzz-") as folder:
        functions: dict[str, tuple[Callable[[bytes], None], list[bytes]]] = {
            "maillog": (run_maillog, seeds["maillog"]),
            "mailq": (run_mailq, seeds["mailq"]),
            "postqueue": (run_postqueue, seeds["postqueue"]),
            "config": (run_config, seeds["config"]),
        }
        archive = ArchiveTarget(seeds, Path(folder))
        functions["archive"] = (archive, archive.seeds())
        for name in names:
            function, target_seeds = functions[name]
            run = fuzz_target(
                name, function, target_seeds, options.cases, options.seconds,
                options.slow, options.seed,
            )  # fmt: skip
            runs.append(run)
            print(
                f"{name}: {run.cases} cases in {run.seconds:.1f} s, "
                f"{len(run.crashes)} distinct crashes",
                flush=True,
            )
            for crash in run.crashes.values():
                print(f"  {crash.key} ({crash.count} cases): {crash.error}")
                print(f"    input ({len(crash.sample)} bytes): {crash.sample[:300]!r}")
    return 1 if any(run.crashes for run in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
