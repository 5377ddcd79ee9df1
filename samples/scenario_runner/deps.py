"""Check for the programs and Python packages the runner needs."""

from __future__ import annotations

import importlib.util
import os
import shutil

# Program, Debian package that provides it.
REQUIRED_PROGRAMS = (
    ("postfix", "postfix"),
    ("rsyslogd", "rsyslog"),
    ("nft", "nftables"),
    ("ip", "iproute2"),
    ("unshare", "util-linux"),
)
# Python module, PyPI distribution.
REQUIRED_MODULES = (("aiosmtpd", "aiosmtpd"), ("dnslib", "dnslib"))
# Cyrus SASL client plugins that Postfix's smtp client needs for AUTH PLAIN and LOGIN.
SASL_PLUGIN_DIR = "/usr/lib/x86_64-linux-gnu/sasl2"


def missing_requirements() -> list[str]:
    """Return one line per missing requirement, each naming how to install it."""
    problems = []
    if os.geteuid() != 0:
        problems.append("must run as root (it creates network namespaces and mounts)")
    apt = sorted(
        {
            package
            for program, package in REQUIRED_PROGRAMS
            if shutil.which(program) is None
        }
    )
    if not any(name.startswith("libplain") for name in _list_dir(SASL_PLUGIN_DIR)):
        apt.append("libsasl2-modules")
    if apt:
        problems.append(f"missing Debian packages: apt-get install {' '.join(apt)}")
    pip = [
        dist
        for module, dist in REQUIRED_MODULES
        if importlib.util.find_spec(module) is None
    ]
    if pip:
        problems.append(
            f"missing Python packages: pip install {' '.join(pip)} "
            "(or pip install -e '.[samples]' in the repository)"
        )
    return problems


def _list_dir(path: str) -> list[str]:
    try:
        return os.listdir(path)
    except FileNotFoundError:
        return []
