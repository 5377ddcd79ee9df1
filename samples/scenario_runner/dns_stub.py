"""DNS stub on 127.0.0.1:53 that serves a scenario's records and failures.

Names without records get NXDOMAIN, and a known name without records of the
requested type gets an empty NOERROR response (NODATA), as a real server does.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from dnslib import AAAA, MX, QTYPE, RCODE, RR, A, DNSRecord
from dnslib.server import BaseResolver, DNSHandler, DNSLogger, DNSServer

logger = logging.getLogger(__name__)


@dataclass
class DnsSpec:
    """Records and failures of one host's DNS view.

    ``records`` maps a lower-case name to {"A": [...], "MX": [(preference, host)]}.
    ``failures`` maps (name, type) to an RCODE name such as "SERVFAIL"; type "*"
    matches every type.
    """

    records: dict[str, dict[str, list]] = field(default_factory=dict)
    failures: dict[tuple[str, str], str] = field(default_factory=dict)

    def with_defaults(self, hostname: str) -> DnsSpec:
        """Return a copy that also resolves ``localhost`` and the host's own name."""
        records = {"localhost": {"A": ["127.0.0.1"]}, hostname: {"A": ["127.0.1.1"]}}
        records.update(self.records)
        return DnsSpec(records=records, failures=dict(self.failures))


class StubResolver(BaseResolver):
    def __init__(self, spec: DnsSpec, query_log: Path) -> None:
        self.spec = spec
        self.query_log = query_log
        self.lock = threading.Lock()

    def resolve(self, request: DNSRecord, handler: DNSHandler) -> DNSRecord:
        reply = request.reply()
        name = str(request.q.qname).rstrip(".").lower()
        qtype = QTYPE[request.q.qtype]
        rcode = self._answer(reply, name, qtype)
        with self.lock, self.query_log.open("a") as log:
            log.write(json.dumps({"name": name, "type": qtype, "rcode": rcode}) + "\n")
        return reply

    def _answer(self, reply: DNSRecord, name: str, qtype: str) -> str:
        failure = self.spec.failures.get((name, qtype)) or self.spec.failures.get(
            (name, "*")
        )
        if failure:
            reply.header.rcode = getattr(RCODE, failure)
            return failure
        records = self.spec.records.get(name)
        if records is None:
            reply.header.rcode = RCODE.NXDOMAIN
            return "NXDOMAIN"
        for value in records.get(qtype, []):
            if qtype == "A":
                rdata = A(value)
            elif qtype == "AAAA":
                rdata = AAAA(value)
            elif qtype == "MX":
                preference, exchange = value
                rdata = MX(exchange, preference)
            else:
                continue
            reply.add_answer(RR(name, getattr(QTYPE, qtype), rdata=rdata, ttl=60))
        return "NOERROR"


class QuietLogger(DNSLogger):
    """dnslib logger that prints nothing, because the resolver logs queries itself."""

    def __init__(self) -> None:
        super().__init__(
            log="-request,-reply,-truncated,-error,-recv,-send,-data", prefix=False
        )


class DnsStub:
    """UDP and TCP DNS servers on 127.0.0.1:53 of the current network namespace."""

    def __init__(self, spec: DnsSpec, query_log: Path) -> None:
        resolver = StubResolver(spec, query_log)
        self.servers = [
            DNSServer(
                resolver, address="127.0.0.1", port=53, tcp=tcp, logger=QuietLogger()
            )
            for tcp in (False, True)
        ]

    def start(self) -> None:
        for server in self.servers:
            server.start_thread()
        logger.info("DNS stub listening on 127.0.0.1:53")

    def stop(self) -> None:
        for server in self.servers:
            server.stop()
