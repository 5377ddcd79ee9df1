"""Classify Postfix log messages by the rules table and extract their fields."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from analyzer.parse import fast
from analyzer.parse.rules import (
    ADDRESS_FIELDS,
    LENIENT_QUEUE_ID_LINE,
    QID_NONE,
    QID_REQUIRED,
    QUEUE_ID,
    QUEUE_ID_FIELD,
    RULES,
    Rule,
)

_LEADS = sorted(
    {lead for rule in RULES for lead in rule.leads if lead}, key=len, reverse=True
)
LEAD_VALUES = tuple(_LEADS)
"""Every lead, longest first: the order in which LEAD_PATTERN tries them."""
LEAD_PATTERN = (
    rf"^(?:(?P<qid>{QUEUE_ID}|NOQUEUE): )?"
    "(?P<lead>" + "|".join(re.escape(lead) for lead in _LEADS) + "|)"
)
_QID_PREFIXES = {
    "strict": rf"^(?:{QUEUE_ID}|NOQUEUE): ",
    "lenient": r"^[0-9A-Za-z]{5,21}: ",
}
"""Queue ID prefixes removed before the rule patterns run, per lead pattern."""
_LENIENT_LEAD_PATTERN = LEAD_PATTERN.replace(
    rf"(?P<qid>{QUEUE_ID}|NOQUEUE)", r"(?P<qid>[0-9A-Za-z]{5,21})"
)

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Program:
    """A syslog program tag split the Postfix way: instance[/service...]/daemon."""

    instance: str
    service: str | None
    daemon: str
    is_postfix: bool


@lru_cache(maxsize=4096)
def split_program(tag: str, extra_prefixes: tuple[str, ...] = ()) -> Program:
    """Split ``postfix-out/submission/smtpd`` into instance, service and daemon.

    The daemon is the last element; the first is the instance (the ``syslog_name``
    of a multi-instance set-up, ``postfix`` by default).
    """
    parts = tag.split("/")
    instance = parts[0]
    is_postfix = (
        instance == "postfix"
        or instance.startswith(("postfix-", "postfix_"))
        or instance in extra_prefixes
    )
    if len(parts) == 1:
        return Program(instance, None, instance, is_postfix and instance == "postfix")
    service = "/".join(parts[1:-1]) or None
    return Program(instance, service, parts[-1], is_postfix)


@dataclass
class Classified:
    """Queue ID, kind and rule of each message, and the fields of each kind."""

    queue_id: pa.Array
    kind: np.ndarray
    """Index into ``KIND_NAMES`` of each row."""
    rule: np.ndarray
    """Index into ``RULES`` of each row; -1 where no rule matched."""
    fields: dict[str, pa.Table] = field(default_factory=dict)
    """Per kind: the extracted fields, with column ``row`` pointing into the input."""


KIND_NAMES: tuple[str, ...] = (*dict.fromkeys(r.kind for r in RULES), UNKNOWN)
RULE_NAMES: tuple[str, ...] = tuple(r.name for r in RULES)
KIND_INDEX = {name: i for i, name in enumerate(KIND_NAMES)}


@cache
def _full_pattern(rule: Rule) -> str:
    """The rule's pattern, anchored at the start of the text after the queue ID."""
    return "^" + rule.pattern


def classify(body: pa.Array, daemon: np.ndarray) -> Classified:
    """Classify each message body; ``daemon`` is the daemon name of each row."""
    result = _classify(body, daemon, LEAD_PATTERN)
    unknown = np.flatnonzero(result.kind == KIND_INDEX[UNKNOWN])
    if len(unknown) == 0:
        return result
    lenient = pc.match_substring_regex(
        body.take(pa.array(unknown)), LENIENT_QUEUE_ID_LINE
    )
    rows = unknown[np.asarray(pc.fill_null(lenient, False))]
    if len(rows) == 0:
        return result
    retry = _classify(body.take(pa.array(rows)), daemon[rows], _LENIENT_LEAD_PATTERN)
    return _merge(result, retry, rows)


def _merge(result: Classified, retry: Classified, rows: np.ndarray) -> Classified:
    """Overwrite ``rows`` of ``result`` with the rows of ``retry`` that matched."""
    hit = retry.kind != KIND_INDEX[UNKNOWN]
    if not hit.any():
        return result
    target = rows[hit]
    result.kind[target] = retry.kind[hit]
    result.rule[target] = retry.rule[hit]
    mask = np.zeros(len(result.kind), dtype=bool)
    mask[target] = True
    replacement = retry.queue_id.filter(pa.array(hit))
    result.queue_id = pc.replace_with_mask(result.queue_id, pa.array(mask), replacement)
    for kind, table in retry.fields.items():
        moved = table.set_column(
            0, "row", pa.array(rows[table.column("row").to_numpy()])
        )
        existing = result.fields.get(kind)
        result.fields[kind] = (
            moved
            if existing is None
            else pa.concat_tables([existing, moved], promote_options="default")
        )
    return result


def _find_leads(
    body: pa.Array, lead_pattern: str
) -> tuple[pa.Array, np.ndarray, pa.Array, np.ndarray, list[str]]:
    """Return queue IDs, whether each row has one, the text after the queue ID,
    lead codes and lead values."""
    if lead_pattern is LEAD_PATTERN and fast.enabled():
        lengths, found = fast.classify(body, LEAD_VALUES)
        data, starts, ends = fast.buffers(body)
        has_qid = lengths > 0
        valid = np.asarray(body.is_valid())
        queue_id = fast.cut(data, starts, starts + lengths, has_qid)
        rest_start = starts + np.where(has_qid, lengths.astype(np.int64) + 2, 0)
        rest = fast.cut(data, rest_start, ends, valid)
        codes = np.where(found < 0, len(LEAD_VALUES), found).astype(np.int64)
        return queue_id, has_qid, rest, codes, [*LEAD_VALUES, ""]
    lead_match = pc.extract_regex(body, lead_pattern)
    qid = lead_match.field("qid")
    has_qid = np.asarray(pc.fill_null(pc.not_equal(qid, ""), False))
    queue_id = pc.if_else(pa.array(has_qid), qid, pa.nulls(len(body), pa.string()))
    prefix = _QID_PREFIXES["strict" if lead_pattern is LEAD_PATTERN else "lenient"]
    stripped = pc.replace_substring_regex(body, prefix, "")
    rest = pc.if_else(pa.array(has_qid), stripped, body)
    lead = pc.dictionary_encode(pc.fill_null(lead_match.field("lead"), ""))
    lead_codes = np.asarray(pc.fill_null(lead.indices, -1))
    return queue_id, has_qid, rest, lead_codes, lead.dictionary.to_pylist()


def _classify(body: pa.Array, daemon: np.ndarray, lead_pattern: str) -> Classified:
    queue_id, has_qid, rest, lead_codes, lead_values = _find_leads(body, lead_pattern)
    rows_by_lead = _RowsByLead(lead_codes, lead_values)

    kind = np.full(len(body), KIND_INDEX[UNKNOWN], dtype=np.int16)
    rule_index = np.full(len(body), -1, dtype=np.int16)
    pending = np.ones(len(body), dtype=bool)
    per_kind: dict[str, list[pa.Table]] = {}
    inner_ids: list[tuple[np.ndarray, pa.Array]] = []
    for index, rule in enumerate(RULES):
        rows = rows_by_lead.rows(rule.leads)
        rows = rows[pending[rows]]
        if rule.queue_id == QID_REQUIRED:
            rows = rows[has_qid[rows]]
        elif rule.queue_id == QID_NONE:
            rows = rows[~has_qid[rows]]
        if rule.daemons is not None and len(rows):
            rows = rows[np.isin(daemon[rows], list(rule.daemons))]
        if rule.requires and len(rows):
            candidates = rest.take(pa.array(rows))
            found = pc.fill_null(pc.match_substring(candidates, rule.requires), False)
            rows = rows[np.asarray(found)]
        if len(rows) == 0:
            continue
        extracted = _extract(rule, rest, rows)
        matched = np.asarray(extracted.is_valid())
        if not matched.any():
            continue
        hit_rows = rows[matched]
        kind[hit_rows] = KIND_INDEX[rule.kind]
        rule_index[hit_rows] = index
        pending[hit_rows] = False
        hits = extracted.filter(pa.array(matched))
        if hits.type.get_field_index(QUEUE_ID_FIELD) >= 0:
            inner_ids.append((hit_rows, hits.field(QUEUE_ID_FIELD)))
        table = _struct_to_table(hits, hit_rows)
        per_kind.setdefault(rule.kind, []).append(table)
    queue_id = _add_inner_queue_ids(queue_id, has_qid, inner_ids)
    fields = {
        name: pa.concat_tables(tables, promote_options="default")
        for name, tables in per_kind.items()
    }
    return Classified(queue_id, kind, rule_index, fields)


def _extract(rule: Rule, texts: pa.Array, rows: np.ndarray) -> pa.StructArray:
    """Match ``rule`` against ``texts`` at ``rows``: its fields, null where it
    does not match.

    Delivery records, the most frequent lines, go through the compiled scanner,
    which reads them in place; texts the scanner does not accept are left to
    the pattern.
    """
    if rule.pattern != fast.DELIVERY_PATTERN or not fast.enabled():
        return pc.extract_regex(texts.take(pa.array(rows)), _full_pattern(rule))
    ok, scanned = fast.delivery(texts, rows)
    if ok.all():
        return scanned
    others = np.flatnonzero(~ok)
    fallback = pc.extract_regex(texts.take(pa.array(rows[others])), _full_pattern(rule))
    combined = pa.concat_arrays([scanned.filter(pa.array(ok)), fallback])
    position = np.concatenate([np.flatnonzero(ok), others])
    return combined.take(pa.array(np.argsort(position, kind="stable")))


class _RowsByLead:
    """Rows grouped by the lead found at their start, for the rule loop.

    A rule applies to a row when one of the rule's leads is a prefix of the
    row's lead. So a line whose longest lead belongs to a rule that does not
    match falls back to the rules of shorter leads.
    """

    def __init__(self, codes: np.ndarray, values: list[str]) -> None:
        self.values = values
        self.order = np.argsort(codes, kind="stable")
        self.bounds = np.searchsorted(codes[self.order], np.arange(len(values) + 1))

    def rows(self, leads: tuple[str, ...]) -> np.ndarray:
        codes = _lead_codes(tuple(self.values), leads)
        if not codes:
            return np.zeros(0, dtype=np.int64)
        parts = [self.order[self.bounds[c] : self.bounds[c + 1]] for c in codes]
        return np.sort(np.concatenate(parts))


@lru_cache(maxsize=512)
def _lead_codes(values: tuple[str, ...], leads: tuple[str, ...]) -> list[int]:
    """Indexes of the ``values`` that start with one of ``leads``."""
    return [code for code, value in enumerate(values) if value.startswith(leads)]


def _add_inner_queue_ids(
    queue_id: pa.Array,
    has_qid: np.ndarray,
    inner_ids: list[tuple[np.ndarray, pa.Array]],
) -> pa.Array:
    """Fill the queue ID of rows whose rule found it inside the message."""
    if not inner_ids:
        return queue_id
    rows = np.concatenate([rows for rows, _ in inner_ids])
    values = pa.concat_arrays([values for _, values in inner_ids])
    keep = ~has_qid[rows]
    if not keep.any():
        return queue_id
    mask = np.zeros(len(queue_id), dtype=bool)
    mask[rows[keep]] = True
    order = np.argsort(rows[keep])
    replacement = values.filter(pa.array(keep)).take(pa.array(order))
    return pc.replace_with_mask(queue_id, pa.array(mask), replacement)


def _struct_to_table(struct: pa.StructArray, rows: np.ndarray) -> pa.Table:
    columns = [pa.array(rows, pa.int64())]
    names = ["row"]
    for i in range(struct.type.num_fields):
        name = struct.type.field(i).name
        if name == QUEUE_ID_FIELD:
            continue
        values = _empty_to_null(struct.field(i))
        if name in ADDRESS_FIELDS:
            values = _strip_brackets(values)
        columns.append(values)
        names.append(name)
    return pa.Table.from_arrays(columns, names=names)


def _empty_to_null(values: pa.Array) -> pa.Array:
    """Make "" null: RE2 reports an optional group that did not take part as ""."""
    empty = pc.equal(values, "")
    count = pc.sum(empty).as_py() or 0
    if count == 0:
        return values
    if count == len(values):  # a group that no row had, such as orig_to=
        return pa.nulls(len(values), values.type)
    return pc.if_else(empty, None, values)


def _strip_brackets(values: pa.Array) -> pa.Array:
    """Return addresses without their angle brackets: ``<a@example.com>`` gives
    ``a@example.com`` and ``<>`` (the null sender) gives ""."""
    enclosed = pc.and_(pc.starts_with(values, "<"), pc.ends_with(values, ">"))
    return pc.if_else(enclosed, pc.utf8_slice_codeunits(values, 1, -1), values)
