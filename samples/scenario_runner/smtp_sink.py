"""SMTP sinks (aiosmtpd) that play the customer's mail relay or a content filter.

Each sink listens on one address of the host's network namespace and replies
as its ``SinkSpec`` specifies. Every end-of-DATA outcome is appended to
``receptions.jsonl`` and every rejected command to ``rejections.jsonl``, so the
ground truth comes from what the sinks saw, not from the Postfix log.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import smtplib
import threading
import time
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import compat32
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

logger = logging.getLogger(__name__)


@dataclass
class SinkSpec:
    """Address and behaviour of one SMTP sink.

    Reply templates may use ``{rcpt}``, ``{sender}``, ``{helo}`` (the client's
    HELO or EHLO name) and ``{client}`` (the client's IP address).
    ``rcpt_replies`` overrides ``rcpt_reply`` for single recipients; a value of
    None accepts.
    """

    name: str
    address: str
    port: int = 25
    server_name: str = "mail.example.com"
    start_with_host: bool = True
    mail_from_reply: str | None = None
    rcpt_reply: str | None = None
    rcpt_replies: dict[str, str | None] = field(default_factory=dict)
    # Seconds during which a new (sender, recipient) pair gets a 450 greylisting reply.
    greylist_seconds: float | None = None
    # Messages larger than this many bytes get 552 5.3.4 at end of DATA.
    max_message_size: int | None = None
    # Advertise AUTH, require it before MAIL, and reject every credential.
    auth_rejects: bool = False
    # Content filter mode: re-inject each message into this (address, port).
    reinject_to: tuple[str, int] | None = None
    # List STARTTLS in the EHLO reply without supporting it, as a server that
    # requires TLS does. Only clients that never send STARTTLS may use such a sink.
    advertise_starttls: bool = False


class SinkHandler:
    def __init__(self, spec: SinkSpec, state_dir: Path) -> None:
        self.spec = spec
        self.receptions_path = state_dir / "receptions.jsonl"
        self.rejections_path = state_dir / "rejections.jsonl"
        self.greylist_first_seen: dict[tuple[str, str], float] = {}
        self.lock = threading.Lock()

    def _append(self, path: Path, record: dict[str, Any]) -> None:
        record = {"sink": self.spec.name, "time": time.time(), **record}
        with self.lock, path.open("a") as stream:
            stream.write(json.dumps(record) + "\n")

    async def handle_EHLO(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        session.host_name = hostname
        if self.spec.advertise_starttls:
            responses.insert(-1, "250-STARTTLS")
        return responses

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        if self.spec.mail_from_reply:
            reply = self.spec.mail_from_reply.format(
                sender=address, rcpt="", **client_fields(session)
            )
            self._append(
                self.rejections_path,
                {"command": "MAIL", "sender": address, "reply": reply},
            )
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 2.1.0 Ok"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        reply = self._rcpt_reply(envelope.mail_from or "", address, session)
        if reply is not None:
            self._append(
                self.rejections_path,
                {
                    "command": "RCPT",
                    "sender": envelope.mail_from,
                    "rcpt": address,
                    "reply": reply,
                },
            )
            return reply
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(options)
        return "250 2.1.5 Ok"

    def _rcpt_reply(self, sender: str, rcpt: str, session: Session) -> str | None:
        template = self.spec.rcpt_replies.get(rcpt.lower(), self.spec.rcpt_reply)
        if template is not None:
            return template.format(rcpt=rcpt, sender=sender, **client_fields(session))
        if self.spec.greylist_seconds is not None:
            first_seen = self.greylist_first_seen.setdefault(
                (sender, rcpt), time.time()
            )
            if time.time() - first_seen < self.spec.greylist_seconds:
                return (
                    f"450 4.7.1 <{rcpt}>: Recipient address rejected: Greylisted, "
                    f"try again in {int(self.spec.greylist_seconds)} seconds"
                )
        return None

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        content = envelope.original_content or b""
        headers = BytesHeaderParser(policy=compat32).parsebytes(content)
        record = {
            "sender": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "size": len(content),
            "message_id": (headers.get("Message-ID") or "").strip(),
            "received": [str(value) for value in headers.get_all("Received", [])],
            "subject": str(headers.get("Subject") or ""),
        }
        if (
            self.spec.max_message_size is not None
            and len(content) > self.spec.max_message_size
        ):
            reply = "552 5.3.4 Message size exceeds fixed maximum message size"
        elif self.spec.reinject_to is not None:
            loop = asyncio.get_running_loop()
            reply = await loop.run_in_executor(None, self._reinject, envelope, content)
        else:
            reply = f"250 2.0.0 Ok: queued as {secrets.token_hex(5).upper()}"
        self._append(
            self.receptions_path,
            {**record, "reply": reply, "accepted": reply.startswith("250")},
        )
        return reply

    def _reinject(self, envelope: Envelope, content: bytes) -> str:
        """Send the message on to Postfix's re-injection listener, as amavisd-new."""
        address, port = self.spec.reinject_to  # type: ignore[misc]
        with smtplib.SMTP(
            address, port, local_hostname="localhost", timeout=30
        ) as client:
            client.ehlo()
            client.mail(envelope.mail_from or "")
            for rcpt in envelope.rcpt_tos:
                client.rcpt(rcpt)
            code, message = client.data(content)
        text = message.decode("utf-8", "replace")
        if code != 250:
            return (
                "451 4.5.0 Error in processing, id=filter, "
                f"forwarding failed: {code} {text}"
            )
        return f"250 2.0.0 from MTA(smtp:[{address}]:{port}): {code} {text}"


def client_fields(session: Session) -> dict[str, str]:
    """Return the reply template fields that describe the SMTP client."""
    return {
        "helo": session.host_name or "",
        "client": session.peer[0] if session.peer else "",
    }


def reject_authentication(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    """Reject every credential, so aiosmtpd replies 535 5.7.8."""
    return AuthResult(success=False, handled=False)


class SinkPool:
    """The sinks of one host, started and stopped by name."""

    def __init__(self, specs: list[SinkSpec], state_dir: Path) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.state_dir = state_dir
        self.controllers: dict[str, Controller] = {}

    def start(self, name: str) -> None:
        spec = self.specs[name]
        kwargs: dict[str, Any] = {"ident": "ESMTP"}
        if spec.auth_rejects:
            kwargs.update(
                auth_required=True,
                auth_require_tls=False,
                authenticator=reject_authentication,
            )
        controller = Controller(
            SinkHandler(spec, self.state_dir),
            hostname=spec.address,
            port=spec.port,
            server_hostname=spec.server_name,
            **kwargs,
        )
        controller.start()
        self.controllers[name] = controller
        logger.info("SMTP sink %s listening on %s:%d", name, spec.address, spec.port)

    def stop(self, name: str) -> None:
        controller = self.controllers.pop(name, None)
        if controller is not None:
            controller.stop()
            logger.info("SMTP sink %s stopped", name)

    def start_initial(self) -> None:
        for spec in self.specs.values():
            if spec.start_with_host:
                self.start(spec.name)

    def stop_all(self) -> None:
        for name in list(self.controllers):
            self.stop(name)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
