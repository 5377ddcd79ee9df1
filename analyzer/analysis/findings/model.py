"""Findings: diagnoses with their evidence, ranked for the report."""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import pandas as pd

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}


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
    """Order among findings of the same severity; higher comes first."""
    title: str = ""
    summary: str = ""
    remedy: str = ""

    def sort_key(self) -> tuple[int, int, int, float]:
        last = self.last_seen.timestamp() if self.last_seen is not None else 0.0
        return (
            SEVERITY_RANK[self.severity],
            -self.priority,
            -self.messages_affected,
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
    f.name for f in fields(Finding) if f.name not in ("message_keys", "priority")
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
