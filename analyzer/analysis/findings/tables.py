"""Findings on lookup tables whose indexed file is older than the text file it
is built from, so that Postfix still uses what the last ``postmap`` built."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from analyzer.analysis.findings.context import Context, config_evidence, log_evidence
from analyzer.analysis.findings.model import Finding
from analyzer.parse.config import MainConfig

STALE_TABLE_PRIORITY = 88
"""Rank of a stale table whose old entries send failing mail elsewhere: it
causes that failure, so it ranks as a cause (see CAUSE_PRIORITY)."""
_UNUSED_PRIORITY = 50
"""Rank of a stale table that no failure in the log points to."""

_STALE = re.compile(
    r"warning: database (?P<database>\S+) is older than source file (?P<source>\S+)"
)
"""The warning that Postfix's dict_db.c, dict_dbm.c, dict_lmdb.c and dict_cdb.c
log when a program opens a table whose text file is newer than its indexed file.
Postfix warns only when the text file was changed more than 100 seconds ago, so
a `postmap` run right after an edit leaves no warning."""
_TYPE_BY_SUFFIX = {".lmdb": "lmdb", ".cdb": "cdb"}
"""Table types by the suffix of the indexed file. A ".db" file is hash or btree,
and only main.cf shows which."""
_ALIAS_SETTINGS = ("alias_maps", "alias_database")
ROUTING_MAPS = ("transport_maps", "sender_dependent_relayhost_maps")
"""Settings that send some mail to another server than relayhost."""


@dataclass(frozen=True)
class StaleTable:
    """A table that a host's warnings show older than its text file."""

    host: str
    database: str
    source: str
    rows: list[int]
    """The warning's event rows, oldest first."""

    def params(self, config: MainConfig | None) -> dict[str, object]:
        """Return the parameters that name the table and the command that
        rebuilds it: ``newaliases`` for the alias database, else ``postmap``
        with the type that main.cf gives the table."""
        setting, table = table_setting(config, self.source)
        if not table:
            suffix = self.database[len(self.source) :]
            kind = _TYPE_BY_SUFFIX.get(suffix)
            table = f"{kind}:{self.source}" if kind else self.source
        aliases = setting in _ALIAS_SETTINGS or (
            not setting and self.source.rsplit("/", 1)[-1] == "aliases"
        )
        return {
            "database": self.database,
            "source": self.source,
            "table": table,
            "setting": setting or "?",
            "command": "newaliases" if aliases else f"postmap {table}",
        }


def stale_tables(ctx: Context, host: str) -> list[StaleTable]:
    """Return the tables that ``host``'s warnings show older than their text
    files, in order of their first warning."""
    rows, found = ctx.warnings_matching(_STALE, "database", "host", host)
    tables: dict[str, StaleTable] = {}
    for row, database, source in zip(
        rows.tolist(), found["database"], found["source"], strict=True
    ):
        table = tables.get(database)
        if table is None:
            tables[database] = StaleTable(host, database, source, [row])
        else:
            table.rows.append(row)
    return list(tables.values())


def table_setting(config: MainConfig | None, source: str) -> tuple[str, str]:
    """Return the first main.cf setting that names the table built from
    ``source``, and the table as that setting writes it, such as
    "hash:/etc/postfix/transport", or two empty strings."""
    if config is None:
        return "", ""
    for name in config.settings:
        for table in re.split(r"[\s,]+", config.get(name)):
            # proxy:hash:/etc/postfix/transport reads the table through proxymap.
            inner = table.removeprefix("proxy:")
            kind, _, path = inner.partition(":")
            if path == source and kind.isalnum():
                return name, inner
    return "", ""


def routing_stale_table(
    ctx: Context, host: str, config: MainConfig | None, maps: list[str]
) -> StaleTable | None:
    """Return the first stale table of ``host`` that one of the routing
    settings ``maps`` names, or None."""
    for table in stale_tables(ctx, host):
        setting, _ = table_setting(config, table.source)
        if setting in maps:
            return table
    return None


def stale_table_findings(ctx: Context, findings: list[Finding]) -> list[Finding]:
    """Report each stale table, with the delivery failures that its old entries
    explain (``findings`` whose variant is "stale_table" and that name it)."""
    rows = np.flatnonzero(ctx.of_kind("warning"))
    texts = ctx.texts(rows).astype("string")
    warned = texts.str.contains("is older than source file", regex=False)
    hosts = ctx.events["host"].iloc[rows[warned.to_numpy(bool, na_value=False)]]
    result = []
    for host in hosts.dropna().unique():
        for table in stale_tables(ctx, str(host)):
            linked = [
                f
                for f in findings
                if f.host == table.host
                and f.params.get("variant") == "stale_table"
                and f.params.get("database") == table.database
            ]
            result.append(_stale_finding(ctx, table, linked))
    return result


def _stale_finding(ctx: Context, table: StaleTable, linked: list[Finding]) -> Finding:
    config = ctx.config(table.host)
    params = table.params(config)
    keys = sorted({key for f in linked for key in f.message_keys})
    times = ctx.events["time"].iloc[table.rows]
    evidence = log_evidence(ctx.events, [ctx.events.index[row] for row in table.rows])
    if params["setting"] != "?":
        evidence += config_evidence(config, str(params["setting"]))
    severity = "warning"
    if linked:
        first = linked[0]
        params["variant"] = "routed"
        params["relays"] = first.params.get("relays", "?")
        params["relayhost"] = first.params.get("relayhost", "?")
        params["reasons"] = first.params.get("reasons", "")
        params["reason_texts"] = first.params.get("reason_texts", [])
        params["queued"] = any(f.params.get("queued") for f in linked)
        # One failure that the old entries explain, after the warning.
        failed = [e for e in first.evidence if e.kind == "log" and e not in evidence]
        evidence[1:1] = failed[:1]
        if any(f.severity == "error" for f in linked):
            severity = "error"
    elif params["command"] == "newaliases":
        params["variant"] = "aliases"
    return Finding(
        code="lookup-table-stale",
        severity=severity,
        host=table.host,
        messages_affected=len(keys),
        first_seen=times.min(),
        last_seen=times.max(),
        evidence=evidence,
        params=params,
        message_keys=keys,
        priority=STALE_TABLE_PRIORITY if linked else _UNUSED_PRIORITY,
    )
