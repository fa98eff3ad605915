"""Munging that spans lines: look-ahead joins and skips, buffered sorting, and the
whole-file fix-ups done after munging (truncated lines, sorted delivery lines).

When a look-ahead runs off the end of the file, the step carries on with an empty line
(which writes nothing but still lets buffered lines out), as the expected files assume.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NoReturn

from harness.core.generation import Generation
from harness.munge.model import (
    ALL,
    DIGITS,
    LOGS,
    MAIL,
    STDERR,
    TRUNCATED,
    WHITESPACE,
    EndOfInput,
    FileRun,
    Guard,
    Restart,
    Step,
    rx,
    utf8_bytes,
)

RFC2822_DATE = rx(r"[A-Z][a-z]{2},\s\d\d?\s[A-Z][a-z]{2}\s\d{4}\s\d\d:\d\d:\d\d\s[-+]\d{4}")


def chomp(text: str) -> str:
    return text[:-1] if text.endswith("\n") else text


@dataclass(eq=False)
class SkipWithFollowing(Step):
    """Drop a line that matches, together with a fixed number of lines after it."""

    name: str
    pattern: str
    following: int
    reason: str
    kinds: frozenset[str] = ALL
    needle: str | None = None
    guard: Guard | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.regex = rx(self.pattern)
        self.guard = Guard(self.needle) if self.needle else None

    def apply(self, line: str, run: FileRun) -> str | None:
        if self.guard is not None and not self.guard.check(line):
            return line
        if not self.regex.search(line):
            return line
        for _ in range(self.following):
            run.read()
        return None


@dataclass(eq=False)
class MaildirsizeData(Step):
    """A maildirsize file: keep its quota header, turn each size/count entry after it
    into "ddd d", and go on with the first line that is neither."""

    name = "maildirsize-data"
    kinds = ALL
    reason = "maildirsize entries record sizes that vary"
    header = rx(r"^\d+S,\d+C\s*$")
    entry = rx(r"^\d+ \d+\s*$")
    guard = Guard(first=DIGITS)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        while self.header.match(line):
            run.emit(line)
            while True:
                nxt = run.read()
                if nxt is None:
                    raise EndOfInput
                if not self.entry.match(nxt):
                    break
                run.emit("ddd d\n")
            line = nxt
        return line


@dataclass(eq=False)
class LibraryVersionBlock(Step):
    """Debug output lists library versions with a varying number of indented lines;
    drop the heading and its indented lines, and restart with the line after."""

    name = "library-versions"
    kinds = STDERR
    reason = "builds link different libraries"
    TIME_PID = r"(?:\d{2}:\d{2}:\d{2}\s+\d+\s)?"
    heading = rx(rf"^{TIME_PID}Library version:")
    indented = rx(rf"^{TIME_PID}\s")
    guard = Guard("Library version:")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.heading.match(line):
            return line
        while True:
            nxt = run.read()
            if nxt is None or not self.indented.match(nxt):
                raise Restart(nxt)


@dataclass(eq=False)
class DbOpenNil(Step):
    """When a hints database is missing, some DBM libraries say so in two more lines and
    others create it silently: drop those lines, otherwise join the next one on."""

    name = "dbm-open-missing"
    kinds = STDERR
    reason = "DBM libraries differ in creating files on open"
    missing = rx(r"TESTSUITE/spool/db/\S+ appears not to exist: trying to create")
    guard = Guard("returned from EXIM_DBOPEN: (nil)")

    suite_dir: str

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        line += run.read() or ""
        if self.suite_dir:
            line = line.replace(self.suite_dir, "TESTSUITE")
        if self.missing.search(line):
            run.read()
            return None
        return line


@dataclass(eq=False)
class ReceivedExpansionDebug(Step):
    """+expand debugging of the Received: header differs between TLS and non-TLS builds:
    skip from the TLS condition to the next condition, or past an indented expansion."""

    name = "received-expansion-debug"
    kinds = STDERR
    reason = "the Received: header expansion depends on TLS support"
    tls_condition = rx(r"^condition: def:tls_cipher")
    next_condition = rx(r"^condition: def:sender_address")
    received = rx(r"^expanding: Received: ")
    indented = rx(r"\s")
    guard = Guard(first="ce")

    def apply(self, line: str, run: FileRun) -> str | None:
        if self.tls_condition.match(line):
            while (nxt := run.read()) is not None:
                if self.next_condition.match(nxt):
                    return nxt
            return ""
        if self.received.match(line):
            while (nxt := run.read()) is not None:
                if not self.indented.match(nxt):
                    return nxt
            return ""
        return line


@dataclass(eq=False)
class NotifyCollapse(Step):
    """Repeated "notify triggered queue run" lines become one, joined to the line after."""

    name = "notify-queue-run-repeats"
    kinds = STDERR
    reason = "how many notifications arrive depends on timing"
    text = "notify triggered queue run"
    guard = Guard(text)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        nxt: str | None = line
        while nxt is not None and self.text in nxt:
            nxt = run.read()
        return line + (nxt or "")


@dataclass(eq=False)
class ReceivedHeaderTextJoin(Step):
    """The non-TLS received_header_text default splits differently; join the pieces."""

    name = "received-header-text-join"
    kinds = STDERR
    reason = "non-TLS builds have a different received_header_text"
    head = rx(r"(with \$received_protocol)\}\} \$\{if def:tls_cipher \{\(\$tls_cipher\)\n$")
    guard = Guard("def:tls_cipher")
    gap = rx(rf"[\s{utf8_bytes('╎')}]+\}}\}}(?=\(Exim )")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        line, n = self.head.subn(r"\1", line, 1)
        if n:
            line += run.read() or ""
            line = self.gap.sub("}} ", line, 1)
        return line


@dataclass(eq=False)
class FastOpenJoin(Step):
    """Builds without TCP Fast Open skip its host check; remove the check and join the
    connection line it interrupted."""

    name = "fastopen-check-join"
    kinds = STDERR
    reason = "not every platform or build supports TCP Fast Open"
    check = rx(
        r"\S+ in hosts_try_fastopen\? (no \(option unset\)|no \(end of list\)"
        r'|yes \(matched "\*"\))\n$'
    )
    guard = Guard("hosts_try_fastopen")
    non_tfo = rx(r" non-TFO mode connection attempt to 224.0.0.0, 0 data\b$")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        line, n = self.check.subn("", line, 1)
        if not n:
            return line
        line = chomp(line) + (run.read() or "")
        line = line.replace(" ... >>> ", " ... ", 1)
        line, n = self.non_tfo.subn("", line, 1)
        if n:
            line = chomp(line) + (run.read() or "")
        line = line.replace("Address family not supported by protocol family", "Network Error", 1)
        return line.replace("Network is unreachable", "Network Error", 1)


@dataclass(eq=False)
class FastOpenConnect(Step):
    """A Fast Open connection is reported over several lines whose content differs by
    platform; fold them into the plain "Connecting to ... connected" form."""

    name = "fastopen-connect-join"
    kinds = STDERR
    reason = "TCP Fast Open reporting differs between Linux, MacOS and no support"
    head = rx(
        r"""^([0-9: ]*
        Connecting\ to\ [^ ]+\ [^ ]+(\ from\ [^ ]+)?)\ \.\.\.
        \ .*TFO\ mode\x20
        (sendto,\ no\ data:\ EINPROGRESS
        |connection\ attempt\ to\ [^,]+,\ 0\ data)
        $""",
        re.VERBOSE,
    )
    guard = Guard("TFO mode ")
    connected = rx(r"^(.* \.\.\.) [0-9: ]*connected$")
    plain = rx(r"^Connecting to .* \.\.\.  connected$")
    refused = rx(
        r"^(Connecting to .* \.\.\.  )connected\n\s+SMTP(\(close\)>>|\(Connection refused\)<<)$"
    )
    close = rx(r"^(Connecting .*)\n\s+SMTP\(close\)>>$")
    response = rx(r"^(Connecting to .* \.\.\.  connected\n)read response data: size=")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        m = self.head.match(line)
        if not m:
            return line
        line = m.group(1) + " ... " + (run.read() or "")
        line = self.connected.sub(r"\1  connected", line, 1)
        if self.plain.match(line):
            line += run.read() or ""
            if m := self.refused.match(line):
                line = m.group(1) + "failed: Connection refused\n" + (run.read() or "")
                line = self.close.sub(r"\1", line, 1)
            elif m := self.response.match(line):
                line = m.group(1)
            line = RFC2822_DATE.sub("Tue, 2 Mar 1999 09:44:33 +0000", line)
        return line


@dataclass(eq=False)
class LookedUpAddressesNote(Step):
    """Say that ::1 lines are left out, ahead of the list they would appear in."""

    name = "ipv6-loopback-note"
    kinds = STDERR
    reason = "::1 exists only on IPv6 hosts, so its lines are dropped (next rule)"
    guard = Guard("looked up these IP addresses")

    def apply(self, line: str, run: FileRun) -> str | None:
        if self.guard.check(line):
            run.emit("MUNGED: ::1 will be omitted in what follows\n")
        return line


@dataclass(eq=False)
class GnutlsFirstRead(Step):
    """GnuTLS logs a receive error followed by "error on first read"; turn the pair into
    the single alert line other builds log. Otherwise the line after is not kept."""

    name = "gnutls-first-read"
    kinds = LOGS
    reason = "GnuTLS versions report a failed handshake differently"
    first = rx(
        r"TLS error on connection \(recv\): .* "
        r"(Decode error|peer did not send any certificate)"
    )
    session = rx(r"(TLS session: )error on first read:")
    guard = Guard("TLS error on connection (recv): ")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.first.search(line):
            return line
        nxt = run.read()
        if nxt is not None and "error on first read" in nxt:
            raise Restart(
                self.session.sub(
                    r"\1(gnutls_handshake): A TLS fatal alert has been received.:", nxt, 1
                )
            )
        return line


@dataclass(eq=False)
class MailDkimSignature(Step):
    """A DKIM-Signature's time stamps, and the signature over them, vary: keep the
    validity period and drop the two continuation lines of the signature. Without
    `expiry` (4.98 on), the same for a signature that has a time but no expiry."""

    name: str = "mail-dkim-timestamps"
    expiry: bool = True
    kinds = MAIL
    reason = "signatures are made at delivery time"
    with_expiry = rx(r"^(\s+)t=([0-9]*); x=([0-9]*); b=[A-Za-z0-9+/]+$")
    without_expiry = rx(r"^(\s+)t=([0-9]*); b=[A-Za-z0-9+/]+$")
    guard = Guard("; b=", first=WHITESPACE)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        m = (self.with_expiry if self.expiry else self.without_expiry).match(line)
        if not m:
            return line
        run.read()
        run.read()
        tail = "\n" if line.endswith("\n") else ""
        if not self.expiry:
            return f"{m.group(1)}t=T; b=bbbb;{tail}"
        gap = int(m.group(3) or 0) - int(m.group(2) or 0)
        return f"{m.group(1)}t=T; x=T+{gap}; b=bbbb;{tail}"


@dataclass(eq=False)
class HeaderWithContinuation(Step):
    """Drop a header line that `pattern` matches and the lines continuing it (those
    starting with whitespace, up to a blank one), then start again on the line after."""

    name: str
    pattern: str
    needle: str
    reason: str
    kinds: frozenset[str] = ALL
    guard: Guard = field(init=False, repr=False)

    continued = rx(r"(?!$)\s")

    def __post_init__(self) -> None:
        self.regex = rx(self.pattern)
        self.guard = Guard(self.needle)

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line) or not self.regex.match(line):
            return line
        skip_continuation(run, self.continued)


def skip_continuation(run: FileRun, continued: re.Pattern[str]) -> NoReturn:
    """Read past the lines `continued` matches, and start again on the first other one
    (or end the file)."""
    while (nxt := run.read()) is not None and continued.match(nxt):
        pass
    raise Restart(nxt)


@dataclass(eq=False)
class CheckDirSizeSort(Step):
    """Maildir quota scans list directory entries in readdir order: hold them back and
    write them sorted, with a note, before the next other line."""

    name = "check-dir-size-sort"
    kinds = STDERR
    reason = "readdir order varies between systems"
    NOTE = "MUNGED: the check_dir_size lines have been sorted to ensure consistency\n"

    def apply(self, line: str, run: FileRun) -> str | None:
        if line.startswith(("check_dir_size:", "skipping TESTSUITE/test-mail/")):
            run.held.append(line)
            return None
        if run.held:
            run.emit(self.NOTE)
            run.emit("".join(sorted(run.held)))
            run.held.clear()
        return line


# -- whole-file fix-ups, done by the checker after munging ---------------------------

DELIVERY_LINE = rx(r"^[-\d]{10}\s[:\d]{8}\s[-A-Za-z\d]{16}\s[-=*]>")
# 4.97 on: the long message ids, and times that may have milliseconds.
DELIVERY_LINE_LONG_IDS = rx(r"^[-\d]{10}\s[:\d]{8}(\.\d{3})?\s[-A-Za-z\d]{23}\s[-=*]>")
SORTED_NOTE = "**NOTE: The delivery lines in this file have been sorted.\n"


def sort_delivery_lines(lines: list[str], generation: Generation) -> list[str]:
    """Sort each run of consecutive delivery lines (parallel deliveries finish in any
    order), and put a note first saying so. Which lines count as delivery lines depends
    on the harness generation: from 4.97 only those with long message ids."""
    delivery = DELIVERY_LINE if generation < Generation.G4_97 else DELIVERY_LINE_LONG_IDS
    out: list[str] = []
    run: list[str] = []
    for line in lines:
        if delivery.match(line):
            run.append(line)
            continue
        out.extend(sorted(run))
        run.clear()
        out.append(line)
    out.extend(sorted(run))
    return [SORTED_NOTE, *out]


def drop_truncation_variance(munged: list[str], saved: list[str]) -> list[str]:
    """Where a munged line says "*** truncated ***", drop the lines before it back to one
    that equals the line before the expected file's truncation mark, since where a long
    line gets cut depends on the lengths of names in it."""
    munged = list(munged)
    j = 0
    i = 0
    while i < len(munged):
        if TRUNCATED in munged[i]:
            while j < len(saved) and TRUNCATED not in saved[j]:
                j += 1
            if j >= len(saved):
                break
            anchor = saved[j - 1]  # with j == 0 this is the last line, as the harness has it
            k = i - 1
            while k >= 0 and munged[k] != anchor:
                k -= 1
            if k <= 0:
                break
            del munged[k + 1 : i]
            i = k + 1
        i += 1
    return munged


# Exim 4.96 names maildir files "<secs>.M<usecs>P<pid>.<host>"; older releases used ".H".
_MAILDIR_TIME = re.compile(r"(\d+)\.[HM](\d+)", re.ASCII)


def maildir_sort_key(name: str) -> tuple:
    """Order of files in a mail directory: maildir names ("<secs>.M<usecs>...", or ".H")
    by their time, numerically, since the microseconds vary in length; anything else by
    name. Names below a digit sort first, other non-maildir names after the maildir ones.
    """
    m = _MAILDIR_TIME.match(name)
    if m:
        return (1, int(m.group(1)), int(m.group(2)), name)
    if name < "0":
        return (0, 0, 0, name)
    if name[:1].isdigit():
        return (1, -1, -1, name)
    return (2, 0, 0, name)
