"""Facts about the host, the caller and the Exim binary that tests are templated with.

One `HostFacts` is built per run (see `harness.host.probe`) and shared, read-only, by
substitution, munging and the commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Networks used by the suite's DNS zones; chosen so that no real host is in them.
IPV4_TEST_NET = "224"
IPV6_TEST_NET = "ff00"


@dataclass(frozen=True)
class Ports:
    """The fixed ports a test may name; a parallel worker gets its own block."""

    n: int = 1223  # nothing listens here
    s: int = 1224  # the scripted server
    d: int = 1225  # the Exim daemon
    d2: int = 1226
    d3: int = 1227
    d4: int = 1228


@dataclass(frozen=True)
class HostFacts:
    # The work directory that stands in for DIR (holds test-config, spool, aux-var...).
    cwd: str
    hostname: str
    caller: str
    caller_uid: int
    caller_gid: int
    caller_group: str
    caller_gecos: str
    caller_home: str
    eximuser: str
    eximgroup: str
    exim_uid: int
    exim_gid: int
    # Addresses as Exim's harness holds them: when unusable they carry a text such as
    # "<no IPv6 address found>" so that substitution still yields something visible.
    ipv4: str
    ipv6: str
    have_ipv4: bool = True
    have_ipv6: bool = True
    ports: Ports = field(default_factory=Ports)
    mailgroup: str = "mail"
    shell: str = ""  # DIR/aux-var/sh, a shell path that is recognisably the harness's
    clamsocket: str = ""
    ipv4_test_net: str = IPV4_TEST_NET
    ipv6_test_net: str = IPV6_TEST_NET

    @property
    def ipv6_stripped(self) -> str:
        """The IPv6 address without any %scope."""
        return self.ipv6.split("%", 1)[0]

    @property
    def ipv4_reversed(self) -> str:
        """Dotted quad reversed, as in in-addr.arpa names; empty when there is none."""
        if not self.ipv4[:1].isdigit():
            return ""
        return ".".join(reversed(self.ipv4.split(".")))

    @property
    def ipv6_reversed(self) -> str:
        """The address as byte-wise hex groups reversed, the form Exim's harness munges."""
        addr = self.ipv6_stripped
        if not addr[:1].isalnum() or not all(c in "0123456789abcdefABCDEF:" for c in addr):
            return self.ipv6
        parts: list[str] = []
        for comp in addr.split(":"):
            value = int(comp, 16) if comp else 0
            parts += [f"{value >> 8:x}", f"{value & 0xFF:x}"]
        return ".".join(reversed(parts))
