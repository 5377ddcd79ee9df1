"""An SMTP server with fixed replies, for relays that misbehave at the greeting.

The aiosmtpd sink always greets with 220. ScriptedRelay can refuse at the
greeting (421 or 554), close the connection without a word, or keep silent,
which is what a relay that blocks or limits a client does.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import BinaryIO

from .scenarios.common import RELAY_NAME


class ScriptedRelay:
    """SMTP server on ``address``:``port`` that replies with fixed texts.

    ``greeting`` None closes each connection at once. A greeting of class 4 or 5
    is followed by "503" to every command but QUIT, unless
    ``close_after_greeting`` closes the connection right after it.
    """

    def __init__(
        self,
        address: str,
        port: int = 25,
        greeting: str | None = f"220 {RELAY_NAME} ESMTP",
        close_after_greeting: bool = False,
        greeting_delay: float = 0.0,
    ) -> None:
        self.greeting = greeting
        self.close_after_greeting = close_after_greeting
        self.greeting_delay = greeting_delay
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
            for raw in stream:
                verb = raw.decode("utf-8", "replace").split(" ", 1)[0].strip().upper()
                if verb == "QUIT":
                    _reply(stream, "221 2.0.0 Bye")
                    return
                _reply(stream, "503 5.5.1 Error: no valid session")


def _reply(stream: BinaryIO, text: str) -> None:
    stream.write(text.encode() + b"\r\n")
    stream.flush()
