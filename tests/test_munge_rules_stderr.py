"""Cases for the standard-error rules of the 4.97, 4.98, 4.99 and master harnesses.

Each case names its generation; the munged texts were checked against the Perl munge of
Exim's own runtest at that release (exim-4.97.1, exim-4.98.2, exim-4.99.1, and master)
run on the same raw text with the same host facts. Where a 4.96 rule changed, a case runs
the same kind of input under the older generation to show it is munged as before.
"""

from __future__ import annotations

import pytest

from tests.test_munge_rules import check_case

# (rule, kind, raw, munged, options)
CASES = [
    (
        "build-details",
        "stderr",
        (
            "Berkeley DB: Berkeley DB 5.3.28: (September  9, 2013)\n"
            "Probably GDBM\n"
            "Using tdb\n"
            "Authenticators: cram_md5 plaintext\n"
            "Support for: crypteq iconv()\n"
            "Routers: accept\n"
            "Transports: smtp\n"
            "Authenticators (built-in): plaintext\n"
            "Configure owner: 0:0\n"
            "Hints DB:\n"
        ),
        ("Authenticators (built-in): plaintext\nHints DB:\n"),
        {"generation": "4.97"},
    ),
    (
        "build-details",
        "stderr",
        (
            "Hints DB:\n"
            " Library version: x\n"
            " Berkeley DB: 5.3.28\n"
            " Probably Berkeley DB\n"
            " Using sqlite3\n"
            "Using tdb\n"
            "Authenticators (built-in): plaintext\n"
            "Size of off_t: 8\n"
        ),
        ("Hints DB:\n Library version: x\nUsing tdb\nAuthenticators (built-in): plaintext\n"),
        {"generation": "4.98"},
    ),
    (
        "build-details",
        "stderr",
        (
            "Authenticators (built-in): cram_md5 plaintext\n"
            "Routers (dynamic): redirect\n"
            "Transports (built-in): smtp\n"
            "12345 Malware: clamd\n"
            "Routers: accept\n"
        ),
        "Routers: accept\n",
        {"generation": "4.99"},
    ),
    (
        "build-details",
        "stderr",
        ("01:02:03 4321 Malware: clamd\nAuthenticators (dynamic): spa\nFixed never_users: 0\n"),
        "",
        {"generation": "master"},
    ),
    (
        "daemon-listening@4.99",
        "stderr",
        ("12345 Listening...\nListening...\nListening on port 1225\n"),
        "Listening on port PORT_D\n",
        {"generation": "4.99"},
    ),
    (
        "hintsdb-lockfile@4.98",
        "stderr",
        (
            "locking /work/main/.work/w0/spool/db/retry.lockfile\n"
            "locked  /work/main/.work/w0/spool/db/wait-smtp.lockfile\n"
            "locking /work/main/.work/w0/spool/db/retry\n"
        ),
        "locking TESTSUITE/spool/db/retry\n",
        {"generation": "4.98"},
    ),
    (
        "hintsdb-close-lockfile@4.98",
        "stderr",
        "closed hints database and lockfile\n",
        "closed hints database\n",
        {"generation": "4.98"},
    ),
    (
        "retry-db-open",
        "stderr",
        (
            "EXIM_DBOPEN: file </work/main/.work/w0/spool/db/retry> flags=O_RDWR\n"
            "returned from EXIM_DBOPEN: 0x55d5c0de\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "retry-db-open",
        "stderr",
        (
            "EXIM_DBOPEN_MULTI: file </work/main/.work/w0/spool/db/retry> flags=O_RDONLY\n"
            "no such file\n"
            "returned from EXIM_DBOPEN_MULTI: (nil)\n"
            "failed to open DB file\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "retry-db-open",
        "stderr",
        (
            "EXIM_DBOPEN: file </work/main/.work/w0/spool/db/retry> flags=O_RDONLY\n"
            "something else\n"
            "kept too? no\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "hintsdb-close@4.99",
        "stderr",
        ("EXIM_DBCLOSE(0x55d5c0de)\n  closed hints database\nkept\n"),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "retry-db-handle@4.99",
        "stderr",
        (
            "retaining retry hintsdb handle\n"
            "using cached retry hintsdb handle\n"
            "using cached retry hintsdb nonpresence\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "retry-db-final-close@4.99",
        "stderr",
        ("final close of cached retry db\nEXIM_DBCLOSE(0x1)\nclosed\nkept\n"),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "hintsdb-transaction@4.99",
        "stderr",
        ("dbfn_transaction_start\ndbfn_transaction_commit\nkept\n"),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "hintsdb-open-error@4.99",
        "stderr",
        (
            "bdb_open(flags 0x2 mode 0640) No such file or directory\n"
            "sqlite_open(flags 0x0 mode 0640) unable to open database file\n"
        ),
        (
            "hintsdb_open(flags 0x2 mode 0640) No such file or directory\n"
            "hintsdb_open(flags 0x0 mode 0640) No such file or directory\n"
        ),
        {"generation": "4.99"},
    ),
    (
        "leading-pid@4.97",
        "stderr",
        (
            "12345 exec /bin/true -oPX\n"
            "  4321 daemon reads\n"
            "12345 again\n"
            "2345 previous message\n"
            "2345 in hosts_x\n"
            "250 OK\n"
            "23456 SMTP accept process running\n"
        ),
        (
            "p1234 exec /bin/true -oPX\n"
            "p1235 daemon reads\n"
            "p1234 again\n"
            "2345 previous message\n"
            "2345 in hosts_x\n"
            "250 OK\n"
            "23456 SMTP accept process running\n"
        ),
        {"generation": "4.97"},
    ),
    (
        "exec-pid",
        "stderr",
        "12345 exec /bin/true -oPX\n",
        "pppp exec /bin/true -oPX\n",
        {"generation": "4.96"},
    ),
    (
        "connection-id@4.99",
        "stderr",
        (
            ">>>                = connection_id: 54321\n"
            "LOG: connection_id: 54321\n"
            "LOG: connection_id: 54322\n"
            "connection_id: 1x\n"
        ),
        (
            ">>>                = connection_id: conn1111\n"
            "LOG: connection_id: conn1111\n"
            "LOG: connection_id: conn1112\n"
            "connection_id: 1x\n"
        ),
        {"generation": "4.99"},
    ),
    (
        "ipv6-fake-lookup",
        "stderr",
        ("  host_fake_gethostbyname(af=inet6) returned 1 (HOST_NOT_FOUND)\nkept\n"),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "ipv6-fake-lookup",
        "stderr",
        "  host_fake_gethostbyname(af=inet6) returned 1 (HOST_NOT_FOUND)\n",
        "  host_fake_gethostbyname(af=inet6) returned 1 (HOST_NOT_FOUND)\n",
        {"generation": "4.96"},
    ),
    (
        "lookup-type-char",
        "stderr",
        (
            "  closing AHTESTSUITE/aux-fixed/x\n"
            "  ZTESTSUITE/aux-fixed/0414.list1\n"
            "  :closing ?TESTSUITE/aux-fixed/y\n"
        ),
        (
            "  closing AHTESTSUITE/aux-fixed/x\n"
            "  0TESTSUITE/aux-fixed/0414.list1\n"
            "  :closing ?TESTSUITE/aux-fixed/y\n"
        ),
        {"generation": "4.99"},
    ),
    (
        "lookup-type-char",
        "stderr",
        ("  ZTESTSUITE/aux-fixed/0414.list1\n  :closing ?TESTSUITE/aux-fixed/y\n"),
        ("  ZTESTSUITE/aux-fixed/0414.list1\n  :closing 0TESTSUITE/aux-fixed/y\n"),
        {"generation": "4.96"},
    ),
    (
        "gnutls-pkcs11-lib-assert@4.97",
        "stderr",
        (
            "GnuTLS<3>: ASSERT: ../../lib/pkcs11.c[find_multi_objs_cb]:2996\n"
            "GnuTLS<3>: ASSERT: ../../lib/pkcs11.c[gnutls_pkcs11_obj_list_import_url3]:3361\n"
        ),
        "",
        {"generation": "4.97"},
    ),
    (
        "openssl-preload",
        "stderr",
        (
            "TLS: preloading DH params 'x' for server\n"
            "TLS: preloading ECDH curve 'prime256v1' for server\n"
            "TLS: preloading DH params for server\n"
        ),
        "TLS: preloading DH params for server\n",
        {"generation": "4.97"},
    ),
    (
        "openssl-preload",
        "stderr",
        ("TLS: preloading DH params 'x' for server\nTLS: preloading DH params for server\n"),
        "TLS: preloading DH params 'x' for server\n",
        {"generation": "4.96"},
    ),
    (
        "openssl-dh-default",
        "stderr",
        (" Diffie-Hellman initialized from default\nDiffie-Hellman initialized from default\n"),
        "Diffie-Hellman initialized from default\n",
        {"generation": "4.97"},
    ),
    (
        "openssl-dh-default",
        "stderr",
        (" Diffie-Hellman initialized from default\nDiffie-Hellman initialized from default\n"),
        " Diffie-Hellman initialized from default\n",
        {"generation": "4.96"},
    ),
    (
        "openssl-ecdh-settings",
        "stderr",
        (
            " ECDH OpenSSL 3.0.9: temp key parameter settings: autoselection\n"
            "ECDH OpenSSL 3.0.9: temp key parameter settings: x\n"
        ),
        "ECDH OpenSSL 3.0.9: temp key parameter settings: x\n",
        {"generation": "4.97"},
    ),
    (
        "openssl-ecdh-settings",
        "stderr",
        "ECDH OpenSSL 3.0.9: temp key parameter settings: x\n",
        "",
        {"generation": "4.96"},
    ),
    (
        "openssl-ecdh-curve",
        "stderr",
        (" ECDH: curve 'prime256v1'\nECDH: curve 'prime256v1'\n"),
        "ECDH: curve 'prime256v1'\n",
        {"generation": "4.97"},
    ),
    (
        "openssl-ecdh-curve",
        "stderr",
        ("ECDH: curve 'prime256v1'\n ECDH: curve 'prime256v1'\n"),
        " ECDH: curve 'prime256v1'\n",
        {"generation": "4.96"},
    ),
    (
        "tls-watch-missing@4.99",
        "stderr",
        (
            "tls_set_watch() fail on '/etc/ssl/certs/x': No such file or directory\n"
            "tls_set_one_watch: x No such file or directory\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "ca-bundle-missing",
        "stderr",
        (
            "tls_set_watch() fail on '/usr/lib/ssl/cert.pem': No such file or directory\n"
            "tls_set_watch() fail on '/usr/local/openssl3/etc/pki/tls/cert.pem': "
            "No such file or directory\n"
        ),
        (
            "tls_set_watch() fail on '/usr/local/openssl3/etc/pki/tls/cert.pem': "
            "No such file or directory\n"
        ),
        {"generation": "4.97"},
    ),
    (
        "ca-bundle-missing",
        "stderr",
        (
            "tls_set_watch() fail on '/usr/lib/ssl/cert.pem': No such file or directory\n"
            "tls_set_watch() fail on '/usr/local/openssl3/etc/pki/tls/cert.pem': "
            "No such file or directory\n"
        ),
        "",
        {"generation": "4.98"},
    ),
    (
        "lookup-module-list",
        "stderr",
        (
            "  Lookups (built-in): lsearch\n"
            "Lookups (dynamic): ldap\n"
            "searchtype mysql not initially found\n"
            'Loaded "mysql" (1 lookup type)\n'
            "Total 17 built-in lookups\n"
            "Total 17 lookups\n"
            "Loaded 2 lookup modules\n"
        ),
        "Total 17 lookups\n",
        {"generation": "4.99"},
    ),
    (
        "lookup-module-list",
        "stderr",
        ("Lookups (built-in): lsearch\n  Lookups (built-in): lsearch\nTotal 17 lookups\n"),
        "  Lookups (built-in): lsearch\n",
        {"generation": "4.96"},
    ),
    (
        "lookup-module-list",
        "stderr",
        ('Loaded 2 dynamic lookup modules\nLoaded module "lsearch"\nLoaded 2 lookup modules\n'),
        "Loaded 2 lookup modules\n",
        {"generation": "master"},
    ),
    (
        "driver-modules",
        "stderr",
        (
            "Loading smtp transport driver from /x\n"
            "01:02:03 123 Loaded redirect router\n"
            "Loaded plaintext auth\n"
            'Loaded "smtp" transport\n'
        ),
        'Loaded "smtp" transport\n',
        {"generation": "4.99"},
    ),
    (
        "driver-modules",
        "stderr",
        (
            'Loading "smtp" transport driver from /x\n'
            'Loaded module "redirect" (router)\n'
            '   Loading module "spf"\n'
            'Module init: "dkim"\n'
            "Loaded redirect router\n"
        ),
        "Loaded redirect router\n",
        {"generation": "master"},
    ),
    (
        "compiler",
        "stderr",
        ("123 Compiler: GCC 12\np123 Compiler: GCC 12\n"),
        "p123 Compiler: GCC 12\n",
        {"generation": "4.99"},
    ),
    (
        "compiler",
        "stderr",
        "p123 Compiler: GCC 12\n",
        "",
        {"generation": "master"},
    ),
    (
        "compiler",
        "stderr",
        "123 Compiler: GCC 12\n",
        "123 Compiler: GCC 12\n",
        {"generation": "4.96"},
    ),
    (
        "library-versions",
        "stderr",
        (
            " Library version: BDB: Compile: x\n"
            "                       Runtime: y\n"
            "   z\n"
            "   w\n"
            "kept\n"
        ),
        ("   w\nkept\n"),
        {"generation": "4.99"},
    ),
    (
        "library-versions",
        "stderr",
        ("Library version: BDB: x\nkept\n"),
        "kept\n",
        {"generation": "4.99"},
    ),
    (
        "library-versions",
        "stderr",
        ("p1234 Library version: x\np1234  y\nkept\n"),
        "kept\n",
        {"generation": "master"},
    ),
    (
        "library-versions",
        "stderr",
        ("Library version: x\n y\n z\n w\nkept\n"),
        "kept\n",
        {"generation": "4.98"},
    ),
    (
        "build-settings",
        "stderr",
        ('123 WHITELIST_D_MACROS: "x"\nTRUSTED_CONFIG_LIST: /y\np123 TRUSTED_CONFIG_LIST: /y\n'),
        "p123 TRUSTED_CONFIG_LIST: /y\n",
        {"generation": "4.99"},
    ),
    (
        "build-settings",
        "stderr",
        ("p123 TRUSTED_CONFIG_LIST: /y\nWHITELIST_D_MACROS: x\n"),
        "",
        {"generation": "master"},
    ),
    (
        "dkim-acl-option",
        "stderr",
        ("try option acl_smtp_dkim\ntry option 'acl_smtp_dkim'\n"),
        "try option 'acl_smtp_dkim'\n",
        {"generation": "4.98"},
    ),
    (
        "dkim-acl-option",
        "stderr",
        ("try option acl_smtp_dkim\ntry option 'acl_smtp_dkim'\n"),
        "try option acl_smtp_dkim\n",
        {"generation": "4.99"},
    ),
    (
        "dmarc-re-cache@master",
        "stderr",
        (
            " compiled RE '^mailto:(.*)$' saved in local cache\n"
            " compiled RE '^\\d{1,10}$' not found in local cache\n"
            " compiled RE '^[01ds]$' saved in local cache\n"
            " compiled RE '^x' saved in local cache\n"
        ),
        " compiled RE '^x' saved in local cache\n",
        {"generation": "master"},
    ),
    (
        "dscp-option@master",
        "stderr",
        "try option 'dscp'\n",
        "",
        {"generation": "master"},
    ),
    (
        "aaaa-fake-length",
        "stderr",
        "   faking res_search(AAAA) response length as 65535\n",
        "",
        {"generation": "4.98"},
    ),
    (
        "aaaa-fake-length",
        "stderr",
        (
            "   faking res_search(AAAA) response length as 65535\n"
            "faking res_search(AAAA) response length as 65535\n"
        ),
        "   faking res_search(AAAA) response length as 65535\n",
        {"generation": "4.96"},
    ),
    (
        "dns-ipv4-lookup-group",
        "stderr",
        (
            " host in dns_ipv4_lookup?\n"
            " list element: *\n"
            ' host in dns_ipv4_lookup? yes (matched "*")\n'
            "kept\n"
        ),
        "kept\n",
        {"generation": "4.98"},
    ),
    (
        "dns-ipv4-lookup-group",
        "stderr",
        (" host in dns_ipv4_lookup?\n list element: *\n something else\nkept\n"),
        (" something else\nkept\n"),
        {"generation": "4.98"},
    ),
    (
        "dns-ipv4-lookup-group",
        "stderr",
        (" host in dns_ipv4_lookup?\nsomething else\n"),
        "something else\n",
        {"generation": "4.98"},
    ),
    (
        "dns-ipv4-lookup",
        "stderr",
        (
            " host in dns_ipv4_lookup?\n"
            " list element: *\n"
            ' host in dns_ipv4_lookup? yes (matched "*")\n'
        ),
        " list element: *\n",
        {"generation": "4.97"},
    ),
    (
        "tls-advertise-check@4.97",
        "stderr",
        (
            ">>> host in tls_advertise_hosts?\n"
            " in tls_advertise_hosts?\n"
            " host in tls_advertise_hosts? yes\n"
        ),
        "  host in tls_advertise_hosts? yes\n",
        {"generation": "4.97"},
    ),
    (
        "dane-dnssec@4.98",
        "stderr",
        "lack of DNSSEC traceability precludes DANE\n",
        "",
        {"generation": "4.98"},
    ),
    (
        "dane-ciphers-option@master",
        "stderr",
        "_OPT_TRANSPORT_SMTP_DANE_REQUIRE_TLS_CIPHERS=y\n",
        "",
        {"generation": "master"},
    ),
    (
        "extra-port-macro@master",
        "stderr",
        "macros_expand: matched 'EXTRA' in 'port = ${if queue_running{1225}{1226}}'\n",
        "macros_expand: matched 'EXTRA' in 'port = ${if queue_running{ppp1}{ppp2}}'\n",
        {"generation": "master"},
    ),
    (
        "neg-cache-resolver-bits",
        "stderr",
        "  writing neg-cache entry for x.test.ex-AAAA-41f, ttl 3000\n",
        "",
        {"generation": "4.98"},
    ),
    (
        "neg-cache-resolver-bits",
        "stderr",
        (
            "  writing neg-cache entry for x.test.ex-AAAA-41f, ttl 3000\n"
            " writing neg-cache entry for y-A-41f, ttl 3000\n"
        ),
        " writing neg-cache entry for y-A-xxxx, ttl 3000\n",
        {"generation": "4.96"},
    ),
    (
        "notifier-abstract-name",
        "stderr",
        (
            "p1234  @/work/main/.work/w0/spool/exim_daemon_notify\n"
            " @/work/main/.work/w0/spool/exim_daemon_notify\n"
        ),
        ("p1234  TESTSUITE/spool/exim_daemon_notify\n TESTSUITE/spool/exim_daemon_notify\n"),
        {"generation": "4.97"},
    ),
    (
        "notifier-socket-name",
        "stderr",
        "12345  @/work/main/.work/w0/spool/exim_daemon_notify\n",
        "ppppp  TESTSUITE/spool/exim_daemon_notify\n",
        {"generation": "4.96"},
    ),
    (
        "lookup-type-letter@4.97",
        "stderr",
        (
            "  Y.TESTSUITE/aux-fixed/0414.list1\n"
            "  lsearchTESTSUITE/aux-fixed/0414.list2\n"
            "  xTESTSUITE/aux-fixed/0464.domains\n"
        ),
        (
            "  Y0TESTSUITE/aux-fixed/0414.list1\n"
            "  lsearc0TESTSUITE/aux-fixed/0414.list2\n"
            "  0TESTSUITE/aux-fixed/0464.domains\n"
        ),
        {"generation": "4.97"},
    ),
    (
        "search-type-number",
        "stderr",
        (
            " search_type 13 (lsearch) quoting -1 (none)\n"
            "cached search_type 13 (lsearch) quoting -1 (none)\n"
        ),
        (
            " search_type NN (lsearch) quoting -1 (none)\n"
            "cached search_type NN (lsearch) quoting -1 (none)\n"
        ),
        {"generation": "4.98"},
    ),
    (
        "search-type-number",
        "stderr",
        (
            "  search_type 13 (lsearch) quoting -1 (none)\n"
            "cached search_type 13 (lsearch) quoting -1 (none)\n"
        ),
        (
            "  search_type NN (lsearch) quoting -1 (none)\n"
            "cached search_type 13 (lsearch) quoting -1 (none)\n"
        ),
        {"generation": "4.97"},
    ),
    (
        "module-init@master",
        "stderr",
        ("Module init: dkim\np1234 Module init: x\n"),
        "",
        {"generation": "master"},
    ),
    (
        "keep-environment@4.98",
        "stderr",
        "TZ in keep_environment? yes\n",
        "",
        {"generation": "4.98"},
    ),
    (
        "keep-environment",
        "stderr",
        "TZ in keep_environment? no\n",
        "",
        {"generation": "4.96"},
    ),
    (
        "cmd-buf-flush",
        "stderr",
        ("cmd buf flush 123 bytes\n cmd buf flush 12 bytes\n"),
        ("cmd buf flush ddd bytes\n cmd buf flush 12 bytes\n"),
        {"generation": "4.98"},
    ),
    (
        "cmd-buf-flush",
        "stderr",
        " cmd buf flush 12 bytes\n",
        "cmd buf flush ddd bytes\n",
        {"generation": "4.99"},
    ),
    (
        "cmd-buf-flush",
        "stderr",
        "cmd buf flush 123 bytes\n",
        "cmd buf flush ddd bytes\n",
        {"generation": "4.97"},
    ),
    (
        "dbfn-write-size",
        "stderr",
        ("dbfn_write: key=T:x datalen 123\ndbfn_write: key=T:x datalen 1\n"),
        ("dbfn_write: key=T:x datalen nn\ndbfn_write: key=T:x datalen 1\n"),
        {"generation": "4.98"},
    ),
    (
        "dbfn-read-size",
        "stderr",
        ("dbfn_read: size 66 return\ndbfn_read: size 6 return\n"),
        ("dbfn_read: size nnn return\ndbfn_read: size 6 return\n"),
        {"generation": "4.98"},
    ),
    (
        "dbfn-write-size",
        "stderr",
        "dbfn_write: key=T:x datalen 1\n",
        "dbfn_write: key=T:x datalen nn\n",
        {"generation": "4.99"},
    ),
    (
        "dbfn-read-size",
        "stderr",
        ("dbfn_read: size 6 return\ndbfn_read: size 666 return\n"),
        ("dbfn_read: size nn return\ndbfn_read: size nn return\n"),
        {"generation": "4.99"},
    ),
    (
        "directory-space@4.98",
        "stderr",
        (
            "  spool directory space = 123456K inodes = 12345 check_space = 10240K "
            "inodes = 100 msg_size = 0\n"
        ),
        (
            "  spool directory space = nnnnnK inodes = nnnnn check_space = 10240K "
            "inodes = 100 msg_size = 0\n"
        ),
        {"generation": "4.98"},
    ),
    (
        "directory-space",
        "stderr",
        (
            "  spool directory space = 123456K inodes = 12345\n"
            "log directory space = 123K inodes = 1\n"
        ),
        (
            "  spool directory space = 123456K inodes = 12345\n"
            "log directory space = nnnnnK inodes = nnnnn\n"
        ),
        {"generation": "4.96"},
    ),
    (
        "local-scan@master",
        "stderr",
        (
            "Local-Scan API: 6.1\n"
            "calling local_scan(); timeout=300\n"
            "p1234 local_scan() returned 0 NULL\n"
        ),
        "",
        {"generation": "master"},
    ),
    (
        "mime-acl-option",
        "stderr",
        ("try option acl_smtp_mime\ntry option acl_not_smtp_mime\n"),
        "",
        {"generation": "4.98"},
    ),
    (
        "mime-acl-option",
        "stderr",
        ("try option 'acl_not_smtp_mime'\ntry option acl_smtp_mime\n"),
        "try option acl_smtp_mime\n",
        {"generation": "4.99"},
    ),
    (
        "ocsp-checks",
        "stderr",
        ("127.0.0.1 in hosts_request_ocsp?\n list element: *\n"),
        " list element: *\n",
        {"generation": "4.99"},
    ),
    (
        "ocsp-checks",
        "stderr",
        ("127.0.0.1 in hosts_request_ocsp? no (option unset)\n127.0.0.1 in hosts_request_ocsp?\n"),
        "127.0.0.1 in hosts_request_ocsp?\n",
        {"generation": "4.98"},
    ),
    (
        "ocsp-option@master",
        "stderr",
        ("_OPT_TRANSPORT_SMTP_HOSTS_REQUEST_OCSP=y\n_OPT_TRANSPORT_SMTP_HOSTS_REQUIRE_OCSP=y\n"),
        "",
        {"generation": "master"},
    ),
    (
        "ocsp-checks@master",
        "stderr",
        (
            "  127.0.0.1 in hosts_require_ocsp?\n"
            "  list element: *\n"
            ">>> list element: x\n"
            "  127.0.0.1 in hosts_require_ocsp? yes\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "master"},
    ),
    (
        "wellknown-advertise@4.98",
        "stderr",
        "  host in wellknown_advertise_hosts? no (option unset)\n",
        "",
        {"generation": "4.98"},
    ),
    (
        "pipe-connect-macro@master",
        "stderr",
        "macros_expand: matched '_HAVE_PIPE_CONNECT' in x\n",
        "",
        {"generation": "master"},
    ),
    (
        "pipe-connect-list@4.97",
        "stderr",
        (
            ">>> host in pipelining_connect_advertise_hosts?\n"
            ">>>  list element: *\n"
            "  list element: x\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "4.97"},
    ),
    (
        "limits-list@4.97",
        "stderr",
        ("  host in limits_advertise_hosts?\n  list element: !*\n list element: x\n"),
        " list element: x\n",
        {"generation": "4.97"},
    ),
    (
        "limits-macro@master",
        "stderr",
        "macros_expand: matched '_HAVE_ESMTP_LIMITS' in x\n",
        "",
        {"generation": "master"},
    ),
    (
        "xclient-checks",
        "stderr",
        ("  host in hosts_xclient? no (option unset)\n  host in hosts_xclien? no (option unset)\n"),
        "",
        {"generation": "4.97"},
    ),
    (
        "xclient-checks",
        "stderr",
        ("  host in hosts_xclient? no (option unset)\n  host in hosts_xclien? no (option unset)\n"),
        "  host in hosts_xclien? no (option unset)\n",
        {"generation": "4.98"},
    ),
    (
        "wellknown-checks@4.98",
        "stderr",
        "  host in hosts_wellknown? no (option unset)\n",
        "",
        {"generation": "4.98"},
    ),
    (
        "tls-resumption-checks@4.97",
        "stderr",
        (
            "  host in tls_resumption_hosts? no (option unset)\n"
            " RE '.outlook.com$' not found in local cache\n"
        ),
        "",
        {"generation": "4.97"},
    ),
    (
        "tls-resumption-checks",
        "stderr",
        "  host in tls_resumption_hosts? no (option unset)\n",
        "",
        {"generation": "4.96"},
    ),
    (
        "tls-resumption-options@master",
        "stderr",
        ("_OPT_TRANSPORT_SMTP_TLS_RESUMPTION_HOSTS=y\n_OPT_TRANSPORT_SMTP_HOST_NAME_EXTRACT=y\n"),
        "",
        {"generation": "master"},
    ),
    (
        "host-name-extract@master",
        "stderr",
        (
            "try option 'host_name_extract'\n"
            "line 0\n"
            "line 1\n"
            "line 2\n"
            "line 3\n"
            "line 4\n"
            "line 5\n"
            "line 6\n"
            "line 7\n"
            "line 8\n"
            "line 9\n"
            "line 10\n"
            "line 11\n"
            "line 12\n"
            "line 13\n"
            "line 14\n"
            "line 15\n"
            "line 16\n"
            "line 17\n"
            "line 18\n"
            "line 19\n"
            "line 20\n"
            "line 21\n"
            "line 22\n"
            "line 23\n"
            "line 24\n"
            "line 25\n"
            "line 26\n"
            "line 27\n"
            "line 28\n"
            "line 29\n"
            "line 30\n"
            "line 31\n"
            "line 32\n"
            "line 33\n"
            "line 34\n"
            "line 35\n"
            "line 36\n"
            "line 37\n"
            "line 38\n"
            "line 39\n"
            "kept\n"
        ),
        "kept\n",
        {"generation": "master"},
    ),
    (
        "module-loading@4.99",
        "stderr",
        ("loading module 'spf'\nloading module 'ldap'\n"),
        "loading module 'ldap'\n",
        {"generation": "4.99"},
    ),
    (
        "socks-option@4.99",
        "stderr",
        "try option 'socks_proxy'\n",
        "",
        {"generation": "4.99"},
    ),
    (
        "spf-library-version@master",
        "stderr",
        " Library_version: SPF: 1.2.11\n",
        "",
        {"generation": "master"},
    ),
    (
        "spf-init",
        "stderr",
        ("spf_conn_init\nSPF_dns_exim_new\nx spf_compile.c: y\n"),
        "",
        {"generation": "4.98"},
    ),
    (
        "spf-init",
        "stderr",
        ("01:02:03 1234 spf_conn_init\nSPF_dns_exim_new\n"),
        "SPF_dns_exim_new\n",
        {"generation": "4.99"},
    ),
    (
        "spf-init",
        "stderr",
        "p1234 spf_conn_init\n",
        "",
        {"generation": "master"},
    ),
    (
        "spf-init",
        "stderr",
        "x spf_compile.c: y\n",
        "x spf_compile.c: y\n",
        {"generation": "4.97"},
    ),
    (
        "spf-comment-option",
        "stderr",
        "try option spf_smtp_comment_template\n",
        "",
        {"generation": "4.98"},
    ),
    (
        "spf-comment-option",
        "stderr",
        "try option 'spf_smtp_comment_template'\n",
        "",
        {"generation": "4.99"},
    ),
    (
        "module-loaded",
        "stderr",
        ('Loaded "dkim"\n123 Loaded "spf"\n'),
        "",
        {"generation": "4.99"},
    ),
    (
        "module-loaded",
        "stderr",
        'p123 Loaded "spf"\n',
        "",
        {"generation": "master"},
    ),
    (
        "fastopen-check-line@4.99",
        "stderr",
        (
            "  127.0.0.1 in hosts_try_fastopen?\n"
            "  list element: \n"
            "kept\n"
            "  127.0.0.1 in hosts_try_fastopen?\n"
            "not an element\n"
        ),
        ("kept\nnot an element\n"),
        {"generation": "4.99"},
    ),
    (
        "fastopen-checks@4.98",
        "stderr",
        (
            "  127.0.0.1 in hosts_try_fastopen? no (option unset)\n"
            "Connecting to 127.0.0.1 [127.0.0.1]:1225 ...  connected\n"
        ),
        "Connecting to 127.0.0.1 [127.0.0.1]:PORT_D ...  connected\n",
        {"generation": "4.98"},
    ),
    (
        "fastopen-check-join",
        "stderr",
        (
            "  127.0.0.1 in hosts_try_fastopen? no (option unset)\n"
            "Connecting to 127.0.0.1 [127.0.0.1]:1225 ...  connected\n"
        ),
        "  Connecting to 127.0.0.1 [127.0.0.1]:1225 ...  connected\n",
        {"generation": "4.97"},
    ),
    (
        "non-tfo-join@4.98",
        "stderr",
        (
            "Connecting to 224.0.0.0 [224.0.0.0]:1225 ... non-TFO mode connection "
            "attempt to 224.0.0.0, 0 data\n"
            "failed: Network is unreachable\n"
        ),
        (
            "Connecting to V4NET.0.0.0 [V4NET.0.0.0]:PORT_D ... non-TFO mode "
            "connection attempt to V4NET.0.0.0, 0 data\n"
            "failed: Network Error\n"
        ),
        {"generation": "4.98"},
    ),
    (
        "address-family-error@4.98",
        "stderr",
        "failed: Address family not supported by protocol family\n",
        "failed: Network Error\n",
        {"generation": "4.98"},
    ),
    (
        "network-unreachable-again@4.98",
        "stderr",
        "sendto: Network unreachable\n",
        "sendto: Network Error\n",
        {"generation": "4.98"},
    ),
    (
        "fastopen-unavailable",
        "stderr",
        (
            "12345 setsockopt FASTOPEN: Protocol not available\n"
            "setsockopt FASTOPEN: Protocol not available\n"
        ),
        "p1234 setsockopt FASTOPEN: Protocol not available\n",
        {"generation": "4.97"},
    ),
    (
        "fastopen-unavailable",
        "stderr",
        "setsockopt FASTOPEN: Protocol not available\n",
        "",
        {"generation": "4.96"},
    ),
    (
        "early-data-size",
        "stderr",
        "sending 123 nonTFO early-data\n",
        "sending dd nonTFO early-data\n",
        {"generation": "4.98"},
    ),
    (
        "early-data-size",
        "stderr",
        "Connecting to 127.0.0.1 [127.0.0.1]:1225 ... sending 123 nonTFO early-data\n",
        "Connecting to 127.0.0.1 [127.0.0.1]:PORT_D ... sending dd nonTFO early-data\n",
        {"generation": "4.97"},
    ),
    (
        "fastopen-attempt-lines",
        "stderr",
        (" ... TFO mode sendto, no data: EINPROGRESS\nconnected\n  SMTP(close)>>\nnext\nkept\n"),
        ("failed: Connection refused\nnext\nkept\n"),
        {"generation": "4.98"},
    ),
    (
        "fastopen-attempt-lines",
        "stderr",
        (
            "12:00:00 TFO mode connection attempt to 127.0.0.1, 0 data\n"
            "connected\n"
            "read response data: size=30\n"
            "kept\n"
        ),
        ("connected\nkept\n"),
        {"generation": "4.98"},
    ),
    (
        "fastopen-attempt-lines",
        "stderr",
        (
            " ... TFO mode sendto, no data: EINPROGRESS\n"
            "connected\n"
            "  SMTP<< 220 Tue, 2 Mar 1999 09:44:33 +0000\n"
        ),
        ("connected\n  SMTP<< 220 Tue, 2 Mar 1999 09:44:33 +0000\n"),
        {"generation": "4.98"},
    ),
    (
        "fastopen-attempt-lines",
        "stderr",
        (" ... TFO mode sendto, no data: EINPROGRESS\nnot connected\n"),
        "not connected\n",
        {"generation": "4.98"},
    ),
    (
        "fastopen-connect-join",
        "stderr",
        (
            "Connecting to 127.0.0.1 [127.0.0.1]:1225 ... TFO mode sendto, no "
            "data: EINPROGRESS\n"
            " connected\n"
        ),
        "Connecting to 127.0.0.1 [127.0.0.1]:PORT_D ...  connected\n",
        {"generation": "4.97"},
    ),
    (
        "listen-backlog@4.99",
        "stderr",
        "listen backlog 20 [127.0.0.1]:1225\n",
        "",
        {"generation": "4.99"},
    ),
    (
        "dbopen-pointer",
        "stderr",
        "  x returned from EXIM_DBOPEN: 0x55d5c0de\n",
        "  x returned from EXIM_DBOPEN: 0xAAAAAAAA\n",
        {"generation": "4.99"},
    ),
    (
        "dbclose-pointer",
        "stderr",
        "  x EXIM_DBCLOSE(0x55d5c0de)\n",
        "",
        {"generation": "4.99"},
    ),
    (
        "dbopen-pointer",
        "stderr",
        "  x returned from EXIM_DBOPEN: 0x55d5c0de\n",
        "  x returned from EXIM_DBOPEN: 0x55d5c0de\n",
        {"generation": "4.98"},
    ),
    (
        "postgres-pid@4.97",
        "stderr",
        (
            "2024-01-01 [12345] LOG:  redirecting log output\n"
            " [12345] HINT:  Future log output will appear\n"
        ),
        (
            "2024-01-01 [pppp] LOG:  redirecting log output\n"
            " [pppp] HINT:  Future log output will appear\n"
        ),
        {"generation": "4.97"},
    ),
    (
        "dmarc-macro@master",
        "stderr",
        "macros_expand: matched '_HAVE_DMARC' in x\n",
        "",
        {"generation": "master"},
    ),
    (
        "dmarc-option@4.99",
        "stderr",
        "try option 'dmarc_tld_file'\n",
        "",
        {"generation": "4.99"},
    ),
    (
        "errno-number",
        "stderr",
        "  errno = 111\n",
        "errno = EEE\n",
        {"generation": "4.99"},
    ),
    (
        "errno-number",
        "stderr",
        ("  errno = 111\nerrno = 111\n"),
        ("  errno = 111\nerrno = EEE\n"),
        {"generation": "4.98"},
    ),
    (
        "debug-time",
        "stderr",
        ("12:34:56.789 12345 x\n12:34:56 12345 y\n"),
        ("01:01:01 p1234  x\n01:01:01 p1234  y\n"),
        {"generation": "4.99"},
    ),
    (
        "debug-time",
        "stderr",
        "12:34:56.789 12345 x\n",
        "12:34:56.789 12345 x\n",
        {"generation": "4.98"},
    ),
    (
        "debug-pid",
        "stderr",
        ("12:34:56 12345 x\n12:34:56  54321 y\n12:34:56 12345 z\n"),
        ("01:01:01 p1234  x\n01:01:01 p1235  y\n01:01:01 p1234  z\n"),
        {"generation": "4.97"},
    ),
    (
        "debug-pid",
        "stderr",
        "12:34:56.789  345 x\n",
        "01:01:01 p1234  x\n",
        {"generation": "4.99"},
    ),
    (
        "process-pid",
        "stderr",
        ("forked delivery process 333\nthe process 4444 is done\npost-process 555 x\n"),
        ("forked delivery processp1234 \nthe processp1235  is done\npost-process 555 x\n"),
        {"generation": "4.97"},
    ),
    (
        "process-pid",
        "stderr",
        ("forked delivery process 333\nthe process 4444 is done\n"),
        ("forked delivery process p1234 \nthe process p1235  is done\n"),
        {"generation": "master"},
    ),
    (
        "process-pid",
        "stderr",
        "forked delivery process 333\n",
        "forked delivery process1234 \n",
        {"generation": "4.96"},
    ),
    (
        "path-environment@4.97",
        "stderr",
        " PATH=/usr/bin:/bin\n",
        " PATH=<munged>\n",
        {"generation": "4.97"},
    ),
    (
        "sudo-tc-missing@4.99",
        "stderr",
        "sudo: tc: command not found\n",
        "",
        {"generation": "4.99"},
    ),
    (
        "port-names",
        "stderr",
        (
            "Connecting to 127.0.0.1 [127.0.0.1]:1225 ...\n"
            "  SMTP(close)>> port=1224 localhost::1223 V4NET.0.0.0:1226\n"
            "  127.0.0.1.1227 port 1228\n"
        ),
        (
            "Connecting to 127.0.0.1 [127.0.0.1]:PORT_D ...\n"
            "  SMTP(close)>> port=PORT_S localhost::PORT_N V4NET.0.0.0:PORT_D2\n"
            "  127.0.0.1.PORT_D3 port PORT_D4\n"
        ),
        {"generation": "4.97"},
    ),
    (
        "port-names",
        "stderr",
        (
            "Connecting to 127.0.0.1 [127.0.0.1]:1225 ...\n"
            "  port=1224 localhost::1223 V4NET.0.0.0:1226\n"
            "  127.0.0.1.1227 port=x:1228\n"
        ),
        (
            "Connecting to 127.0.0.1 [127.0.0.1]:PORT_D ...\n"
            "  port=PORT_S localhost::PORT_N V4NET.0.0.0:PORT_D2\n"
            "  127.0.0.1.PORT_D3 port=x:PORT_D4\n"
        ),
        {"generation": "4.99"},
    ),
    (
        "port-names",
        "stderr",
        (
            "daemon listening for SMTP on [127.0.0.1]:1225 [127.0.0.1]:1226\n"
            "listening for SMTP on port 1225 port 1227\n"
            "  list element: <; 1225 ; 1223;p1224\n"
        ),
        (
            "daemon listening for SMTP on [127.0.0.1]:PORT_D [127.0.0.1]:PORT_D2\n"
            "listening for SMTP on port PORT_D port PORT_D3\n"
            "  list element: <; PORT_D ; PORT_N;p1224\n"
        ),
        {"generation": "4.99"},
    ),
    (
        "port-names",
        "stderr",
        (
            "  => x@y R=r T=t H=127.0.0.1 [127.0.0.1]:1224\n"
            "  => x@y [127.0.0.1]:1225 [127.0.0.1]:1225\n"
        ),
        (
            "  => x@y R=r T=t H=127.0.0.1 [127.0.0.1]:PORT_S\n"
            "  => x@y [127.0.0.1]:1225 [127.0.0.1]:PORT_D\n"
        ),
        {"generation": "4.99"},
    ),
    (
        "port-names",
        "stderr",
        (
            "lookup key=x servers=127.0.0.1::1223\n"
            "database lookup required for servers=localhost/1223\n"
            "PostgreSQL query: x servers=y:1223\n"
            "using cached connection for 127.0.0.1:1223\n"
            "close PGSQL connection: 127.0.0.1:1223/test\n"
            "PGSQL new connection: host=127.0.0.1 port=x PGSQL.1223\n"
            "DEFER: 127.0.0.1:1223\n"
            'POSTGRES x "1223\n'
        ),
        (
            "lookup key=x servers=127.0.0.1::PORT_N\n"
            "database lookup required for servers=localhost/PORT_N\n"
            "PostgreSQL query: x servers=y:PORT_N\n"
            "using cached connection for 127.0.0.1:PORT_N\n"
            "close PGSQL connection: 127.0.0.1:PORT_N/test\n"
            "PGSQL new connection: host=127.0.0.1 port=x PGSQL.PORT_N\n"
            "DEFER: 127.0.0.1:PORT_N\n"
            'POSTGRES x "PORT_N\n'
        ),
        {"generation": "4.99"},
    ),
    (
        "port-names",
        "stderr",
        ("x [127.0.0.1]:1225\n[]:1225\n"),
        ("x [127.0.0.1]:10001\n[]:PORT_D\n"),
        {"generation": "4.99"},
    ),
    (
        "build-details",
        "stderr",
        (
            "Berkeley DB: Berkeley DB 5.3.28: (September  9, 2013)\n"
            "Authenticators: cram_md5 plaintext\n"
            "Authenticators (built-in): plaintext\n"
        ),
        "Authenticators (built-in): plaintext\n",
        {"generation": "4.96"},
    ),
    (
        "debug-pid",
        "stderr",
        ("12:34:56 12345 x\n12:34:56  54321 y\n12:34:56 12345 z\n"),
        ("01:01:01 1234 x\n01:01:01 1235 y\n01:01:01 1234 z\n"),
        {"generation": "4.96"},
    ),
    (
        "dbclose-pointer",
        "stderr",
        "  x EXIM_DBCLOSE(0x55d5c0de)\n",
        "  x EXIM_DBCLOSE(0x55d5c0de)\n",
        {"generation": "4.98"},
    ),
    (
        "whitelist-d-macros",
        "stderr",
        '123 WHITELIST_D_MACROS: "x"\n',
        '123 WHITELIST_D_MACROS: "x"\n',
        {"generation": "4.96"},
    ),
    (
        "notifier-abstract-name",
        "stderr",
        " @/work/main/.work/w0/spool/exim_daemon_notify\n",
        " TESTSUITE/spool/exim_daemon_notify\n",
        {"generation": "4.96"},
    ),
    (
        "ocsp-checks@master",
        "stderr",
        ("check_dir_size: b\n 127.0.0.1 in hosts_require_ocsp?\n list element: x\n"),
        "",
        {"generation": "master"},
    ),
    (
        "library-versions",
        "stderr",
        ("check_dir_size: b\ncheck_dir_size: a\nLibrary version: y\n z\n"),
        "",
        {"generation": "4.99"},
    ),
    (
        "dns-ipv4-lookup-group",
        "stderr",
        ("check_dir_size: b\n host in dns_ipv4_lookup?\n list element: *\n"),
        "",
        {"generation": "4.98"},
    ),
    (
        "fastopen-check-line@4.99",
        "stderr",
        ("check_dir_size: b\ncheck_dir_size: a\n  127.0.0.1 in hosts_try_fastopen?\n"),
        (
            "MUNGED: the check_dir_size lines have been sorted to ensure consistency\n"
            "check_dir_size: a\n"
            "check_dir_size: b\n"
        ),
        {"generation": "4.99"},
    ),
    (
        "retry-db-open",
        "stderr",
        (
            "check_dir_size: b\n"
            "EXIM_DBOPEN: file </work/main/.work/w0/spool/db/retry> flags=O_RDWR\n"
        ),
        "",
        {"generation": "4.99"},
    ),
]


@pytest.mark.parametrize(
    ("rule", "kind", "raw", "munged", "opts"),
    CASES,
    ids=[f"{c[0]}-{c[4]['generation']}-{i}" for i, c in enumerate(CASES)],
)
def test_rule(rule: str, kind: str, raw: str, munged: str, opts: dict) -> None:
    check_case(kind, raw, munged, opts)
