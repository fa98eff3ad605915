"""Rules that apply to every kind of output file and do not depend on the host.

Each list is one section of the common pipeline; `pipeline.py` puts them in order,
interleaved with the host-dependent sections of `rules_host.py`. Order matters: later
rules see what earlier ones wrote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harness.core.generation import Generation
from harness.munge.model import (
    ALL,
    DIGITS,
    STDERR,
    STDOUT,
    WHITESPACE,
    FileRun,
    Guard,
    Rule,
    Skip,
    Step,
    by_generation,
    rx,
    utf8_bytes,
)
from harness.munge.state import CONNECTION_ID_PID, PID_AFTER_WORD

G4_96, G4_97, G4_98, G4_99 = (
    Generation.G4_96,
    Generation.G4_97,
    Generation.G4_98,
    Generation.G4_99,
)

# The debug output's visible space (4.98 on): dates may be spelled with it.
SPACE_MARK = utf8_bytes("\u2591")

# ======== Odds and ends early in the list ========

EARLY = [
    Rule(
        "lock-file-names",
        r"\.lock(\.[-\w]+)+(\.[\da-f]+){2}",
        ".lock.test.ex.dddddddd.pppppppp",
        "lock file names carry the host name, time and pid",
        needle=".lock.",
    ),
]

# Applied unless the test is an IPv6 one.
LISTENING_ADDRESSES = Rule(
    "listening-port-addresses",
    r"port (\d+) \([^)]+\)",
    r"port \1",
    "the addresses a daemon listens on depend on the host's interfaces",
    every=True,
    needle="listening for SMTP",
    when=r"listening for SMTP(S?) on port",
)

MISC = [
    Rule(
        "spa-challenge",
        r"TlRMTVNTUAACAAAAAAAAAAAoAAABgg[\w+/]+",
        "TlRMTVNTUAACAAAAAAAAAAAoAAABggAAAEbBRwqFwwIAAAAAAAAAAAAt1sgAAAAA",
        "SPA authentication challenges are random",
        needle="TlRMTVNTUAACAAAAAAAAAAAoAAABgg",
    ),
    Rule(
        "prvs-old-form",
        r"prvs=([^/]+)/[\da-f]{10}@",
        r"prvs=\1/xxxxxxxxxx@",
        "PRVS signatures include the date",
        every=True,
        needle="prvs=",
    ),
    Rule(
        "prvs-new-form",
        r"prvs=[\da-f]{10}=([^@]+)@",
        r"prvs=xxxxxxxxxx=\1@",
        "PRVS signatures include the date",
        every=True,
        needle="prvs=",
    ),
    Rule(
        "openssl-cipher-list-call",
        r"SSL_CTX_set_cipher_list",
        "SSL_connect",
        "OpenSSL versions fail in different calls",
        needle="SSL_CTX_set_cipher_list",
    ),
    Rule(
        "openssl-key-id-mismatch",
        r"error=authority and subject key identifier mismatch",
        "error=self signed certificate",
        "OpenSSL versions word this differently",
        needle="error=authority",
    ),
    Rule(
        "openssl-self-signed",
        r"error=self-signed certificate",
        "error=self signed certificate",
        "OpenSSL 3 added a hyphen",
        needle="error=self-signed",
    ),
    Rule(
        "base-36-62",
        r"is not a base (36|62) number",
        "is not a base 36/62 number",
        "the base named depends on the build",
        needle="is not a base ",
    ),
    Rule(
        "forced-fail-seconds",
        r"forced fail after \d seconds",
        "forced fail after d seconds",
        "timing varies",
        needle="forced fail after ",
    ),
    by_generation(
        Rule,
        "dbm-library-name",
        {
            G4_96: {
                "repl": "Failed to open DBM file",
                "reason": "the DBM library differs between builds",
            },
            G4_98: {
                "repl": "Failed to open hintsdb file",
                "reason": "the hints database library differs between builds",
            },
        },
        pattern=r"Failed to open \S+( \([^\)]+\))? file",
        needle="Failed to open ",
    ),
    Rule(
        "named-pipe-error",
        r":[^:]+: while opening named pipe",
        ": Error: while opening named pipe",
        "the error for a FIFO nobody reads varies",
        needle="while opening named pipe",
    ),
    by_generation(
        Rule,
        "host-list-sort-keys",
        {
            G4_96: {
                "pattern": r"sort=\S+",
                "repl": "sort=xx",
                "reason": "hosts of equal MX preference are ordered randomly",
                "when": r"^\S+ (?:\d+\.){3}\d+ mx=\S+ sort=\S+",
            },
            G4_98: {
                "pattern": r"^(\s*\S+ (?:\d+\.){3}\d+ mx=\S+ sort=)\S+",
                "repl": r"\1xx",
                "reason": "hosts of equal MX preference are ordered randomly (indented lines too)",
                "when": None,
            },
        },
        needle=" mx=",
    ),
    Rule(
        "callout-random-local-part",
        r"myhost.test.ex-\d+-testing",
        "myhost.test.ex-dddddddd-testing",
        "callout tests use a random local part",
        needle="-testing",
    ),
    Rule(
        "callout-random-local-part-2",
        r"the.local.host.name-\d+-testing",
        "the.local.host.name-dddddddd-testing",
        "callout tests use a random local part",
        needle="-testing",
    ),
    Rule(
        "data-block-fd",
        r"^writing data block fd=\d+",
        "writing data block fd=dddd",
        "file descriptor numbers vary",
        needle="writing data block fd=",
    ),
    Rule(
        "transport-filter-fds",
        r"(running as transport filter:) fd_write=\d+ fd_read=\d+",
        r"\1 fd_write=dddd fd_read=dddd",
        "file descriptor numbers vary",
        needle="fd_write=",
    ),
]

# ======== Output of exim_dumpdb (after its time lines, see state.DumpdbTimes) ========

DUMPDB = [
    Rule(
        "dumpdb-errno-time",
        r"T:(\S+)\s-22\s(\S+)\s",
        r"T:\1 -22 xxxx ",
        "this retry reason carries a time",
        needle="T:",
    ),
]

# ======== Dates and times ========

_SEP = rf"(\s|{SPACE_MARK})"

DATES = [
    by_generation(
        Rule,
        "rfc2822-date",
        {
            G4_96: {
                "pattern": r"[A-Z][a-z]{2},\s\d\d?\s[A-Z][a-z]{2}\s\d{4}\s\d\d:\d\d:\d\d\s[-+]\d{4"
                "}",
                "repl": "Tue, 2 Mar 1999 09:44:33 +0000",
                "reason": "header and SMTP dates",
            },
            G4_98: {
                "pattern": (
                    rf"[A-Z][a-z]{{2}},{_SEP}\d\d?{_SEP}[A-Z][a-z]{{2}}{_SEP}\d{{4}}{_SEP}"
                    rf"\d\d:\d\d:\d\d{_SEP}[-+]\d{{4}}"
                ),
                "repl": r"Tue,\g<1>2\g<2>Mar\g<3>1999\g<4>09:44:33\g<5>+0000",
                "reason": "header and SMTP dates, also where debug output marks the spaces",
            },
        },
        every=True,
        needle=",",
    ),
    Rule(
        "rfc2822-date-french",
        r"\S{4},\s\d\d?\s[^,]+\s\d{4}\s\d\d:\d\d:\d\d\s[-+]\d{4}",
        "dim., 10 f\xe9vr 2019 20:05:49 +0000",
        "dates in a French locale",
        every=True,
        needle=",",
    ),
    Rule(
        "log-timestamp",
        r"^\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d(\s[+-]\d\d\d\d)?\s",
        "1999-03-02 09:44:33 ",
        "log line time stamps (any zone dropped)",
        needle=":",
        first=DIGITS,
    ),
    by_generation(
        Rule,
        "log-timestamp-ms",
        {
            G4_96: {
                "pattern": r"^\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\.\d{3}(\s[+-]\d\d\d\d)?\s",
                "reason": "log time stamps with milliseconds",
            },
            G4_97: {
                "pattern": r"^\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\.\d{3}(?:\s(?:[+-]\d\d\d\d"
                r"|[A-Z]{2}T))?\s",
                "reason": "log time stamps with milliseconds, the zone as an offset or a name "
                "(BST)",
            },
        },
        repl="2017-07-30 18:51:05.712 ",
        needle=":",
        first=DIGITS,
    ),
    Rule(
        "logwrite-timestamp",
        r'^Logwrite\s"\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d',
        'Logwrite "1999-03-02 09:44:33',
        "time stamps in filter logwrite lines",
        needle="Logwrite",
    ),
    Rule(
        "syslog-timestamp",
        r"^(SYSLOG:\s')\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\s",
        r"\g<1>2017-07-30 18:51:05 ",
        "syslog test time stamps",
        needle="SYSLOG:",
    ),
    Rule(
        "syslog-timestamp-ms",
        r"^(SYSLOG:\s')\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\.\d{3}\s",
        r"\g<1>2017-07-30 18:51:05.712 ",
        "syslog test time stamps",
        needle="SYSLOG:",
    ),
    Rule(
        "syslog-timestamp-zone",
        r"^(SYSLOG:\s')\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\s[+-]\d\d\d\d\s",
        r"\g<1>2017-07-30 18:51:05 +9999 ",
        "syslog test time stamps",
        needle="SYSLOG:",
    ),
    Rule(
        "syslog-timestamp-ms-zone",
        r"^(SYSLOG:\s')\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\.\d{3}\s[+-]\d\d\d\d\s",
        r"\g<1>2017-07-30 18:51:05.712 +9999 ",
        "syslog test time stamps",
        needle="SYSLOG:",
    ),
    Rule(
        "delivery-durations",
        r"((D|[RQD]T)=)\d+s",
        r"\1qqs",
        "delivery and queue times vary",
        every=True,
        needle=("D=", "T="),
    ),
    Rule(
        "delivery-durations-ms",
        r"((D|[RQD]T)=)\d\.\d{3}s",
        r"\1q.qqqs",
        "delivery and queue times vary",
        every=True,
        needle=("D=", "T="),
    ),
    by_generation(
        Rule,
        "mbox-separator-date",
        {
            G4_96: {
                "pattern": r"(?:[A-Z][a-z]{2}\s){2}\d\d\s\d\d:\d\d:\d\d\s\d\d\d\d",
                "repl": "Tue Mar 02 09:44:33 1999",
                "reason": "From_ lines of mailboxes",
            },
            G4_98: {
                "pattern": rf"(?:[A-Z][a-z]{{2}}{_SEP}){{2}}\d\d{_SEP}\d\d:\d\d:\d\d{_SEP}\d\d\d\d",
                "repl": r"Tue\g<1>Mar\g<1>02\g<2>09:44:33\g<3>1999",
                "reason": "From_ lines of mailboxes, also where debug output marks the spaces",
            },
        },
        every=True,
        needle=":",
    ),
    Rule(
        "spool-arrival-time",
        r"^\d{9,10}\s0$",
        "ddddddddd 0",
        "arrival time in a spool header shown by -Mvh",
        first=DIGITS,
    ),
    Rule(
        "mbx-date",
        r"\d\d-\w\w\w-\d\d\d\d\s\d\d:\d\d:\d\d\s[-+]\d\d\d\d,",
        "06-Sep-1999 15:52:48 +0100,",
        "dates in mbx mailboxes",
        every=True,
        needle=",",
    ),
]

# The retry-record arithmetic (state.RETRY_RECORD) comes between these two lists.

RETRY_TIMES = [
    by_generation(
        Rule,
        "retry-check-times",
        {
            G4_96: {
                "pattern": r"^(\s*)now=\d+ first_failed=\d+ next_try=\d+ expired=(\w)",
                "reason": "retry debug output shows clock times",
            },
            G4_99: {
                "pattern": r"^(.*)now=\d+ first_failed=\d+ next_try=\d+ expired=(\w)",
                "reason": "retry debug output shows clock times (after any lead-in)",
            },
        },
        repl=r"\1now=tttt first_failed=tttt next_try=tttt expired=\2",
        needle="now=",
    ),
    by_generation(
        Rule,
        "received-time-diff",
        {
            G4_96: {
                "pattern": r"^(\s*)received_time=\d+ diff=\d+ timeout=(\d+)",
                "reason": "clock times in debug output",
            },
            G4_99: {
                "pattern": r"^(.*)received_time=\d+ diff=\d+ timeout=(\d+)",
                "reason": "clock times in debug output (after any lead-in)",
            },
        },
        repl=r"\1received_time=tttt diff=tttt timeout=\2",
        needle="received_time=",
    ),
    Rule(
        "time-to-retry",
        r"time to retry = \S+",
        "time to retry = tttt",
        "time left to the next retry varies",
        needle="time to retry = ",
    ),
    Rule(
        "retry-record-age",
        r"retry record exists: age=\S+",
        "retry record exists: age=ttt",
        "the age of a retry record varies",
        needle="retry record exists: age=",
    ),
    Rule(
        "failing-interval",
        r"failing_interval=\S+ message_age=\S+",
        "failing_interval=ttt message_age=ttt",
        "ages vary",
        needle="failing_interval=",
    ),
    Rule(
        "bv-date",
        r"\d\d-[A-Z][a-z]{2}-\d{4}\s\d\d:\d\d:\d\d",
        "07-Mar-2000 12:21:52",
        "build dates in -bV output and other dd-Mon-yyyy times",
        every=True,
        needle=":",
    ),
    Rule(
        "eximstats-period",
        r"Exim\sstatistics\sfrom\s\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d\sto\s"
        r"\d{4}-\d\d-\d\d\s\d\d:\d\d:\d\d",
        "Exim statistics from <time> to <time>",
        "eximstats headings",
        needle="statistics",
    ),
    Rule(
        "connection-reset-as-refused",
        r"(could not connect to .*: Connection) reset by peer$",
        r"\1 refused",
        "some systems reset rather than refuse a new connection",
        needle="reset by peer",
    ),
]

# ======== Uids, gids and pids in general (after the caller's and Exim's own) ========

IDS = [
    Rule(
        "uid-minus-one", r"\buid=4294967295", "uid=-1", "64-bit long ints", needle="uid=4294967295"
    ),
    Rule(
        "euid-minus-one",
        r"\beuid=4294967295",
        "euid=-1",
        "64-bit long ints",
        needle="euid=4294967295",
    ),
    Rule(
        "gid-minus-one", r"\bgid=4294967295", "gid=-1", "64-bit long ints", needle="gid=4294967295"
    ),
    Rule(
        "egid-minus-one",
        r"\begid=4294967295",
        "egid=-1",
        "64-bit long ints",
        needle="egid=4294967295",
    ),
    Rule("any-gid", r"\bgid=\d+", "gid=gggg", "other gids vary", needle="gid="),
    Rule("any-egid", r"\begid=\d+", "egid=gggg", "other gids vary", needle="egid="),
    Rule(
        "any-pid",
        r"\b(pid=|pid |PID: )\d+",
        r"\1pppp",
        "pids vary",
        needle=("pid", "PID: "),
        until=G4_97,
    ),
    PID_AFTER_WORD,
    CONNECTION_ID_PID,
    Rule("any-uid", r"\buid=\d+", "uid=uuuu", "other uids vary", needle="uid="),
    Rule("any-euid", r"\beuid=\d+", "euid=uuuu", "other uids vary", needle="euid="),
    Rule(
        "set-process-info-pid",
        r"set_process_info:\s+\d+",
        "set_process_info: pppp",
        "pids vary",
        needle="set_process_info:",
    ),
    Rule(
        "transport-filter-pid",
        r"process \d+ running as transport filter",
        "process pppp running as transport filter",
        "pids vary",
        needle="running as transport filter",
    ),
    Rule(
        "transport-filter-writer-pid",
        r"process \d+ writing to transport filter",
        "process pppp writing to transport filter",
        "pids vary",
        needle="writing to transport filter",
    ),
    Rule(
        "subprocess-pid",
        r"reading pipe for subprocess \d+",
        "reading pipe for subprocess pppp",
        "pids vary",
        needle="reading pipe for subprocess",
    ),
    Rule(
        "remote-delivery-pid",
        r"remote delivery process \d+ ended",
        "remote delivery process pppp ended",
        "pids vary",
        needle="remote delivery process",
    ),
    Rule(
        "appendfile-temp-pid",
        r"(test-mail/(?:subdir/)?temp)\.\d+\.",
        r"\1.pppp.",
        "appendfile's temporary file names hold a pid",
        needle="test-mail/",
    ),
]

# The renumbered pids in log and syslog lines, and the daemon pid prefix, follow.

QUEUE_RUNNERS = [
    Rule(
        "waiting-for-children",
        r"waiting for children of \d+",
        "waiting for children of pppp",
        "pids vary",
        needle="waiting for children of",
    ),
    Rule(
        "waiting-for-process",
        r"waiting for (\S+) \(\d+\)",
        r"waiting for \1 (pppp)",
        "pids vary",
        needle="waiting for ",
    ),
    Skip(
        "local-scan-call",
        r"^calling local_scan\(\); timeout=300$",
        "most builds have no local_scan",
        needle="calling local_scan",
    ),
    Skip(
        "local-scan-result",
        r"^local_scan\(\) returned 0 NULL$",
        "most builds have no local_scan",
        needle="local_scan() returned",
    ),
]

# ======== Host lines in verification output ========

HOST_LINES = [
    Rule(
        "host-line-spacing",
        r"^\s+host\s(\S+)\s+(\S+)",
        r"  host \1 \2",
        "column widths depend on the length of host names",
        needle="host",
        first=WHITESPACE,
    ),
    Rule(
        "host-line-port-spacing",
        r"^\s+(host\s\S+\s\S+)\s+(port=.*)",
        r"  host \1 \2",
        "column widths depend on the length of host names",
        needle="port=",
        first=WHITESPACE,
    ),
    Rule(
        "host-line-mx-spacing",
        r"^\s+(host\s\S+\s\S+)\s+(?=MX=)",
        r"  \1 ",
        "column widths depend on the length of host names",
        needle="MX=",
        first=WHITESPACE,
    ),
]

# The host's own addresses (rules_host) come here, then:

HOST_LINE_TRAILER = Rule(
    "host-line-trailing-space",
    r"^(\s+host\s\S+\s+\[\S+\]) +$",
    r"\1",
    "padding after the address depends on the longest line",
    needle="host",
    first=WHITESPACE,
)

# ======== Errors ========

ERRORS = [
    Rule(
        "cannot-assign-address",
        r"Can(no|')t assign requested address",
        "Network Error",
        "operating systems word network errors differently",
        needle="t assign requested",
        until=G4_97,
    ),
    Rule(
        "address-not-available",
        r"(?:Can(?:no|')t assign requested address|Address not available)",
        "Netwk addr not available",
        "operating systems word this network error differently",
        needle=("t assign requested", "Address not available"),
        since=G4_97,
    ),
    Rule(
        "operation-timed-out",
        r"Operation timed out",
        "Connection timed out",
        "operating systems word timeouts differently",
        needle="Operation timed out",
    ),
    Rule(
        "address-family",
        r"Address family not supported by protocol family",
        "Network Error",
        "operating systems word network errors differently",
        needle="Address family not supported",
    ),
    Rule(
        "network-unreachable",
        r"Network( is)? unreachable",
        "Network Error",
        "operating systems word network errors differently",
        needle="unreachable",
    ),
    Rule(
        "invalid-argument",
        r"Invalid argument",
        "Network Error",
        "operating systems word network errors differently",
        needle="Invalid argument",
    ),
    Rule(
        "errno-network",
        r"\(\d+\): Network",
        "(dd): Network",
        "errno values vary",
        needle="): Network",
    ),
    Rule(
        "errno-refused",
        r"\(\d+\): Connection refused",
        "(dd): Connection refused",
        "errno values vary",
        needle="): Connection refused",
    ),
    Rule(
        "errno-timed-out",
        r"\(\d+\): Connection timed out",
        "(dd): Connection timed out",
        "errno values vary",
        needle="): Connection timed out",
    ),
    Rule(
        "dumpdb-refused",
        r"\d+ 65 Connection refused",
        "dd 65 Connection refused",
        "errno values vary",
        needle=" 65 Connection refused",
    ),
    Rule(
        "dumpdb-timed-out",
        r"\d+ 321 Connection timed out",
        "dd 321 Connection timed out",
        "errno values vary",
        needle=" 321 Connection timed out",
    ),
    Rule(
        "errno-values", r"errno=\d+", "errno=dd", "errno values vary", every=True, needle="errno="
    ),
    Rule(
        "not-regular-file",
        r"(?: is not a regular file)|(?: has too many links \(\d+\))",
        " not a regular file or too many links",
        "file systems word this differently",
        needle=(" is not a regular file", " has too many links"),
    ),
]


@dataclass(eq=False)
class LsListing(Step):
    """Long `ls` output: drop the alternate-access mark after the mode bits and squeeze
    runs of spaces, since column widths vary between systems."""

    name = "ls-long-listing"
    kinds = ALL
    reason = "ls pads columns and marks ACLs differently across systems"
    mode = rx(r"^([-d](?:[-r][-w][-SsTtx]){3})[.+@]?( +|$)")
    spaces = rx(r" +")
    guard = Guard(first="-d")

    def apply(self, line: str, run: FileRun) -> str | None:
        if not self.guard.check(line):
            return line
        line, n = self.mode.subn(r"\1\2", line, 1)
        return self.spaces.sub(" ", line) if n else line


# ======== Message and other sizes ========

SIZES = [
    Rule(
        "message-size",
        r"([\s,])S=\d+\b",
        r"\1S=sss",
        "sizes vary with logins and host names in headers",
        needle="S=",
    ),
    Rule("maildir-size-tag", r":S\d+\b", ":Ssss", "sizes in maildir names", needle=":S"),
    by_generation(
        Rule,
        "mailq-size",
        {
            G4_96: {
                "pattern": r"^(\s*\d+m\s+)\d+(\s+[a-z0-9-]{16} <)",
                "repl": r"\1sss\2",
                "reason": "sizes in queue listings",
            },
            G4_97: {
                "pattern": r"^(\s*\d+[mhd]\s+)\d+(\s+(?:[a-z0-9-]{23}|[a-z0-9-]{18}) <)",
                "repl": r"TTT   sss\2",
                "reason": "ages and sizes in queue listings",
            },
            G4_98: r"^(\s*\d+[mhd]\s+)\d+(\s+(?:[a-z0-9-]{23}|[a-z0-9-]{16}) <)",
        },
        kinds=STDOUT,
        flags=re.IGNORECASE,
        needle=" <",
    ),
    # 4.97 on: the age goes too; 4.97 looks for long ids or (a slip) 18-character ones,
    # 4.98 for long or short ones.
    Rule(
        "smtp-size-option", r"\sSIZE=\d+\b", " SIZE=ssss", "MAIL FROM SIZE= values", needle="SIZE="
    ),
    Rule(
        "debug-size",
        r"\ssize=\d+\b",
        " size=sss",
        "sizes in debug output",
        kinds=STDERR,
        needle="size=",
    ),
    Rule("old-size", r"old size = \d+\b", "old size = sssss", "sizes vary", needle="old size = "),
    Rule(
        "message-size-equals",
        r"message size = \d+\b",
        "message size = sss",
        "sizes vary",
        needle="message size = ",
    ),
    Rule(
        "this-message-size",
        r"this message = \d+\b",
        "this message = sss",
        "sizes vary",
        needle="this message = ",
    ),
    Rule(
        "header-size",
        r"Size of headers = \d+",
        "Size of headers = sss",
        "sizes vary",
        needle="Size of headers = ",
    ),
    Rule("checksum-sum", r"sum=(?!0)\d+", "sum=dddd", "checksums of varying data", needle="sum="),
    Rule(
        "checksum-count",
        r"(?<=sum=dddd )count=\d+\b",
        "count=dd",
        "counts that go with a checksum",
        needle="sum=dddd ",
    ),
    Rule(
        "checksum-count-zero",
        r"(?<=sum=0 )count=\d+\b",
        "count=dd",
        "counts that go with a checksum",
        needle="sum=0 ",
    ),
    Rule("size-is", r",S is \d+\b", ",S is ddddd", "sizes vary", needle=",S is "),
    Rule("mbx-size", r"\+0100,\d+;", "+0100,ddd;", "sizes in mbx mailboxes", needle="+0100,"),
    Rule(
        "bytes-written",
        r"\(\d+ bytes written\)",
        "(ddd bytes written)",
        "sizes vary",
        needle=" bytes written)",
    ),
    Rule("maildirsize-added", r"added '\d+ 1'", "added 'ddd 1'", "sizes vary", needle="added '"),
    Rule(
        "eximstats-received",
        r"Received\s+\d+",
        "Received               nnn",
        "eximstats byte totals",
        needle="Received",
    ),
    Rule(
        "eximstats-delivered",
        r"Delivered\s+\d+",
        "Delivered              nnn",
        "eximstats byte totals",
        needle="Delivered",
    ),
    Rule(
        "spool-space",
        r"space=\d+ inodes=[+-]?\d+",
        "space=xxxxx inodes=xxxxx",
        "free space on the spool file system",
        needle="space=",
    ),
    Rule(
        "filter-file-size",
        r"^\d+(?= (\(tainted\) )?bytes read from )",
        "ssss",
        "filter files include substituted names",
        needle="bytes read from ",
    ),
]

# ======== Maildir ========

MAILDIR = [
    Rule(
        "maildir-timestamp",
        r"(timestamp=|\(timestamp_only\): )\d+",
        r"\1ddddddd",
        "maildir time stamps",
        every=True,
        needle="timestamp",
    ),
    Rule(
        "maildir-tmp-name",
        r"writing to(?: file)? tmp/\d+\.[^.]+\.(\S+)",
        r"writing to tmp/MAILDIR.\1",
        "maildir file names hold time and pid",
        needle="writing to",
    ),
    Rule(
        "maildir-rename",
        r"renamed tmp/\d+\.[^.]+\.(\S+) as new/\d+\.[^.]+\.(\S+)",
        r"renamed tmp/MAILDIR.\1 as new/MAILDIR.\1",
        "maildir file names hold time and pid",
        needle="renamed tmp/",
    ),
    Rule(
        "maildir-unique-name",
        r"\b\d+\.M\d+P\d+\b",
        "dddddddddd.HddddddPddddd",
        "maildir file names hold time and pid",
        needle=".M",
    ),
]

# The maildirsize data step (ordering.MaildirsizeData) comes here.

# ======== Last of the common rules ========
# After every other common rewrite; the family's own rules follow.
LATE = [
    Rule(
        "srs-signature",
        r"SRS0=....=.[^=]?=([^=]+)=([^@]+)@([^ ]+)",
        r"SRS0=ZZZZ=YY=\1=\2@\3",
        "SRS hashes and time stamps vary",
        every=True,
        flags=re.IGNORECASE,
        needle="SRS0=",
    ),
    Rule("fd-max", r"max fd = \d+", "max fd = dddd", "descriptor limits vary", needle="max fd = "),
    Rule(
        "fd-status",
        r"status=[0-9a-f]+ (?:RDONLY|WRONLY|RDWR)",
        "STATUS",
        "descriptor flags vary between systems",
        every=True,
        needle="status=",
    ),
    Rule(
        "spool-header-lengths",
        r"^\d\d\d(?=[PFS*])",
        "ddd",
        "header lengths in -H files vary with names",
        first=DIGITS,
    ),
    Rule(
        "dsn-boundary",
        r"\d{8,10}-eximdsn-\d+",
        "NNNNNNNNNN-eximdsn-MMMMMMMMMM",
        "MIME boundaries in DSN messages",
        needle="-eximdsn-",
    ),
    Rule(
        "cyrus-sasl-user-not-found",
        r"(Cyrus SASL permanent failure: )user not found$",
        r"\1generic failure",
        "Cyrus SASL versions word this differently",
        needle="Cyrus SASL permanent failure: ",
    ),
    Rule(
        "unexpected-disconnection-errno",
        r"(unexpected disconnection while reading SMTP command from \S+ \S* )"
        r"(?:\([^)]*\) )?(?=D=)",
        r"\1",
        "some systems see a connection reset where others see a plain close",
        needle="unexpected disconnection",
        since=G4_99,
    ),
]
