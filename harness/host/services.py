"""The servers that a test's `running X` asks for, which the runner starts for it.

Exim's harness only looks, once before a run, for servers already running: spamd answering
on 127.0.0.1:783 (`running SpamAssassin`) and clamd answering PING on the socket its
clamd.conf names (`running ClamAV`; that socket is what CLAMSOCKET stands for). It never
sets `running socks`, so the tests that need a real SOCKS5 proxy on port 1080 are always
skipped there. This runner starts each such server itself, for each test that requires
one, in the worker's own network namespace (a fixed port of one worker's server never
meets another's), and ends it, with every process it made, when the test ends, before
the check for processes left running. `running X` is met when X's program is installed.

Each row of `SERVICES` says how: the program and whether it starts as root (to bind a low
port, then running as the caller) or as the caller, the files it is given in its directory
(`DIR/services/X/`, made afresh for each test), its command line, and the question on
its TCP port whose answer shows it ready: a test waits for that answer, never a fixed time.
Everything a server says (its log included) goes to `DIR/services/X/output`.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

from harness.host.processes import Identity, ProcessTracker, chown_if_root

# Where the programs are looked for (the system's directories, as the tests' own PATH).
SERVICE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
READY_TIMEOUT = 60.0  # seconds a server may take to answer (spamd takes about 1.2 idle)
STOP_TIMEOUT = 10.0  # seconds a server may take to end after SIGTERM
OUTPUT = "output"  # the file in its directory that a server's stdout and stderr go to
LOCALHOST = "127.0.0.1"

# EICAR's anti-virus test string (test 4016 sends it), in hex: the one signature of the
# database clamd is given, so that the source holds no copy a scanner would flag.
EICAR_HEX = (
    "58354f2150254041505b345c505a58353428505e2937434329377d2445494341522d5354414e4441"
    "52442d414e544956495255532d544553542d46494c452124482b482a"
)
# The name ClamAV's own database of 2005 to 2015 gave it, as the suite's old expected
# files have it; clamd reports it from a database of ours as `Eicar-Test-Signature.UNOFFICIAL`.
EICAR_NAME = "Eicar-Test-Signature"


class ServiceError(Exception):
    """A server a test needs could not be started; the message says which and why."""


@dataclass(frozen=True)
class Setup:
    """What a server's files and command line are made from."""

    directory: Path  # its own, DIR/services/X
    caller: str  # the caller's login, for a server started as root that then drops to it


@dataclass(frozen=True)
class Service:
    """One server: how to start it and how to tell that it is ready."""

    requirement: str  # the X of `running X`
    program: str
    port: int  # the TCP port on 127.0.0.1 that it listens on
    probe: bytes  # sent once connected
    answer: bytes  # the start of a ready server's reply
    as_root: bool  # started as root, which it needs for its port, then running as the caller
    files: Callable[[Setup], dict[str, str]]  # name in its directory -> contents
    argv: Callable[[Setup, str], list[str]]  # its command line, given the program's path

    @property
    def title(self) -> str:
        return f"{self.requirement} ({self.program})"

    @property
    def address(self) -> str:
        """Where it listens, as Exim's options write an address and port."""
        return f"{LOCALHOST} {self.port}"

    def installed(self) -> str | None:
        """The program's path, None when it is not installed."""
        return shutil.which(self.program, path=SERVICE_PATH)


def _spamd_argv(s: Setup, program: str) -> list[str]:
    # Debian's shipped rules, without the network tests (DNS blocklists, Razor, Pyzor):
    # no network is needed, and a score never waits for one. One child is enough for
    # messages that come one at a time, and starts fastest.
    d = s.directory
    return [
        program,
        f"--listen={LOCALHOST}:783",
        f"--username={s.caller}",
        "--local",
        "--nouser-config",
        f"--helper-home-dir={d}",
        f"--pidfile={d}/spamd.pid",
        "--syslog=stderr",
        "--min-children=1",
        "--max-children=1",
    ]


def _clamd_files(s: Setup) -> dict[str, str]:
    # TCP, not a Unix socket: Exim then streams the message to clamd (INSTREAM) rather
    # than naming its spool file, which a clamd running as the caller could not read.
    d = s.directory
    return {
        "clamd.conf": (
            "Foreground yes\n"
            f"TCPSocket 3310\nTCPAddr {LOCALHOST}\n"
            f"DatabaseDirectory {d}/db\n"
            f"PidFile {d}/clamd.pid\n"
            f"LogFile {d}/{OUTPUT}\nLogTime yes\n"  # not /dev/stderr: a link it refuses
        ),
        "db/eicar.ndb": f"{EICAR_NAME}:0:*:{EICAR_HEX}\n",
    }


_ROWS = (
    Service(
        "SpamAssassin",
        "spamd",
        783,
        b"PING SPAMC/1.2\r\n\r\n",
        b"SPAMD/1.5 0 PONG",
        as_root=True,
        files=lambda s: {},
        argv=_spamd_argv,
    ),
    Service(
        "ClamAV",
        "clamd",
        3310,
        b"zPING\0",
        b"PONG",
        as_root=False,
        files=_clamd_files,
        argv=lambda s, program: [program, "-c", str(s.directory / "clamd.conf")],
    ),
    Service(
        # SOCKS5 without authentication ("null-auth", as 4028 and 4029 say), connecting
        # on from 127.0.0.1: microsocks, which Debian 12 and 13 both have (13 has no Dante)
        "socks",
        "microsocks",
        1080,
        b"\x05\x01\x00",  # SOCKS5, one method offered: none
        b"\x05\x00",  # that method accepted
        as_root=False,
        files=lambda s: {},
        argv=lambda s, program: [program, "-i", LOCALHOST, "-p", "1080", "-b", LOCALHOST],
    ),
)
SERVICES: dict[str, Service] = {row.requirement: row for row in _ROWS}
# What CLAMSOCKET stands for when the runner starts clamd: its TCP address.
CLAMSOCKET = SERVICES["ClamAV"].address


def answers(service: Service, timeout: float = 2.0) -> bool:
    """Whether a server on the service's port gives the ready answer to its probe."""
    try:
        with socket.create_connection((LOCALHOST, service.port), timeout=timeout) as sock:
            sock.sendall(service.probe)
            got = b""
            while len(got) < len(service.answer):
                chunk = sock.recv(256)
                if not chunk:
                    break
                got += chunk
            return got.startswith(service.answer)
    except OSError:
        return False


def _port_taken(port: int) -> bool:
    try:
        with socket.create_connection((LOCALHOST, port), timeout=1):
            return True
    except OSError:
        return False


def _tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_bytes().decode("latin-1", "replace")
    except OSError:
        return ""
    last = text.splitlines()[-lines:]
    return ("; its output ended: " + " | ".join(last)) if last else "; it said nothing"


@dataclass
class Started:
    service: Service
    proc: subprocess.Popen[bytes]
    directory: Path


class Services:
    """The servers one test needs: started for it, in `base`, and ended after it."""

    def __init__(
        self,
        base: Path,
        caller_login: str,
        caller: Identity,
        root: Identity,
        tracker: ProcessTracker,
    ) -> None:
        self.base = base
        self.caller_login = caller_login
        self.caller = caller
        self.root = root
        self.tracker = tracker
        self.started: list[Started] = []

    def start(
        self,
        names: Iterable[str],
        cancel: threading.Event | None = None,
        timeout: float = READY_TIMEOUT,
    ) -> list[str]:
        """Start the server of each name that has one in SERVICES and wait until it
        answers; a note per server of how long that took. ServiceError when one cannot
        start; a cancel stops the waiting (the caller sees its event set)."""
        notes = []
        stop = cancel or threading.Event()
        for name in dict.fromkeys(names):
            service = SERVICES.get(name)
            if service is None or stop.is_set():
                continue
            took = self._start_one(service, stop, timeout)
            if took is not None:
                notes.append(f"started {service.title}: it answered after {took:.2f}s")
        return notes

    def _start_one(self, service: Service, stop: threading.Event, timeout: float) -> float | None:
        program = service.installed()
        if program is None:
            raise ServiceError(f"cannot start {service.title}: {service.program} is not installed")
        if _port_taken(service.port):
            raise ServiceError(
                f"cannot start {service.title}: another server listens on "
                f"{LOCALHOST}:{service.port} already"
            )
        directory = self.base / service.requirement
        setup = Setup(directory, self.caller_login)
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        for name, text in service.files(setup).items():
            path = directory / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        for path in [self.base, directory, *directory.rglob("*")]:
            chown_if_root(path, self.caller.uid, self.caller.gid)
        output = directory / OUTPUT
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        try:
            chown_if_root(fd, self.caller.uid, self.caller.gid)
            proc = self.tracker.spawn(
                service.argv(setup, program),
                self.root if service.as_root else self.caller,
                cwd=str(directory),
                stdin=subprocess.DEVNULL,
                stdout=fd,
                stderr=fd,
            )
        finally:
            os.close(fd)
        self.started.append(Started(service, proc, directory))  # ended by stop(), whatever
        begun = time.monotonic()
        delay = 0.01
        while True:
            if answers(service):
                return time.monotonic() - begun
            status = proc.poll()
            if status is not None:
                raise ServiceError(
                    f"{service.title} ended (status {status}) before it answered on "
                    f"{LOCALHOST}:{service.port}{_tail(output)}"
                )
            if time.monotonic() - begun > timeout:
                raise ServiceError(
                    f"{service.title} did not answer on {LOCALHOST}:{service.port} "
                    f"within {timeout:g}s{_tail(output)}"
                )
            if stop.wait(delay):
                return None
            delay = min(delay * 2, 0.1)

    def stop(self) -> list[str]:
        """End every server started, the processes each made too; a note for each that
        had to be killed or was gone already."""
        notes = []
        for started in reversed(self.started):
            notes += self._stop_one(started)
        self.started.clear()
        return notes

    def _stop_one(self, started: Started) -> list[str]:
        proc, title = started.proc, started.service.title
        try:
            family = psutil.Process(proc.pid).children(recursive=True)
        except psutil.Error:
            family = []
        notes = []
        if proc.poll() is not None:
            notes.append(f"{title} had ended by itself (status {proc.returncode})")
        else:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                notes.append(f"{title} did not end within {STOP_TIMEOUT:g}s of SIGTERM: killed")
        # Its children end with it; any it left are the runner's (a subreaper) to reap.
        deadline = time.monotonic() + STOP_TIMEOUT
        while True:
            self.tracker.reap_orphans()
            alive = [p for p in family if _alive(p)]
            if not alive:
                break
            if time.monotonic() > deadline:
                for p in alive:
                    try:
                        p.kill()
                    except psutil.Error:
                        pass
                notes.append(f"{title} left {len(alive)} processes: killed")
                break
            time.sleep(0.02)
        self.tracker.forget(proc)
        self.tracker.reap_orphans()
        return notes


def _alive(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
