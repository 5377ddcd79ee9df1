"""The bundle inventory: one entry for every member found, read or not."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path, PurePath
from typing import Any

# Member kinds, as the inventory and the parsers name them.
KIND_MAILLOG = "maillog"
KIND_JOURNAL = "journal_json"
KIND_MAIN_CF = "main.cf"
KIND_MASTER_CF = "master.cf"
KIND_POSTCONF = "postconf"
KIND_MAILQ = "mailq"
KIND_POSTQUEUE_JSON = "postqueue_json"
KIND_ARCHIVE = "archive"
KIND_OTHER = "other"

# Entry states.
STATUS_READ = "read"
STATUS_PARTIAL = "partial"
STATUS_SKIPPED = "skipped"
STATUS_REJECTED = "rejected"
STATUS_ERROR = "error"


@dataclass
class InventoryEntry:
    """One member of the bundle and what became of it."""

    path: str
    """Path inside the bundle; members of nested archives follow the archive's path."""
    size: int | None = None
    """Stored size in bytes (compressed size for compressed members)."""
    sha256: str | None = None
    """SHA-256 of the stored bytes, or None when the member was not read."""
    mtime: datetime | None = None
    """Modification time recorded in the archive or file system."""
    kind: str = KIND_OTHER
    status: str = STATUS_SKIPPED
    detail: str = ""
    """Why the member was skipped or rejected, or the error that stopped reading it."""
    compression: str | None = None
    """gzip, bzip2 or xz when a single-file compression was undone."""
    container: str | None = None
    """Path of the archive that contains this member, for nested archives."""
    host: str | None = None
    """Host the member belongs to, from its path or content."""
    lines: int | None = None
    postfix_lines: int | None = None
    recognized_lines: int | None = None
    limit: str | None = None
    """Command-line option of the safety limit that stopped the reading of this
    member (``--max-size``, ``--max-ratio``, ``--max-depth``), or None."""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["mtime"] = self.mtime.isoformat() if self.mtime else None
        return record


@dataclass
class Inventory:
    """Every member of a bundle, in the order they were found."""

    source: str
    entries: list[InventoryEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    """Problems with the bundle as a whole (a limit hit, a truncated archive)."""

    def add(self, entry: InventoryEntry) -> InventoryEntry:
        self.entries.append(entry)
        return entry

    @property
    def name(self) -> str:
        """Return the bundle's file or folder name; "." is named as it resolves."""
        name = PurePath(self.source).name
        if name in ("", ".", ".."):
            name = Path(self.source).resolve().name or self.source
        return name

    @property
    def partial(self) -> bool:
        """True when some member could not be read completely.

        Members rejected as unsafe (links out of the bundle, devices, bad names)
        do not make the results partial, but members stopped by a size, ratio or
        nesting limit do, because they may be genuine logs.
        """
        broken = {STATUS_ERROR, STATUS_PARTIAL}
        return bool(self.errors) or any(
            e.status in broken or e.limit is not None for e in self.entries
        )

    def problems(self) -> list[str]:
        """Return "member: problem" for each member that could not be read
        completely, then the problems with the bundle as a whole."""
        broken = {STATUS_ERROR, STATUS_PARTIAL}
        members = [
            f"{e.path}: {e.detail or e.status}"
            for e in self.entries
            if e.status in broken or e.limit is not None
        ]
        return members + self.errors

    def of_kind(self, *kinds: str) -> list[InventoryEntry]:
        return [e for e in self.entries if e.kind in kinds]
