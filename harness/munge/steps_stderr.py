"""Stateful and look-ahead steps that only standard error needs, from harness 4.97 on.

Debug output of later releases reports some things over a varying number of lines (list
checks of options a build may lack, hints-database opens, TCP Fast Open attempts); these
steps read the lines after a match to drop or fold them. When a look-ahead runs off the
end of the file, a step that would start again from the top ends the file there (held
lines unwritten), and one that goes on down the list goes on with an empty line (which
lets held lines out), as the undefined line does in Exim's harness.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from harness.munge.model import (
    STDERR,
    FileRun,
    Guard,
    Needle,
    Restart,
    Rule,
    Step,
    guard_for,
    rx,
)
from harness.munge.ordering import RFC2822_DATE, chomp


@dataclass(eq=False)
class RuleBlock(Step):
    """Several rules applied in order as one step: the harness makes a block of closely
    related edits together (the fixed port numbers after each of many lead-ins)."""

    name: str
    rules: tuple[Rule, ...]
    reason: str
    needle: Needle = None
    kinds: frozenset[str] = STDERR
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.guard = guard_for(self.needle, None, 0)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        result: str | None = line
        for rule in self.rules:
            if result is None:
                break
            result = rule.apply(result, run)
        return result


def _carry_on(line: str | None) -> str:
    return "" if line is None else line


@dataclass(eq=False)
class SkipListElements(Step):
    """A host-list check that only some builds make: drop its heading line and the
    `list element:` lines after it, and start again with the first other line."""

    name: str
    pattern: str
    reason: str
    needle: str
    element: str = r"^(>>>)?\s*list element:"
    kinds: frozenset[str] = STDERR
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.regex = rx(self.pattern)
        self.elements = rx(self.element)
        self.guard = Guard(self.needle)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.regex.search(line):
            return line
        nxt = run.read()
        while nxt is not None and self.elements.search(nxt):
            nxt = run.read()
        raise Restart(nxt)


@dataclass(eq=False)
class DnsIpv4LookupGroup(Step):
    """Hosts with IPv6 check dns_ipv4_lookup over three lines (the check, its `*`
    element, the match); drop the three, else start again with the line reached."""

    name = "dns-ipv4-lookup-group"
    kinds = STDERR
    reason = "IPv6 lookups happen only on IPv6 hosts"
    head = rx(r" in dns_ipv4_lookup\?$")
    element = rx(r" list element: \*$")
    matched = rx(r' in dns_ipv4_lookup\? yes \(matched "\*"\)')
    guard = Guard(" in dns_ipv4_lookup?")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.head.search(line):
            return line
        nxt = run.read()
        if nxt is not None and self.element.search(nxt):
            nxt = run.read()
            if nxt is not None and self.matched.search(nxt):
                return None
        raise Restart(nxt)


@dataclass(eq=False)
class RetryDbOpen(Step):
    """Opening the retry hints database: the open line and its result (a pointer, or a
    failure reported over two or three lines) depend on the database provider; drop
    them all."""

    name = "retry-db-open"
    kinds = STDERR
    reason = "hints-database providers open (and create) files differently"
    head = rx(r"EXIM_DBOPEN(_MULTI)?: file <.*spool/db/retry>")
    pointer = rx(r"returned from EXIM_DBOPEN(_MULTI)?: 0x[0-9A-Fa-f]+$")
    nil = rx(r"returned from EXIM_DBOPEN(_MULTI)?: \(nil\)$")
    guard = Guard("EXIM_DBOPEN")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.head.search(line):
            return line
        nxt = run.read()
        if nxt is not None and self.pointer.search(nxt):
            return None
        nxt = run.read()
        if nxt is not None and self.nil.search(nxt):
            run.read()
        return None


@dataclass(eq=False)
class NextLineUnlessElement(Step):
    """A check line that builds without the feature leave out: go on with the line after
    it instead, or drop that too when it is an empty list element."""

    name: str
    pattern: str
    reason: str
    needle: str
    element: str = r"list element:\s*$"
    kinds: frozenset[str] = STDERR
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.regex = rx(self.pattern)
        self.elements = rx(self.element)
        self.guard = Guard(self.needle)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.regex.search(line):
            return line
        nxt = run.read()
        if nxt is not None and self.elements.search(nxt):
            return None
        return _carry_on(nxt)


@dataclass(eq=False)
class JoinAfterRemoval(Step):
    """Remove what `pattern` matches; if it did match, join the next line on (without
    this line's newline)."""

    name: str
    pattern: str
    reason: str
    needle: str
    kinds: frozenset[str] = STDERR
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.regex = rx(self.pattern)
        self.guard = Guard(self.needle)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        line, n = self.regex.subn("", line, 1)
        if n:
            line = chomp(line) + (run.read() or "")
        return line


@dataclass(eq=False)
class FastOpenAttempt(Step):
    """From 4.98 a Fast Open attempt is a line of its own, whose wording depends on the
    platform; replace it with the line after, and fold "connected" with what follows
    into the plain-connection form."""

    name = "fastopen-attempt-lines"
    kinds = STDERR
    reason = "TCP Fast Open reporting differs between Linux, MacOS and no support"
    head = rx(
        r"^[0-9: ]* .*TFO mode "
        r"(sendto, no data: EINPROGRESS|connection attempt to [^,]+, 0 data)$"
    )
    connected = rx(r"^connected$")
    refused = rx(r"^connected\n\s+SMTP(\(close\)>>|\(Connection refused\)<<)$")
    response = rx(r"^(connected\n)read response data: size=")
    guard = Guard("TFO mode ")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.head.search(line):
            return line
        line = _carry_on(run.read())
        if self.connected.search(line):
            line += run.read() or ""
            if self.refused.search(line):
                line = "failed: Connection refused\n" + (run.read() or "")
            elif m := self.response.search(line):
                line = m.group(1)
            line = RFC2822_DATE.sub("Tue, 2 Mar 1999 09:44:33 +0000", line)
        return line


@dataclass(eq=False)
class LibraryVersionLines(Step):
    """From 4.99: a "Library version:" heading and at most two indented lines after it
    are dropped; start again with the line after them."""

    name: str
    time_pid: str  # the optional time-and-pid lead-in of the release (see rules_stderr)
    reason: str = "builds link different libraries"
    kinds: frozenset[str] = STDERR
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.heading = rx(rf"^{self.time_pid}\s?Library version:")
        self.indented = rx(rf"^{self.time_pid}\s")
        self.guard = Guard("Library version:")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.heading.search(line):
            return line
        nxt = run.read()
        for _ in range(2):
            if nxt is None or not self.indented.search(nxt):
                break
            nxt = run.read()
        raise Restart(nxt)
