"""Rules for TLS details that differ between TLS libraries and their versions.

Cipher suites, protocol versions and error texts are brought to one form, keeping only
what the tests mean to check (mostly the authentication algorithm). Part of the common
pipeline: these apply to every kind of output file.
"""

from __future__ import annotations

import re

from harness.core.generation import Generation
from harness.munge.model import Rule, Skip, by_generation

G4_96, G4_97, G4_98, G4_99, MASTER = Generation

# master: Exim logs the key-exchange group after the cipher's strength (":X25519"); the
# harness swallows it into the normalised name.
KEX_GROUP = r"(?::[^\s*]*)?"

# ======== TLS library and version details ========


def _gnutls_suite(m: re.Match[str]) -> str:
    auth = m.group("auth1") or m.group("auth2") or ""
    return f"TLS1.x:ke-{m.group('psk') or ''}{auth}{m.group('with') or ''}-AES256-SHAnnn:xxx"


GNUTLS_SUITE = r"""
    TLS1.[x0123](-PKIX)?:
    ((EC)?DHE(_((?P<psk>PSK)_)?((?P<auth1>RSA|ECDSA)_)?(SECP(256|521)R1|X25519))?__?)?
    ((?P<auth2>RSA|ECDSA)((_PSS_RSAE)?_SHA(512|256))?__?)?
    (?P<with>WITH_)?
    AES_(256|128)_(CBC|GCM)
    (__?AEAD)?
    (__?SHA(1|256|384))?
    :(256|128)
"""
GNUTLS_SUITE_KEX_GROUP = GNUTLS_SUITE + KEX_GROUP

TLS = [
    Rule(
        "received-tls-stdname",
        r"^(\s+by \S+ with .+ ) \(TLS1(?:\.[0-3])?\) tls TLS_.*?([^_]+)_WITH.+$",
        r"\1(TLS1.x:ke-\2-AES256-SHAnnn:xxx)",
        "Received: headers with RFC 8314 cipher names: keep only the auth element",
        needle=" tls TLS_",
    ),
    Rule(
        "received-tls13-stdname",
        r"^(\s+by \S+ with .+ ) \(TLS1(?:\.[0-3])?\) tls TLS_.+$",
        r"\1(TLS1.x:ke-RSA-AES256-SHAnnn:xxx)",
        "TLS 1.3 names have no key exchange; stand in RSA",
        needle=" tls TLS_",
    ),
    Rule(
        "cipher-std-name",
        r" cipher_ TLS_.*?([^_]+)_WITH.+$",
        r" cipher_ TLS1.x:ke_\1_WITH_ci_mac",
        "$tls_*_cipher_std values",
        needle=" cipher_ TLS_",
    ),
    Rule(
        "cipher-std-name-13",
        r" cipher_ TLS_.*$",
        " cipher_ TLS1.x:ke_RSA_WITH_ci_mac",
        "$tls_*_cipher_std values for TLS 1.3",
        needle=" cipher_ TLS_",
    ),
    Rule(
        "tls-version",
        r"((?:(?:\b|\s)[\(=])|\s)TLS1(\.[123])?:",
        r"\1TLS1.x:",
        "the TLS version negotiated depends on the libraries",
        every=True,
        needle="TLS1",
    ),
    Rule(
        "openssl-suite",
        r"(?<!ke-)((EC)?DHE-)?(RSA|ECDSA)-AES(128|256)-(GCM-SHA(256|384)|SHA)(?!:)",
        r"ke-\3-AES256-SHAnnn",
        "OpenSSL cipher names: keep the auth algorithm",
        every=True,
        needle="-AES",
    ),
    by_generation(
        Rule,
        "openssl-suite-bits",
        {
            G4_96: {
                "pattern": r"(?<!ke-)((EC)?DHE-)?(RSA|ECDSA)-AES(128|256)-(GCM-SHA(256|384)|SHA):"
                "(128|256)",
                "reason": "OpenSSL cipher names with strength",
            },
            MASTER: {
                "pattern": (
                    r"(?<!ke-)((EC)?DHE-)?(RSA|ECDSA)-AES(128|256)-(GCM-SHA(256|384)|SHA):"
                    "(128|256)" + KEX_GROUP
                ),
                "reason": "OpenSSL cipher names with strength and any key-exchange group",
            },
        },
        repl=r"ke-\3-AES256-SHAnnn:xxx",
        every=True,
        needle="-AES",
    ),
    Rule(
        "openssl-tls13-suite",
        r"TLS_AES(_256)?_GCM_SHA384(?!:)",
        "ke-RSA-AES256-SHAnnn",
        "OpenSSL TLS 1.3 suites",
        every=True,
        needle="TLS_AES",
    ),
    by_generation(
        Rule,
        "openssl-tls13-suite-bits",
        {
            G4_96: {
                "pattern": r":TLS_AES(_256)?_GCM_SHA384:256",
                "reason": "OpenSSL TLS 1.3 suites with strength",
            },
            MASTER: {
                "pattern": r":TLS_AES(?:_256)?_GCM_SHA384:256" + KEX_GROUP,
                "reason": "OpenSSL TLS 1.3 suites with strength and any key-exchange group",
            },
        },
        repl=":ke-RSA-AES256-SHAnnn:xxx",
        every=True,
        needle="TLS_AES",
    ),
    Rule(
        "libressl-bare-suite",
        r"(?<!-)(AES256-GCM-SHA384)",
        r"RSA-\1",
        "LibreSSL omits the auth algorithm",
        needle="AES256-GCM-SHA384",
    ),
    Rule(
        "libressl-aead-suite",
        r"AEAD-(AES256-GCM-SHA384)",
        r"RSA-\1",
        "LibreSSL TLS 1.3 names",
        every=True,
        needle="AEAD-",
    ),
    Rule(
        "libressl-suite",
        r"(?<!ke-)((EC)?DHE-)?(RSA|ECDSA)-(AES256|CHACHA20)-(GCM-SHA384|POLY1305)(?!:)",
        r"ke-\3-AES256-SHAnnn",
        "LibreSSL cipher names",
        every=True,
        needle=("-AES256-", "-CHACHA20-"),
    ),
    by_generation(
        Rule,
        "libressl-suite-bits",
        {
            G4_96: {
                "pattern": r"(?<!ke-)((EC)?DHE-)?(RSA|ECDSA)-(AES256|CHACHA20)-(GCM-SHA384"
                "|POLY1305):256",
                "reason": "LibreSSL cipher names with strength",
            },
            MASTER: {
                "pattern": (
                    r"(?<!ke-)((EC)?DHE-)?(RSA|ECDSA)-(AES256|CHACHA20)-(GCM-SHA384"
                    "|POLY1305):256" + KEX_GROUP
                ),
                "reason": "LibreSSL cipher names with strength and any key-exchange group",
            },
        },
        repl=r"ke-\3-AES256-SHAnnn:xxx",
        every=True,
        needle=("-AES256-", "-CHACHA20-"),
    ),
    Rule(
        "gnutls-dhe-128",
        r"\bDHE_RSA_AES_128_CBC_SHA1:128",
        "RSA-AES256-SHA1:256",
        "an old forced GnuTLS suite",
        every=True,
        needle="DHE_RSA_AES_128_CBC_SHA1:128",
    ),
    by_generation(
        Rule,
        "gnutls-suite",
        {
            G4_96: {
                "pattern": GNUTLS_SUITE,
                "reason": "GnuTLS suite names: keep PSK, auth algorithm and WITH_",
            },
            MASTER: {
                "pattern": GNUTLS_SUITE_KEX_GROUP,
                "reason": "GnuTLS suite names (any key-exchange group dropped): keep PSK, auth and"
                " WITH_",
            },
        },
        repl=_gnutls_suite,
        every=True,
        needle="AES_",
        flags=re.VERBOSE,
    ),
    Rule(
        "gnutls-camellia",
        r"TLS1.2:RSA__CAMELLIA_256_GCM(_SHA384)?:256",
        "TLS1.2:RSA_CAMELLIA_256_GCM-SHAnnn:256",
        "GnuTLS camellia naming",
        every=True,
        needle="CAMELLIA",
    ),
    Rule(
        "openssl-standalone-suite",
        r"\b(ECDHE-(RSA|ECDSA)-AES256-SHA|DHE-RSA-AES256-SHA256)\b",
        r"ke-\2-AES256-SHAnnn",
        "stand-alone OpenSSL cipher names",
        every=True,
        needle="DHE-",
    ),
    Rule(
        "tls-version-report",
        r"ver:    TLS1(\.[0-3])?$",
        "ver:    TLS1.x",
        "separately reported TLS version",
        needle="ver:    TLS1",
    ),
    Rule(
        "tls-version-paren",
        r" \(TLS1(\.[0-3])?\) ",
        " (TLS1.x) ",
        "TLS version in Received: headers",
        needle=" (TLS1",
    ),
    Rule(
        "gnutls-no-cert",
        r"(No certificate was found|Certificate is required)",
        "The peer did not send any certificate",
        "GnuTLS versions word this differently",
        every=True,
        needle="ertificate",
    ),
    Rule(
        "gnutls-priorities",
        r"\(gnutls_priority_set\): No or insufficient priorities were set",
        "(gnutls_handshake): Could not negotiate a supported cipher suite",
        "GnuTLS versions fail at different points",
        every=True,
        needle="(gnutls_priority_set)",
    ),
    Rule(
        "gnutls-no-suites",
        r"(\(gnutls_handshake\): )No supported cipher suites have been found.$",
        r"\1Could not negotiate a supported cipher suite.",
        "GnuTLS versions word this differently",
        needle="No supported cipher suites",
    ),
    Rule(
        "gnutls-pull-error",
        r"TLS error on connection \(gnutls_handshake\): Error in the pull function\.",
        "a TLS session is required but an attempt to start TLS failed",
        "a generic GnuTLS read error, hit in one place",
        every=True,
        needle="Error in the pull function",
    ),
    by_generation(
        Rule,
        "gnutls-unexpected-length-to",
        {
            G4_96: {
                "pattern": (
                    r"TLS error on connection to \d{1,3}(.\d{1,3}){3} \[\d{1,3}"
                    r"(.\d{1,3}){3}\] "
                    r"\(gnutls_handshake\): A TLS packet with unexpected length was received."
                ),
                "reason": "older GnuTLS message for the same failure",
            },
            G4_98: {
                "pattern": (
                    r"TLS error on connection to \d{1,3}(?:\.\d{1,3}){3} \[\d{1,3}"
                    r"(?:\.\d{1,3}){3}\] "
                    r"\(gnutls_handshake\): A TLS packet with unexpected length was received."
                ),
                "reason": "older GnuTLS message for the same failure (addresses with real dots)",
            },
        },
        repl=(
            "a TLS session is required for ip4.ip4.ip4.ip4 [ip4.ip4.ip4.ip4], "
            "but an attempt to start TLS failed"
        ),
        every=True,
        needle="unexpected length",
    ),
    Rule(
        "gnutls-unexpected-length-from",
        r"TLS error on connection from \[127.0.0.1\] \(recv\): "
        r"A TLS packet with unexpected length was received.",
        "TLS error on connection from [127.0.0.1] (recv): "
        "The TLS connection was non-properly terminated.",
        "older GnuTLS message for the same failure",
        every=True,
        needle="unexpected length",
    ),
    Rule(
        "rsa-sha1-name",
        r"RSA-SHA1",
        "RSA-SHA",
        "signature algorithm naming differs",
        needle="RSA-SHA1",
    ),
]

# ======== OpenSSL error details ========

OPENSSL = [
    Rule(
        "openssl-session-error",
        r"(TLS session: \(SSL_\w+\): error:)(.*)(?!: delivering)",
        r"\1 <<detail omitted>>",
        "OpenSSL releases number and word errors differently",
        needle="TLS session: (SSL_",
    ),
    Rule(
        "openssl-accept-eof",
        r"(TLS error on connection from .*)\(SSL_accept\): error:.*"
        r":unexpected eof while reading$",
        r"\1(tls lib accept fn): TCP connection closed by peer",
        "OpenSSL 3 reports a closed connection as an error",
        needle="unexpected eof",
    ),
    Rule(
        "openssl-accept-error",
        r"(TLS error on connection from .* \(SSL_\w+\): error:)(.*)",
        r"\1 <<detail omitted>>",
        "OpenSSL releases number and word errors differently",
        needle="TLS error on connection from ",
    ),
    Skip(
        "openssl-untrusted-depth0",
        r"SSL verify error: depth=0 error=certificate not trusted",
        "only some OpenSSL releases say this",
        needle="SSL verify error: depth=0",
    ),
    Rule(
        "openssl3-dh-too-small",
        r"(TLS error \(D-H param setting .* error:).*dh key too small",
        r"\1xxxxxxxx:SSL routines::dh key too small",
        "OpenSSL 3 error codes",
        needle="dh key too small",
        until=G4_98,
    ),
    Rule(
        "openssl3-dh-rejected",
        r"(TLS error \(D-H param setting .* error:).*(?:dh key too small|unknown security bits)",
        r"\1xxxxxxxx:SSL routines::dh key too small",
        "OpenSSL 3 error codes; 3.2 words the rejection differently",
        needle=("dh key too small", "unknown security bits"),
        since=G4_98,
        until=G4_99,
    ),
    Skip(
        "openssl3-dh-rejected-line",
        r"TLS error \(D-H param setting .* error:.*(?:dh key too small|unknown security bits)",
        "an OpenSSL set to a legacy crypto policy accepts the weak parameters silently",
        needle=("dh key too small", "unknown security bits"),
        since=G4_99,
    ),
    # 4.97 on: OpenSSL 1.1.1's codes for three errors, said as OpenSSL 3 says them.
    Rule(
        "openssl111-key-mismatch",
        r"(error:)0B080074:x509 certificate routines:X509_check_private_key"
        r"(?=:key values mismatch$)",
        r"\g<1>05800074:x509 certificate routines:",
        "OpenSSL 1.1.1 error codes",
        needle="0B080074:",
        since=G4_97,
    ),
    Rule(
        "openssl111-fopen",
        r"(error:)02001002:system library:fopen(?=:No such file or directory$)",
        r"\g<1>80000002:system library:",
        "OpenSSL 1.1.1 error codes",
        needle="02001002:",
        since=G4_97,
    ),
    Rule(
        "openssl111-no-start-line",
        r"(error:)0909006C:PEM routines:get_name(?=:no start line$)",
        r"\g<1>0480006C:PEM routines:",
        "OpenSSL 1.1.1 error codes",
        needle="0909006C:",
        since=G4_97,
    ),
]
