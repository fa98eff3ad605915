"""The resident fake nameserver: fakens's answers without an interpreter per lookup.

Exim starts bin/fakens for every DNS lookup. Starting Python for each costs 12-14 ms of
CPU, most of it the interpreter's start; a test run makes thousands of lookups. So the
process that runs a work directory's tests answers them itself, from a thread listening
on the loopback address, and bin/fakens is a bash front (about 2 ms): it passes its
arguments over a TCP connection (bash's /dev/tcp), writes the complaint to stderr, writes
the packet to stdout and exits with the status. The answers are fakens.answer_query's,
so they are the standalone program's byte for byte; the server keeps each zone file it
has read until the file changes. When nobody listens (the process that made the work
directory is gone), the front runs the standalone program instead.

What goes over the connection: the front sends the argument count and the arguments,
each ended by a NUL byte; the server sends the status and the complaint (either may be
empty), each ended by a NUL byte, then the packet, and closes. A packet of up to
`PRINTF_LIMIT` bytes goes as "f" and a printf format that writes it, ended by a NUL
(bash's printf writes any byte, where its variables cannot hold a NUL, so no `cat` is
started; but bash reads a socket a byte at a time), a longer one as "raw", a NUL and the
bytes themselves, which the front copies with `cat`.
"""

from __future__ import annotations

import socket
import threading
import time

from harness.core.generation import Generation
from harness.peers.fakens import NO_RECOVERY, load_zone, reply_to, zone_stamp
from harness.peers.zonefile import Zone

_FRONT = """#!/bin/bash
# fakens, answered by the resident fake nameserver of this work directory (port {port});
# without it, the standalone program.
{{ exec 3<>/dev/tcp/127.0.0.1/{port}; }} 2>/dev/null || exec {standalone} "$@"
printf '%s\\0' "$#" "$@" >&3
IFS= read -r -d '' status <&3
IFS= read -r -d '' complaint <&3
[ -n "$complaint" ] && printf 'fakens: %s\\n' "$complaint" >&2
IFS= read -r -d '' packet <&3
if [ "$packet" = raw ]; then /bin/cat <&3; elif [ -n "$packet" ]; then printf "${{packet#f}}"; fi
exit "${{status:-{no_recovery}}}"
"""

_MAX_REQUEST = 64 * 1024
PRINTF_LIMIT = 2048
# Bytes that stand for themselves in a printf format; the rest are written \xHH.
_PLAIN = frozenset(range(0x20, 0x7F)) - {ord("\\"), ord("%")}
_FORMAT = [chr(b) if b in _PLAIN else f"\\x{b:02x}" for b in range(256)]


def front(port: int, standalone: str) -> str:
    """The text of bin/fakens that asks the server on `port`, else runs `standalone`."""
    return _FRONT.format(port=port, standalone=standalone, no_recovery=NO_RECOVERY)


def printf_format(data: bytes) -> bytes:
    """A printf format (bash's) that writes exactly `data`."""
    return "".join([_FORMAT[b] for b in data]).encode("ascii")


class ZoneMemory:
    """Zone files as read, kept while their size and modification time stay the same."""

    def __init__(self) -> None:
        self._zones: dict[tuple[str, bytes, Generation], tuple[tuple[int, int], Zone]] = {}
        self._lock = threading.Lock()

    def load(self, path: str, origin: bytes, generation: Generation) -> Zone:
        stamp = zone_stamp(path)
        key = (path, origin, generation)
        with self._lock:
            kept = self._zones.get(key)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        zone = load_zone(path, origin, generation)
        if zone_stamp(path) == stamp:  # not changed while it was read
            with self._lock:
                self._zones[key] = (stamp, zone)
        return zone


def _packet_message(packet: bytes) -> bytes:
    """The packet as the front reads it (see the module docstring)."""
    if len(packet) <= PRINTF_LIMIT:
        return b"f" + printf_format(packet) + b"\0"
    return b"raw\0" + packet


def _request(conn: socket.socket) -> list[str] | None:
    """The arguments the front sent, or None when the request is incomplete."""
    data = b""
    while True:
        fields = data.split(b"\0")
        if len(fields) > 1 and fields[0].isdigit() and len(fields) > int(fields[0]) + 1:
            count = int(fields[0])
            return [f.decode("utf-8", "surrogateescape") for f in fields[1 : count + 1]]
        chunk = conn.recv(4096)
        if not chunk or len(data) > _MAX_REQUEST:
            return None
        data += chunk


class FakeNameserver:
    """Answers bin/fakens's queries on an ephemeral loopback port, a thread a query."""

    def __init__(self, generation: Generation) -> None:
        self.generation = generation
        self._zones = ZoneMemory()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True, name="fakens").start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return  # closed
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                args = _request(conn)
                if args is None:
                    return
                reply = reply_to(args, self.generation, self._zones.load)
                head = f"{reply.status}\0{reply.complaint}\0".encode("utf-8", "surrogateescape")
                conn.sendall(head)
                if reply.delay_s > 0:
                    time.sleep(reply.delay_s)
                if reply.packet is not None:
                    conn.sendall(_packet_message(reply.packet))
            except OSError:
                pass  # the front went away (Exim gave up on the lookup)

    def close(self) -> None:
        self._listener.close()
