"""Rules for log files and message logs, and for delivered mail (after the common ones)."""

from __future__ import annotations

import harness.munge.rules_host as rules_host
from harness.core.generation import Generation
from harness.host.hostfacts import HostFacts
from harness.munge.model import LOGS, MAIL, Step, by_generation, rules_for, within
from harness.munge.ordering import GnutlsFirstRead, HeaderWithContinuation, MailDkimSignature
from harness.munge.state import DKIM_LOG_TIMES, INCOMING_PORT

_rule, _skip = rules_for(LOGS)
G4_96, G4_97, G4_98, G4_99 = (
    Generation.G4_96,
    Generation.G4_97,
    Generation.G4_98,
    Generation.G4_99,
)


# ======== Log lines, before GnuTLS's first-read errors are joined ========
# The fixed ports' names (4.99) and the incoming port come first (see steps).
BEFORE_GNUTLS: list[Step] = [
    _skip(
        "berkeley-db-error",
        r" Berkeley DB error: ",
        "BDB versions complain differently",
        needle=" Berkeley DB error: ",
    ),
    by_generation(
        _rule,
        "chunking-sizes",
        {
            G4_96: {
                "pattern": r"(=>.* K C=\"250- \d)\d+ (byte chunk, total \d)\d+",
                "repl": r"\1nn \2nn",
                "reason": "chunk sizes depend on host names in headers",
            },
            G4_98: {
                "pattern": r"(=>.* K (?:DKIM=\S+ )?C=\"250- \d)\d+ (byte chunk, total \d)\d+",
                "reason": "chunk sizes depend on host names in headers (a DKIM= field may come"
                " first)",
            },
            G4_99: {
                "pattern": r"(=>.* K (?:DKIM=\S+ )?C=\"250- )\d+ (byte chunk, total )\d+",
                "repl": r"\g<1>3nn \g<2>3nn",
                "reason": "chunk sizes depend on host names in headers",
            },
        },
        needle="byte chunk, total ",
    ),
    by_generation(
        _rule,
        "openssl-fopen-error",
        {
            G4_96: {
                "pattern": (
                    r"(TLS error on connection [^:]*: error:)[0-9A-F]{8}(:system library):"
                    r"(?:fopen|func\(4095\)):(No such file or directory)$"
                ),
                "reason": "OpenSSL error codes vary",
            },
            G4_97: {
                "pattern": (
                    r"(TLS error on connection [^:]*: error:)[0-9A-F]{8}(:system library):"
                    r"(?:fopen|func\(4095\)|):(No such file or directory)$"
                ),
                "reason": "OpenSSL error codes vary (OpenSSL 3 names no function)",
            },
        },
        repl=r"\1xxxxxxxx\2:fopen:\3",
        needle=":system library:",
    ),
    _skip(
        "openssl-read-eof",
        r"TLS error \(SSL_read\): .*error:0A000126:SSL routines::unexpected eof while reading$",
        "OpenSSL 3 reports a peer's plain close as an error",
        needle="0A000126",
        since=G4_97,
    ),
    _rule(
        "openssl-event-accept-eof",
        r"(EVDATA: )\(SSL_accept\): error:0A000126:SSL routines::unexpected eof while reading",
        r"\1SSL_accept: TCP connection closed by peer",
        "OpenSSL 3 reports a peer's plain close as an error",
        needle="0A000126",
        since=G4_97,
    ),
    by_generation(
        _rule,
        "openssl-dane-verify",
        {
            G4_96: {
                "pattern": (
                    r"(DANE attempt failed.*error:)[0-9A-F]{8}(:SSL routines:)"
                    r"(?i:ssl3_get_server_certificate|tls_process_server_certificate|CONNECT_CR_CERT)"
                    r"(?=:certificate verify failed$)"
                ),
                "reason": "OpenSSL versions name the failing function differently",
            },
            G4_97: {
                "pattern": (
                    r"(DANE attempt failed.*error:)[0-9A-F]{8}(:SSL routines:)"
                    r"(?i:ssl3_get_server_certificate|tls_process_server_certificate|CONNECT_CR_CERT|)"
                    r"(?=:certificate verify failed$)"
                ),
                "reason": "OpenSSL versions name the failing function differently (OpenSSL 3 not"
                " at all)",
            },
        },
        repl=r"\1xxxxxxxx\2ssl3_get_server_certificate",
        needle="DANE attempt failed",
    ),
    _rule(
        "openssl-dkim-verify",
        r"(DKIM: validation error: )error:[0-9A-F]{8}:rsa routines:"
        r"(?i:int_rsa_verify|CRYPTO_internal):(?:bad signature|algorithm mismatch)$",
        r"\1Public key signature verification has failed.",
        "say it as GnuTLS builds do",
        needle="DKIM: validation error: ",
        until=G4_99,
    ),
    _rule(
        "openssl-arc-pem",
        r"(ARC: AMS signing: privkey PEM-block import: error:)[0-9A-F]{8}:(PEM routines):"
        r"get_name:(no start line)",
        r"\g<1>0906D06C:\2:PEM_read_bio:\3",
        "OpenSSL 3 error codes",
        needle="ARC: AMS signing",
    ),
]

# ======== Log lines, after GnuTLS's first read ========
# Then the fixed ports by number (rules_host.log_ports, to 4.98).
AFTER_GNUTLS: list[Step] = [
    _rule(
        "gnutls-arc-pem",
        r"(ARC: AMS signing: privkey PEM-block import: )The requested data were not "
        r"available.$",
        r"\1error:0906D06C:PEM routines:PEM_read_bio:no start line",
        "say it as OpenSSL builds do",
        needle="ARC: AMS signing",
    ),
    _rule(
        "openssl3-arc-pem",
        r"(ARC: AMS signing: privkey PEM-block import: error:)[0-9A-F]{8}:PEM routines:"
        r"PEM_read_bio:no start line$",
        r"\g<1>1E08010C:DECODER routines::unsupported",
        "and then as OpenSSL 3 does",
        needle="ARC: AMS signing",
        since=G4_97,
    ),
    *DKIM_LOG_TIMES,
    _rule(
        "ed25519-signer-bits",
        r"(signer: [^ ]* bits:) 256",
        r"\1 253",
        "GnuTLS and OpenSSL count ed25519 key bits differently",
        needle="signer: ",
    ),
    _rule(
        "ed25519-short-key",
        r"(public key too short:) 256 bits",
        r"\1 253 bits",
        "GnuTLS and OpenSSL count ed25519 key bits differently",
        needle="public key too short:",
    ),
]

# ======== Log lines, after the fixed ports ========
AFTER_PORTS: list[Step] = [
    _rule(
        "incoming-port",
        r"(I=\[[^\]]*\]:)\d+",
        r"\1ppppp",
        "the local port of a connection",
        needle="I=[",
        until=G4_99,
    ),
    _rule(
        "defer-errno",
        r"(R=\w+ T=\w+ defer) \([1-9]\d*\): ",
        r"\1 (EEE): ",
        "errno values vary by platform",
        needle=" defer (",
    ),
    _rule(
        "arg-list-too-long",
        r"Arg list too long",
        "Argument list too long",
        "platform wording",
        needle="Arg list too long",
    ),
    _rule(
        "tls-connect-timeout",
        r"(session: )\((SSL_connect|gnutls_handshake)\): timed out",
        r"\1(tls lib connect fn): timed out",
        "TLS libraries name their functions",
        needle="): timed out",
    ),
    _rule(
        "tls-accept-timeout",
        r"(TLS error on connection from .*)\((SSL_accept|gnutls_handshake)\): timed out",
        r"\1(tls lib accept fn): timed out",
        "TLS libraries name their functions",
        needle="): timed out",
    ),
    _rule(
        "tls-accept-closed",
        r"(TLS error on connection from .*)(SSL_accept: TCP connection closed by peer"
        r"|\(gnutls_handshake\): The TLS connection was non-properly terminated.)",
        r"\1(tls lib accept fn): TCP connection closed by peer",
        "TLS libraries word this differently",
        needle="TLS error on connection from ",
    ),
    _rule(
        "gnutls-alpn-client",
        r"(TLS session: )\(gnutls_handshake\): No supported application protocol could be "
        r"negotiated",
        r"\1(SSL_connect): error: <<detail omitted>>",
        "say it as OpenSSL builds do",
        needle="application protocol",
        until=G4_97,
    ),
    _rule(
        "gnutls-alpn-client-alert",
        r"(TLS session: )\(gnutls_handshake\): rxd alert: No supported application protocol "
        r"could be negotiated",
        r"\1(SSL_connect): error: <<detail omitted>>",
        "say it as OpenSSL builds do (GnuTLS now says it received an alert)",
        needle="application protocol",
        since=G4_97,
        until=G4_99,
    ),
    _rule(
        "gnutls-alpn-client-generic",
        r"(TLS session: )\(gnutls_handshake\): rxd alert: No supported application protocol "
        r"could be negotiated",
        r"\1(tls lib connect): error: <<ALPN>>",
        "both TLS libraries' ALPN failures read the same",
        needle="application protocol",
        since=G4_99,
    ),
    _rule(
        "gnutls-alpn-server",
        r"\(gnutls_handshake\): No common application protocol could be negotiated.",
        "(SSL_accept): error: <<detail omitted>>",
        "say it as OpenSSL builds do",
        needle="application protocol",
        until=G4_99,
    ),
    _rule(
        "gnutls-alpn-server-generic",
        r"\(gnutls_handshake\): No common application protocol could be negotiated.",
        "(tls lib connect): error: <<ALPN>>",
        "both TLS libraries' ALPN failures read the same",
        needle="application protocol",
        since=G4_99,
    ),
    _skip(
        "dns-fail-aaaa",
        r"<dns:fail> <DNS_(?:NOMATCH|AGAIN):.*:AAAA>$",
        "not every host has IPv6, so AAAA lookups fail differently",
        needle="<dns:fail>",
        since=G4_98,
    ),
]


def steps(facts: HostFacts) -> list[Step]:
    return [
        *rules_host.log_port_names(facts),
        INCOMING_PORT,
        *BEFORE_GNUTLS,
        GnutlsFirstRead(),
        *AFTER_GNUTLS,
        *rules_host.log_ports(facts),
        *AFTER_PORTS,
    ]


def mail_steps(facts: HostFacts) -> list[Step]:
    return [
        *rules_host.mail_port_names(facts),
        *MAIL_DKIM,
        within(
            HeaderWithContinuation(
                "mail-dsn-diagnostic",
                r"^X-Exim-Diagnostic:",
                "X-Exim-Diagnostic:",
                "not every build includes the DSN diagnostic header",
                kinds=MAIL,
            ),
            G4_97,
        ),
    ]


# ======== Delivered mail: DKIM signatures ========
MAIL_DKIM: list[Step] = [
    MailDkimSignature(),
    within(MailDkimSignature("mail-dkim-timestamp-no-expiry", expiry=False), G4_98),
]
