"""Mailbox files that local(8) cannot write: the parameters of the
mailbox-unwritable finding and the warning line it quotes first."""

from __future__ import annotations

import posixpath
import re

from analyzer.analysis.findings.coded import Rows
from analyzer.analysis.findings.context import Context
from analyzer.analysis.findings.failures import Failures

MAILBOX_FAILURE = re.compile(
    r"^cannot update mailbox (?P<mailbox>\S+) for user (?P<user>\S+?)\. (?P<detail>.+)$"
)
"""local(8)'s reason when it cannot write a mailbox file (Postfix's
local/mailbox.c): the file, the local user and what went wrong."""
_NOT_OWNED = re.compile(r"is not owned by recipient")
"""The detail when strict_mailbox_ownership = yes (the default) and the file
belongs to another user than the recipient."""
_NOT_FILE = re.compile(
    r"is not a regular file|file is a (?:directory|symbolic link)|file has \d+ hard links"
)
"""Details of a mailbox path that is no plain file with one link: Postfix's
util/safe_open.c and local/mailbox.c reject such a path."""
OWNERSHIP_WARNING = re.compile(
    r"warning: specify \"(?P<setting>strict_mailbox_ownership) = no\" to ignore "
    r"mailbox ownership mismatch"
)
"""The warning that local(8) logs, without a queue ID, before it defers mail for
a mailbox owned by another user."""


def mailbox_params(
    ctx: Context, failures: Failures, host: str, rows: Rows
) -> tuple[dict[str, object], list[int]]:
    """Return the mailbox, user, folder and variant of the local(8) failures at
    ``rows``, and the ownership warning row to quote, if any.

    The variant is "owner" when every failure is a mailbox owned by another
    user, "not_file" when every one is a path that is no plain file, else "".
    """
    replies = [
        str(failures.reason.labels[code]) for code in failures.reason.ranked(rows)
    ]
    found = [m for m in map(MAILBOX_FAILURE.match, replies) if m]
    if not found:
        return {"mailbox": "?", "user": "?", "folder": "?"}, []
    first = found[0]
    mailbox = first["mailbox"]
    params: dict[str, object] = {
        "mailbox": mailbox,
        "user": first["user"],
        "folder": posixpath.dirname(mailbox) or "/",
    }
    details = [m["detail"] for m in found]
    leading: list[int] = []
    if all(_NOT_OWNED.search(detail) for detail in details):
        params["variant"] = "owner"
        warnings, _ = ctx.warnings_matching(OWNERSHIP_WARNING, "setting", "host", host)
        if len(warnings):
            leading = [int(warnings[0])]
    elif all(_NOT_FILE.search(detail) for detail in details):
        params["variant"] = "not_file"
    return params, leading
