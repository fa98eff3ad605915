"""Munging that remembers or computes: renumbered ids, pids and ports, and time arithmetic.

Values that vary from run to run but must stay distinguishable (message ids, pids, client
ports) are replaced by numbers handed out in order of first appearance, kept for the
whole test (in `model.ValueCache`) so that every file of a test agrees. The map is keyed
by the exact raw text matched, so one pid written in two shapes (" [123]" in a log,
" 123 " in debug output) gets two numbers, as the expected files have it.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from harness.core.generation import Generation
from harness.munge.model import (
    ALL,
    DIGITS,
    LOGS,
    TRUNCATED,
    FileRun,
    Guard,
    Needle,
    Rule,
    Step,
    guard_for,
    rx,
    within,
)

# The harness's patterns of Exim message ids (harness.munge exports both): the short form
# (6-6-2), and from 4.97 also the long one (6-11-4): base-62 seconds, pid, and a fraction
# of a second. `MessageIds` and `LongMessageIds` renumber them, each with its own counter.
MSGID_PATTERN = r"\d[A-Za-z0-9]{5}-[A-Za-z0-9]{6}-[A-Za-z0-9]{2}"
LONG_MSGID_PATTERN = r"\d[A-Za-z0-9]{5}-[A-Za-z0-9]{11}-[A-Za-z0-9]{4}"


@dataclass(eq=False)
class Renumber(Step):
    """Rewrite each match with `build(match, new)`, where `new(raw)` gives the stand-in
    for a raw value from the test's sequence ("pid", "port" or "conn"), `prefix` first
    (4.97 writes pids as "p1234")."""

    name: str
    pattern: str
    sequence: str
    build: Callable[[re.Match[str], Callable[[str], str]], str]
    reason: str
    kinds: frozenset[str] = ALL
    every: bool = False
    needle: Needle = None
    flags: int = 0
    unless: tuple[str, ...] = ()  # leave lines containing any of these alone
    prefix: str = ""
    since: Generation = Generation.G4_96
    until: Generation | None = None
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.sequence not in ("pid", "port", "conn"):
            raise ValueError(f"{self.name}: unknown sequence {self.sequence!r}")
        self.regex = rx(self.pattern, self.flags)
        self.count = 0 if self.every else 1
        self.guard = guard_for(self.needle, None, 0)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or any(u in line for u in self.unless):
            return line
        values, prefix = run.values, self.prefix
        number = {"pid": values.pid_for, "port": values.port_for, "conn": values.conn_for}[
            self.sequence
        ]

        def new(raw: str) -> str:
            return number(raw, prefix)

        return self.regex.sub(lambda m: self.build(m, new), line, self.count)


@dataclass(eq=False)
class MessageIds(Step):
    """Every Exim message id becomes 10HmaX-0005vi-00, 10HmaY-..., in order seen."""

    name = "message-ids"
    kinds = ALL
    reason = "message ids embed the time and pid of reception"
    regex = rx(MSGID_PATTERN)
    guard = Guard("-")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        return self.regex.sub(lambda m: run.values.msgid(m.group(0)), line)


@dataclass(eq=False)
class LongMessageIds(Step):
    """From 4.97, ids of the long form become 10HmaX-000000005vi-0000, ..., counted apart
    from the short ones (which are renumbered first, by `MessageIds`)."""

    name = "long-message-ids"
    kinds = ALL
    reason = "message ids embed the time and pid of reception"
    regex = rx(LONG_MSGID_PATTERN)
    guard = Guard("-")
    since = Generation.G4_97

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        return self.regex.sub(lambda m: run.values.long_msgid(m.group(0)), line)


@dataclass(eq=False)
class MarkTruncated(Step):
    """Note that the file holds a truncated log line (see drop_truncation_variance)."""

    name = "note-truncation"
    kinds = ALL
    reason = "where a long line is cut depends on the lengths of names in it"

    guard = Guard(TRUNCATED)

    def apply(self, line: str, run: FileRun) -> str | None:
        if self.guard.check(line):
            run.truncated = True
        return line


DAEMON_START = rx(
    r"^(\s*\d+) (?:listening|LOG: MAIN|(?:daemon_smtp_port|local_interfaces) overridden by)"
)


@dataclass(eq=False)
class DaemonPidPrefix(Step):
    """Once a daemon announces itself with its pid in front, strip that pid from the
    front of this and every later line of the file."""

    name = "daemon-pid-prefix"
    kinds = ALL
    reason = "a daemon's debug lines all start with its pid"

    def apply(self, line: str, run: FileRun) -> str | None:
        m = DAEMON_START.match(line)
        if m:
            run.daemon_pid = m.group(1) + " "
        prefix = run.daemon_pid
        if prefix is not None and line.startswith(prefix):
            return line[len(prefix) :]
        return line


# -- time arithmetic ---------------------------------------------------------------

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}
DUMPDB_DATE = r"\d{2}-\w{3}-\d{4}\s\d{2}:\d{2}:\d{2}"
_DATE_PARTS = rx(r"^(\d\d)-(\w\w\w)-(\d{4})\s(\d\d):(\d\d):(\d\d)")


def local_seconds(stamp: str) -> int:
    """Seconds since the epoch of a "25-Aug-2000 12:11:37" local time."""
    m = _DATE_PARTS.match(stamp)
    assert m is not None
    day, month, year, hh, mm, ss = m.groups()
    parts = (int(year), _MONTHS.get(month, 1), int(day), int(hh), int(mm), int(ss), 0, 0, -1)
    try:
        return int(time.mktime(parts))
    except (OverflowError, ValueError):  # absurd dates: keep going, as UTC
        return calendar.timegm(parts)


@dataclass(eq=False)
class DumpdbTimes(Step):
    """exim_dumpdb's three retry times become a fixed text plus the gap between the last
    two, plus one, made even by dropping the low bit; the line is written straight away.
    With `zero_is_two` (4.98 on) a sum of exactly 0 counts as 2."""

    name: str = "dumpdb-retry-times"
    zero_is_two: bool = False
    kinds = ALL
    reason = "retry times are real clock times; only the interval is meaningful"
    regex = rx(rf"^({DUMPDB_DATE})\s+({DUMPDB_DATE})\s+({DUMPDB_DATE})(\s+\*)?\s*$")
    guard = Guard("-", first=DIGITS)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        m = self.regex.match(line)
        if m is None:
            return line
        gap = local_seconds(m.group(3)) - local_seconds(m.group(2)) + 1
        if gap == 0 and self.zero_is_two:
            gap = 2
        gap = ((gap & 0xFFFFFFFFFFFFFFFF) >> 1) << 1  # unsigned, as the harness computes it
        run.emit(
            f"first failed = time last try = time2 next try = time2 + {gap}{m.group(4) or ''}\n"
        )
        return None


def _retry_record(m: re.Match[str]) -> str:
    gap = int(m.group(3)) - int(m.group(2))
    return f"  first failed=dddd last try=dddd next try=+{gap} {m.group(4)}\n"


DUMPDB_TIMES = [
    within(DumpdbTimes(), until=Generation.G4_98),
    within(DumpdbTimes("dumpdb-retry-times-min-2", zero_is_two=True), Generation.G4_98),
]

RETRY_RECORD_TIMES = Rule(
    "retry-record-times",
    r"^  first failed=(\d+) last try=(\d+) next try=(\d+) (.*)$\n?",
    _retry_record,
    "debug output of a retry record: keep only the interval to the next try",
    needle="  first failed=",
    until=Generation.G4_99,
)


def _retry_record_prefixed(m: re.Match[str]) -> str:
    gap = int(m.group(4)) - int(m.group(3))
    return f"{m.group(1)}first failed=dddd last try=dddd next try=+{gap} {m.group(5)}\n"


RETRY_RECORD_TIMES_PREFIXED = Rule(
    "retry-record-times-any-prefix",
    r"^(.+)first failed=(\d+) last try=(\d+) next try=(\d+) (.*)$\n?",
    _retry_record_prefixed,
    "debug output of a retry record, however it is led in: keep only the interval",
    needle="first failed=",
    since=Generation.G4_99,
)

RETRY_RECORDS = [RETRY_RECORD_TIMES, RETRY_RECORD_TIMES_PREFIXED]


def _dkim_log_times(m: re.Match[str]) -> str:
    gap = int(m.group(3) or 0) - int(m.group(2) or 0)
    return f"{m.group(1)} t=T x=T+{gap} "


DKIM_LOG_TIMES = [
    Rule(
        "dkim-log-timestamps",
        r"(DKIM: d=.*) t=([0-9]*) x=([0-9]*) ",
        _dkim_log_times,
        "signature timestamps: keep only the validity period",
        kinds=LOGS,
        needle="DKIM: d=",
        until=Generation.G4_98,
    ),
    # 4.98: only where the times are followed by the bracketed details; a signature time
    # without an expiry is made fixed on its own.
    Rule(
        "dkim-log-timestamps-bracketed",
        r"(DKIM: d=.*) t=([0-9]*) x=([0-9]*) (?=\[)",
        _dkim_log_times,
        "signature timestamps: keep only the validity period",
        kinds=LOGS,
        needle="DKIM: d=",
        since=Generation.G4_98,
    ),
    Rule(
        "dkim-log-timestamp-no-expiry",
        r"(DKIM: d=.* )t=[0-9]* \[",
        r"\1t=T [",
        "a signature time without an expiry",
        kinds=LOGS,
        needle="DKIM: d=",
        since=Generation.G4_98,
    ),
]


# -- renumbered pids and ports ---------------------------------------------------------

LOG_PID = Renumber(
    "log-line-pid",
    r"^(\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d)(\.\d{3}|)(\s[+-]\d{4}|)(\s\[\d+\])",
    "pid",
    lambda m, new: f"{m.group(1)}{m.group(2)}{m.group(3)} [{new(m.group(4))}]",
    "pids logged with log_selector +pid",
    every=True,
    needle="[",
)

SYSLOG_PID = Renumber(
    "syslog-line-pid",
    r"^(SYSLOG:\s'([-0-9]{10}\s[:.0-9]{8,12}\s([-+]\d{4}\s)?|))(\[\d+\])",
    "pid",
    lambda m, new: f"{m.group(1)}[{new(m.group(4))}]",
    "pids in the syslog test",
    every=True,
    needle="SYSLOG:",
)

PORT_LINE = Renumber(
    "port-line",
    r"^Port: (\d+)",
    "port",
    lambda m, new: f"Port: {new(m.group(1))}",
    "client ports vary",
    needle="Port: ",
)

PORT_EQUALS = Renumber(
    "port-equals",
    r"\(port=(\d+)",
    "port",
    lambda m, new: f"(port={new(m.group(1))}",
    "client ports vary",
    needle="(port=",
)

# Outgoing connections and deliveries name fixed ports, which stay as they are.
ADDRESS_PORT = Renumber(
    "address-port",
    r"\[([a-z\d:]+|\d+(?:\.\d+){3})\]:(\d+)",
    "port",
    lambda m, new: f"[{m.group(1)}]:{new(m.group(2))}",
    "the client port of an incoming connection",
    flags=re.IGNORECASE,
    needle="]:",
    unless=(
        "listening for SMTP on",
        "Connecting to",
        "=>",
        "->",
        "*>",
        "==",
        "**",
        "Connection refused",
        "in response to",
    ),
    until=Generation.G4_98,
)

# 4.98: only a literal IPv4 or IPv6 address in the brackets (so not "[::1]"), and not on
# retry-key lines ("T:" and exinext's "Transport:").
_IPV4 = r"\d{1,3}(?:\.\d{1,3}){3}"
_HEX4 = "[0-9A-Fa-f]{1,4}"
_IPV6 = rf"(?:{_HEX4}:){{0,7}}{_HEX4}(?:::(?:{_HEX4}:){{0,5}}{_HEX4})?"
ADDRESS_PORT_LITERAL = Renumber(
    "address-port-literal",
    rf"(\[(?:{_IPV4}|{_IPV6})\]:)(\d+)",
    "port",
    lambda m, new: f"{m.group(1)}{new(m.group(2))}",
    "the client port of an incoming connection",
    flags=re.IGNORECASE,
    needle="]:",
    unless=(*ADDRESS_PORT.unless, "T:", "Transport:"),
    since=Generation.G4_98,
)

# master: the remote port of a -bh session ("Connection request from 127.0.0.1 port N").
CONNECTION_REQUEST_PORT = Renumber(
    "connection-request-port",
    r"^(Connection request from \S+ port )(\d+)$",
    "port",
    lambda m, new: f"{m.group(1)}{new(m.group(2))}",
    "the client port of a -bh session",
    needle="Connection request from ",
    since=Generation.MASTER,
)

# -- 4.97 on: pids as "p1234", renumbered wherever a word announces them ---------------

PID_AFTER_WORD = Renumber(
    "pid-after-word",
    r"\b(pid=|pid\s|PID:\s|Process\s|child\s)(\d+)",
    "pid",
    lambda m, new: f"{m.group(1)}{new(m.group(2))}",
    "pids vary",
    every=True,
    needle=("pid", "PID:", "Process", "child"),
    prefix="p",
    since=Generation.G4_97,
)

# (Exim's harness writes " Ci=" under /x, which drops the space: any "Ci=" will do.)
CONNECTION_ID_PID = Renumber(
    "connection-id-pid",
    r"Ci=(\d+)",
    "pid",
    lambda m, new: f"Ci={new(m.group(1))}",
    "the Ci= log field is the pid of the connection's process",
    every=True,
    needle="Ci=",
    prefix="p",
    since=Generation.G4_97,
)

# -- 4.99 on: the local port of a logged connection ------------------------------------

# Exim's harness keys this one by its own program name, not by the port: every I= port
# of a test gets the one number handed out first.
_INCOMING_PORT_KEY = "\0I= port"

INCOMING_PORT = Renumber(
    "incoming-port-shared",
    r"(I=\[[^\]]*\]:)\d+",
    "port",
    lambda m, new: f"{m.group(1)}{new(_INCOMING_PORT_KEY)}",
    "the local port of a connection (one stand-in for all of them)",
    kinds=LOGS,
    needle="I=[",
    since=Generation.G4_99,
)
