"""Checks on archive member names and link targets, which come from untrusted input.

mailbundle never creates files under member names: a name is only a label in the
inventory and the reports. The checks still reject every name that would be unsafe
or invalid if the bundle were unpacked with ``tar`` or ``unzip``, so that the
inventory shows the attack and no later code path can be misled by such a name.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata

NAME_MAX_BYTES = 255
"""Maximum bytes of one path component (NAME_MAX of Linux file systems)."""
PATH_MAX_BYTES = 4096
"""Maximum bytes of a whole path (PATH_MAX of Linux)."""
DISPLAY_MAX_CHARS = 300
"""Longer names are cut in reports and messages, which show the start and a count."""


HTML_NAME = "report.html"
PDF_NAME = "summary.pdf"
JSON_NAME = "findings.json"
REPORT_NAMES = (HTML_NAME, PDF_NAME, JSON_NAME)
"""The files that ``mailbundle report`` writes."""
EXPORT_FORMATS = ("csv", "parquet", "json")
EXPORT_MARKERS = ("events", "messages", "inventory")
"""Frames that every ``mailbundle export`` folder contains, as NAME.FORMAT."""


def own_output_kind(names: set[str], findings_head: bytes = b"") -> str | None:
    """Return "report" or "export" when a folder holding the files ``names`` is
    one that mailbundle wrote, else None. Run inside a bundle folder, a report
    lands there, and the next run would read it as part of the bundle.
    ``findings_head`` is the start of the folder's findings.json, if any."""
    report_json = re.match(rb'\{\s*"bundle":', findings_head) is not None
    if JSON_NAME in names and (names & {HTML_NAME, PDF_NAME} or report_json):
        return "report"
    for fmt in EXPORT_FORMATS:
        if all(f"{frame}.{fmt}" in names for frame in EXPORT_MARKERS):
            return "export"
    return None


_CONTROLS = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
"""Control characters other than tab and newline, and the bidirectional
controls, which can make a line read differently from its text."""


def escape_controls(text: str) -> str:
    """Return ``text`` with control characters shown as escapes (\\x1b, \\u202e)."""
    return _CONTROLS.sub(
        lambda m: m.group().encode("unicode_escape").decode("ascii"), text
    )


def display_name(name: str) -> str:
    """Return ``name`` with control characters escaped and cut to a readable length.

    Non-printable characters (control characters, and the lone surrogates that
    stand for bytes that are not UTF-8) become ``\\xNN`` style escapes.
    """
    escaped = "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
        for ch in name
    )
    if len(escaped) > DISPLAY_MAX_CHARS:
        hidden = len(escaped) - DISPLAY_MAX_CHARS
        escaped = f"{escaped[:DISPLAY_MAX_CHARS]}... ({hidden} more characters)"
    return escaped


def unsafe_path_reason(name: str) -> str | None:
    """Return why an archive member name is unsafe or invalid, or None if it is fine."""
    if "\x00" in name:
        return "the name contains a NUL byte"
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":"):
        return "the path is absolute"
    if ".." in normalized.split("/"):
        return "the path leads out of the bundle (..)"
    if any(unicodedata.category(ch) == "Cc" for ch in name):
        return "the name contains control characters"
    parts = [part for part in normalized.split("/") if part not in ("", ".")]
    if not parts:
        return "the name is empty"
    encoded = [part.encode("utf-8", errors="surrogateescape") for part in parts]
    if any(len(part) > NAME_MAX_BYTES for part in encoded):
        return f"a path component is longer than {NAME_MAX_BYTES} bytes"
    if len(normalized.encode("utf-8", errors="surrogateescape")) > PATH_MAX_BYTES:
        return f"the path is longer than {PATH_MAX_BYTES} bytes"
    return None


def normalize_name(name: str) -> str:
    """Return the path a member would be unpacked to, relative to the bundle.

    Two members with the same normalized name would overwrite each other when
    unpacked, so the second one is a duplicate.
    """
    return posixpath.normpath(name.replace("\\", "/").lstrip("/"))


def link_target(member_name: str, target: str, hard: bool) -> str | None:
    """Return the bundle path a link points to, or None when it points outside.

    A symbolic link's target is relative to the link's folder, while a tar hard
    link names another member from the top of the archive.
    """
    if not target or "\x00" in target:
        return None
    target = target.replace("\\", "/")
    if target.startswith("/") or (len(target) > 1 and target[1] == ":"):
        return None
    base = "" if hard else posixpath.dirname(normalize_name(member_name))
    joined = posixpath.normpath(posixpath.join(base, target))
    if joined == ".." or joined.startswith("../"):
        return None
    return joined
