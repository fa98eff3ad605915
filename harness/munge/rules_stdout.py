"""Rules for a test's standard output (after the common ones)."""

from __future__ import annotations

import re

from harness.munge.model import STDOUT, Step, rules_for, utf8_bytes
from harness.munge.ordering import SkipWithFollowing

_rule, _skip = rules_for(STDOUT)


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

RULES: list[Step] = [
    _rule(
        "remote-ipv6-request",
        r"^(Connection request from) \[.*:.*:.*\]$",
        r"\1 [ipv6]",
        "remote IPv6 addresses vary",
        needle="Connection request from",
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
    _rule(
        "openssl-alert-line",
        r"^[0-9A-Fa-f]+:error:[0-9A-Fa-f]+(?:E[0-9A-Fa-f]+)?"
        r"(:SSL routines:ssl3_read_bytes:[^:]+:).*(:SSL alert number \d\d)$",
        r"pppp:error:dddddddd\1[...]\2",
        "OpenSSL error lines carry a pid, codes and source positions",
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
    _skip(
        "gnutls-pull-error-line",
        r"^Error in the pull function.",
        "only GnuTLS says this",
        needle="Error in the pull function",
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
    _skip("bp-dmarc", r"^dmarc_tld_file =", "not every build has DMARC", needle="dmarc_tld_file ="),
    _skip("bp-arc", r"^arc_sign =", "not every build has ARC", needle="arc_sign ="),
    _skip(
        "bp-limits",
        r"^limits_advertise_hosts =",
        "not every build has LIMITS",
        needle="limits_advertise_hosts =",
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
    _rule(
        "gsasl-scram-sha-256",
        r"(250-AUTH ANONYMOUS PLAIN SCRAM-SHA-1) SCRAM-SHA-256",
        r"\1",
        "gsasl versions differ in supporting this method",
        needle="SCRAM-SHA-256",
    ),
]
