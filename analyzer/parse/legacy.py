"""Read log lines that are not UTF-8 in the encoding they were most likely written in.

A log line can carry raw 8-bit text, such as a subject that header_checks
quotes or a name that another program logged, depending on the sender and on
the software that wrote the line: in Japan mostly Shift_JIS or EUC-JP, in the
West Windows-1252 or ISO 8859-1. Each line that is not UTF-8 is tried, strictly, as Shift_JIS (Microsoft's cp932), then EUC-JP, whose
characters must then all be Japanese (kana, kanji, full-width forms), then as
Windows-1252. A line that none of them reads keeps U+FFFD for its bad bytes, and
so does a UTF-8 line with a few bad bytes (a character cut in two), which more
valid characters than bad bytes show.
"""

from __future__ import annotations

from collections import Counter

JAPANESE_CODECS = ("cp932", "euc_jp")
WESTERN_CODEC = "cp1252"
REPLACED = "replaced"
"""The count of lines that no encoding read: their bad bytes became U+FFFD."""
NAMES = {
    "cp932": "Shift_JIS",
    "euc_jp": "EUC-JP",
    "cp1252": "Windows-1252",
    REPLACED: "U+FFFD",
}
"""Names of the encodings as the inventory shows them."""


def decode_line(line: bytes) -> tuple[str, str | None]:
    """Return the text of ``line`` and the codec that read it: None for UTF-8,
    else a key of NAMES."""
    try:
        return line.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    replaced = line.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    wide = len(replaced) - len(replaced.encode("ascii", "ignore"))
    if wide - bad > bad:  # more valid UTF-8 characters than bad bytes
        return replaced, REPLACED
    for codec in JAPANESE_CODECS:
        try:
            text = line.decode(codec)
        except UnicodeDecodeError:
            continue
        if _all_japanese(text):
            return text, codec
    try:
        return line.decode(WESTERN_CODEC), WESTERN_CODEC
    except UnicodeDecodeError:
        return replaced, REPLACED


def decode_lines(data: bytes) -> tuple[bytes, Counter[str]]:
    """Return ``data`` as UTF-8, each line decoded by ``decode_line``, with the
    number of lines that each codec read. Line breaks stay where they were."""
    counts: Counter[str] = Counter()
    pieces = []
    for line in data.split(b"\n"):
        text, codec = decode_line(line)
        if codec is None:
            pieces.append(line)
            continue
        counts[codec] += 1
        pieces.append(text.encode("utf-8"))
    return b"\n".join(pieces), counts


def describe(counts: Counter[str]) -> str:
    """Return how the lines that were not UTF-8 were read, for the inventory:
    "3 read as Shift_JIS, 1 shown with U+FFFD"."""
    parts = []
    for codec, name in NAMES.items():
        if counts.get(codec):
            verb = "shown with" if codec == REPLACED else "read as"
            parts.append(f"{counts[codec]:,} {verb} {name}")
    return ", ".join(parts)


def _all_japanese(text: str) -> bool:
    """Return whether every character above ASCII is Japanese: kana, kanji,
    CJK punctuation or full-width forms. Bytes of other encodings that happen
    to decode as Shift_JIS or EUC-JP give other characters too."""
    wide = [char for char in text if ord(char) > 0x7F]
    return bool(wide) and all(
        0x3000 <= ord(char) <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x4E00 <= ord(char) <= 0x9FFF  # kanji
        or 0xFF00 <= ord(char) <= 0xFFEF  # full-width and half-width forms
        for char in wide
    )
