"""The kernel state each test starts from: pid numbering, TCP metrics and TFO cookies.

What a TCP Fast Open test logs depends on what the kernel remembers from earlier
connections (TFO cookies live in the TCP metrics), so every test starts from the same
state, the one the tests' expected files were made in: a machine in ordinary use that ran
the suite's earlier tests one after another.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from harness.core.generation import Generation

_TFO_BLACKHOLE = "/proc/sys/net/ipv4/tcp_fastopen_blackhole_timeout_sec"
_LAST_PID = "/proc/sys/kernel/ns_last_pid"
_MIN_PID = 1000
# From 4.97 on the expected files have a cookie for the host's own address when a test
# starts: 4027's first connection through its proxy at that address sends data in its SYN
# ("TFO*") although the script wipes only 127.0.0.1's entry. In a serial run the cookie
# is one that 1090, 1188 or 1189 obtained; 4.96's files were made without it.
SEED_TFO_COOKIE_SINCE = Generation.G4_97


def reset_host_state(generation: Generation, host_ipv4: str | None) -> None:
    """Give the test the kernel state its expected files assume, whatever ran before.

    - TCP metrics (with their TFO cookies) are flushed; one plain loopback exchange puts
      back the ordinary entry a used machine has (4027 deletes it and expects no complaint).
    - From SEED_TFO_COOKIE_SINCE, a TFO cookie for the host's IPv4 address is obtained.
    - After a TFO connection that timed out the kernel may suspect a middlebox and stop
      sending TFO for an hour ("blackhole" detection); writing the detector's timeout back
      to itself clears that suspicion.
    - Exim's harness takes a process id for one of at least four digits (a debug line's
      leading pid, say); after the kernel's pids wrap around they start again near 300, so
      the next pid is moved on to four digits when it would be fewer.
    """
    if os.getuid() != 0:
        return
    try:
        last = int(Path(_LAST_PID).read_text())
        if last < _MIN_PID:
            Path(_LAST_PID).write_text(str(_MIN_PID))
    except (OSError, ValueError):
        pass
    try:
        timeout = Path(_TFO_BLACKHOLE).read_text()
        Path(_TFO_BLACKHOLE).write_text(timeout)
    except OSError:
        pass
    subprocess.run(
        ["ip", "tcp_metrics", "flush", "all"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
    )
    _exchange("127.0.0.1", fastopen=False)
    if host_ipv4 and generation >= SEED_TFO_COOKIE_SINCE:
        _exchange(host_ipv4, fastopen=True)


def _exchange(address: str, *, fastopen: bool) -> None:
    """One byte each way with a listener of our own on `address`.

    With `fastopen` the listener takes TFO and the client asks for it, so the kernel
    caches the listener's cookie for the address (the listener's key is the network
    namespace's, which every TFO server of the test uses too).
    """
    try:
        with socket.create_server((address, 0)) as server:
            if fastopen:
                server.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 5)
            server.settimeout(2)
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
                client.settimeout(2)
                if fastopen:
                    # no cookie yet: the SYN asks for one and the byte follows the handshake
                    client.sendto(b"x", socket.MSG_FASTOPEN, server.getsockname())
                else:
                    client.connect(server.getsockname())
                    client.sendall(b"x")
                peer, _ = server.accept()
                with peer:
                    peer.settimeout(2)
                    peer.recv(1)
                    peer.sendall(b"y")
                    client.recv(1)
    except OSError:
        pass


def tfo_cookie_cached(address: str) -> bool:
    """Whether the kernel holds a TFO cookie for `address` (`ip tcp_metrics show`)."""
    out = subprocess.run(
        ["ip", "tcp_metrics", "show", address],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return "fo_cookie" in out
