"""Running one test: its commands in order, the return-code checks, then the output checks."""

from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from harness.commands import HANDLERS, CommandError, Kind, close_server, describe_status
from harness.compare import Checker, Mismatch
from harness.context import RunSettings, TestContext, TestTimeout
from harness.discovery import TestCase
from harness.munge import TestMunger, TestOptions
from harness.processes import Interrupted, ProcessTracker
from harness.script import ScriptError, parse_script
from harness.substitute import Substituter
from harness.workdir import WorkDir


@dataclass
class TestResult:
    case: TestCase
    outcome: str  # passed | failed | skipped | error
    reason: str = ""
    duration: float = 0.0
    mismatches: list[Mismatch] = field(default_factory=list)
    details: list[str] = field(default_factory=list)  # notes for the person reading the log


def _dynamic_socket() -> socket.socket:
    """A listening socket on a free port, for PORT_DYNAMIC and -DSERVER=wait:PORT."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(10)
    return s


_TFO_BLACKHOLE = "/proc/sys/net/ipv4/tcp_fastopen_blackhole_timeout_sec"


def reset_host_state() -> None:
    """Give each test the kernel TCP state of a machine in ordinary use, whatever ran before.

    TCP metrics hold TFO cookies, which change what a TFO test logs: they are flushed.
    A used machine has metrics for loopback, and scripts rely on that (4027 deletes the
    loopback entry and expects no complaint), so one plain loopback exchange puts an
    ordinary entry, without a cookie, back. After a TFO connection that timed out the
    kernel may suspect a middlebox and stop sending TFO for an hour or more ("blackhole"
    detection); writing the detector's timeout back to itself clears that suspicion.
    """
    if os.getuid() != 0:
        return
    try:
        timeout = Path(_TFO_BLACKHOLE).read_text()
        Path(_TFO_BLACKHOLE).write_text(timeout)
    except OSError:
        pass
    subprocess.run(["ip", "tcp_metrics", "flush", "all"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    try:
        with socket.create_server(("127.0.0.1", 0)) as server:
            with socket.create_connection(server.getsockname(), timeout=2) as client:
                peer, _ = server.accept()
                with peer:
                    client.sendall(b"x")
                    peer.recv(1)
                    peer.sendall(b"y")
                    client.recv(1)
    except OSError:
        pass


def _need_unmet(ctx: TestContext, need: str) -> str | None:
    caps = ctx.settings.caps
    facts = ctx.facts
    if need == "need_ipv4" and not facts.have_ipv4:
        return "IPv4 is needed but not available"
    if need == "need_ipv6" and not facts.have_ipv6:
        return "IPv6 is needed but not available"
    if need == "need_largefiles" and not caps.largefiles:
        return "large file support is needed but not available"
    if need == "need_move_frozen_messages" and "move_frozen_messages" not in caps.support:
        return "move_frozen_messages support is needed but not available"
    return None


class TestRunner:
    """Runs tests one after another in one work directory."""

    def __init__(self, settings: RunSettings, workdir: WorkDir, *, flavour: str | None,
                 update: bool, timeout: float = 300.0) -> None:
        self.settings = settings
        self.workdir = workdir
        self.flavour = flavour
        self.update = update
        self.timeout = timeout

    def run(self, case: TestCase) -> TestResult:
        start = time.monotonic()
        result = TestResult(case, "passed")
        tracker = ProcessTracker()
        ctx: TestContext | None = None
        try:
            script = parse_script(case.path)
            self.workdir.reset_for_test()
            reset_host_state()
            dyn = _dynamic_socket() if script.uses_dynamic_port else None
            subst = Substituter(self.settings.facts, dyn.getsockname()[1] if dyn else None)
            ctx = TestContext(self.settings, case.number, script, tracker, subst, dyn)
            watchdog = self._watchdog(ctx, tracker)
            try:
                checked = self._run_steps(ctx, result)
            finally:
                watchdog.cancel()
            if ctx.cancel.is_set():
                raise TestTimeout(ctx.doing)
            if checked and result.outcome == "passed":
                self._check_output(ctx, result)
        except TestTimeout as exc:
            result.outcome = "error"
            result.reason = f"timed out after {self.timeout:g}s while running {exc}"
        except ScriptError as exc:
            result.outcome, result.reason = "error", str(exc)
        except CommandError as exc:
            result.outcome, result.reason = "error", str(exc)
        except Interrupted:
            raise
        except Exception:  # noqa: BLE001 - one broken test must not stop the run
            result.outcome = "error"
            result.reason = "harness error:\n" + traceback.format_exc()
        finally:
            self._tidy(ctx, tracker, result)
            result.duration = time.monotonic() - start
        return result

    def _watchdog(self, ctx: TestContext, tracker: ProcessTracker) -> threading.Timer:
        """End the test's processes when its time is up, so that every wait returns."""

        def expire() -> None:
            ctx.cancel.set()
            tracker.signal_all()

        timer = threading.Timer(self.timeout, expire)
        timer.daemon = True
        timer.start()
        return timer

    def _run_steps(self, ctx: TestContext, result: TestResult) -> bool:
        """Run every step; False when the output must not be checked (skip or failure)."""
        for step in ctx.script.steps:
            if step.name.startswith("need_"):
                why = _need_unmet(ctx, step.name)
                if why:
                    result.outcome, result.reason = "skipped", why
                    return False
                continue
            fn = HANDLERS[step.name]
            ctx.doing = f"command {step.number} at line {step.line} ({step.text[:60]})"
            try:
                outcome = fn(ctx, step)
            except CommandError as exc:
                raise CommandError(f"{ctx.script.path}:{step.line}: {exc}") from exc
            if ctx.cancel.is_set():
                raise TestTimeout(ctx.doing)
            if outcome.kind in (Kind.INLINE, Kind.STARTED):
                continue
            if not step.expect.met_by(outcome.status) and not outcome.sigpipe:
                result.outcome = "failed"
                result.reason = (
                    f"command {step.number} ({step.text.split()[0]!r}, line {step.line}): "
                    f"{describe_status(outcome.status)} (expected {step.expect.describe()})"
                )
                result.details.append(self._tails(ctx))
                return False
            if outcome.kind is Kind.WAITED_EXIM:
                ctx.doing = f"the server started at line {ctx.server_line} to finish"
                problem = close_server(ctx)
                if ctx.cancel.is_set():
                    raise TestTimeout(ctx.doing)
                if problem:
                    result.outcome, result.reason = "failed", problem
                    result.details.append(self._tails(ctx))
                    return False
        return True

    def _check_output(self, ctx: TestContext, result: TestResult) -> None:
        if self.settings.slow:
            time.sleep(1)
        script = ctx.script
        options = TestOptions(
            testno=ctx.testno,
            is_ipv6test=any(s.name == "need_ipv6" for s in script.steps),
            rmfiltertest="rmfiltertest" in script.flags,
            dynamic_port=ctx.dynamic_socket.getsockname()[1] if ctx.dynamic_socket else None,
        )
        munger = TestMunger(self.settings.facts, options)
        checker = Checker(self.settings.suite, ctx.dir, ctx.testno, munger,
                          custom=ctx.munge_name, flavour=self.flavour, update=self.update)
        result.mismatches = checker.check_all(script.flags, self.settings.facts.caller)
        real = [m for m in result.mismatches if not m.updated]
        if real:
            result.outcome = "failed"
            result.reason = f"{real[0].expected}: {real[0].message}"

    def _tails(self, ctx: TestContext) -> str:
        out = []
        for name, n in (("test-stdout", 20), ("test-stderr", 30), ("test-stdout-server", 20),
                        ("test-stderr-server", 30), ("test-server-errors", 20)):
            p = Path(ctx.path(name))
            if p.exists() and p.stat().st_size:
                lines = p.read_bytes().decode("latin-1").splitlines()[-n:]
                out.append(f"--- tail of {name}\n" + "\n".join(lines))
        return "\n".join(out)

    def _tidy(self, ctx: TestContext | None, tracker: ProcessTracker, result: TestResult) -> None:
        if ctx is not None:
            if ctx.server is not None and ctx.server.stdin:
                try:
                    ctx.server.stdin.close()
                except OSError:
                    pass
            for proc in ctx.daemons:
                if proc.stdin:
                    try:
                        proc.stdin.close()
                    except OSError:
                        pass
            if ctx.dynamic_socket is not None:
                ctx.dynamic_socket.close()
            result.details.extend(ctx.notes)
        left = tracker.kill_all()
        if left:
            result.details.append("ended processes left running: " + "; ".join(left))
