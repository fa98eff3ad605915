"""The clients as the helpers of later harness generations (env RUNTEST_HARNESS), beside
the same runs as 4.96's, over real sockets. All the changes came with 4.97: the option
-tls-quiet, -tls-on-connect only in the TLS builds, GnuTLS errors after STARTTLS named by
the failed call, the OpenSSL build's reworded OCSP messages, and "(with OCSP)" on a TLS
start with -ocsp that worked."""

from __future__ import annotations

import select
import socket
from pathlib import Path

import pytest

from tests.test_peer_client import (
    STARTTLS_CLIENT,
    STARTTLS_SERVER,
    Peer,
    _stapling_server,
    _tls_peer,
    make_ocsp_files,
    run_client,
)
from tests.test_peer_server import (
    WAIT,
    PeerEnv,
    Server,
    free_port,
    make_peer_env,
    recv_all,
    recv_until,
)

LATER = ["4.97", "4.98", "4.99", "master"]


@pytest.fixture(scope="session")
def peer_env(tmp_path_factory: pytest.TempPathFactory) -> PeerEnv:
    return make_peer_env(tmp_path_factory)


@pytest.fixture(scope="session")
def ocsp_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return make_ocsp_files(tmp_path_factory)


# ---- options ----------------------------------------------------------------------------


@pytest.mark.parametrize("generation", [None, "4.96"])
def test_plain_client_takes_tls_on_connect_in_4_96(
    peer_env: PeerEnv, generation: str | None
) -> None:
    peer = Peer(lambda c: c.sendall(b"220 hi\r\n"))
    args = ["-tls-on-connect", "127.0.0.1", str(peer.port)]
    res = run_client(peer_env, "client", args, "??? 220\n", generation)
    peer.join()
    assert (res.returncode, res.stderr) == (0, "")
    assert res.stdout.splitlines()[1:] == ["??? 220", "<<< 220 hi", "End of script"]


@pytest.mark.parametrize("generation", LATER)
def test_plain_client_refuses_tls_on_connect_from_4_97(peer_env: PeerEnv, generation: str) -> None:
    res = run_client(peer_env, "client", ["-tls-on-connect", "127.0.0.1", "1"], "", generation)
    assert (res.returncode, res.stdout, res.stderr) == (
        92, "", "Unrecognized option -tls-on-connect\n")  # fmt: skip


@pytest.mark.parametrize(
    ("prog", "generation"),
    [("client-gnutls", None), ("client-gnutls", "4.96"), ("client-ssl", "4.96"),
     ("client", "4.97"), ("client", "master")],
)  # fmt: skip
def test_tls_quiet_unknown_to_4_96_and_plain_client(
    peer_env: PeerEnv, prog: str, generation: str | None
) -> None:
    res = run_client(peer_env, prog, ["-tls-quiet", "127.0.0.1", "1"], "", generation)
    assert (res.returncode, res.stderr) == (92, "Unrecognized option -tls-quiet\n")


@pytest.mark.parametrize("generation", ["4.96", "4.97"])
def test_help_names_tls_quiet_from_4_97(peer_env: PeerEnv, generation: str) -> None:
    res = run_client(peer_env, "client-gnutls", ["--help"], "", generation)
    assert res.returncode == 0
    assert ("[-tls-quiet]" in res.stdout) == (generation == "4.97")


# ---- TLS start after STARTTLS, GnuTLS build -----------------------------------------------


def _garbage_after_starttls() -> Peer:
    """Says 220 to STARTTLS, then answers the ClientHello with a line that is no TLS
    record (sent with the 220, it could reach the client in the same read: the client
    would take it as clear text and wait for ever for the server's hello)."""

    def talk(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        recv_until(conn, b"\r\n")
        conn.sendall(b"220 go\r\n")
        conn.recv(4096)  # the ClientHello
        conn.sendall(b"this is not TLS\r\n")
        recv_all(conn)

    return Peer(talk)


GARBAGE_ERROR = "An unexpected TLS packet was received."


@pytest.mark.parametrize(
    ("generation", "quiet", "lines"),
    [
        (None, False, [GARBAGE_ERROR, "Failed to start TLS"]),
        ("4.96", False, [GARBAGE_ERROR, "Failed to start TLS"]),
        ("4.97", False, [f"gnutls_handshake: {GARBAGE_ERROR}", "Failed to start TLS"]),
        ("master", False, [f"gnutls_handshake: {GARBAGE_ERROR}", "Failed to start TLS"]),
        ("4.97", True, []),
    ],
)
def test_gnutls_handshake_failure_after_starttls(
    peer_env: PeerEnv, generation: str | None, quiet: bool, lines: list[str]
) -> None:
    peer = _garbage_after_starttls()
    args = [*(["-tls-quiet"] if quiet else []), "127.0.0.1", str(peer.port)]
    res = run_client(peer_env, "client-gnutls", args, "??? 220\nSTARTTLS\n??? 220\n", generation)
    peer.join()
    assert res.returncode == 0
    assert res.stdout.splitlines()[4:] == [
        "??? 220", "<<< 220 go", "Attempting to start TLS", *lines, "End of script"]  # fmt: skip


@pytest.mark.parametrize(
    ("generation", "quiet", "lines"),
    [
        ("4.96", False, ["A TLS fatal alert has been received.", "Failed to start TLS"]),
        ("4.97", False, ["gnutls_record_recv: A TLS fatal alert has been received.",
                         "Failed to start TLS"]),
        ("4.99", True, []),
    ],
)  # fmt: skip
def test_gnutls_alert_after_starttls_handshake(
    peer_env: PeerEnv, generation: str, quiet: bool, lines: list[str]
) -> None:
    """The server rejects the missing client certificate after the client's TLS 1.3
    handshake has ended: the alert is found by the read that follows the handshake."""
    peer, events = _tls_peer(peer_env, require_cert=True)
    args = [*(["-tls-quiet"] if quiet else []), "127.0.0.1", str(peer.port)]
    script = "??? 220\nSTARTTLS\n??? 220\nnop\n????554\n"
    res = run_client(peer_env, "client-gnutls", args, script, generation)
    peer.join()
    assert res.returncode == 0
    assert res.stdout.splitlines()[4:] == [
        "??? 220", "<<< 220 go", "Attempting to start TLS", *lines, ">>> nop", "????554",
        "End of script",
    ]  # fmt: skip
    assert events[0].startswith("failed")


@pytest.mark.parametrize(
    ("generation", "quiet"), [("4.96", False), ("4.97", False), ("4.97", True)]
)
def test_gnutls_failure_on_connect_stays_bare(
    peer_env: PeerEnv, generation: str, quiet: bool
) -> None:
    """On connection the GnuTLS error has no prefix, and -tls-quiet leaves it."""

    def talk(conn: socket.socket) -> None:
        conn.sendall(b"this is not TLS\r\n")
        recv_all(conn)

    peer = Peer(talk)
    args = [*(["-tls-quiet"] if quiet else []), "-tls-on-connect", "127.0.0.1", str(peer.port)]
    res = run_client(peer_env, "client-gnutls", args, "", generation)
    peer.join()
    failed = [] if quiet else ["Failed to start TLS"]
    assert res.stdout.splitlines()[1:] == [
        "Attempting to start TLS", GARBAGE_ERROR, *failed, "End of script"]  # fmt: skip


@pytest.mark.parametrize("prog", ["client-ssl", "client-gnutls"])
@pytest.mark.parametrize("on_connect", [False, True])
def test_tls_quiet_success_says_nothing(peer_env: PeerEnv, prog: str, on_connect: bool) -> None:
    if on_connect:
        peer, _ = _tls_peer(peer_env, require_cert=False, on_connect=True)
        port, script, server = peer.port, "??? 250\n", None
    else:
        port = free_port()
        server = Server(peer_env, [str(port)], STARTTLS_SERVER + ">*eof\n", "master")
        script = STARTTLS_CLIENT
    args = ["-tls-quiet", *(["-tls-on-connect"] if on_connect else []), "127.0.0.1", str(port)]
    res = run_client(peer_env, prog, args, script, "4.97")
    if server is None:
        peer.join()
    else:
        server.finish()
    assert (res.returncode, res.stderr) == (0, "")
    assert "Attempting to start TLS\n" in res.stdout
    assert "Succeeded" not in res.stdout and "Failed" not in res.stdout


@pytest.mark.parametrize("prog", ["client-ssl", "client-gnutls"])
@pytest.mark.parametrize("generation", ["4.96", "4.97"])
def test_plain_success_unchanged(peer_env: PeerEnv, prog: str, generation: str) -> None:
    port = free_port()
    server = Server(peer_env, [str(port)], STARTTLS_SERVER + ">*eof\n", "master")
    res = run_client(peer_env, prog, ["127.0.0.1", str(port)], STARTTLS_CLIENT, generation)
    server.finish()
    assert res.returncode == 0
    assert "Attempting to start TLS\nSucceeded in starting TLS\n>>> EHLO x\n" in res.stdout


# ---- OCSP -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prog", "response", "generation", "lines"),
    [
        ("client-ssl", "good", "4.96", ["Response verify OK", "Succeeded in starting TLS"]),
        ("client-ssl", "good", "4.97", ["OCSP status response: good signature",
                                        "Succeeded in starting TLS (with OCSP)"]),
        ("client-ssl", None, "4.96", ["no response received", "Succeeded in starting TLS"]),
        ("client-ssl", None, "4.99", ["no OCSP response received",
                                      "Succeeded in starting TLS (with OCSP)"]),
        ("client-gnutls", "good", "4.96", ["Succeeded in starting TLS"]),
        ("client-gnutls", "good", "4.97", ["Succeeded in starting TLS (with OCSP)"]),
        ("client-gnutls", "revoked", "4.97", ["Failed to verify certificate status"]),
    ],
)  # fmt: skip
def test_ocsp_on_connect(
    peer_env: PeerEnv, ocsp_files: dict[str, Path], prog: str,
    response: str | None, generation: str, lines: list[str],
) -> None:  # fmt: skip
    proc, port = _stapling_server(ocsp_files, response)
    try:
        args = ["-tls-on-connect", "-ocsp", str(ocsp_files["ca.pem"]), "127.0.0.1", str(port)]
        res = run_client(peer_env, prog, args, "", generation)
    finally:
        proc.kill()
        proc.wait()
    assert res.returncode == 0
    assert res.stdout.splitlines()[1:] == ["Attempting to start TLS", *lines, "End of script"]


@pytest.mark.parametrize(
    ("generation", "first"),
    [("4.96", "Response Verify Failure"), ("4.97", "OCSP status response verify failure")],
)
def test_openssl_ocsp_signature_not_verified(
    peer_env: PeerEnv, ocsp_files: dict[str, Path], generation: str, first: str
) -> None:
    """A response that carries no signer certificate, checked against a file that does not
    hold the signer either: the status callback fails the handshake."""
    proc, port = _stapling_server(ocsp_files, "good-nocerts")
    try:
        args = ["-tls-on-connect", "-ocsp", str(peer_env.cert), "127.0.0.1", str(port)]
        res = run_client(peer_env, "client-ssl", args, "", generation)
    finally:
        proc.kill()
        proc.wait()
    lines = res.stdout.splitlines()
    assert lines[1:3] == ["Attempting to start TLS", first]
    assert lines[-2:] == ["Failed to start TLS", "End of script"]
    assert any("invalid status response" in line for line in lines)


def _relay(a: socket.socket, b: socket.socket) -> None:
    """Copy bytes both ways until both sides have closed (each end passed on)."""
    other = {a: b, b: a}
    while other:
        ready, _, _ = select.select(list(other), [], [], WAIT)
        if not ready:
            return
        for sock in ready:
            data = sock.recv(65536)
            try:
                if data:
                    other[sock].sendall(data)
                else:
                    other[sock].shutdown(socket.SHUT_WR)
            except OSError:
                pass
            if not data:
                del other[sock]


def _starttls_to(tls_port: int) -> Peer:
    """An SMTP peer that says 220 to STARTTLS, then hands the connection over to the
    TLS-on-connect server at tls_port (so its stapled OCSP reaches a STARTTLS client)."""

    def talk(conn: socket.socket) -> None:
        conn.sendall(b"220 hi\r\n")
        recv_until(conn, b"\r\n")
        conn.sendall(b"220 go\r\n")
        with socket.create_connection(("127.0.0.1", tls_port), timeout=WAIT) as back:
            _relay(conn, back)

    return Peer(talk)


@pytest.mark.parametrize(
    ("prog", "response", "generation", "lines"),
    [
        ("client-ssl", "good", "4.96", ["Response verify OK", "Succeeded in starting TLS"]),
        ("client-ssl", "good", "4.97", ["OCSP status response: good signature",
                                        "Succeeded in starting TLS (with OCSP)"]),
        ("client-gnutls", "good", "4.96", []),
        ("client-gnutls", "good", "4.97", ["OCSP status response: good signature",
                                           "Succeeded in starting TLS (with OCSP)"]),
        ("client-gnutls", "revoked", "4.96", ["Failed to verify certificate status"]),
        ("client-gnutls", "revoked", "master", ["Failed to verify certificate status"]),
    ],
)  # fmt: skip
def test_ocsp_after_starttls(
    peer_env: PeerEnv, ocsp_files: dict[str, Path], prog: str,
    response: str, generation: str, lines: list[str],
) -> None:  # fmt: skip
    proc, tls_port = _stapling_server(ocsp_files, response)
    try:
        peer = _starttls_to(tls_port)
        args = ["-ocsp", str(ocsp_files["ca.pem"]), "127.0.0.1", str(peer.port)]
        res = run_client(peer_env, prog, args, "??? 220\nSTARTTLS\n??? 220\n", generation)
        peer.join()
    finally:
        proc.kill()
        proc.wait()
    assert res.returncode == 0
    assert res.stdout.splitlines()[4:] == [
        "??? 220", "<<< 220 go", "Attempting to start TLS", *lines, "End of script"]  # fmt: skip
    if response == "revoked":  # the response is printed on stderr
        assert "Cert Status: revoked" in res.stderr


def test_unknown_generation_is_reported(peer_env: PeerEnv) -> None:
    res = run_client(peer_env, "client", ["127.0.0.1", "1"], "", "4.95")
    assert res.returncode == 1
    assert "unknown harness generation '4.95'" in res.stdout
    assert "Traceback" not in res.stdout + res.stderr
