"""Rules for the operational records of the supporting daemons.

anvil and scache statistics, dnsblog results, cache cleanups, master start, stop
and child process problems, postfix-script, postsuper totals and the notices
that Postfix logs at start-up.
"""

from __future__ import annotations

from analyzer.parse.rules.model import QID_NONE, Rule

# anvil.c identifies a client as "service:address", where the service may be a
# master.cf "host:port" name and the address may be IPv6, so the address is
# found by its form: IPv4, "unknown", or at least two colons.
_ANVIL_CLIENT = (
    r"\((?P<service>.+?):(?P<client_ip>unknown|[\d.]+"
    r"|[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*)\)"
)
# ctime() without the weekday and year: "Oct 26 18:13:50", "Sep  7 07:14:19"
# (copies that collapse spaces write "Sep 7").
_PEAK_TIME = r" at (?P<peak_time>[A-Z][a-z]{2} +\d{1,2} \d\d:\d\d:\d\d)$"
_ANVIL_RATES = ("connection", "message", "recipient", "newtls", "auth")

_ANVIL = frozenset({"anvil"})
_SCACHE = frozenset({"scache"})


def _statistics(
    name: str,
    leads: tuple[str, ...],
    pattern: str,
    daemons: frozenset[str],
    source: str,
) -> Rule:
    return Rule(name, "statistics", leads, pattern, QID_NONE, daemons, source)


STATISTICS_RULES: tuple[Rule, ...] = (
    _statistics(
        "anvil-rate",
        tuple(f"statistics: max {rate} rate " for rate in _ANVIL_RATES),
        r"statistics: max (?P<metric>(?:" + "|".join(_ANVIL_RATES) + r") rate) "
        r"(?P<value>\d+)/(?P<period>\d+[smhdw]?) for " + _ANVIL_CLIENT + _PEAK_TIME,
        _ANVIL,
        "anvil/anvil.c",
    ),
    _statistics(
        "anvil-count",
        ("statistics: max connection count ",),
        r"statistics: max (?P<metric>connection count) (?P<value>\d+) for "
        + _ANVIL_CLIENT
        + _PEAK_TIME,
        _ANVIL,
        "anvil/anvil.c",
    ),
    _statistics(
        "anvil-cache-size",
        ("statistics: max cache size ",),
        r"statistics: max (?P<metric>cache size) (?P<value>\d+)" + _PEAK_TIME,
        _ANVIL,
        "anvil/anvil.c",
    ),
    _statistics(
        "scache-interval",
        ("statistics: start interval ",),
        r"statistics: (?P<metric>start interval) (?P<interval_start>.*)$",
        _SCACHE,
        "scache/scache.c",
    ),
    _statistics(
        "scache-lookup",
        ("statistics: domain lookup ", "statistics: address lookup "),
        r"statistics: (?P<metric>(?:domain|address) lookup) hits=(?P<hits>\d+)"
        r" miss=(?P<misses>\d+) success=(?P<success_percent>\d+)%$",
        _SCACHE,
        "scache/scache.c",
    ),
    _statistics(
        "scache-simultaneous",
        ("statistics: max simultaneous ",),
        r"statistics: (?P<metric>max simultaneous) domains=(?P<domains>\d+)"
        r" addresses=(?P<addresses>\d+) connection=(?P<connections>\d+)$",
        _SCACHE,
        "scache/scache.c",
    ),
    # Statistics of other daemons and versions; kept whole.
    Rule(
        "statistics",
        "statistics",
        ("statistics: ",),
        r"statistics: (?P<text>.*)$",
        QID_NONE,
    ),
)

_POSTSUPER_TOTALS = (
    "Deleted",
    "Placed on hold",
    "Released from hold",
    "Requeued",
    "Expired",
    "Force-expired",
    "Renamed to match inode number",
)

OPERATION_RULES: tuple[Rule, ...] = (
    Rule(
        "dnsblog",
        "dnsbl",
        ("addr ",),
        r"addr (?P<client_ip>\S+) listed by domain (?P<domain>\S+)"
        r" as (?P<result>\S+)(?P<extra>.*)$",
        QID_NONE,
        frozenset({"dnsblog"}),
        "dnsblog/dnsblog.c",
    ),
    # util/dict_cache.c, for the postscreen and verify caches.
    Rule(
        "cache-cleanup",
        "cache_cleanup",
        ("cache ",),
        r"cache (?P<cache>\S+) (?P<cleanup>full|partial) cleanup:"
        r" retained=(?P<retained>\d+) dropped=(?P<dropped>\d+) entries$",
        QID_NONE,
        source="util/dict_cache.c",
    ),
    Rule(
        "table-changed",
        "table_changed",
        ("table ",),
        r"table (?P<table>\S+) has changed -+ (?P<action>.*)$",
        QID_NONE,
        source="postscreen/postscreen.c",
    ),
    Rule(
        "master-start",
        "master_start",
        ("daemon started -- ",),
        r"daemon started -- version (?P<version>[^,]+)"
        r"(?:, configuration (?P<config>.*))?$",
        QID_NONE,
    ),
    # Older versions logged "reload configuration /etc/postfix".
    Rule(
        "master-reload",
        "master_reload",
        ("reload -- ", "reload configuration "),
        r"reload (?:-- version (?P<version>[^,]+), )?configuration (?P<config>.*)$",
        QID_NONE,
    ),
    Rule(
        "master-stop",
        "master_stop",
        ("terminating on signal ", "master exit time "),
        r"(?P<text>terminating on signal (?P<signal>\d+)|master exit time .*)$",
        QID_NONE,
    ),
    Rule(
        "postfix-script",
        "postfix_script",
        (
            "starting the Postfix mail system",
            "stopping the Postfix mail system",
            "refreshing the Postfix mail system",
            "the Postfix mail system is ",
            "waiting for the Postfix mail system ",
            "Postfix mail system is ",
        ),
        r"(?P<text>.+)$",
        QID_NONE,
    ),
    Rule(
        "compatibility",
        "compat_notice",
        (
            "Postfix is running with backwards-compatible ",
            "Postfix is using backwards-compatible ",
            "See http://www.postfix.org/COMPAT",
            "See https://www.postfix.org/COMPAT",
            "To disable backwards compatibility ",
            "using backwards-compatible default setting ",
        ),
        r"(?P<text>.+)$",
        QID_NONE,
    ),
    Rule(
        "postsuper-summary",
        "postsuper_summary",
        tuple(f"{action}: " for action in _POSTSUPER_TOTALS),
        r"(?P<action>" + "|".join(_POSTSUPER_TOTALS) + r"): (?P<count>\d+) messages?$",
        QID_NONE,
    ),
)

# Warnings of master(8) about its child processes, with their fields.
MASTER_WARNING_RULES: tuple[Rule, ...] = (
    Rule(
        "master-child-exit",
        "warning",
        ("warning: process ",),
        r"warning: (?P<text>process (?P<command>\S+) pid (?P<child_pid>\d+)"
        r" (?:exit status (?P<exit_status>\d+)|killed by signal (?P<signal>\d+)))$",
        QID_NONE,
        frozenset({"master"}),
        "master/master_spawn.c",
    ),
    Rule(
        "master-process-limit",
        "warning",
        ("warning: service ",),
        r'warning: (?P<text>service "(?P<service>[^"]*)" \((?P<listen>[^)]*)\)'
        r' has reached its process limit "(?P<process_limit>\d+)": .*)$',
        QID_NONE,
        frozenset({"master"}),
    ),
    Rule(
        "master-throttle",
        "warning",
        ("warning: ",),
        r"warning: (?P<text>(?P<command>\S+): bad command startup -- throttling)$",
        QID_NONE,
        frozenset({"master"}),
        "master/master_spawn.c",
    ),
)
