"""Starting the processes of a test and making sure none of them outlives it.

The runner makes itself a child subreaper, so every process a test starts, even one that
double-forks into the background like an Exim daemon, stays a descendant of the runner and
can be found with psutil and ended.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import psutil

_PR_SET_CHILD_SUBREAPER = 36
_PR_SET_PDEATHSIG = 1


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived; the run stops after ending its processes."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def raise_interrupted(signum: int, _frame: object) -> None:
    """A signal handler that turns SIGINT/SIGTERM into `Interrupted`, once.

    Later signals are let go: they would otherwise cut short the tidying up that the first
    one started (a worker whose runner dies gets one SIGTERM per runner thread).
    """
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _let_go)
    raise Interrupted(signum)


def _let_go(_signum: int, _frame: object) -> None:
    """A handler that does nothing (unlike SIG_IGN, not inherited by programs started)."""


def end_with_parent(sig: int = signal.SIGTERM) -> None:
    """Have the kernel send `sig` to this process when its parent dies."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def close_quietly(stream: IO[Any] | None) -> None:
    """Close a pipe to or from a process that may already have gone."""
    if stream is None:
        return
    try:
        stream.close()
    except OSError:
        pass


def chown_if_root(path: str | os.PathLike[str] | int, uid: int, gid: int) -> None:
    """Give a file (a path, or an open descriptor) to uid:gid; only root can, others skip.

    Symbolic links themselves are changed, never what they point at.
    """
    if os.getuid() != 0:
        return
    if isinstance(path, int):
        os.fchown(path, uid, gid)
    else:
        os.lchown(path, uid, gid)


def become_subreaper() -> bool:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


@dataclass(frozen=True)
class Identity:
    """Who a command runs as: the unprivileged caller or root, with its environment."""

    uid: int
    gid: int
    groups: tuple[int, ...]
    env: Mapping[str, str] = field(default_factory=dict)

    def popen_kwargs(self) -> dict[str, Any]:
        if os.getuid() != 0 or self.uid == 0:
            return {}
        return {"user": self.uid, "group": self.gid, "extra_groups": list(self.groups)}


class ProcessTracker:
    """Knows the processes a test started, reaps orphans and ends what is left."""

    def __init__(
        self, on_spawn: Callable[[int], None] | None = None, spare: frozenset[int] = frozenset()
    ) -> None:
        """`on_spawn(pid)` is told of each process started (to record it for a crash);
        `spare` are pids of the run's own that are not the test's (the guardian)."""
        self._mine: dict[int, subprocess.Popen[bytes]] = {}
        self._me = psutil.Process()
        self._on_spawn = on_spawn
        self._spare = spare

    def spawn(
        self,
        argv: list[str] | str,
        who: Identity,
        *,
        cwd: str,
        stdin: int | IO[Any] | None = subprocess.PIPE,
        stdout: int | IO[Any] | None = None,
        stderr: int | IO[Any] | None = None,
        extra_env: Mapping[str, str] | None = None,
        pass_fds: Iterable[int] = (),
    ) -> subprocess.Popen[bytes]:
        env = dict(who.env)
        if extra_env:
            env.update(extra_env)
        if isinstance(argv, str):
            # Script text is latin-1 so that each byte stands for itself: give the shell
            # those bytes, not their UTF-8 encoding. A C program sees a string end at its
            # first NUL, so the command does too, as under Exim's harness.
            command = argv.encode("latin-1").split(b"\0", 1)[0]
            argv = [b"/bin/sh", b"-c", command]  # type: ignore[list-item]
        env = {k: v.split("\0", 1)[0] for k, v in env.items() if "\0" not in k}
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=stdin,
            stdout=stdout,
            stderr=stderr,
            pass_fds=tuple(pass_fds),
            restore_signals=True,
            **who.popen_kwargs(),
        )
        self._mine[proc.pid] = proc
        if self._on_spawn is not None:
            self._on_spawn(proc.pid)
        return proc

    def forget(self, proc: subprocess.Popen[bytes]) -> None:
        self._mine.pop(proc.pid, None)

    def reap_orphans(self) -> None:
        """Collect exited processes that were re-parented to us and that Popen does not own."""
        while True:
            try:
                info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                return
            if info is None or info.si_pid == 0:
                return
            if info.si_pid in self._mine:
                # Let its Popen collect it; stop here to avoid spinning on it.
                self._mine[info.si_pid].poll()
                if info.si_pid in self._mine and self._mine[info.si_pid].returncode is None:
                    return
                continue
            try:
                os.waitpid(info.si_pid, os.WNOHANG)
            except ChildProcessError:
                return

    def descendants(self) -> list[psutil.Process]:
        try:
            children = self._me.children(recursive=True)
        except psutil.Error:
            return []
        alive = []
        for p in children:
            try:
                if p.pid not in self._spare and p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p)
            except psutil.Error:
                pass
        return alive

    def kill_all(self, grace: float = 0.5) -> list[str]:
        """End every descendant: TERM, a short grace, then KILL. Returns what was found."""
        found = self.descendants()
        names = []
        for p in found:
            try:
                names.append(_described(p))
                p.send_signal(signal.SIGTERM)
            except psutil.Error:
                pass
        if found:
            _, alive = psutil.wait_procs(found, timeout=grace)
            for p in alive:
                try:
                    p.kill()
                except psutil.Error:
                    pass
            psutil.wait_procs(alive, timeout=2)
        for proc in list(self._mine.values()):
            try:
                proc.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                pass
        self._mine.clear()
        self.reap_orphans()
        return names

    def let_finish(self, timeout: float, cancel: threading.Event | None = None) -> list[str]:
        """Wait up to `timeout` for the descendants at work to end by themselves; those
        still at work then (pid and command line).

        When a script ends, what it started may still be busy: a delivery that a daemon's
        receiving process began before `killdaemon` logs its `=>` line a moment later. On
        an idle machine that moment is over before the logs are read; under load it is
        not, and the test would lose the line. Processes waiting for work (a daemon's
        loop, a peer's accept) are not waited for.
        """
        deadline = time.monotonic() + timeout
        stop = cancel or threading.Event()
        while True:
            busy = [p for p in self.descendants() if waiting_for_work(p.pid) is False]
            if not busy:
                return []
            if time.monotonic() >= deadline or stop.wait(0.01):
                return [_described(p) for p in busy]

    def signal_all(self, sig: int = signal.SIGKILL) -> None:
        """Signal every descendant at once, without waiting (safe from another thread)."""
        for p in self.descendants():
            try:
                p.send_signal(sig)
            except psutil.Error:
                pass

    def end_process(self, pid: int, timeout: float = 5.0) -> None:
        """SIGTERM one process (not its children) and wait for it; SIGKILL if it lingers."""
        try:
            p = psutil.Process(pid)
            p.terminate()
            p.wait(timeout=timeout)
        except psutil.TimeoutExpired:
            try:
                p.kill()
                p.wait(timeout=2)
            except psutil.Error:
                pass
        except psutil.Error:
            pass
        if pid in self._mine:
            try:
                self._mine[pid].wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.reap_orphans()


def _described(p: psutil.Process) -> str:
    try:
        return f"{p.pid} {' '.join(p.cmdline())[:120]}"
    except psutil.Error:
        return str(p.pid)


# The system calls in which a daemon sits waiting for its next piece of work (its main
# loop's poll, select or accept, and their variants), by machine. A millisleep (Exim's
# test-mode pauses), a wait for a child or a read is not waiting for work.
_WAITING_SYSCALLS: dict[str, frozenset[int]] = {
    # poll select accept epoll_wait pselect6 ppoll epoll_pwait accept4 epoll_pwait2
    "x86_64": frozenset({7, 23, 43, 232, 270, 271, 281, 288, 441}),
    # epoll_pwait pselect6 ppoll accept accept4 epoll_pwait2
    "aarch64": frozenset({22, 72, 73, 202, 242, 441}),
}
_MACHINE = os.uname().machine


def _proc_state(pid: int) -> str | None:
    """The state letter of /proc/PID/stat (R, S, Z...), None when there is no such process."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read()
    except OSError:
        return None
    fields = stat[stat.rfind(b")") + 2 :].split(maxsplit=1)  # the name may hold anything
    return fields[0].decode("ascii", "replace") if fields else None


def current_syscall(pid: int) -> int | None:
    """The system call process `pid` is blocked in (-1 when blocked outside one), None
    when it is on a CPU or waiting for one. OSError when that cannot be read: no such
    process, or no right to trace it (/proc/PID/syscall needs that)."""
    with open(f"/proc/{pid}/syscall") as fh:
        first = fh.read().split(maxsplit=1)
    if not first or first[0] == "running":
        return None
    return int(first[0]) if first[0].lstrip("-").isdigit() else None


def waiting_for_work(pid: int) -> bool | None:
    """Whether process `pid` is blocked in one of the calls of `_WAITING_SYSCALLS`. None
    when that cannot be told (see `current_syscall`, or an unknown machine).

    A child that has ended is no sign of work to come: Exim's daemon leaves its SIGCHLD
    at the default (ignored) between catching one and its next turn round the loop, and
    reaps such a child only when something else wakes it.
    """
    calls = _WAITING_SYSCALLS.get(_MACHINE)
    if calls is None:
        return None
    try:
        return current_syscall(pid) in calls
    except (OSError, ValueError):
        return None


def off_cpu(pid: int) -> bool | None:
    """Whether process `pid` is blocked (in any call: its loop, a pause, a wait), not
    running or waiting for a CPU. None when that cannot be told."""
    try:
        return current_syscall(pid) is not None
    except (OSError, ValueError):
        return None


def _wait_until(
    pid: int, settled: Callable[[int], bool | None], timeout: float, cancel: threading.Event | None
) -> bool:
    """Wait until `settled(pid)` holds twice in a row (a blink of it proves nothing), the
    process has gone, or `settled` cannot tell: True then, False after `timeout` or a
    cancel."""
    deadline = time.monotonic() + timeout
    delay = 0.005
    stop = cancel or threading.Event()
    count = 0
    while True:
        if _proc_state(pid) in (None, "Z", "X"):
            return True
        now = settled(pid)
        if now is None:
            return True
        count = count + 1 if now else 0
        if count >= 2:
            return True
        if time.monotonic() >= deadline or stop.wait(delay):
            return False
        delay = min(delay * 2, 0.02)


def wait_until_idle(pid: int, timeout: float, cancel: threading.Event | None = None) -> bool:
    """Wait until process `pid` waits for work (`waiting_for_work`): a daemon that has
    written its pid file has finished setting up. True when it does, has gone, or cannot
    be watched; False after `timeout` or a cancel."""
    return _wait_until(pid, waiting_for_work, timeout, cancel)


def wait_while_running(pid: int, timeout: float, cancel: threading.Event | None = None) -> bool:
    """Wait until process `pid` is off the CPU (`off_cpu`): blocked in its loop, in a
    pause or a wait, where it would be on an idle machine, not half-way through work that
    load has stretched. True when it is, has gone, or cannot be watched; False after
    `timeout` or a cancel."""
    return _wait_until(pid, off_cpu, timeout, cancel)


def wait_for_file(
    path: str,
    proc: subprocess.Popen[bytes] | None,
    timeout: float,
    cancel: threading.Event | None = None,
    forks: bool = False,
) -> bool:
    """Poll for a file every few milliseconds; give up early if `proc` has exited.

    With `forks`, a clean exit of `proc` is taken as it forking into the background, and
    the wait goes on.
    """
    deadline = time.monotonic() + timeout
    delay = 0.002
    stop = cancel or threading.Event()
    while time.monotonic() < deadline:
        if os.path.exists(path):
            return True
        if proc is not None and proc.poll() is not None and not (forks and proc.returncode == 0):
            return os.path.exists(path)
        if stop.wait(delay):
            return False
        delay = min(delay * 2, 0.05)
    return False
