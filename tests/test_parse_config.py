"""main.cf, ``postconf -n`` and master.cf parsing: cases as data, then the corpus.

Each case row is the text of a file and the values expected from it, so a new
configuration form becomes a test by adding a row. The corpus tests read every
main.cf and master.cf of the shared corpus and require each non-blank,
non-comment line to belong to a setting, a service or a listed unparsed line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.parse.config import (
    DEFAULTS,
    logical_lines,
    looks_like_main_cf,
    looks_like_master_cf,
    parse_main_cf,
    parse_master_cf,
)
from tests.conftest import CORPUS

# Expanded values: main.cf text, then each parameter and what get() returns.
RELATION_PREFIX = "a = 5\nb = 10\ns = yes\ne =\n"

EXPANSION_CASES = [
    pytest.param(
        "# relayhost = [192.0.2.1]\nrelayhost = [192.0.2.25]\n",
        {"relayhost": "[192.0.2.25]"},
        id="whole-line-comment",
    ),
    pytest.param(
        "myhostname = mail.example.com\n    # relayhost = [192.0.2.1]\n",
        {"relayhost": "", "myhostname": "mail.example.com"},
        id="indented-comment",
    ),
    # Postfix starts a comment only at the first non-space character of a line.
    pytest.param(
        "relayhost = [192.0.2.25] # old relay\n",
        {"relayhost": "[192.0.2.25] # old relay"},
        id="hash-after-value-kept",
    ),
    pytest.param(
        "mynetworks = 127.0.0.0/8\n    192.0.2.0/24\n\t[2001:db8::]/32\n",
        {"mynetworks": "127.0.0.0/8 192.0.2.0/24 [2001:db8::]/32"},
        id="continuation-lines",
    ),
    # A comment line inside a value does not end the logical line.
    pytest.param(
        "mydestination = $myhostname,\n# localhost.$mydomain,\n    localhost\n"
        "myhostname = mail.example.com\n",
        {"mydestination": "mail.example.com, localhost"},
        id="continuation-across-comment",
    ),
    pytest.param(
        "relayhost=[192.0.2.25]:587\n",
        {"relayhost": "[192.0.2.25]:587"},
        id="no-spaces-around-equals",
    ),
    pytest.param("relayhost =\n", {"relayhost": ""}, id="empty-value"),
    pytest.param(
        "relayhost = [192.0.2.1]\nrelayhost = [192.0.2.2]\n",
        {"relayhost": "[192.0.2.2]"},
        id="last-setting-wins",
    ),
    pytest.param(
        "relay_name = smtp.example.com\nrelayhost = [$relay_name]\n",
        {"relayhost": "[smtp.example.com]"},
        id="dollar-name",
    ),
    pytest.param(
        "relay_port = 587\nrelayhost = [192.0.2.25]:${relay_port}\n",
        {"relayhost": "[192.0.2.25]:587"},
        id="dollar-braces",
    ),
    pytest.param(
        "relayhost = $(relay_name)\nrelay_name = [smtp.example.com]\n",
        {"relayhost": "[smtp.example.com]"},
        id="dollar-parentheses-defined-later",
    ),
    pytest.param(
        "myhostname = mail.example.com\nsmtpd_banner = $myhostname ESMTP\n",
        {"smtpd_banner": "mail.example.com ESMTP"},
        id="name-ends-at-space",
    ),
    pytest.param(
        "relayhost = [$no_such_parameter]\n",
        {"relayhost": "[]"},
        id="undefined-name-empty",
    ),
    # "$$" stands for one "$", which starts no reference.
    pytest.param(
        "relay_name = smtp.example.com\nsmtp_helo_name = $$relay_name\n",
        {"smtp_helo_name": "$relay_name"},
        id="double-dollar",
    ),
    pytest.param(
        "relay_name = smtp.example.com\nrelayhost = ${relay_name?[$relay_name]}\n",
        {"relayhost": "[smtp.example.com]"},
        id="question-mark-set",
    ),
    pytest.param(
        "relayhost = ${relay_name?[$relay_name]}\n",
        {"relayhost": ""},
        id="question-mark-empty",
    ),
    pytest.param(
        "relayhost = ${relay_name:[192.0.2.25]}\n",
        {"relayhost": "[192.0.2.25]"},
        id="colon-empty",
    ),
    pytest.param(
        "relay_name = smtp.example.com\nrelayhost = ${relay_name:[192.0.2.25]}\n",
        {"relayhost": ""},
        id="colon-set",
    ),
    pytest.param(
        "relay_name = smtp.example.com\n"
        "relayhost = ${relay_name?{[$relay_name]:587}}\n",
        {"relayhost": "[smtp.example.com]:587"},
        id="question-mark-braced-value",
    ),
    pytest.param(
        "relayhost = ${relay_name:{[192.0.2.25]:587}}\n",
        {"relayhost": "[192.0.2.25]:587"},
        id="colon-braced-value",
    ),
    # Postfix 3.0 and later choose between two braced values.
    pytest.param(
        "stress = yes\nsmtpd_timeout = ${stress?{10}:{300}}s\n",
        {"smtpd_timeout": "10s"},
        id="either-or-set",
    ),
    pytest.param(
        "smtpd_timeout = ${stress?{10}:{300}}s\n",
        {"smtpd_timeout": "300s"},
        id="either-or-empty",
    ),
    pytest.param(
        "smtpd_timeout = ${stress?{10} : {300}}s\n",
        {"smtpd_timeout": "300s"},
        id="either-or-spaces-around-braces",
    ),
    # Postfix 3.0 and later: a relational expression in place of the name.
    # Expected values are those of postconf -x of Postfix 3.7.11.
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a} == {5} ? {eq} : {ne}}\n",
        {"relayhost": "eq"},
        id="relation-equal",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a} != {5} ? {ne} : {eq}}\n",
        {"relayhost": "eq"},
        id="relation-not-equal",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a} < {$b} ? {lt} : {ge}}\n",
        {"relayhost": "lt"},
        id="relation-less-numbers",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{abc} < {abd} ? {lt} : {ge}}\n",
        {"relayhost": "lt"},
        id="relation-less-strings",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a} > {10}?{gt}:{le}}\n",
        {"relayhost": "le"},
        id="relation-greater-no-spaces",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a} <= {5}}\n",
        {"relayhost": "true"},
        id="relation-bare-true",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a} >= {6}}\n",
        {"relayhost": ""},
        id="relation-bare-false",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{9} < {10} ? {num} : {str}}\n",
        {"relayhost": "num"},
        id="relation-digits-compare-as-numbers",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{x9} < {x10} ? {lt} : {ge}}\n",
        {"relayhost": "ge"},
        id="relation-mixed-compare-as-strings",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${ s ? {set} : {empty}}\n",
        {"relayhost": "set"},
        id="relation-spaces-around-name",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$e} == {} ? {blank}}\n",
        {"relayhost": "blank"},
        id="relation-empty-operand",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$s} == {yes} : {notyes}}\n",
        {"relayhost": ""},
        id="relation-colon-only",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$s}=={yes}?{Y}:{N}}x\n",
        {"relayhost": "Yx"},
        id="relation-text-after",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a} == {5} ? {$b} : {$s}}\n",
        {"relayhost": "10"},
        id="relation-branches-expand",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{$a}  ==  {5}  ?  {sp}  :  {ns}}\n",
        {"relayhost": "sp"},
        id="relation-wide-spaces",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{01} == {1} ? {numeq} : {numne}}\n",
        {"relayhost": "numeq"},
        id="relation-leading-zero-number",
    ),
    pytest.param(
        RELATION_PREFIX + "relayhost = ${{} == {} ? {emptyeq} : {emptyne}}\n",
        {"relayhost": "emptyeq"},
        id="relation-both-empty",
    ),
    pytest.param(
        "relayhost = ${relay_name:${backup_relay}}\nbackup_relay = [192.0.2.26]\n",
        {"relayhost": "[192.0.2.26]"},
        id="nested-reference",
    ),
    # Postfix 3.0 and later group a list element that contains spaces in braces.
    pytest.param(
        "smtpd_milters = { inet:127.0.0.1:8891,  connect_timeout=10s },"
        " inet:127.0.0.1:8893\n",
        {
            "smtpd_milters": "{ inet:127.0.0.1:8891, connect_timeout=10s },"
            " inet:127.0.0.1:8893"
        },
        id="grouped-value",
    ),
    # Postfix rejects these as syntax errors, so the text stays as written.
    pytest.param(
        "relayhost = [${relay.name}]\n", {"relayhost": "[${relay.name}]"}, id="bad-name"
    ),
    pytest.param(
        "relayhost = [${relay_name]\n",
        {"relayhost": "[${relay_name]"},
        id="unclosed-brace",
    ),
    pytest.param("relayhost = [$]\n", {"relayhost": "[$]"}, id="dollar-without-name"),
    pytest.param(
        "relayhost = ${{a} = {b} ? {x}}\n",
        {"relayhost": "${{a} = {b} ? {x}}"},
        id="relation-unknown-operator",
    ),
    # Postfix reports a loop, and expansion stops at the repeated name.
    pytest.param(
        "relay_a = $relay_b\nrelay_b = $relay_a\n",
        {"relay_a": "", "relay_b": ""},
        id="two-name-cycle",
    ),
    pytest.param(
        "relay_name = $relayhost\nrelayhost = [$relay_name]\n",
        {"relayhost": "[]"},
        id="cycle-through-relayhost",
    ),
    pytest.param(
        "",
        {
            "relayhost": "",
            "maximal_queue_lifetime": "5d",
            "inet_protocols": "all",
            "default_transport": "smtp",
            "parameter_without_default": "",
        },
        id="defaults",
    ),
    # Postfix derives mydomain from myhostname minus its first label.
    pytest.param(
        "myhostname = mail.example.com\n",
        {
            "mydomain": "example.com",
            "myorigin": "mail.example.com",
            "mydestination": "mail.example.com, localhost.example.com, localhost",
        },
        id="mydomain-from-myhostname",
    ),
    pytest.param(
        "myhostname = mailhost\n", {"mydomain": "localdomain"}, id="single-label-host"
    ),
    pytest.param(
        "myhostname = mail.example.com\nmydomain = example.net\n",
        {"mydestination": "mail.example.com, localhost.example.net, localhost"},
        id="mydomain-set",
    ),
    pytest.param(
        "myhostname = mail.$mydomain\n",
        {"myhostname": "mail.localdomain", "mydomain": "localdomain"},
        id="myhostname-from-mydomain",
    ),
    pytest.param(
        "relayhost = [192.0.2.25]\r\nmyhostname = mail.example.com\r\n",
        {"relayhost": "[192.0.2.25]", "myhostname": "mail.example.com"},
        id="crlf-line-ends",
    ),
]


@pytest.mark.parametrize(("text", "expected"), EXPANSION_CASES)
def test_main_cf_expands_values(text: str, expected: dict[str, str]) -> None:
    config = parse_main_cf(text, "main.cf")
    for name, value in expected.items():
        assert config.get(name) == value, name


# Settings as written: text, then (name, raw value, line number) of each setting.
SETTING_CASES = [
    pytest.param(
        "myhostname = mail.example.com\nrelayhost = [$relay_name]:587\n",
        [("myhostname", "mail.example.com", 1), ("relayhost", "[$relay_name]:587", 2)],
        id="two-settings",
    ),
    pytest.param(
        "# main.cf\n\nmynetworks = 127.0.0.0/8\n    # the office\n"
        "    192.0.2.0/24\n\nrelayhost =\n",
        [("mynetworks", "127.0.0.0/8 192.0.2.0/24", 3), ("relayhost", "", 7)],
        id="line-numbers-after-comments",
    ),
    # Lines end at "\n" only, so a form feed or U+2028 inside a comment does not
    # shift the line numbers of the settings after it.
    pytest.param(
        "# part one\x0c part two\nrelayhost = [192.0.2.25]\n",
        [("relayhost", "[192.0.2.25]", 2)],
        id="form-feed-in-comment",
    ),
    pytest.param(
        "# owner: mail team\u2028room 2\nrelayhost = [192.0.2.25]\n",
        [("relayhost", "[192.0.2.25]", 2)],
        id="line-separator-in-comment",
    ),
    # postconf -n prints the settings that differ from the defaults, one a line.
    pytest.param(
        "alias_maps = hash:/etc/aliases\n"
        "compatibility_level = 3.6\n"
        "inet_interfaces = loopback-only\n"
        "inet_protocols = ipv4\n"
        "myhostname = console.example.com\n"
        "relayhost = [192.0.2.25]:587\n"
        "smtp_tls_security_level = may\n",
        [
            ("alias_maps", "hash:/etc/aliases", 1),
            ("compatibility_level", "3.6", 2),
            ("inet_interfaces", "loopback-only", 3),
            ("inet_protocols", "ipv4", 4),
            ("myhostname", "console.example.com", 5),
            ("relayhost", "[192.0.2.25]:587", 6),
            ("smtp_tls_security_level", "may", 7),
        ],
        id="postconf-n-output",
    ),
]


@pytest.mark.parametrize(("text", "expected"), SETTING_CASES)
def test_main_cf_settings_as_written(
    text: str, expected: list[tuple[str, str, int]]
) -> None:
    config = parse_main_cf(text, "main.cf")
    found = [(s.name, s.value, s.line_no) for s in config.settings.values()]
    assert found == expected
    assert config.unparsed == []
    for name, value, _ in expected:
        assert config.raw(name) == value
        assert config.is_set(name)


def test_main_cf_unset_parameter() -> None:
    config = parse_main_cf("myhostname = mail.example.com\n", "main.cf")
    assert config.raw("relayhost") is None
    assert not config.is_set("relayhost")
    assert config.is_set("myhostname")


def test_main_cf_overrides_listed() -> None:
    text = (
        "relayhost = [192.0.2.1]\n"
        "myhostname = mail.example.com\n"
        "relayhost = [192.0.2.2]\n"
        "# relayhost = [192.0.2.3]\n"
        "relayhost =\n"
        "    [192.0.2.4]\n"
    )
    config = parse_main_cf(text, "main.cf")
    overridden = [(s.name, s.value, s.line_no) for s in config.overridden]
    assert overridden == [
        ("relayhost", "[192.0.2.1]", 1),
        ("relayhost", "[192.0.2.2]", 3),
    ]
    winner = config.settings["relayhost"]
    assert (winner.value, winner.line_no) == ("[192.0.2.4]", 5)
    assert winner.text == "relayhost =\n    [192.0.2.4]"
    assert config.get("relayhost") == "[192.0.2.4]"


# Lines that are not settings: text, then the (line number, text) listed.
UNPARSED_CASES = [
    pytest.param(
        "postconf: warning: /etc/postfix/main.cf: unused parameter:"
        " relay_host=[192.0.2.25]\nrelayhost = [192.0.2.25]\n",
        [
            (
                1,
                "postconf: warning: /etc/postfix/main.cf: unused parameter:"
                " relay_host=[192.0.2.25]",
            )
        ],
        id="postconf-warning",
    ),
    pytest.param(
        "relayhost [192.0.2.25]\n", [(1, "relayhost [192.0.2.25]")], id="no-equals"
    ),
    # Postfix ignores a first logical line that starts with white space.
    pytest.param(
        "  relayhost = [192.0.2.25]\nmyhostname = mail.example.com\n",
        [(1, "  relayhost = [192.0.2.25]")],
        id="indented-first-line",
    ),
]


@pytest.mark.parametrize(("text", "expected"), UNPARSED_CASES)
def test_main_cf_unparsed_lines(text: str, expected: list[tuple[int, str]]) -> None:
    config = parse_main_cf(text, "main.cf")
    assert config.unparsed == expected
    setting_lines = {s.line_no for s in config.settings.values()}
    assert setting_lines.isdisjoint(line_no for line_no, _ in expected)


def test_indented_first_line_not_set() -> None:
    config = parse_main_cf("  relayhost = [192.0.2.25]\n", "main.cf")
    assert not config.is_set("relayhost")
    assert config.get("relayhost") == ""


def test_extra_defaults_used() -> None:
    config = parse_main_cf("relayhost = [192.0.2.25]\n", "main.cf")
    config.defaults["myhostname"] = "console.example.com"
    assert config.get("myhostname") == "console.example.com"
    assert config.get("mydomain") == "example.com"
    assert config.get("myorigin") == "console.example.com"
    assert not config.is_set("myhostname")


def test_defaults_table_values() -> None:
    assert DEFAULTS["mydestination"] == "$myhostname, localhost.$mydomain, localhost"
    assert DEFAULTS["myorigin"] == "$myhostname"
    assert DEFAULTS["relayhost"] == ""


def test_long_reference_chain_expands() -> None:
    """Check that a chain deeper than Python's recursion limit stays bounded."""
    text = "".join(f"relay_{i} = $relay_{i + 1}\n" for i in range(3000))
    text += "relay_3000 = [192.0.2.25]\nrelayhost = $relay_0\n"
    config = parse_main_cf(text, "main.cf")
    assert config.get("relayhost") == ""
    assert config.get("relay_2950") == "[192.0.2.25]"


def test_expansion_size_bounded() -> None:
    text = "a0 = " + "x" * 1000 + "\n"
    text += "".join(f"a{i + 1} = $a{i}$a{i}\n" for i in range(40))
    config = parse_main_cf(text, "main.cf")
    assert len(config.get("a40")) == 64 * 1024


# Logical lines: text, then (first line number, joined text) of each.
LOGICAL_LINE_CASES = [
    pytest.param("a = 1\nb = 2\n", [(1, "a = 1"), (2, "b = 2")], id="two-lines"),
    pytest.param(
        "a = 1\n  2\n# c\n\t3\nb = 4",
        [(1, "a = 1\n  2\n\t3"), (5, "b = 4")],
        id="continuations-and-comment",
    ),
    pytest.param("\n\n   \n# only a comment\n", [], id="blank-and-comment-lines"),
    pytest.param("a = 1\r\n  2\r\n", [(1, "a = 1\n  2")], id="crlf"),
    pytest.param("  a = 1\nb = 2\n", [(1, "  a = 1"), (2, "b = 2")], id="orphan"),
]


@pytest.mark.parametrize(("text", "expected"), LOGICAL_LINE_CASES)
def test_logical_lines_join_continuations(
    text: str, expected: list[tuple[int, str]]
) -> None:
    assert list(logical_lines(text)) == expected


# master.cf services: text, then (service, type, command, options, line number).
MASTER_CASES = [
    pytest.param(
        "smtp      inet  n       -       y       -       -       smtpd\n",
        [("smtp", "inet", "smtpd", {}, 1)],
        id="plain-service",
    ),
    pytest.param(
        "submission inet n       -       y       -       -       smtpd\n"
        "  -o syslog_name=postfix/submission\n"
        "  -o smtpd_tls_security_level=encrypt\n"
        "#  -o smtpd_tls_wrappermode=yes\n"
        "  -o smtpd_sasl_auth_enable=yes\n",
        [
            (
                "submission",
                "inet",
                "smtpd",
                {
                    "syslog_name": "postfix/submission",
                    "smtpd_tls_security_level": "encrypt",
                    "smtpd_sasl_auth_enable": "yes",
                },
                1,
            )
        ],
        id="options-on-continuation-lines",
    ),
    pytest.param(
        "relay unix - - y - - smtp -osmtp_helo_timeout=5 -o smtp_connect_timeout=5\n",
        [
            (
                "relay",
                "unix",
                "smtp",
                {"smtp_helo_timeout": "5", "smtp_connect_timeout": "5"},
                1,
            )
        ],
        id="option-joined-to-flag",
    ),
    # Postfix 3.0 and later accept white space inside "{ }" after -o.
    pytest.param(
        "submission inet n - y - - smtpd\n"
        "  -o { smtpd_client_restrictions = permit_sasl_authenticated, reject }\n"
        "  -o {smtpd_tls_security_level=encrypt}\n",
        [
            (
                "submission",
                "inet",
                "smtpd",
                {
                    "smtpd_client_restrictions": "permit_sasl_authenticated, reject",
                    "smtpd_tls_security_level": "encrypt",
                },
                1,
            )
        ],
        id="braced-option",
    ),
    pytest.param(
        "127.0.0.1:10025 inet n - n - - smtpd\n  -o content_filter=\n",
        [("127.0.0.1:10025", "inet", "smtpd", {"content_filter": ""}, 1)],
        id="host-port-service",
    ),
    pytest.param(
        "# ==========\n"
        "pickup    unix  n       -       y       60      1       pickup\n"
        "\n"
        "qmgr      unix  n       -       n       300     1       qmgr\n",
        [("pickup", "unix", "pickup", {}, 2), ("qmgr", "unix", "qmgr", {}, 4)],
        id="line-numbers",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MASTER_CASES)
def test_master_cf_services(
    text: str, expected: list[tuple[str, str, str, dict[str, str], int]]
) -> None:
    config = parse_master_cf(text, "master.cf")
    found = [
        (s.service, s.type, s.command, s.options, s.line_no) for s in config.services
    ]
    assert found == expected
    assert config.unparsed == []


def test_master_cf_service_fields() -> None:
    text = (
        "maildrop  unix  -       n       n       -       -       pipe\n"
        "  flags=DRXhu user=vmail argv=/usr/bin/maildrop -d ${recipient}\n"
    )
    service = parse_master_cf(text, "master.cf").services[0]
    fields = (
        service.private,
        service.unprivileged,
        service.chroot,
        service.wakeup,
        service.max_processes,
    )
    assert fields == ("-", "n", "n", "-", "-")
    assert service.arguments == [
        "flags=DRXhu",
        "user=vmail",
        "argv=/usr/bin/maildrop",
        "-d",
        "${recipient}",
    ]
    assert service.options == {}
    assert service.text == text.rstrip("\n")


MASTER_UNPARSED_CASES = [
    pytest.param("relay unix - - n\n", [(1, "relay unix - - n")], id="too-few-fields"),
    pytest.param(
        "smtp tcp n - y - - smtpd\n", [(1, "smtp tcp n - y - - smtpd")], id="bad-type"
    ),
    pytest.param(
        "submission/inet/smtpd_sasl_auth_enable=yes\n",
        [(1, "submission/inet/smtpd_sasl_auth_enable=yes")],
        id="postconf-p-form",
    ),
    pytest.param(
        "  smtp inet n - y - - smtpd\n",
        [(1, "  smtp inet n - y - - smtpd")],
        id="indented-first-line",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MASTER_UNPARSED_CASES)
def test_master_cf_unparsed_lines(text: str, expected: list[tuple[int, str]]) -> None:
    config = parse_master_cf(text, "master.cf")
    assert config.services == []
    assert config.unparsed == expected


def test_master_cf_last_entry_wins() -> None:
    """Check that find returns the last line of a service, which Postfix uses."""
    text = (
        "smtp inet n - y - - smtpd\n"
        "smtp unix - - y - - smtp\n"
        "smtp inet n - y - 1 postscreen\n"
    )
    config = parse_master_cf(text, "master.cf")
    inet = config.find("smtp", "inet")
    assert inet is not None
    assert (inet.command, inet.line_no) == ("postscreen", 3)
    unix = config.find("smtp", "unix")
    assert unix is not None
    assert unix.line_no == 2
    assert config.find("submission") is None


MAIN_CF_SAMPLE = (
    "myhostname = console.example.com\n"
    "relayhost = [192.0.2.25]\n"
    "inet_interfaces = loopback-only\n"
)
MASTER_CF_SAMPLE = (
    "smtp      inet  n       -       y       -       -       smtpd\n"
    "pickup    unix  n       -       y       60      1       pickup\n"
    "cleanup   unix  n       -       y       -       0       cleanup\n"
    "qmgr      unix  n       -       n       300     1       qmgr\n"
)
LOOKS_LIKE_CASES = [
    pytest.param(MAIN_CF_SAMPLE, True, False, id="main-cf"),
    pytest.param(MASTER_CF_SAMPLE, False, True, id="master-cf"),
    pytest.param("colour = blue\nshape = round\n", False, False, id="other-ini"),
    pytest.param("", False, False, id="empty"),
]


@pytest.mark.parametrize(("text", "main", "master"), LOOKS_LIKE_CASES)
def test_config_kind_guessed(text: str, main: bool, master: bool) -> None:
    assert looks_like_main_cf(text) is main
    assert looks_like_master_cf(text) is master


# Corpus files: line -> reason for each line that is expected to stay unparsed.
CONFIG_DIR = CORPUS / "main-cf"
EXPECTED_UNPARSED: dict[str, dict[int, str]] = {
    "docker-mailserver__docker-mailserver__test__config__override-configs__"
    "postfix-master.cf": {
        1: "a 'postconf -P' service/type/parameter=value override, not master.cf",
        7: "a 'postconf -P' service/type/parameter=value override, not master.cf",
    },
}


# Corpus files whose content alone does not show what they are: name -> reason.
NOT_GUESSED = {
    "docker-mailserver__docker-mailserver__test__config__override-configs__"
    "postfix-main.cf": "three settings, of which the guess knows only one name",
    "docker-mailserver__docker-mailserver__test__config__override-configs__"
    "postfix-master.cf": "postconf -P overrides, neither main.cf nor master.cf",
}


def corpus_configs() -> list[str]:
    if not CONFIG_DIR.is_dir():
        return ["(corpus absent)"]
    return sorted(p.name for p in CONFIG_DIR.iterdir())


def logical_starts(text: str) -> set[int]:
    """Return the first line number of each logical line, read independently.

    A non-blank line whose first character is not white space and that is no
    comment starts a logical line, and so does an indented line before any.
    """
    starts: set[int] = set()
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if not line[0].isspace() or not starts:
            starts.add(number)
    return starts


@pytest.mark.parametrize("name", corpus_configs())
def test_corpus_config_accounted(name: str, corpus: Path) -> None:
    text = (corpus / "main-cf" / name).read_text(encoding="utf-8")
    expected = EXPECTED_UNPARSED.get(name, {})
    if "master" in name:
        master = parse_master_cf(text, name)
        parsed = [s.line_no for s in master.services]
        unparsed = [line_no for line_no, _ in master.unparsed]
    else:
        main = parse_main_cf(text, name)
        settings = [*main.settings.values(), *main.overridden]
        parsed = [s.line_no for s in settings]
        unparsed = [line_no for line_no, _ in main.unparsed]
        for setting in main.settings.values():
            assert "${" not in main.get(setting.name), setting.line_no
    print(f"{name}: {len(parsed)} parsed, {len(unparsed)} unparsed")
    assert set(unparsed) == set(expected)
    assert sorted(parsed + unparsed) == sorted(logical_starts(text))


def test_corpus_config_found_by_content(corpus: Path) -> None:
    """Check that the content guess agrees with the file names of the corpus."""
    for path in sorted((corpus / "main-cf").iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.name in NOT_GUESSED:
            continue
        is_master = "master" in path.name
        assert looks_like_master_cf(text) is is_master, path.name
        assert looks_like_main_cf(text) is not is_master, path.name


def test_byte_order_mark_ignored() -> None:
    config = parse_main_cf("\ufeffrelayhost = [192.0.2.25]\n", "main.cf")
    assert config.get("relayhost") == "[192.0.2.25]"
    assert config.unparsed == []
