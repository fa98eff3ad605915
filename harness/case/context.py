"""What the commands of one test share: paths, identities, output files, running peers."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from harness.case.config import RunConfig, Seat
from harness.host.hostfacts import HostFacts
from harness.host.processes import Identity, ProcessTracker, chown_if_root
from harness.suite.script import Script
from harness.suite.substitute import Substituter

# Raw output files in the work directory, as Exim's harness names them.
STDOUT = "test-stdout"
STDERR = "test-stderr"
SERVER_STDOUT = "test-stdout-server"
SERVER_STDERR = "test-stderr-server"
# Where a scripted server's own complaints go: kept for the report, never compared.
SERVER_ERRORS = "test-server-errors"


class TestTimeout(Exception):
    """The test ran out of time; the message says what it was doing."""


@dataclass
class TestContext:
    __test__ = False  # not a pytest test class
    config: RunConfig
    seat: Seat
    testno: str
    script: Script
    tracker: ProcessTracker
    subst: Substituter
    dynamic_socket: socket.socket | None = None
    munge_name: str | None = None
    # The scripted server (or exim_lock) waiting to be closed after the next exim command.
    server: subprocess.Popen[bytes] | None = None
    server_line: int = 0
    # Exim daemons started (-bd and inetd-style): killdaemon lets them settle, then ends them.
    daemons: list[subprocess.Popen[bytes]] = field(default_factory=list)
    # A background command, which killdaemon ends by pid without waiting for it to settle.
    kill_pid: int | None = None
    subtest: int = 0
    notes: list[str] = field(default_factory=list)
    # Set by the watchdog when the test's time is up; every wait of the test watches it.
    cancel: threading.Event = field(default_factory=threading.Event)
    doing: str = ""  # what the test is doing now, for the time-out message
    # VAR=value settings of the current command's return-code line, for what it starts.
    command_env: dict[str, str] = field(default_factory=dict)

    def sleep(self, seconds: float) -> None:
        """Pause the test; a time-out cuts the pause short."""
        if seconds > 0 and self.cancel.wait(seconds):
            raise TestTimeout(self.doing)

    @property
    def dir(self) -> Path:
        return Path(self.seat.facts.cwd)

    @property
    def facts(self) -> HostFacts:
        return self.seat.facts

    def path(self, name: str) -> str:
        return str(self.dir / name)

    def out(self, name: str) -> int:
        """An append descriptor on a raw output file, created owned by the caller."""
        path = self.path(name)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        chown_if_root(fd, self.facts.caller_uid, self.facts.caller_gid)
        return fd

    def append_text(self, name: str, text: str) -> None:
        fd = self.out(name)
        try:
            os.write(fd, text.encode("latin-1"))
        finally:
            os.close(fd)

    def say(self, text: str) -> None:
        """A line for the person watching (echo, progress of sleeps)."""
        self.notes.append(text)
        if self.config.debug:
            print(text, file=self.seat.log, flush=True)

    def substitute(self, text: str) -> str:
        return self.subst.apply(text, self.testno)

    def spawn(
        self,
        command: str,
        who: Identity,
        *,
        stdout: str | None = STDOUT,
        stderr: str | None = STDERR,
        stdin: int | None = subprocess.PIPE,
        extra_env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        """Start a shell command in DIR with its output appended to the raw files."""
        fds = [
            self.out(stdout) if stdout else subprocess.DEVNULL,
            self.out(stderr) if stderr else subprocess.DEVNULL,
        ]
        env = {"EXIM_TEST_NUMBER": self.testno, **self.command_env}
        if extra_env:
            env.update(extra_env)
        try:
            return self.tracker.spawn(
                command,
                who,
                cwd=str(self.dir),
                stdin=stdin,
                stdout=fds[0],
                stderr=fds[1],
                extra_env=env,
            )
        finally:
            for fd in fds:
                if isinstance(fd, int) and fd >= 0:
                    os.close(fd)
