"""Split a sample-bundle message unit into intake, delivery attempts and ending.

A composed lifecycle (see ``qradar``) takes the intake and deferred attempts of
one real unit, the successful attempt of another, and binds the second to the
first's queue ID, sender, size and recipients, so all its lines name one message.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from loggen.templates import Template, TemplateLine


@dataclass
class Attempt:
    """One delivery attempt: the qmgr ``(queue active)`` line and what follows it."""

    lines: list[TemplateLine]
    """Lines with offsets counted from the attempt's first line."""
    statuses: set[str] = field(default_factory=set)


@dataclass
class Lifecycle:
    """A message unit of a sample bundle, split for composition."""

    template: Template
    root: str
    sender: str
    size: str
    recipients: list[str]
    intake: list[TemplateLine]
    first_attempt_offset: float
    attempts: list[Attempt]
    ending: list[TemplateLine]
    """Lines from ``status=expired`` or the last ``removed`` on, counted from the first."""
    ended_by: str
    """``removed``, ``expired`` or empty when the log ends inside the message's life."""

    def binding_to(self, target: Lifecycle) -> dict[str, str]:
        """Map this unit's queue ID, sender, size and recipients to the target's."""
        binding = {
            self.root: target.root,
            self.sender: target.sender,
            self.size: target.size,
        }
        binding.update(zip(self.recipients, target.recipients, strict=False))
        return binding

    @property
    def deferred_attempts(self) -> list[Attempt]:
        return [a for a in self.attempts if a.statuses == {"deferred"}]

    @property
    def sent_attempts(self) -> list[Attempt]:
        return [a for a in self.attempts if a.statuses == {"sent"}]


def _shift(lines: list[TemplateLine], origin: float) -> list[TemplateLine]:
    return [replace(line, offset=line.offset - origin) for line in lines]


def _active_fields(line: TemplateLine) -> tuple[str, str]:
    sender = size = ""
    for part in line.parts:
        if isinstance(part, tuple):
            if part[0] in ("addr", "local") and not sender:
                sender = part[1]
            elif part[0] == "size" and not size:
                size = part[1]
    return sender, size


def split_lifecycle(template: Template) -> Lifecycle | None:
    """Split a unit whose first message is its root; None when it has no attempt."""
    root = next((line.queue_id for line in template.lines if line.queue_id), None)
    if root is None:
        return None

    intake: list[TemplateLine] = []
    attempts: list[list[TemplateLine]] = []
    ending: list[TemplateLine] = []
    ended_by = ""
    for line in template.lines:
        if ending or (line.queue_id == root and line.role in ("expired", "removed")):
            if not ending:
                ended_by = line.role
            ending.append(line)
        elif line.queue_id == root and line.role == "active":
            attempts.append([line])
        elif attempts:
            attempts[-1].append(line)
        else:
            intake.append(line)
    if not attempts:
        return None

    sender, size = _active_fields(attempts[0][0])
    recipients: list[str] = []
    for group in attempts:
        for line in group:
            if (
                line.queue_id == root
                and line.recipient
                and line.recipient not in recipients
            ):
                recipients.append(line.recipient)

    return Lifecycle(
        template=template,
        root=root,
        sender=sender,
        size=size,
        recipients=recipients,
        intake=intake,
        first_attempt_offset=attempts[0][0].offset,
        attempts=[_attempt(group) for group in attempts],
        ending=_shift(ending, ending[0].offset) if ending else [],
        ended_by=ended_by,
    )


def _attempt(lines: list[TemplateLine]) -> Attempt:
    statuses = {
        line.status for line in lines if line.role == "delivery" and line.status
    }
    return Attempt(_shift(lines, lines[0].offset), statuses)
