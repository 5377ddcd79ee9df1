"""Decide what each bundle member is, by its name and confirmed by its content."""

from __future__ import annotations

import posixpath
import re
from datetime import date

from analyzer.bundle.inventory import (
    KIND_JOURNAL,
    KIND_MAILLOG,
    KIND_MAILQ,
    KIND_MAIN_CF,
    KIND_MASTER_CF,
    KIND_OTHER,
    KIND_POSTCONF,
    KIND_POSTQUEUE_JSON,
)
from analyzer.parse.config import looks_like_main_cf, looks_like_master_cf
from analyzer.parse.queue import looks_like_mailq, looks_like_postqueue_json

SNIFF_BYTES = 64 * 1024

_COMPRESSION_SUFFIX = re.compile(r"\.(gz|bz2|xz|zst)$")
_LOG_NAME = re.compile(
    r"^(maillog|mail\.log|mail\.err|mail\.warn|mail\.info|mail|syslog|messages"
    r"|postfix\.log|postfix)([.-].*)?$"
)
_POSTFIX_LINE = re.compile(
    r"^(?:<[0-9a-z.]{1,20}>\s?)?(?:\d{4}-\d\d-\d\d[T ]\S+|(?:\d{4} )?[A-Z][a-z]{2} +\d{1,2}"
    r"(?: \d{4})? \d\d:\d\d:\d\d\S*)\s+(?:\S+\s+)?postfix[\w.-]*/[\w/.-]+(?:\[\d+\])?:",
    re.MULTILINE,
)
_RFC5424_POSTFIX = re.compile(r"^<\d{1,3}>1 \S+ \S+ postfix[\w.-]*/", re.MULTILINE)
_SYSLOG_STAMP = re.compile(
    r"^(?:<\d{1,3}>1? ?)?(?:\d{4}-\d\d-\d\d[T ]\d\d:|(?:\d{4} )?[A-Z][a-z]{2} +\d{1,2} "
    r"(?:\d{4} )?\d\d:\d\d:\d\d)",
    re.MULTILINE,
)
"""A line that starts with a syslog time: what a log named syslog or messages
has, and a logrotate or rsyslog configuration file of that name lacks."""
_SYSTEM_LOG_NAMES = ("syslog", "messages")
"""Log names that configuration files share (/etc/logrotate.d/syslog)."""


def _is_log_name(name: str, text: str) -> bool:
    """Return whether ``name`` is a mail log's name. A system log's name counts
    only with a syslog time in ``text``; a crash may have zeroed its start."""
    match = _LOG_NAME.match(name)
    if match is None:
        return False
    if match.group(1) not in _SYSTEM_LOG_NAMES:
        return True
    return bool(_SYSLOG_STAMP.search(text.replace("\x00", "")))


ROTATION_DATE = re.compile(r"[-_.](\d{4})(\d\d)(\d\d)(?:\d{2,6})?(?:\.|$)")
"""The date logrotate's ``dateext`` adds to a rotated log's name."""
ROTATION_NUMBER = re.compile(r"\.(\d{1,3})$")
"""The number logrotate adds to a rotated log's name, without ``dateext``."""

# Folder names that say what a member is, not which host it comes from.
_GENERIC_FOLDERS = {
    "var", "log", "logs", "etc", "postfix", "commands", "command", "command_output",
    "spool", "tmp",
    "opt", "qradar", "support", "bundle", "files", "config", "conf", "output",
    "data", "system", "mail", "maillog", "queue", "root", "home", "usr", "store",
    # sosreport's own folders: sos_commands/postfix/mailq and the like.
    "sos_commands", "sos_reports", "sos_logs", "sos_strings", "sos_extras",
}  # fmt: skip
_ARCHIVE_SUFFIX = re.compile(r"\.(tar\.gz|tgz|tar\.bz2|tbz2|tar\.xz|txz|tar|zip|7z)$")


def base_name(path: str) -> str:
    """Return the file name of a member without a compression suffix."""
    return _COMPRESSION_SUFFIX.sub("", posixpath.basename(path))


_CONFIG_COPY = re.compile(r"^(?:main|master)\.cf(?:[.~_-].*|~)$")
"""Backups and templates of main.cf and master.cf: main.cf.bak, main.cf~,
main.cf.orig, master.cf.dpkg-dist, main.cf.proto. Postfix reads none of them."""


def classify_member(path: str, head: bytes) -> str:
    """Return the member kind of a member, from its path and first bytes."""
    name = base_name(path).lower()
    text = head.decode("utf-8", errors="replace")
    if _CONFIG_COPY.match(name):
        return KIND_OTHER
    if name == "main.cf":
        return KIND_MAIN_CF
    if name == "master.cf":
        return KIND_MASTER_CF
    if not text.strip():
        return _empty_member_kind(name)
    if _is_journal(text):
        return KIND_JOURNAL
    if looks_like_postqueue_json(text):
        return KIND_POSTQUEUE_JSON
    if looks_like_mailq(text):
        return KIND_MAILQ
    if _POSTFIX_LINE.search(text) or _RFC5424_POSTFIX.search(text):
        return KIND_MAILLOG
    if _is_log_name(name, text) and _looks_like_text(head):
        return KIND_MAILLOG  # a mail log whose first lines come from other programs
    if looks_like_master_cf(text):
        return KIND_MASTER_CF
    if looks_like_main_cf(text):
        return KIND_POSTCONF if "main.cf" not in name else KIND_MAIN_CF
    return KIND_OTHER


def _empty_member_kind(name: str) -> str:
    """An empty file is a queue listing of an empty queue when its name says so.

    ``postqueue -j`` prints nothing at all for an empty queue.
    """
    if "postqueue" in name and ("-j" in name or "_j" in name or "json" in name):
        return KIND_POSTQUEUE_JSON
    if "mailq" in name or "postqueue" in name:
        return KIND_MAILQ
    if _LOG_NAME.match(name):
        return KIND_MAILLOG  # an empty mail log is still the bundle's mail log
    return KIND_OTHER


def _is_journal(text: str) -> bool:
    """Recognize a journal export: one object per line (``-o json``), objects
    over several lines (``-o json-pretty``), or one JSON array of objects."""
    start = text.lstrip()
    if start.startswith("["):
        start = start[1:].lstrip()
    first = start.split("\n", 1)[0]
    if first.strip() == "{":
        # json-pretty puts each field on its own line, and __CURSOR and
        # __REALTIME_TIMESTAMP come first.
        first = start[:_PRETTY_HEAD_CHARS]
    return first.startswith("{") and (
        '"__REALTIME_TIMESTAMP"' in first
        or ('"MESSAGE"' in first and '"SYSLOG_IDENTIFIER"' in first)
    )


_PRETTY_HEAD_CHARS = 2048
"""Characters of a json-pretty export searched for the journal's field names."""


def _looks_like_text(head: bytes) -> bool:
    """Guess whether ``head`` starts a text file.

    NUL bytes are left out of the count: a log written during a crash often has
    a run of them where the file system lost a block, and the lines around it
    are still worth reading.
    """
    if not head:
        return False
    sample = head[:8192].replace(b"\x00", b"")
    if not sample:
        return True
    control = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return control <= len(sample) // 100


def skip_reason(path: str, head: bytes) -> str:
    """Return why a member of kind "other" is not analyzed, for the inventory."""
    name = base_name(path).lower()
    if _CONFIG_COPY.match(name):
        live = name.split(".cf", 1)[0] + ".cf"
        return f"a copy of {live} (backup or template), which Postfix does not read"
    if _LOG_NAME.match(name):
        return "named like a mail log, but its content is binary data, not text lines"
    return "not a mail log, Postfix configuration or queue listing"


def rotation_date(path: str) -> date | None:
    """Return the date in a rotated log's name (``maillog-20210311.gz``), if any."""
    match = ROTATION_DATE.search(base_name(path))
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def rotation_number(path: str) -> int:
    """Return N of ``mail.log.N`` (older logs have larger N), or 0."""
    match = ROTATION_NUMBER.search(base_name(path))
    return int(match.group(1)) if match else 0


def host_hint(path: str) -> str:
    """Return the folder or nested archive name that names the member's host.

    A bundle of per-host bundles has one folder (or archive) per host; the first
    path element that is not a generic folder such as ``var`` or ``log`` names
    the host. Returns "" when no element qualifies.
    """
    parts = path.split("/")[:-1]
    for part in parts:
        candidate = _ARCHIVE_SUFFIX.sub("", part)
        if candidate.lower() in _GENERIC_FOLDERS or not candidate:
            continue
        if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", candidate):
            return candidate
    return ""
