"""Running one test in one work directory: its commands in order, then the output checks.

`TestExecutor.run` returns the test's `TestResult`; `run_with_reruns` runs a failed test
again. Whether a test should run at all (REQUIRES, need_*) is decided before, by the run.
"""

from __future__ import annotations

import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.case.commands import (
    CommandError,
    CompletionKind,
    close_server,
    describe_status,
    parse_script,
    spec_for,
)
from harness.case.compare import Checker
from harness.case.config import RunConfig, Seat
from harness.case.context import (
    SERVER_ERRORS,
    SERVER_STDERR,
    SERVER_STDOUT,
    STDERR,
    STDOUT,
    TestContext,
    TestTimeout,
)
from harness.case.workdir import WorkDir
from harness.core.results import Mismatch, Outcome, TestCase, TestResult
from harness.host.nameserver import FakeNameserver
from harness.host.processes import Interrupted, ProcessTracker, close_quietly
from harness.host.services import ServiceError, Services
from harness.host.tcpstate import reset_host_state
from harness.munge import TestMunger, TestOptions
from harness.suite.requirements import Environment, RequirementError, running_named, unmet
from harness.suite.script import ScriptError
from harness.suite.substitute import Substituter


@dataclass(frozen=True)
class _Verdict:
    outcome: Outcome
    reason: str = ""
    mismatches: tuple[Mismatch, ...] = ()
    details: tuple[str, ...] = ()


def _dynamic_socket() -> socket.socket:
    """A listening socket on a free port, for PORT_DYNAMIC and -DSERVER=wait:PORT."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(10)
    return s


# How long the processes a script leaves at work (a delivery after killdaemon) are given
# to end by themselves before its output is read.
STRAGGLER_WAIT = 3.0


class TestExecutor:
    """Runs tests one after another in one work directory."""

    def __init__(
        self,
        config: RunConfig,
        seat: Seat,
        workdir: WorkDir,
        *,
        on_spawn: Callable[[int], None] | None = None,
        spare: frozenset[int] = frozenset(),
    ) -> None:
        self.config = config
        self.seat = seat
        self.workdir = workdir
        self.on_spawn = on_spawn  # told the pid of each process a test starts
        self.spare = spare  # pids that a test's clean-up must leave alone
        self.nameserver = FakeNameserver(config.generation)  # answers bin/fakens
        workdir.answer_fakens_from(self.nameserver)

    def run(self, case: TestCase, *, update: bool | None = None) -> TestResult:
        """Run one test; `update` (default: the run's -UPDATE) writes changed output."""
        start = time.monotonic()
        tracker = ProcessTracker(self.on_spawn, self.spare)
        ctx: TestContext | None = None
        services = Services(
            Path(self.seat.facts.cwd) / "services",
            self.seat.facts.caller,
            self.seat.caller,
            self.seat.root,
            tracker,
        )
        try:
            script = parse_script(case.path)
            self.workdir.reset_for_test()
            reset_host_state(
                self.config.generation, self.seat.facts.ipv4 if self.seat.facts.have_ipv4 else None
            )
            dyn = _dynamic_socket() if script.uses_dynamic_port else None
            subst = Substituter(
                self.seat.facts, self.config.generation, dyn.getsockname()[1] if dyn else None
            )
            ctx = TestContext(self.config, self.seat, case.number, script, tracker, subst, dyn)
            watchdog = self._watchdog(ctx, tracker)
            try:
                self._start_services(ctx, services, case)
                verdict = self._run_commands(ctx)
                busy = tracker.let_finish(STRAGGLER_WAIT, ctx.cancel) if verdict is None else []
                if busy:
                    ctx.notes.append(
                        f"still at work {STRAGGLER_WAIT:g}s after the script ended: "
                        + "; ".join(busy)
                    )
            finally:
                watchdog.cancel()
            if ctx.cancel.is_set():
                raise TestTimeout(ctx.doing)
            if verdict is None:
                verdict = self._check_output(ctx, self.config.update if update is None else update)
        except TestTimeout as exc:
            verdict = _Verdict(
                Outcome.TIMEOUT, f"timed out after {self.config.timeout:g}s while running {exc}"
            )
        except (ScriptError, CommandError, ServiceError) as exc:
            verdict = _Verdict(Outcome.ERROR, str(exc))
        except Interrupted:
            raise
        except Exception:  # noqa: BLE001 - one broken test must not stop the run
            verdict = _Verdict(Outcome.ERROR, "harness error:\n" + traceback.format_exc())
        finally:
            tidied = self._tidy(ctx, tracker, services)
        return TestResult(
            case,
            verdict.outcome,
            verdict.reason,
            time.monotonic() - start,
            verdict.mismatches,
            verdict.details + tidied,
            self.seat.number,
        )

    def _watchdog(self, ctx: TestContext, tracker: ProcessTracker) -> threading.Timer:
        """End the test's processes when its time is up, so that every wait returns."""

        def expire() -> None:
            ctx.cancel.set()
            tracker.signal_all()

        timer = threading.Timer(self.config.timeout, expire)
        timer.daemon = True
        timer.start()
        return timer

    def _start_services(self, ctx: TestContext, services: Services, case: TestCase) -> None:
        """Start the servers the test's `running X` lines name that the runner provides
        (see `harness.host.services`), each answering before the first command."""
        needed = running_named(case.requires)
        if not needed:
            return
        ctx.doing = f"starting the servers it needs ({', '.join(needed)})"
        for note in services.start(needed, ctx.cancel):
            ctx.say(note)
        if ctx.cancel.is_set():
            raise TestTimeout(ctx.doing)

    def _run_commands(self, ctx: TestContext) -> _Verdict | None:
        """Run every command; a verdict when one failed, None when the output is to be checked."""
        for cmd in ctx.script.commands:
            spec = spec_for(cmd.name)
            where = f"{ctx.script.path}:{cmd.line}"
            ctx.doing = f"{where}: command {cmd.number} ({cmd.text[:60]})"
            m = spec.pattern.match(ctx.substitute(cmd.text))
            if m is None:
                raise CommandError(f"{where}: {cmd.name} command does not parse after substitution")
            ctx.command_env = cmd.expect.env
            try:
                done = spec.handler(ctx, cmd, m)
            except CommandError as exc:
                raise CommandError(f"{where}: {exc}") from exc
            if ctx.cancel.is_set():
                raise TestTimeout(ctx.doing)
            if done.kind in (CompletionKind.INLINE, CompletionKind.STARTED):
                continue
            if not cmd.expect.met_by(done.status) and not done.sigpipe:
                reason = (
                    f"command {cmd.number} ({cmd.text.split()[0]!r}, line {cmd.line}): "
                    f"{describe_status(done.status)} (expected {cmd.expect.describe()})"
                )
                return _Verdict(Outcome.FAILED, reason, details=(self._tails(ctx),))
            if done.kind is CompletionKind.WAITED_EXIM:
                ctx.doing = (
                    f"{ctx.script.path}:{ctx.server_line}: the server started there, to finish"
                )
                problem = close_server(ctx)
                if ctx.cancel.is_set():
                    raise TestTimeout(ctx.doing)
                if problem:
                    return _Verdict(Outcome.FAILED, problem, details=(self._tails(ctx),))
        return None

    def _check_output(self, ctx: TestContext, update: bool) -> _Verdict:
        if self.config.slow:
            time.sleep(1)
        script = ctx.script
        options = TestOptions(
            self.config.generation,
            testno=ctx.testno,
            is_ipv6test="need_ipv6" in script.needs,
            rmfiltertest="rmfiltertest" in script.flags,
            dynamic_port=ctx.dynamic_socket.getsockname()[1] if ctx.dynamic_socket else None,
        )
        munger = TestMunger(self.seat.facts, options)
        checker = Checker(
            self.config.suite,
            ctx.dir,
            ctx.testno,
            munger,
            self.config.files,
            custom=ctx.munge_name,
            update=update,
            raw_only="no_munge" in script.flags,
        )
        mismatches = tuple(checker.check_all(script.flags, self.seat.facts.caller))
        real = [m for m in mismatches if not m.updated]
        if real:
            return _Verdict(Outcome.FAILED, f"{real[0].expected}: {real[0].message}", mismatches)
        return _Verdict(Outcome.PASSED, mismatches=mismatches)

    def _tails(self, ctx: TestContext) -> str:
        out = []
        for name, n in (
            (STDOUT, 20),
            (STDERR, 30),
            (SERVER_STDOUT, 20),
            (SERVER_STDERR, 30),
            (SERVER_ERRORS, 20),
        ):
            p = Path(ctx.path(name))
            if p.exists() and p.stat().st_size:
                lines = p.read_bytes().decode("latin-1").splitlines()[-n:]
                out.append(f"--- tail of {name}\n" + "\n".join(lines))
        return "\n".join(out)

    def _tidy(
        self, ctx: TestContext | None, tracker: ProcessTracker, services: Services
    ) -> tuple[str, ...]:
        """End the servers started for the test and whatever it left; the notes it made
        and what had to be ended."""
        details: list[str] = []
        if ctx is not None:
            if ctx.server is not None:
                close_quietly(ctx.server.stdin)
            for proc in ctx.daemons:
                close_quietly(proc.stdin)
            if ctx.dynamic_socket is not None:
                ctx.dynamic_socket.close()
            details.extend(ctx.notes)
        details.extend(services.stop())
        left = tracker.kill_all()
        if left:
            details.append("ended processes left running: " + "; ".join(left))
        return tuple(details)


def run_with_reruns(
    executor: TestExecutor, case: TestCase, reruns: int, update: bool | None = None
) -> TestResult:
    """Run a test; rerun a failure up to `reruns` times. A later pass is reported as flaky."""
    result = executor.run(case, update=update)
    for attempt in range(1, reruns + 1):
        if result.outcome is not Outcome.FAILED:
            break
        again = executor.run(case, update=update)
        if again.outcome is Outcome.PASSED:
            return again.but(
                outcome=Outcome.FLAKY,
                reason=f"failed ({result.reason}), then passed on rerun {attempt}",
            )
        result = again
    return result


def triage(case: TestCase, env: Environment) -> TestResult | None:
    """The result of a test that will not run (skipped, or unrunnable), or None.

    This is the one place where REQUIRES lines and need_* words are judged. REQUIRES comes
    first, so that a directory the binary cannot run is skipped without reading its scripts.
    """
    try:
        why = unmet(case.requires, (), env)
        if why is None:
            why = unmet((), parse_script(case.path).needs, env)
    except (RequirementError, ScriptError) as exc:
        return TestResult(case, Outcome.ERROR, str(exc))
    return TestResult(case, Outcome.SKIPPED, why) if why else None
