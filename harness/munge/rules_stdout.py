"""Rules for a test's standard output (after the common ones)."""

from __future__ import annotations

import re

from harness.core.generation import Generation
from harness.munge.model import STDOUT, Step, by_generation, rules_for, utf8_bytes, within
from harness.munge.ordering import HeaderWithContinuation, SkipWithFollowing

_rule, _skip = rules_for(STDOUT)
G4_96, G4_97, G4_98, MASTER = (
    Generation.G4_96,
    Generation.G4_97,
    Generation.G4_98,
    Generation.MASTER,
)

# ======== Build options, then filter-test headings ========
# The fixed ports' names (rules_host.stdout_port_names) come between the filter-test
# headings and RULES.


BUILD_OPTIONS = [
    _skip(
        "bp-translate-ip-address",
        r"translate_ip_address =",
        "-bP lists this option only on some builds",
        needle="translate_ip_address =",
    ),
    _skip(
        "bp-use-classresources",
        r"use_classresources",
        "-bP lists this option only on some builds",
        needle="use_classresources",
    ),
]

# Only in tests that say "rmfiltertest": filter tests repeat these heading lines.
FILTER_TEST_HEADINGS: list[Step] = [
    _skip(
        "filter-test-headings",
        r"^(Sender\staken\sfrom|Return-path\scopied\sfrom|Sender\s+=|Recipient\s+=)",
        "filter tests repeat these for every case",
        first="SR",
    ),
    SkipWithFollowing(
        "filter-test-banner",
        r"^Testing \S+ filter",
        1,
        "the banner and the blank line after it repeat for every case",
        kinds=STDOUT,
        needle="Testing ",
    ),
]

# ======== Everything else on stdout ========
RULES: list[Step] = [
    _rule(
        "remote-ipv6-request",
        r"^(Connection request from) \[.*:.*:.*\]$",
        r"\1 [ipv6]",
        "remote IPv6 addresses vary",
        needle="Connection request from",
    ),
    _rule(
        "hintsdb-missing",
        r"(Failed to open )(?:hintsdb|database lock) file (.*/spool/db/[^. ]*)(?:.lockfile)?"
        r"(?: for reading)?(?=: No such file or directory$)",
        r"\1hintsdb \2",
        "hints database libraries differ in using lock files",
        needle="Failed to open ",
        since=G4_98,
    ),
    _skip("ssl-info", r"^SSL info:", "OpenSSL state tracing varies by version", needle="SSL info:"),
    _skip(
        "ssl-untrusted-depth0",
        r"SSL verify error: depth=0 error=certificate not trusted",
        "only some OpenSSL versions say this",
        needle="SSL verify error",
    ),
    _rule(
        "ssl3-read-bytes-case",
        r"SSL3_READ_BYTES",
        "ssl3_read_bytes",
        "OpenSSL versions name this function in different cases",
        flags=re.IGNORECASE,
        needle="ssl3_read_bytes",
    ),
    _rule(
        "connect-cr-finished",
        r"CONNECT_CR_FINISHED",
        "ssl3_read_bytes",
        "OpenSSL 1.1 names the failing state instead",
        flags=re.IGNORECASE,
        needle="connect_cr_finished",
    ),
    by_generation(
        _rule,
        "openssl-alert-line",
        {
            G4_96: {
                "pattern": (
                    r"^[0-9A-Fa-f]+:error:[0-9A-Fa-f]+(?:E[0-9A-Fa-f]+)?"
                    r"(:SSL routines:ssl3_read_bytes:[^:]+:).*(:SSL alert number \d\d)$"
                ),
                "repl": r"pppp:error:dddddddd\1[...]\2",
                "reason": "OpenSSL error lines carry a pid, codes and source positions",
            },
            G4_98: {
                "pattern": (
                    r"^[0-9A-Fa-f]+:error:[0-9A-Fa-f]+(?:E[0-9A-Fa-f]+)?"
                    r"(:SSL routines:ssl3_read_bytes:)ssl(?:v3|/tls)([^:]+:).*(:SSL alert number"
                    r" \d\d)$"
                ),
                "repl": r"pppp:error:dddddddd\1sslv3\2[...]\3",
                "reason": "OpenSSL error lines carry a pid, codes and source positions; 3.x says"
                " ssl/tls",
            },
        },
        needle=":SSL alert number ",
    ),
    _rule(
        "openssl-alert-code",
        r"^(error:)[^:]*:(SSL routines:ssl3_read_bytes:(tls|ssl)v\d+ alert)",
        r"\1dddddddd:\2",
        "OpenSSL error codes vary",
        needle="error:",
    ),
    _rule(
        "openssl3-cert-required",
        r"^(error:)[0-9A-Fa-f]+:SSL routines::(tlsv13 alert certificate required)$",
        r"\1dddddddd:SSL routines:ssl3_read_bytes:\2",
        "OpenSSL 3 leaves out the function name",
        needle="SSL routines::",
    ),
    _rule(
        "openssl3-alert",
        r"^(error:)[0-9A-Fa-f]+:SSL routines::"
        r"((tlsv1|sslv3) alert (unknown ca|certificate revoked))$",
        r"\1dddddddd:SSL routines:ssl3_read_bytes:\2",
        "OpenSSL 3 leaves out the function name",
        needle="SSL routines::",
    ),
    _rule(
        "openssl3-tls-alert",
        r"^(error:)[0-9A-Fa-f]+:SSL routines::ssl/tls (alert (?:unknown ca|certificate revoked))$",
        r"\1dddddddd:SSL routines:ssl3_read_bytes:sslv3 \2",
        "OpenSSL 3.x leaves out the function name and says ssl/tls",
        needle="SSL routines::ssl/tls",
        since=G4_98,
    ),
    _skip(
        "gnutls-pull-error-line",
        r"^Error in the pull function.",
        "only GnuTLS says this",
        needle="Error in the pull function",
    ),
    _skip(
        "bv-ocsp-transport-option",
        r"^_OPT_TRANSPORT_SMTP_HOSTS_REQU(?:EST|IRE)_OCSP=y$",
        "not every build has OCSP",
        needle="_OPT_TRANSPORT_SMTP_HOSTS_REQU",
        since=MASTER,
    ),
    _rule(
        "retry-quota-text-elided",
        r"(T:.*\(MTA-imposed quota exceeded while writing to).*$",
        r"\1 <elided>)",
        "a retry record's text is cut at a length that depends on the test directory",
        needle="MTA-imposed quota exceeded",
        since=G4_98,
    ),
    _rule(
        "idn-strasse",
        r"conversion  strasse.de",
        "conversion  xn--strae-oqa.de",
        "IDN1 and IDN2 convert this differently",
        needle="strasse",
    ),
    _rule(
        "idn-strasse-back",
        r"conversion: german.xn--strae-oqa.de",
        utf8_bytes("conversion: german.straße.de"),
        "IDN1 and IDN2 convert this differently",
        needle="xn--strae-oqa",
    ),
    _rule(
        "received-time-usec",
        r"^(-received_time_usec \.)\d{6}$",
        r"\1uuuuuu",
        "sub-second arrival times in spool headers",
        needle="-received_time_usec",
    ),
    _rule(
        "received-time-complete",
        r"^(-received_time_complete )\d+\.\d{6}$",
        r"\1tttt.uuuuuu",
        "arrival times in spool headers",
        needle="-received_time_complete",
    ),
    # Not in Exim's harness: a redis-server started with no configuration (2700) logs to
    # its standard output, which is test-stdout, with its pid and the time; the expected
    # output has none of it. Both its log-line forms: `PID:ROLE DD Mon YYYY HH:MM:SS.mmm
    # LEVEL text`, and the one its signal handler writes.
    _skip(
        "redis-server-log",
        r"^\d+:(?:[XCSM] \d\d? [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d\.\d{3} [.*#-] "
        r"|signal-handler \(\d+\) )",
        "a redis-server's own log lines, with its pid and times",
        first="0123456789",
        needle=(":C ", ":M ", ":S ", ":X ", ":signal-handler ("),
    ),
    _rule(
        "postgres-shutdown",
        r"^waiting for server to shut down\.+ done$",
        "waiting for server to shut down.... done",
        "Postgres takes varying time to stop",
        needle="waiting for server to shut down",
    ),
    _rule(
        "postgres-path",
        r"^/.*postgres ",
        "POSTGRES ",
        "where Postgres is installed",
        needle="postgres ",
    ),
    _rule(
        "postgres-checksums",
        r"^(Data page checksums are )(?:dis|en)(?=abled\.$)",
        r"\1**",
        "Postgres versions differ in the default",
        needle="Data page checksums are ",
        since=MASTER,
    ),
    _rule(
        "postgres-selecting-default",
        r'^(selecting default )"?(max_connections|shared_buffers)"? ',
        r'\1"\2"',
        "Postgres versions quote these names or not",
        needle="selecting default ",
        since=MASTER,
    ),
    _skip("bp-dmarc", r"^dmarc_tld_file =", "not every build has DMARC", needle="dmarc_tld_file ="),
    _rule(
        "dmarc-history-time",
        r"(received )\d{10}$",
        r"\g<1>1692480217",
        "the time in a DMARC history file",
        needle="received ",
        since=G4_97,
    ),
    _skip(
        "be-macro-dmarc",
        r"^macro '_HAVE_DMARC'",
        "not every build has DMARC",
        needle="macro '_HAVE_DMARC'",
        since=MASTER,
    ),
    _skip("bp-arc", r"^arc_sign =", "not every build has ARC", needle="arc_sign ="),
    _skip(
        "bp-limits",
        r"^limits_advertise_hosts =",
        "not every build has LIMITS",
        needle="limits_advertise_hosts =",
    ),
    _skip(
        "be-macro-limits",
        r"^macro '_HAVE_ESMTP_LIMITS' ->",
        "not every build has LIMITS",
        needle="macro '_HAVE_ESMTP_LIMITS'",
        since=MASTER,
    ),
    _skip(
        "bp-hosts-try-prdr",
        r"^hosts_try_prdr = \*$",
        "not every build has PRDR",
        needle="hosts_try_prdr = ",
        since=G4_98,
    ),
    _skip(
        "bp-tls-resumption",
        r"^tls_resumption_hosts =",
        "not every build has TLS resumption",
        needle="tls_resumption_hosts =",
    ),
    _skip(
        "spool-tls-resumption",
        r"^-tls_resumption",
        "not every build has TLS resumption",
        needle="-tls_resumption",
    ),
    _skip(
        "bp-host-name-extract",
        r"^host_name_extract = ",
        "not every build has this option",
        needle="host_name_extract = ",
        since=G4_97,
    ),
    _skip(
        "bv-dane-transport-option",
        r"^_OPT_TRANSPORT_SMTP_DANE_REQUIRE_TLS_CIPHERS=y",
        "not every build has DANE",
        needle="_OPT_TRANSPORT_SMTP_DANE_REQUIRE_TLS_CIPHERS=y",
        since=MASTER,
    ),
    _rule(
        "gsasl-scram-sha-256",
        r"(250-AUTH ANONYMOUS PLAIN SCRAM-SHA-1) SCRAM-SHA-256",
        r"\1",
        "gsasl versions differ in supporting this method",
        needle="SCRAM-SHA-256",
    ),
    _skip(
        "be-macro-pipe-connect",
        r"^macro '_HAVE_PIPE_CONNECT'",
        "not every build has early pipelining",
        needle="macro '_HAVE_PIPE_CONNECT'",
        since=MASTER,
    ),
    # The suite's static spool message (0317 bytes from nobody) ages with the calendar.
    by_generation(
        _rule,
        "mailq-static-message-age",
        {
            G4_97: r"\s*\d*[hd](?=   317 [0-9A-Za-z\-]{23} <nobody@test.ex>)",
            G4_98: r"\s*\d*[hd](?=   317 (?:[-0-9A-Za-z]{23}|[-0-9A-Za-z]{16}) <nobody@test.ex>)",
        },
        repl="DDd",
        reason="the age of a message kept in the suite",
        needle="317 ",
    ),
    _rule(
        "mailq-caller-message-size",
        r"\s[01]m   [34]\d\d(?= (?:[-0-9A-Za-z]{23}|[-0-9A-Za-z]{16}) "
        r"<CALLER@the.local.host.name>)",
        " 1m    396",
        "a fresh message's size depends on the caller's names",
        needle="<CALLER@",
        since=G4_98,
    ),
    within(
        HeaderWithContinuation(
            "dsn-diagnostic",
            r"^X-Exim-Diagnostic:",
            "X-Exim-Diagnostic:",
            "not every build includes the DSN diagnostic header",
            kinds=STDOUT,
        ),
        G4_97,
    ),
]
