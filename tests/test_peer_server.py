"""The scripted server `bin/server`, run as the runner runs it (a wrapper in DIR/bin),
over real sockets: IPv4, IPv6, Unix domain, TLS and TCP Fast Open.

The helpers and the `peer_env` fixture are shared with test_peer_client.py."""

from __future__ import annotations

import os
import random
import select
import shutil
import socket
import ssl
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
WRAPPER = """#!{python} -I
import sys
sys.path.insert(0, {repo!r})
from harness.peers.{module} import main
sys.exit(main())
"""
PROGRAMS = {
    "server": "server",
    "client": "client",
    "client-ssl": "client",
    "client-gnutls": "client",
    "client-anytls": "client",
}
WAIT = 20  # seconds before a test gives up on a peer (they time out well before)
HARNESS_ENV = "RUNTEST_HARNESS"


def peer_environ(generation: str | None) -> dict[str, str]:
    """The environment of a peer started as by the runner of that harness generation
    ("4.96" .. "master"); None: as a peer started by hand, without one."""
    environ = {k: v for k, v in os.environ.items() if k != HARNESS_ENV}
    if generation is not None:
        environ[HARNESS_ENV] = generation
    return environ


class PeerEnv:
    """A stand-in for DIR: bin/ wrappers and aux-fixed/ with a throwaway certificate."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.bin = root / "bin"
        self.aux = root / "aux-fixed"
        self.cert = self.aux / "cert.pem"
        self.key = self.aux / "key.pem"
        self.cert1 = self.aux / "cert1"  # key and certificate in one file, as the suite's


def _have_ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


HAVE_IPV6 = _have_ipv6()


def make_peer_env(tmp_path_factory: pytest.TempPathFactory) -> PeerEnv:
    if not shutil.which("openssl"):
        pytest.skip("the openssl command is needed to make test certificates")
    env = PeerEnv(tmp_path_factory.mktemp("peers"))
    env.bin.mkdir()
    env.aux.mkdir()
    for name, module in PROGRAMS.items():
        path = env.bin / name
        path.write_text(WRAPPER.format(python=sys.executable, repo=str(REPO), module=module))
        path.chmod(0o755)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=peer.test.ex", "-keyout", str(env.key), "-out", str(env.cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    env.cert1.write_bytes(env.key.read_bytes() + env.cert.read_bytes())
    (env.aux / "gnutls-params").write_text("only its presence is checked\n")
    return env


@pytest.fixture(scope="session")
def peer_env(tmp_path_factory: pytest.TempPathFactory) -> PeerEnv:
    return make_peer_env(tmp_path_factory)


def free_port() -> int:
    """A port in 19000-19999 free on IPv4 (and IPv6 when there is IPv6)."""
    for _ in range(200):
        port = random.randint(19000, 19999)
        try:
            with socket.socket(socket.AF_INET) as s4:
                s4.bind(("0.0.0.0", port))
                if HAVE_IPV6:
                    with socket.socket(socket.AF_INET6) as s6:
                        s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                        s6.bind(("::", port))
            return port
        except OSError:
            continue
    raise RuntimeError("no free port in 19000-19999")


class Server:
    """bin/server started as the runner starts it: script, "++++", stdin left open."""

    def __init__(
        self, env: PeerEnv, args: list[str], script: str | bytes, generation: str | None = None
    ) -> None:
        self.pidfile = env.root / f"server-{uuid.uuid4().hex}.pid"
        opts = [] if HAVE_IPV6 else ["-noipv6"]
        self.proc = subprocess.Popen(
            [str(env.bin / "server"), *opts, "-oP", str(self.pidfile), *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=env.root, env=peer_environ(generation),
        )  # fmt: skip
        data = script.encode("latin-1") if isinstance(script, str) else script
        assert self.proc.stdin is not None
        self.proc.stdin.write(data + b"++++\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + WAIT
        while not self.pidfile.exists() and self.proc.poll() is None:
            assert time.monotonic() < deadline, "server wrote no pid file"
            time.sleep(0.02)

    def finish(self) -> tuple[int, str, str]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.stdin = None
        out, err = self.proc.communicate(timeout=WAIT)
        return self.proc.returncode, out.decode("latin-1"), err.decode("latin-1")


def connect(port: int, host: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection((host, port), timeout=WAIT)
    return sock


def recv_until(sock: socket.socket, marker: bytes) -> bytes:
    data = b""
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def recv_all(sock: socket.socket) -> bytes:
    data = b""
    while chunk := sock.recv(4096):
        data += chunk
    return data


SMTP_SCRIPT = """220 Server ready
EHLO
250-server id
250 OK
MAIL FROM
250 OK
DATA
354 go ahead
.
250 accepted
QUIT
221 bye
>*eof
"""


def smtp_conversation(sock: socket.socket) -> bytes:
    got = recv_until(sock, b"220 Server ready\r\n")
    sock.sendall(b"EHLO me\r\n")
    got += recv_until(sock, b"250 OK\r\n")
    sock.sendall(b"MAIL FROM:<a@b>\r\n")
    got += recv_until(sock, b"250 OK\r\n")
    sock.sendall(b"DATA\r\n")
    got += recv_until(sock, b"354 go ahead\r\n")
    sock.sendall(b"Subject: x\r\n\r\n\tbody line\r\n.\r\n")
    got += recv_until(sock, b"250 accepted\r\n")
    sock.sendall(b"QUIT\r\n")
    return got + recv_all(sock)


def expected_smtp_output(port: int, host: str) -> str:
    return (
        f"Listening on port {port} ... \nConnection request from [{host}]\n220 Server ready\n"
        "EHLO me\n250-server id\n250 OK\nMAIL FROM:<a@b>\n250 OK\nDATA\n354 go ahead\n"
        "Subject: x\n\n\tbody line\n.\n250 accepted\nQUIT\n221 bye\n>*eof\nEnd of script\n"
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_smtp_session_over_tcp(peer_env: PeerEnv, host: str) -> None:
    if ":" in host and not HAVE_IPV6:
        pytest.skip("no IPv6 here")
    port = free_port()
    server = Server(peer_env, [str(port)], SMTP_SCRIPT)
    with connect(port, host) as sock:
        sent = smtp_conversation(sock)
    assert sent == (
        b"220 Server ready\r\n250-server id\r\n250 OK\r\n250 OK\r\n354 go ahead\r\n"
        b"250 accepted\r\n221 bye\r\n"
    )
    rc, out, err = server.finish()
    assert (rc, err) == (0, "")
    assert out == expected_smtp_output(port, host)


def test_unix_socket_and_several_connections(peer_env: PeerEnv, tmp_path: Path) -> None:
    path = tmp_path / "sock"
    script = "QUERY-1\n>LF>ANSWER-1\n>*eof\nQUERY-2\n>>ANSWER-2\n>*eof\n"
    server = Server(peer_env, [str(path), "3"], script)
    assert os.stat(path).st_mode & 0o777 == 0o777
    answers = []
    for n in (1, 2, 3):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(WAIT)
            sock.connect(str(path))
            if n < 3:  # the script is used up by the third: it is closed at once
                sock.sendall(f"QUERY-{n}\n".encode())
            answers.append(recv_all(sock))
    assert answers == [b"ANSWER-1\n", b"ANSWER-2", b""]
    rc, out, _ = server.finish()
    assert rc == 0
    listening = f"Listening on {path} ... \nConnection request\n"
    assert out == (
        f"{listening}QUERY-1\n>LF>ANSWER-1\n>*eof\n"
        f"{listening}QUERY-2\n>>ANSWER-2\n>*eof\n{listening}End of script\n"
    )
    assert not path.exists()


def test_output_line_endings_and_escapes(peer_env: PeerEnv) -> None:
    port = free_port()
    script = (
        "HELLO\n>plain\n>>no-end\n>CR>cr-only\n>LF>lf-only\n>\\x41\\\\B\\x01\n250 done\n>*eof\n"
    )
    server = Server(peer_env, [str(port)], script)
    with connect(port) as sock:
        sock.sendall(b"HELLO\r\n")
        got = recv_all(sock)
    assert got == b"plain\r\nno-endcr-only\rlf-only\nA\\B\x01\r\n250 done\r\n"
    rc, out, _ = server.finish()
    assert rc == 0
    assert ">\\x41\\\\B\\x01" not in out  # shown after decoding, re-escaped
    assert ">A\\\\B\\x01\n" in out
    assert ">plain\n>>no-end\n>CR>cr-only\n>LF>lf-only\n" in out


def test_unbuffered_mode_socks_style(peer_env: PeerEnv) -> None:
    """A `>>` line anywhere makes input raw: `<<` compares bytes, shown escaped."""
    port = free_port()
    script = (
        "<<\\x05\\x01\\x00\n>>\\x05\\x00\n<<\\x05\\x01\\x00\\x01\n>>\\x05\\x00\n"
        "220 hi\nEHLO\n>*eof\n"
    )
    server = Server(peer_env, [str(port)], script)
    with connect(port) as sock:
        sock.sendall(b"\x05\x01\x00")
        assert recv_until(sock, b"\x05\x00") == b"\x05\x00"
        sock.sendall(b"\x05\x01\x00\x01")
        got = recv_until(sock, b"220 hi\r\n")
        sock.sendall(b"EHLO there\r\n")
        got += recv_all(sock)
    assert got == b"\x05\x00220 hi\r\n"
    rc, out, _ = server.finish()
    assert rc == 0
    assert out.splitlines()[2:] == [
        "<<\\x05\\x01\\x00", ">>\\x05\\x00", "<<\\x05\\x01\\x00\\x01", ">>\\x05\\x00",
        "220 hi", "EHLO", ">*eof", "End of script",
    ]  # fmt: skip


def test_data_discards_bytes_and_sleep_is_shown(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, [str(port)], "*data 10\n*sleep 0\n250 ok\nQUIT\n>*eof\n")
    with connect(port) as sock:
        sock.sendall(b"0123456789QUIT\r\n")
        assert recv_all(sock) == b"250 ok\r\n"
    rc, out, _ = server.finish()
    assert rc == 0
    assert out.splitlines()[2:] == ["*sleep 0", "250 ok", "QUIT", ">*eof", "End of script"]


def test_comparison_failure_retries_line_on_next_connection(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, [str(port), "2"], "220 hi\nQUIT\n221 bye\n")
    with connect(port) as sock:
        recv_until(sock, b"220 hi\r\n")
        sock.sendall(b"HELP\r\n")
        assert recv_all(sock) == b""
    with connect(port) as sock:
        sock.sendall(b"QUIT\r\n")
        assert recv_all(sock) == b"221 bye\r\n"
    rc, out, _ = server.finish()
    assert rc == 0  # as the C server: a failed comparison shows only in the output
    assert out == (
        f"Listening on port {port} ... \nConnection request from [127.0.0.1]\n220 hi\nHELP\n"
        "Comparison failed - bailing out\nExpected: QUIT\n"
        f"Listening on port {port} ... \nConnection request from [127.0.0.1]\nQUIT\n221 bye\n"
        "End of script\n"
    )


def test_client_closing_early_and_expected_eof(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, [str(port), "2"], "220 hi\nQUIT\n221 bye\n*eof\n220 again\n")
    with connect(port) as sock:
        recv_until(sock, b"220 hi\r\n")
    with connect(port) as sock:  # the script goes on after the line that met the EOF
        recv_until(sock, b"221 bye\r\n")
        sock.shutdown(socket.SHUT_WR)
        recv_all(sock)
    rc, out, _ = server.finish()
    assert rc == 0
    request = f"Listening on port {port} ... \nConnection request from [127.0.0.1]\n"
    assert out == (
        f"{request}220 hi\nUnexpected EOF read from client\n"
        f"{request}221 bye\nExpected EOF read from client\n"
    )  # no "End of script": "220 again" was never reached


def test_timeout_waiting_for_connection(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, ["-t", "1", str(port)], "220 hi\n")
    rc, out, _ = server.finish()
    assert (rc, out) == (99, f"Listening on port {port} ... \nServer timed out\n")


def test_negative_timeout_is_not_an_error(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, ["-t", "-1", str(port)], "220 hi\nQUIT\n")
    with connect(port) as sock:
        assert recv_until(sock, b"\r\n") == b"220 hi\r\n"
        rc, out, _ = server.finish()  # the client says nothing
    assert rc == 0
    assert out.endswith("220 hi\n\nServer timed out\n")


def test_content_length_zero_ends_reading(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, ["-t", "5", str(port)], "<Content-length: 0\n*eof\n")
    with connect(port) as sock:
        sock.sendall(b"Content-length: 0\r\n")  # and the connection stays open
        rc, out, _ = server.finish()
    assert rc == 0
    assert out.splitlines()[2:] == [
        "<Content-length: 0", "Expected EOF read from client", "End of script"]  # fmt: skip


def test_pid_file_and_listeners(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, ["-d", str(port)], "220 hi\n")
    assert server.pidfile.read_text() == f"{server.proc.pid}\n"
    with connect(port) as sock:
        assert recv_all(sock) == b"220 hi\r\n"
    rc, out, _ = server.finish()
    assert rc == 0
    assert out.startswith("Creating IPv6 socket\nCreating IPv4 socket\n" if HAVE_IPV6 else
                          "Creating IPv4 socket\n")  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-x", "1"], "server: unknown option -x, try -h or --help\n"),
        (["-noipv4", "-noipv6", "1"], "server: -noipv4 and -noipv6 cannot both be given\n"),
        ([], "server: no port number or socket name given\n"),
        (["-t"], "server: option -t needs a value\n"),
    ],
)
def test_argument_errors(peer_env: PeerEnv, args: list[str], message: str) -> None:
    proc = subprocess.run(
        [str(peer_env.bin / "server"), *args], input=b"", capture_output=True, timeout=WAIT
    )
    assert (proc.returncode, proc.stdout.decode()) == (1, message)


def test_port_in_use(peer_env: PeerEnv) -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("0.0.0.0", port))
        proc = subprocess.run(
            [str(peer_env.bin / "server"), "-noipv6", str(port)], input=b"",
            capture_output=True, timeout=WAIT,
        )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout.decode() == f"IPv4 socket bind(port {port}) failed: Address already in use\n"


def test_bad_escape_in_script(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(peer_env, [str(port)], "220 hi\n>>\\x4\n")
    rc, out, err = server.finish()
    assert rc == 1
    assert out == "server: script line 2: bad escape '\\x4' (\\x needs two hex digits)\n"
    assert "Traceback" not in out + err


def test_unwritable_pid_file(peer_env: PeerEnv) -> None:
    proc = subprocess.run(
        [str(peer_env.bin / "server"), "-noipv6", "-oP", "/nonexistent/dir/pid", str(free_port())],
        input=b"", capture_output=True, timeout=WAIT,
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stderr.decode() == "pidfile create failed: No such file or directory\n"


def test_starttls_with_default_certificate(peer_env: PeerEnv) -> None:
    port = free_port()
    script = "220 hi\nSTARTTLS\n220 go ahead\n*starttls\nEHLO\n250 secure\n>*eof\n"
    server = Server(peer_env, ["-d", str(port)], script, generation="master")
    ctx = ssl.create_default_context(cafile=str(peer_env.cert))
    ctx.check_hostname = False
    with connect(port) as raw:
        recv_until(raw, b"220 hi\r\n")
        raw.sendall(b"STARTTLS\r\n")
        assert recv_until(raw, b"\r\n") == b"220 go ahead\r\n"
        with ctx.wrap_socket(raw) as tls:
            tls.sendall(b"EHLO x\r\n")
            assert recv_until(tls, b"\r\n") == b"250 secure\r\n"
            cipher = tls.cipher()[0]
    rc, out, _ = server.finish()
    assert rc == 0
    assert f"220 go ahead\nSSL connection using {cipher}\nEHLO x\n250 secure\n" in out


def test_starttls_handshake_failure_goes_on_in_clear(peer_env: PeerEnv) -> None:
    port = free_port()
    server = Server(
        peer_env, ["-tls", str(peer_env.cert), str(peer_env.key), str(port)], "*starttls\nHELLO\n",
        generation="master",
    )  # fmt: skip
    with connect(port) as sock:
        sock.sendall(b"HELLO, this is not TLS\r\n")
        sock.shutdown(socket.SHUT_WR)
        recv_all(sock)
    rc, out, _ = server.finish()
    assert rc == 0
    lines = out.splitlines()
    assert lines[2].split(":")[1:4] == ["error", "0A00010B", "SSL routines"]
    assert lines[2].split(":")[5] == "wrong version number"
    assert lines[3:] == ["Unexpected EOF read from client", "End of script"]


def _passive_tfo_count() -> int:
    rows = [line.split() for line in Path("/proc/net/netstat").read_text().splitlines()]
    for names, values in zip(rows[::2], rows[1::2], strict=False):
        if names[0] == "TcpExt:" and "TCPFastOpenPassive" in names:
            return int(values[names.index("TCPFastOpenPassive")])
    raise LookupError("no TCPFastOpenPassive counter")


def _enable_tfo() -> None:
    path = Path("/proc/sys/net/ipv4/tcp_fastopen")
    try:
        if int(path.read_text()) & 3 != 3:
            path.write_text("3\n")
    except OSError:
        pytest.skip("TCP Fast Open cannot be enabled here")


def test_tcp_fast_open_data_in_syn(peer_env: PeerEnv) -> None:
    _enable_tfo()
    port = free_port()
    before = _passive_tfo_count()
    one = "220 hi\nHELO\n250 ok\n>*eof\n"
    server = Server(peer_env, ["-tfo", "-noipv6", str(port), "2"], one + one)
    for _ in range(2):  # the first call gets a cookie if there is none, the second uses it
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.sendto(b"HELO tfo\r\n", socket.MSG_FASTOPEN, ("127.0.0.1", port))
            sock.settimeout(WAIT)
            assert recv_all(sock) == b"220 hi\r\n250 ok\r\n"
    rc, out, _ = server.finish()
    assert rc == 0
    assert out.count("HELO tfo\n") == 2
    assert _passive_tfo_count() > before


# ---- harness generations: TLS and unbuffered -d came with master -----------------------


@pytest.mark.parametrize("generation", [None, "4.96", "4.99"])
def test_tls_option_unknown_before_master(peer_env: PeerEnv, generation: str | None) -> None:
    proc = subprocess.run(
        [str(peer_env.bin / "server"), "-tls", str(peer_env.cert), str(peer_env.key), "1"],
        input=b"", capture_output=True, timeout=WAIT, env=peer_environ(generation),
    )  # fmt: skip
    assert proc.returncode == 1
    assert proc.stdout.decode() == "server: unknown option -tls, try -h or --help\n"


@pytest.mark.parametrize(("generation", "named"), [("4.99", False), ("master", True)])
def test_help_names_tls_from_master(peer_env: PeerEnv, generation: str, named: bool) -> None:
    proc = subprocess.run(
        [str(peer_env.bin / "server"), "--help"], capture_output=True, timeout=WAIT,
        env=peer_environ(generation),
    )  # fmt: skip
    assert proc.returncode == 0
    assert (b"-tls CERT KEY" in proc.stdout) == named


@pytest.mark.parametrize("generation", [None, "4.98", "4.99"])
def test_starttls_line_is_expected_input_before_master(
    peer_env: PeerEnv, generation: str | None
) -> None:
    port = free_port()
    server = Server(peer_env, [str(port)], "220 hi\n*starttls\n", generation)
    with connect(port) as sock:
        recv_until(sock, b"220 hi\r\n")
        sock.sendall(b"HELLO\r\n")
        assert recv_all(sock) == b""
    rc, out, _ = server.finish()
    assert rc == 0
    assert out.splitlines()[-3:] == [
        "HELLO", "Comparison failed - bailing out", "Expected: *starttls"]  # fmt: skip


def _seen_while_waiting(server: Server, text: bytes) -> bool:
    """Whether text shows on the server's standard output within a second, while the
    server waits for input (so only what it wrote out unbuffered can be seen)."""
    assert server.proc.stdout is not None
    fd = server.proc.stdout.fileno()
    seen = b""
    deadline = time.monotonic() + 1
    while text not in seen and (left := deadline - time.monotonic()) > 0:
        if select.select([fd], [], [], left)[0]:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            seen += chunk
    return text in seen


@pytest.mark.parametrize(
    ("generation", "args", "unbuffered"),
    [("4.99", ["-d"], False), ("master", ["-d"], True), ("master", [], False)],
)
def test_debug_output_unbuffered_from_master(
    peer_env: PeerEnv, generation: str, args: list[str], unbuffered: bool
) -> None:
    port = free_port()
    server = Server(peer_env, [*args, str(port)], "220 hi\nHELO\n250 ok\n", generation)
    with connect(port) as sock:
        recv_until(sock, b"220 hi\r\n")
        assert _seen_while_waiting(server, b"\n220 hi\n") == unbuffered
        sock.sendall(b"HELO x\r\n")
        recv_until(sock, b"250 ok\r\n")
    assert server.finish()[0] == 0
