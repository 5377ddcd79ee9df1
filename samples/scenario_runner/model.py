"""Plans of scenarios and their hosts, shared by the runner and the host process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .bundle import LAYOUTS
from .dns_stub import DnsSpec
from .smtp_sink import SinkSpec

if TYPE_CHECKING:
    from .host import HostContext

LOG_FORMATS = ("bsd", "rfc3339", "maillog_file")


@dataclass
class HostPlan:
    """One appliance of a scenario: its Postfix settings, network and actions."""

    hostname: str
    drive: Callable[[HostContext], None]
    settings: dict[str, str | None] = field(default_factory=dict)
    dns: DnsSpec = field(default_factory=DnsSpec)
    sinks: list[SinkSpec] = field(default_factory=list)
    # Documentation addresses put on lo for Postfix to send from (smtp_bind_address).
    source_addresses: list[str] = field(default_factory=list)
    master_cf_extra: str = ""
    # Lines appended to /etc/postfix/aliases.
    extra_aliases: str = ""
    # Extra files in /etc/postfix built with postmap, by file name.
    hash_maps: dict[str, str] = field(default_factory=dict)
    # nftables rules (``nft -f`` syntax) loaded in the host's network namespace.
    nft_rules: list[str] = field(default_factory=list)
    # "bsd" or "rfc3339" (rsyslogd templates) or "maillog_file" (Postfix postlogd).
    log_format: str = "bsd"
    log_name: str = "maillog"
    layout: str = "appliance"

    def __post_init__(self) -> None:
        if self.log_format not in LOG_FORMATS:
            raise ValueError(
                f"invalid log_format {self.log_format!r} of {self.hostname}; "
                f"expected one of {LOG_FORMATS}"
            )
        if self.layout not in LAYOUTS:
            raise ValueError(
                f"invalid layout {self.layout!r} of {self.hostname}; "
                f"expected one of {sorted(LAYOUTS)}"
            )

    @property
    def short_name(self) -> str:
        return self.hostname.split(".")[0]


@dataclass
class Scenario:
    """A named situation with the finding an analyzer must rank first."""

    name: str
    description: str
    expected_top_finding: str | None
    hosts: list[HostPlan]
    # True when no error- or warning-level finding is expected.
    healthy: bool
    # Why expected_top_finding ranks first, where more than one cause shows.
    finding_note: str = ""
    # Upper limit for one run of the scenario, in seconds.
    timeout: float = 300.0

    @property
    def log_format(self) -> str:
        return self.hosts[0].log_format
