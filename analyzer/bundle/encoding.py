"""Recognize UTF-16 and UTF-32 text members and convert them to UTF-8 as they
are read.

Windows tools (the ``>`` redirection of Windows PowerShell 5.1, Notepad's "Unicode")
save text as UTF-16, and the parsers read UTF-8 only. UTF-32 is rare and is
recognized by its byte order mark only.
"""

from __future__ import annotations

import codecs
from typing import BinaryIO

UTF16_PROBE_BYTES = 1024
"""Bytes checked for UTF-16 without a byte order mark."""


def wide_codec(head: bytes) -> str | None:
    """Return the codec of UTF-16 or UTF-32 text that starts with ``head``, or None.

    UTF-16 text has a byte order mark, or, when it has none and is mostly ASCII,
    a NUL in every other byte. A run of NUL bytes (a crashed log) is not text.
    """
    # Checked first: the UTF-32LE mark starts with the UTF-16LE mark.
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"  # the decoder reads the byte order from the mark
    probe = head[:UTF16_PROBE_BYTES]
    if len(probe) < 2:
        return None
    even, odd = probe[0::2], probe[1::2]
    if not odd.strip(b"\x00") and even.strip(b"\x00"):
        return "utf-16-le"
    if not even.strip(b"\x00") and odd.strip(b"\x00"):
        return "utf-16-be"
    return None


def wide_name(head: bytes) -> str:
    """Return the form of the text that starts with ``head``: UTF-16LE, UTF-16BE,
    UTF-32LE or UTF-32BE."""
    if head.startswith(codecs.BOM_UTF32_LE):
        return "UTF-32LE"
    if head.startswith(codecs.BOM_UTF32_BE):
        return "UTF-32BE"
    if head.startswith(codecs.BOM_UTF16_BE) or wide_codec(head) == "utf-16-be":
        return "UTF-16BE"
    return "UTF-16LE"


class DecodingReader:
    """Binary reader of the UTF-8 bytes of a UTF-16 or UTF-32 stream, decoded as
    it is read.

    Code units that are not valid (a lone surrogate, an odd last byte) become
    U+FFFD.
    """

    def __init__(self, raw: BinaryIO, codec: str) -> None:
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(codec)(errors="replace")
        self._pending = bytearray()
        self._ended = False

    def read(self, size: int | None = -1) -> bytes:
        requested = None if size is None or size < 0 else size
        if requested == 0:
            return b""
        while not self._ended and (requested is None or len(self._pending) < requested):
            # ASCII text shrinks to half in UTF-8, so reading twice the request
            # usually fills it in one round.
            data = self._raw.read(2 * requested if requested else -1)
            self._ended = not data
            text = self._decoder.decode(data, final=self._ended)
            self._pending += text.encode("utf-8")
        if requested is None:
            requested = len(self._pending)
        result = bytes(self._pending[:requested])
        del self._pending[:requested]
        return result

    def readable(self) -> bool:
        return True


def has_cr_line_ends(head: bytes) -> bool:
    """Return whether text that starts with ``head`` ends its lines with CR alone,
    as classic Mac OS did: CRs and no LF."""
    return b"\r" in head and b"\n" not in head


class CarriageReturnReader:
    """Binary reader that turns the CR line ends of a stream into LF."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw

    def read(self, size: int | None = -1) -> bytes:
        return self._raw.read(-1 if size is None else size).replace(b"\r", b"\n")

    def readable(self) -> bool:
        return True
