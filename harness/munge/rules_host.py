"""Rules built from the host facts: names, paths, users, addresses and fixed ports.

Each function returns one section of the common pipeline for the given `HostFacts`.
Values are matched literally; `pipeline.py` decides where each section goes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from re import escape as lit

from harness.core.generation import Generation
from harness.host.hostfacts import HostFacts
from harness.munge.model import ALL, LOGS, MAIL, STDOUT, FileRun, Guard, Needle, Rule, Step, rx

G4_98, G4_99, MASTER = Generation.G4_98, Generation.G4_99, Generation.MASTER


# ======== Who and where: the host, the caller, Exim's user ========
# These come early in the common steps (see pipeline.common_steps), before rules that
# read names and ids in general.


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
            until=G4_98,
        ),
        # 4.98 on: host names may hold digits, the address may be a bracketed IPv6 one,
        # and the scripted server's port is named too (in exinext's listing as well).
        Rule(
            "dumpdb-port-n-any-host",
            rf"T:([a-z0-9.]+(:[0-9.]+|:\[[^]]+\])?):{p.n} ",
            r"T:\1:PORT_N ",
            "the fixed port numbers in retry keys",
            needle=f":{p.n} ",
            since=G4_98,
        ),
        Rule(
            "dumpdb-port-s",
            rf"T:([a-z0-9.\[\]]+(:[0-9.]+|:\[[^]]+\])?):{p.s} ",
            r"T:\1:PORT_S ",
            "the fixed port numbers in retry keys",
            needle=f":{p.s} ",
            since=G4_98,
        ),
        Rule(
            "misc-db-helo-port-d",
            rf"^(helo/ehlo 127.0.0.1:){p.d} clr",
            r"\1PORT_D clr",
            "the daemon port in exim_dumpdb's misc listing",
            needle="helo/ehlo ",
            since=MASTER,
        ),
        Rule(
            "exinext-port-s",
            rf"(Transport: (?:[a-z0-9.]+|\[[^\]]+\]) (?:[0-9.]+|\[[^\]]+\]):){p.s} ",
            r"\1PORT_S ",
            "the scripted server's port in exinext's listing",
            needle="Transport: ",
            since=G4_98,
        ),
        # Two passes: the greedy lead-in names the last occurrence, then the one before.
        *[
            Rule(
                f"bh-macro-port-n{suffix}",
                rf"^(macro .*(?:127\.0\.0\.1|localhost)::){p.n}",
                r"\1PORT_N",
                "the unused port in macro values shown by -bh",
                needle="macro ",
                since=MASTER,
            )
            for suffix in ("", "-again")
        ],
        Rule(
            "bh-macro-servers-port-n",
            rf"^(macro 'SERVERS'.*PGSQL\.){p.n}",
            r"\1PORT_N",
            "the unused port in a database server list shown by -bh",
            needle="macro 'SERVERS'",
            since=MASTER,
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


# ======== Ports and addresses ========


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
    """The fixed ports, wherever a log line gives a port after an address (to 4.98)."""
    return [
        Rule(
            f"log-{label.lower().replace('_', '-')}",
            rf"((?:\[[^\]]*\]:|port )){port}",
            rf"\1{label}",
            "the suite's fixed port numbers",
            kinds=LOGS,
            needle=str(port),
            until=G4_99,
        )
        for label, port in named_ports(facts, "D D2 D3 D4 S N")
    ]


# ======== Fixed ports by name (4.99 on, and stderr from 4.97) ========


def named_ports(facts: HostFacts, order: str = "N S D D2 D3 D4") -> list[tuple[str, int]]:
    """The fixed ports as (name, number), in `order` (their short names, space-separated):
    `named_ports(facts, "D S")` is [("PORT_D", 1225), ("PORT_S", 1224)] by default."""
    p = facts.ports
    numbers = {"N": p.n, "S": p.s, "D": p.d, "D2": p.d2, "D3": p.d3, "D4": p.d4}
    return [(f"PORT_{short}", numbers[short]) for short in order.split()]


@dataclass(eq=False)
class PortNames(Step):
    """Each fixed port of `ports` in turn, where it follows `lead` (a pattern) and comes
    before `trail` (a pattern that must follow), becomes its name: the first such place
    on the line, or every one with `every`. The number is matched as digits alone (1225
    also in 12250), as Exim's harness does."""

    name: str
    lead: str
    ports: list[tuple[str, int]]
    reason: str
    kinds: frozenset[str] = ALL
    every: bool = False
    trail: str = ""
    needle: Needle = None
    first: str | None = None
    since: Generation = Generation.G4_96
    until: Generation | None = None
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.subs = [
            (rx(f"({self.lead}){number}{self.trail}"), rf"\g<1>{label}")
            for label, number in self.ports
        ]
        self.count = 0 if self.every else 1
        self.guard = Guard(self.needle, self.first)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        for regex, repl in self.subs:
            line = regex.sub(repl, line, self.count)
        return line


def stdout_port_names(facts: HostFacts) -> list[Step]:
    """4.99: the fixed ports where stdout names them (client and -bP output, retry keys,
    lookups, exim_dumpdb's misc listing)."""
    every = named_ports(facts)
    return [
        PortNames(
            "stdout-port-names-connecting",
            r"(?:(?:Listening on|Connecting to (?:127\.0\.0\.1|(?:ip4\.){3}ip4|(?:ip6:){7}ip6))"
            r" port |host host .+ port=)",
            every,
            "the suite's fixed ports, as the peers and host lists give them",
            kinds=STDOUT,
            needle=("Listening on", "Connecting to", "host host"),
            since=G4_99,
        ),
        PortNames(
            "stdout-port-names-retry-key",
            r"T:.*:(?:127\.0\.0\.1|.::1.):",
            every,
            "the suite's fixed ports in retry keys",
            kinds=STDOUT,
            needle="T:",
            since=G4_99,
        ),
        PortNames(
            "stdout-port-names-option",
            r"^\s*port = ",
            every,
            "the suite's fixed ports in -bP output",
            kinds=STDOUT,
            needle="port = ",
            since=G4_99,
        ),
        PortNames(
            "stdout-port-n-lookup",
            r"lookup of .*127.0.0.1::",
            named_ports(facts, "N"),
            "the unused port in database lookups",
            kinds=STDOUT,
            needle="lookup of ",
            since=G4_99,
        ),
        PortNames(
            "stdout-port-n-postgres",
            r'postgres .* "',
            named_ports(facts, "N"),
            "the unused port in Postgres commands",
            kinds=STDOUT,
            needle="postgres ",
            since=G4_99,
        ),
        PortNames(
            "stdout-port-d-misc-db",
            r"^\d{2}-\w{3}-\d{4}\s\d{2}:\d{2}:\d{2} [^:]+:",
            named_ports(facts, "D"),
            "the daemon port in exim_dumpdb's misc listing (early pipelining)",
            kinds=STDOUT,
            needle=":",
            first="0123456789",
            since=G4_99,
        ),
    ]


def log_port_names(facts: HostFacts) -> list[Step]:
    """4.99: the fixed ports where logs name them (first in the log rules)."""
    daemons = named_ports(facts, "D D2 D3 D4")
    return [
        PortNames(
            "log-port-names-listening-on",
            r"listening for SMTP on [^:]+:.*",
            named_ports(facts),
            "the suite's fixed ports a daemon listens on (the last one after the first colon)",
            kinds=LOGS,
            needle="listening for SMTP on",
            since=G4_99,
        ),
        PortNames(
            "log-port-names-listening-port",
            r"(?:listening|and) for .*? port ",
            named_ports(facts, "D D2 D3 D4 S N"),
            "the suite's fixed ports a daemon listens on",
            kinds=LOGS,
            every=True,
            needle=" for ",
            since=G4_99,
        ),
        PortNames(
            "log-port-names-interface",
            r" I=\[[^\]]+\]:",
            named_ports(facts, "D D2"),
            "the daemon ports connections arrive on",
            kinds=LOGS,
            needle=" I=[",
            since=G4_99,
        ),
        PortNames(
            "log-port-name-received-from",
            r"Received from .* I=\[[^\]]+\]:",
            named_ports(facts, "D"),
            "the daemon port connections arrive on",
            kinds=LOGS,
            needle="Received from ",
            since=G4_99,
        ),
        PortNames(
            "log-port-names-refused",
            r" \[(?:127\.0\.0\.1|(?:ip4\.){3}ip4)\]:",
            named_ports(facts),
            "the suite's fixed ports in refused connections",
            kinds=LOGS,
            trail="(?= Connection refused)",
            needle=" Connection refused",
            since=G4_99,
        ),
        PortNames(
            "log-port-names-delivery",
            r"(?:=>|->|==) .* (?:PRX=)?\[[^\]]+\]:",
            daemons,
            "the daemon ports deliveries go to",
            kinds=LOGS,
            needle=("=>", "->", "=="),
            since=G4_99,
        ),
        PortNames(
            "log-port-name-server",
            r".*\]:",
            named_ports(facts, "S"),
            "the scripted server's port (its last place after an address)",
            kinds=LOGS,
            every=True,
            needle="]:",
            since=G4_99,
        ),
        PortNames(
            "log-port-name-server-angle",
            r"port <",
            named_ports(facts, "S"),
            "the scripted server's port",
            kinds=LOGS,
            every=True,
            needle="port <",
            since=G4_99,
        ),
        PortNames(
            "log-port-name-plp",
            r"plp ",
            named_ports(facts, "D"),
            "the daemon port in logged proxy details",
            kinds=LOGS,
            every=True,
            needle="plp ",
            since=G4_99,
        ),
        PortNames(
            "log-port-name-received-port",
            r"Expansion of .*received_port\}\{",
            named_ports(facts, "D4"),
            "a daemon port in an expansion",
            kinds=LOGS,
            every=True,
            needle="received_port}{",
            since=G4_99,
        ),
    ]


def mail_port_names(facts: HostFacts) -> list[Step]:
    """4.99: the fixed ports in headers that give a connection's ports."""
    return [
        PortNames(
            "mail-port-names",
            r"(?:interface|received)-port:\s+",
            named_ports(facts),
            "the suite's fixed ports in headers",
            kinds=MAIL,
            needle="-port:",
            since=G4_99,
        ),
    ]
