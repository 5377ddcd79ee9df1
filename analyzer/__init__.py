"""mailbundle: offline analysis of Postfix support bundles."""

__version__ = "0.1.0"
