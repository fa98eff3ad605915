"""Daemons are let settle into their loop: after starting, and before killdaemon's SIGTERM.

The fake daemon here does what matters of Exim's: it writes its pid file before it is
ready (Exim then installs its SIGTERM handler and makes a key), and a wake-up can start
work that takes a while (Exim remaking its key) before it waits again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from harness.case.commands import COMMANDS, parse_script, spec_for
from harness.case.config import RunConfig, Seat
from harness.case.context import TestContext
from harness.core.generation import Generation
from harness.host.eximbinary import Capabilities
from harness.host.hostfacts import HostFacts
from harness.host.processes import (
    Identity,
    ProcessTracker,
    off_cpu,
    wait_until_idle,
    wait_while_running,
    waiting_for_work,
)
from harness.suite.expectedfiles import ExpectedFiles
from harness.suite.script import parse_text
from harness.suite.substitute import Substituter

pytestmark = pytest.mark.skipif(
    waiting_for_work(os.getpid()) is None, reason="/proc/PID/syscall cannot be read here"
)

_POLLER = "import select; select.poll().poll()"
_SLEEPER = "import time; time.sleep(60)"
_SPINNER = "while True: pass"


@pytest.fixture
def child() -> Iterator[list[subprocess.Popen[bytes]]]:
    procs: list[subprocess.Popen[bytes]] = []
    yield procs
    for p in procs:
        p.kill()
        p.wait()


def _start(procs: list[subprocess.Popen[bytes]], code: str) -> int:
    """A Python child running `code`, once it has got going (its imports done)."""
    p = subprocess.Popen(
        [sys.executable, "-c", f"print(flush=True)\n{code}"], stdout=subprocess.PIPE
    )
    assert p.stdout is not None
    p.stdout.readline()
    procs.append(p)
    return p.pid


def test_a_process_in_poll_is_waiting_for_work(child: list[subprocess.Popen[bytes]]) -> None:
    pid = _start(child, _POLLER)
    assert wait_until_idle(pid, 10)
    assert waiting_for_work(pid) is True


def test_a_pause_or_work_is_not_waiting_for_work(child: list[subprocess.Popen[bytes]]) -> None:
    sleeper, spinner = _start(child, _SLEEPER), _start(child, _SPINNER)
    assert waiting_for_work(sleeper) is False  # Exim's test-mode pauses are sleeps too
    assert waiting_for_work(spinner) is False
    assert not wait_until_idle(sleeper, 0.1)
    assert not wait_until_idle(spinner, 0.1)


def test_a_pause_is_off_the_cpu_and_work_is_not(child: list[subprocess.Popen[bytes]]) -> None:
    sleeper, spinner, poller = (
        _start(child, _SLEEPER),
        _start(child, _SPINNER),
        _start(child, _POLLER),
    )
    assert wait_while_running(sleeper, 10) and wait_while_running(poller, 10)
    assert off_cpu(sleeper) is True and off_cpu(poller) is True
    assert off_cpu(spinner) is False
    assert not wait_while_running(spinner, 0.1)


def test_nothing_to_wait_for_once_a_process_has_gone(child: list[subprocess.Popen[bytes]]) -> None:
    pid = _start(child, "")
    child[0].wait()
    assert waiting_for_work(pid) is None and off_cpu(pid) is None
    assert wait_until_idle(pid, 10) and wait_while_running(pid, 10)


def test_a_cancel_ends_the_wait(child: list[subprocess.Popen[bytes]]) -> None:
    pid = _start(child, _SPINNER)
    cancel = threading.Event()
    threading.Timer(0.05, cancel.set).start()
    assert not wait_until_idle(pid, 60, cancel)
    assert cancel.is_set()


# -- the daemon commands, with a fake Exim daemon --------------------------------------

_FAKE_DAEMON = """\
#!{python}
# Writes its pid file, then is busy for a while before it waits in poll, as Exim is
# (SIGTERM handler, key). A line on DIR/wake wakes it: "work" makes it busy again (Exim
# remaking its key), "pause" makes it sleep a while first (Exim's pause after a fork).
# On SIGTERM it notes what it was doing and ends.
import os, select, signal, sys, time
here = {here!r}
doing = "starting"
def term(*_):
    with open(os.path.join(here, "term"), "w") as fh:
        fh.write(doing)
    sys.exit(0)
signal.signal(signal.SIGTERM, term)
pidfile = sys.argv[sys.argv.index("-oP") + 1]
with open(pidfile, "w") as fh:
    fh.write(f"{{os.getpid()}}\\n")
def work():
    global doing
    doing = "working"
    end = time.monotonic() + 1.0
    while time.monotonic() < end:
        pass
    doing = "waiting"
work()
wake = os.open(os.path.join(here, "wake"), os.O_RDWR)
poller = select.poll()
poller.register(wake, select.POLLIN)
while True:
    poller.poll()
    what = os.read(wake, 100).decode().strip()
    if what == "pause":
        doing = "pausing"
    open(os.path.join(here, "woken"), "w").close()
    if what == "pause":
        time.sleep(5)
    work()
"""


@pytest.fixture
def ctx(tmp_path: Path, facts: HostFacts) -> Iterator[TestContext]:
    me = Identity(
        os.getuid(), os.getgid(), (os.getgid(),), {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    )
    facts = replace(
        facts,
        cwd=str(tmp_path),
        caller_uid=os.getuid(),
        caller_gid=os.getgid(),
        exim_uid=os.getuid(),
        exim_gid=os.getgid(),
    )
    config = RunConfig(
        tmp_path,
        Path("exim"),
        Generation.G4_96,
        None,
        Capabilities(),
        ExpectedFiles.for_suite(tmp_path, Generation.G4_96, None),
    )
    (tmp_path / "script").write_text("# t\n")
    (tmp_path / "confs").mkdir()
    (tmp_path / "confs" / "0999").write_text("# a configuration\n")
    (tmp_path / "spool").mkdir()
    (tmp_path / "eximdir").mkdir()
    exim = tmp_path / "eximdir" / "exim"
    exim.write_text(_FAKE_DAEMON.format(python=sys.executable, here=str(tmp_path)))
    exim.chmod(0o755)
    os.mkfifo(tmp_path / "wake")
    context = TestContext(
        config,
        Seat(0, facts, me, me),
        "0999",
        parse_script(tmp_path / "script"),
        ProcessTracker(),
        Substituter(facts, Generation.G4_96),
    )
    yield context
    context.tracker.kill_all()


def _run(ctx: TestContext, line: str) -> None:
    data = "****\n" if line.startswith("exim") else ""
    (cmd,) = parse_text(Path("t"), f"# t\n{line}\n{data}", COMMANDS).commands
    spec = spec_for(cmd.name)
    m = spec.pattern.match(ctx.substitute(cmd.text))
    assert m
    spec.handler(ctx, cmd, m)


def _daemon_pid(tmp_path: Path) -> int:
    return int((tmp_path / "spool" / "exim-daemon.pid").read_text())


def _wake(tmp_path: Path, what: str) -> None:
    """Wake the fake daemon, and wait until it has started on what it was sent."""
    with open(tmp_path / "wake", "w") as fh:
        fh.write(f"{what}\n")
    deadline = time.monotonic() + 10
    while not (tmp_path / "woken").exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (tmp_path / "woken").exists()


def test_a_started_daemon_is_in_its_loop(ctx: TestContext, tmp_path: Path) -> None:
    _run(ctx, "exim -DSERVER=server -bd -oX PORT_D")
    assert waiting_for_work(_daemon_pid(tmp_path)) is True


def test_killdaemon_lets_a_daemon_finish_what_a_wake_up_started(
    ctx: TestContext, tmp_path: Path
) -> None:
    _run(ctx, "exim -DSERVER=server -bd -oX PORT_D")
    pid = _daemon_pid(tmp_path)
    _wake(tmp_path, "work")
    _run(ctx, "killdaemon")
    assert (tmp_path / "term").read_text() == "waiting"
    assert waiting_for_work(pid) is None  # it has gone
    assert not (tmp_path / "spool" / "exim-daemon.pid").exists()


def test_killdaemon_signals_a_pausing_daemon_at_once(ctx: TestContext, tmp_path: Path) -> None:
    # As under Exim's harness, which test 0609's expected output records: the SIGTERM
    # lands in the daemon's pause after forking a child.
    _run(ctx, "exim -DSERVER=server -bd -oX PORT_D")
    _wake(tmp_path, "pause")
    _run(ctx, "killdaemon")
    assert (tmp_path / "term").read_text() == "pausing"


def test_killdaemon_ends_a_daemon_that_stays_busy(
    ctx: TestContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from harness.case.commands import running

    monkeypatch.setattr(running, "DAEMON_SETTLE_TIMEOUT", 0.05)
    _run(ctx, "exim -DSERVER=server -bd -oX PORT_D")  # gives up waiting while it is busy
    assert any("did not settle" in note for note in ctx.notes)
    _run(ctx, "killdaemon")
    assert any("still busy" in note for note in ctx.notes)
    assert (tmp_path / "term").read_text() == "working"


# ---- what a script leaves at work is let finish before the output is read --------------


def test_let_finish_waits_for_work_to_end(child: list[subprocess.Popen[bytes]]) -> None:
    """A child that works for a moment (a delivery after killdaemon) is waited for."""
    tracker = ProcessTracker()
    _start(child, "import time; end = time.monotonic() + 0.4\nwhile time.monotonic() < end: pass")
    start = time.monotonic()
    assert tracker.let_finish(5.0) == []
    assert 0.2 < time.monotonic() - start < 3.0


def test_let_finish_leaves_what_waits_for_work(child: list[subprocess.Popen[bytes]]) -> None:
    """A process in its loop (a daemon, a peer's accept) is not waited for."""
    tracker = ProcessTracker()
    _start(child, _POLLER)
    start = time.monotonic()
    assert tracker.let_finish(5.0) == []
    assert time.monotonic() - start < 1.0


def test_let_finish_names_what_is_still_at_work(child: list[subprocess.Popen[bytes]]) -> None:
    tracker = ProcessTracker()
    pid = _start(child, _SLEEPER)
    busy = tracker.let_finish(0.3)
    assert len(busy) == 1 and busy[0].startswith(f"{pid} ") and "time.sleep(60)" in busy[0]
