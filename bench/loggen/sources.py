"""Read syslog records from the real corpus files and the sample bundles."""

from __future__ import annotations

import bz2
import calendar
import gzip
import io
import lzma
import re
import tarfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ],
        start=1,
    )
}

# BSD syslog: "Mar  1 12:14:29 host postfix/smtp[123]: text" (day space- or
# zero-padded). The pid is optional because postfix-script and some
# non-Postfix programs log without one.
BSD_LINE = re.compile(
    r"(?P<mon>[A-Z][a-z]{2}) (?P<day>[ \d]\d) (?P<clock>\d\d:\d\d:\d\d) "
    r"(?P<host>\S+) (?P<program>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: (?P<text>.*)"
)
# RFC 3339, as Debian 12's rsyslog writes it: "2023-03-14T00:00:31.185246+01:00".
RFC3339_LINE = re.compile(
    r"(?P<stamp>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)) "
    r"(?P<host>\S+) (?P<program>[^\s\[:]+)(?:\[(?P<pid>\d+)\])?: (?P<text>.*)"
)

# Names of mail log members inside a bundle, rotated copies included.
LOG_MEMBER = re.compile(r"(?:^|/)(?:maillog|mail\.log|mail\.err|syslog|messages)[^/]*$")


@dataclass(slots=True)
class Record:
    """One syslog line of a source file, split into its header fields."""

    time: float
    """Seconds since an arbitrary origin; only differences within a file count."""
    host: str
    program: str
    pid: str | None
    text: str


@dataclass
class SourceFile:
    """The records of one log, in file order (rotated members joined in time order)."""

    name: str
    kind: str
    """``corpus`` for a real-world log, ``bundle`` for a real-Postfix sample bundle."""
    records: list[Record]


def parse_line(line: str) -> Record | None:
    """Split a syslog line into a record, or return None for any other line."""
    match = BSD_LINE.match(line)
    if match:
        hours, minutes, seconds = (int(x) for x in match["clock"].split(":"))
        # Year 2000 is a leap year, so "Feb 29" converts; the year itself is unused.
        month = MONTHS.get(match["mon"], 1)
        moment = (2000, month, int(match["day"]), hours, minutes, seconds)
        seconds_total = float(calendar.timegm(moment))
        return Record(
            seconds_total, match["host"], match["program"], match["pid"], match["text"]
        )
    match = RFC3339_LINE.match(line)
    if match:
        stamp = match["stamp"].replace("Z", "+00:00")
        moment = datetime.fromisoformat(stamp)
        return Record(
            moment.timestamp(),
            match["host"],
            match["program"],
            match["pid"],
            match["text"],
        )
    return None


def parse_lines(lines: Iterable[str]) -> list[Record]:
    """Parse syslog lines, dropping those that are not syslog records."""
    records = []
    for line in lines:
        record = parse_line(line.rstrip("\r\n"))
        if record is not None:
            records.append(record)
    return records


def decode(data: bytes, name: str) -> str:
    """Decompress a single-file .gz, .bz2 or .xz member by name, then decode it."""
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    elif name.endswith(".bz2"):
        data = bz2.decompress(data)
    elif name.endswith(".xz"):
        data = lzma.decompress(data)
    return data.decode("utf-8", errors="replace")


def read_corpus(directory: Path) -> list[SourceFile]:
    """Read every file of the corpus folder that contains syslog lines."""
    sources = []
    for path in sorted(directory.iterdir()):
        if not path.is_file():
            continue
        text = decode(path.read_bytes(), path.name)
        records = parse_lines(io.StringIO(text))
        if records:
            sources.append(SourceFile(path.name, "corpus", records))
    return sources


def read_bundles(directory: Path) -> list[SourceFile]:
    """Read the mail logs of each ``*.tar.gz`` bundle, one source per host folder.

    Rotated members of one host are joined and sorted by time, so a message
    whose life crosses a rotation stays one lifecycle.
    """
    sources = []
    for path in sorted(directory.glob("*.tar.gz")):
        by_folder: dict[str, list[Record]] = {}
        for member_name, text in _log_members(path):
            folder = (
                member_name.rsplit("/var/log/", 1)[0]
                if "/var/log/" in member_name
                else ""
            )
            by_folder.setdefault(folder, []).extend(parse_lines(io.StringIO(text)))
        for folder, records in sorted(by_folder.items()):
            records.sort(key=lambda record: record.time)
            name = path.name.removesuffix(".tar.gz")
            if folder:
                name = f"{name}:{folder}"
            sources.append(SourceFile(name, "bundle", records))
    return sources


def _log_members(path: Path) -> Iterator[tuple[str, str]]:
    with tarfile.open(path, "r:gz") as archive:
        for member in archive.getmembers():
            if not member.isfile() or not LOG_MEMBER.search(member.name):
                continue
            handle = archive.extractfile(member)
            if handle is not None:
                yield member.name, decode(handle.read(), member.name)


def scenario_name(source: SourceFile) -> str:
    """Return the scenario of a bundle source: the bundle file name without folder."""
    return source.name.split(":", 1)[0]
