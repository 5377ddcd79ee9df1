"""Read log lines that are not UTF-8 in the encoding they were most likely written in.

A log line can carry raw 8-bit text, such as a subject that header_checks
quotes or a name that another program logged. In Japan that is mostly Shift_JIS
or EUC-JP, in the West Windows-1252 or ISO 8859-1.

A UTF-8 line with a few bad bytes (a character cut in two) stays UTF-8, with
U+FFFD for them. Any other line that is not UTF-8 is tried, strictly, as
Shift_JIS (Microsoft's cp932), then EUC-JP, whose characters must all read as
Japanese words, then as Windows-1252. A line that none of them reads keeps
U+FFFD for its bad bytes.
"""

from __future__ import annotations

from collections import Counter
from itertools import pairwise

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
CUT_LINE_BYTES = 200
"""Length from which a line that ends inside a UTF-8 character counts as cut. An
estimate: a length limit cuts long lines, and a short line that ends this way is
more likely Latin-1."""


def decode_line(line: bytes) -> tuple[str, str | None]:
    """Return the text of ``line`` and the codec that read it: None for UTF-8,
    else a key of NAMES."""
    try:
        return line.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    for cut in (1, 2, 3):
        # A UTF-8 line cut inside its last character by a length limit: long,
        # or with other UTF-8 characters ("José" in Latin-1 ends with a byte
        # that also starts a UTF-8 character).
        head, tail = line[:-cut], line[-cut:]
        if 0xC2 <= tail[0] <= 0xF4 and all(0x80 <= byte <= 0xBF for byte in tail[1:]):
            try:
                text = head.decode("utf-8")
            except UnicodeDecodeError:
                break
            if len(line) >= CUT_LINE_BYTES or not text.isascii():
                return text + "\ufffd", REPLACED
            break
    replaced = line.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd")
    wide = len(replaced) - len(replaced.encode("ascii", "ignore"))
    if wide - bad >= bad:  # as many valid UTF-8 characters as bad bytes
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
    """Return whether every character above ASCII is Japanese (kana, kanji, CJK
    punctuation, full-width forms) and they read as words: some kana, or two
    such characters in a row. Latin-1 bytes decode as Shift_JIS too, but as
    half-width katakana or a lone kanji between Latin letters ("Ren馥")."""
    wide = [char for char in text if ord(char) > 0x7F]
    if not wide or not all(_is_japanese(char) for char in wide):
        return False
    kana = any(0x3040 <= ord(char) <= 0x30FF for char in wide)
    pairs = any(
        _is_japanese(first) and _is_japanese(second) for first, second in pairwise(text)
    )
    return kana or pairs


def _is_japanese(char: str) -> bool:
    """Return whether ``char`` is a full-width Japanese character. Half-width
    katakana (U+FF61 to U+FF9F) is left out, because Latin-1 letters decode to it."""
    code = ord(char)
    return (
        0x3000 <= code <= 0x30FF  # CJK punctuation, hiragana, katakana
        or 0x4E00 <= code <= 0x9FFF  # kanji
        or 0xFF01 <= code <= 0xFF60  # full-width forms
    )
