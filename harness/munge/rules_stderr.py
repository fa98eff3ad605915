"""Rules for a test's standard error, mostly Exim's debug output (after the common ones).

Debug output depends on the build (which TLS library, lookups, optional features) and on
the platform; most of these rules drop lines that only some builds write.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harness.core.generation import Generation
from harness.host.hostfacts import HostFacts, Ports
from harness.munge.model import (
    DIGITS,
    STDERR,
    Rule,
    Step,
    by_generation,
    rules_for,
    utf8_bytes,
    within,
)
from harness.munge.ordering import (
    CheckDirSizeSort,
    DbOpenNil,
    FastOpenConnect,
    FastOpenJoin,
    LibraryVersionBlock,
    LookedUpAddressesNote,
    NotifyCollapse,
    ReceivedExpansionDebug,
    ReceivedHeaderTextJoin,
    SkipWithFollowing,
)
from harness.munge.state import Renumber
from harness.munge.steps_stderr import (
    DnsIpv4LookupGroup,
    FastOpenAttempt,
    JoinAfterRemoval,
    LibraryVersionLines,
    NextLineUnlessElement,
    RetryDbOpen,
    RuleBlock,
    SkipListElements,
)

G96, G97, G98, G99, GM = Generation

# A debug line may start with a time and a pid (4.99: the time is optional; master: the
# pid may already be munged to "p1234"). The harness writes "$time_pid?", so the group is
# optional where it is used.
TIME_PID = r"(?:\d{2}:\d{2}:\d{2}\s+\d+\s)?"
TIME_PID_499 = r"(?:(?:\d{2}:\d{2}:\d{2}\s+)?\d+\s)?"
TIME_PID_MASTER = r"(?:(?:\d{2}:\d{2}:\d{2}\s+)?p?\d+\s)?"

_rule, _skip = rules_for(STDERR)


def _skip_lines(name: str, pattern: str, following: int, reason: str, needle: str) -> Step:
    return SkipWithFollowing(name, pattern, following, reason, kinds=STDERR, needle=needle)


def _pid_then_space(m: re.Match[str], new: Callable[[str], str], raw: int, keep: int = 0) -> str:
    """The stand-in for group `raw` (4.97: "p1234") and a space, after group `keep`."""
    head = m.group(keep) if keep else ""
    return f"{head}{new(m.group(raw))} "


# The hints-database lines of the build description (4.98: also indented, and sqlite3),
# and how 4.99 says which drivers are built in and which are modules.
BERKELEY_497 = r"Berkeley DB:\s|Probably (?:Berkeley DB|ndbm|GDBM)|Using tdb"
BERKELEY_498 = r".*\sBerkeley DB|\sProbably (?:Berkeley DB|ndbm|GDBM)|\sUsing (?:tdb|sqlite3)"
DRIVER_KINDS = r" \((?:built-in|dynamic)\)"


def _header_skip(
    name: str,
    time_pid: str,
    berkeley: str,
    drivers: str,
) -> Step:
    """From 4.97 the build description at the start of debug output is dropped first
    (4.96 drops it last, see END)."""
    return _skip(
        name,
        rf"^{time_pid}(?:{berkeley}|Authenticators{drivers}:|Lookups(?:\(built-in\))?:"
        r"|Support for:|Routers" + drivers + r":|Transports" + drivers + r":|Malware:"
        r"|log selectors =|cwd=|Fixed never_users|Configure owner|Size of off_t:)",
        "the start of debug output describes the build",
    )


def _tls_received(m: re.Match[str]) -> str:
    return (
        m.group(1) + "${if def:tls_in_ver        { ($tls_in_ver)}}"
        "${if def:tls_in_cipher_std { tls $tls_in_cipher_std\n"
        + m.group(2)
        + "\t}}(Exim $version_number)"
    )


# ======== Start of debug output: version, build, hints databases, pids ========
# First, while lines are as Exim wrote them: from 4.97 the build description goes
# before anything rewrites its words (4.96 drops it last, see END).
START = [
    _rule(
        "exim-version",
        r"^Exim version .*",
        "Exim version x.yz ....",
        "the first debug line names the version",
        needle="Exim version ",
    ),
    by_generation(
        _header_skip,
        "build-details",
        {
            G97: {"time_pid": TIME_PID, "berkeley": BERKELEY_497, "drivers": ""},
            G98: {"berkeley": BERKELEY_498},
            G99: {"time_pid": TIME_PID_499, "drivers": DRIVER_KINDS},
            GM: {"time_pid": TIME_PID_MASTER},
        },
    ),
    _skip(
        "daemon-listening@4.99",
        r"^(?:\d+ )?Listening...$",
        "whether a daemon says this before it is killed depends on timing",
        needle="Listening",
        since=G99,
    ),
    _skip(
        "hintsdb-lockfile@4.98",
        r"lock(?:ing|ed) .*/spool/db/[^.]+\.lockfile$",
        "only some hints-database providers use lock files",
        needle=".lockfile",
        since=G98,
    ),
    _rule(
        "hintsdb-close-lockfile@4.98",
        r"(closed hints database) and lockfile$",
        r"\1",
        "only some hints-database providers use lock files",
        needle="closed hints database and lockfile",
        since=G98,
    ),
    within(RetryDbOpen(), G99),
    within(
        _skip_lines(
            "hintsdb-close@4.99",
            r"EXIM_DBCLOSE(_MULTI)?",
            1,
            "closes of hints databases differ between providers",
            needle="EXIM_DBCLOSE",
        ),
        G99,
    ),
    _skip(
        "retry-db-handle@4.99",
        r"(?:retaining retry hintsdb handle|using cached retry hintsdb (?:handle|nonpresence))$",
        "only providers with transactions keep the retry database open",
        needle=" retry hintsdb ",
        since=G99,
    ),
    within(
        _skip_lines(
            "retry-db-final-close@4.99",
            r"final close of cached retry db$",
            2,
            "only providers with transactions keep the retry database open",
            needle="final close of cached retry db",
        ),
        G99,
    ),
    _skip(
        "hintsdb-transaction@4.99",
        r"dbfn_transaction_(?:start|commit)$",
        "only some hints-database providers have transactions",
        needle="dbfn_transaction_",
        since=G99,
    ),
    _rule(
        "hintsdb-open-error@4.99",
        r"(?:bdb|tdb|gdbm|ndbm|sqlite)_open\(flags 0x(\d) mode 0640\) "
        r"(?:No such file or directory|unable to open database file)$",
        r"hintsdb_open(flags 0x\1 mode 0640) No such file or directory",
        "each hints-database provider names itself and words the error its own way",
        needle="_open(flags 0x",
        since=G99,
    ),
    _rule(
        "terminating-pid",
        r"^(>>>>>>>>>>>>>>>> Exim pid=)\d+(?= terminating)",
        r"\1pppp",
        "pids vary",
        needle=" Exim pid=",
        until=G97,
    ),
    _rule(
        "proxy-proc-pid",
        r"^(proxy-proc \w{5}-pid) \d+$",
        r"\1 pppp",
        "pids vary",
        needle="proxy-proc ",
        until=G97,
    ),
    _rule(
        "exec-pid",
        r"^(?:\s*\d+ )(exec .* -oPX)$",
        r"pppp \1",
        "pids vary",
        needle=" -oPX",
        until=G97,
    ),
    within(
        Renumber(
            "leading-pid@4.97",
            r"^\s*(\d{4,})\s"
            r"(?!(?:previous message|in\s|bytes remain in|SMTP accept process running))",
            "pid",
            lambda m, new: _pid_then_space(m, new, 1),
            "a debug line may start with the pid of the process writing it",
            kinds=STDERR,
            prefix="p",
        ),
        G97,
    ),
    within(
        Renumber(
            "connection-id@4.99",
            r"(connection_id: )(\d+)$",
            "conn",
            lambda m, new: m.group(1) + new(m.group(2)),
            "connection ids are the pids of the processes that took the connections",
            kinds=STDERR,
            needle="connection_id: ",
            prefix="conn",
        ),
        G99,
    ),
    _skip(
        "fork-lines",
        r"(?:postfork: | fork(?:ing|ed) for )",
        "process creation reporting varies with timing",
        needle="fork",
    ),
    _rule(
        "host-lookup-function",
        r"\b(gethostbyname2?|\bgetipnodebyname)(\(af=inet\))?",
        "get[host|ipnode]byname[2]",
        "the resolver function depends on IPv6 support",
        needle="get",
    ),
    by_generation(
        _skip,
        "ipv6-fake-lookup",
        {
            G96: (
                r"^host_fake_gethostbyname\(af=inet6\) returned 1 "
                r"\(HOST_NOT_FOUND\)$"
            ),
            G99: r"^\s*host_fake_gethostbyname\(af=inet6\) returned 1 \(HOST_NOT_FOUND\)$",
        },
        reason="an extra lookup when IPv6 is supported",
        needle="host_fake_gethostbyname",
    ),
    _skip(
        "reset-tz", r"^Reset TZ to", "the tester's time zone does not matter", needle="Reset TZ to"
    ),
]

# The fixed ports get their names here (port_names), between START and LIBRARIES.

# ======== Lookup and TLS library versions ========
LIBRARIES = [
    by_generation(
        _rule,
        "lookup-type-char",
        {
            G96: r"^(\s+(:?closing )?)[0-?]TESTSUITE/aux-fixed/",
            G99: r"^(\s+(?:closing )?)[0-Z]TESTSUITE/aux-fixed/",
        },
        repl=r"\g<1>0TESTSUITE/aux-fixed/",
        reason="lookup debug lines carry a character that depends on the lookups built in",
        every=True,
        needle="TESTSUITE/aux-fixed/",
    ),
    _skip(
        "gnutls-compile-version",
        r"GnuTLS compile-time version: \d+[\.\d]+$",
        "library versions vary",
        needle="GnuTLS compile-time",
    ),
    _skip(
        "gnutls-runtime-version",
        r"GnuTLS runtime version: \d+[\.\d]+$",
        "library versions vary",
        needle="GnuTLS runtime",
    ),
    _skip(
        "gnutls-fips",
        r"^GnuTLS<2>: FIPS140-2 (context is not set|operation mode "
        r"switched from initial to not-approved)$",
        "GnuTLS chatter",
        needle="FIPS140-2",
    ),
    _skip(
        "gnutls-sign-assert",
        r"^GnuTLS<3>: ASSERT: sign.c\[_gnutls_sign_is_secure2\]:\d+$",
        "GnuTLS chatter",
        needle="GnuTLS<3>",
    ),
    _skip(
        "gnutls-pkcs11-lib-assert@4.97",
        r"^GnuTLS<3>: ASSERT: \.\./\.\./lib/pkcs11.c"
        r"\[(?:find_multi_objs_cb|gnutls_pkcs11_obj_list_import_url3)\]:",
        "GnuTLS chatter",
        needle="GnuTLS<3>: ASSERT: ",
        since=G97,
    ),
    _skip(
        "openssl-compile-version",
        r"OpenSSL compile-time version: OpenSSL \d+[\.\da-z]+",
        "library versions vary",
        needle="OpenSSL compile-time",
    ),
    _skip(
        "openssl-runtime-version",
        r"OpenSSL runtime version: OpenSSL \d+[\.\da-z]+",
        "library versions vary",
        needle="OpenSSL runtime",
    ),
    _skip(
        "openssl-stek",
        r"^OpenSSL: creating STEK$",
        "depends on timing",
        needle="OpenSSL: creating STEK",
    ),
    _skip(
        "selfsign-rotate",
        r"^selfsign cert rotate$",
        "depends on timing",
        needle="selfsign cert rotate",
    ),
]

# ======== TLS set-up: preloads, certificates, library chatter ========
# What OpenSSL and GnuTLS builds say differently while they set up TLS.
TLS_PRELOAD = [
    by_generation(
        _skip,
        "openssl-preload",
        {
            G96: (
                r"^TLS: (preloading (DH params|ECDH curve|CA bundle) for server"
                r"|generating selfsigned server cert)"
            ),
            G97: (
                r"^TLS: (preloading (DH params \S+|ECDH curve \S+|CA bundle) for server"
                r"|generating selfsigned server cert)"
            ),
        },
        reason="only OpenSSL preloads these",
        needle="TLS: ",
    ),
    by_generation(
        _skip,
        "openssl-dh-default",
        {
            G96: r"^Diffie-Hellman initialized from default",
            G97: r"^ Diffie-Hellman initialized from default",
        },
        reason="only OpenSSL says this",
        needle="Diffie-Hellman",
    ),
    by_generation(
        _skip,
        "openssl-ecdh-settings",
        {
            G96: r"^ECDH OpenSSL (< )?[\d.+]+: temp key parameter settings:",
            G97: r"^ ECDH OpenSSL (< )?[\d.+]+: temp key parameter settings:",
        },
        reason="only OpenSSL says this",
        needle="ECDH OpenSSL",
    ),
    by_generation(
        _skip,
        "openssl-ecdh-curve",
        {
            G96: r"^ECDH: .*'prime256v1'",
            G97: r"^ ECDH: .*'prime256v1'",
        },
        reason="only OpenSSL says this",
        needle="ECDH: ",
    ),
    _skip(
        "tls-verify-system",
        r"^tls_verify_certificates: system$",
        "only OpenSSL says this",
        needle="tls_verify_certificates: system",
    ),
    _skip(
        "tls-watch-cert-pem",
        r"^tls_set_watch: .*/cert.pem",
        "system CA bundle location",
        needle="tls_set_watch: ",
    ),
    _skip(
        "rsa-keygen",
        r"^Generating 2048 bit RSA key",
        "only OpenSSL says this",
        needle="Generating 2048 bit RSA key",
    ),
    _skip(
        "tls-watch-missing@4.99",
        r"(tls_set_one_watch|tls_set_watch).*No such file or directory$",
        "some systems have no system CA certificates",
        needle="_watch",
        since=G99,
    ),
    _skip(
        "gnutls-global-init",
        r"^GnuTLS global init required$",
        "only GnuTLS says this",
        needle="GnuTLS global init",
    ),
    _skip(
        "gnutls-basic-cred",
        r"^TLS: basic cred init, server",
        "only GnuTLS says this",
        needle="TLS: basic cred init",
    ),
    _skip(
        "gnutls-null-cipher-list",
        r"^TLS: preloading cipher list for server: NULL$",
        "only GnuTLS says this",
        needle="TLS: preloading cipher list",
    ),
    _rule(
        "gnutls-default-priority",
        r'^GnuTLS using default session cipher/priority "NORMAL"$',
        "TLS: not preloading cipher list for server",
        "say it as OpenSSL builds do",
        needle="GnuTLS using default session",
    ),
    _skip(
        "gnutls-priority-counts",
        r"^GnuTLS<2>: added \d+ protocols, \d+ ciphersuites, \d+ "
        r"sig algos and \d+ groups into priority list$",
        "GnuTLS chatter",
        needle="GnuTLS<2>: added ",
    ),
    _skip(
        "gnutls-x509-chatter",
        r"^GnuTLS<2>: (Disabling X.509 extensions|signing structure "
        r"using RSA-SHA256)",
        "GnuTLS chatter",
        needle="GnuTLS<2>: ",
    ),
    _skip(
        "gnutls-alt-names",
        r"^GnuTLS.*(wrap_nettle_mpi_print|gnutls_subject_alt_names_get"
        r"|get_alt_name)",
        "GnuTLS chatter",
        needle="GnuTLS",
    ),
    _skip(
        "gnutls-pkcs11",
        r"^GnuTLS<[23]>: (p11|ASSERT: pkcs11.c|Initializing needed PKCS #11 "
        r"modules)",
        "GnuTLS chatter",
        needle="GnuTLS<",
    ),
    _skip(
        "gnutls-intel-accel",
        r"^GnuTLS<2>: Intel (AES|GCM) accelerator was detected",
        "depends on the CPU",
        needle="GnuTLS<2>: Intel ",
    ),
    _skip(
        "ca-count",
        r"^Added \d{3} certificate authorities",
        "the system CA bundle's size varies",
        needle="certificate authorities",
    ),
    _skip(
        "gnutls-no-crl",
        r"^TLS: not preloading CRL for server",
        "only GnuTLS says this",
        needle="TLS: not preloading CRL",
    ),
    _skip(
        "gnutls-ext-assert",
        r"^GnuTLS<3>: ASSERT: extensions.c\[_gnutls_get_extension",
        "GnuTLS chatter",
        needle="GnuTLS<3>: ASSERT: ",
    ),
    _skip(
        "gnutls-x509-assert",
        r"^GnuTLS<3>: ASSERT: \.\./\.\./\.\./lib/x509/",
        "GnuTLS chatter",
        needle="GnuTLS<3>: ASSERT: ",
    ),
    _skip(
        "gnutls-pkcs11-init",
        r"^GnuTLS<2>: Initializing PKCS #11 modules",
        "GnuTLS chatter",
        needle="GnuTLS<2>: Initializing",
    ),
    _skip("kevent-watch-dir", r"^watch dir", "only kevent platforms say this", needle="watch dir"),
    _skip(
        "kevent-watch-local",
        r"^watch file .*/usr/local",
        "only kevent platforms say this",
        needle="watch file ",
    ),
    _skip(
        "kevent-watch-etc-ssl",
        r"^watch file .*/etc/ssl",
        "only kevent platforms say this",
        needle="watch file ",
    ),
    _skip(
        "kevent-watch-close",
        r"^closing watch fd:",
        "only kevent platforms say this",
        needle="closing watch fd:",
    ),
    _skip(
        "selfsigned-generation",
        r"^TLS: generating selfsigned server cert",
        "preloads happen in different orders for each library",
        needle="TLS: generating selfsigned",
    ),
    _skip(
        "not-preloading-bundle",
        r"^TLS: not preloading (CA bundle|cipher list) for server$",
        "preloads happen in different orders for each library",
        needle="TLS: not preloading ",
    ),
    _skip(
        "not-preloading-certs",
        r"^TLS: not preloading server certs$",
        "preloads happen in different orders for each library",
        needle="TLS: not preloading server certs",
    ),
    by_generation(
        _skip,
        "ca-bundle-missing",
        {
            G97: (
                r"^tls_set_watch\(\) fail on '/usr/lib/ssl/cert.pem': "
                r"No such file or directory$"
            ),
            G98: (
                r"^tls_set_watch\(\) fail on '/usr/(?:lib/ssl|local/openssl3/etc/pki/tls)/"
                r"cert.pem': No such file or directory$"
            ),
        },
        reason="some platforms lack the standard CA bundle",
        needle="tls_set_watch() fail on ",
    ),
]

# ======== Build options, optional features and IPv6 ========
BUILD_INFO: list[Step] = [
    by_generation(
        _skip,
        "lookup-module-list",
        {
            G96: {
                "pattern": (
                    rf"^{TIME_PID}(?:Lookups \(built-in\):|Loading lookup modules "
                    r"from|Loaded \d+ lookup modules|Total \d+ lookups)"
                ),
                "reason": "builds include different lookups",
                "needle": "ookup",
            },
            G99: {
                "pattern": (
                    r"(?:Lookups \((?:built-in|dynamic)\):"
                    r"|searchtype \w+ not initially found"
                    r"|Loaded \"\w+\" \(\d+ lookup types?\)|Loading lookup modules from"
                    r"|Loaded \d+ lookup modules|Total \d+ built-in lookups)"
                ),
                "reason": "builds include different lookups, built in or as modules",
                "needle": ("ookup", "searchtype "),
            },
            GM: {
                "pattern": (
                    r"(?:Lookups \((?:built-in|dynamic)\):"
                    r"|searchtype \w+ not initially found"
                    r"|Loaded \"\w+\" \(\d+ lookup types?\)|Loading lookup modules from"
                    r"|Loaded \d+ dynamic lookup modules|Total \d+ built-in lookups"
                    r"|Loaded module \")"
                ),
                "needle": ("ookup", "searchtype ", 'Loaded module "'),
            },
        },
    ),
    by_generation(
        _skip,
        "driver-modules",
        {
            G99: {
                "pattern": (
                    rf"^{TIME_PID_499}(?:Loading \w+ (?:router|transport|auth) driver from"
                    r"|Loaded \w+ (?:router|transport|auth)$)"
                ),
                "reason": "drivers may be built as loadable modules",
                "needle": ("Loading ", "Loaded "),
            },
            GM: {
                "pattern": (
                    rf"^{TIME_PID_MASTER}(?:Loading \"\w+\" "
                    r"(?:router|transport|auth) driver from"
                    r"|Loaded module \"\w+\" \((?:router|transport|auth)\)$"
                    r"|\s*(?:Load(?:ing|ed) module|Module init:) \")"
                ),
                "reason": "drivers and other features may be built as loadable modules",
                "needle": ("Load", "Module init:"),
            },
        },
    ),
    by_generation(
        _skip,
        "compiler",
        {
            G96: rf"^{TIME_PID}Compiler:",
            G99: rf"^{TIME_PID_499}Compiler:",
            GM: rf"^{TIME_PID_MASTER}Compiler:",
        },
        reason="builds use different compilers",
        needle="Compiler:",
    ),
    by_generation(
        LibraryVersionLines,
        "library-versions",
        {
            G96: LibraryVersionBlock(),
            G99: {"time_pid": TIME_PID_499},
            GM: {"time_pid": TIME_PID_MASTER},
        },
    ),
    _skip(
        "whitelist-d-macros",
        rf"^{TIME_PID}WHITELIST_D_MACROS:",
        "a build-time setting",
        needle="WHITELIST_D_MACROS:",
        until=G99,
    ),
    _skip(
        "trusted-config-list",
        rf"^{TIME_PID}TRUSTED_CONFIG_LIST:",
        "a build-time setting",
        needle="TRUSTED_CONFIG_LIST:",
        until=G99,
    ),
    by_generation(
        _skip,
        "build-settings",
        {
            G99: rf"^{TIME_PID_499}(?:WHITELIST_D_MACROS|TRUSTED_CONFIG_LIST):",
            GM: rf"^{TIME_PID_MASTER}(?:WHITELIST_D_MACROS|TRUSTED_CONFIG_LIST):",
        },
        reason="build-time settings",
        needle=("WHITELIST_D_MACROS:", "TRUSTED_CONFIG_LIST:"),
    ),
    _skip(
        "setgid-failure",
        r"^changing group to \d+ failed: (Operation not permitted"
        r"|Not owner)",
        "-be drops privilege, so setgid always fails",
        needle="changing group to ",
    ),
    _skip_lines(
        "tls-require-cipher-check",
        r"^changed uid/gid: calling "
        r"tls_validate_require_cipher",
        1,
        "only builds with TLS check the ciphers",
        needle="tls_validate_require_cipher",
    ),
    _skip(
        "tls-require-cipher-child",
        r"^tls_validate_require_cipher child \d+ ended: "
        r"status=0x0",
        "only builds with TLS check the ciphers",
        needle="tls_validate_require_cipher child",
    ),
    _skip(
        "macros-trusted",
        r"^macros_trusted overridden to true by whitelisting",
        "the harness always runs Exim with -D",
        needle="macros_trusted overridden",
    ),
    LookedUpAddressesNote(),
    _skip(
        "ipv6-loopback",
        r"name=localhost address=::1",
        "::1 exists only on IPv6 hosts",
        needle="address=::1",
    ),
    _skip(
        "pdkim-header",
        r"^DKIM( <<<<<<<<<<<<<<<<<<<<<<<<<<<<<+|: no signatures)$",
        "not every build has DKIM",
        needle="DKIM",
    ),
    by_generation(
        _skip,
        "dkim-acl-option",
        {
            G98: {"pattern": r"try option acl_smtp_dkim$", "needle": "try option acl_smtp_dkim"},
            G99: {
                "pattern": r"try option 'acl_smtp_dkim'$",
                "needle": "try option 'acl_smtp_dkim'",
            },
        },
        reason="not every build has DKIM",
    ),
    _skip(
        "dmarc-re-cache@master",
        r" compiled RE '\^(?:mailto:.+|\\d\{1,(?:3|10)\}\$|\[01ds\]\$)' "
        r"(?:not found|saved) in local cache$",
        "the native DMARC implementation compiles these at start-up",
        needle=" in local cache",
        since=GM,
    ),
    _skip(
        "dscp-option@master",
        r"try option 'dscp'",
        "not every build has DSCP",
        needle="try option 'dscp'",
        since=GM,
    ),
    _skip(
        "socket-output-buffer",
        r"\d+ bytes remain in socket output buffer$",
        "only some platforms have TIOCOUTQ",
        needle="bytes remain in socket",
    ),
    _skip(
        "ipv6-fake-host-lookup",
        r"using host_fake_gethostbyname for \S+ \(IPv6\)",
        "IPv6 lookups happen only on IPv6 hosts",
        needle="(IPv6)",
    ),
    _skip(
        "ipv6-host-lookup",
        r"get\[host\|ipnode\]byname\[2\]\(af=inet6\)",
        "IPv6 lookups happen only on IPv6 hosts",
        needle="(af=inet6)",
    ),
    _skip(
        "aaaa-fakens",
        r"DNS lookup of \S+ \(AAAA\) using fakens",
        "IPv6 lookups happen only on IPv6 hosts",
        needle="(AAAA)",
    ),
    _skip(
        "dns-ipv4-lookup",
        r" in dns_ipv4_lookup?",
        "IPv6 lookups happen only on IPv6 hosts",
        needle=" in dns_ipv4_looku",
        until=G98,
    ),
    _skip(
        "aaaa-neg-cache",
        r" writing neg-cache entry for .*AAAA",
        "IPv6 lookups happen only on IPv6 hosts",
        needle="neg-cache entry",
    ),
    by_generation(
        _skip,
        "aaaa-fake-length",
        {
            G96: r"^faking res_search\(AAAA\) response length as 65535",
            G98: r"^ *faking res_search\(AAAA\) response length as 65535",
        },
        reason="IPv6 lookups happen only on IPv6 hosts",
        needle="faking res_search(AAAA)",
    ),
    within(DnsIpv4LookupGroup(), G98),
    _skip_lines(
        "aaaa-no-data",
        r"DNS lookup of \S+ \(AAAA\) gave NO_DATA",
        1,
        "IPv6 lookups happen only on IPv6 hosts",
        needle="(AAAA) gave NO_DATA",
    ),
    _rule(
        "received-default-no-tls",
        r"^((.*)\t}}}}by \$primary_hostname \$\{if def:received_protocol \{with "
        r"\$received_protocol }})\(Exim \$version_number\)$",
        _tls_received,
        "non-TLS builds have a different default Received: header",
        needle="(Exim $version_number)",
    ),
    _rule(
        "received-considering-no-tls",
        r"^((\s*).*considering: with \$received_protocol }})\(Exim \$version_number\)$",
        _tls_received,
        "non-TLS builds have a different default Received: header",
        needle="(Exim $version_number)",
    ),
    _skip_lines(
        "received-tls-in-ver",
        r"condition: def:tls_in_ver$",
        21,
        "the TLS part of the Received: expansion, absent without TLS",
        needle="condition: def:tls_in_ver",
    ),
    _skip(
        "tls-advertise-check@4.97",
        r"^((>>>)?\s*host)? in tls_advertise_hosts\?$",
        "TLS is not always built in",
        needle=" in tls_advertise_hosts?",
        since=G97,
    ),
    _skip(
        "tls-options-unset",
        r"in\s(?:tls_advertise_hosts\?|hosts_require_tls\?)\sno\s"
        r"\((option\sunset|end\sof\slist)\)",
        "TLS is not always built in",
        needle="tls",
    ),
    _skip(
        "dane-dnssec@4.98",
        r"lack of DNSSEC traceability precludes DANE$",
        "builds without TLS cannot have DANE",
        needle="precludes DANE",
        since=G98,
    ),
    _skip(
        "dane-ciphers-option@master",
        r"^_OPT_TRANSPORT_SMTP_DANE_REQUIRE_TLS_CIPHERS=y",
        "builds without TLS cannot have DANE",
        needle="_OPT_TRANSPORT_SMTP_DANE_REQUIRE_TLS_CIPHERS=y",
        since=GM,
    ),
    _skip(
        "auxiliary-groups",
        r"auxiliary group list:",
        "group lists vary",
        needle="auxiliary group list:",
    ),
    _skip(
        "gecos-extraction",
        r"extracted from gecos field",
        "the gecos field varies",
        needle="extracted from gecos field",
    ),
    _skip(
        "waiting-for-data",
        r"waiting for data on socket",
        "packet boundaries vary between systems",
        needle="waiting for data on socket",
    ),
    _skip(
        "response-data-size",
        r"read response data: size=",
        "packet boundaries vary between systems",
        needle="read response data: size=",
    ),
    _skip(
        "readline-missing",
        r"failed to load readline:",
        "depends on installed libraries",
        needle="failed to load readline:",
    ),
]

# DbOpenNil (it needs the suite directory) and ReceivedExpansionDebug run between
# BUILD_INFO and MIDDLE.

# ======== Debug output of a run, by subject ========
MIDDLE: list[Step] = [
    # -- connections, timing and the daemon's notifier socket
    _rule(
        "connection-request-port",
        r"(Connection request from 127.0.0.1 port) \d{1,5}",
        r"\1 sssss",
        "client ports vary",
        needle="Connection request from ",
    ),
    _rule(
        "extra-port-macro@master",
        r"(macros_expand: matched 'EXTRA' in 'port = \$\{if queue_running\{)\d{4}\}\{\d{4}\}",
        r"\1ppp1}{ppp2}",
        "the local ports configured when several test runs share a host",
        needle="matched 'EXTRA' in 'port = ",
        since=GM,
    ),
    _rule(
        "operation-timed-out-again",
        r"Operation timed out",
        "Connection timed out",
        "platform wording",
        needle="Operation timed out",
    ),
    _rule(
        "disconnect-reset",
        r"(unexpected disconnection while reading SMTP command from "
        r"\[127.0.0.1\] )\(error: Connection reset by peer\) ",
        r"\1",
        "platforms differ on disconnect",
        needle="(error: Connection reset by peer) ",
    ),
    by_generation(
        _rule,
        "neg-cache-resolver-bits",
        {
            G96: (
                r"^( (?:writing|update) neg-cache entry for [^,]+-)"
                r"[0-9a-f]+, ttl"
            ),
            G98: r"((?:writing|update) neg-cache entry for [^,]+-)[0-9a-f]+, ttl",
        },
        repl=r"\1xxxx, ttl",
        reason="resolver option bits vary by platform",
        needle="neg-cache entry for ",
    ),
    _rule(
        "time-on-queue",
        r"^(time on queue = )1s",
        r"\g<1>0s",
        "run-to-run timing",
        needle="time on queue = ",
    ),
    _rule(
        "scan-file-name",
        r"(unspool_mbox\(\): unlinking 'TESTSUITE/spool/scan/[^/]*/)[^']*",
        r"\1FFFFFFFFF",
        "directory order in content scanning varies",
        needle="unspool_mbox(): unlinking",
    ),
    _skip(
        "dane-unset",
        r"in\shosts_require_dane\?\sno\s\(option\sunset\)",
        "DANE is not always built in",
        needle="hosts_require_dane",
    ),
    _rule(
        "notifier-socket-pid",
        r"^(\s*\d+|ppppp) (creating notifier socket)$",
        r"ppppp \2",
        "pids vary",
        needle="creating notifier socket",
        until=G97,
    ),
    by_generation(
        _rule,
        "notifier-abstract-name",
        {
            G96: {"pattern": r"^ @(.*exim_daemon_notify)$", "repl": r" \1"},
            G97: {"pattern": r" @(?=[^ @]+/spool/exim_daemon_notify$)", "repl": " "},
        },
        reason="abstract socket names are Linux-only",
        needle="exim_daemon_notify",
    ),
    _rule(
        "notifier-socket-name",
        r"^(\s*\d+|ppppp)  @?(.*exim_daemon_notify)$",
        r"ppppp  \2",
        "pids vary, abstract socket names are Linux-only",
        needle="exim_daemon_notify",
        until=G97,
    ),
    _skip(
        "notifier-unlink",
        r"unlinking notifier socket",
        "depends on timing",
        needle="unlinking notifier socket",
    ),
    NotifyCollapse(),
    # -- lookups, environment, buffers and sizes (4.98 on: here; 4.96 and 4.97: below)
    _rule(
        "lookup-type-letter@4.97",
        r"(?<!lsearch)[^ ](?=TESTSUITE/aux-fixed/(?:0414.list[12]|0464.domains)$)",
        "0",
        "lookup debug lines carry a character that depends on the lookups built in",
        needle="TESTSUITE/aux-fixed/",
        since=G97,
    ),
    by_generation(
        _rule,
        "search-type-number",
        {
            G96: r"^(\s*search_type )\d+ \((\w+)\) quoting -1 \(none\)$",
            G98: r"(search_type )\d+ \((\w+)\) quoting -1 \(none\)$",
            G99: None,
        },
        repl=r"\1NN (\2) quoting -1 (none)",
        reason="lookup numbers depend on the lookups built in",
        needle="search_type ",
    ),
    _skip(
        "module-init@master",
        rf"^{TIME_PID_MASTER}Module init: ",
        "builds have different optional modules",
        needle="Module init: ",
        since=GM,
    ),
    _skip(
        "keep-environment@4.98",
        r"\w+ in keep_environment\? (yes|no)",
        "the environment differs",
        needle="in keep_environment?",
        since=G98,
    ),
    by_generation(
        _rule,
        "cmd-buf-flush",
        {
            G98: r"^cmd buf flush \d+ bytes",
            G99: r"^\s*cmd buf flush \d+ bytes",
        },
        repl="cmd buf flush ddd bytes",
        reason="sizes vary with the host name",
        needle="cmd buf flush ",
    ),
    by_generation(
        _rule,
        "dbfn-write-size",
        {
            G98: r"(dbfn_write: key=.* datalen )\d{2,3}$",
            G99: r"(dbfn_write: key=.* datalen )\d{1,3}$",
        },
        repl=r"\1nn",
        reason="platforms put different error texts into retry records",
        needle="dbfn_write: key=",
    ),
    by_generation(
        _rule,
        "dbfn-read-size",
        {
            G98: {"pattern": r"(dbfn_read: size )\d{2,3}(?= return$)", "repl": r"\1nnn"},
            G99: {"pattern": r"(dbfn_read: size )\d{1,3}(?= return$)", "repl": r"\1nn"},
        },
        reason="platforms put different error texts into retry records",
        needle="dbfn_read: size ",
    ),
    _rule(
        "directory-space@4.98",
        r"((?:spool|log) directory space =) -?\d+K (inodes =)\s*-?\d+",
        r"\1 nnnnnK \2 nnnnn",
        "free space varies",
        needle="directory space =",
        since=G98,
    ),
    _skip(
        "local-scan@master",
        rf"Local-Scan API:|^{TIME_PID_MASTER}(?:calling local_scan\(\); timeout=300$"
        r"|local_scan\(\) returned \d+)",
        "most builds are without local_scan",
        needle="ocal",
        since=GM,
    ),
    # -- checks made only by builds with an optional feature
    by_generation(
        _skip,
        "mime-acl-option",
        {
            G98: {"pattern": r"try option acl_(?:not_)?smtp_mime$", "needle": "smtp_mime"},
            G99: {"pattern": r"try option 'acl_(?:not_)?smtp_mime'$", "needle": "smtp_mime'"},
        },
        reason="not every build has content scanning",
    ),
    by_generation(
        _skip,
        "ocsp-checks",
        {
            G96: r"in hosts_requ(est|ire)_ocsp\? (no|yes)",
            G99: r"in hosts_requ(?:est|ire)_ocsp\?",
            GM: None,
        },
        reason="OCSP is not always built in",
        needle="_ocsp?",
    ),
    _skip(
        "ocsp-option@master",
        r"^_OPT_TRANSPORT_SMTP_HOSTS_REQU(?:EST|IRE)_OCSP=y$",
        "OCSP is not always built in",
        needle="_OCSP=y",
        since=GM,
    ),
    within(
        SkipListElements(
            "ocsp-checks@master",
            r"in hosts_requ(?:est|ire)_ocsp\?",
            "OCSP is not always built in",
            needle="_ocsp?",
        ),
        GM,
    ),
    _skip(
        "wellknown-advertise@4.98",
        r" in wellknown_advertise_hosts\?",
        "WELLKNOWN is not always built in",
        needle=" in wellknown_advertise_hosts?",
        since=G98,
    ),
    _skip(
        "proxy-checks",
        r"host in hosts_proxy\?",
        "PROXY is not always built in",
        needle="host in hosts_proxy?",
    ),
    _skip(
        "pipe-connect-macro@master",
        r"^macros_expand: matched '_HAVE_PIPE_CONNECT",
        "PIPE_CONNECT is not always built in",
        needle="_HAVE_PIPE_CONNECT",
        since=GM,
    ),
    within(
        SkipListElements(
            "pipe-connect-list@4.97",
            r"^(>>>)?\s*host in pipelining_connect_advertise_hosts\?$",
            "PIPE_CONNECT is not always built in",
            needle=" in pipelining_connect_advertise_hosts?",
        ),
        G97,
    ),
    _skip(
        "pipe-connect-checks",
        r" in (pipelining_connect_advertise_hosts|hosts_pipe_connect)?"
        r"\? no ",
        "PIPE_CONNECT is not always built in",
        needle="? no ",
    ),
    _skip(
        "smtputf8-checks",
        r" in smtputf8_advertise_hosts\? no \(option unset\)",
        "SMTPUTF8 is not always built in",
        needle="smtputf8_advertise_hosts",
    ),
    _skip(
        "requiretls-checks",
        r" in tls_advertise_requiretls?\? no \(end of list\)",
        "REQUIRETLS is not always built in",
        needle="tls_advertise_requiretl",
    ),
    within(
        SkipListElements(
            "limits-list@4.97",
            r"^((>>>)?\s*host)? in limits_advertise_hosts\?$",
            "LIMITS is not always built in",
            needle=" in limits_advertise_hosts?",
            element=r"^(>>>)?\s*list element: !\*$",
        ),
        G97,
    ),
    _skip(
        "limits-checks",
        r' in limits_advertise_hosts?\? no \(matched "!\*"\)',
        "LIMITS is not always built in",
        needle="limits_advertise_host",
    ),
    _skip(
        "limits-macro@master",
        rf"^{TIME_PID_MASTER}macros_expand: matched '_HAVE_ESMTP_LIMITS'",
        "LIMITS is not always built in",
        needle="_HAVE_ESMTP_LIMITS",
        since=GM,
    ),
    by_generation(
        _skip,
        "xclient-checks",
        {
            G97: {
                "pattern": r" in hosts_xclient?\? no \(option unset\)",
                "needle": " in hosts_xclien",
            },
            G98: {
                "pattern": r" in hosts_xclient\? no \(option unset\)",
                "needle": " in hosts_xclient?",
            },
        },
        reason="XCLIENT is not always built in",
    ),
    _skip(
        "wellknown-checks@4.98",
        r" in hosts_wellknown\? no \(option unset\)",
        "WELLKNOWN is not always built in",
        needle=" in hosts_wellknown?",
        since=G98,
    ),
    _skip(
        "fastopen-sockopt",
        r"^(ppppp )?setsockopt FASTOPEN: Network Error",
        "not every platform supports TCP Fast Open",
        needle="setsockopt FASTOPEN",
    ),
    _skip(
        "tls-resumption-checks@4.97",
        r"in tls_resumption_hosts\?|RE '.outlook.com",
        "not every build has TLS resumption",
        needle=("in tls_resumption_hosts?", "outlook"),
        since=G97,
    ),
    _skip(
        "tls-resumption-options@master",
        r"^_OPT_TRANSPORT_SMTP_(?:TLS_RESUMPTION_HOSTS|HOST_NAME_EXTRACT)=y",
        "not every build has TLS resumption",
        needle="_OPT_TRANSPORT_SMTP_",
        since=GM,
    ),
    within(
        _skip_lines(
            "host-name-extract@master",
            r"^try option 'host_name_extract'",
            40,
            "builds without TLS resumption lack this option",
            needle="'host_name_extract'",
        ),
        GM,
    ),
    # -- where 4.96 and 4.97 rewrite the environment, buffer and space lines: the
    # same rules as above, kept apart because the place in the order differs
    _skip(
        "keep-environment",
        r"\w+ in keep_environment\? (yes|no)",
        "the environment differs",
        needle="in keep_environment?",
        until=G98,
    ),
    _rule(
        "cmd-buf-flush",
        r"^cmd buf flush \d+ bytes",
        "cmd buf flush ddd bytes",
        "sizes vary with the host name",
        needle="cmd buf flush ",
        until=G98,
    ),
    _rule(
        "directory-space",
        r"^((?:spool|log) directory space =) -?\d+K (inodes =)\s*-?\d+",
        r"\1 nnnnnK \2 nnnnn",
        "free space varies",
        needle="directory space =",
        until=G98,
    ),
    # -- the expansion of the Received: header
    ReceivedHeaderTextJoin(),
    _skip_lines(
        "received-tls-cipher-tree",
        rf"^ {utf8_bytes('├──')}condition: "
        r"def:tls_cipher$",
        11,
        "the TLS part of the Received: expansion",
        needle="condition: def:tls_cipher",
    ),
    # -- loadable modules, DKIM, SOCKS and SPF
    _skip(
        "module-loading@4.99",
        r"loading module '(?:arc|exim_filter|dkim|dmarc|pam|perl|radius|sieve_filter|spf)'$",
        "features may be built as loadable modules",
        needle="loading module '",
        since=G99,
    ),
    _skip(
        "dkim-body-hash",
        r"^DKIM >> Body data for hash, canonicalized",
        "not every build has DKIM",
        needle="DKIM >> Body data",
    ),
    _skip(
        "socks-option@4.99",
        r"^try option 'socks_proxy'$",
        "not every build has SOCKS",
        needle="try option 'socks_proxy'",
        since=G99,
    ),
    _skip(
        "spf-library-version@master",
        r"Library_version: SPF:",
        "not every build has SPF",
        needle="Library_version: SPF:",
        since=GM,
    ),
    by_generation(
        _skip,
        "spf-init",
        {
            G96: {
                "pattern": r"^(spf_conn_init|SPF_dns_exim_new|spf_compile\.c)",
                "needle": ("spf_", "SPF_"),
            },
            G98: r"(^spf_conn_init|^SPF_dns_exim_new|spf_compile\.c)",
            G99: {"pattern": rf"(^{TIME_PID_499}spf_conn_init|spf_compile\.c)", "needle": "spf_c"},
            GM: rf"(^{TIME_PID_MASTER}spf_conn_init|spf_compile\.c)",
        },
        reason="not every build has SPF",
    ),
    by_generation(
        _skip,
        "spf-comment-option",
        {
            G98: {
                "pattern": r"try option spf_smtp_comment_template$",
                "needle": "spf_smtp_comment_template",
            },
            G99: {
                "pattern": r"try option 'spf_smtp_comment_template'$",
                "needle": "'spf_smtp_comment_template'",
            },
        },
        reason="not every build has SPF",
    ),
    by_generation(
        _skip,
        "module-loaded",
        {
            G99: rf'^{TIME_PID_499}Loaded "(?:dkim|dmarc|exim_filter|spf)"$',
            GM: rf'^{TIME_PID_MASTER}Loaded "(?:dkim|dmarc|exim_filter|spf)"$',
        },
        reason="features may be built as loadable modules",
        needle='Loaded "',
    ),
    _skip(
        "sendfile-missing",
        r"^cannot use sendfile for body: no support$",
        "not every platform has sendfile",
        needle="cannot use sendfile",
    ),
    _skip(
        "dkim-date-header", r"^date:\w+,\{SP\}", "DKIM debug output shows the date", needle="date:"
    ),
    _skip(
        "dkim-hashes",
        r"^DKIM \[[^[]+\] (Header hash|b) computed:",
        "DKIM hashes depend on the date",
        needle="computed:",
    ),
    # -- TCP Fast Open and network errors
    within(
        NextLineUnlessElement(
            "fastopen-check-line@4.99",
            r" in hosts_try_fastopen\?$",
            "not every platform or build supports TCP Fast Open",
            needle=" in hosts_try_fastopen?",
        ),
        G99,
    ),
    within(FastOpenJoin(), until=G98),
    _skip(
        "fastopen-checks@4.98",
        r"\S+ in hosts_try_fastopen\? (no \(option unset\)|no \(end of list\)"
        r'|yes \(matched "\*"\))\n$',
        "not every platform or build supports TCP Fast Open",
        needle=" in hosts_try_fastopen? ",
        since=G98,
    ),
    within(
        JoinAfterRemoval(
            "non-tfo-join@4.98",
            r" non-TFO mode connection attempt to 224.0.0.0, 0 data\b$",
            "not every platform supports TCP Fast Open",
            needle=" non-TFO mode ",
        ),
        G98,
    ),
    _rule(
        "address-family-error@4.98",
        r"Address family not supported by protocol family",
        "Network Error",
        "platform wording",
        needle="Address family not supported by protocol family",
        since=G98,
    ),
    _rule(
        "network-unreachable-again@4.98",
        r"Network(?: is)? unreachable",
        "Network Error",
        "platform wording",
        needle=" unreachable",
        since=G98,
    ),
    by_generation(
        _skip,
        "fastopen-unavailable",
        {
            G96: r"^(ppppp )?setsockopt FASTOPEN: Protocol not available$",
            G97: r"^(ppppp |\d+ )?setsockopt FASTOPEN: Protocol not available$",
        },
        reason="not every platform supports TCP Fast Open",
        needle="setsockopt FASTOPEN",
    ),
    by_generation(
        _rule,
        "early-data-size",
        {
            G96: r"^(Connecting to .* \.\.\. sending) \d+ (nonTFO early-data)$",
            G98: r"^(sending) \d+ (nonTFO early-data)$",
        },
        repl=r"\1 dd \2",
        reason="sizes vary",
        needle="nonTFO early-data",
    ),
    within(FastOpenConnect(), until=G98),
    within(FastOpenAttempt(), G98),
    _skip(
        "listen-backlog@4.99",
        r"listen backlog",
        "not every system can watch the listen queue",
        needle="listen backlog",
        since=G99,
    ),
    # -- database handles and SQL servers
    by_generation(
        _rule,
        "dbopen-pointer",
        {
            G96: r"^(\s*returned from EXIM_DBOPEN: )(0x)?[0-9a-f]+",
            G99: r"(returned from EXIM_DBOPEN: )(0x)?[0-9a-f]+",
        },
        repl=r"\g<1>0xAAAAAAAA",
        reason="pointer values vary",
        needle="returned from EXIM_DBOPEN: ",
    ),
    by_generation(
        _rule,
        "dbclose-pointer",
        {
            G96: r"^(\s*EXIM_DBCLOSE.)(0x)?[0-9a-f]+",
            G99: r"(EXIM_DBCLOSE.)(0x)?[0-9a-f]+",
        },
        repl=r"\g<1>0xAAAAAAAA",
        reason="pointer values vary",
        needle="EXIM_DBCLOSE",
    ),
    _skip(
        "mysql-perconaft",
        r"PerconaFT file system space",
        "MySQL start-up varies",
        needle="PerconaFT",
    ),
    _skip(
        "mysql-waiting",
        r"^Waiting for MySQL server to answer",
        "MySQL start-up varies",
        needle="Waiting for MySQL",
    ),
    _skip(
        "mysql-db-exists",
        r"mysqladmin: CREATE DATABASE failed; .* database exists",
        "MySQL start-up varies",
        needle="mysqladmin: ",
    ),
    _rule(
        "initdb-warning",
        r'^initdb: warning: (enabling "trust" authentication for local '
        r"connections)$",
        r"\nWARNING: \1",
        "Postgres versions format this differently",
        needle="initdb: warning: ",
    ),
    _rule(
        "postgres-pid@4.97",
        r" \[\d+\] (?=(LOG:  redirecting log|HINT:  Future log output))",
        " [pppp] ",
        "the database server's pid",
        needle=("LOG:  redirecting log", "HINT:  Future log output"),
        since=G97,
    ),
    # -- DMARC
    _skip(
        "dmarc-macro@master",
        rf"^{TIME_PID_MASTER}macros_expand: matched '_HAVE_DMARC",
        "not every build has DMARC",
        needle="_HAVE_DMARC",
        since=GM,
    ),
    _skip(
        "dmarc-option@4.99",
        r"try option 'dmarc_tld_file'$",
        "not every build has DMARC",
        needle="try option 'dmarc_tld_file'",
        since=G99,
    ),
    _skip(
        "dmarc-missing",
        r"^DMARC: no (dmarc_tld_file|sender_host_address)$",
        "not every build has DMARC",
        needle="DMARC: no ",
    ),
    # -- last of the middle: 4.96's TLS resumption checks, errno numbers, then the
    # times and pids at the start of debug lines
    _skip(
        "tls-resumption-checks",
        r"in tls_resumption_hosts\?",
        "not every build has TLS resumption",
        needle="in tls_resumption_hosts?",
        until=G97,
    ),
    _rule(
        "smtp-timed-out",
        r"  SMTP\(Operation timed out\)<<",
        "  SMTP(Connection timed out)<<",
        "platform wording",
        needle="SMTP(Operation timed out)",
    ),
    by_generation(
        _rule,
        "errno-number",
        {
            G96: r"^errno = \d+$",
            G99: r"^\s*errno = \d+$",
        },
        repl="errno = EEE",
        reason="errno values vary by platform",
        needle="errno = ",
    ),
    _rule(
        "writing-error-number",
        r"^writing error \d+: ",
        "writing error EEE: ",
        "errno values vary by platform",
        needle="writing error ",
    ),
    by_generation(
        _rule,
        "debug-time",
        {
            G96: {"pattern": r"^\d\d:\d\d:\d\d\s+", "reason": "times in debug lines"},
            G99: {
                "pattern": r"^\d\d:\d\d:\d\d(?:\.\d{3})?\s+",
                "reason": "times in debug lines (perhaps with milliseconds)",
            },
        },
        repl="01:01:01 ",
        every=True,
        flags=re.MULTILINE,
        needle=":",
    ),
    by_generation(
        Renumber,
        "debug-pid",
        {
            G96: {
                "pattern": r"^(\d\d:\d\d:\d\d)(\s+\d+\s)",
                "build": lambda m, new: f"{m.group(1)} {new(m.group(2))} ",
            },
            G97: {
                "pattern": r"^(\d\d:\d\d:\d\d\s+)(\d+)",
                "build": lambda m, new: _pid_then_space(m, new, 2, keep=1),
                "prefix": "p",
            },
            G99: r"^(\d\d:\d\d:\d\d(?:\.\d{3})?\s+)(\d+)",
        },
        sequence="pid",
        reason="pids in debug lines",
        kinds=STDERR,
        every=True,
        flags=re.MULTILINE,
        needle=":",
    ),
    by_generation(
        Renumber,
        "process-pid",
        {
            G96: {
                "pattern": r"(?<!post-)([Pp]rocess)(\s\d+)",
                "build": lambda m, new: f"{m.group(1)}{new(m.group(2))} ",
                "reason": "pids of processes (the space before the pid goes, one is added after)",
            },
            G97: {"build": lambda m, new: _pid_then_space(m, new, 2, keep=1), "prefix": "p"},
            GM: {"pattern": r"(?<!post-)([Pp]rocess\s)(\d+)", "reason": "pids of processes"},
        },
        sequence="pid",
        kinds=STDERR,
        every=True,
        needle="rocess",
    ),
    _rule(
        "path-environment@4.97",
        r"( PATH=).*$",
        r"\1<munged>",
        "the search path varies",
        needle=" PATH=",
        since=G97,
    ),
    _skip(
        "sudo-tc-missing@4.99",
        r"^sudo: tc: command not found$",
        "most systems lack tc, used only for performance work",
        needle="sudo: tc:",
        since=G99,
    ),
]

# ======== Last ========
# Sorting and what 4.96 drops only at the end, after every rewrite.
END: list[Step] = [
    CheckDirSizeSort(),
    _skip(
        "build-details",
        rf"^{TIME_PID}(?:Berkeley DB:\s|Probably (?:Berkeley DB|ndbm|GDBM)"
        r"|Using tdb|Authenticators:|Lookups(?:\(built-in\))?:|Support for:|Routers:"
        r"|Transports:|Malware:|log selectors =|cwd=|Fixed never_users|Configure owner"
        r"|Size of off_t:)",
        "the start of debug output describes the build",
        first=DIGITS + "BPUALSRTMlcFC",
        until=G97,
    ),
]


def _named(ports: Ports, *labels: str) -> list[tuple[str, int]]:
    return [(f"PORT_{label.upper()}", getattr(ports, label)) for label in labels]


def _after(
    prefix: str, named: list[tuple[str, int]], every: bool = False, when: str | None = None
) -> list[Rule]:
    """Each fixed port number right after `prefix` becomes its name, in the order given
    (the first match only, unless `every`); parts of a port-name block."""
    return [
        _rule(
            f"{name} after {prefix}",
            f"({prefix}){number}",
            rf"\g<1>{name}",
            "a fixed port",
            every=every,
            needle=str(number),
            when=when,
        )
        for name, number in named
    ]


def _needles(ports: Ports) -> tuple[str, ...]:
    return tuple(str(getattr(ports, label)) for label in ("n", "s", "d", "d2", "d3", "d4"))


# 4.97's places where a fixed port follows: an address in brackets, a test-net or
# loopback address, "port=" or "port ".
PORT_AFTER_497 = r"(?:\[[^\]]*\]:|V4NET\.0\.0\.0:|localhost::?|127\.0\.0\.1[.:]:?|port[= ])"

# 4.99 writes the same list (with "port= host:" added) in a double-quoted Perl string,
# where the backslashes vanish: the bracket alternative becomes "one of [ or ^, any
# number of ], then ]:" (so it never meets an address) and the dots match any character.
PORT_AFTER_499 = r"(?:[\[^]\]*\]:|V4NET.0.0.0:|localhost::?|127.0.0.1[.:]:?|port[= ](?:[^:]+:)?)"


def port_names(ports: Ports) -> list[Step]:
    """The suite's fixed ports become PORT_D, PORT_S... in debug output (from 4.97)."""
    daemons = _named(ports, "d", "d2", "d3", "d4")
    every_port = [*daemons, *_named(ports, "s", "n")]
    port_n = _named(ports, "n")
    since_499 = (
        *_after(PORT_AFTER_499, every_port),
        *_after("listening for SMTP on [^:]+:.*", daemons),
        *_after("listening for SMTP on .* port ", daemons, every=True),
        *_after("(?<!p)", every_port, every=True, when="<[:;] "),
        *_after("Connecting to .*]:", every_port),
        *_after(r"=[>=] .*\[[^\]]+\]:", _named(ports, "s")),
        *_after(r"=[>=] .*\[[^\]]+\]:", daemons, every=True),
        # dots unescaped, as in the harness's double-quoted patterns
        *_after("key=.*servers=.*.", port_n),
        *_after(
            "(?:database lookup required for |(?:My|Postgre)SQL query: .*)servers=.*.",
            port_n,
        ),
        *_after(
            "(?:using cached connection for|close (?:MY|PG)SQL connection:) .*.",
            port_n,
        ),
        *_after("(?:PGSQL new connection|PostgreSQL query): .*PGSQL.", port_n),
        *_after("(?:DEFER:|list match deferred for).*:", port_n),
        *_after('POSTGRES .*"', port_n),
    )
    return [
        by_generation(
            RuleBlock,
            "port-names",
            {G97: {"rules": tuple(_after(PORT_AFTER_497, every_port))}, G99: {"rules": since_499}},
            reason="the fixed ports a run uses are chosen by the harness",
            needle=_needles(ports),
        ),
    ]


def steps(facts: HostFacts, generation: Generation) -> list[Step]:
    """The stderr steps in order (the pipeline keeps those of `generation`): the sections
    above as they stand, with the steps built from the host's facts between them."""
    return [
        *START,
        *port_names(facts.ports),
        *LIBRARIES,
        *TLS_PRELOAD,
        *BUILD_INFO,
        within(DbOpenNil(facts.cwd), until=G99),
        ReceivedExpansionDebug(),
        *MIDDLE,
        *END,
    ]
