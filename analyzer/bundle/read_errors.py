"""Plain words for the errors that a damaged member raises while it is read.

The inventory, the reports and the findings show these words; the exception
itself, with its class and the library's message, goes to the log.
"""

from __future__ import annotations

import lzma
import sys
import tarfile
import zipfile
import zlib

CUT_SHORT = "the compressed data ends early (file cut short?)"
CHECKSUM = "the data does not match its CRC checksum (damaged after packing?)"
DAMAGED = "the compressed data is damaged"
UNSUPPORTED = "compressed with a method that mailbundle cannot read"
SHORTER = (
    "the data is shorter than the size the archive states for it (damaged, or the "
    "size is forged)"
)


def describe_read_error(error: BaseException) -> str:
    """Return what ``error``, raised while a member was read, means in plain words."""
    message = str(error)

    # Data cut short or altered after it was packed.
    if isinstance(error, EOFError):
        return CUT_SHORT  # gzip, bz2, lzma and zipfile at compressed data cut short
    if _is_py7zr(error, "CrcError") or "CRC" in message:
        return CHECKSUM  # gzip "CRC check failed", zipfile "Bad CRC-32 for file"
    if "declared size" in message:
        return SHORTER  # py7zr "decompression failed ... before reaching declared size"

    # Archive structure.
    if isinstance(error, tarfile.ReadError) and "unexpected end" in message:
        return "the tar archive ends inside this member (file cut short?)"
    if isinstance(error, tarfile.TarError):
        return "the tar archive is damaged at this member"
    if isinstance(error, zipfile.BadZipFile) and "differ" in message:
        # zipfile: "File name in directory ... and header ... differ."
        return (
            "the member's names in the zip directory and in its local header differ "
            "(damaged or forged archive)"
        )
    if isinstance(error, zipfile.BadZipFile):
        return "the zip archive is damaged at this member"

    if isinstance(error, NotImplementedError) or _is_py7zr(
        error, "UnsupportedCompressionMethodError"
    ):
        return UNSUPPORTED
    if isinstance(error, OSError) and error.errno is not None:
        return f"reading failed: {error.strerror}"  # a disk or file system error

    damaged = (
        zlib.error,
        lzma.LZMAError,
        OSError,  # gzip "Not a gzipped file", bz2 "Invalid data stream"
    )
    # py7zr's ArchiveError: Bad7zFile, DecompressionError and more.
    if isinstance(error, damaged) or _is_py7zr(error, "ArchiveError"):
        return DAMAGED
    return "the data cannot be read (damaged?)"


def _is_py7zr(error: BaseException, name: str) -> bool:
    """Return whether ``error`` is py7zr's exception ``name``. Only a 7z archive
    imports py7zr, and without it no such error can have been raised."""
    module = sys.modules.get("py7zr.exceptions")
    return module is not None and isinstance(error, getattr(module, name))
