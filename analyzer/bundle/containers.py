"""Helpers for zip and 7z archives that need no archive library.

The 7z reader itself is in ``sevenzip``. Importing py7zr took about 70 ms on
a 2-core machine, so it is imported only when a bundle contains a 7z archive.
"""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime

ZIP_AES = 99
"""Compression method that marks a WinZip AES-encrypted member."""


class SevenZipError(Exception):
    """Error for a 7z archive that cannot be opened. The message gives the reason in
    plain words."""


def zip_time(info: zipfile.ZipInfo) -> datetime | None:
    """Return a zip member's time. Zip stores local time without a zone; read as UTC."""
    try:
        return datetime(*info.date_time, tzinfo=UTC)
    except ValueError:
        return None
