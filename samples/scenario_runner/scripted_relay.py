"""An SMTP server with fixed replies, for relays that misbehave.

The aiosmtpd sink always greets with 220 and follows the protocol. ScriptedRelay
can refuse at the greeting (421 or 554), close the connection without a word,
keep silent, or greet with something else than SMTP, which is what a relay that
blocks or limits a client does, or a port of another service. With a
``dialogue`` it plays a whole session whose replies to each command are fixed,
such as a 421 to RCPT TO, a hang-up at DATA or a slow reply to the message.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import BinaryIO

from .scenarios.common import RELAY_NAME


class ScriptedRelay:
    """SMTP server on ``address``:``port`` that replies with fixed texts.

    ``greeting`` None closes each connection at once. Without a ``dialogue``,
    the greeting is followed by "503" to every command but QUIT, unless
    ``close_after_greeting`` closes the connection right after it, or
    ``hang_up_after`` seconds after it without reading a word (as sshd does with
    a client that sends no version line).

    ``dialogue`` maps a command (EHLO, MAIL, RCPT, DATA) to its reply, and "."
    to the reply to the end of the message, over DIALOGUE; a reply of None
    closes the connection instead. A reply of class 421 closes it after being
    sent. ``data_done_delay`` is the wait in seconds before the reply to the
    end of the message.
    """

    def __init__(
        self,
        address: str,
        port: int = 25,
        greeting: str | None = f"220 {RELAY_NAME} ESMTP",
        close_after_greeting: bool = False,
        greeting_delay: float = 0.0,
        hang_up_after: float | None = None,
        dialogue: dict[str, str | None] | None = None,
        data_done_delay: float = 0.0,
    ) -> None:
        self.greeting = greeting
        self.close_after_greeting = close_after_greeting
        self.greeting_delay = greeting_delay
        self.hang_up_after = hang_up_after
        self.dialogue = {**DIALOGUE, **dialogue} if dialogue is not None else None
        self.data_done_delay = data_done_delay
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.server.bind((address, port))

    def start(self) -> None:
        self.server.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            threading.Thread(
                target=self._serve, args=(connection,), daemon=True
            ).start()

    def _serve(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(60)
            if self.greeting is None:
                return
            stream = connection.makefile("rwb")
            if self.greeting_delay:
                time.sleep(self.greeting_delay)
            _reply(stream, self.greeting)
            if self.close_after_greeting:
                return
            if self.hang_up_after is not None:
                time.sleep(self.hang_up_after)
                return
            if self.dialogue is not None:
                self._converse(stream, self.dialogue)
                return
            for raw in stream:
                verb = raw.decode("utf-8", "replace").split(" ", 1)[0].strip().upper()
                if verb == "QUIT":
                    _reply(stream, "221 2.0.0 Bye")
                    return
                _reply(stream, "503 5.5.1 Error: no valid session")

    def _converse(self, stream: BinaryIO, dialogue: dict[str, str | None]) -> None:
        """Reply to each command from ``dialogue`` until QUIT, a reply of None or
        a 421 reply ends the session."""
        in_message = False
        for raw in stream:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if in_message:
                if line != ".":
                    continue
                in_message = False
                time.sleep(self.data_done_delay)
                command = "."
            else:
                command = line.split(" ", 1)[0].split(":", 1)[0].upper()
            reply = dialogue.get(command, "502 5.5.2 Error: command not recognized")
            if reply is None:
                return
            _reply(stream, reply)
            if command == "QUIT" or reply.startswith("421"):
                return
            in_message = command == "DATA" and reply.startswith("354")


DIALOGUE: dict[str, str | None] = {
    "EHLO": f"250-{RELAY_NAME}\r\n250-PIPELINING\r\n250 8BITMIME",
    "HELO": f"250 {RELAY_NAME}",
    "MAIL": "250 2.1.0 Ok",
    "RCPT": "250 2.1.5 Ok",
    "DATA": "354 End data with <CR><LF>.<CR><LF>",
    ".": "250 2.0.0 Ok: queued as 1A2B3C4D5E",
    "RSET": "250 2.0.0 Ok",
    "NOOP": "250 2.0.0 Ok",
    "QUIT": "221 2.0.0 Bye",
}
"""The replies of a relay that accepts every message."""


def _reply(stream: BinaryIO, text: str) -> None:
    stream.write(text.encode() + b"\r\n")
    stream.flush()
