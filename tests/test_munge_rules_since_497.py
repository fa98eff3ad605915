"""Cases for the munge rules of harness generations after 4.96 (stderr-only rules aside).

Same shape as `test_munge_rules.CASES`: (rule, kind, raw, munged, options), the options
naming the generation the case runs under. The raw lines are as the 4.97 and later
binaries print them. Where a rule replaced a 4.96 one, a case under 4.96 shows the same
input still munged the 4.96 way. The expected texts were checked against the munge of
Exim's own harness of each release, run on the same raw text with the same host facts.
"""

from __future__ import annotations

import pytest

from tests.test_munge_rules import check_case

G97 = {"generation": "4.97"}
G98 = {"generation": "4.98"}
G99 = {"generation": "4.99"}
MASTER = {"generation": "master"}
G96 = {"generation": "4.96"}

OLD_ID = "1pXyZa-000Abc-Zz"
NEW_ID = "1pXyZa-00000000Abc-Zzzz"
NEW_ID2 = "1pXyZb-00000000Abd-Qqqq"
SPACE_MARK = "\u2591".encode().decode("latin-1")  # as the raw bytes arrive

CASES = [
    # -- message ids, pids and ports -------------------------------------------------
    (
        "long-message-ids",
        "mainlog",
        f"2024-05-17 13:22:01 {NEW_ID} <= a\n2024-05-17 13:22:01 {NEW_ID2} => b {NEW_ID}\n",
        "1999-03-02 09:44:33 10HmaX-000000005vi-0000 <= a\n"
        "1999-03-02 09:44:33 10HmaY-000000005vi-0000 => b 10HmaX-000000005vi-0000\n",
        G97,
    ),
    (
        "long-message-ids",
        "stdout",
        f"{OLD_ID} then {NEW_ID} then {NEW_ID2}\n",
        "10HmaX-0005vi-00 then 10HmaX-000000005vi-0000 then 10HmaY-000000005vi-0000\n",
        G99,
    ),
    ("message-ids", "stdout", f"{NEW_ID}\n", f"{NEW_ID}\n", G96),
    (
        "pid-after-word",
        "stdout",
        "pid=4321 child 99 Process 4321 PID: 7 pid\t8\n",
        "pid=p1234 child p1235 Process p1234 PID: p1236 pid\tp1237\n",
        G97,
    ),
    ("any-pid", "stdout", "pid=4321 child 99\n", "pid=pppp child 99\n", G96),
    (
        "connection-id-pid",
        "mainlog",
        "2024-05-17 13:22:01 SMTP connection from [127.0.0.1] Ci=4321 (TCP/IP connection)\n",
        "1999-03-02 09:44:33 SMTP connection from [127.0.0.1] Ci=p1234 (TCP/IP connection)\n",
        G97,
    ),
    (
        "connection-id-pid",
        "mainlog",
        "2024-05-17 13:22:01 [4321] x Ci=4321 xCi=5\n",
        "1999-03-02 09:44:33 [1236] x Ci=p1234 xCi=p1235\n",
        G99,
    ),
    (
        "port-line",
        "stdout",
        "Port: 50000\nPort: 50001\n",
        "Port: 10001\nPort: 10002\n",
        G99,
    ),
    ("port-line", "stdout", "Port: 50000\n", "Port: 1111\n", G98),
    (
        "connection-request-port",
        "stdout",
        "Connection request from 127.0.0.1 port 44321\n",
        "Connection request from 127.0.0.1 port 10001\n",
        MASTER,
    ),
    (
        "connection-request-port",
        "stdout",
        "Connection request from 127.0.0.1 port 44321\n",
        "Connection request from 127.0.0.1 port 44321\n",
        G99,
    ),
    (
        "address-port-literal",
        "mainlog",
        "2024-05-17 13:22:01 SMTP connection from [127.0.0.1]:50123 lost\n"
        "2024-05-17 13:22:01 SMTP connection from [fd00::2]:50124 lost\n"
        "2024-05-17 13:22:01 SMTP connection from [::1]:50125 lost\n",
        "1999-03-02 09:44:33 SMTP connection from [127.0.0.1]:10001 lost\n"
        "1999-03-02 09:44:33 SMTP connection from [ip6:ip6:ip6:ip6:ip6:ip6:ip6:ip6]:10002 lost\n"
        "1999-03-02 09:44:33 SMTP connection from [::1]:50125 lost\n",
        G99,
    ),
    (
        "address-port-literal",
        "stdout",
        "  T:host:[127.0.0.1]:50123 x\n",
        "  T:host:[127.0.0.1]:50123 x\n",
        G98,
    ),
    (
        "address-port",
        "stdout",
        "from [::1]:50125 and T:[127.0.0.1]:50123\n",
        "from [::1]:1111 and T:[127.0.0.1]:50123\n",
        G96,
    ),
    (
        "incoming-port-shared",
        "mainlog",
        "2024-05-17 13:22:01 x I=[127.0.0.1]:50000\n2024-05-17 13:22:01 y I=[127.0.0.1]:50001\n",
        # the address-port rule has numbered each first ([...]:10001, :10003): then the
        # I= rule gives them all its one number
        "1999-03-02 09:44:33 x I=[127.0.0.1]:10002\n1999-03-02 09:44:33 y I=[127.0.0.1]:10002\n",
        G99,
    ),
    (
        "incoming-port-shared",
        "mainlog",
        "2024-05-17 13:22:01 SMTP connection from [127.0.0.1]:50000 I=[127.0.0.1]:1225 x\n"
        "2024-05-17 13:22:01 SMTP connection from [127.0.0.1]:50001 I=[127.0.0.1]:50002 x\n",
        "1999-03-02 09:44:33 SMTP connection from [127.0.0.1]:10001 I=[127.0.0.1]:PORT_D x\n"
        "1999-03-02 09:44:33 SMTP connection from [127.0.0.1]:10002 I=[127.0.0.1]:10003 x\n",
        G99,
    ),
    ("incoming-port", "mainlog", "x I=[127.0.0.1]:50000\n", "x I=[127.0.0.1]:ppppp\n", G98),
    # -- host and dumpdb ports --------------------------------------------------------
    (
        "dumpdb-port-n-any-host",
        "stdout",
        "  T:host2.test.ex:[fd00::1]:1223 -1 0 x\n",
        "  T:host2.test.ex:[fd00::1]:PORT_N -1 0 x\n",
        G98,
    ),
    (
        "dumpdb-port-n",
        "stdout",
        "  T:host2.test.ex:10.0.0.1:1223 -1 0 x\n",
        "  T:host2.test.ex:10.0.0.1:1223 -1 0 x\n",
        G96,
    ),
    (
        "dumpdb-port-s",
        "stdout",
        "  T:[127.0.0.1]:127.0.0.1:1224 -1 0 x\n",
        "  T:[127.0.0.1]:127.0.0.1:PORT_S -1 0 x\n",
        G98,
    ),
    (
        "exinext-port-s",
        "stdout",
        "Transport: 127.0.0.1 [127.0.0.1]:1224 error 111: Connection refused\n",
        "Transport: 127.0.0.1 [127.0.0.1]:PORT_S error 111: Connection refused\n",
        G98,
    ),
    (
        "misc-db-helo-port-d",
        "stdout",
        "helo/ehlo 127.0.0.1:1225 clr\n",
        "helo/ehlo 127.0.0.1:PORT_D clr\n",
        MASTER,
    ),
    (
        "bh-macro-port-n",
        "stdout",
        "macro 'X' -> '127.0.0.1::1223 ; localhost::1223'\n",
        "macro 'X' -> '127.0.0.1::PORT_N ; localhost::PORT_N'\n",
        MASTER,
    ),
    (
        "bh-macro-port-n-again",
        "stdout",
        "macro 'X' -> 'localhost::1223'\n",
        "macro 'X' -> 'localhost::PORT_N'\n",
        MASTER,
    ),
    (
        "bh-macro-servers-port-n",
        "stdout",
        "macro 'SERVERS' -> 'localhost/test/PGSQL.1223'\n",
        "macro 'SERVERS' -> 'localhost/test/PGSQL.PORT_N'\n",
        MASTER,
    ),
    # -- dates and times --------------------------------------------------------------
    (
        "log-timestamp-ms",
        "mainlog",
        "2024-05-17 13:22:01.123 BST x\n2024-05-17 13:22:01.123 +0100 y\n",
        "2017-07-30 18:51:05.712 x\n2017-07-30 18:51:05.712 y\n",
        G97,
    ),
    (
        "log-timestamp-ms",
        "mainlog",
        "2024-05-17 13:22:01.123 BST x\n",
        "2017-07-30 18:51:05.712 BST x\n",
        G96,
    ),
    (
        "rfc2822-date",
        "stderr",
        f"Date:{SPACE_MARK}Fri,{SPACE_MARK}17{SPACE_MARK}May{SPACE_MARK}2024{SPACE_MARK}"
        f"13:22:01{SPACE_MARK}+0100\n",
        f"Date:{SPACE_MARK}Tue,{SPACE_MARK}2{SPACE_MARK}Mar{SPACE_MARK}1999{SPACE_MARK}"
        f"09:44:33{SPACE_MARK}+0000\n",
        G98,
    ),
    (
        "rfc2822-date",
        "stdout",
        f"Date:{SPACE_MARK}Fri,{SPACE_MARK}17 May 2024 13:22:01 +0100\n",
        f"Date:{SPACE_MARK}Fri,{SPACE_MARK}17 May 2024 13:22:01 +0100\n",
        G96,
    ),
    (
        "mbox-separator-date",
        "stderr",
        f"From x Fri{SPACE_MARK}May{SPACE_MARK}17{SPACE_MARK}13:22:01 2024\n",
        f"From x Tue{SPACE_MARK}Mar{SPACE_MARK}02{SPACE_MARK}09:44:33 1999\n",
        G98,
    ),
    (
        "mbox-separator-date",
        "stdout",
        f"From x Fri{SPACE_MARK}May{SPACE_MARK}17{SPACE_MARK}13:22:01 2024\n",
        f"From x Fri{SPACE_MARK}May{SPACE_MARK}17{SPACE_MARK}13:22:01 2024\n",
        G96,
    ),
    (
        "dumpdb-retry-times-min-2",
        "stdout",
        "17-May-2024 13:22:01  17-May-2024 13:22:05  17-May-2024 13:22:04\n",
        "first failed = time last try = time2 next try = time2 + 2\n",
        G98,
    ),
    (
        "dumpdb-retry-times-min-2",
        "stdout",
        "17-May-2024 13:22:01  17-May-2024 13:22:05  17-May-2024 13:22:10 *\n",
        "first failed = time last try = time2 next try = time2 + 6 *\n",
        G99,
    ),
    (
        "dumpdb-retry-times",
        "stdout",
        "17-May-2024 13:22:01  17-May-2024 13:22:05  17-May-2024 13:22:04\n",
        "first failed = time last try = time2 next try = time2 + 0\n",
        G96,
    ),
    (
        "retry-record-times-any-prefix",
        "stderr",
        "01:01:01 p1234  first failed=1000 last try=1010 next try=1070 expired=0\n",
        "01:01:01 p1234  first failed=dddd last try=dddd next try=+60 expired=0\n",
        G99,
    ),
    (
        "retry-record-times",
        "stderr",
        " x first failed=1000 last try=1010 next try=1070 expired=0\n",
        " x first failed=1000 last try=1010 next try=1070 expired=0\n",
        G98,
    ),
    (
        "retry-check-times",
        "stdout",
        "x: now=1715948521 first_failed=1715948500 next_try=1715948600 expired=0\n",
        "x: now=tttt first_failed=tttt next_try=tttt expired=0\n",
        G99,
    ),
    (
        "retry-check-times",
        "stdout",
        "x: now=1715948521 first_failed=1715948500 next_try=1715948600 expired=0\n",
        "x: now=1715948521 first_failed=1715948500 next_try=1715948600 expired=0\n",
        G98,
    ),
    (
        "received-time-diff",
        "stdout",
        "x: received_time=1715948521 diff=3 timeout=30\n",
        "x: received_time=tttt diff=tttt timeout=30\n",
        G99,
    ),
    # -- odds and ends, errors, sizes -----------------------------------------------------
    (
        "dbm-library-name",
        "mainlog",
        "x Failed to open tdb (x) file /a\n",
        "x Failed to open hintsdb file /a\n",
        G98,
    ),
    (
        "dbm-library-name",
        "mainlog",
        "x Failed to open tdb (x) file /a\n",
        "x Failed to open DBM file /a\n",
        G97,
    ),
    (
        "host-list-sort-keys",
        "stdout",
        "  mx1.test.ex 10.0.0.1 mx=5 sort=1234\n",
        "  mx1.test.ex 10.0.0.1 mx=5 sort=xx\n",
        G98,
    ),
    (
        "host-list-sort-keys",
        "stdout",
        "  mx1.test.ex 10.0.0.1 mx=5 sort=1234\n",
        "  mx1.test.ex 10.0.0.1 mx=5 sort=1234\n",
        G96,
    ),
    (
        "address-not-available",
        "stderr",
        "connect: Address not available\nbind: Cannot assign requested address\n",
        "connect: Netwk addr not available\nbind: Netwk addr not available\n",
        G97,
    ),
    (
        "cannot-assign-address",
        "stderr",
        "connect: Address not available\nbind: Cannot assign requested address\n",
        "connect: Address not available\nbind: Network Error\n",
        G96,
    ),
    (
        "mailq-size",
        "stdout",
        " 3d   500 10HmaX-000000005vi-0000 <x@y>\n 0m   500 abcdefgh-ijklmnopq <x@y>\n",
        "TTT   sss 10HmaX-000000005vi-0000 <x@y>\nTTT   sss abcdefgh-ijklmnopq <x@y>\n",
        G97,
    ),
    (
        "mailq-size",
        "stdout",
        f" 3d   500 {NEW_ID} <x@y>\n25m   500 {OLD_ID} <x@y>\n",
        "TTT   sss 10HmaX-000000005vi-0000 <x@y>\nTTT   sss 10HmaX-0005vi-00 <x@y>\n",
        G98,
    ),
    (
        "mailq-size",
        "stdout",
        f" 3d   500 {OLD_ID} <x@y>\n25m   500 {OLD_ID} <x@y>\n",
        " 3d   500 10HmaX-0005vi-00 <x@y>\n25m   sss 10HmaX-0005vi-00 <x@y>\n",
        G96,
    ),
    (
        "unexpected-disconnection-errno",
        "mainlog",
        "2024-05-17 13:22:01 unexpected disconnection while reading SMTP command from "
        "[127.0.0.1] (Connection reset by peer) D=0s\n",
        "1999-03-02 09:44:33 unexpected disconnection while reading SMTP command from "
        "[127.0.0.1] (Connection reset by peer) D=qqs\n",
        G99,
    ),
    (
        "unexpected-disconnection-errno",
        "mainlog",
        "2024-05-17 13:22:01 unexpected disconnection while reading SMTP command from "
        "localhost [127.0.0.1] (error: Connection reset by peer) D=0s\n",
        "1999-03-02 09:44:33 unexpected disconnection while reading SMTP command from "
        "localhost [127.0.0.1] D=qqs\n",
        G99,
    ),
    # -- TLS ----------------------------------------------------------------------------
    (
        "openssl-suite-bits",
        "mainlog",
        "2024-05-17 13:22:01 x X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256:X25519 CV=no\n",
        "1999-03-02 09:44:33 x X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx CV=no\n",
        MASTER,
    ),
    (
        "openssl-suite-bits",
        "mainlog",
        "2024-05-17 13:22:01 x X=TLS1.2:ECDHE-RSA-AES256-GCM-SHA384:256:X25519 CV=no\n",
        "1999-03-02 09:44:33 x X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx:X25519 CV=no\n",
        G99,
    ),
    (
        "openssl-tls13-suite-bits",
        "mainlog",
        "2024-05-17 13:22:01 x X=TLS1.3:TLS_AES_256_GCM_SHA384:256:X25519MLKEM768 CV=no\n",
        "1999-03-02 09:44:33 x X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx CV=no\n",
        MASTER,
    ),
    (
        "libressl-suite-bits",
        "mainlog",
        "2024-05-17 13:22:01 x X=TLS1.2:ECDHE-RSA-CHACHA20-POLY1305:256:X25519 CV=no\n",
        "1999-03-02 09:44:33 x X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx CV=no\n",
        MASTER,
    ),
    (
        "gnutls-suite",
        "mainlog",
        "2024-05-17 13:22:01 x X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256:"
        "X25519 CV=no\n",
        "1999-03-02 09:44:33 x X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx CV=no\n",
        MASTER,
    ),
    (
        "gnutls-suite",
        "mainlog",
        "2024-05-17 13:22:01 x X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256:"
        "X25519 CV=no\n",
        "1999-03-02 09:44:33 x X=TLS1.x:ke-RSA-AES256-SHAnnn:xxx:X25519 CV=no\n",
        G99,
    ),
    (
        "gnutls-unexpected-length-to",
        "mainlog",
        "2024-05-17 13:22:01 TLS error on connection to 10.0.0.1 [10.0.0.1] (gnutls_handshake): "
        "A TLS packet with unexpected length was received.\n",
        "1999-03-02 09:44:33 a TLS session is required for ip4.ip4.ip4.ip4 [ip4.ip4.ip4.ip4], "
        "but an attempt to start TLS failed\n",
        G98,
    ),
    (
        "openssl3-dh-rejected",
        "mainlog",
        "2024-05-17 13:22:01 TLS error (D-H param setting 'ffdhe2048'): error:0A00018A:SSL "
        "routines::unknown security bits\n",
        "1999-03-02 09:44:33 TLS error (D-H param setting 'ffdhe2048'): error:xxxxxxxx:SSL "
        "routines::dh key too small\n",
        G98,
    ),
    (
        "openssl3-dh-too-small",
        "mainlog",
        "2024-05-17 13:22:01 TLS error (D-H param setting 'ffdhe2048'): error:0A00018A:SSL "
        "routines::unknown security bits\n",
        "1999-03-02 09:44:33 TLS error (D-H param setting 'ffdhe2048'): error:0A00018A:SSL "
        "routines::unknown security bits\n",
        G96,
    ),
    (
        "openssl3-dh-rejected-line",
        "mainlog",
        "2024-05-17 13:22:01 TLS error (D-H param setting 'ffdhe2048'): error:0A00018A:SSL "
        "routines::dh key too small\n2024-05-17 13:22:01 next\n",
        "1999-03-02 09:44:33 next\n",
        G99,
    ),
    (
        "openssl111-key-mismatch",
        "mainlog",
        "2024-05-17 13:22:01 x: error:0B080074:x509 certificate routines:"
        "X509_check_private_key:key values mismatch\n",
        "1999-03-02 09:44:33 x: error:05800074:x509 certificate routines::key values mismatch\n",
        G97,
    ),
    (
        "openssl111-fopen",
        "stdout",
        "x: error:02001002:system library:fopen:No such file or directory\n",
        "x: error:80000002:system library::No such file or directory\n",
        G97,
    ),
    (
        "openssl111-no-start-line",
        "stdout",
        "x: error:0909006C:PEM routines:get_name:no start line\n",
        "x: error:0480006C:PEM routines::no start line\n",
        G97,
    ),
    # -- stdout ------------------------------------------------------------------------------
    (
        "stdout-port-names-connecting",
        "stdout",
        "Connecting to 127.0.0.1 port 1225 ... connected\nListening on port 1224 ...\n"
        "  host host.test.ex 127.0.0.1 port=1226\nConnecting to ip4.ip4.ip4.ip4 port 1223 ...\n",
        "Connecting to 127.0.0.1 port PORT_D ... connected\nListening on port PORT_S ...\n"
        "  host host host.test.ex 127.0.0.1 port=PORT_D2\n"
        "Connecting to ip4.ip4.ip4.ip4 port PORT_N ...\n",
        G99,
    ),
    (
        "stdout-port-names-retry-key",
        "stdout",
        "  T:127.0.0.1:127.0.0.1:1227 -1 0 x\n  T:[::1]:[::1]:1228 -1 0 x\n",
        "  T:127.0.0.1:127.0.0.1:PORT_D3 -1 0 x\n  T:[::1]:[::1]:PORT_D4 -1 0 x\n",
        G99,
    ),
    (
        "stdout-port-names-option",
        "stdout",
        "port = 1225\n  port = 1224\n",
        "port = PORT_D\n  port = PORT_S\n",
        G99,
    ),
    (
        "stdout-port-n-lookup",
        "stdout",
        "> lookup of x;127.0.0.1::1223 failed\n",
        "> lookup of x;127.0.0.1::PORT_N failed\n",
        G99,
    ),
    (
        "stdout-port-n-postgres",
        "stdout",
        'POSTGRES -D x -p "1223"\n/usr/lib/postgresql/15/bin/postgres -p "1223"\n',
        'POSTGRES -D x -p "1223"\nPOSTGRES -p "PORT_N"\n',
        G99,
    ),
    (
        "stdout-port-d-misc-db",
        "stdout",
        "17-May-2024 13:22:01 127.0.0.1:1225.EHLO\n17-May-2024 13:22:01 x:127.0.0.1:1225.EHLO\n",
        "07-Mar-2000 12:21:52 127.0.0.1:PORT_D.EHLO\n07-Mar-2000 12:21:52 x:127.0.0.1:1225.EHLO\n",
        G99,
    ),
    (
        "hintsdb-missing",
        "stdout",
        "Failed to open database lock file /work/main/.work/w0/spool/db/retry.lockfile: "
        "No such file or directory\n"
        "Failed to open hintsdb file /work/main/.work/w0/spool/db/wait-smtp for reading: "
        "No such file or directory\n",
        "Failed to open hintsdb TESTSUITE/spool/db/retry: No such file or directory\n"
        "Failed to open hintsdb TESTSUITE/spool/db/wait-smtp: No such file or directory\n",
        G98,
    ),
    (
        "openssl-alert-line",
        "stdout",
        "40E7:error:0A000410:SSL routines:ssl3_read_bytes:ssl/tls alert handshake "
        "failure:../ssl/record/rec_layer_s3.c:1605:SSL alert number 40\n",
        "pppp:error:dddddddd:SSL routines:ssl3_read_bytes:sslv3 alert handshake "
        "failure:[...]:SSL alert number 40\n",
        G98,
    ),
    (
        "openssl-alert-line",
        "stdout",
        "40E7:error:0A000410:SSL routines:ssl3_read_bytes:ssl/tls alert handshake "
        "failure:../ssl/record/rec_layer_s3.c:1605:SSL alert number 40\n",
        "pppp:error:dddddddd:SSL routines:ssl3_read_bytes:ssl/tls alert handshake "
        "failure:[...]:SSL alert number 40\n",
        G96,
    ),
    (
        "openssl3-tls-alert",
        "stdout",
        "error:0A000418:SSL routines::ssl/tls alert unknown ca\n",
        "error:dddddddd:SSL routines:ssl3_read_bytes:sslv3 alert unknown ca\n",
        G98,
    ),
    (
        "bv-ocsp-transport-option",
        "stdout",
        "_OPT_TRANSPORT_SMTP_HOSTS_REQUEST_OCSP=y\nnext\n",
        "next\n",
        MASTER,
    ),
    (
        "retry-quota-text-elided",
        "stdout",
        "  T:userx@test.ex 0 0 R=x (MTA-imposed quota exceeded while writing to tmp/123.x)\n",
        "  T:userx@test.ex 0 0 R=x (MTA-imposed quota exceeded while writing to <elided>)\n",
        G98,
    ),
    (
        "postgres-checksums",
        "stdout",
        "Data page checksums are enabled.\nData page checksums are disabled.\n",
        "Data page checksums are **abled.\nData page checksums are **abled.\n",
        MASTER,
    ),
    (
        "postgres-selecting-default",
        "stdout",
        'selecting default max_connections ... 100\nselecting default "shared_buffers" ... 128MB\n',
        'selecting default "max_connections"... 100\nselecting default "shared_buffers"... 128MB\n',
        MASTER,
    ),
    (
        "dmarc-history-time",
        "stdout",
        "received 1715948521\n",
        "received 1692480217\n",
        G97,
    ),
    ("be-macro-dmarc", "stdout", "macro '_HAVE_DMARC' -> '1'\nx\n", "x\n", MASTER),
    ("be-macro-limits", "stdout", "macro '_HAVE_ESMTP_LIMITS' -> '1'\nx\n", "x\n", MASTER),
    ("bp-hosts-try-prdr", "stdout", "hosts_try_prdr = *\nx\n", "x\n", G98),
    ("bp-host-name-extract", "stdout", "host_name_extract = x\ny\n", "y\n", G97),
    (
        "bv-dane-transport-option",
        "stdout",
        "_OPT_TRANSPORT_SMTP_DANE_REQUIRE_TLS_CIPHERS=y\nx\n",
        "x\n",
        MASTER,
    ),
    ("be-macro-pipe-connect", "stdout", "macro '_HAVE_PIPE_CONNECT' -> '1'\nx\n", "x\n", MASTER),
    (
        "mailq-static-message-age",
        "stdout",
        "-> 412d   317 1pXyZa-00000000Abc-Zzzz <nobody@test.ex>\n",
        "->DDd   317 10HmaX-000000005vi-0000 <nobody@test.ex>\n",
        G97,
    ),
    (
        "mailq-static-message-age",
        "stdout",
        "-> 412d   317 1pXyZa-000Abc-Zz <nobody@test.ex>\n",
        "->DDd   317 10HmaX-0005vi-00 <nobody@test.ex>\n",
        G98,
    ),
    (
        "mailq-caller-message-size",
        "stdout",
        "x 0m   412 1pXyZa-00000000Abc-Zzzz <rtcaller@myhost.test.ex>\n",
        "x 1m    396 10HmaX-000000005vi-0000 <CALLER@the.local.host.name>\n",
        G98,
    ),
    (
        "dsn-diagnostic",
        "stdout",
        "X-Exim-Diagnostic: X-str; a\n  more\n\tmore\nReporting-MTA: dns; x\n",
        "Reporting-MTA: dns; x\n",
        G97,
    ),
    (
        "dsn-diagnostic",
        "stdout",
        "X-Exim-Diagnostic: X-str; a\n\nnext\n",
        "\nnext\n",
        G99,
    ),
    # -- logs ---------------------------------------------------------------------------------
    (
        "log-port-names-listening-on",
        "mainlog",
        "2024-05-17 13:22:01 exim x daemon started: pid=4321, no queue runs, listening for SMTP "
        "on [127.0.0.1]:1225 [::1]:1225\n",
        "1999-03-02 09:44:33 exim x daemon started: pid=p1234, no queue runs, listening for SMTP "
        "on [127.0.0.1]:1225 [::1]:PORT_D\n",
        G99,
    ),
    (
        "log-port-names-listening-port",
        "mainlog",
        "2024-05-17 13:22:01 exim x daemon started: pid=4321, -q1m, listening for SMTP on "
        "port 1225 (IPv6 and IPv4) and for SMTPS on port 1226 (IPv6 and IPv4)\n",
        "1999-03-02 09:44:33 exim x daemon started: pid=p1234, -q1m, listening for SMTP on "
        "port PORT_D and for SMTPS on port PORT_D2\n",
        G99,
    ),
    (
        "log-port-names-interface",
        "mainlog",
        "2024-05-17 13:22:01 SMTP connection from [127.0.0.1]:50000 I=[127.0.0.1]:1226 (TCP/IP "
        "connection count = 1)\n",
        "1999-03-02 09:44:33 SMTP connection from [127.0.0.1]:10001 I=[127.0.0.1]:PORT_D2 (TCP/IP "
        "connection count = 1)\n",
        G99,
    ),
    (
        "log-port-name-received-from",
        "mainlog",
        "2024-05-17 13:22:01 Received from x H=(y) [127.0.0.1]:50000 I=[127.0.0.1]:1225 P=esmtp\n",
        "1999-03-02 09:44:33 Received from x H=(y) [127.0.0.1]:10001 I=[127.0.0.1]:PORT_D "
        "P=esmtp\n",
        G99,
    ),
    (
        "log-port-names-refused",
        "mainlog",
        "2024-05-17 13:22:01 x [127.0.0.1]:1223 Connection refused\n",
        "1999-03-02 09:44:33 x [127.0.0.1]:PORT_N Connection refused\n",
        G99,
    ),
    (
        "log-port-names-delivery",
        "mainlog",
        f'2024-05-17 13:22:01 {NEW_ID} => x@y R=r T=t H=127.0.0.1 [127.0.0.1]:1227 C="250 OK"\n',
        "1999-03-02 09:44:33 10HmaX-000000005vi-0000 => x@y R=r T=t H=127.0.0.1 "
        '[127.0.0.1]:PORT_D3 C="250 OK"\n',
        G99,
    ),
    (
        "log-port-name-server",
        "mainlog",
        f"2024-05-17 13:22:01 {NEW_ID} == x@y R=r T=t defer (-44) H=127.0.0.1 [127.0.0.1]:1224: "
        "SMTP error\n",
        "1999-03-02 09:44:33 10HmaX-000000005vi-0000 == x@y R=r T=t defer (-44) H=127.0.0.1 "
        "[127.0.0.1]:PORT_S: SMTP error\n",
        G99,
    ),
    (
        "log-port-name-server-angle",
        "mainlog",
        "2024-05-17 13:22:01 x port <1224>\n",
        "1999-03-02 09:44:33 x port <PORT_S>\n",
        G99,
    ),
    (
        "log-port-name-plp",
        "mainlog",
        "2024-05-17 13:22:01 x PRX=[127.0.0.1] plp 1225\n",
        "1999-03-02 09:44:33 x PRX=[127.0.0.1] plp PORT_D\n",
        G99,
    ),
    (
        "log-port-name-received-port",
        "mainlog",
        '2024-05-17 13:22:01 Expansion of "${if eq{$received_port}{1228}{a}}" x\n',
        '1999-03-02 09:44:33 Expansion of "${if eq{$received_port}{PORT_D4}{a}}" x\n',
        G99,
    ),
    (
        "log-port-d",
        "mainlog",
        "x [127.0.0.1]:1225 port 1225\n",
        "x [127.0.0.1]:1111 port PORT_D\n",
        G98,
    ),
    (
        "chunking-sizes",
        "mainlog",
        f'2024-05-17 13:22:01 {NEW_ID} => x K DKIM=test.ex C="250- 412 byte chunk, total 412\n',
        '1999-03-02 09:44:33 10HmaX-000000005vi-0000 => x K DKIM=test.ex C="250- 4nn byte chunk, '
        "total 4nn\n",
        G98,
    ),
    (
        "chunking-sizes",
        "mainlog",
        f'2024-05-17 13:22:01 {NEW_ID} => x K DKIM=test.ex C="250- 412 byte chunk, total 412\n',
        '1999-03-02 09:44:33 10HmaX-000000005vi-0000 => x K DKIM=test.ex C="250- 3nn byte chunk, '
        "total 3nn\n",
        G99,
    ),
    (
        "chunking-sizes",
        "mainlog",
        f'2024-05-17 13:22:01 {OLD_ID} => x K DKIM=test.ex C="250- 412 byte chunk, total 412\n',
        '1999-03-02 09:44:33 10HmaX-0005vi-00 => x K DKIM=test.ex C="250- 412 byte chunk, '
        "total 412\n",
        G96,
    ),
    (
        "openssl-fopen-error",
        "mainlog",
        "2024-05-17 13:22:01 TLS error on connection from [127.0.0.1] (cert/key setup): "
        "error:80000002:system library::No such file or directory\n",
        "1999-03-02 09:44:33 TLS error on connection from [127.0.0.1] (cert/key setup): "
        "error:xxxxxxxx:system library:fopen:No such file or directory\n",
        G97,
    ),
    (
        "openssl-read-eof",
        "mainlog",
        "2024-05-17 13:22:01 TLS error (SSL_read): on connection from x error:0A000126:SSL "
        "routines::unexpected eof while reading\n2024-05-17 13:22:01 next\n",
        "1999-03-02 09:44:33 next\n",
        G97,
    ),
    (
        "openssl-event-accept-eof",
        "mainlog",
        "2024-05-17 13:22:01 EVDATA: (SSL_accept): error:0A000126:SSL routines::unexpected eof "
        "while reading\n",
        "1999-03-02 09:44:33 EVDATA: SSL_accept: TCP connection closed by peer\n",
        G97,
    ),
    (
        "openssl-dane-verify",
        "mainlog",
        "2024-05-17 13:22:01 x DANE attempt failed; TLS connection to x [1.2.3.4]: "
        "error:0A000086:SSL routines::certificate verify failed\n",
        "1999-03-02 09:44:33 x DANE attempt failed; TLS connection to x [1.2.3.4]: "
        "error:xxxxxxxx:SSL routines:ssl3_get_server_certificate:certificate verify failed\n",
        G97,
    ),
    (
        "openssl3-arc-pem",
        "mainlog",
        "2024-05-17 13:22:01 ARC: AMS signing: privkey PEM-block import: The requested data were "
        "not available.\n",
        "1999-03-02 09:44:33 ARC: AMS signing: privkey PEM-block import: error:1E08010C:DECODER "
        "routines::unsupported\n",
        G97,
    ),
    (
        "dkim-log-timestamps-bracketed",
        "mainlog",
        "2024-05-17 13:22:01 DKIM: d=test.ex s=sel c=relaxed/relaxed a=rsa-sha256 b=1024 "
        "t=1715948521 x=1715948621 [verification succeeded]\n",
        "1999-03-02 09:44:33 DKIM: d=test.ex s=sel c=relaxed/relaxed a=rsa-sha256 b=1024 "
        "t=T x=T+100 [verification succeeded]\n",
        G98,
    ),
    (
        "dkim-log-timestamp-no-expiry",
        "mainlog",
        "2024-05-17 13:22:01 DKIM: d=test.ex s=sel c=relaxed/relaxed a=rsa-sha256 b=1024 "
        "t=1715948521 [verification succeeded]\n",
        "1999-03-02 09:44:33 DKIM: d=test.ex s=sel c=relaxed/relaxed a=rsa-sha256 b=1024 "
        "t=T [verification succeeded]\n",
        G98,
    ),
    (
        "dkim-log-timestamps",
        "mainlog",
        "2024-05-17 13:22:01 DKIM: d=test.ex t=1715948521 [verification succeeded]\n",
        "1999-03-02 09:44:33 DKIM: d=test.ex t=1715948521 [verification succeeded]\n",
        G96,
    ),
    (
        "gnutls-alpn-client-alert",
        "mainlog",
        "2024-05-17 13:22:01 x TLS session: (gnutls_handshake): rxd alert: No supported "
        "application protocol could be negotiated\n",
        "1999-03-02 09:44:33 x TLS session: (SSL_connect): error: <<detail omitted>>\n",
        G97,
    ),
    (
        "gnutls-alpn-client-generic",
        "mainlog",
        "2024-05-17 13:22:01 x TLS session: (gnutls_handshake): rxd alert: No supported "
        "application protocol could be negotiated\n",
        "1999-03-02 09:44:33 x TLS session: (tls lib connect): error: <<ALPN>>\n",
        G99,
    ),
    (
        "gnutls-alpn-server-generic",
        "mainlog",
        "2024-05-17 13:22:01 TLS error on connection from x (gnutls_handshake): No common "
        "application protocol could be negotiated.\n",
        "1999-03-02 09:44:33 TLS error on connection from x (tls lib connect): error: <<ALPN>>\n",
        G99,
    ),
    (
        "dns-fail-aaaa",
        "mainlog",
        "2024-05-17 13:22:01 x <dns:fail> <DNS_NOMATCH:ipv6.test.ex:AAAA>\n2024-05-17 13:22:01 y\n",
        "1999-03-02 09:44:33 y\n",
        G98,
    ),
    # -- mail -----------------------------------------------------------------------------------
    (
        "mail-port-names",
        "mail",
        "X-interface-port: 1225\nX-received-port:  1226\n",
        "X-interface-port: PORT_D\nX-received-port:  PORT_D2\n",
        G99,
    ),
    (
        "mail-dkim-timestamp-no-expiry",
        "mail",
        "\tt=1715948521; b=AbCd+/xyz\n\t line2\n\t line3\nnext\n",
        "\tt=T; b=bbbb;\nnext\n",
        G98,
    ),
    (
        "mail-dsn-diagnostic",
        "mail",
        "X-Exim-Diagnostic: X-str; a\n  more\nReporting-MTA: dns; x\n",
        "Reporting-MTA: dns; x\n",
        G97,
    ),
    (
        "custom:optional_dsn_info",
        "mail",
        "X-Remote-MTA-smtp-greeting: X-str; 220 x\n more\n  more\nReporting-MTA: dns; x\n",
        "Reporting-MTA: dns; x\n",
        {"custom": "optional_dsn_info", "generation": "4.97"},
    ),
    (
        "custom:optional_dsn_info",
        "mail",
        "X-Remote-MTA-smtp-greeting: X-str; 220 x\n more\nReporting-MTA: dns; x\n",
        " more\nReporting-MTA: dns; x\n",
        {"custom": "optional_dsn_info"},
    ),
]


@pytest.mark.parametrize(
    ("rule", "kind", "raw", "munged", "opts"),
    CASES,
    ids=[f"{c[0]}-{c[4].get('generation', '4.96')}-{i}" for i, c in enumerate(CASES)],
)
def test_rule(rule: str, kind: str, raw: str, munged: str, opts: dict) -> None:
    check_case(kind, raw, munged, opts)
