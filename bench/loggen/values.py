"""Fresh values for template slots: queue IDs, pids, addresses, hosts, IPs, delays.

Every generated domain is under an RFC 2606 name (example.com, example.net,
example.org), and every IP address is a documentation address (192.0.2.0/24,
198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32). Loopback addresses, names
that are already RFC 2606 names, and single-label host names (drawn from a word
list) are the exceptions, so a generated log contains no real address, host
name or IP.
"""

from __future__ import annotations

import math
import random
import re
import string

# Postfix mail_queue.h: long queue IDs encode seconds (at least 6 digits) and
# microseconds (exactly 4 digits) in base 52, then "z", then the inode number
# in base 51 (the same alphabet without "z").
LONG_ID_ALPHABET = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz"
SAFE_DOMAIN = re.compile(
    r"(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost|localdomain)\.?$",
    re.IGNORECASE,
)
GENERIC_LABEL = re.compile(
    r"^(?:mail|mx|smtp|relay|mta|out|in|gw|ns|www|imap|pop|webmail|mailgw|"
    r"smtp-out|mailout|mailin|mx-in|edge|filter|spam|av|mailhost)\d*$",
    re.IGNORECASE,
)
DOMAIN_WORDS = (
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "wayne",
    "stark",
    "wonka",
    "soylent",
    "tyrell",
    "cyberdyne",
    "aperture",
    "oscorp",
    "nakatomi",
    "monarch",
    "dunder",
    "prestige",
    "gringotts",
    "massive",
    "contoso",
    "fabrikam",
    "northwind",
    "zenith",
)
FIRST_NAMES = (
    "alice",
    "bob",
    "carol",
    "dave",
    "erin",
    "frank",
    "grace",
    "heidi",
    "ivan",
    "judy",
    "mallory",
    "niaj",
    "olivia",
    "peggy",
    "rupert",
    "sybil",
    "trent",
    "victor",
    "walter",
    "yuki",
    "zoe",
    "kenji",
    "maria",
    "omar",
    "sofia",
    "lars",
    "priya",
    "chen",
    "amara",
    "jonas",
)
TEAM_NAMES = (
    "soc",
    "secops",
    "analyst",
    "oncall",
    "siem-alerts",
    "noc",
    "security",
    "incident",
    "csirt",
    "it-ops",
    "helpdesk",
    "audit",
    "compliance",
    "admin",
    "netops",
    "dba",
    "cloudops",
    "infra",
    "risk",
    "ciso",
    "forensics",
    "vuln",
    "threat-intel",
    "monitor",
)
DOCUMENTATION_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")
INODE_FIRST = 0x200000
INODE_LAST = 0x2FFFFF


def format_delay(seconds: float) -> str:
    """Format a delay as Postfix does: two significant digits, whole seconds from 100."""
    if seconds >= 99.5:
        return str(int(seconds + 0.5))
    rounded = round(seconds, 2)
    if rounded < 0.01:
        return "0"
    return f"{rounded:.2g}"


def encode(number: int, alphabet: str, width: int = 0) -> str:
    """Encode a number in the base of the alphabet, left-padded with its zero digit."""
    base = len(alphabet)
    digits = []
    while number:
        number, remainder = divmod(number, base)
        digits.append(alphabet[remainder])
    text = "".join(reversed(digits)) or alphabet[0]
    return text.rjust(width, alphabet[0])


class QueueIds:
    """Queue ID allocator: unique among live messages, reused only after ``removed``.

    Short IDs follow Postfix: five hex digits of microseconds, then the hex inode
    number of the queue file. Inode numbers cycle through a range of about one
    million, as a file system recycles the numbers of deleted queue files.
    """

    def __init__(self, rng: random.Random, long_ids: bool, reuse_share: float) -> None:
        self.rng = rng
        self.long_ids = long_ids
        self.reuse_share = reuse_share
        self.live: set[str] = set()
        self.recently_freed: list[str] = []
        self.next_inode = INODE_FIRST + rng.randrange(0x10000)

    def allocate(self, time: float) -> str:
        if self.recently_freed and self.rng.random() < self.reuse_share:
            queue_id = self.recently_freed.pop(
                self.rng.randrange(len(self.recently_freed))
            )
            if queue_id not in self.live:
                self.live.add(queue_id)
                return queue_id
        while True:
            queue_id = self._make(time)
            if queue_id not in self.live:
                self.live.add(queue_id)
                return queue_id

    def release(self, queue_id: str) -> None:
        self.live.discard(queue_id)
        self.recently_freed.append(queue_id)
        if len(self.recently_freed) > 64:
            del self.recently_freed[: len(self.recently_freed) - 64]

    def _make(self, time: float) -> str:
        inode = self.next_inode
        self.next_inode += 1 + self.rng.randrange(4)
        if self.next_inode > INODE_LAST:
            self.next_inode = INODE_FIRST
        microseconds = self.rng.randrange(1_000_000)
        if self.long_ids:
            return (
                encode(int(time), LONG_ID_ALPHABET, 6)
                + encode(microseconds, LONG_ID_ALPHABET, 4)
                + "z"
                + encode(inode, LONG_ID_ALPHABET[:-1])
            )
        return f"{microseconds & 0xFFFFF:05X}{inode:X}"


class Pids:
    """Process IDs of one host: one per long-running daemon, fresh ones for the others."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.next_pid = 1000 + rng.randrange(20000)
        self.persistent: dict[str, str] = {}

    def fresh(self) -> str:
        self.next_pid += 1 + self.rng.randrange(30)
        if self.next_pid > 4_194_303:
            self.next_pid = 1000
        return str(self.next_pid)

    def daemon(self, daemon: str) -> str:
        pid = self.persistent.get(daemon)
        if pid is None:
            pid = self.persistent[daemon] = self.fresh()
        return pid

    def restart(self) -> None:
        """Forget the long-running daemons' pids, as a Postfix restart does."""
        self.persistent.clear()


class Names:
    """Run-wide pseudonyms for host names and IP addresses, stable by original value."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.hosts: dict[str, str] = {}
        self.domains: dict[str, str] = {}
        self.ipv4: dict[str, str] = {}
        self.ipv6: dict[str, str] = {}

    def host(self, name: str) -> str:
        found = self.hosts.get(name)
        if found is None:
            found = self.hosts[name] = self._make_host(name)
        return found

    def _make_host(self, name: str) -> str:
        trailing_dot = "." if name.endswith(".") else ""
        name = name.rstrip(".")
        if SAFE_DOMAIN.search(name):
            return name + trailing_dot
        labels = name.lower().split(".")
        domain = self.domain(".".join(labels[-2:]))
        if len(labels) <= 2:
            return domain + trailing_dot
        first = (
            labels[0]
            if GENERIC_LABEL.match(labels[0])
            else f"host{len(self.hosts) + 1}"
        )
        return f"{first}.{domain}{trailing_dot}"

    def domain(self, registered: str) -> str:
        found = self.domains.get(registered)
        if found is None:
            number = len(self.domains)
            word = DOMAIN_WORDS[number % len(DOMAIN_WORDS)]
            suffix = ("com", "net", "org")[number // len(DOMAIN_WORDS) % 3]
            found = f"{word}{number // (3 * len(DOMAIN_WORDS)) or ''}.example.{suffix}"
            self.domains[registered] = found
        return found

    def single_label(self, name: str) -> str:
        return self.host(name + ".invalid-single-label").split(".")[0]

    def ip4(self, address: str) -> str:
        found = self.ipv4.get(address)
        if found is None:
            if address.startswith(DOCUMENTATION_NETS):
                found = address
            else:
                number = len(self.ipv4)
                net = DOCUMENTATION_NETS[number // 254 % 3]
                found = f"{net}{number % 254 + 1}"
            self.ipv4[address] = found
        return found

    def ip6(self, address: str) -> str:
        found = self.ipv6.get(address)
        if found is None:
            if address.lower().startswith("2001:db8:") or address in ("::1", "::"):
                found = address
            else:
                number = len(self.ipv6) + 1
                found = f"2001:db8:{number >> 16:x}:{number & 0xFFFF:x}::{self.rng.randrange(1, 0xFFFF):x}"
            self.ipv6[address] = found
        return found


class LocalParts:
    """Fresh local parts of addresses, drawn so a few are common and most are rare."""

    def __init__(
        self, rng: random.Random, size: int, names: tuple[str, ...] = ()
    ) -> None:
        self.rng = rng
        self.size = size
        self.names = names

    def draw(self) -> str:
        # Log-uniform rank: the share of rank r falls as 1/r (Zipf's law, s = 1).
        rank = int(math.exp(self.rng.random() * math.log(self.size)))
        if self.names and rank <= len(self.names):
            return self.names[rank - 1]
        first = FIRST_NAMES[rank % len(FIRST_NAMES)]
        last = FIRST_NAMES[(rank // len(FIRST_NAMES)) % len(FIRST_NAMES)]
        return f"{first}.{last}{rank // (len(FIRST_NAMES) ** 2) or ''}"


_RUNS = re.compile(r"[0-9]+|[A-Za-z]+")
# Words of Message-IDs that name software, not people, so scrambling keeps them.
KEPT_WORDS = {"JavaMail", "root", "mail", "Postfix", "postfix", "msg", "email"}


def scramble(text: str, rng: random.Random) -> str:
    """Replace each run of digits or letters with random ones of the same class and length."""

    def replace(match: re.Match[str]) -> str:
        run = match.group(0)
        if run in KEPT_WORDS:
            return run
        if run[0].isdigit():
            return "".join(rng.choices(string.digits, k=len(run)))
        if run.isupper():
            return "".join(rng.choices(string.ascii_uppercase, k=len(run)))
        if run.islower():
            return "".join(rng.choices(string.ascii_lowercase, k=len(run)))
        return "".join(rng.choices(string.ascii_letters, k=len(run)))

    return _RUNS.sub(replace, text)
