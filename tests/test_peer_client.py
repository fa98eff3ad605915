"""The scripted clients `bin/client`, `bin/client-ssl`, `bin/client-gnutls` and
`bin/client-anytls`, against `bin/server` or a small in-test peer, over real sockets."""

from __future__ import annotations

import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.peers import tlsutil
from tests.test_peer_server import (
    HAVE_IPV6,
    REPO,
    WAIT,
    PeerEnv,
    Server,
    free_port,
    make_peer_env,
    peer_environ,
    recv_all,
    recv_until,
)


@pytest.fixture(scope="session")
def peer_env(tmp_path_factory: pytest.TempPathFactory) -> PeerEnv:
    return make_peer_env(tmp_path_factory)


def run_client(
    env: PeerEnv, prog: str, args: list[str], script: str | bytes, generation: str | None = None
) -> subprocess.CompletedProcess[str]:
    data = script.encode("latin-1") if isinstance(script, str) else script
    proc = subprocess.run(
        [str(env.bin / prog), *args], input=data, capture_output=True, timeout=WAIT,
        cwd=env.root, env=peer_environ(generation),
    )  # fmt: skip
    return subprocess.CompletedProcess(
        proc.args, proc.returncode, proc.stdout.decode("latin-1"), proc.stderr.decode("latin-1")
    )


class Peer:
    """A one-connection TCP peer in a thread: `talk` gets the accepted socket."""

    def __init__(self, talk: Callable[[socket.socket], None], host: str = "127.0.0.1") -> None:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.listener = socket.socket(family)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.port = free_port()
        self.listener.bind((host, self.port))
        self.listener.listen(1)
        self.listener.settimeout(WAIT)
        self.talk = talk
        self.received = b""
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            conn, self.address = self.listener.accept()
            conn.settimeout(WAIT)
            with conn:
                self.talk(conn)
        except BaseException as exc:  # reported by join()
            self.error = exc
        finally:
            self.listener.close()

    def join(self) -> None:
        self.thread.join(WAIT)
        if self.error is not None:
            raise self.error


def test_smtp_against_server(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(
        peer_env, [str(port)], "220 ready\nEHLO\n250-one\n250 two\nQUIT\n221 bye\n>*eof\n"
    )
    script = "??? 220\nEHLO me\n??? 250-\n??? 250 two\nQUIT\n??? 221\n???*\n"
    res = run_client(peer_env, "client", ["127.0.0.1", str(port)], script)
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout == (
        f"Connecting to 127.0.0.1 port {port} ... connected\n??? 220\n<<< 220 ready\n"
        ">>> EHLO me\n??? 250-\n<<< 250-one\n??? 250 two\n<<< 250 two\n>>> QUIT\n"
        "??? 221\n<<< 221 bye\n???*\nExpected EOF read\nEnd of script\n"
    )
    assert server.finish()[0] == 0


def test_ipv6_and_outgoing_interface(peer_env: PeerEnv) -> None:
    if not HAVE_IPV6:
        pytest.skip("no IPv6 here")
    peer = Peer(lambda c: c.sendall(b"220 hi\r\n"), host="::1")
    res = run_client(peer_env, "client", ["::1", str(peer.port), "::1"], "??? 220\n")
    peer.join()
    assert res.returncode == 0
    assert res.stdout.splitlines()[-2:] == ["<<< 220 hi", "End of script"]
    assert peer.address[0] == "::1"


def test_pipelined_sends_and_escapes(peer_env: PeerEnv) -> None:
    def talk(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        peer.data = recv_all(conn)

    peer = Peer(talk)
    script = "??? 220\nMAIL FROM:<a@b>\\r\\nRCPT TO:<c@d>\n>>> \\x41\\\\B\\n\n>>> no-end\n"
    res = run_client(peer_env, "client", ["127.0.0.1", str(peer.port)], script)
    peer.join()
    assert res.returncode == 0
    assert peer.data == b"MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nA\\B\nno-end"
    assert ">>> MAIL FROM:<a@b>\\r\\nRCPT TO:<c@d>\n>>> \\x41\\\\B\\n\n>>> no-end\n" in res.stdout


def test_optional_lines(peer_env: PeerEnv) -> None:
    def talk(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        recv_until(conn, b"\r\n")
        conn.sendall(b"250-a\r\n250-b\r\n250 c\r\n")
        recv_all(conn)

    peer = Peer(talk)
    script = "??? 220\nEHLO x\n????250-\n??? 250 c\n"
    res = run_client(peer_env, "client", ["127.0.0.1", str(peer.port)], script)
    peer.join()
    assert res.returncode == 0
    assert res.stdout.splitlines()[4:] == ["????250-", "??? 250 c", "<<< 250 c", "End of script"]


def test_optional_line_at_end_of_input(peer_env: PeerEnv) -> None:
    peer = Peer(lambda c: c.sendall(b"220 hi\r\n"))
    res = run_client(peer_env, "client", ["127.0.0.1", str(peer.port)], "??? 220\n????554\n")
    peer.join()
    assert res.returncode == 0
    assert res.stdout.splitlines()[-2:] == ["????554", "End of script"]


@pytest.mark.parametrize(
    ("sent", "script", "code", "tail"),
    [
        (b"220 hi\r\n", "??? 250\n", 79,
         ["??? 250", "<<< 220 hi", "", "******** Input mismatch ********"]),
        (b"", "??? 220\n", 80, ["??? 220", "Unexpected EOF read"]),
        (b"220 hi\r\n", "???*\n", 74, ["???*", "Expected EOF not read"]),
        (b"220 hi\r\n250 more\r\n", "??? 220\nQUIT\n", 78,
         ["<<< 220 hi", "Unconsumed input: 250 more", "   About to send: QUIT"]),
    ],
)  # fmt: skip
def test_failures(peer_env: PeerEnv, sent: bytes, script: str, code: int, tail: list[str]) -> None:
    def talk(conn: socket.socket) -> None:
        conn.sendall(sent)
        if sent:
            recv_all(conn)

    peer = Peer(talk)
    res = run_client(peer_env, "client", ["127.0.0.1", str(peer.port)], script)
    peer.join()
    assert res.returncode == code
    assert res.stdout.splitlines()[-len(tail) :] == tail
    assert "Traceback" not in res.stdout + res.stderr


def test_timeout(peer_env: PeerEnv) -> None:
    def talk(conn: socket.socket) -> None:
        recv_all(conn)

    peer = Peer(talk)
    res = run_client(peer_env, "client", ["-t1", "127.0.0.1", str(peer.port)], "??? 220\n")
    peer.join()
    assert res.returncode == 99
    assert res.stdout.endswith("connected\n??? 220\n\nClient timed out\n")


def test_connection_refused(peer_env: PeerEnv) -> None:
    port = free_port()
    res = run_client(peer_env, "client", ["127.0.0.1", str(port)], "??? 220\n")
    assert res.returncode == 85
    assert (
        res.stdout
        == f"Connecting to 127.0.0.1 port {port} ... connect failed: Connection refused\n"
    )


def test_bind_failure_has_no_newline(peer_env: PeerEnv) -> None:
    res = run_client(peer_env, "client", ["127.0.0.1", "19999", "192.0.2.1"], "")
    assert res.returncode == 87
    assert res.stdout.endswith(
        "Unable to bind outgoing SMTP call to 192.0.2.1: Cannot assign requested address"
    )


@pytest.mark.parametrize(
    ("prog", "args", "code", "stderr"),
    [
        ("client", ["-t5x", "h", "1"], 95, "Failed to parse seconds from option <-t5x>\n"),
        ("client", ["-t20000", "h", "1"], 94,
         "Unreasonably long wait of 20000 seconds requested\n"),
        ("client", ["-q"], 92, "Unrecognized option -q\n"),
        ("client", ["-ocsp", "f", "h", "1"], 92, "Unrecognized option -ocsp\n"),
        ("client-ssl", ["-p", "NORMAL", "h", "1"], 92, "Unrecognized option -p\n"),
        ("client-gnutls", ["-p"], 96, "Missing priority string\n"),
        ("client-ssl", ["-ocsp"], 96, "Missing required certificate file for ocsp option\n"),
        ("client", [], 91, "No IP address given\n"),
        ("client", ["127.0.0.1"], 90, "No port number given\n"),
    ],
)  # fmt: skip
def test_argument_errors(
    peer_env: PeerEnv, prog: str, args: list[str], code: int, stderr: str
) -> None:
    res = run_client(peer_env, prog, args, "")
    assert (res.returncode, res.stderr, res.stdout) == (code, stderr, "")


def test_bad_escape_in_script(peer_env: PeerEnv) -> None:
    peer = Peer(recv_all)
    res = run_client(peer_env, "client", ["127.0.0.1", str(peer.port)], "HELO \\xZZ\n")
    peer.join()
    assert res.returncode == 72
    assert res.stdout.endswith(
        "client: script line 1: bad escape '\\xZZ' (\\x needs two hex digits)\n"
    )
    assert "Traceback" not in res.stdout + res.stderr


def test_sleep_and_included_file(peer_env: PeerEnv, tmp_path: Path) -> None:
    part = tmp_path / "part"
    part.write_text("line from file\n")

    def talk(conn: socket.socket) -> None:
        peer.data = recv_all(conn)

    peer = Peer(talk)
    res = run_client(
        peer_env, "client", ["127.0.0.1", str(peer.port)], f"+++ 0\n<<< {part}\nlast\n"
    )
    peer.join()
    assert res.returncode == 0
    assert peer.data == b"line from file\r\nlast\r\n"
    assert res.stdout.splitlines()[1:] == [
        "+++ 0", ">>> line from file", ">>> last", "End of script"]  # fmt: skip


def test_plain_client_has_no_tls(peer_env: PeerEnv) -> None:
    def talk(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        recv_until(conn, b"\r\n")
        conn.sendall(b"220 go\r\n")
        peer.data = recv_all(conn)

    peer = Peer(talk)
    script = "??? 220\nstarttls\n??? 220\nstoptls\n"
    res = run_client(peer_env, "client", ["127.0.0.1", str(peer.port)], script)
    peer.join()
    assert res.returncode == 0
    assert peer.data == b"stoptls\r\n"
    assert "TLS" not in res.stdout


# ---- TLS ------------------------------------------------------------------------------

# bin/server takes *starttls from master on, so these scripts go to a master server.
STARTTLS_SERVER = "220 hi\nSTARTTLS\n220 go ahead\n*starttls\nEHLO\n250 secure\nQUIT\n221 bye\n"
STARTTLS_CLIENT = "??? 220\nSTARTTLS\n??? 220\nEHLO x\n??? 250\nQUIT\n??? 221\n"


@pytest.mark.parametrize("prog", ["client-ssl", "client-gnutls", "client-anytls"])
def test_starttls(peer_env: PeerEnv, prog: str) -> None:
    port = free_port()
    server = Server(peer_env, [str(port)], STARTTLS_SERVER + ">*eof\n", generation="master")
    res = run_client(peer_env, prog, ["127.0.0.1", str(port)], STARTTLS_CLIENT)
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout.splitlines()[4:] == [
        "??? 220", "<<< 220 go ahead", "Attempting to start TLS", "Succeeded in starting TLS",
        ">>> EHLO x", "??? 250", "<<< 250 secure", ">>> QUIT", "??? 221", "<<< 221 bye",
        "End of script",
    ]  # fmt: skip
    rc, out, _ = server.finish()
    assert rc == 0 and "EHLO x\n250 secure\n" in out


@pytest.mark.parametrize(
    ("prog", "lines"),
    [
        ("client-ssl", ["error:0A000126:SSL routines::unexpected eof while reading",
                        "TLS terminated", "Expected EOF read"]),
        ("client-gnutls", ["The TLS connection was non-properly terminated.",
                           "Expected EOF read"]),
    ],
)  # fmt: skip
def test_close_without_tls_close(peer_env: PeerEnv, prog: str, lines: list[str]) -> None:
    port = free_port()
    server = Server(peer_env, [str(port)], STARTTLS_SERVER + ">*eof\n", generation="master")
    res = run_client(peer_env, prog, ["127.0.0.1", str(port)], STARTTLS_CLIENT + "???*\n")
    assert res.returncode == 0
    assert res.stdout.splitlines()[-len(lines) - 2 :] == ["???*", *lines, "End of script"]
    server.finish()


def _tls_peer(
    env: PeerEnv, require_cert: bool, on_connect: bool = False, tls12: bool = False
) -> tuple[Peer, list[str]]:
    """A Python ssl server (OpenSSL) that may demand a client certificate. After a
    failed handshake it closes its sending side and waits for the client to close."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(env.cert, env.key)
    if tls12:
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    if require_cert:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(env.cert)
    events: list[str] = []

    def talk(conn: socket.socket) -> None:
        if not on_connect:
            conn.sendall(b"220 hi\r\n")
            recv_until(conn, b"\r\n")
            conn.sendall(b"220 go\r\n")
        raw = conn.dup()  # a failed wrap_socket closes the socket it was given
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
            events.append(f"peer cert: {bool(tls.getpeercert())}")
            tls.sendall(b"250 ok\r\n")
            recv_all(tls)
        except (ssl.SSLError, OSError) as exc:
            events.append(f"failed: {exc}")
            raw.shutdown(socket.SHUT_WR)
            recv_all(raw)
        finally:
            raw.close()

    return Peer(talk), events


def test_gnutls_alert_when_client_certificate_missing(peer_env: PeerEnv) -> None:
    peer, events = _tls_peer(peer_env, require_cert=True)
    script = "??? 220\nSTARTTLS\n??? 220\nnop\n????554\n"
    res = run_client(peer_env, "client-gnutls", ["127.0.0.1", str(peer.port)], script)
    peer.join()
    assert res.returncode == 0
    assert res.stdout.splitlines()[-7:] == [
        "<<< 220 go", "Attempting to start TLS", "A TLS fatal alert has been received.",
        "Failed to start TLS", ">>> nop", "????554", "End of script",
    ]  # fmt: skip
    assert events[0].startswith("failed")


def test_client_certificate_and_tls_on_connect(peer_env: PeerEnv) -> None:
    peer, events = _tls_peer(peer_env, require_cert=True, on_connect=True)
    args = ["-tls-on-connect", "127.0.0.1", str(peer.port), str(peer_env.cert), str(peer_env.key)]
    res = run_client(peer_env, "client-ssl", args, "??? 250\n")
    peer.join()
    assert res.returncode == 0
    assert res.stdout.splitlines()[1:] == [
        f"Certificate file = {peer_env.cert}", f"Key file = {peer_env.key}",
        "Attempting to start TLS", "Succeeded in starting TLS", "??? 250", "<<< 250 ok",
        "End of script",
    ]  # fmt: skip
    assert events == ["peer cert: True"]


def test_openssl_alert_in_handshake(peer_env: PeerEnv) -> None:
    peer, _ = _tls_peer(peer_env, require_cert=True, on_connect=True, tls12=True)
    res = run_client(peer_env, "client-ssl", ["-tls-on-connect", "127.0.0.1", str(peer.port)], "")
    peer.join()
    lines = res.stdout.splitlines()
    assert lines[-2:] == ["Failed to start TLS", "End of script"]
    fields = lines[-3].split(":")
    assert fields[1:5] == ["error", "0A000410", "SSL routines", "ssl3_read_bytes"]
    # OpenSSL's own reason text: "ssl/tls alert ..." from OpenSSL 3.2 (Debian 13)
    assert fields[5] in ("sslv3 alert handshake failure", "ssl/tls alert handshake failure")
    assert fields[-1] == "SSL alert number 40"


def test_openssl_alert_after_tls13_handshake(peer_env: PeerEnv) -> None:
    """In TLS 1.3 the client has finished before the server rejects it: the alert comes
    with the first read, and the client goes on in clear text."""
    peer, _ = _tls_peer(peer_env, require_cert=True, on_connect=True)
    args = ["-tls-on-connect", "127.0.0.1", str(peer.port)]
    res = run_client(peer_env, "client-ssl", args, "??? 250\n")
    peer.join()
    assert res.returncode == 80
    assert res.stdout.splitlines()[1:] == [
        "Attempting to start TLS", "Succeeded in starting TLS", "??? 250",
        "error:0A00045C:SSL routines::tlsv13 alert certificate required", "TLS terminated",
        "Unexpected EOF read",
    ]  # fmt: skip


def test_stoptls_and_abandoned_starttls(peer_env: PeerEnv) -> None:
    port = free_port()
    server_script = (
        "220 hi\nstarttls\n454 not now\nstarttls\n220 go\n*starttls\nNOOP\n250 ok\n*eof\n"
    )
    server = Server(peer_env, [str(port)], server_script, generation="master")
    script = "??? 220\nstarttls\n??? 454\nstarttls\n??? 220\nNOOP\n??? 250\nstoptls\n"
    res = run_client(peer_env, "client-gnutls", ["127.0.0.1", str(port)], script)
    assert res.returncode == 0
    assert "<<< 454 not now\nAbandoning TLS start attempt\n" in res.stdout
    assert res.stdout.endswith("<<< 250 ok\nShutting down TLS encryption\nEnd of script\n")
    rc, out, _ = server.finish()
    assert out.endswith("NOOP\n250 ok\nExpected EOF read from client\nEnd of script\n")


def test_stoptls_without_tls(peer_env: PeerEnv) -> None:
    peer = Peer(recv_all)
    res = run_client(peer_env, "client-ssl", ["127.0.0.1", str(peer.port)], "stoptls\n")
    peer.join()
    assert res.returncode == 77
    assert res.stdout.endswith("connected\nSTOPTLS read when TLS not active\n")


def test_certificate_file_problems(peer_env: PeerEnv, tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_text("not a certificate\n")
    peer = Peer(recv_all)
    res = run_client(peer_env, "client-ssl", ["127.0.0.1", str(peer.port), str(junk)], "")
    peer.join()
    assert (res.returncode, res.stdout.splitlines()[-1]) == (
        83,
        "SSL_CTX_use_certificate_file failed",
    )
    peer = Peer(recv_all)
    args = ["127.0.0.1", str(peer.port), str(peer_env.cert), str(junk)]
    res = run_client(peer_env, "client-gnutls", args, "")
    peer.join()
    assert res.returncode == 98
    assert res.stderr == "GnuTLS connection error: gnutls_certificate: Base64 decoding error.\n"


@pytest.mark.parametrize(
    ("key", "gnutls_text"),
    [
        ("other.key", "The certificate and the given key do not match."),
        ("missing.key", "Error while reading file."),
    ],
)
def test_key_file_problems(peer_env: PeerEnv, tmp_path: Path, key: str, gnutls_text: str) -> None:
    """OpenSSL's error queue tells a key that does not fit the certificate from a file
    that cannot be read, as the GnuTLS build's messages do."""
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-out", str(tmp_path / "other.key")],
                   check=True, capture_output=True)  # fmt: skip
    args = ["127.0.0.1", "", str(peer_env.cert), str(tmp_path / key)]
    for prog, code in (("client-ssl", 82), ("client-gnutls", 98)):
        peer = Peer(recv_all)
        args[1] = str(peer.port)
        res = run_client(peer_env, prog, args, "")
        peer.join()
        assert res.returncode == code
        if prog == "client-ssl":
            assert res.stdout.splitlines()[-1] == "SSL_CTX_use_PrivateKey_file failed"
        else:
            assert res.stderr == f"GnuTLS connection error: gnutls_certificate: {gnutls_text}\n"


def test_tls_needs_no_python_ssl() -> None:
    """The peers' TLS is the system's OpenSSL through ctypes: Python's ssl module is not
    loaded (so no interpreter's ssl internals are relied on)."""
    code = (
        f"import sys\nsys.path.insert(0, {str(REPO)!r})\n"
        "from harness.peers import tlsutil\n"
        "tlsutil.TlsSession(__import__('socket').socket(), tlsutil.client_context(True, None),"
        " server_side=False)\n"
        "print(sorted(m for m in sys.modules if m in ('ssl', '_ssl')))\n"
    )
    done = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                          timeout=WAIT)  # fmt: skip
    assert (done.returncode, done.stdout, done.stderr) == (0, "[]\n", "")


def test_gnutls_priority_string_limits_the_session(peer_env: PeerEnv) -> None:
    seen: list[object] = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(peer_env.cert, peer_env.key)
    ctx.set_ciphers("ALL:@SECLEVEL=0")

    def talk(conn: socket.socket) -> None:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            seen.append(tls.version())
            seen.append(tls.cipher()[0])
            tls.sendall(b"220 hi\r\n")
            recv_all(tls)

    peer = Peer(talk)
    prio = "NONE:+SIGN-RSA-SHA256:+VERS-TLS1.2:+RSA:+CIPHER-ALL:+MAC-ALL:+COMP-NULL"
    args = ["-p", prio, "-tls-on-connect", "127.0.0.1", str(peer.port)]
    res = run_client(peer_env, "client-gnutls", args, "??? 220\n")
    peer.join()
    assert res.returncode == 0
    assert seen[0] == "TLSv1.2"
    assert not str(seen[1]).startswith(("ECDHE", "DHE"))  # plain RSA key exchange


@pytest.mark.parametrize(
    ("prio", "version"),
    [(None, "TLSv1.3"), ("NORMAL", "TLSv1.3"), ("NORMAL:-VERS-TLS1.3", "TLSv1.2")],
)
def test_gnutls_client_version_follows_gnutls_defaults(
    peer_env: PeerEnv, prio: str | None, version: str
) -> None:
    """The C client's GNUTLS_NO_EXTENSIONS does not keep GnuTLS from TLS 1.3; the server's
    TLS 1.3 session tickets after STARTTLS do not hold up the look for an alert (a hang
    would end in the client's time-out, code 99)."""
    seen: list[str | None] = []
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(peer_env.cert, peer_env.key)

    def talk(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        recv_until(conn, b"\r\n")
        conn.sendall(b"220 go\r\n")
        with ctx.wrap_socket(conn, server_side=True) as tls:
            seen.append(tls.version())
            recv_until(tls, b"\r\n")
            tls.sendall(b"250 ok\r\n")
            recv_all(tls)

    peer = Peer(talk)
    args = [*(["-p", prio] if prio else []), "127.0.0.1", str(peer.port)]
    script = "??? 220\nSTARTTLS\n??? 220\nNOOP\n??? 250\n"
    res = run_client(peer_env, "client-gnutls", args, script)
    peer.join()
    assert (res.returncode, seen) == (0, [version])
    assert "Succeeded in starting TLS\n>>> NOOP\n??? 250\n<<< 250 ok\n" in res.stdout


def test_ocsp_without_stapled_response(peer_env: PeerEnv) -> None:
    peer, _ = _tls_peer(peer_env, require_cert=False, on_connect=True)
    args = ["-tls-on-connect", "-ocsp", str(peer_env.cert), "127.0.0.1", str(peer.port)]
    res = run_client(peer_env, "client-ssl", args, "??? 250\n")
    peer.join()
    assert res.returncode == 0
    assert "Attempting to start TLS\nno response received\nSucceeded in starting TLS\n" in (
        res.stdout
    )
    peer, _ = _tls_peer(peer_env, require_cert=False, on_connect=True)
    args = ["-tls-on-connect", "-ocsp", str(peer_env.cert), "127.0.0.1", str(peer.port)]
    res = run_client(peer_env, "client-gnutls", args, "??? 250\n")
    peer.join()
    assert "Attempting to start TLS\nFailed to verify certificate status\n" in res.stdout


# ---- OCSP stapling, with `openssl s_server` stapling a response ---------------------------


@pytest.fixture(scope="session")
def ocsp_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_ocsp_files(tmp_path_factory)


def make_ocsp_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A CA, a server certificate it signed, and "good" and "revoked" OCSP responses (and
    "good-nocerts": good, without the signer's certificate)."""
    d = tmp_path_factory.mktemp("ocsp")
    f = {n: d / n for n in ("ca.key", "ca.pem", "srv.key", "srv.csr", "srv.pem", "req.der")}

    def ossl(*args: str | Path) -> None:
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, cwd=d)

    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "3", "-subj", "/CN=CA",
         "-keyout", f["ca.key"], "-out", f["ca.pem"])  # fmt: skip
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=server1.test.ex",
         "-keyout", f["srv.key"], "-out", f["srv.csr"])  # fmt: skip
    ossl("x509", "-req", "-in", f["srv.csr"], "-CA", f["ca.pem"], "-CAkey", f["ca.key"],
         "-CAcreateserial", "-days", "3", "-out", f["srv.pem"])  # fmt: skip
    serial = subprocess.run(
        ["openssl", "x509", "-in", f["srv.pem"], "-noout", "-serial"],
        check=True, capture_output=True, text=True,
    ).stdout.strip().split("=")[1]  # fmt: skip
    ossl("ocsp", "-issuer", f["ca.pem"], "-cert", f["srv.pem"], "-reqout", f["req.der"],
         "-no_nonce")  # fmt: skip
    states = {
        "good": ("V\t301231000000Z\t", []),
        "revoked": ("R\t301231000000Z\t240101000000Z", []),
        "good-nocerts": ("V\t301231000000Z\t", ["-resp_no_certs"]),
    }
    for state, (line, extra) in states.items():
        index = d / f"index.{state}"
        index.write_text(f"{line}\t{serial}\tunknown\t/CN=server1.test.ex\n")
        f[state] = d / f"{state}.der"
        ossl("ocsp", "-index", index, "-CA", f["ca.pem"], "-rsigner", f["ca.pem"],
             "-rkey", f["ca.key"], "-reqin", f["req.der"], "-respout", f[state],
             "-ndays", "2", *extra)  # fmt: skip
    return f


def _stapling_server(
    files: dict[str, Path], response: str | None
) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    staple = ["-status_file", str(files[response])] if response else []
    proc = subprocess.Popen(
        ["openssl", "s_server", "-accept", str(port), "-cert", str(files["srv.pem"]),
         "-key", str(files["srv.key"]), "-quiet", *staple],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.02)
    else:
        proc.kill()
        pytest.fail("openssl s_server did not start")
    return proc, port


@pytest.mark.parametrize(
    ("prog", "response", "lines"),
    [
        ("client-ssl", "good", ["Response verify OK", "Succeeded in starting TLS"]),
        ("client-ssl", None, ["no response received", "Succeeded in starting TLS"]),
        ("client-gnutls", "good", ["Succeeded in starting TLS"]),
        ("client-gnutls", "revoked", ["Failed to verify certificate status"]),
    ],
)
def test_ocsp_stapling(
    peer_env: PeerEnv, ocsp_files: dict[str, Path], prog: str, response: str | None,
    lines: list[str],
) -> None:  # fmt: skip
    proc, port = _stapling_server(ocsp_files, response)
    try:
        args = ["-tls-on-connect", "-ocsp", str(ocsp_files["ca.pem"]), "127.0.0.1", str(port)]
        res = run_client(peer_env, prog, args, "")
    finally:
        proc.kill()
        proc.wait()
    assert res.returncode == 0
    assert res.stdout.splitlines()[1:] == ["Attempting to start TLS", *lines, "End of script"]


# ---- which client certificate is sent, by the server's CA names ---------------------------


@pytest.fixture(scope="session")
def ca_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A root CA, an intermediate it signed, a client certificate the intermediate signed
    (client.chain: client and intermediate), and an unrelated CA."""
    d = tmp_path_factory.mktemp("cas")

    def ossl(*args: str | Path) -> None:
        subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True, cwd=d)

    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    ca_ext = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=keyCertSign"]
    for ca in ("root", "other"):
        ossl("req", "-x509", *ec, "-days", "2", "-subj", f"/O=test/CN={ca} CA", *ca_ext,
             "-keyout", f"{ca}.key", "-out", f"{ca}.pem")  # fmt: skip

    def signed(name: str, issuer: str, subject: str, *extra: str) -> None:
        ossl("req", *ec, "-subj", subject, "-keyout", f"{name}.key", "-out", f"{name}.csr")
        ossl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem",
             "-CAkey", f"{issuer}.key", "-CAcreateserial", "-days", "2", "-out", f"{name}.pem",
             *extra)  # fmt: skip

    (d / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign\n")
    signed("inter", "root", "/O=test/CN=intermediate CA", "-extfile", "ca.ext")
    signed("client", "inter", "/CN=client.test.ex")

    def joined(name: str, *parts: str) -> None:
        (d / name).write_bytes(b"".join((d / part).read_bytes() for part in parts))

    joined("client.chain", "client.pem", "inter.pem")
    joined("trusted.pem", "root.pem", "other.pem", "inter.pem")  # the OpenSSL client sends no chain
    return {p.name: p for p in d.iterdir()}


def _ca_names_server(env: PeerEnv, files: dict[str, Path]) -> tlsutil.TlsContext:
    """A server context that asks for a client certificate and trusts every CA, so that
    a certificate sent is accepted."""
    ctx = tlsutil.server_context(str(env.cert), str(env.key))
    ctx.set_verify(tlsutil.VERIFY_PEER)
    ctx.load_verify_locations(str(files["trusted.pem"]))
    return ctx


def _tls_read_all(session: tlsutil.TlsSession) -> None:
    """Read until the client closes TLS or the connection."""
    try:
        while session.read(4096):
            pass
    except OSError:
        pass


def _ca_names_peer(
    env: PeerEnv, files: dict[str, Path], names: str | None
) -> tuple[Peer, list[object]]:
    """A TLS-on-connect server (tlsutil's, as Python's ssl names no CAs) that asks for a
    client certificate, naming the CAs of files[names] (none when names is None); it
    records the certificate it got (None for none)."""
    ctx = _ca_names_server(env, files)
    got: list[object] = []

    def talk(conn: socket.socket) -> None:
        session = tlsutil.TlsSession(conn, ctx, server_side=True)
        if names is not None:
            tlsutil.set_acceptable_ca_names(session, str(files[names]))
        session.handshake()
        got.append(session.peer_certificate())
        session.write(b"250 ok\r\n")
        _tls_read_all(session)

    return Peer(talk), got


@pytest.mark.parametrize(
    ("prog", "names", "sent"),
    [
        ("client-gnutls", "inter.pem", True),  # names the client certificate's issuer
        ("client-gnutls", "root.pem", True),  # names the issuer of the chain's intermediate
        ("client-gnutls", None, True),  # names no CA
        ("client-gnutls", "other.pem", False),
        ("client-anytls", "other.pem", False),
        ("client-ssl", "other.pem", True),  # OpenSSL sends it whatever the names
    ],
)
def test_client_certificate_chosen_by_server_ca_names(
    peer_env: PeerEnv, ca_files: dict[str, Path], prog: str, names: str | None, sent: bool
) -> None:
    peer, got = _ca_names_peer(peer_env, ca_files, names)
    cert, key = str(ca_files["client.chain"]), str(ca_files["client.key"])
    args = ["-tls-on-connect", "127.0.0.1", str(peer.port), cert, key]
    res = run_client(peer_env, prog, args, "??? 250\n")
    peer.join()
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout.splitlines()[-5:] == [
        "Attempting to start TLS", "Succeeded in starting TLS", "??? 250", "<<< 250 ok",
        "End of script",
    ]  # fmt: skip
    client_der = ssl.PEM_cert_to_DER_cert(ca_files["client.pem"].read_text())
    assert got == [client_der if sent else None]


@pytest.mark.parametrize("prog, chain_sent", [("client-ssl", False), ("client-gnutls", True)])
def test_the_openssl_client_sends_its_certificate_without_the_chain(
    peer_env: PeerEnv, ca_files: dict[str, Path], prog: str, chain_sent: bool
) -> None:
    """client.c loads the certificate file with SSL_CTX_use_certificate_file (the first
    certificate alone), GnuTLS's client the whole file: a server that trusts only the
    root verifies the second (leaf, intermediate) and not the first (Exim's 2114)."""
    ctx = tlsutil.server_context(str(peer_env.cert), str(peer_env.key))
    ctx.set_verify(tlsutil.VERIFY_PEER)
    ctx.load_verify_locations(str(ca_files["root.pem"]))
    got: list[str] = []

    def talk(conn: socket.socket) -> None:
        session = tlsutil.TlsSession(conn, ctx, server_side=True)
        try:
            session.handshake()
        except tlsutil.TlsError as exc:
            got.append(str(exc))
            return
        got.append("verified")
        session.write(b"250 ok\r\n")
        _tls_read_all(session)

    peer = Peer(talk)
    cert, key = str(ca_files["client.chain"]), str(ca_files["client.key"])
    run_client(
        peer_env, prog, ["-tls-on-connect", "127.0.0.1", str(peer.port), cert, key], "??? 250\n"
    )
    peer.join()
    if chain_sent:
        assert got == ["verified"]
    else:
        assert len(got) == 1 and "certificate verify failed" in got[0], got


def test_each_starttls_chooses_the_certificate_again(
    peer_env: PeerEnv, ca_files: dict[str, Path]
) -> None:
    """After stoptls a new STARTTLS makes a new session, which looks at the new names."""
    ctx = _ca_names_server(peer_env, ca_files)
    got: list[bool] = []

    def talk(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        for names in ("other.pem", "inter.pem"):
            recv_until(conn, b"\r\n")
            conn.sendall(b"220 go\r\n")
            session = tlsutil.TlsSession(conn, ctx, server_side=True)
            tlsutil.set_acceptable_ca_names(session, str(ca_files[names]))
            session.handshake()
            got.append(session.peer_certificate() is not None)
            session.read(100)  # NOOP
            session.write(b"250 ok\r\n")
            assert session.read(100) == b""  # the client's close_notify, then clear text
        recv_all(conn)

    peer = Peer(talk)
    cert, key = str(ca_files["client.chain"]), str(ca_files["client.key"])
    script = "??? 220\n" + "STARTTLS\n??? 220\nNOOP\n??? 250\nstoptls\n" * 2
    res = run_client(peer_env, "client-gnutls", ["127.0.0.1", str(peer.port), cert, key], script)
    peer.join()
    assert res.returncode == 0, res.stdout
    assert res.stdout.count("Succeeded in starting TLS") == 2
    assert got == [False, True]


def test_native_function_missing_is_reported() -> None:
    native = tlsutil._Native()  # not the shared one: its table gets a made-up entry
    native._protos["SSL_no_such_function"] = ("ssl", None, [])
    with pytest.raises(tlsutil.NativeUnavailable, match="SSL_no_such_function"):
        native.fn.SSL_no_such_function  # noqa: B018 - binding is what is tested
