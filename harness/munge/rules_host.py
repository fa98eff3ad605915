"""Rules built from the host facts: names, paths, users, addresses and fixed ports.

Each function returns one section of the common pipeline for the given `HostFacts`.
Values are matched literally; `pipeline.py` decides where each section goes.
"""

from __future__ import annotations

import re
from re import escape as lit

from harness.hostfacts import HostFacts
from harness.munge.model import LOGS, Rule


def identity(facts: HostFacts) -> list[Rule]:
    """The host name, the suite directory and the harness shell."""
    rules = [
        Rule(
            "host-name",
            lit(facts.hostname),
            "the.local.host.name",
            "the name of the host running the tests",
            every=True,
            needle=facts.hostname,
        ),
        Rule(
            "localhost-address-name",
            r"name=the\.local\.host address=127\.0\.0\.1",
            "name=localhost address=127.0.0.1",
            "the loopback address was just renamed with the host; it is localhost",
            every=True,
            needle="name=the.local.host address=127.0.0.1",
        ),
    ]
    if facts.shell:
        rules.append(
            Rule(
                "harness-shell",
                rf"\s{lit(facts.shell)}\b",
                " ENV_SHELL",
                "the harness shell's path",
                needle=facts.shell,
            )
        )
    rules.append(
        Rule(
            "suite-directory",
            lit(facts.cwd),
            "TESTSUITE",
            "where the test suite runs",
            every=True,
            needle=facts.cwd,
        )
    )
    return rules


def dumpdb_ports(facts: HostFacts) -> list[Rule]:
    p = facts.ports
    return [
        Rule(
            "dumpdb-port-n",
            rf"T:([a-z.]+(:[0-9.]+)?):{p.n} ",
            r"T:\1:PORT_N ",
            "the fixed port numbers in retry keys",
            needle=f":{p.n} ",
        ),
        Rule(
            "process-info-port-d",
            rf"^(set_process_info: .*\]:){p.d} ",
            r"\1PORT_D ",
            "the daemon port in process titles",
            needle="set_process_info: ",
        ),
        Rule(
            "process-info-port-s",
            rf"^(set_process_info: .*\]:){p.s} ",
            r"\1PORT_S ",
            "the scripted server's port in process titles",
            needle="set_process_info: ",
        ),
    ]


def caller(facts: HostFacts) -> list[Rule]:
    """The caller's login, group, ids, home and gecos name (home before login)."""
    uid, gid = facts.caller_uid, facts.caller_gid
    rules = [
        Rule(
            "caller-home",
            lit(facts.caller_home),
            "CALLER_HOME",
            "the caller's home directory",
            every=True,
            needle=facts.caller_home,
        ),
        Rule(
            "caller-login",
            rf"\b{lit(facts.caller)}\b",
            "CALLER",
            "the caller's login",
            every=True,
            needle=facts.caller,
        ),
        Rule(
            "caller-group",
            rf"\b{lit(facts.caller_group)}\b",
            "CALLER",
            "the caller's group name",
            every=True,
            needle=facts.caller_group,
        ),
        Rule(
            "caller-euid",
            rf"\beuid={uid}\b",
            "euid=CALLER_UID",
            "the caller's uid",
            every=True,
            needle=f"euid={uid}",
        ),
        Rule(
            "caller-egid",
            rf"\begid={gid}\b",
            "egid=CALLER_GID",
            "the caller's gid",
            every=True,
            needle=f"egid={gid}",
        ),
        Rule(
            "caller-uid",
            rf"\buid={uid}\b",
            "uid=CALLER_UID",
            "the caller's uid",
            every=True,
            needle=f"uid={uid}",
        ),
        Rule(
            "caller-gid",
            rf"\bgid={gid}\b",
            "gid=CALLER_GID",
            "the caller's gid",
            every=True,
            needle=f"gid={gid}",
        ),
        Rule(
            "caller-gecos",
            rf'\bname="?{lit(facts.caller_gecos)}"?',
            "name=CALLER_GECOS",
            "the caller's full name",
            every=True,
            needle="name=",
        ),
        Rule(
            "caller-ids-in-spool",
            rf"^CALLER {uid} \d+$",
            "CALLER UID GID",
            "the login line of a spool header shown by -Mvh",
            needle="CALLER ",
        ),
        Rule(
            "spaced-user-in-spool",
            rf"^spaced user {uid} \d+$",
            "CALLER UID GID",
            "a test forces a login with a space in it",
            needle="spaced user ",
        ),
    ]
    if not facts.caller_home:
        del rules[0]  # an empty home would match everywhere; the harness always has one
    return rules


def exim_user(facts: HostFacts) -> list[Rule]:
    """Exim's own login and ids, as they appear for bounces and daemon receptions."""
    user = lit(facts.eximuser)
    uid, gid = facts.exim_uid, facts.exim_gid
    name = facts.eximuser
    return [
        Rule("exim-user-U", f"U={user}", "U=EXIMUSER", "Exim's login", needle=f"U={name}"),
        Rule(
            "exim-user-user", f"user={user}", "user=EXIMUSER", "Exim's login", needle=f"user={name}"
        ),
        Rule(
            "exim-user-login",
            f"login={user}",
            "login=EXIMUSER",
            "Exim's login",
            needle=f"login={name}",
        ),
        Rule(
            "exim-user-received",
            f"Received: from {user} ",
            "Received: from EXIMUSER ",
            "Exim's login",
            needle="Received: from ",
        ),
        Rule(
            "exim-user-running-as",
            f"Running as: {user}",
            "Running as: EXIMUSER",
            "Exim's login",
            needle="Running as: ",
        ),
        Rule(
            "exim-user-address",
            rf"\b{user}@",
            "EXIMUSER@",
            "Exim's login in addresses",
            needle=f"{name}@",
        ),
        Rule(
            "exim-user-lock",
            rf"\b{user}\.lock\.",
            "EXIMUSER.lock.",
            "Exim's login in lock file names",
            needle=f"{name}.lock.",
        ),
        Rule(
            "exim-euid",
            rf"\beuid={uid}\b",
            "euid=EXIM_UID",
            "Exim's uid",
            every=True,
            needle=f"euid={uid}",
        ),
        Rule(
            "exim-egid",
            rf"\begid={gid}\b",
            "egid=EXIM_GID",
            "Exim's gid",
            every=True,
            needle=f"egid={gid}",
        ),
        Rule(
            "exim-uid",
            rf"\buid={uid}\b",
            "uid=EXIM_UID",
            "Exim's uid",
            every=True,
            needle=f"uid={uid}",
        ),
        Rule(
            "exim-gid",
            rf"\bgid={gid}\b",
            "gid=EXIM_GID",
            "Exim's gid",
            every=True,
            needle=f"gid={gid}",
        ),
        Rule(
            "exim-ids-in-spool",
            f"^{user} {uid} {gid}",
            "EXIMUSER EXIM_UID EXIM_GID",
            "the login line of a spool header",
            needle=f"{name} {uid} {gid}",
        ),
    ]


def dynamic_port(port: int) -> Rule:
    return Rule(
        "dynamic-port",
        rf"^(Connecting to 127\.0\.0\.1 port ){port}",
        r"\1<dynamic port>",
        "the port the harness allocated for PORT_DYNAMIC",
        needle="Connecting to 127.0.0.1 port ",
    )


def addresses(facts: HostFacts) -> list[Rule]:
    """The host's own IPv4 and IPv6 addresses, plain and reversed."""
    v4, v6, v6s = facts.ipv4, facts.ipv6, facts.ipv6_stripped
    v4r, v6r = facts.ipv4_reversed, facts.ipv6_reversed
    after_nonword = r"(?:^|(?<=\W))"
    ip6 = "ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6"
    rules = [
        Rule(
            "host-line-ipv4",
            rf"host\s{lit(v4)}\s\[{lit(v4)}\]",
            "host ipv4.ipv4.ipv4.ipv4 [ipv4.ipv4.ipv4.ipv4]",
            "the host's IPv4 address in host lines",
            needle=v4,
        ),
        Rule(
            "host-line-ipv6",
            rf"host\s{lit(v6)}\s\[{lit(v6)}\]",
            f"host {ip6} [{ip6}]",
            "the host's IPv6 address in host lines",
            needle=v6,
        ),
        Rule(
            "ipv4-address",
            rf"\b{lit(v4)}\b",
            "ip4.ip4.ip4.ip4",
            "the host's IPv4 address",
            every=True,
            needle=v4,
        ),
        Rule(
            "ipv6-address",
            after_nonword + lit(v6),
            ip6,
            "the host's IPv6 address",
            every=True,
            needle=v6,
        ),
        Rule(
            "ipv6-address-unscoped",
            after_nonword + lit(v6s),
            ip6,
            "the host's IPv6 address without its scope",
            every=True,
            needle=v6s,
        ),
        Rule(
            "ipv4-reversed",
            rf"\b{lit(v4r)}\b",
            "ip4-reverse",
            "the host's IPv4 address as in in-addr.arpa",
            every=True,
            needle=v4r,
        ),
        Rule(
            "ipv6-reversed",
            after_nonword + lit(v6r),
            "ip6-reverse",
            "the host's IPv6 address reversed",
            every=True,
            needle=v6r,
        ),
    ]
    # An empty value (no usable address) would match everywhere: leave such rules out.
    return [r for r in rules if r.needle]


def test_networks(facts: HostFacts) -> list[Rule]:
    net4, net6 = facts.ipv4_test_net, facts.ipv6_test_net
    return [
        Rule(
            "ipv4-test-net",
            rf"(\b|_){lit(net4)}(?=\.\d+\.\d+\.\d+\b|_|\.rbl|\.in-addr|\.test\.again\.dns)",
            r"\1V4NET",
            "the IPv4 network the suite's DNS zones use",
            every=True,
            needle=net4,
        ),
        Rule(
            "ipv6-test-net",
            rf"\b{lit(net6)}(?=:[\da-f]+:[\da-f]+:[\da-f]+)",
            "V6NET",
            "the IPv6 network the suite's DNS zones use",
            every=True,
            flags=re.IGNORECASE,
            needle=net6,
        ),
    ]


def log_ports(facts: HostFacts) -> list[Rule]:
    """The fixed ports, wherever a log line gives a port after an address."""
    p = facts.ports
    named = (
        ("PORT_D", p.d),
        ("PORT_D2", p.d2),
        ("PORT_D3", p.d3),
        ("PORT_D4", p.d4),
        ("PORT_S", p.s),
        ("PORT_N", p.n),
    )
    return [
        Rule(
            f"log-{label.lower().replace('_', '-')}",
            rf"((?:\[[^\]]*\]:|port )){port}",
            rf"\1{label}",
            "the suite's fixed port numbers",
            kinds=LOGS,
            needle=str(port),
        )
        for label, port in named
    ]
