"""Parse one mail log member into an events table and per-kind field tables."""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import BinaryIO

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyzer import memory
from analyzer.parse import postfix, syslog
from analyzer.parse.lines import LineChunk, iter_line_chunks
from analyzer.parse.texts import Block, TextStore
from analyzer.parse.timestamps import (
    TimeParts,
    YearReference,
    infer_years,
    split_timestamps,
    to_utc,
)

SAMPLE_LIMIT = 20
"""Examples kept of lines without a syslog header."""

SAMPLES_PER_DAEMON = 5
"""Examples kept of the Postfix lines of each daemon that no rule recognized."""

UNKNOWN_SAMPLE_LIMIT = 50
"""Examples kept of unrecognized Postfix lines in all, over all daemons."""


@dataclass
class LineStats:
    """How the lines of one log member were accounted for."""

    lines: int = 0
    syslog_lines: int = 0
    """Lines with a syslog header, from any program."""
    postfix_lines: int = 0
    recognized_lines: int = 0
    """Postfix lines that a rule recognized."""
    bad_timestamps: int = 0
    skipped_times: int = 0
    """Stamps in an hour that the zone they were read in skips (clocks going
    forward): read as the next valid time. Many suggest the wrong zone."""
    invalid_utf8_lines: int = 0
    legacy_codecs: Counter[str] = field(default_factory=Counter)
    """Lines that were not UTF-8, by the codec that read them (see ``legacy``)."""
    nul_lines: int = 0
    cut_lines: int = 0
    other_programs: Counter[str] = field(default_factory=Counter)
    """Lines of programs other than Postfix, by program name."""
    unknown_by_daemon: Counter[str] = field(default_factory=Counter)
    """Postfix lines that no rule recognized, by daemon."""
    unknown_by_program: Counter[str] = field(default_factory=Counter)
    """Postfix lines that no rule recognized, by program tag as logged."""
    unparsed_samples: list[tuple[int, str]] = field(default_factory=list)
    """(line number, text) of lines without a syslog header."""
    unknown_samples: list[tuple[int, str, str]] = field(default_factory=list)
    """(line number, daemon, text) of Postfix lines that no rule recognized:
    the first ``SAMPLES_PER_DAEMON`` of each daemon, in file order per daemon."""

    @property
    def unparsed_lines(self) -> int:
        return self.lines - self.syslog_lines

    def merge(self, other: LineStats) -> None:
        for name in ("lines", "syslog_lines", "postfix_lines", "recognized_lines",
                     "bad_timestamps", "skipped_times", "invalid_utf8_lines",
                     "nul_lines", "cut_lines"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.legacy_codecs.update(other.legacy_codecs)
        self.other_programs.update(other.other_programs)
        self.unknown_by_daemon.update(other.unknown_by_daemon)
        self.unknown_by_program.update(other.unknown_by_program)
        _extend_samples(self.unparsed_samples, other.unparsed_samples)
        _extend_unknown_samples(self.unknown_samples, other.unknown_samples)


def _extend_samples(target: list, extra: Iterable) -> None:  # type: ignore[type-arg]
    for item in extra:
        if len(target) >= SAMPLE_LIMIT:
            return
        target.append(item)


def _extend_unknown_samples(
    target: list[tuple[int, str, str]], extra: Iterable[tuple[int, str, str]]
) -> None:
    per_daemon = Counter(daemon for _, daemon, _ in target)
    for item in extra:
        if len(target) >= UNKNOWN_SAMPLE_LIMIT:
            return
        if per_daemon[item[1]] < SAMPLES_PER_DAEMON:
            per_daemon[item[1]] += 1
            target.append(item)


@dataclass
class ParsedLog:
    """Events of one log member, in file order."""

    source: str
    events: pa.Table
    fields: dict[str, pa.Table]
    """Per kind: extracted fields, with column ``event`` indexing ``events``."""
    stats: LineStats
    year_guessed: bool = False
    """No timestamp of the file has a year: all years come from the YearReference."""
    texts: TextStore | None = None
    """The events' texts, once ``detach_text`` has moved them out of ``events``."""

    def detach_text(self) -> TextStore:
        """Move the text column of ``events`` into ``texts``, compressed, and
        return ``texts``."""
        if self.texts is None:
            self.texts = TextStore.of(self.events.column("text"))
            self.events = self.events.drop_columns(["text"])
        return self.texts


_CODES = pa.dictionary(pa.int32(), pa.string())
"""Columns with few distinct values are dictionary-encoded, a fraction of the memory."""

EVENT_SCHEMA = pa.schema(
    [
        ("line_no", pa.int64()),
        ("host", _CODES),
        ("program", _CODES),
        ("instance", _CODES),
        ("service", _CODES),
        ("daemon", _CODES),
        ("pid", pa.int64()),
        ("queue_id", pa.string()),
        ("kind", _CODES),
        ("rule", _CODES),
        ("text", pa.string()),
        ("stamp", _CODES),
    ]
)


@dataclass
class _ChunkResult:
    events: pa.Table
    fields: dict[str, pa.Table]
    times: TimeParts
    stats: LineStats
    texts: Block | None = None
    """The events' texts, compressed on the parse thread, when detached."""


def parse_log(
    stream: BinaryIO,
    source: str,
    reference: YearReference,
    zone: tzinfo,
    syslog_names: tuple[str, ...] = (),
    detach_text: bool = False,
    field_kinds: Collection[str] | None = None,
) -> ParsedLog:
    """Parse a syslog-format mail log; see ``syslog`` for the accepted forms.

    ``syslog_names`` adds program prefixes to treat as Postfix (a ``syslog_name``
    that does not start with "postfix"). With ``detach_text``, the texts go to
    ``texts`` chunk by chunk, so that they are never all in memory. With
    ``field_kinds``, only the field records of those kinds are kept.
    """
    chunks = _parallel_chunks(stream, syslog_names, detach_text)
    return assemble(source, chunks, reference, zone, detach_text, field_kinds)


PARSE_THREADS = min(4, os.cpu_count() or 1)
"""Chunks parsed at once. Arrow, NumPy and the scanner release the GIL."""


def _parallel_chunks(
    stream: BinaryIO, syslog_names: tuple[str, ...], detach_text: bool = False
) -> Iterator[_ChunkResult]:
    """Parse chunks on a few threads, yielding results in file order.

    At most PARSE_THREADS + 1 chunks are in memory at once, so memory stays
    bounded however long the log is.
    """
    chunks = iter_line_chunks(stream)
    if PARSE_THREADS < 2:
        yield from (_parse_chunk(chunk, syslog_names, detach_text) for chunk in chunks)
        return
    with ThreadPoolExecutor(max_workers=PARSE_THREADS) as pool:
        pending: deque[Future[_ChunkResult]] = deque()
        for chunk in chunks:
            pending.append(pool.submit(_parse_chunk, chunk, syslog_names, detach_text))
            if len(pending) > PARSE_THREADS:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def assemble(
    source: str,
    chunks: Iterator[_ChunkResult],
    reference: YearReference,
    zone: tzinfo,
    detach_text: bool = False,
    field_kinds: Collection[str] | None = None,
) -> ParsedLog:
    """Join chunk results, number the events and settle their timestamps."""
    texts = TextStore() if detach_text else None
    tables: list[pa.Table] = []
    times: list[TimeParts] = []
    fields: dict[str, list[pa.Table]] = {}
    stats = LineStats()
    offset = 0
    for chunk in chunks:
        # Parsing a chunk frees many blocks below the mmap threshold, scattered
        # through the heap: hand their pages back before they pile up.
        memory.release()
        if texts is not None and chunk.texts is not None:
            texts.append(chunk.texts)
        tables.append(chunk.events)
        times.append(chunk.times)
        stats.merge(chunk.stats)
        for kind, table in chunk.fields.items():
            if field_kinds is not None and kind not in field_kinds:
                continue
            index = pc.add(table.column("row"), offset)
            shifted = table.drop_columns(["row"]).append_column("event", index)
            fields.setdefault(kind, []).append(shifted)
        offset += chunk.events.num_rows
    schema = EVENT_SCHEMA
    if texts is not None:
        schema = schema.remove(schema.get_field_index("text"))
    events = pa.concat_tables(tables) if tables else schema.empty_table()
    year_guessed = False
    if times:
        parts = TimeParts.concat(times)
        instants, stats.skipped_times = to_utc(
            parts, infer_years(parts, reference), zone
        )
        stats.bad_timestamps += int(np.isnat(instants).sum())
        year_guessed = (
            bool(parts.valid.any()) and not (parts.year[parts.valid] > 0).any()
        )
        del parts
    else:
        instants = np.zeros(0, dtype="datetime64[ns]")
    events = events.append_column(
        "time", pa.array(instants, pa.timestamp("ns", tz="UTC"))
    )
    merged = {
        kind: pa.concat_tables(parts, promote_options="default")
        for kind, parts in fields.items()
    }
    return ParsedLog(source, events, merged, stats, year_guessed, texts)


def _parse_chunk(
    chunk: LineChunk, syslog_names: tuple[str, ...], detach_text: bool = False
) -> _ChunkResult:
    result = _parse_lines(chunk, syslog_names)
    if detach_text:
        result.texts = Block.of(result.events.column("text").combine_chunks())
        result.events = result.events.drop_columns(["text"])
    return result


def _parse_lines(chunk: LineChunk, syslog_names: tuple[str, ...]) -> _ChunkResult:
    headers = syslog.scan_headers(chunk.lines)
    line_no = np.arange(len(chunk.lines), dtype=np.int64) + chunk.first_line_no
    stats = LineStats(
        lines=len(chunk.lines),
        syslog_lines=int(headers.matched.sum()),
        invalid_utf8_lines=chunk.invalid_utf8_lines,
        legacy_codecs=chunk.legacy_codecs,
        nul_lines=chunk.nul_lines,
        cut_lines=chunk.cut_lines,
    )
    unparsed = np.flatnonzero(~headers.matched)
    if len(unparsed):
        texts = chunk.lines.take(pa.array(unparsed[:SAMPLE_LIMIT])).to_pylist()
        stats.unparsed_samples = [
            (int(line_no[i]), text.rstrip("\r\n"))
            for i, text in zip(unparsed, texts, strict=False)
        ]
    return process_headers(headers, line_no, stats, syslog_names)


def process_headers(
    headers: syslog.Headers,
    line_no: np.ndarray,
    stats: LineStats,
    syslog_names: tuple[str, ...],
) -> _ChunkResult:
    """Keep the Postfix lines of a chunk and classify them."""
    programs = pc.dictionary_encode(pc.fill_null(headers.program, ""))
    tags = programs.dictionary.to_pylist()
    split = [postfix.split_program(tag, syslog_names) for tag in tags]
    codes = np.asarray(pc.fill_null(programs.indices, 0))
    is_postfix_tag = np.array([p.is_postfix for p in split], dtype=bool)
    keep = headers.matched & is_postfix_tag[codes] if tags else headers.matched & False
    others = headers.matched & ~keep
    if others.any():
        counts = np.bincount(codes[others], minlength=len(tags))
        stats.other_programs.update(
            {tags[i]: int(n) for i, n in enumerate(counts) if n}
        )
    rows = np.flatnonzero(keep)
    stats.postfix_lines = len(rows)
    take = pa.array(rows)
    program_codes = codes[rows]
    daemon = np.array([p.daemon for p in split] or [""], dtype=object)[program_codes]
    body = headers.body.take(take)
    classified = postfix.classify(body, daemon.astype(str))
    unknown = classified.kind == postfix.KIND_INDEX[postfix.UNKNOWN]
    stats.recognized_lines = int((~unknown).sum())
    _count_unknown(stats, unknown, daemon, line_no[rows], body)
    if unknown.any():
        unknown_tags = np.bincount(program_codes[unknown], minlength=len(tags))
        stats.unknown_by_program.update(
            {tags[i]: int(n) for i, n in enumerate(unknown_tags) if n}
        )

    def pick(attribute: str) -> pa.Array:
        per_tag = [getattr(p, attribute) for p in split] or [None]
        return _coded(np.asarray(per_tag, dtype=object)[program_codes])

    events = pa.table(
        {
            "line_no": pa.array(line_no[rows]),
            "host": pc.dictionary_encode(headers.host.take(take)),
            "program": _coded_from(program_codes, tags),
            "instance": pick("instance"),
            "service": pick("service"),
            "daemon": pick("daemon"),
            "pid": pa.array(headers.pid[rows]),
            "queue_id": classified.queue_id,
            "kind": _coded_from(classified.kind, postfix.KIND_NAMES),
            "rule": _coded_from(classified.rule, postfix.RULE_NAMES),
            "text": body,
            "stamp": pc.dictionary_encode(headers.ts.take(take)),
        },
        schema=EVENT_SCHEMA,
    )
    if headers.times is not None:
        times = headers.times.select(rows)
    else:
        times = split_timestamps(headers.ts.take(take))
    return _ChunkResult(events, classified.fields, times, stats)


def _coded(values: np.ndarray) -> pa.DictionaryArray:
    """Dictionary-encode an array of a few distinct strings (None stays null)."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    return _coded_from(codes, [str(u) for u in uniques])


def _coded_from(
    codes: np.ndarray, names: list[str] | tuple[str, ...]
) -> pa.DictionaryArray:
    """A dictionary array of ``names[code]``; negative codes are null."""
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(names), pa.string()))


def _count_unknown(
    stats: LineStats,
    unknown: np.ndarray,
    daemon: np.ndarray,
    line_no: np.ndarray,
    body: pa.Array,
) -> None:
    rows = np.flatnonzero(unknown)
    if len(rows) == 0:
        return
    stats.unknown_by_daemon.update(Counter(daemon[rows].tolist()))
    sample = _first_of_each(daemon[rows], SAMPLES_PER_DAEMON)
    sample = rows[sample][:UNKNOWN_SAMPLE_LIMIT]
    texts = body.take(pa.array(sample)).to_pylist()
    stats.unknown_samples = [
        (int(line_no[i]), str(daemon[i]), text)
        for i, text in zip(sample, texts, strict=True)
    ]


def _first_of_each(groups: np.ndarray, count: int) -> np.ndarray:
    """Return the positions of the first ``count`` items of each group, in order."""
    _, inverse = np.unique(groups, return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    sorted_groups = inverse[order]
    starts = np.flatnonzero(np.r_[True, sorted_groups[1:] != sorted_groups[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return np.sort(order[rank < count])
