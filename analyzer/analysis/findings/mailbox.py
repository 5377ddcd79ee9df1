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
MAILDIR_FAILURE = re.compile(
    r"^maildir delivery failed: create maildir file (?P<file>\S+?/)"
    r"(?:tmp|new|cur)/\S*: (?P<detail>.+)$"
)
"""local(8)'s reason when it cannot create a message file in a Maildir (Postfix
3.7's local/maildir.c). It returns the mail at once ("dsn=5.2.0")."""
MAILDIR_WARNING = re.compile(
    r"warning: (?P<problem>maildir access problem) for UID/GID=\d+/\d+: "
)
"""The warning that local(8) logs, without a queue ID, before it returns mail
that it cannot write into a Maildir."""
OWNERSHIP_WARNING = re.compile(
    r"warning: specify \"(?P<setting>strict_mailbox_ownership) = no\" to ignore "
    r"mailbox ownership mismatch"
)
"""The warning that local(8) logs, without a queue ID, before it defers mail for
a mailbox owned by another user."""


def mailbox_fields(replies: list[str]) -> dict[str, object]:
    """Return the mailbox, user, folder and variant that local(8)'s ``replies``
    name, from the first reply that names a mailbox ("?" when none does).

    The variant is "owner" when every such reply is a mailbox owned by another
    user, "not_file" when every one is a path that is no plain file, else "".
    """
    found = [m for m in map(MAILBOX_FAILURE.match, replies) if m]
    if not found:
        maildirs = [m for m in map(MAILDIR_FAILURE.match, replies) if m]
        if maildirs:
            # The Maildir's own folder: the user it belongs to is the recipient.
            maildir = maildirs[0]["file"]
            return {"mailbox": maildir, "user": "?", "folder": maildir,
                    "variant": "maildir"}  # fmt: skip
        return {"mailbox": "?", "user": "?", "folder": "?"}
    mailbox = found[0]["mailbox"]
    fields: dict[str, object] = {
        "mailbox": mailbox,
        "user": found[0]["user"],
        "folder": posixpath.dirname(mailbox) or "/",
    }
    details = [m["detail"] for m in found]
    if all(_NOT_OWNED.search(detail) for detail in details):
        fields["variant"] = "owner"
    elif all(_NOT_FILE.search(detail) for detail in details):
        fields["variant"] = "not_file"
    return fields


def mailbox_params(
    ctx: Context, failures: Failures, host: str, rows: Rows
) -> tuple[dict[str, object], list[int]]:
    """Return the ``mailbox_fields`` of the local(8) failures at ``rows``, most
    frequent reply first, and the ownership warning row to quote, if any."""
    replies = [
        str(failures.reason.labels[code]) for code in failures.reason.ranked(rows)
    ]
    params = mailbox_fields(replies)
    leading: list[int] = []
    if params.get("variant") == "owner":
        warnings, _ = ctx.warnings_matching(OWNERSHIP_WARNING, "setting", "host", host)
        if len(warnings):
            leading = [int(warnings[0])]
    if params.get("variant") == "maildir":
        recipient = failures.recipient.top(rows, 1)
        params["user"] = recipient.split("@")[0] if recipient else "?"
        warnings, _ = ctx.warnings_matching(MAILDIR_WARNING, "problem", "host", host)
        if len(warnings):
            leading = [int(warnings[0])]
    return params, leading
