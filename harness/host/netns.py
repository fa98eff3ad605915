"""A private network for one worker: its own loopback and a copy of the host's addresses.

Each parallel worker moves into a new network namespace holding `lo` and a veth pair that
carries the host's IPv4 and IPv6 addresses, so that every worker can use the suite's fixed
ports (PORT_D, PORT_S, ...) and HOSTIPV4 at once, and TCP state such as Fast Open cookies
stays with the worker that made it. The system's name servers stay reachable through a
relay: queries to their addresses inside the namespace are passed on through a socket
opened before the move, so names that fakens passes on resolve as they would outside.
"""

from __future__ import annotations

import ctypes
import ipaddress
import os
import select
import socket
import subprocess
import threading
from pathlib import Path

_CLONE_NEWNET = 0x40000000
_SYSCTLS = ("net/ipv4/tcp_fastopen", "net/ipv4/tcp_fastopen_blackhole_timeout_sec")


class NetnsError(Exception):
    pass


def _ip(*args: str) -> None:
    proc = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {proc.stderr.strip()}")


def _read_sysctls() -> dict[str, str]:
    values = {}
    for name in _SYSCTLS:
        try:
            values[name] = Path("/proc/sys", name).read_text().strip()
        except OSError:
            pass
    return values


def _nameservers() -> list[str]:
    try:
        text = Path("/etc/resolv.conf").read_text()
    except OSError:
        return []
    out = []
    for line in text.splitlines():
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                out.append(str(ipaddress.ip_address(fields[1].split("%")[0])))
            except ValueError:
                pass
    return out


class DnsRelay:
    """Passes UDP DNS queries made inside the namespace to the real name servers."""

    def __init__(self, servers: list[str]) -> None:
        # Opened before the move, these sockets stay in the host's network namespace.
        self.upstream = {
            srv: socket.socket(socket.AF_INET6 if ":" in srv else socket.AF_INET, socket.SOCK_DGRAM)
            for srv in servers
        }
        self.listeners: dict[socket.socket, str] = {}
        self.pending: dict[tuple[str, bytes], tuple[socket.socket, tuple]] = {}

    def listen_inside(self) -> None:
        for srv in self.upstream:
            v6 = ":" in srv
            addr = ipaddress.ip_address(srv)
            if not addr.is_loopback:
                _ip("addr", "add", f"{srv}/{128 if v6 else 32}", "dev", "lo")
            s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((srv, 53))
            self.listeners[s] = srv
        if self.listeners:
            threading.Thread(target=self._serve, daemon=True, name="dns-relay").start()

    def _serve(self) -> None:
        ups = {s: srv for srv, s in self.upstream.items()}
        while True:
            ready, _, _ = select.select([*self.listeners, *ups], [], [])
            for s in ready:
                try:
                    data, peer = s.recvfrom(65535)
                except OSError:
                    continue
                if len(data) < 2:
                    continue
                if s in self.listeners:
                    srv = self.listeners[s]
                    self.pending[(srv, data[:2])] = (s, peer)
                    self.upstream[srv].sendto(data, (srv, 53))
                else:
                    back = self.pending.pop((ups[s], data[:2]), None)
                    if back:
                        back[0].sendto(data, back[1])


def enter_private_network(addresses: list[str]) -> None:
    """Move this process into a new network namespace with `addresses` (CIDR) on eth0."""
    sysctls = _read_sysctls()
    relay = DnsRelay(_nameservers())
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(_CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise NetnsError(f"cannot make a network namespace: {os.strerror(err)}")
    _ip("link", "set", "lo", "up")
    if addresses:
        _ip("link", "add", "eth0", "type", "veth", "peer", "name", "eth0peer")
        for cidr in addresses:
            extra = ["nodad"] if ":" in cidr else []
            _ip("addr", "add", cidr, "dev", "eth0", *extra)
        _ip("link", "set", "eth0peer", "up")
        _ip("link", "set", "eth0", "up")
    for name, value in sysctls.items():
        try:
            Path("/proc/sys", name).write_text(value)
        except OSError:
            pass
    relay.listen_inside()


def can_make_namespaces() -> str | None:
    """None when a worker could make its own network; otherwise why it cannot."""
    if os.getuid() != 0:
        return "network namespaces need root"
    proc = subprocess.run(
        ["unshare", "-n", "ip", "link", "add", "t0", "type", "veth", "peer", "name", "t1"],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        return f"cannot make a network namespace here ({proc.stderr.strip()[:100]})"
    return None
