"""Tie configuration files and queue listings to the hosts seen in the logs.

Members are grouped by the folder or nested archive that names their host. A
group's host is the syslog host that most of its log lines name; without logs,
it is main.cf's ``myhostname``, else the group name. A flat bundle is one group.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from analyzer.bundle.inventory import STATUS_ERROR, STATUS_REJECTED
from analyzer.load import LoadedBundle
from analyzer.parse.config import DEFAULTS, MainConfig, MasterConfig
from analyzer.parse.queue import QueueListing

UNKNOWN_HOST = "unknown host"
"""Name of a host that neither the logs, the configuration nor the folders name."""


@dataclass
class HostView:
    """What the bundle holds for one host."""

    name: str
    group: str
    main: MainConfig | None = None
    postconf: MainConfig | None = None
    """``postconf -n`` output."""
    master: MasterConfig | None = None
    queues: list[QueueListing] = field(default_factory=list)
    log_sources: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    """Every host group whose members belong to this host, ``group`` included."""
    instances: dict[str, MainConfig] = field(default_factory=dict)
    """main.cf of the host's other Postfix instances, by instance name: the
    folder of the file (postfix-out for /etc/postfix-out/main.cf), which is also
    the instance's syslog name by convention."""

    def instance_config(self, instance: str | None) -> MainConfig | None:
        """Return the settings of ``instance``: its own main.cf, else ``config``."""
        if instance and instance in self.instances:
            return self.instances[instance]
        return self.config

    @property
    def config(self) -> MainConfig | None:
        """Return the settings the findings read: main.cf, or ``postconf -n``
        output when main.cf is missing or disagrees with it and is not newer.

        ``postconf -n`` prints main.cf as Postfix parsed it when the command
        ran. A bundle copies main.cf with its own modification time, so a main.cf
        newer than the output was edited after the command ran, and the next
        ``postfix reload`` applies it. Otherwise the output is preferred because
        Postfix itself wrote it, while the main.cf copy may come from another
        time or another configuration directory.
        """
        main, postconf = self.main, self.postconf
        if main is None or postconf is None:
            return main or postconf
        if not config_conflicts(main, postconf) or main_is_newer(main, postconf):
            return main
        return postconf


DIAGNOSED = frozenset(DEFAULTS) | {"myhostname"}
"""Parameters that the findings read, besides the smtp_sasl_* and smtp_tls_* ones."""


def config_conflicts(main: MainConfig, postconf: MainConfig) -> list[str]:
    """Return the parameters the findings read that main.cf and ``postconf -n``
    output set differently, or that only one of them sets.

    A value equal to Postfix's default agrees with leaving the parameter out.
    Output of plain ``postconf`` (sosreport saves it) lists every parameter,
    computed ones such as myhostname included, so there only the parameters
    that main.cf sets are compared.
    """
    names = set(main.settings)
    if not is_full_output(postconf):
        names |= set(postconf.settings)
    diagnosed = [
        name
        for name in names
        if name in DIAGNOSED or name.startswith(("smtp_sasl_", "smtp_tls_"))
    ]
    return sorted(
        name
        for name in diagnosed
        if _effective(main, name) != _effective(postconf, name)
    )


def _effective(config: MainConfig, name: str) -> str:
    """Return the value as written, or Postfix's default when it is not set."""
    written = config.raw(name)
    return DEFAULTS.get(name, "") if written is None else written.strip()


FULL_OUTPUT_SETTINGS = 200
"""Parameters from which a ``postconf`` output is taken as the full list: Debian's
Postfix 3.7.11 lists 1,043 (``postconf -d``), while a main.cf sets far fewer (our
estimate: under 100 on most hosts)."""


def is_full_output(config: MainConfig) -> bool:
    """Return whether ``config`` is plain ``postconf`` output, every parameter
    with its value, rather than ``postconf -n``'s parameters set in main.cf."""
    name = config.source.rsplit("/", 1)[-1].lower()
    if name == "main.cf" or re.search(r"(?:^|[-_ ])n(?:\.txt|\.out)?$", name):
        return False
    # NOTE: a full output cut down to fewer parameters, whose first line is not
    # 2bounce_notice_recipient, is taken for ``postconf -n``.
    first = next(iter(config.settings), "")
    return (
        len(config.settings) >= FULL_OUTPUT_SETTINGS
        or first == "2bounce_notice_recipient"
    )


def main_is_newer(main: MainConfig, postconf: MainConfig) -> bool:
    """Return True when main.cf's file time is later than the output's."""
    if main.modified is None or postconf.modified is None:
        return False
    return main.modified > postconf.modified


def short_name(host: str) -> str:
    return host.split(".", 1)[0].lower()


def build_hosts(bundle: LoadedBundle, events: pd.DataFrame) -> dict[str, HostView]:
    """Return a view per host, keyed by the host name used in the events."""
    group_hosts = _group_log_hosts(bundle, events)
    log_hosts = (
        [str(h) for h in events["host"].dropna().unique()] if len(events) else []
    )
    views: dict[str, HostView] = {h: HostView(name=h, group="") for h in log_hosts}
    groups = sorted(_groups_with_content(bundle))
    for group in groups:
        # Hosts whose logs another folder holds: this folder is not about them.
        elsewhere = {
            host
            for other, counts in group_hosts.items()
            if other != group and counts
            for host in counts
        }
        host = _group_host(group, group_hosts.get(group), bundle, log_hosts, elsewhere)
        view = views.setdefault(host, HostView(name=host, group=group))
        view.group = group
        view.groups.append(group)
        _attach_members(view, group, bundle)
    _merge_listing_only_groups(views)
    return views


def _merge_listing_only_groups(views: dict[str, HostView]) -> None:
    """Give queue listings in a folder of their own to the bundle's only host.

    A folder such as ``diag/`` that contains only command output names no host,
    and without logs nothing else does. When exactly one other view has a log
    or a configuration, the listings belong to it.
    """

    def has_content(view: HostView) -> bool:
        configs = (view.main, view.postconf, view.master)
        return bool(view.log_sources) or any(c is not None for c in configs)

    substantive = [view for view in views.values() if has_content(view)]
    if len(substantive) != 1:
        return
    target = substantive[0]
    for name, view in list(views.items()):
        named_by_folder = view.group != "" and view.name in (view.group, UNKNOWN_HOST)
        if view is target or has_content(view) or not named_by_folder:
            continue
        target.queues.extend(view.queues)
        target.groups.extend(view.groups)
        del views[name]


def assign_member_hosts(bundle: LoadedBundle, views: dict[str, HostView]) -> None:
    """Set the host of each inventory entry to the host it belongs to.

    In a bundle of one host, every member belongs to it. With several hosts, a
    member belongs to the host of its host group, and a group that contains no
    log, configuration or queue listing keeps the folder name that made it a
    group. Members that were rejected, or of which nothing could be read, belong
    to no host, and neither does any member when no host name is known.
    """
    host_of_group = {
        group: view.name for view in views.values() for group in view.groups
    }
    only_host = next(iter(views)) if len(views) == 1 else None
    for entry in bundle.inventory.entries:
        host = None
        if entry.status not in (STATUS_REJECTED, STATUS_ERROR):
            group = bundle.groups.get(entry.path, "")
            host = only_host or host_of_group.get(group) or group or None
        entry.host = None if host == UNKNOWN_HOST else host


def _groups_with_content(bundle: LoadedBundle) -> set[str]:
    """Host groups that hold a log, a configuration or a queue listing.

    Folders that hold only nested archives or unrelated files name no host.
    """
    sources = [log.source for log in bundle.logs] + [q.source for q in bundle.queues]
    groups = {bundle.groups.get(source, "") for source in sources}
    groups |= {config.group for config in bundle.configs}
    return groups


def _group_log_hosts(
    bundle: LoadedBundle, events: pd.DataFrame
) -> dict[str, Counter[str]]:
    counts: dict[str, Counter[str]] = {}
    if not len(events):
        return counts
    per_source = events.groupby(["source", "host"], observed=True).size()
    for (source, host), n in per_source.items():
        group = bundle.groups.get(str(source), "")
        counts.setdefault(group, Counter())[str(host)] += int(n)
    return counts


def _group_host(
    group: str,
    counts: Counter[str] | None,
    bundle: LoadedBundle,
    log_hosts: list[str],
    elsewhere: set[str] | None = None,
) -> str:
    if counts:
        return counts.most_common(1)[0][0]
    named = _configured_name(group, bundle)
    if (
        len(log_hosts) == 1
        and log_hosts[0] in (elsewhere or set())
        and named
        and short_name(named) != short_name(log_hosts[0])
    ):
        # A folder without logs whose main.cf names another host than the one
        # whose logs are in another folder: a host of its own, without logs.
        return named
    # NOTE: a folder of another host without logs and without myhostname in its
    # main.cf is taken for the only host with logs.
    if len(log_hosts) == 1:  # one host in the logs: the files are all about it
        return log_hosts[0]
    for config in bundle.configs:
        if config.group == group and config.main and config.main.is_set("myhostname"):
            wanted = short_name(config.main.get("myhostname"))
            for host in log_hosts:
                if short_name(host) == wanted:
                    return host
            return config.main.get("myhostname")
    for host in log_hosts:
        if group and short_name(host) == short_name(group):
            return host
    if len(log_hosts) == 1:
        return log_hosts[0]
    return group or UNKNOWN_HOST


def _configured_name(group: str, bundle: LoadedBundle) -> str:
    """Return myhostname of the folder's main.cf, or "" when it sets none."""
    for config in bundle.configs:
        if config.group == group and config.main and config.main.is_set("myhostname"):
            return config.main.get("myhostname")
    return ""


_INSTANCE_FOLDER = re.compile(r"postfix-[A-Za-z0-9_.-]+")
"""Folder of a secondary instance's configuration, as postmulti names it."""


def _instance_of(source: str) -> str:
    """Return the instance whose folder contains ``source``, or "" for the default."""
    parts = source.split("/")
    folder = parts[-2] if len(parts) >= 2 else ""
    return folder if _INSTANCE_FOLDER.fullmatch(folder) else ""


def _attach_members(view: HostView, group: str, bundle: LoadedBundle) -> None:
    for config in bundle.configs:
        if config.group != group:
            continue
        if config.master is not None:
            view.master = config.master
        elif config.main is not None:
            name = config.main.source.rsplit("/", 1)[-1].lower()
            instance = _instance_of(config.main.source)
            if name == "main.cf" and instance:
                view.instances[instance] = config.main
            elif name == "main.cf":
                view.main = config.main
            else:
                view.postconf = config.main
    if view.main is None and view.postconf is None and view.instances:
        # Only other instances' files: the first of them is the host's settings.
        view.main = view.instances[min(view.instances)]
    view.queues.extend(
        q for q in bundle.queues if bundle.groups.get(q.source, "") == group
    )
    view.log_sources.extend(
        log.source for log in bundle.logs if bundle.groups.get(log.source, "") == group
    )
    known = view.name != UNKNOWN_HOST
    if known and view.config is not None and not view.config.is_set("myhostname"):
        # Postfix's default is the machine's name; a name without a dot gets
        # ".$mydomain", or ".localdomain" when mydomain is not set either.
        name = view.name
        if "." not in name:
            domain = (
                view.config.get("mydomain") if view.config.is_set("mydomain") else ""
            )
            name = f"{name}.{domain or 'localdomain'}"
        view.config.defaults.setdefault("myhostname", name)
