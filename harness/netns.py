"""A private network for one worker: its own loopback and a copy of the host's addresses.

Each parallel worker moves into a new network namespace holding `lo` and a veth pair that
carries the host's IPv4 and IPv6 addresses, so that every worker can use the suite's fixed
ports (PORT_D, PORT_S, ...) and HOSTIPV4 at once, and TCP state such as Fast Open cookies
stays with the worker that made it.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
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


def enter_private_network(addresses: list[str]) -> None:
    """Move this process into a new network namespace with `addresses` (CIDR) on eth0."""
    sysctls = _read_sysctls()
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


def can_make_namespaces() -> str | None:
    """None when a worker could make its own network; otherwise why it cannot."""
    if os.getuid() != 0:
        return "network namespaces need root"
    proc = subprocess.run(["unshare", "-n", "ip", "link", "add", "t0", "type", "veth",
                           "peer", "name", "t1"], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return f"cannot make a network namespace here ({proc.stderr.strip()[:100]})"
    return None
