"""Findings: diagnoses with their evidence, ranked for the report."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}
CAUSE_PRIORITY = 85
"""Priority from which findings rank first in their severity, by priority and
whatever their message counts. These are causes of a host's other findings (a
full disk, a mail loop, an unusable relayhost), expired mail and a backlog that
nothing explains. The other findings rank by messages affected."""


def quoted_reasons(texts: Iterable[str], empty: str = "") -> dict[str, object]:
    """Return the parameters that quote log ``texts`` in a summary: "reasons",
    written as "a"; "b", and "reason_texts", the texts themselves. A translation
    quotes the texts in its own marks, because a reply may contain "; " itself."""
    listed = [str(text) for text in texts]
    joined = "; ".join(f'"{text}"' for text in listed)
    return {"reasons": joined or empty, "reason_texts": listed}


@dataclass
class Evidence:
    """A log, configuration or queue listing line that supports a finding."""

    source: str
    line_no: int | None
    text: str
    kind: str = "log"
    """"log", "config" or "queue"."""


@dataclass
class Finding:
    """One diagnosis for one host."""

    code: str
    severity: str
    host: str
    messages_affected: int = 0
    first_seen: pd.Timestamp | None = None
    last_seen: pd.Timestamp | None = None
    evidence: list[Evidence] = field(default_factory=list)
    params: dict[str, Any] = field(default_factory=dict)
    """Values the title, summary and remedy texts are filled with."""
    message_keys: list[str] = field(default_factory=list)
    priority: int = 50
    """Cause rank among findings of the same severity; higher comes first.
    Below CAUSE_PRIORITY it only breaks ties of messages affected."""
    secondary: bool = False
    """Whether the finding is a symptom of another one or a problem that
    cleared, which ranks after the other findings of its severity."""
    title: str = ""
    summary: str = ""
    remedy: str = ""

    def sort_key(self) -> tuple[int, bool, int, int, int, float]:
        """Return the key that ranks findings as every report lists them."""
        seen = self.last_seen
        last = 0.0 if seen is None or pd.isna(seen) else seen.timestamp()
        cause = self.priority if self.priority >= CAUSE_PRIORITY else 0
        return (
            SEVERITY_RANK[self.severity],
            self.secondary,
            -cause,
            -self.messages_affected,
            -self.priority,
            -last,
        )

    def as_record(self) -> dict[str, Any]:
        """The finding as plain values, without its message keys and rank."""
        record = {name: copy.deepcopy(getattr(self, name)) for name in RECORD_FIELDS}
        for name in ("first_seen", "last_seen"):
            value = getattr(self, name)
            record[name] = value.isoformat() if value is not None else None
        record["evidence"] = [asdict(e) for e in self.evidence]
        return record


RECORD_FIELDS = [
    f.name
    for f in fields(Finding)
    if f.name not in ("message_keys", "priority", "secondary")
]
"""The fields of a finding's record: its message keys can be a million long."""


def rank(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=Finding.sort_key)


FINDING_COLUMNS = [
    "code", "severity", "title", "host", "messages_affected", "first_seen",
    "last_seen", "evidence", "remedy", "summary",
]  # fmt: skip


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    rows = []
    for finding in findings:
        record = finding.as_record()
        record["first_seen"] = finding.first_seen
        record["last_seen"] = finding.last_seen
        rows.append({name: record[name] for name in FINDING_COLUMNS})
    frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    for column in ("first_seen", "last_seen"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["messages_affected"] = frame["messages_affected"].astype("int64")
    return frame
