"""Titles, summaries and remedies of every finding code, in English.

Texts are ``str.format`` templates; a finding's ``params`` fill them. The report's
Japanese texts live in ``analyzer.report.i18n`` under the same codes.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Entry:
    title: str
    summary: str
    remedy: str
    variants: dict[str, str] = field(default_factory=dict)
    """Other summaries, chosen by the finding's ``variant`` parameter."""
    titles: dict[str, str] = field(default_factory=dict)
    """Other titles, for the variants whose cause reads differently."""
    remedies: dict[str, str] = field(default_factory=dict)
    """Other remedies, for the variants whose fix differs."""

    def summary_for(self, variant: str | None) -> str:
        return self.variants.get(variant or "", self.summary)

    def title_for(self, variant: str | None) -> str:
        return self.titles.get(variant or "", self.title)

    def remedy_for(self, variant: str | None) -> str:
        return self.remedies.get(variant or "", self.remedy)


_CONTENT_CHECK_REMEDY = (
    "If these messages should go out, find the pattern that matched: `postmap -q "
    "{probe} {table}` prints the action of the first matching line. Change or "
    "remove that line, then run `postfix reload`."
)

_FLUSH = "Once the cause is fixed, run `postfix flush` to send the queued mail."
FLUSH = _FLUSH
"""The remedies' last sentence, left out where no affected mail is still queued."""

_SOME_DOMAINS = (
    "{count} message(s) for {domains} were refused by {relays}: {reasons}. The "
    "same server accepted {delivered_there} other delivery attempt(s) from this "
    "host, so it takes mail from this host, but does not relay it to these domains."
)
_SOME_DOMAINS_TITLE = (
    "The mail server takes this host's mail, but does not relay it to some domains"
)
_AUTHENTICATED_RELAY = (
    "This host logs in to the server (smtp_sasl_auth_enable = yes), so the "
    "server knows the account and still refuses: ask its administrator to allow "
    "that account, the one in the file named by smtp_sasl_password_maps, to "
    "relay to outside domains (on Exchange, the receive connector's "
    "permissions). " + _FLUSH
)
"""The relay-access-denied remedy for a host that already logs in to the server."""

_MYDESTINATION_TITLE = (
    "Mail for {domain} stays on this host: mydestination lists that domain"
)
_MYDESTINATION_REMEDY = (
    "Remove {domain} (or $mydomain) from mydestination in /etc/postfix/main.cf, "
    "keeping Postfix's default: mydestination = $myhostname, localhost.$mydomain, "
    "localhost. Then run `postfix reload`. Mail for {domain} then goes to relayhost "
    "or to the domain's mail servers."
)
"""Title and remedy of the findings on mail that local(8) kept because
mydestination lists its domain."""

CATALOG: dict[str, Entry] = {
    "localhost-loop": Entry(
        "Mail loops back to this host: no mail server is set, or it is localhost",
        "{count} message(s) failed with {reasons}. Postfix handed the mail to itself "
        'because relayhost is "{relayhost}".',
        "Set a real mail server, never localhost: relayhost = [mail.example.com] in "
        "/etc/postfix/main.cf. On QRadar the console writes this setting: in 7.3 and "
        "earlier, enter the server for each host (Admin, System and License "
        "Management, Hosts, E-mail Server); in 7.4 and later, select a stored mail "
        "server there, add one with Manage Email Servers if needed, and run its "
        "connection test. " + _FLUSH,
        variants={
            "unset": "{count} message(s) failed with {reasons}. relayhost is not set, "
            "and the mail server of the recipient domain ({domains}) is this host "
            "itself.",
            "elsewhere": "{count} message(s) failed with {reasons}. main.cf now sets "
            "relayhost = {relayhost}, which does not name this host: either the logs "
            "predate that setting, or {relay_host} is one of this host's own "
            "addresses.",
            "recovered": "{count} message(s) failed with {reasons} for a while, the "
            "last at {last}. All of them were delivered later, so the cause was "
            "corrected then.",
        },
        titles={"recovered": "Mail looped back to this host for a while"},
        remedies={
            "recovered": "Nothing is left to fix. If loops come back, check that "
            "relayhost in /etc/postfix/main.cf names the mail server, not this host.",
        },
    ),
    "myhostname-conflict": Entry(
        "The mail server greets with this host's own name (myhostname)",
        "{count} message(s) failed with {reasons}. The server {server} greeted "
        "Postfix with {own_name}, the name that myhostname gives this host, so "
        "Postfix took the mail to be looping back to itself and returned it.",
        "Give this host a name of its own: set myhostname in /etc/postfix/main.cf to "
        "this host's fully qualified name, not the mail server's, then run `postfix "
        "reload`. Postfix compares the server's greeting with myhostname only, so "
        "smtp_helo_name does not help. If the mail server is the one with the wrong "
        "name, correct its host name instead. " + _FLUSH,
        variants={
            "same_name": "{count} message(s) failed with {reasons}. relayhost names "
            "{server}, and myhostname gives this host the same name ({own_name}). The "
            "server greets Postfix with its own name, Postfix takes that name for its "
            "own, and returns the mail as looping back to itself.",
        },
        titles={"same_name": "This host's myhostname is the mail server's name"},
    ),
    "own-name-loop": Entry(
        "Mail to this host's own name loops: mydestination does not list it",
        "{count} message(s) to {domains} failed with {reasons}. relayhost is not "
        "set, and {domain} is this host's own name, which mydestination does not "
        "list, so Postfix sends that mail out to itself.",
        "Deliver this host's own mail here: add $myhostname to mydestination in "
        "/etc/postfix/main.cf (Postfix's default is mydestination = $myhostname, "
        "localhost.$mydomain, localhost), then run `postfix reload`. For such mail "
        "to reach a person, also set an outside address for root in /etc/aliases "
        "and run `newaliases`. " + _FLUSH,
    ),
    "relayhost-mx-lookup": Entry(
        "The relay host has no brackets, so Postfix looks up MX records for it",
        '{count} message(s) were deferred with DSN 4.4.3: "Name service error for '
        'name={name} type=MX". The configuration in use sets relayhost = {relayhost} without brackets, '
        "so Postfix asks DNS for MX records of {name} instead of connecting to it.",
        "Put the mail server in brackets, which turns off the MX lookup: "
        "relayhost = [{name}] (or [{name}]:587 for another port) in "
        "/etc/postfix/main.cf, then run `systemctl restart postfix`. " + _FLUSH,
        variants={
            "no_config": '{count} message(s) were deferred with DSN 4.4.3: "Name '
            'service error for name={name} type=MX". The bundle has no main.cf; the '
            "MX lookup means relayhost is written without brackets.",
            "bracketed": '{count} message(s) were deferred with DSN 4.4.3: "Name '
            'service error for name={name} type=MX". The configuration now sets '
            "relayhost = {relayhost} with brackets: the logs predate that setting.",
        },
        titles={
            "bracketed": "Postfix looked up MX records for the relay host, which "
            "the configuration now puts in brackets",
        },
        remedies={
            "bracketed": "The configuration already has the brackets. If main.cf was "
            "edited after "
            "the last `postfix reload`, run `postfix reload` so that Postfix uses it, "
            "then check that new deferrals no longer name type=MX. " + _FLUSH,
        },
    ),
    "relayhost-unbracketed": Entry(
        "The relay host has no brackets: Postfix will look up MX records for it",
        "{source} sets relayhost = {relayhost} without brackets. Postfix then asks DNS "
        "for MX records of {name}; when there are none, mail is deferred with "
        '"type=MX: Host not found". The logs in this bundle do not show that yet.',
        "Write relayhost = [{name}] in /etc/postfix/main.cf and run "
        "`systemctl restart postfix`.",
        variants={
            "main_fixed": "The configuration in use, {source}, sets relayhost = "
            "{relayhost} without brackets, so Postfix asks DNS for MX records of "
            '{name}; when there are none, mail is deferred with "type=MX: Host not '
            'found". {main} already sets relayhost = [{name}], and Postfix uses it '
            "only after `postfix reload`.",
            "mx_used": "{source} sets relayhost = {relayhost} without brackets, so "
            "Postfix looks up the MX records of {name} and sends to the servers they "
            "name. The log shows every message delivered by SMTP going to {servers}, "
            "none to {name} itself. If those servers are not meant to relay this "
            "host's mail, or the MX records change, mail goes astray or is deferred.",
        },
        titles={
            "main_fixed": "The relay host in use has no brackets, but main.cf "
            "already has them",
            "mx_used": "The relay host has no brackets: mail goes to the MX hosts "
            "of its name",
        },
        remedies={
            "main_fixed": "main.cf already has the brackets. Run `postfix reload` so "
            "that Postfix uses it, then check that `postconf relayhost` prints "
            "relayhost = [{name}].",
        },
    ),
    "relayhost-unresolvable": Entry(
        "The mail server's name cannot be resolved",
        "{count} message(s) were deferred because DNS has no address for {names} "
        '("Name service error for name=... type=A" or "Host not found"). A typo in '
        "the mail server name is the usual cause; the configuration in use sets "
        "relayhost = {relayhost}.",
        "Check the spelling of relayhost in /etc/postfix/main.cf (on QRadar, the "
        "e-mail server setting) and that this host resolves it: "
        "`getent hosts {name}`. Writing the server's IP address in brackets, such as "
        "[192.0.2.10], avoids the lookup. " + _FLUSH,
        variants={
            "no_config": "{count} message(s) were deferred because DNS has no address "
            'for {names} ("Name service error for name=... type=A" or "Host not '
            'found"). A typo in the mail server name is the usual cause.',
            "ipv6_only": "{count} message(s) were deferred because inet_protocols = "
            "ipv6 makes Postfix use IPv6 alone: it asks DNS only for IPv6 addresses "
            "(type=AAAA) of {names}, and refuses an IPv4 address, even in brackets, as "
            'an "invalid host or domain name": {reasons}. The mail server has no IPv6 '
            "address, so the name is not misspelled.",
            "temporary": "{count} message(s) were deferred because DNS gave no answer "
            'for {names} ("Host not found, try again"): the DNS servers in '
            "/etc/resolv.conf were slow or unreachable then. That is a failing lookup, "
            "not a wrong name.",
        },
        titles={
            "temporary": "DNS lookups of the mail server's name failed",
            "ipv6_only": "Postfix uses only IPv6, and the mail server has no IPv6 "
            "address",
        },
        remedies={
            "ipv6_only": "Set inet_protocols = all (or ipv4) in /etc/postfix/main.cf "
            "and run `systemctl restart postfix`: a reload does not change "
            "inet_protocols. `postconf inet_protocols` shows the value in use. "
            + _FLUSH,
            "temporary": "Check that this host's DNS servers answer: `getent hosts "
            "{name}`, and the nameserver lines of /etc/resolv.conf (`dig @SERVER "
            "{name}`). Ask the network team to allow DNS (port 53) from this host to "
            "them, or set servers that answer. Writing the mail server's IP address "
            "in brackets, such as relayhost = [192.0.2.10], avoids the lookup. "
            + _FLUSH,
        },
    ),
    "bind-address-missing": Entry(
        "smtp_bind_address names an address this host does not have",
        "smtp could not use the source address {address} ({count} time(s)): "
        "{reason}. It connected from another address of this host instead, so a "
        "mail server that accepts only {address} refuses this host.",
        "Set smtp_bind_address in /etc/postfix/main.cf to an address this host has "
        "(`ip -br addr`), or remove it, then run `postfix reload`.",
    ),
    "delivery-not-attempted": Entry(
        "Queued mail gets no delivery attempt",
        "qmgr queued {count} message(s) for delivery, the oldest at {oldest}, and "
        "the log shows no delivery attempt for them up to its end at {end}. A "
        "delivery agent would have tried each within seconds.",
        "Run `postqueue -p`: a message still listed without a reason waits for a "
        "delivery agent. Look in the full log for warnings, fatal errors and "
        "panics of smtp, qmgr or master (`grep -E 'warning|fatal|panic' "
        "/var/log/maillog`) and run `postfix check`. Check also that the bundle's "
        "log is complete: a log filtered by program or facility leaves the "
        "delivery lines out. Once fixed, `postqueue -f` tries the mail again.",
        variants={
            "listed": "qmgr queued {count} message(s) for delivery, the oldest at "
            "{oldest}, and the log shows no delivery attempt for them up to its end "
            "at {end}; the newest queue listing still shows {listed} of them. A "
            "delivery agent would have tried each within seconds.",
        },
    ),
    "mail-not-accepted": Entry(
        "Postfix does not accept submitted mail",
        "cleanup did not accept {count} message(s), {attempts} time(s) in all: "
        '"{problem}". The mail stays in the maildrop queue, and pickup tries it '
        "again every few seconds, under a new queue ID each time; it is never sent.",
        "Fix what the warning names on this host, then run `postfix reload`: "
        "pickup then queues the waiting mail on its own.",
        variants={
            "alias_loop": "cleanup did not accept {count} message(s), {attempts} "
            "time(s) in all: {maps} maps {address} to addresses that lead back to it "
            "(a loop) or nest too deep. The mail stays in the maildrop queue, and "
            "pickup tries it again every few seconds, under a new queue ID each "
            "time; it is never sent.",
            "expansion_limit": "cleanup did not accept {count} message(s), "
            "{attempts} time(s) in all: {maps} expands {address} to more addresses "
            "than virtual_alias_expansion_limit = {limit} allows. The mail stays in "
            "the maildrop queue, and pickup tries it again every few seconds, under a "
            "new queue ID each time; it is never sent.",
            "from_clients": "cleanup did not accept {count} message(s) from SMTP "
            'clients, {attempts} time(s) in all: "{problem}". smtpd answered each '
            "with a temporary error, so the clients keep the mail and send it again "
            "later; it is never queued here.",
        },
        remedies={
            "from_clients": "Fix what the warning names on this host, then run "
            "`postfix reload`: the clients' next retries then go through.",
            "expansion_limit": "Shorten the list of {address} in {table} (`postmap "
            "-q {address} {table}` shows it), or raise virtual_alias_expansion_limit "
            "in /etc/postfix/main.cf above the number of addresses it gives. After a "
            "change, run `postmap {table}` and `postfix reload`: pickup then queues "
            "the waiting mail on its own.",
            "alias_loop": "Follow {address} through the table: `postmap -q "
            "{address} {table}` shows where it leads, and again for each address "
            "it gives. Remove the entry that points back, run `postmap` on the "
            "table, then `postfix reload`: pickup then queues the waiting mail on "
            "its own.",
        },
        titles={
            "alias_loop": "An alias loop keeps Postfix from accepting mail for "
            "{address}",
            "expansion_limit": "The alias {address} has more addresses than "
            "virtual_alias_expansion_limit allows",
        },
    ),
    "transport-missing": Entry(
        "Postfix has no delivery service named {transport}",
        '{count} message(s) wait with "mail transport unavailable": {setting} '
        "sends mail to the transport {transport}, but master.cf defines no service "
        "of that name, so qmgr cannot hand the mail to a delivery agent.",
        "Correct the transport name in {setting} (smtp for mail to other servers), or "
        "add a service named {transport} to /etc/postfix/master.cf, then run `postfix "
        "reload`. `postconf -M` lists the services. " + _FLUSH,
        variants={
            "unnamed": '{count} message(s) wait with "mail transport unavailable": '
            "main.cf or transport_maps sends them to a transport that master.cf does "
            'not define. qmgr\'s warning "connect to transport private/NAME" in the '
            "mail log names it.",
        },
        titles={"unnamed": "Postfix has no delivery service for some mail"},
        remedies={
            "unnamed": "Compare the transports that main.cf (default_transport, "
            "relay_transport, content_filter) and transport_maps name with the "
            "services `postconf -M` lists. Correct the name or add the service, then "
            "run `postfix reload`. " + _FLUSH,
        },
    ),
    "error-transport": Entry(
        "Postfix is set to return this mail: {setting} = {value}",
        "{count} message(s) for {domains} were returned by Postfix's error "
        "transport, not by a mail server: {setting} = {value} sends them to "
        "error(8), which bounces each at once. Its text, {reasons}, is no server's "
        'reply: error(8) gives the text after "error:" in the setting, or else the '
        "next hop (relayhost).",
        "Set {setting} = {default} in /etc/postfix/main.cf, or remove the line "
        '({default} is the default), then run `postfix reload`. On Debian, the "local only" '
        "choice of `dpkg-reconfigure postfix` writes default_transport = error. The "
        "returned mail must be sent again.",
        variants={
            "routed": "{count} message(s) for {domains} were returned by Postfix's "
            "error transport, not by a mail server: transport_maps (or "
            "sender_dependent_default_transport_maps) sends mail for these domains "
            "to error(8), which bounces each at once. Its text is {reasons}.",
            "no_config": "{count} message(s) for {domains} were returned by Postfix's "
            "error transport, not by a mail server: a setting of this host sends them "
            "to error(8), which bounces each at once (default_transport, "
            "relay_transport or transport_maps; the bundle has no main.cf). Its "
            "text is {reasons}.",
        },
        titles={
            "routed": "Postfix is set to return mail for {domains}",
            "no_config": "Postfix is set to return mail for {domains}",
        },
        remedies={
            "routed": "Find the entry: `postmap -q {domain} TABLE` for each table of "
            "transport_maps (`postconf transport_maps`). Change its transport from "
            "error to smtp (or remove it), run `postmap` on the table and `postfix "
            "reload`. The returned mail must be sent again.",
            "no_config": "Run `postconf default_transport relay_transport "
            "transport_maps` on this host. Set the one that says error to smtp (in "
            "transport_maps, the entry for {domain}), then run `postfix reload`. The "
            "returned mail must be sent again.",
        },
    ),
    "server-storage-full": Entry(
        "The mail server has no room for the mail",
        "{count} message(s) were deferred because {relays} has no storage left "
        "for them: {reasons}. Its disk or queue is full; nothing on this host causes "
        "it, and Postfix tries again later.",
        "Ask the administrator of {relays} to free disk space or clear its queue. "
        "Postfix keeps the mail and tries again until maximal_queue_lifetime (5 "
        "days by default) runs out. " + _FLUSH,
    ),
    "relay-server-error": Entry(
        "The mail server reports a problem of its own",
        "{count} message(s) were turned away by {relays} with a reply that names no "
        "cause on this host: {reasons}. The server took the connection and then "
        "reported a failure of its own. After a reply that starts with 4 Postfix "
        "tries again later; one that starts with 5 returns the mail to its sender.",
        "Ask the administrator of {relays} what the reply means and to check the "
        "server at the times of the evidence lines. Postfix keeps mail that got a "
        "temporary (4xx) reply and tries again until maximal_queue_lifetime (5 days "
        "by default) runs out. " + _FLUSH,
    ),
    "lookup-table-unavailable": Entry(
        "Postfix cannot read its lookup table {table}",
        "{count} message(s) wait because Postfix cannot read {table}: {why}. "
        "Postfix defers mail that needs the table instead of sending it without.",
        "Build the table from its text file: `postmap {path}`, then `postfix "
        "reload`. Run `postmap` again after every change of {path}. " + _FLUSH,
        variants={
            "unnamed": "{count} message(s) wait: Postfix reported a local data "
            "error for them, which means it could not read one of its lookup tables "
            "(smtp_sasl_password_maps, transport_maps or a TLS policy table). The "
            "warnings that Postfix logged before these lines name the table.",
        },
        remedies={
            "aliases": "Build the alias table: `newaliases` (or `postalias "
            "{path}`), then `postfix reload`. " + _FLUSH,
            "file": "Check that {path} exists and that Postfix may read it, then "
            "run `postfix reload`. " + _FLUSH,
            "service": "Check the table's definition in {path} and that its "
            "server answers this host; `postmap -q KEY {table}` shows what Postfix "
            "gets. " + _FLUSH,
            "unnamed": "Find the table in the warnings before the first deferral "
            '("is unavailable" or "lookup error"), build it with `postmap`, '
            "and run `postfix reload`. " + _FLUSH,
        },
        titles={"unnamed": "Postfix cannot read one of its lookup tables"},
    ),
    "lookup-table-stale": Entry(
        "Postfix still uses the old {database}",
        "Postfix warned that {database} is older than {source}: the file was "
        "changed after the database was last built, and Postfix reads only the "
        "database, so the edits since the last `{command}` are not in effect.",
        "Check that {source} says what it should, then rebuild the database: "
        "`{command}`, and run `postfix reload`. Run it again after every change "
        "of {source}.",
        variants={
            "routed": "Postfix warned that {database} is older than {source}, so "
            "the edits of {source} since the last `{command}` are not in effect: "
            "Postfix reads only the database. {setting} uses this table, and "
            "{count} message(s) failed at {relays}, which is not relayhost "
            "({relayhost}): {reasons}. The old entries probably still send this "
            "mail there.",
        },
        remedies={
            "routed": "Check that {source} names the right server, then rebuild "
            "the database: `{command}`, and run `postfix reload`. Run it again "
            "after every change of {source}. " + _FLUSH,
            "aliases": "Check that {source} says what it should, then rebuild the "
            "alias database: `newaliases`, and run `postfix reload`. Run it again "
            "after every change of {source}.",
        },
        titles={"routed": "Postfix still routes mail by the old {database}"},
    ),
    "dns-lookup-failed": Entry(
        "Postfix sends mail directly to the recipient domains, and their DNS lookup fails",
        "{count} message(s) failed with DNS errors for {names}. relayhost is not set, "
        "so Postfix looks up each recipient domain itself.",
        "Set the organization's mail server as relayhost = [mail.example.com] (QRadar: "
        "the host's e-mail server setting), or fix this host's DNS servers in "
        "/etc/resolv.conf. " + _FLUSH,
        variants={
            "no_config": "{count} message(s) failed with DNS errors for {names}. "
            "The bundle has no main.cf, but the names follow the recipients (their own "
            "domains, or a different name for each) rather than one relay host: "
            "relayhost is not set, and Postfix looks up each recipient domain itself.",
        },
    ),
    "destination-dns-failed": Entry(
        "Some recipient domains or their mail servers are missing in DNS",
        "{count} message(s) for {domains} failed with DNS errors for {names}. relayhost "
        "is not set, so Postfix looks up each recipient domain and its mail servers "
        "itself. {elsewhere} message(s) to other servers went out, so this host's DNS "
        "works: these names are missing or wrong in DNS.",
        "Nothing on this host stops this mail. Check the recipient addresses for "
        "typos, and ask the recipients' administrators to fix their DNS (the MX "
        "records and the addresses of the servers they name): `host -t mx {domain}`. "
        "Postfix retries a temporary DNS failure until maximal_queue_lifetime (5 days "
        "by default); a name that does not exist returns the mail at once.",
        variants={
            "absent": "{count} message(s) for {domains} failed with DNS errors for "
            '{names}: DNS answered that these names do not exist ("Host not found"), '
            "so this host's resolver works. relayhost is not set, so Postfix looks up "
            "each recipient domain and its mail servers itself: the recipient "
            "addresses are probably mistyped, or their domains are gone.",
        },
    ),
    "destination-unreachable": Entry(
        "The mail servers of some recipient domains do not accept connections",
        "{count} message(s) for {domains} could not be handed to {relays}: "
        "{reasons}. relayhost is not set, so Postfix connects to each recipient "
        "domain's mail servers itself, and {elsewhere} message(s) to other servers "
        "went out: this host's outbound connections work.",
        "Nothing on this host blocks this mail. Postfix retries deferred mail until "
        "maximal_queue_lifetime (5 days by default) and then returns it to the sender. "
        "Tell the recipients' administrators that {relays} does not answer on port "
        "{port}; if mail to these domains must go out sooner, send it through the "
        "organization's mail server (relayhost = [mail.example.com]).",
    ),
    "relay-connection-failed": Entry(
        "This host cannot connect to the mail server",
        "{count} message(s) could not be handed to {relays}: {reasons}.",
        "Test the connection from this host: "
        '`nc -vz {relay_host} {port}`. "Connection refused" means nothing listens on '
        'that port or a firewall rejects the connection; "Connection timed out" and '
        '"No route to host" mean a firewall drops it or a route is missing. Open the '
        "port from this host to the mail server, or correct the server name and port. "
        + _FLUSH,
        variants={
            "via_mx": "{count} message(s) could not be handed to {relays}: {reasons}. "
            "The configuration in use sets relayhost = {relayhost} without brackets, so Postfix "
            "connects to the MX hosts that DNS gives for that name, not to the name "
            "itself. Write relayhost = [name] to connect to the named server.",
            "direct_blocked": "{count} message(s) for {domains} could not be handed "
            "to any of their mail servers ({relays}): {reasons}. relayhost is not "
            "set, so Postfix connects to each recipient domain's servers on port 25 "
            "itself, and none of those connections worked: most networks block port "
            "25 to the internet for every host but the mail server. Send through the "
            "organization's mail server instead: relayhost = [mail.example.com] "
            "(QRadar: the e-mail server setting).",
            "deleted": "{count} message(s) could not be handed to {relays}: {reasons}. "
            "{deleted} of them were then deleted by an administrator (postsuper -d), so "
            "those notifications are lost: send them again once the connection works.",
            "recovered": "{count} message(s) could not be handed to {relays} for a "
            "while: {reasons}. All of them were delivered later; the last failure was "
            "at {last}. If it happens again, test the connection as below.",
            "ongoing": "{count} message(s) could not be handed to {relays}: "
            "{reasons}. The last message this host delivered was at "
            "{last_delivered}, and the failures go on up to the end of the log "
            "({last}): no mail goes out now.",
            "recovered_partly": "{count} message(s) could not be handed to {relays} "
            "for a while: {reasons}. The server accepted mail again after the last "
            "failure at {last}: {delivered} of them were delivered, and {held} are "
            "on hold (see that finding). If it happens again, test the connection as "
            "below.",
            "no_retry": "{count} message(s) could not be handed to {relays}: "
            "{reasons}. The same server took mail from this host until "
            "{last_delivered}, but the log shows no retry of these messages after "
            "{last}, although Postfix retries deferred mail at least every "
            "maximal_backoff_time ({backoff}). The log may lack the lines of that "
            "time, or the messages left the queue without a line in it.",
            "works_again": "{count} message(s) could not be handed to {relays}: "
            "{reasons}. The same server took mail from this host after the last "
            "failure, the last at {last_delivered}: the connection works again, and "
            "these messages wait for their next retry.",
            "works_now": "The queue listing {listing} gives {count} message(s) the "
            "reason {reasons}, but the log shows {delivered_there} delivery attempt(s) "
            "that {relays} accepted, the last at {last_delivered}: the connection "
            "worked then. Either the listing is older than those deliveries, or these "
            "messages wait for their next retry.",
            "wrappermode": "{count} message(s) timed out at {relays} while Postfix "
            "waited for the server's greeting: {reasons}. The connection to port "
            "{port} works. A server on port 465 (SMTPS) expects a TLS handshake "
            "first, but smtp_tls_wrappermode is not yes, so Postfix waits for a "
            "plain-text greeting that never comes.",
            "cut_all": "{count} message(s) were cut off after Postfix had connected "
            "to {relays} and sent the message: {reasons}. The connection itself "
            "works, but no attempt to that server delivered mail. A firewall or "
            "intrusion prevention system that inspects SMTP, or a size or time limit "
            "of the server, often ends the connection at the end of the message. "
            "Postfix will send them again, and the server may have received some "
            "already.",
            "routed": "{count} message(s) could not be handed to {relays} (port "
            "{port}): {reasons}. That is not relayhost ({relayhost}): {maps} in "
            "main.cf sends this mail there, while mail that follows relayhost is not "
            "held up by it.",
            "routed_alone": "{count} message(s) could not be handed to {relays} "
            "(port {port}): {reasons}. That is not relayhost ({relayhost}): {maps} "
            "in main.cf sends this mail there. No mail went to relayhost's server in "
            "this log, so whether that server works is not known.",
            "stale_table": "{count} message(s) could not be handed to {relays} "
            "(port {port}): {reasons}. That is not relayhost ({relayhost}): {maps} "
            "sends this mail there, and Postfix warned that {database} is older "
            "than {source}. Postfix routes by the database as the last `postmap` "
            "built it, so edits of {source} since then, such as a new server, are "
            "not in effect.",
            "greeting_refused": "{count} message(s) could not be handed to "
            "{relays}: {reasons}. The connection to port {port} works, but the "
            "server answered it with a refusal instead of its greeting: it does not "
            "take mail from this host now. A 421 reply means the server is "
            "overloaded or limits connections; a 554 reply means it does not serve "
            "this host's address.",
            "greeting_lost": "{count} message(s) could not be handed to {relays}: "
            "{reasons}. The connection to port {port} works, but the server closed "
            "it, or said nothing, before its greeting (the line that starts with "
            "220). A server that limits or blocks this host's address (connection "
            "limits, TCP wrappers, a blocklist), an overloaded server, or a firewall "
            "that inspects SMTP does this.",
            "greeting_lost_tls": "{count} message(s) could not be handed to {relays}: "
            "{reasons}. The connection to port {port} works, but the server closed "
            "it, or said nothing, before its greeting (the line that starts with "
            "220). A server that limits or blocks this host's address (connection "
            "limits, TCP wrappers, a blocklist), an overloaded server, or a firewall "
            "that inspects SMTP does this.",
            "relayhost_changed": "{count} message(s) could not be handed to "
            "{relays}: {reasons}. main.cf now sets relayhost = {relayhost}, another "
            "server: the failures predate that setting, or Postfix has not read it "
            "yet.",
            "not_smtp_port": "{count} message(s) could not be handed to {relays}: "
            "{reasons}. Postfix connects to port {port}, the port of {service}, "
            "where no SMTP server answers: the server there never sends the line "
            "that starts with 220 that Postfix waits for. The port is most likely "
            "mistyped.",
            "data_timeout": "{count} message(s) were sent to {relays}, but Postfix "
            "stopped waiting for the server's reply to the end of the message "
            "after {timeout}, as smtp_data_done_timeout = {timeout} in main.cf sets: "
            "{reasons}. Postfix's default, and RFC 5321's advice, is 600s. The "
            "server has likely accepted the message already, so Postfix's next try "
            "sends it again and recipients may get it twice.",
            "cut_in_session": "{count} message(s) could not be handed to {relays}: "
            "{reasons}. The connection to port {port} works and the server greeted "
            "Postfix, but then the session broke when Postfix sent {stage}, before "
            "the message itself: the server closed it or stopped replying. A problem of the server (a content scanner or "
            "policy service that fails or is overloaded, a limit on sessions from "
            "this host) does this more often than the network.",
            "cut_in_data": "{count} message(s) were cut off after Postfix had "
            "connected to {relays} and sent the message: {reasons}. The connection "
            "itself works, and {delivered_there} other attempt(s) to that server "
            "delivered mail meanwhile. A firewall or intrusion prevention system that "
            "inspects SMTP, or a size or time limit of the server, often ends the "
            "connection at the end of the message, mostly for large messages. "
            "Postfix will send them again, and the server may have received some "
            "already.",
        },
        remedies={
            "no_retry": "List the queue with `postqueue -p`. If these messages "
            "still wait, `postqueue -f` tries them at once, and the mail log of that "
            "time tells why they were not retried. Check that the bundle holds the "
            "whole mail log of that time, every rotated file included.",
            "works_again": "Nothing blocks them now: Postfix retries deferred mail on "
            "its own, and `postqueue -f` sends it at once. If they fail again, test "
            "the connection: `nc -vz {relay_host} {port}`.",
            "works_now": "Run `postqueue -p` again. If the messages are still listed, "
            "run `postqueue -f` and look in the mail log for their delivery; if they "
            "fail again, test the connection: `nc -vz {relay_host} {port}`.",
            "direct_blocked": "Set the organization's mail server as relayhost = "
            "[mail.example.com] in /etc/postfix/main.cf (on QRadar, the host's e-mail "
            "server setting) and run `postfix reload`. Only if this host must send to "
            "the internet itself, ask the network team to open port 25 outbound for "
            "it. " + _FLUSH,
            "wrappermode": "Either set smtp_tls_wrappermode = yes and "
            "smtp_tls_security_level = encrypt in /etc/postfix/main.cf (Postfix 3.0 "
            "and later), or use port 587 with STARTTLS: relayhost = "
            "[{relay_host}]:587. Then run `postfix reload`. " + _FLUSH,
            "routed": "Check the entries of {maps} that name {relay_host} or port "
            "{port}: correct the server or port, or remove the entry so that this "
            "mail follows relayhost. Then run `postmap` on the table and `postfix "
            "reload`. " + _FLUSH,
            "routed_alone": "Check the entries of {maps} that name {relay_host} or "
            "port {port}: correct the server or port, or remove the entry so that "
            "this mail follows relayhost. Then run `postmap` on the table and "
            "`postfix reload`. If {relay_host} is the right server, test the "
            "connection: `nc -vz {relay_host} {port}`. " + _FLUSH,
            "stale_table": "Rebuild the table from its file: `{command}`, then "
            "`postfix reload`, so that Postfix routes by the edited {source}. If "
            "{source} still names {relay_host}, correct that entry first, or test "
            "the connection: `nc -vz {relay_host} {port}`. " + _FLUSH,
            "greeting_refused": "Ask the administrator of {relay_host} to accept "
            "mail from this host's IP address (a 554 reply) or to say why it refuses "
            "sessions (a 421 reply), with the server's log at {last}. `nc "
            "{relay_host} {port}` on this host shows the reply. " + _FLUSH,
            "greeting_lost": "Check for the greeting, not only the connection: `nc "
            "{relay_host} {port}` on this host must print a line that starts with "
            "220 within a few seconds. Ask the administrator of {relay_host} why it "
            "ends sessions from this host's address, with the server's log at "
            "{last}, and the network team whether a firewall inspects SMTP on the "
            "way. " + _FLUSH,
            "greeting_lost_tls": "Check for the greeting, not only the connection: on "
            "port 465 TLS comes first, so `openssl s_client -connect {relay_host}:465` "
            "on this host must show the certificate and then a line that starts "
            "with 220. Ask the administrator of {relay_host} why it "
            "ends sessions from this host's address, with the server's log at "
            "{last}, and the network team whether a firewall inspects SMTP on the "
            "way. " + _FLUSH,
            "relayhost_changed": "If relayhost was changed after these failures, "
            "run `postfix reload`: the next retries then go to {new_host}. Check "
            "that this host can reach it: `nc -vz {new_host} {new_port}` must print "
            '"succeeded". ' + _FLUSH,
            "not_smtp_port": "Correct the port in relayhost in /etc/postfix/main.cf "
            "(or in the transport_maps entry that names this server): 25, 587 for "
            "submission with a login, or 465 with smtp_tls_wrappermode = yes and "
            "smtp_tls_security_level = encrypt. Then "
            "run `postfix reload`. " + _FLUSH,
            "data_timeout": "Remove smtp_data_done_timeout from /etc/postfix/main.cf, "
            "or set it to 600s, then run `postfix reload`. Tell the recipients that "
            "some messages may arrive twice. " + _FLUSH,
            "cut_in_session": "The connection is fine: `nc {relay_host} {port}` on "
            "this host prints the server's greeting. Ask the administrator of "
            "{relay_host} why the server ends sessions from this host when Postfix "
            "sends {stage}, and to look at the server's log around {last}. " + _FLUSH,
            "cut_all": "Ask the network team whether a firewall or IPS inspects SMTP "
            "between this host and {relay_host}, and turn that inspection off for this "
            "host. Ask the server's administrator for its log at {last}. " + _FLUSH,
            "cut_in_data": "Compare the sizes of the failed messages (size= in their "
            "qmgr lines) with those of the delivered ones. Ask the network team "
            "whether a firewall or IPS inspects SMTP between this host and "
            "{relay_host}, and turn that inspection off for this host. Ask the "
            "server's administrator for its message size limit and for its log at "
            "{last}. " + _FLUSH,
        },
        titles={
            "direct_blocked": "This host cannot connect to the mail servers of any "
            "recipient domain",
            "recovered": "Connections to the mail server failed for a while",
            "recovered_partly": "Connections to the mail server failed for a while",
            "works_again": "Connections to the mail server failed for a while",
            "no_retry": "Deferred mail shows no retry in the log",
            "works_now": "The queue listing shows failed connections that the log "
            "does not",
            "wrappermode": "Postfix waits for a plain greeting on port 465, where "
            "the server starts with TLS",
            "routed": "A routing table sends mail to a server this host cannot "
            "connect to",
            "routed_alone": "A routing table sends mail to a server this host "
            "cannot connect to",
            "stale_table": "The old {database} sends mail to a server this host "
            "cannot connect to",
            "greeting_refused": "The mail server refuses to talk to this host",
            "greeting_lost": "The mail server takes the connection but ends it "
            "before its greeting",
            "greeting_lost_tls": "The mail server takes the connection but ends it "
            "before its greeting",
            "cut_in_data": "The connection to the mail server breaks while messages "
            "are sent",
            "relayhost_changed": "Postfix could not reach {relays}, which relayhost "
            "no longer names",
            "not_smtp_port": "The mail server's port {port} is the port of "
            "{service}, not of SMTP",
            "data_timeout": "smtp_data_done_timeout is too short for the mail server",
            "cut_in_session": "The mail server ends the SMTP session before it takes "
            "the message",
            "cut_all": "The connection to the mail server breaks while messages are "
            "sent",
        },
    ),
    "content-filter-unreachable": Entry(
        "The content filter on this host does not accept connections",
        "{count} message(s) could not be handed to the content filter at "
        "{relay_host}:{port}: {reasons}. content_filter (in main.cf, or as -o "
        "content_filter in master.cf) sends every message through a filter on this "
        "host, such as amavis; while the filter is down, all mail waits in the queue.",
        "Start the filter and check that it listens: `systemctl status amavis` (or "
        "amavisd), then `ss -ltn | grep {port}`. If the filter is gone for good, remove "
        "content_filter from /etc/postfix/main.cf and master.cf and run `postfix "
        "reload`. " + _FLUSH,
        variants={
            "refuses": "{count} message(s) could not be handed to the content filter "
            "at {relay_host}:{port}: {reasons}. The filter takes the connection but "
            "refuses the session or ends it before its greeting: it runs, but is "
            "overloaded or out of processes. While it refuses, all mail waits in the "
            "queue.",
        },
        titles={
            "refuses": "The content filter on this host takes connections but "
            "refuses the session",
        },
        remedies={
            "refuses": "Read the filter's log at {last} (amavis: `journalctl -u "
            "amavis`) and compare its process limit with the maxproc of its "
            "transport in /etc/postfix/master.cf (amavisd's $max_servers must be at "
            "least that); restart the filter if it hangs. " + _FLUSH,
        },
    ),
    "ipv6-no-route": Entry(
        "Postfix tries IPv6, but this host has no IPv6 route",
        '{count} message(s) met "Network is unreachable" or "No route to host" on '
        "IPv6 addresses of {relays}.",
        "Set inet_protocols = ipv4 in /etc/postfix/main.cf (or smtp_address_preference "
        "= ipv4 to keep IPv6 as a fallback) and run `systemctl restart postfix`.",
    ),
    "relay-access-denied": Entry(
        "The mail server refuses to relay mail for this host",
        "{count} message(s) were refused by {relays}: {reasons}.",
        "The mail server does not accept mail from this host's IP address. Ask its "
        "administrator to allow relaying from it (an Exchange receive connector, "
        "Postfix mynetworks), or set up SMTP authentication if the server requires "
        "it. " + _FLUSH,
        variants={
            "some_domains": _SOME_DOMAINS,
            "some_domains_authenticated": _SOME_DOMAINS,
            "direct": "{count} message(s) for {domains} were refused by {relays}: "
            "{reasons}. relayhost is not set, so these are the recipient domains' own "
            "mail servers: they do not count these recipient addresses as their own, "
            "or they do not take mail from this host.",
        },
        titles={
            "direct": "The recipient domains' mail servers refuse mail from this host",
            "some_domains": _SOME_DOMAINS_TITLE,
            "some_domains_authenticated": _SOME_DOMAINS_TITLE,
        },
        remedies={
            "authenticated": _AUTHENTICATED_RELAY,
            "some_domains_authenticated": _AUTHENTICATED_RELAY,
            "some_domains": "Ask the mail server's administrator to let this host "
            "relay to outside domains (an Exchange receive connector, Postfix "
            "mynetworks), or set up SMTP authentication, which such servers often "
            "require for outside recipients. " + _FLUSH,
            "direct": "Check each recipient address for typos and ask the recipient "
            "domain's administrator whether the mailbox exists and whether their "
            "server takes mail from this host; a domain whose mail moved to another "
            "provider can have outdated MX records (`host -t mx {domain}`). If this "
            "host must not send to the Internet itself, send through the "
            "organization's mail server: relayhost = [mail.example.com] in "
            "/etc/postfix/main.cf. " + _FLUSH,
        },
    ),
    "ip-blocklisted": Entry(
        "The receiving server rejects this host's IP address: it is on a blocklist",
        "{count} message(s) were refused by {relays} because a DNS blocklist lists "
        "the address this host sends from: {reasons}.",
        "Look the address up on the list that the reply names and follow that list's "
        "removal procedure, after finding out why it was listed (a shared NAT "
        "address, an infected machine behind it). A host that is not itself a mail "
        "server should send through the organization's mail server rather than to "
        "the Internet: set relayhost = [mail.example.com] in /etc/postfix/main.cf. "
        + _FLUSH,
    ),
    "sender-address-rejected": Entry(
        "The mail server rejects the sender address",
        "{count} message(s) were refused because of the sender {senders}: {reasons}.",
        "Give the mail a sender address that the mail server accepts, in a real, "
        "resolvable domain. For mail submitted on this host, set myorigin = "
        "example.com in /etc/postfix/main.cf or the sender address in the sending "
        "application's settings, or rewrite local senders such as root with "
        "sender_canonical_maps, then run `systemctl restart postfix`. Mail relayed "
        "for other clients keeps their sender addresses, so those senders must "
        "correct them.",
        variants={
            "generic_maps": "{count} message(s) were refused because of their "
            "sender: {reasons}. The server names {rewritten}, not the envelope "
            "sender {sender}: smtp_generic_maps = {table} in main.cf rewrites the "
            "sender when Postfix sends the mail out, and the server rejects the "
            "result.",
        },
        titles={
            "generic_maps": "The mail server rejects the sender address that "
            "smtp_generic_maps makes",
        },
        remedies={
            "generic_maps": "Correct the entry for {sender} in {table}: it must give "
            "a whole address in a domain that the mail server accepts (`postmap -q "
            "{sender} {table}` prints what it gives now). Then run `postmap {table}` "
            "and `postfix reload`. Mail that was returned must be sent again. "
            + _FLUSH,
        },
    ),
    "helo-rejected": Entry(
        "The mail server rejects the name this host gives in HELO",
        "{count} message(s) were refused by {relays} because of this host's HELO "
        "name: {reasons}.",
        "Postfix introduces itself with myhostname (or smtp_helo_name when set). Set "
        "myhostname in /etc/postfix/main.cf to a fully qualified name that resolves in "
        "DNS, such as host.example.com, then run `systemctl restart postfix`. "
        + _FLUSH,
        variants={
            "unresolved": "{count} message(s) were refused by {relays} because its "
            "DNS does not find {helo}, the fully qualified name this host gives in "
            "HELO: {reasons}.",
        },
        remedies={
            "unresolved": "Add a DNS record for {helo} (an A record with this host's "
            "address) in the DNS that the mail server uses, or ask its administrator "
            "to accept this host. Setting smtp_helo_name in /etc/postfix/main.cf to "
            "another name that resolves there, then running `postfix reload`, works "
            "too. " + _FLUSH,
        },
    ),
    "sasl-authentication-failed": Entry(
        "Logging in to the mail server fails",
        "{count} message(s) met SMTP authentication errors at {relays}: {reasons}.",
        "Check the user name and password in the file named by smtp_sasl_password_maps "
        "(run `postmap` on it after a change), that smtp_sasl_auth_enable = yes, and "
        "that the SASL modules are installed (`libsasl2-modules` or `cyrus-sasl-plain`). "
        + _FLUSH,
    ),
    "sasl-required": Entry(
        "The mail server requires a login, and Postfix is not set to log in",
        "{count} message(s) were refused by {relays} because this host did not log "
        "in: {reasons}. The configuration in use does not turn on SMTP authentication "
        "(smtp_sasl_auth_enable is not yes).",
        "Log in with the account the mail server's administrator gives you: in "
        "/etc/postfix/main.cf set smtp_sasl_auth_enable = yes, smtp_sasl_password_maps "
        "= hash:/etc/postfix/sasl_passwd, smtp_sasl_security_options = noanonymous and "
        "smtp_tls_security_level = encrypt (servers such as Exchange Online offer a "
        "login only after STARTTLS). Write the line {sasl_key} user:password to "
        "/etc/postfix/sasl_passwd, run `postmap /etc/postfix/sasl_passwd` and `postfix "
        "reload`. Or have the server accept this host's address without a login. "
        + _FLUSH,
        variants={
            "no_entry": "{count} message(s) were refused by {relays} because this "
            "host did not log in: {reasons}. smtp_sasl_auth_enable is yes, yet "
            "Postfix sent no login. Either the server offers a login only after "
            "STARTTLS, and this host did not start TLS (smtp_tls_security_level = "
            "{tls_level}), or {password_maps} has no entry for this server, whose key "
            "must be the "
            "server's name or the relayhost value exactly as main.cf writes it "
            "({sasl_key}). The log does not tell the two apart.",
            "no_entry_tls": "{count} message(s) were refused by {relays} because "
            "this host did not log in: {reasons}. smtp_sasl_auth_enable is yes, yet "
            "Postfix sent no login: it found no entry for this server in "
            "{password_maps}, whose key must be the server's name or the relayhost "
            "value exactly as main.cf writes it ({sasl_key}).",
            "no_maps": "{count} message(s) were refused by {relays} because this "
            "host did not log in: {reasons}. smtp_sasl_auth_enable is yes, but "
            "smtp_sasl_password_maps is not set, so Postfix has no password to send.",
        },
        remedies={
            "no_entry": "Tell the two apart by looking the key up as Postfix does: "
            "`postmap -q '{sasl_key}' {password_maps}` must print user:password. If "
            "it prints nothing, write the line {sasl_key} user:password to that file, "
            "then run `postmap` on it and `postfix reload`. If it prints the entry, "
            "set smtp_tls_security_level = encrypt in /etc/postfix/main.cf (servers "
            "such as Exchange Online offer a login only after STARTTLS) and run "
            "`postfix reload`. " + _FLUSH,
            "no_entry_tls": "Look the key up as Postfix does: `postmap -q "
            "'{sasl_key}' {password_maps}` must print user:password. If it prints "
            "nothing, write the line {sasl_key} user:password to that file, then run "
            "`postmap` on it and `postfix reload`. " + _FLUSH,
            "no_maps": "Set smtp_sasl_password_maps = hash:/etc/postfix/sasl_passwd "
            "in /etc/postfix/main.cf, write the line {sasl_key} user:password to that "
            "file, run `postmap /etc/postfix/sasl_passwd` and `postfix reload`. "
            + _FLUSH,
        },
        titles={
            "no_entry": "The mail server requires a login, and Postfix sent none",
            "no_entry_tls": "The mail server requires a login, and Postfix found no "
            "password for it",
            "no_maps": "The mail server requires a login, and Postfix has no "
            "password table",
        },
    ),
    "sasl-no-mechanism": Entry(
        "Postfix has no login method that the mail server accepts",
        "{count} message(s) could not log in to {relays}: {reasons}. The SASL "
        "library on this host found no login mechanism that both it and the server "
        "allow; the password is never tried.",
        "Install the Cyrus SASL plugins (`libsasl2-modules` on Debian and Ubuntu, "
        "`cyrus-sasl-plain` on RHEL), and check smtp_sasl_security_options in "
        "/etc/postfix/main.cf: its default, noplaintext among others, forbids the "
        "PLAIN and LOGIN methods most servers offer. noanonymous allows them; set "
        "smtp_tls_security_level = encrypt with it, so that the password travels "
        "encrypted. Then run `systemctl restart postfix`. " + _FLUSH,
        variants={
            "filtered": "{count} message(s) could not log in to {relays}: {reasons}. "
            "The server offers {offered}, and smtp_sasl_mechanism_filter = {filter} "
            "keeps none of them, so Postfix never tries the password.",
        },
        titles={
            "filtered": "smtp_sasl_mechanism_filter removes every login method that "
            "the mail server offers",
        },
        remedies={
            "filtered": "Add a method that the server offers ({offered}) to "
            "smtp_sasl_mechanism_filter in /etc/postfix/main.cf, or remove that "
            "line; either way, then run `postfix reload`. With PLAIN or LOGIN, set "
            "smtp_tls_security_level = encrypt, so that the password travels "
            "encrypted. " + _FLUSH,
        },
    ),
    "tls-failure": Entry(
        "TLS with the mail server fails",
        "{count} message(s) were deferred by TLS problems with {relays}: {reasons}.",
        "When the server offers no STARTTLS, either ask its administrator to enable it "
        "or lower smtp_tls_security_level to may. For certificate errors, give "
        "Postfix the issuing CA (smtp_tls_CAfile) or have the server's certificate "
        "fixed. " + _FLUSH,
        variants={
            "name_mismatch": "{count} message(s) were deferred by TLS problems with "
            "{relays}: {reasons}. Postfix could not verify the server's certificate "
            "({verification}): the certificate does not carry the name that Postfix "
            "checks.",
            "untrusted": "{count} message(s) were deferred by TLS problems with "
            "{relays}: {reasons}. Postfix could not verify the server's certificate "
            "({verification}).",
            "not_offered": "{count} message(s) were deferred because {relays} offers "
            "no STARTTLS, which smtp_tls_security_level = {level} requires: {reasons}.",
            "server_broken": "{count} message(s) were deferred because {relays} "
            "offers STARTTLS but fails to start it: {reasons}. The server's own TLS "
            "set-up (its certificate or key) is broken.",
        },
        titles={"server_broken": "The mail server offers TLS but cannot start it"},
        remedies={
            "name_mismatch": "Name the server as its certificate does: write that name "
            "in brackets in relayhost in /etc/postfix/main.cf, or add it to "
            "smtp_tls_secure_cert_match (level secure) or smtp_tls_verify_cert_match "
            "(level verify), then run `postfix reload`. Else have the certificate "
            "reissued for the name in use. smtp_tls_security_level = encrypt keeps the "
            "encryption but no longer checks the server. " + _FLUSH,
            "untrusted": "Give Postfix the CA that issued the server's certificate: set "
            "smtp_tls_CAfile in /etc/postfix/main.cf to a file with that CA (the "
            "company CA, or the system bundle, /etc/pki/tls/certs/ca-bundle.crt on "
            "RHEL), then run `postfix reload`. If the certificate is expired or "
            "self-signed, have it replaced. smtp_tls_security_level = encrypt keeps the "
            "encryption but no longer checks the server. " + _FLUSH,
            "server_broken": "Ask the server's administrator to fix its TLS; its log "
            "names the cause. Keep smtp_tls_security_level as it is: with may, Postfix "
            "would send the mail in clear text meanwhile. " + _FLUSH,
            "not_offered": "Ask the server's administrator to turn STARTTLS on, or set "
            "smtp_tls_security_level = may in /etc/postfix/main.cf, which sends in "
            "clear text to a server without TLS, then run `postfix reload`. " + _FLUSH,
        },
    ),
    "tls-required-by-server": Entry(
        "The mail server requires TLS, and Postfix does not start it",
        "{count} message(s) were refused by {relays} until TLS is used: {reasons}.",
        "Turn on TLS for outgoing mail: smtp_tls_security_level = may (or encrypt, "
        "which also refuses servers without TLS) in /etc/postfix/main.cf, then run "
        "`systemctl restart postfix`. " + _FLUSH,
    ),
    "sender-policy-rejected": Entry(
        "The mail server rejects the sender domain's policy (SPF, DKIM or DMARC)",
        "{count} message(s) were refused by {relays} because the sender domain does not "
        "authorize this host: {reasons}.",
        "Send through a mail server that the sender domain authorizes (its SPF record, "
        "DKIM signing), usually the organization's own: relayhost = [mail.example.com]; "
        "or change the sender address (on QRadar, in its e-mail settings) to a domain "
        "that lists this host in its SPF record.",
    ),
    "rate-limited": Entry(
        "The mail server limits how fast this host may send",
        "{count} message(s) were deferred by rate or connection limits at {relays}: "
        "{reasons}.",
        "Postfix retries on its own. If the deferrals persist, ask the mail server "
        "administrator to raise the limits for this host, or lower Postfix's pace: "
        "smtp_destination_concurrency_limit and smtp_destination_rate_delay in "
        "main.cf.",
    ),
    "message-too-large": Entry(
        "Messages are too large for the mail server",
        "{count} message(s) were refused for their size by {relays}: {reasons}.",
        "Send smaller messages (reports as links or compressed attachments) or ask the "
        "mail server administrator to raise its size limit.",
        variants={
            "local_unlimited": "{count} message(s) were refused by this host before "
            "they were queued: {reasons}. message_size_limit = 0 sets no limit, so the "
            "limit came from elsewhere: the file size limit of the program that "
            "submitted the mail (`ulimit -f`), or a file system without space for it.",
            "local": "{count} message(s) were refused by this host before they were "
            "queued: {reasons}. sendmail and postdrop refuse a message larger than "
            "message_size_limit ({limit} bytes), so it never reaches the mail server.",
        },
        titles={
            "local": "Messages are larger than this host's message_size_limit",
            "local_unlimited": "Messages are larger than the submitting program may "
            "write",
        },
        remedies={
            "local_unlimited": "Check the file size limit of the program that "
            "submits the mail (`ulimit -f` in its environment, LimitFSIZE in its "
            "systemd unit) and the free space of /var/spool/postfix (`df -h "
            "/var/spool/postfix`). The refused messages must be sent again.",
            "local": "Raise message_size_limit in /etc/postfix/main.cf (for example "
            "to {suggested} bytes) and run `postfix reload`, or send smaller messages "
            "(reports as links or compressed attachments). The mail server may have "
            "a limit of its own. The refused messages must be sent again.",
        },
    ),
    "unknown-recipient": Entry(
        "Recipient addresses do not exist",
        "{count} message(s) were refused for unknown recipients ({recipients}): "
        "{reasons}.",
        "Correct the recipient addresses where they are set (in the sending "
        "application, a mailing list or an alias), or ask the recipient domain's "
        "administrator whether the mailboxes moved.",
        variants={
            "local_alias": "{count} message(s) were returned by this host's own "
            "local delivery: {reasons}. The alias {aliases} leads to {recipients}, "
            "and this host has no such user.",
            "mydestination": "{count} message(s) for {recipients} were returned by "
            "this host's own local delivery: {reasons}. mydestination = "
            "{mydestination} lists {domain}, so Postfix delivers all mail for "
            "{domain} on this host with local(8), which has no such users, and never "
            "sends it to the mail server.",
        },
        titles={
            "mydestination": _MYDESTINATION_TITLE,
            "local_alias": "An alias of this host leads to a user it does not have",
        },
        remedies={
            "mydestination": _MYDESTINATION_REMEDY + " The returned mail must be sent "
            "again.",
            "local_alias": "Correct the alias {alias} in /etc/aliases (the file that "
            "alias_maps names): point it at an existing user or at an e-mail address "
            "(root: soc@example.com), then run `newaliases`. The returned mail must "
            "be sent again.",
        },
    ),
    "greylisting": Entry(
        "The mail server greylists: first attempts are deferred, later ones accepted",
        "{count} message(s) were deferred at first by {relays} ({reasons}); {delivered} "
        "of them were delivered later.",
        "Nothing is broken. To avoid the delay, ask the mail server administrator to "
        "exempt this host from greylisting.",
        variants={
            "pending": "{count} message(s) were deferred by {relays} ({reasons}), and "
            "the log shows no later attempt accepted. A greylisting server accepts a "
            "retry that comes after its waiting time, and Postfix retries deferred "
            "mail on its own.",
        },
        titles={"pending": "The mail server greylists: first attempts are deferred"},
        remedies={
            "pending": "Check that the retry is accepted: after the server's waiting "
            "time (often 5 minutes), run `postqueue -f` on the host and look for "
            "status=sent in the mail log. If retries keep being deferred, ask the mail "
            "server administrator to exempt this host from greylisting.",
        },
    ),
    "notices-undeliverable": Entry(
        "Non-delivery notices cannot be returned to their senders",
        "{count} non-delivery notice(s) (from=<>) that this host made could not be "
        "delivered to the senders they return mail to, at {domains}: {reasons}. "
        "{lost} of them were given up. They report mail that this host accepted and "
        "could not deliver; when its senders were forged, as in spam, the notices "
        "go to addresses that never sent it (backscatter).",
        "Nothing here stops this host's own mail. If the notices answer spam, reject "
        "such mail during the SMTP session instead of accepting and then returning "
        "it: check recipients before accepting them (reject_unlisted_recipient, "
        "reject_unverified_recipient in smtpd_recipient_restrictions), and let "
        "content filters reject rather than bounce. A notice that cannot be "
        "delivered is given up after bounce_queue_lifetime (5d by default).",
        variants={
            "own_mail": "{count} non-delivery notice(s) (from=<>) for mail submitted "
            "on this host could not be delivered to its sender, at {domains}: "
            "{reasons}. {lost} of them were given up. They return this host's own "
            "mail, so the sender address it sends as does not work either.",
            "own_mail_remote": "{count} non-delivery notice(s) (from=<>) for mail "
            "submitted on this host could not be delivered to its sender, at "
            "{domains}: {reasons}. {lost} of them were given up. They return this "
            "host's own mail, so the sender address it sends as, an address at "
            "{domains}, does not take mail either.",
        },
        remedies={
            "own_mail_remote": "Make the application send as an address that exists "
            "and takes mail (on QRadar, the sender address of the e-mail settings), "
            "or ask the administrator of {domains} to create that address. An alias "
            "in /etc/aliases does not help: the address is not on this host.",
            "own_mail": "Make the sender address of this host's mail deliverable: "
            "point root (or the account the application sends as) at a real mailbox "
            "or an e-mail address in /etc/aliases (root: soc@example.com), run "
            "`newaliases`, or set the sender address the application uses.",
        },
    ),
    "messages-expired": Entry(
        "Messages expired in the queue and were returned to the sender",
        "{count} message(s) stayed in the queue longer than maximal_queue_lifetime "
        "({lifetime}) and were returned as undeliverable.",
        "Fix the cause of the deferrals first (see the other findings); the expired "
        "messages are gone and must be sent again.",
        variants={
            "default": "{count} message(s) stayed in the queue longer than "
            "maximal_queue_lifetime and were returned as undeliverable. No main.cf in "
            "the bundle sets it, so the lifetime is presumably Postfix's default, "
            "{lifetime}.",
            "from_log": "{count} message(s) stayed in the queue longer than "
            "maximal_queue_lifetime and were returned as undeliverable. No main.cf in "
            "the bundle sets it, and Postfix's default is {lifetime}, but the messages "
            "expired {shortest_hours} to {longest_hours} hours after they arrived "
            "(the delay= of their last delivery attempt). So this host's lifetime "
            "appears to be about {shortest_hours} hours at most, from the log.",
        },
        remedies={
            "from_log": "Fix the cause of the deferrals first (see the other "
            "findings); the expired messages are gone and must be sent again. Check "
            "the lifetime in force on the host with `postconf maximal_queue_lifetime`: "
            "a lifetime of hours returns mail that an outage of a day would only "
            "delay. Postfix's default is 5d.",
        },
    ),
    "content-check-stopped": Entry(
        "This host's own content checks stopped messages",
        "cleanup rejected {rejected} and discarded {discarded} message(s) by "
        "header_checks or body_checks on this host ({count} message(s)): {reasons}. "
        "They never reached a mail server.",
        _CONTENT_CHECK_REMEDY + " Rejected mail went back to its sender; discarded "
        "mail is gone and must be sent again.",
        variants={
            "rejected": "cleanup rejected {count} message(s) by header_checks or "
            "body_checks on this host: {reasons}. They never reached a mail server.",
            "discarded": "cleanup discarded {count} message(s) by header_checks or "
            "body_checks on this host: {reasons}. They never reached a mail server, "
            "and their senders were not told.",
        },
        remedies={
            "rejected": _CONTENT_CHECK_REMEDY + " The rejected mail went back to its "
            "sender.",
            "discarded": _CONTENT_CHECK_REMEDY + " The discarded mail is gone and "
            "must be sent again.",
        },
    ),
    "queue-past-lifetime": Entry(
        "Queued mail is older than the queue lifetime: Postfix will return it",
        "{count} message(s) in the queue listing arrived more than "
        "maximal_queue_lifetime ({lifetime}) before {taken}, the time of the listing; "
        "the oldest arrived at {oldest}. At its next delivery attempt Postfix gives up "
        "on each and returns it to the sender, so those notifications will not arrive.",
        "Fix the cause of the deferrals first (see the other findings). To keep the "
        "mail, raise maximal_queue_lifetime in /etc/postfix/main.cf (for example 10d), "
        "run `postfix reload`, then `postqueue -f`; Postfix measures the lifetime from "
        "each message's arrival.",
    ),
    "queue-backlog": Entry(
        "A backlog of messages is waiting in the mail queue",
        "{count} message(s) are waiting in the queue; the oldest arrived {oldest}.",
        "Fix the delivery problem first. If the backlog comes from an application or "
        "alert rules that send one e-mail per event, tune them so that they send "
        "fewer. Then `postfix flush` sends the backlog. `postsuper -d ALL` deletes "
        "every queued message instead: it cannot be undone and that mail is lost.",
        variants={
            "log": "{count} message(s) are still queued at the end of the log: their "
            "last delivery attempt was deferred.",
            "deleted": "{count} message(s) piled up in the queue (the queue listing "
            "shows them); {deleted} were then deleted with postsuper, so those "
            "notifications are lost.",
            "delivered": "{count} message(s) piled up in the queue (the queue listing "
            "shows them); {delivered} were delivered later, once the cause was fixed.",
        },
        titles={
            "deleted": "A backlog built up in the mail queue and was deleted",
            "delivered": "A backlog built up in the mail queue and was delivered later",
        },
        remedies={
            "deleted": "The deleted notifications are lost: send the important ones "
            "again from the application, if it can. Fix the delivery problem before "
            "the next burst, and if the backlog came from an application or alert "
            "rules that send one e-mail per event, tune them so that they send fewer.",
            "delivered": "Nothing of it waits now. If the backlog came from an "
            "application or alert rules that send one e-mail per event, tune them so "
            "that they send fewer, and fix the cause of the delays so that the next "
            "burst does not pile up.",
        },
    ),
    "submission-burst": Entry(
        "Many messages were submitted within minutes",
        "{count} messages were submitted between {burst_start} and {burst_end}.",
        "Find what submitted them from the senders and clients in the evidence. "
        "Bursts like this usually come from an application or alert rules that send "
        "one e-mail per event; tune them or limit their rate.",
    ),
    "messages-on-hold": Entry(
        "Messages are on hold",
        "{count} message(s) are in the hold queue and will not be delivered until they "
        "are released.",
        "Find out first why each was held: an administrator may have held it on "
        "purpose, or header_checks, body_checks or an access map held it for review "
        "(`postcat -q QUEUE_ID` shows it). Release the ones to send with `postsuper -H "
        "QUEUE_ID`; `postsuper -H ALL` releases every one.",
        variants={
            "content_check": "{count} message(s) are in the hold queue and will not "
            "be delivered until they are released. header_checks or body_checks of "
            "this host held {checked} of them: a HOLD rule matches them, and it holds "
            "every new message that it matches too.",
            "content_check_gone": "{count} message(s) are in the hold queue and will "
            "not be delivered until they are released. header_checks or body_checks "
            "of this host held {checked} of them, but the configuration in the "
            "bundle sets neither now: the HOLD rule was removed since.",
        },
        titles={
            "content_check": "This host's own content checks hold messages",
            "content_check_gone": "Messages that a removed content check held wait "
            "on hold",
        },
        remedies={
            "content_check": "Find the rule that matched: `postmap -q {probe} {table}` "
            "prints the action of the first matching line. Change or remove that "
            "HOLD line, then run `postfix reload`; releasing the mail alone does not "
            "help, because the rule holds the next message again. Then release the "
            "held mail with `postsuper -H ALL`.",
            "content_check_gone": "Release the mail that the rule held: `postsuper -H "
            "ALL` (or `postsuper -H QUEUE_ID` for each one to send).",
        },
    ),
    "accepted-by-relay": Entry(
        "Messages were accepted by the next mail server",
        "{count} message(s) were handed to {relays}, which accepted them (250). If "
        "recipients say these never arrived, the next server holds the answer.",
        "Give the mail server administrator the times and remote queue IDs in the "
        "evidence, so that they can trace the messages further.",
    ),
    "local-mailbox-delivery": Entry(
        "Mail is delivered to a local mailbox on this host",
        "{count} message(s) for {recipients} were stored in a mailbox on this host "
        "(relay=local), where nobody reads them.",
        "Use full addresses (user@example.com) as recipients, or forward the local "
        'user: add "{user}: admin@example.com" to /etc/aliases and run `newaliases`.',
        variants={
            "aliased": "{count} message(s) for {recipients} were stored in a mailbox "
            "on this host (relay=local). An alias hands them to the local user(s) "
            "{users}, who must read mail on this host to see them.",
            "mydestination": "{count} message(s) for {recipients} were stored in a "
            "mailbox on this host (relay=local), where nobody reads them. "
            "mydestination = {mydestination} lists {domain}, so Postfix delivers all "
            "mail for {domain} on this host and never sends it to the mail server.",
        },
        titles={"mydestination": _MYDESTINATION_TITLE},
        remedies={
            "mydestination": _MYDESTINATION_REMEDY
            + " Mail already stored stays in the "
            "local mailboxes (/var/mail/USER).",
            "aliased": "If {users} read mail elsewhere, forward the alias to an outside "
            'address instead: "{user}: admin@example.com" in /etc/aliases, then run '
            "`newaliases`. A ~/.forward file of the user does the same.",
        },
    ),
    "disk-full": Entry(
        "The mail queue's file system is out of space",
        "Postfix reported a lack of disk space {count} time(s): {reasons}.",
        "Free space on the file system of /var/spool/postfix: `df -h "
        "/var/spool/postfix` shows the space, and `df -i /var/spool/postfix` the "
        "inodes, which many small files use up while space is left. smtpd also "
        "rejects mail while free space is below queue_minfree (main.cf).",
        variants={
            "passed": "Postfix reported a lack of disk space {count} time(s), last at "
            "{last}: {reasons}. {later} message(s) were delivered after that, so space "
            "was freed; mail submitted while the disk was full may have been refused.",
        },
        titles={"passed": "The mail queue's file system ran out of space for a while"},
    ),
    "postfix-fatal-error": Entry(
        "Postfix reported fatal errors",
        "{count} fatal or panic message(s), such as: {reasons}.",
        "Fix what the messages name (often a main.cf or master.cf error: run "
        "`postfix check`), then `systemctl restart postfix`.",
        variants={
            "inet_interfaces": "{count} fatal message(s), such as: {reasons}. "
            "inet_interfaces = {interfaces} names {address}, which no interface of "
            "this host has (its address may have changed), so each Postfix program "
            "stops, sendmail before it queues the mail.",
            "mailbox_limit": "{count} fatal message(s), such as: {reasons}. local(8) "
            "stops at once, so no mail is delivered to this host's mailboxes (root's "
            "notices among them); mail to other servers goes on.",
            "mailbox_limit_over": "{count} fatal message(s), such as: {reasons}. "
            "local(8) stopped at once then, but it delivered mail again from {later} "
            "on: the setting was changed since.",
            "permissions": "{count} fatal message(s), such as: {reasons}. A Postfix "
            "program may not open {path} in the queue: its owner or mode is wrong, "
            "for example after a restore or a manual change under /var/spool/postfix.",
            "submit_refused": "{count} fatal message(s), such as: {reasons}. "
            "authorized_submit_users = {allowed} does not list {user}, so sendmail "
            "rejects each message of that user before it gets a queue ID: no other "
            "line of the log shows that mail.",
            "submit_excluded": "{count} fatal message(s), such as: {reasons}. "
            "authorized_submit_users = {allowed} excludes {user} with !{user}, so "
            "sendmail rejects each message of that user before it gets a queue ID: "
            "no other line of the log shows that mail.",
            "table_type": "{count} fatal message(s), such as: {reasons}. {setting} "
            "names {path} without a table type (hash:, lmdb:, ...), so {daemons} "
            "stops each time it starts, and the mail that needs it waits.",
            "table_type_unnamed": "{count} fatal message(s), such as: {reasons}. A "
            "setting names {path} without a table type (hash:, lmdb:, ...), so "
            "{daemons} stops each time it starts, and the mail that needs it waits.",
            "inet_protocols": "{count} fatal message(s), such as: {reasons}. "
            "inet_interfaces = {interfaces} with inet_protocols = {protocols} makes "
            "Postfix use an address that no interface of this host has (::1 when "
            "IPv6 is off), so each Postfix program stops, sendmail before it queues "
            "the mail.",
        },
        titles={
            "mailbox_limit": "Local delivery stops: mailbox_size_limit is smaller than "
            "message_size_limit",
            "mailbox_limit_over": "Local delivery stopped for a while: "
            "mailbox_size_limit was smaller than message_size_limit",
            "permissions": "A Postfix program may not open a queue folder",
            "submit_refused": "sendmail rejects mail from {user}: "
            "authorized_submit_users does not list that user",
            "submit_excluded": "sendmail rejects mail from {user}: "
            "authorized_submit_users excludes that user",
            "table_type": "{setting} names a lookup table without its type",
            "table_type_unnamed": "A setting names a lookup table without its type",
            "inet_protocols": "Postfix stops: this host has no IPv6 address it expects",
            "inet_interfaces": "Postfix stops: inet_interfaces names an address this "
            "host does not have",
        },
        remedies={
            "mailbox_limit": "Raise mailbox_size_limit in /etc/postfix/main.cf to at "
            "least message_size_limit (0 means no limit), then run `postfix reload`: "
            "the mail waiting for local delivery then goes out.",
            "mailbox_limit_over": "Nothing to do now. Keep mailbox_size_limit at "
            "least as large as message_size_limit (0 means no limit) when either "
            "changes.",
            "permissions": "Run `postfix check`, which names the files and folders "
            "with a wrong owner or mode, then `postfix set-permissions` to repair "
            "them, and `postfix reload`. Mail that waits in the maildrop queue is "
            "then picked up.",
            "submit_refused": "Add {user} to authorized_submit_users in "
            "/etc/postfix/main.cf (authorized_submit_users = root, {user}; "
            "static:anyone lets every user submit). sendmail reads the setting each "
            "time it runs, so no restart is needed. The mail it refused was never "
            "queued: the program that sent it must send it again.",
            "submit_excluded": "Remove !{user} from authorized_submit_users in "
            "/etc/postfix/main.cf: Postfix takes the first entry that matches, so "
            "listing {user} again after it does not help. sendmail reads the setting "
            "each time it runs, so no restart is needed. The mail it rejected was "
            "never queued: the program that sent it must send it again.",
            "table_type": "Write the table type: {setting} = hash:{path} in "
            "/etc/postfix/main.cf, build the table with `postmap hash:{path}`, then "
            "run `postfix reload`. " + _FLUSH,
            "table_type_unnamed": "Find the setting: `postconf -n | grep {path}`. "
            "Write it with its table type (hash:{path}), build the table with "
            "`postmap hash:{path}`, then run `postfix reload`. " + _FLUSH,
            "inet_interfaces": "Set inet_interfaces in /etc/postfix/main.cf to "
            "addresses this host has (`ip -br addr`), or to loopback-only on a host "
            "that only sends, then run `systemctl restart postfix`. Mail that sendmail "
            "refused meanwhile must be sent again.",
            "inet_protocols": "Set inet_protocols = ipv4 in /etc/postfix/main.cf (or "
            "inet_interfaces = 127.0.0.1 on a host that only sends), then run "
            "`systemctl restart postfix`. Mail that sendmail refused meanwhile must be "
            "sent again.",
        },
    ),
    "postfix-stopped": Entry(
        "Postfix was stopped and not started again",
        "The last Postfix start or stop in the log is a stop, at {last}.",
        "Start Postfix with `systemctl start postfix` and enable it at boot "
        "(`systemctl enable postfix`). Mail submitted meanwhile waits in the "
        "maildrop queue, and Postfix sends it once it runs.",
        variants={
            "waiting": "The last Postfix start or stop in the log is a stop, at "
            '{last}. Afterwards, {waiting} submission(s) found no pickup service ("unable '
            'to look up public/pickup"): that mail waits until Postfix runs.',
            "pickup": "{waiting} submission(s) from {last} on found no pickup service "
            '("unable to look up public/pickup"): Postfix was not running, and that mail '
            "waits until it runs.",
            "master_fatal": "Postfix's master process stopped with a fatal error at "
            "{last} ({fatal}), and the log shows no start after it and no Postfix "
            "daemon at work: Postfix is not running. Mail submitted meanwhile waits "
            "in the maildrop queue until it runs.",
            "port_in_use": "Postfix's master process stopped with a fatal error at "
            "{last} ({fatal}), and the log shows no start after it and no Postfix "
            "daemon at work: another program listens on port {port}, so Postfix is "
            "not running. Mail submitted meanwhile waits in the maildrop queue until "
            "it runs.",
            "queued": "The last Postfix start or stop in the log is a stop, at {last}. "
            "The queue listing {listing} shows {queued} message(s) in the maildrop "
            "queue or submitted since: that mail waits until Postfix runs. The log "
            "shows no line for it, because postdrop logs nothing while the pickup "
            "socket exists.",
        },
        titles={
            "pickup": "Postfix is not running: submitted mail waits",
            "queued": "Postfix is not running: submitted mail waits",
            "master_fatal": "Postfix stopped with a fatal error and was not started again",
            "port_in_use": "Postfix could not start: another program uses its port",
        },
        remedies={
            "master_fatal": "Fix what the fatal error names (`postfix check` finds "
            "main.cf and master.cf errors), then start Postfix: `systemctl start "
            "postfix`. Mail in the maildrop queue goes out once Postfix runs.",
            "port_in_use": "Find the program that listens on the port: `ss -ltnp "
            "'sport = :{port}'` (often sendmail or another MTA). Stop and disable it "
            "(`systemctl disable --now sendmail`), then start Postfix: `systemctl "
            "start postfix`. Mail in the maildrop queue goes out once Postfix runs.",
        },
    ),
    "delivery-suspended": Entry(
        "Delivery to the destination is suspended after earlier failures",
        '{count} message(s) were deferred with "delivery temporarily suspended": '
        "{reasons}.",
        "Postfix pauses a destination after repeated failures; fix the underlying "
        "failure named in the message. " + _FLUSH,
    ),
    "mailbox-full": Entry(
        "Recipient mailboxes are full",
        "{count} message(s) could not be delivered because mailboxes are full: "
        "{reasons}.",
        "Ask the recipients or the mail server administrator to free space. Postfix "
        "retries mail deferred with a temporary reply (4.2.2) until "
        "maximal_queue_lifetime; a permanent reply (5.2.2) returns it to the sender.",
    ),
    "mailbox-unwritable": Entry(
        "Local delivery cannot write to the mailbox {mailbox}",
        "{count} message(s) for {recipients} failed in this host's own local "
        "delivery (local(8)), which could not write to the mailbox file: {reasons}. "
        "The cause is the file or its folder on this host, not a mail server.",
        "Check the mailbox and its folder: `ls -ld {folder} {mailbox}`. The mailbox "
        "must be a file owned by {user} with mode 0600 (`chown {user} {mailbox}`, "
        "`chmod 0600 {mailbox}`), and the folder must keep Postfix's access (on "
        "Debian and Ubuntu, /var/mail is owned by root, group mail, mode 2775). If "
        "owner and modes are right, SELinux may block the write: `ls -Z {mailbox}` "
        "shows the file's label, and `restorecon -v {mailbox}` restores the default "
        "one. " + _FLUSH,
        variants={
            "owner": "{count} message(s) for {recipients} were deferred by this "
            "host's own local delivery (local(8)): {reasons}. local(8) writes a "
            "mailbox only when its owner is the recipient (strict_mailbox_ownership "
            "= yes, the default), so it retries this mail until "
            "maximal_queue_lifetime and then returns it.",
            "maildir": "{count} message(s) for {recipients} were returned by this "
            "host's own local delivery (local(8)), which could not create a file in "
            "the Maildir {mailbox}: {reasons}. local(8) writes as the recipient, so "
            "{user} must be able to create that folder and write in it.",
            "not_file": "{count} message(s) for {recipients} failed in this "
            "host's own local delivery (local(8)): {reasons}. local(8) writes only "
            "to a regular file with one link, and {mailbox} is not one.",
        },
        titles={
            "owner": "The mailbox {mailbox} is not owned by {user}",
            "not_file": "The mailbox {mailbox} is not a regular file",
            "maildir": "Local delivery cannot write to the Maildir {mailbox}",
        },
        remedies={
            "owner": "Give the mailbox to its user: `chown {user} {mailbox}` and "
            "`chmod 0600 {mailbox}`. If the file is empty, removing it works too: "
            "local(8) creates a new one owned by {user}. Set strict_mailbox_ownership "
            "= no in /etc/postfix/main.cf only as a last resort, because local(8) "
            "then writes to mailboxes that other users own. " + _FLUSH,
            "maildir": "Create the Maildir for its user: `mkdir -p "
            "{mailbox}cur {mailbox}new {mailbox}tmp`, then `chown -R {user} "
            "{mailbox}` and `chmod -R 0700 {mailbox}`. If {user} is a system user "
            "whose home no mail belongs in, send its mail to a person instead: "
            "`{user}: root` in /etc/aliases, then `newaliases`. The returned mail "
            "must be sent again.",
            "not_file": "Find what is at that path: `ls -ld {mailbox}`. Move a "
            "directory, link or device away (`mv {mailbox} {mailbox}.old`), and "
            "local(8) creates a new mailbox owned by {user} at the next delivery. "
            "Mail that was returned must be sent again.",
        },
    ),
    "content-rejected": Entry(
        "The mail server rejects the message content",
        "{count} message(s) were refused for their content by {relays}: {reasons}.",
        "Ask the mail server administrator which filter rejected them and why.",
    ),
    "delivery-failed": Entry(
        "Deliveries fail for other reasons",
        "{count} message(s) were deferred or bounced: {reasons}.",
        "Read the reasons in the evidence; they come from the remote server or from "
        "Postfix and name the problem.",
    ),
    "relayhost-loopback": Entry(
        "The relay host points at this host",
        "The configuration in use sets relayhost = {relayhost}, which is this host. Mail sent to remote "
        'recipients will loop back ("mail for ... loops back to myself").',
        "Set a real mail server: relayhost = [mail.example.com] (QRadar: the host's "
        "e-mail server setting). If relayhost already names the mail server and only "
        "myhostname gives this host the same name, set myhostname to this host's own "
        "fully qualified name instead.",
    ),
    "relayhost-not-set": Entry(
        "No relay host is set: Postfix delivers directly to recipient domains",
        "The configuration in use does not set relayhost, so Postfix looks up and "
        "connects to each recipient domain's mail servers itself. Hosts inside a "
        "company network, other than its mail servers, usually must send through the "
        "company mail server.",
        "If outbound port 25 is blocked here, set relayhost = [mail.example.com] "
        "(QRadar: the host's e-mail server setting).",
    ),
    "config-conflict": Entry(
        "main.cf differs from the postconf -n output in the bundle",
        "{main} and the postconf -n output {postconf} set {values} differently. "
        "postconf -n prints main.cf as it was when the command ran, so main.cf was "
        "changed at another time, and Postfix uses a changed main.cf only after "
        "`postfix reload`. The findings use the postconf -n output, which Postfix "
        "itself wrote, because main.cf is not newer than it.",
        "On the host, compare `postconf -n` with /etc/postfix/main.cf, keep the "
        "intended values in main.cf, and run `postfix reload`. Then collect the "
        "bundle again, so that the logs and the settings are from the same time.",
        variants={
            "main_newer": "{main} and the postconf -n output {postconf} set "
            "{values} differently. main.cf was changed after postconf -n ran, and "
            "Postfix uses a changed main.cf only after `postfix reload`. The findings "
            "use main.cf, because it is newer.",
        },
    ),
    "config-inline-comment": Entry(
        "A comment after a value in main.cf becomes part of the value",
        "{source} has a comment after the value on {count} line(s): {parameters}. "
        'Postfix reads "#" as a comment only at the start of a line, so the "#" '
        "and the text after it are part of the value, and Postfix uses that value.",
        'Move each comment to its own line that starts with "#", leaving only the '
        "value after the equals sign, then run `postfix reload`.",
        variants={
            "not_in_use": "{source} has a comment after the value on {count} "
            'line(s): {parameters}. Postfix reads "#" as a comment only at the start '
            'of a line, so at the next `postfix reload` the "#" and the text after it '
            "become part of the value. The configuration in use does not have them "
            "yet.",
        },
    ),
    "myorigin-not-fqdn": Entry(
        "The sender domain is not a full domain name",
        "Mail from this host is sent as {sender_domain}, a name without a dot or "
        "under .localdomain, which no DNS resolves. Mail servers commonly reject such "
        'senders ("Sender address rejected: Domain not found").',
        "Set myorigin = example.com (a domain that resolves) in /etc/postfix/main.cf, "
        "or give myhostname a full name, then run `systemctl restart postfix`.",
    ),
    "queue-listings-differ": Entry(
        "The queue listings were made at different times",
        "The queue listings of this host list different messages: {listings}. "
        "{shared} of the {total} messages are in more than one. {gone} message(s) "
        "of the older listings are not in the newest one ({newest}), so they were "
        "delivered, returned or deleted before it was made. The report counts only "
        "the messages of the newest listing as queued, and counts each message's "
        "age to the time of the newest listing that shows it.",
        "Read each listing for the time it was made. For one consistent picture, "
        "run `postqueue -j` and `mailq` together on the host and send their output.",
    ),
    "queue-listing-empty": Entry(
        "The queue listing is empty, but the log shows messages still queued",
        '{source} says "Mail queue is empty" (made {taken}), but the log shows '
        "{count} message(s) deferred and not yet delivered, returned or deleted when "
        "it ends ({last_line}). The listing may come from another host or Postfix "
        "instance, or the log from another time.",
        "Run `postqueue -p` on the host (as root, with `postmulti -i NAME -x "
        "postqueue -p` for another instance) and compare it with the log.",
        variants={
            "later": '{source} says "Mail queue is empty" (made {taken}), after the '
            "log ends ({last_line}). The log shows {count} message(s) still deferred "
            "then, so they were delivered, returned or deleted in between, which this "
            "log does not show.",
        },
        remedies={
            "later": "Send the log up to the time of the listing to see what became "
            "of these messages.",
        },
    ),
    "bundle-incomplete": Entry(
        "Parts of the bundle were not read",
        "{count} member(s) of the bundle were damaged, encrypted, cut by a limit or "
        "rejected as unsafe: {members}. The results are partial.",
        "Ask the customer for a new copy of the bundle; meanwhile the findings cover "
        "only the members that could be read.",
        variants={
            "rejected": "{count} member(s) of the bundle were rejected as unsafe "
            "(paths that lead out of the bundle, links, devices) and not read: "
            "{members}. Everything else was read in full.",
        },
    ),
    "timezone-mismatch": Entry(
        "The log's times are {hours} hour(s) off: its time zone is not {zone}",
        "The queue listing's arrival times (postqueue -j, exact) and the first log "
        "line of the same {count} message(s) are {hours} hour(s) apart. The log's "
        "timestamps carry no zone and were read as {zone}; read as UTC{offset} they "
        "agree.",
        "Run again with --timezone set to the host's zone, one at UTC{offset} (such "
        "as Asia/Tokyo for UTC+9), so that the report's times match the customer's "
        "clocks.",
        variants={
            "file_time": "The last line of {log}, read as {zone}, is at {last}, "
            "{hours} hour(s) after the file's own time ({written}). Nothing is written "
            "to a file after that time, so the log's timestamps, which carry no zone, "
            "were written in a zone at least {hours} hour(s) ahead (UTC{offset} or "
            "more).",
            "stamp_offset": "The lines of {zoned_log} carry their zone, the offset "
            "{stated}. The lines of {log}, from the same host, carry none and were "
            "read as {zone}, {hours} hour(s) away from that offset. Read as "
            "UTC{offset}, as the host writes them, they agree with the others.",
            "skipped_hour": "{count} line(s) of {log} carry times that {zone} skips "
            "when its clocks go forward (the first: {first}). A host in {zone} "
            "never writes such times, so the log was written in another zone. The "
            "lines were read as the end of the skipped hour, so their order and "
            "delays are lost.",
        },
        titles={
            "skipped_hour": "{log} has times that do not exist in {zone}: its time "
            "zone is another",
        },
        remedies={
            "skipped_hour": "Run again with --timezone set to the host's zone (such "
            "as Asia/Tokyo, which has no daylight saving time), so that the "
            "report's times match the customer's clocks.",
        },
    ),
    "no-mail-activity": Entry(
        "No mail reached Postfix while the logs were written",
        "The logs cover {first} to {last} and show Postfix running, but not one message "
        "submitted: no program handed mail to Postfix.",
        "Check the sending application's e-mail settings (on QRadar, also that its "
        "rules or reports are set to send e-mail). Send a test message on the host "
        "(`echo test | mail -s test "
        "you@example.com`, or the connection test in QRadar 7.4 and later) and look for "
        "it in /var/log/maillog.",
        variants={
            "rejected": "The logs cover {first} to {last} and show Postfix running, "
            "but it queued no message: smtpd rejected all {rejected} submission(s) "
            "in the logs before queueing.",
        },
        titles={"rejected": "Postfix queued no message while the logs were written"},
        remedies={
            "rejected": "If the rejected submissions were wanted mail, the reject "
            "replies in the evidence name the restriction that stopped them "
            "(smtpd_recipient_restrictions and related settings in main.cf). If this "
            "host should send mail of its own, send a test message on the host (`echo "
            "test | mail -s test you@example.com`) and look for it in the mail log.",
        },
    ),
    # On Debian and Ubuntu the daemons run as postfix@-.service, which
    # `journalctl -u postfix` leaves out and the pattern 'postfix*' includes.
    "no-mail-log": Entry(
        "The bundle has no Postfix log lines",
        "No member of the bundle holds Postfix log lines, so nothing about deliveries "
        "can be shown.",
        "Ask for /var/log/maillog and its rotated copies (/var/log/mail.log on Debian "
        "and Ubuntu), or the output of `journalctl -u 'postfix*' -o json`.",
        variants={
            "empty": "The bundle's mail logs ({logs}) hold no Postfix lines: they "
            "are empty, or syslog writes Postfix's lines to another file.",
        },
    ),
}


class _Lenient(string.Formatter):
    """Fills missing template fields with "?" instead of raising, and writes whole
    numbers with thousands separators (3,000) as the texts do elsewhere."""

    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str):
            return kwargs.get(key, "?")
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> str:
        if not format_spec and isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return str(super().format_field(value, format_spec))


def render(template: str, params: dict[str, Any]) -> str:
    return _Lenient().format(template, **params)


OUTCOMES = {
    "waiting": "{delivered} of them were delivered later, and {waiting} still wait "
    "in the queue.",
    "waiting_one": "1 of them was delivered later, and {waiting} still wait in the "
    "queue.",
    "delivered": "{delivered} of them were delivered later.",
    "delivered_one": "1 of them was delivered later.",
}
"""The sentence that a delivery failure's summary ends with when some of its
messages were delivered later, by its ``outcome`` parameter."""

SOFT_BOUNCE = (
    "Postfix logged these failures as status=SOFTBOUNCE because soft_bounce = yes: "
    "it keeps mail that it would otherwise return in the queue and retries it until "
    "maximal_queue_lifetime ({lifetime}), so the sender gets no bounce until then."
)
"""The sentence that a delivery failure's summary ends with when its
``soft_bounce`` parameter is set."""
SOFT_BOUNCE_REMEDY = (
    "Fix the cause below first, then set soft_bounce = no in /etc/postfix/main.cf "
    "(soft_bounce is meant for tests and migrations) and run `postfix reload`: "
    "mail that still fails for good is then returned to its sender at its next "
    "retry instead of waiting until it expires."
)
"""The sentence that a delivery failure's remedy starts with when its
``soft_bounce`` parameter is set."""


def render_summary(
    template: str,
    params: dict[str, Any],
    outcomes: dict[str, str] = OUTCOMES,
    separator: str = " ",
    soft_bounce: str = SOFT_BOUNCE,
) -> str:
    """Fill a summary, and add the sentence on soft_bounce when the
    ``soft_bounce`` parameter is set, then the sentence on what became of the
    messages that the ``outcome`` parameter names. Japanese sentences follow
    each other without a space."""
    text = render(template, params)
    if params.get("soft_bounce"):
        text = f"{text}{separator}{render(soft_bounce, params)}"
    outcome = outcomes.get(str(params.get("outcome") or ""))
    return f"{text}{separator}{render(outcome, params)}" if outcome else text


def render_remedy(
    template: str,
    params: dict[str, Any],
    flush: str = FLUSH,
    soft_bounce: str = SOFT_BOUNCE_REMEDY,
    separator: str = " ",
) -> str:
    """Fill a remedy. Start it with the sentence on soft_bounce when the
    ``soft_bounce`` parameter is set. Leave out the ``postfix flush`` sentence
    when the finding's ``queued`` parameter is False (none of its mail is still
    queued), and use the commands and the configuration folder of the Postfix
    instance that ``instance`` names."""
    text = render(template, params)
    if params.get("soft_bounce"):
        text = f"{render(soft_bounce, params)}{separator}{text}"
    if params.get("queued") is False:
        text = text.replace(" " + flush, "").replace(flush, "")
    instance = params.get("instance")
    if instance:
        # `postfix flush` and `postfix reload` act on the default instance only,
        # and postmulti gives a new instance the folder /etc/NAME by default.
        text = text.replace(
            "`postfix flush`", f"`postmulti -i {instance} -x postfix flush`"
        )
        text = text.replace("`postfix reload`", f"`postmulti -i {instance} -p reload`")
        text = text.replace("/etc/postfix/", f"/etc/{instance}/")
    return text
