"""Checks that a bundle holds only reserved names and addresses before it is kept."""

from __future__ import annotations

import gzip
import ipaddress
import re
import tarfile
from pathlib import Path

# Documentation networks (RFC 5737) and loopback.
ALLOWED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in ("127.0.0.0/8", "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
]
# Reserved example domains (RFC 2606) and the local names an appliance uses.
ALLOWED_MAIL_DOMAINS = (
    "example.com",
    "example.net",
    "example.org",
    "localdomain",
    "localhost",
)

IPV4 = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d{1,3}){3})(?![\d.])")
MAIL_DOMAIN = re.compile(r"@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)")


def find_foreign_values(bundle: Path) -> list[str]:
    """List each address or mail domain in BUNDLE that is not reserved, by member."""
    problems = []
    with tarfile.open(bundle) as archive:
        for member in archive.getmembers():
            if member.name.startswith("/") or ".." in member.name.split("/"):
                problems.append(f"{member.name}: member name is not relative")
            stream = archive.extractfile(member)
            if stream is None:
                continue
            data = stream.read()
            if member.name.endswith(".gz"):
                data = gzip.decompress(data)
            problems += _scan_text(member.name, data.decode("utf-8", "replace"))
    return problems


def _scan_text(name: str, text: str) -> list[str]:
    problems = set()
    for match in IPV4.finditer(text):
        try:
            address = ipaddress.ip_address(match[1])
        except ValueError:
            continue
        if not any(address in network for network in ALLOWED_NETWORKS):
            problems.add(f"{name}: address {address} is not loopback or documentation")
    for match in MAIL_DOMAIN.finditer(text):
        domain = match[1].lower()
        if not any(
            domain == allowed or domain.endswith("." + allowed)
            for allowed in ALLOWED_MAIL_DOMAINS
        ):
            problems.add(
                f"{name}: mail domain {domain} is not a reserved example domain"
            )
    return sorted(problems)
