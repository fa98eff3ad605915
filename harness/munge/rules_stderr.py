"""Rules for a test's standard error, mostly Exim's debug output (after the common ones).

Debug output depends on the build (which TLS library, lookups, optional features) and on
the platform; most of these rules drop lines that only some builds write.
"""

from __future__ import annotations

import re

from harness.generation import Generation
from harness.hostfacts import HostFacts
from harness.munge.model import DIGITS, STDERR, Step, rules_for, utf8_bytes
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

# A debug line may start with a time and a pid.
TIME_PID = r"(?:\d{2}:\d{2}:\d{2}\s+\d+\s)?"

_rule, _skip = rules_for(STDERR)


def _skip_lines(name: str, pattern: str, following: int, reason: str, needle: str) -> Step:
    return SkipWithFollowing(name, pattern, following, reason, kinds=STDERR, needle=needle)


def _tls_received(m: re.Match[str]) -> str:
    return (
        m.group(1) + "${if def:tls_in_ver        { ($tls_in_ver)}}"
        "${if def:tls_in_cipher_std { tls $tls_in_cipher_std\n"
        + m.group(2)
        + "\t}}(Exim $version_number)"
    )


START = [
    _rule(
        "exim-version",
        r"^Exim version .*",
        "Exim version x.yz ....",
        "the first debug line names the version",
        needle="Exim version ",
    ),
    _rule(
        "terminating-pid",
        r"^(>>>>>>>>>>>>>>>> Exim pid=)\d+(?= terminating)",
        r"\1pppp",
        "pids vary",
        needle=" Exim pid=",
    ),
    _rule(
        "proxy-proc-pid",
        r"^(proxy-proc \w{5}-pid) \d+$",
        r"\1 pppp",
        "pids vary",
        needle="proxy-proc ",
    ),
    _rule("exec-pid", r"^(?:\s*\d+ )(exec .* -oPX)$", r"pppp \1", "pids vary", needle=" -oPX"),
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
    _skip(
        "ipv6-fake-lookup",
        r"^host_fake_gethostbyname\(af=inet6\) returned 1 "
        r"\(HOST_NOT_FOUND\)$",
        "an extra lookup when IPv6 is supported",
        needle="host_fake_gethostbyname",
    ),
    _skip(
        "reset-tz", r"^Reset TZ to", "the tester's time zone does not matter", needle="Reset TZ to"
    ),
    _rule(
        "lookup-type-char",
        r"^(\s+(:?closing )?)[0-?]TESTSUITE/aux-fixed/",
        r"\g<1>0TESTSUITE/aux-fixed/",
        "lookup debug lines carry a character that depends on the lookups built in",
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

TLS_PRELOAD = [
    _skip(
        "openssl-preload",
        r"^TLS: (preloading (DH params|ECDH curve|CA bundle) for server"
        r"|generating selfsigned server cert)",
        "only OpenSSL preloads these",
        needle="TLS: ",
    ),
    _skip(
        "openssl-dh-default",
        r"^Diffie-Hellman initialized from default",
        "only OpenSSL says this",
        needle="Diffie-Hellman",
    ),
    _skip(
        "openssl-ecdh-settings",
        r"^ECDH OpenSSL (< )?[\d.+]+: temp key parameter settings:",
        "only OpenSSL says this",
        needle="ECDH OpenSSL",
    ),
    _skip(
        "openssl-ecdh-curve", r"^ECDH: .*'prime256v1'", "only OpenSSL says this", needle="ECDH: "
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
]

BUILD_INFO: list[Step] = [
    _skip(
        "lookup-module-list",
        rf"^{TIME_PID}(?:Lookups \(built-in\):|Loading lookup modules "
        r"from|Loaded \d+ lookup modules|Total \d+ lookups)",
        "builds include different lookups",
        needle="ookup",
    ),
    _skip(
        "compiler", rf"^{TIME_PID}Compiler:", "builds use different compilers", needle="Compiler:"
    ),
    LibraryVersionBlock(),
    _skip(
        "whitelist-d-macros",
        rf"^{TIME_PID}WHITELIST_D_MACROS:",
        "a build-time setting",
        needle="WHITELIST_D_MACROS:",
    ),
    _skip(
        "trusted-config-list",
        rf"^{TIME_PID}TRUSTED_CONFIG_LIST:",
        "a build-time setting",
        needle="TRUSTED_CONFIG_LIST:",
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
    ),
    _skip(
        "aaaa-neg-cache",
        r" writing neg-cache entry for .*AAAA",
        "IPv6 lookups happen only on IPv6 hosts",
        needle="neg-cache entry",
    ),
    _skip(
        "aaaa-fake-length",
        r"^faking res_search\(AAAA\) response length as 65535",
        "IPv6 lookups happen only on IPv6 hosts",
        needle="faking res_search(AAAA)",
    ),
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
        "tls-options-unset",
        r"in\s(?:tls_advertise_hosts\?|hosts_require_tls\?)\sno\s"
        r"\((option\sunset|end\sof\slist)\)",
        "TLS is not always built in",
        needle="tls",
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

# DbOpenNil (needs the suite directory) and ReceivedExpansionDebug come next.

MIDDLE: list[Step] = [
    _rule(
        "connection-request-port",
        r"(Connection request from 127.0.0.1 port) \d{1,5}",
        r"\1 sssss",
        "client ports vary",
        needle="Connection request from ",
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
    _rule(
        "neg-cache-resolver-bits",
        r"^( (?:writing|update) neg-cache entry for [^,]+-)"
        r"[0-9a-f]+, ttl",
        r"\1xxxx, ttl",
        "resolver option bits vary by platform",
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
    ),
    _rule(
        "notifier-abstract-name",
        r"^ @(.*exim_daemon_notify)$",
        r" \1",
        "abstract socket names are Linux-only",
        needle="exim_daemon_notify",
    ),
    _rule(
        "notifier-socket-name",
        r"^(\s*\d+|ppppp)  @?(.*exim_daemon_notify)$",
        r"ppppp  \2",
        "pids vary, abstract socket names are Linux-only",
        needle="exim_daemon_notify",
    ),
    _skip(
        "notifier-unlink",
        r"unlinking notifier socket",
        "depends on timing",
        needle="unlinking notifier socket",
    ),
    NotifyCollapse(),
    _rule(
        "search-type-number",
        r"^(\s*search_type )\d+ \((\w+)\) quoting -1 \(none\)$",
        r"\1NN (\2) quoting -1 (none)",
        "lookup numbers depend on the lookups built in",
        needle="search_type ",
    ),
    _skip(
        "ocsp-checks",
        r"in hosts_requ(est|ire)_ocsp\? (no|yes)",
        "OCSP is not always built in",
        needle="_ocsp?",
    ),
    _skip(
        "proxy-checks",
        r"host in hosts_proxy\?",
        "PROXY is not always built in",
        needle="host in hosts_proxy?",
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
    _skip(
        "limits-checks",
        r' in limits_advertise_hosts?\? no \(matched "!\*"\)',
        "LIMITS is not always built in",
        needle="limits_advertise_host",
    ),
    _skip(
        "fastopen-sockopt",
        r"^(ppppp )?setsockopt FASTOPEN: Network Error",
        "not every platform supports TCP Fast Open",
        needle="setsockopt FASTOPEN",
    ),
    _skip(
        "keep-environment",
        r"\w+ in keep_environment\? (yes|no)",
        "the environment differs",
        needle="in keep_environment?",
    ),
    _rule(
        "cmd-buf-flush",
        r"^cmd buf flush \d+ bytes",
        "cmd buf flush ddd bytes",
        "sizes vary with the host name",
        needle="cmd buf flush ",
    ),
    _rule(
        "directory-space",
        r"^((?:spool|log) directory space =) -?\d+K (inodes =)\s*-?\d+",
        r"\1 nnnnnK \2 nnnnn",
        "free space varies",
        needle="directory space =",
    ),
    ReceivedHeaderTextJoin(),
    _skip_lines(
        "received-tls-cipher-tree",
        rf"^ {utf8_bytes('├──')}condition: "
        r"def:tls_cipher$",
        11,
        "the TLS part of the Received: expansion",
        needle="condition: def:tls_cipher",
    ),
    _skip(
        "dkim-body-hash",
        r"^DKIM >> Body data for hash, canonicalized",
        "not every build has DKIM",
        needle="DKIM >> Body data",
    ),
    _skip(
        "spf-init",
        r"^(spf_conn_init|SPF_dns_exim_new|spf_compile\.c)",
        "not every build has SPF",
        needle=("spf_", "SPF_"),
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
    FastOpenJoin(),
    _skip(
        "fastopen-unavailable",
        r"^(ppppp )?setsockopt FASTOPEN: Protocol not available$",
        "not every platform supports TCP Fast Open",
        needle="setsockopt FASTOPEN",
    ),
    _rule(
        "early-data-size",
        r"^(Connecting to .* \.\.\. sending) \d+ (nonTFO early-data)$",
        r"\1 dd \2",
        "sizes vary",
        needle="nonTFO early-data",
    ),
    FastOpenConnect(),
    _rule(
        "dbopen-pointer",
        r"^(\s*returned from EXIM_DBOPEN: )(0x)?[0-9a-f]+",
        r"\g<1>0xAAAAAAAA",
        "pointer values vary",
        needle="returned from EXIM_DBOPEN: ",
    ),
    _rule(
        "dbclose-pointer",
        r"^(\s*EXIM_DBCLOSE.)(0x)?[0-9a-f]+",
        r"\g<1>0xAAAAAAAA",
        "pointer values vary",
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
    _skip(
        "dmarc-missing",
        r"^DMARC: no (dmarc_tld_file|sender_host_address)$",
        "not every build has DMARC",
        needle="DMARC: no ",
    ),
    _skip(
        "tls-resumption-checks",
        r"in tls_resumption_hosts\?",
        "not every build has TLS resumption",
        needle="in tls_resumption_hosts?",
    ),
    _rule(
        "smtp-timed-out",
        r"  SMTP\(Operation timed out\)<<",
        "  SMTP(Connection timed out)<<",
        "platform wording",
        needle="SMTP(Operation timed out)",
    ),
    _rule(
        "errno-number",
        r"^errno = \d+$",
        "errno = EEE",
        "errno values vary by platform",
        needle="errno = ",
    ),
    _rule(
        "writing-error-number",
        r"^writing error \d+: ",
        "writing error EEE: ",
        "errno values vary by platform",
        needle="writing error ",
    ),
    _rule(
        "debug-time",
        r"^\d\d:\d\d:\d\d\s+",
        "01:01:01 ",
        "times in debug lines",
        every=True,
        flags=re.MULTILINE,
        needle=":",
    ),
    Renumber(
        "debug-pid",
        r"^(\d\d:\d\d:\d\d)(\s+\d+\s)",
        "pid",
        lambda m, new: f"{m.group(1)} {new(m.group(2))} ",
        "pids in debug lines",
        kinds=STDERR,
        every=True,
        flags=re.MULTILINE,
        needle=":",
    ),
    Renumber(
        "process-pid",
        r"(?<!post-)([Pp]rocess)(\s\d+)",
        "pid",
        lambda m, new: f"{m.group(1)}{new(m.group(2))} ",
        "pids of processes (the space before the pid goes, one is added after)",
        kinds=STDERR,
        every=True,
        needle="rocess",
    ),
]

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
    ),
]


def steps(facts: HostFacts, generation: Generation) -> list[Step]:
    """The stderr steps in order (the pipeline keeps those of `generation`)."""
    return [
        *START,
        *TLS_PRELOAD,
        *BUILD_INFO,
        DbOpenNil(facts.cwd),
        ReceivedExpansionDebug(),
        *MIDDLE,
        *END,
    ]
