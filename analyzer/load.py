"""Load a bundle: walk its members, recognize each one and parse it."""

from __future__ import annotations

import codecs
import logging
import posixpath
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import BinaryIO, cast

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer import memory
from analyzer.bundle import members
from analyzer.bundle.encoding import (
    CarriageReturnReader,
    DecodingReader,
    has_cr_line_ends,
    wide_codec,
    wide_name,
)
from analyzer.bundle.inventory import (
    KIND_ARCHIVE,
    KIND_JOURNAL,
    KIND_MAILLOG,
    KIND_MAILQ,
    KIND_MAIN_CF,
    KIND_MASTER_CF,
    KIND_OTHER,
    KIND_POSTCONF,
    KIND_POSTQUEUE_JSON,
    STATUS_ERROR,
    STATUS_PARTIAL,
    STATUS_READ,
    STATUS_REJECTED,
    STATUS_SKIPPED,
    Inventory,
    InventoryEntry,
)
from analyzer.bundle.limits import Limits
from analyzer.bundle.names import display_name
from analyzer.bundle.sniff import PeekReader
from analyzer.bundle.walk import Walker
from analyzer.errors import EmptyBundle
from analyzer.parse import journal, legacy
from analyzer.parse.config import (
    MainConfig,
    MasterConfig,
    parse_main_cf,
    parse_master_cf,
)
from analyzer.parse.lines import MAX_LINE_BYTES
from analyzer.parse.logfile import ParsedLog, parse_log
from analyzer.parse.queue import QueueListing, parse_mailq, parse_postqueue_json
from analyzer.parse.texts import TextStore
from analyzer.parse.timestamps import YearReference

logger = logging.getLogger(__name__)

CONFIG_MAX_BYTES = 16 * 1024 * 1024
"""Bytes of a configuration member read into memory; the rest is left out."""
QUEUE_MAX_BYTES = 256 * 1024 * 1024
"""Bytes of a queue listing read into memory: a backlog of 200,000 messages
takes 38 MB of mailq output."""


@dataclass(frozen=True)
class LoadOptions:
    """Inputs that the bundle does not contain."""

    year: int | None = None
    """Year of the last line of each BSD-format log (``--year``)."""
    zone: tzinfo = UTC
    """Zone of timestamps that carry none (BSD syslog)."""
    today: date | None = None
    """The analysis date; defaults to the real date."""
    limits: Limits = field(default_factory=Limits)
    password: str | None = field(default=None, repr=False)
    """Password of an encrypted zip or 7z, left out of ``repr`` so logs never show it."""
    field_kinds: frozenset[str] | None = None
    """Kinds of the field records to keep from the logs; all when None."""


@dataclass
class ConfigFile:
    """A parsed main.cf, ``postconf -n`` output or master.cf, and its host group."""

    group: str
    main: MainConfig | None = None
    master: MasterConfig | None = None


@dataclass
class LoadedBundle:
    """Everything parsed from one bundle, before analysis."""

    source: str
    inventory: Inventory
    logs: list[ParsedLog]
    configs: list[ConfigFile]
    queues: list[QueueListing]
    groups: dict[str, str]
    """Host group of each member path."""
    options: LoadOptions
    captured: datetime | None
    """Newest member time: when the bundle was made, as far as it shows."""


class _Loader:
    def __init__(self, options: LoadOptions) -> None:
        self.options = options
        self.logs: list[ParsedLog] = []
        self.configs: list[ConfigFile] = []
        self.queues: list[QueueListing] = []
        self.queue_entries: list[tuple[InventoryEntry, str]] = []
        self.single_file: str | None = None
        """Name of the bundle when it is one plain file: read as a log whatever it holds."""

    def visit(self, entry: InventoryEntry, stream: BinaryIO) -> None:
        reader = PeekReader(stream)
        head = reader.peek_head(members.SNIFF_BYTES)
        if head.startswith(codecs.BOM_UTF8):
            # A Windows editor's mark: left in, it hides the first line's header.
            reader.read(len(codecs.BOM_UTF8))
            head = reader.peek_head(members.SNIFF_BYTES)
        codec = wide_codec(head)
        if codec is not None:
            # Decoded before the member is recognized, because the patterns that
            # recognize it are UTF-8.
            _add_detail(entry, f"converted from {wide_name(head)} to UTF-8")
            utf8 = DecodingReader(cast(BinaryIO, reader), codec)
            reader = PeekReader(cast(BinaryIO, utf8))
            head = reader.peek_head(members.SNIFF_BYTES)
        if has_cr_line_ends(head):
            _add_detail(entry, "CR line ends read as line breaks")
            reader = PeekReader(
                cast(BinaryIO, CarriageReturnReader(cast(BinaryIO, reader)))
            )
            head = reader.peek_head(members.SNIFF_BYTES)
        peek = cast(BinaryIO, reader)  # PeekReader has the read() the parsers use
        entry.kind = members.classify_member(entry.path, head)
        if entry.kind == KIND_OTHER and entry.path == self.single_file:
            entry.kind = KIND_MAILLOG
        if entry.kind == KIND_MAILLOG:
            self._read_log(entry, peek)
        elif entry.kind == KIND_JOURNAL:
            self._read_journal(entry, peek)
        elif entry.kind in (KIND_MAIN_CF, KIND_POSTCONF, KIND_MASTER_CF):
            self._read_config(entry, peek)
        elif entry.kind in (KIND_MAILQ, KIND_POSTQUEUE_JSON):
            text = _read_text(peek, entry, QUEUE_MAX_BYTES)
            self.queue_entries.append((entry, text))
        elif entry.kind == KIND_OTHER:
            entry.status = STATUS_SKIPPED
            _add_detail(entry, members.skip_reason(entry.path, head))

    def _reference(self, entry: InventoryEntry) -> YearReference:
        end = members.rotation_date(entry.path)
        mtime = _file_time(entry)
        if end is None and mtime is not None:
            end = mtime.astimezone(self.options.zone).date()
        # --year is applied to the whole bundle once it is read (see _apply_year).
        return YearReference(end=end, today=self.options.today)

    def _read_log(self, entry: InventoryEntry, stream: BinaryIO) -> None:
        parsed = parse_log(
            stream,
            entry.path,
            self._reference(entry),
            self.options.zone,
            detach_text=True,
            field_kinds=self.options.field_kinds,
        )
        self._add_log(entry, parsed)

    def _read_journal(self, entry: InventoryEntry, stream: BinaryIO) -> None:
        parsed = journal.parse_journal(stream, entry.path, self.options.zone)
        self._add_log(entry, parsed)
        # journalctl writes every entry as an object with its time, so an entry
        # without one is damage: a cut or edited export.
        damaged = parsed.stats.unparsed_lines
        if damaged and entry.status == STATUS_READ:
            entry.status = STATUS_PARTIAL
            _add_detail(
                entry,
                f"{damaged:,} entr{'y is' if damaged == 1 else 'ies are'} not valid "
                "journal JSON (a cut or edited export); the other entries were read",
            )

    def _add_log(self, entry: InventoryEntry, parsed: ParsedLog) -> None:
        parsed.detach_text()
        stats = parsed.stats
        entry.lines = stats.lines
        entry.postfix_lines = stats.postfix_lines
        entry.recognized_lines = stats.recognized_lines
        if stats.postfix_lines == 0:
            _add_detail(entry, "no Postfix lines")
        # The lines were read, but not exactly as written.
        if stats.cut_lines:
            _add_detail(
                entry,
                f"{stats.cut_lines:,} line(s) longer than {MAX_LINE_BYTES // 1024} KiB "
                "cut to that length",
            )
        if stats.invalid_utf8_lines:
            _add_detail(
                entry,
                f"{stats.invalid_utf8_lines:,} line(s) with bytes that are not UTF-8: "
                + legacy.describe(stats.legacy_codecs),
            )
        if stats.nul_lines:
            _add_detail(entry, f"{stats.nul_lines:,} line(s) with NUL bytes")
        if stats.skipped_times:
            entry.extra["skipped_times"] = stats.skipped_times
        self.logs.append(parsed)

    def _read_config(self, entry: InventoryEntry, stream: BinaryIO) -> None:
        text = _read_text(stream, entry)
        config = ConfigFile(group="")
        if entry.kind == KIND_MASTER_CF:
            config.master = parse_master_cf(text, entry.path)
            entry.lines = len(config.master.services)
        else:
            config.main = parse_main_cf(text, entry.path)
            config.main.modified = _file_time(entry)
            entry.lines = len(config.main.settings)
        config.group = entry.path  # replaced by the host group once all are known
        self.configs.append(config)

    def read_queues(self, captured: datetime | None) -> None:
        for entry, text in self.queue_entries:
            try:
                listing = self._parse_queue(entry, text, captured)
            # A parser bug on one hostile listing must not lose the bundle: the
            # member is marked like a member the walker could not parse.
            except Exception as error:
                logger.error(
                    "%s: internal error while parsing", entry.path, exc_info=True
                )
                entry.status = STATUS_ERROR
                entry.detail = (
                    f"mailbundle failed to parse this member ({type(error).__name__}: "
                    f"{error}); please report it"
                )
                continue
            entry.lines = len(listing.rows)
            listing.taken = _file_time(entry) or captured
            if listing.error:
                _add_detail(entry, listing.error)
            _note_damage(entry, listing)
            self.queues.append(listing)

    def _parse_queue(
        self, entry: InventoryEntry, text: str, captured: datetime | None
    ) -> QueueListing:
        if entry.kind == KIND_MAILQ:
            moment = _file_time(entry) or captured
            return parse_mailq(text, entry.path, moment, self.options.zone)
        return parse_postqueue_json(text, entry.path)


def _note_damage(entry: InventoryEntry, listing: QueueListing) -> None:
    """Say in the inventory which lines of a listing were not read, and mark a
    mailq listing without its closing total line as partial: it was cut short,
    so messages may be missing from it."""
    if listing.unparsed:
        line_no, text = listing.unparsed[0]
        _add_detail(
            entry,
            f"{len(listing.unparsed):,} line(s) not read as queue entries, such as "
            f"line {line_no}: {display_name(text)}",
        )
    cut = listing.footer_requests is None and not listing.empty and not listing.error
    if listing.format == "mailq" and cut and (listing.rows or listing.unparsed):
        _add_detail(
            entry,
            'the listing ends without its total line ("-- N Kbytes in M Requests."), '
            "so it was cut short and may lack messages",
        )
        if entry.status == STATUS_READ:
            entry.status = STATUS_PARTIAL


def _add_detail(entry: InventoryEntry, text: str) -> None:
    entry.detail = f"{entry.detail}; {text}" if entry.detail else text


def _read_text(
    stream: BinaryIO, entry: InventoryEntry, limit: int = CONFIG_MAX_BYTES
) -> str:
    """Return the member's first ``limit`` bytes as text. A longer member is
    marked partial, so that the results are marked incomplete too."""
    parts = []
    received = 0
    while received <= limit:
        part = stream.read(limit + 1 - received)
        if not part:
            break
        parts.append(part)
        received += len(part)
    data = b"".join(parts)
    if len(data) > limit:
        _add_detail(entry, f"only the first {limit:,} bytes were read")
        entry.status = STATUS_PARTIAL
        data = data[:limit]
    return data.decode("utf-8", errors="replace")


def load_bundle(path: Path | str, options: LoadOptions | None = None) -> LoadedBundle:
    """Walk and parse the bundle at ``path``."""
    options = options or LoadOptions()
    loader = _Loader(options)
    if Path(path).is_file():
        loader.single_file = Path(path).name
    walker = Walker(options.limits, options.password)
    inventory = walker.walk(Path(path), loader.visit)
    loader.logs = _drop_copies(loader.logs, inventory)
    _follow_rotations(loader.logs, inventory, options.zone)
    _apply_year(loader.logs, options.year, options.zone)
    captured = _capture_time(inventory)
    loader.read_queues(captured)
    # Rejected members (paths out of the bundle, links, devices) belong to no
    # host, and their odd paths must not shift the grouping of the others.
    # Each entry's host is set once the analysis has named the hosts.
    accepted = [e for e in inventory.entries if e.status != STATUS_REJECTED]
    groups = assign_groups([e.path for e in accepted])
    for config in loader.configs:
        config.group = groups.get(config.group, "")
    _check_usable(path, inventory)
    if loader.single_file is not None:
        # A log inside an archive that is not a mail log is one unreadable
        # member among others: only the file given as the bundle is checked.
        file_logs = [log for log in loader.logs if log.source == loader.single_file]
        _check_single_log(path, file_logs)
    return LoadedBundle(
        source=str(path),
        inventory=inventory,
        logs=loader.logs,
        configs=loader.configs,
        queues=loader.queues,
        groups=groups,
        options=options,
        captured=captured,
    )


def _drop_copies(logs: list[ParsedLog], inventory: Inventory) -> list[ParsedLog]:
    """Keep one log of each content: a bundle may hold a copy of a log under
    another name (tmp/maillog.copy), whose lines would count twice.

    The copy kept is the one under /var/log, else the one with the shortest path.
    The others are listed as skipped, naming the log they repeat.
    """
    entries = {e.path: e for e in inventory.entries}
    by_content: dict[str, list[ParsedLog]] = {}
    for log in logs:
        entry = entries.get(log.source)
        if entry is not None and entry.sha256 and entry.lines:
            by_content.setdefault(entry.sha256, []).append(log)
    dropped: set[int] = set()
    for same in by_content.values():
        if len(same) < 2:
            continue
        ranked = sorted(same, key=_copy_rank)
        for copy in ranked[1:]:
            entry = entries[copy.source]
            entry.status = STATUS_SKIPPED
            _add_detail(entry, f"the same content as {ranked[0].source}, read once")
            dropped.add(id(copy))
    return [log for log in logs if id(log) not in dropped]


def _copy_rank(log: ParsedLog) -> tuple[bool, int, str]:
    path = log.source
    return ("var/log/" not in f"/{path}", path.count("/"), path)


ROTATION_SLACK = pd.Timedelta(days=2)
"""How long before its rotation date a rotated file's successor may begin,
because a file rotated at night contains the evening before."""


def _follow_rotations(
    logs: list[ParsedLog], inventory: Inventory, zone: tzinfo
) -> None:
    """Move a log without a date in its name to follow its dated rotations.

    Its years come from its file time. A bundle made by copying files (rather
    than archiving them) gives every file the copy's time, so a current
    ``maillog`` next to ``maillog-20250105.gz`` may be read a year or more too
    late. Such a file begins after its newest rotation, so it is moved back by
    whole years while it still begins after that date.
    """
    entries = {entry.path: entry for entry in inventory.entries}
    dated: dict[tuple[str, str], date] = {}
    for log in logs:
        when = members.rotation_date(log.source)
        if when is not None:
            key = _family(log.source)
            dated[key] = max(when, dated.get(key, when))
    for log in logs:
        newest = dated.get(_family(log.source))
        if newest is None or not log.year_guessed or log.events.num_rows == 0:
            continue
        if members.rotation_date(log.source) is not None:
            continue
        times = log.events.column("time").to_pandas()
        first = times.min()
        if pd.isna(first):
            continue
        earliest = pd.Timestamp(newest, tz=zone) - ROTATION_SLACK
        years = 0
        while first.tz_convert(zone) - pd.DateOffset(years=years + 1) >= earliest:
            years += 1
        if years == 0:
            continue
        position = log.events.column_names.index("time")
        moved = _move_years(times, -years, zone)
        column = pa.array(moved, pa.timestamp("ns", tz="UTC"))
        log.events = log.events.set_column(position, "time", column)
        note = (
            f"years moved back {years} to follow the rotation of {newest:%Y-%m-%d}: "
            "the file time is later than the lines"
        )
        entry = entries.get(log.source)
        if entry is not None:
            entry.detail = f"{entry.detail}; {note}" if entry.detail else note
        logger.info("%s: %s", log.source, note)


def _family(path: str) -> tuple[str, str]:
    """Return the folder and the name, without rotation date or number, of a log file."""
    name = members.base_name(path)
    name = members.ROTATION_DATE.sub(
        lambda match: "." if match.group(0).endswith(".") else "", name
    )
    name = members.ROTATION_NUMBER.sub("", name)
    return posixpath.dirname(path), name


def _apply_year(logs: list[ParsedLog], year: int | None, zone: tzinfo) -> None:
    """Move the logs whose years were guessed so that their newest line is in ``year``.

    Each file's years are first guessed from its rotation date or file time, which
    keeps rotated files in order across a new year; ``--year`` then moves them
    all by the same number of years.
    """
    guessed = [log for log in logs if log.year_guessed and log.events.num_rows]
    newest = [pc.max(log.events.column("time")).as_py() for log in guessed]
    known = [moment for moment in newest if moment is not None]
    if year is None or not known:
        return
    years = year - max(known).astimezone(zone).year
    if years == 0:
        return
    for log in guessed:
        position = log.events.column_names.index("time")
        moved = _move_years(log.events.column("time").to_pandas(), years, zone)
        column = pa.array(moved, pa.timestamp("ns", tz="UTC"))
        log.events = log.events.set_column(position, "time", column)


def _move_years(times: pd.Series, years: int, zone: tzinfo) -> pd.Series:
    """Move UTC times by whole years of wall-clock time in ``zone``.

    A local time that occurs twice (when the clocks go back) keeps the UTC offset
    it had; one that does not exist in the new year moves forward.
    """
    local = times.dt.tz_convert(zone)
    offset = local.dt.tz_localize(None) - times.dt.tz_localize(None)
    wall = local.dt.tz_localize(None) + pd.DateOffset(years=years)
    summer, winter = (
        wall.dt.tz_localize(
            zone, ambiguous=np.full(len(wall), flag), nonexistent="shift_forward"
        )
        for flag in (True, False)
    )
    summer_offset = summer.dt.tz_localize(None) - summer.dt.tz_convert(
        UTC
    ).dt.tz_localize(None)
    return summer.where(summer_offset == offset, winter).dt.tz_convert(UTC)


def _check_usable(path: Path | str, inventory: Inventory) -> None:
    """Raise ``EmptyBundle`` when no member of the bundle could be used."""
    usable = {STATUS_READ, STATUS_PARTIAL}
    readable = [
        e
        for e in inventory.entries
        if e.kind not in (KIND_OTHER, KIND_ARCHIVE) and e.status in usable
    ]
    # A member whose size is unknown (a zip member with a data descriptor)
    # counts as having content.
    if readable and any(_has_content(e) for e in readable):
        return
    if readable:
        raise EmptyBundle(
            f"{path}: the bundle is empty: {_empty_files(readable)}; it should "
            "contain the mail log, main.cf and the output of mailq."
        )
    limited = [e for e in inventory.entries if e.limit is not None]
    if limited:
        first = limited[0]
        raise EmptyBundle(
            f"{path}: no member of the bundle could be read within the safety "
            f"limits. {first.path}: {first.detail}"
        )
    broken = [
        e for e in inventory.entries if e.status in (STATUS_ERROR, STATUS_PARTIAL)
    ]
    if broken or inventory.errors:
        reason = (
            f"{broken[0].path}: {broken[0].detail}" if broken else inventory.errors[0]
        )
        raise EmptyBundle(
            f"{path}: no member of the bundle could be read ({reason}); check that "
            "the upload is complete and not damaged."
        )
    raise EmptyBundle(
        f"{path}: no mail log, main.cf or mailq output was found in the bundle; "
        "collect /var/log/maillog* (/var/log/mail.log* on Debian and Ubuntu, or "
        "`journalctl -u 'postfix*' -o json` where syslog keeps no file), "
        "/etc/postfix/main.cf and the output of mailq."
    )


def _check_single_log(path: Path | str, logs: list[ParsedLog]) -> None:
    """Raise ``EmptyBundle`` when the one file given as the bundle has lines but
    none with a syslog header: it is some other file, not a mail log."""
    if len(logs) != 1:
        return
    stats = logs[0].stats
    if stats.lines and not stats.syslog_lines:
        raise EmptyBundle(
            f"{path}: not a mail log: none of its {stats.lines:,} lines starts with a "
            "syslog header (time, host name and program, as in /var/log/maillog); "
            "give the mail log, or the folder or archive of the support bundle."
        )


def _has_content(entry: InventoryEntry) -> bool:
    """Tell whether a member has any content.

    A compressed log's size is that of its compressed form, and logrotate
    compresses an empty log to a few bytes, so its line count decides.
    """
    if entry.compression is not None and entry.kind in (KIND_MAILLOG, KIND_JOURNAL):
        return bool(entry.lines)
    return entry.size != 0


def _empty_files(entries: list[InventoryEntry], named: int = 3) -> str:
    """Name up to ``named`` empty members in a clause such as "maillog and
    main.cf are empty files"."""
    names = [e.path for e in entries[:named]]
    if len(entries) > named:
        names.append(f"{len(entries) - named} more")
    if len(names) == 1:
        return f"{names[0]} is an empty file"
    return f"{', '.join(names[:-1])} and {names[-1]} are empty files"


EARLIEST_FILE_TIME = datetime(1998, 1, 1, tzinfo=UTC)
"""Postfix's first release was in 1998: an earlier file time, such as the zero
that some archivers write, says nothing about when the file was written."""


def _file_time(entry: InventoryEntry) -> datetime | None:
    """Return the member's modification time, or None when it is unknown."""
    mtime = entry.mtime
    if mtime is None:
        return None
    if mtime.tzinfo is None:
        mtime = mtime.replace(tzinfo=UTC)
    return mtime if mtime >= EARLIEST_FILE_TIME else None


def _capture_time(inventory: Inventory) -> datetime | None:
    times = [t for t in map(_file_time, inventory.entries) if t is not None]
    return max(times) if times else None


def assign_groups(paths: list[str]) -> dict[str, str]:
    """Return the host group of each member path (see ``members.host_hint``)."""
    folders = [p.split("/")[:-1] for p in paths]
    common = 0
    if folders and all(folders):
        for parts in zip(*folders, strict=False):
            if len(set(parts)) != 1:
                break
            common += 1
    return {
        path: members.host_hint("/".join(path.split("/")[common:])) for path in paths
    }


def oldest_first(logs: list[ParsedLog]) -> list[ParsedLog]:
    """Order rotated copies of each log from oldest to newest.

    Lines logged in the same second by two copies keep this order when events are
    sorted by time: ``maillog-20261201.gz`` before ``maillog-20261202`` before
    ``maillog``, and ``mail.log.2.gz`` before ``mail.log.1`` before ``mail.log``.
    """

    def age(log: ParsedLog) -> tuple[str, bool, date, int]:
        folder = posixpath.dirname(log.source)
        dated = members.rotation_date(log.source)
        number = members.rotation_number(log.source)
        current = dated is None and number == 0
        return (folder, current, dated or date.min, -number)

    return sorted(logs, key=age)


def merge_events(
    logs: list[ParsedLog], kinds: Collection[str] | None = None
) -> tuple[pa.Table, dict[str, pa.Table], int, TextStore]:
    """Join the events of all logs in time order and drop duplicated lines.

    Overlapping rotated copies repeat lines; a line counts as a duplicate when
    host, time (to the second), program, pid and text are the same as a line of
    another member.
    Returns the events, the per-kind field tables re-pointed at them (only those
    of ``kinds``, when given), the number of duplicates dropped and the texts,
    which the events' ``text_row`` column indexes. The logs give up their tables
    (only their line counts stay), so that the events are held in memory once.
    """
    tables = []
    fields: dict[str, list[pa.Table]] = {}
    texts = TextStore()
    offset = 0
    for number, log in enumerate(logs):
        log_texts = log.detach_text()
        rows = log.events.num_rows
        source = pa.DictionaryArray.from_arrays(
            pa.array(np.zeros(rows, dtype=np.int32)), pa.array([log.source])
        )
        # Half the memory of int64 on a 1M-line log; 2**31 lines are out of reach.
        text_row = pa.array(np.arange(texts.rows, texts.rows + rows, dtype=np.int32))
        texts.extend(log_texts)
        events = (
            log.events.append_column("source", source)
            .append_column("member", pa.array(np.full(rows, number, dtype=np.int32)))
            .append_column("text_row", text_row)
        )
        tables.append(events)
        for kind, table in log.fields.items():
            if kinds is not None and kind not in kinds:
                continue
            shifted = table.set_column(
                table.schema.get_field_index("event"),
                "event",
                pc.add(table.column("event"), offset),
            )
            fields.setdefault(kind, []).append(shifted)
        offset += rows
    if not tables:
        return _empty_events(), {}, 0, texts
    for log in logs:
        log.events = log.events.schema.empty_table()  # a slice would keep the buffers
        log.fields = {}
        log.texts = TextStore()
    events = pa.concat_tables(tables, promote_options="default").unify_dictionaries()
    del tables
    order, duplicates = _time_order(events, texts)
    merged = {
        kind: pa.concat_tables(parts, promote_options="default")
        for kind, parts in fields.items()
    }
    identity = bool(np.all(order[1:] > order[:-1])) if len(order) > 1 else True
    # Handed over in a list that _rebuild empties: a name here would keep every
    # old column alive while its copy is made.
    handed = [events]
    del events
    if identity and len(duplicates) == 0:
        return _rebuild(handed, None), merged, 0, texts
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    kept = np.ones(len(order), dtype=bool)
    kept[position[duplicates]] = False
    new_index = np.cumsum(kept) - 1
    events = _rebuild(handed, order[kept])
    for kind, table in merged.items():
        old = table.column("event").to_numpy()
        keep_rows = kept[position[old]]
        if not keep_rows.all():
            table = table.filter(pa.array(keep_rows))
            old = old[keep_rows]
        merged[kind] = table.set_column(
            table.schema.get_field_index("event"),
            "event",
            pa.array(new_index[position[old]]),
        )
    return events, merged, len(duplicates), texts


def _rebuild(handed: list[pa.Table], rows: np.ndarray | None) -> pa.Table:
    """Return the events table in ``handed`` as one chunk per column, only
    ``rows`` and in their order when given.

    pandas re-joins chunked strings on every take, hence one chunk. The columns
    are rebuilt one at a time and each old column is let go as soon as its copy
    exists, so that memory keeps the events once plus one column, not twice.
    For that the caller hands the table over in a list, which this empties.
    """
    events = handed.pop()
    schema = events.schema
    columns = [events.column(i) for i in range(events.num_columns)]
    del events
    positions = None if rows is None else pa.array(rows)
    for i, column in enumerate(columns):
        columns[i] = None
        if positions is not None:
            column = column.take(positions)
        columns[i] = pa.chunked_array([column.combine_chunks()], column.type)
        del column
        memory.release()
    return pa.table(columns, schema=schema)


def _empty_events() -> pa.Table:
    from analyzer.parse.logfile import EVENT_SCHEMA

    schema = EVENT_SCHEMA.remove(EVENT_SCHEMA.get_field_index("text"))
    schema = schema.append(pa.field("time", pa.timestamp("ns", tz="UTC")))
    schema = schema.append(pa.field("source", pa.string()))
    schema = schema.append(pa.field("member", pa.int64()))
    schema = schema.append(pa.field("text_row", pa.int32()))
    return schema.empty_table()


def _time_order(events: pa.Table, texts: TextStore) -> tuple[np.ndarray, np.ndarray]:
    """Return a stable time order and the rows that repeat another member's line."""
    time = events.column("time").to_numpy().astype("datetime64[ns]").view(np.int64)
    member = events.column("member").to_numpy()
    line = events.column("line_no").to_numpy()
    # Missing times (NaT) sort by their file position, after the known ones.
    order = np.lexsort((line, member, time))
    duplicates = _duplicate_rows(events, texts, time, member)
    return order, duplicates


def _duplicate_rows(
    events: pa.Table, texts: TextStore, time: np.ndarray, member: np.ndarray
) -> np.ndarray:
    candidates = _rows_in_overlaps(time, member)
    if len(candidates) == 0:
        return candidates
    chosen = events.select(["host", "program", "pid", "text_row"]).take(
        pa.array(candidates)
    )
    frame = chosen.drop_columns(["text_row"]).to_pandas()
    # Hashes, not the texts: two logs of 1.5M lines each held 0.9 GiB of texts.
    frame["text"] = texts.hashes(chosen.column("text_row").to_numpy())
    frame["member"] = member[candidates]
    keys = ["host", "program", "pid", "text", "time"]
    cross = np.zeros(len(frame), dtype=bool)
    # Whole seconds, because a journal export gives microseconds where the
    # syslog file of the same host gives seconds. rsyslog's stamp may fall in
    # the next second (10:00:40.99999 against 10:00:41), which rounding matches.
    second = 1_000_000_000
    for seconds in (
        time[candidates] // second,
        (time[candidates] + second // 2) // second,
    ):
        frame["time"] = seconds
        first_member = frame.groupby(keys, sort=False, dropna=False)[
            "member"
        ].transform("first")
        # Only repeats across members are rotation overlaps; within one file a
        # repeated line is genuine (two identical events in the same second).
        repeated = frame.duplicated(keys, keep="first") & (
            first_member != frame["member"]
        )
        cross |= repeated.to_numpy(dtype=bool)
    return np.asarray(candidates[cross], dtype=np.int64)


def _rows_in_overlaps(time: np.ndarray, member: np.ndarray) -> np.ndarray:
    """Return the rows whose time falls inside the time span of another member."""
    members_present = np.unique(member)
    if len(members_present) < 2:
        return np.zeros(0, dtype=np.int64)
    valid = time != np.iinfo(np.int64).min
    # In whole seconds, as ``_duplicate_rows`` compares them, one either side.
    seconds = time // 1_000_000_000
    spans = {
        m: (seconds[(member == m) & valid].min(), seconds[(member == m) & valid].max())
        for m in members_present
        if ((member == m) & valid).any()
    }
    inside = np.zeros(len(time), dtype=bool)
    for m, (low, high) in spans.items():
        inside |= (member != m) & valid & (seconds >= low - 1) & (seconds <= high + 1)
    return np.flatnonzero(inside)
