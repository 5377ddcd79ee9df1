"""Exceptions raised by mailbundle.

Every error the package raises on purpose derives from ``MailbundleError``, so the
command line can turn it into a one-line message and an exit code::

    MailbundleError
    ├── BundleError            the bundle as a whole cannot be used (exit code 3)
    │   ├── BundleNotFound
    │   ├── UnsupportedBundle  not a directory, log file or known archive type
    │   ├── EmptyBundle        nothing in it that mailbundle can read
    │   └── EncryptedBundle    needs a password, or the password was wrong
    └── LimitExceeded          a safety limit stopped the reading of an archive

Problems with single members (a corrupt ``.gz``, an unreadable file) are not raised:
they are recorded in the bundle inventory and the rest of the bundle is analyzed.
"""

from __future__ import annotations


class MailbundleError(Exception):
    """Base class of the errors that mailbundle raises on purpose."""

    exit_code = 1


class BundleError(MailbundleError):
    """The bundle cannot be analyzed at all."""

    exit_code = 3


class BundleNotFound(BundleError):
    """The bundle path does not exist."""


class UnsupportedBundle(BundleError):
    """The bundle is neither a directory, a log file nor a known archive type."""


class EmptyBundle(BundleError):
    """The bundle holds no member that mailbundle can read."""


class EncryptedBundle(BundleError):
    """The archive is encrypted and no password, or a wrong one, was given."""


class LimitExceeded(MailbundleError):
    """A safety limit (size, ratio, member count, nesting) stopped the reading.

    ``scope`` is "member" when only one member is rejected and "bundle" when the
    reading of the whole bundle stops.
    """

    exit_code = 3

    def __init__(self, message: str, scope: str = "member") -> None:
        super().__init__(message)
        self.scope = scope
