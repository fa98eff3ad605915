"""Running tests in parallel: one forked worker per slot, each with its own network.

A worker is a child process that moves into a private network namespace (see `netns`),
becomes the subreaper of everything its tests start, builds its own work directory and
runs the tests the main process hands it, one at a time. It reports back over a queue,
one `Started`, `Done` or `Broken` message at a time.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from multiprocessing.process import BaseProcess

from harness.case.testrun import run_with_reruns
from harness.core.errors import HarnessError
from harness.core.results import Outcome, TestCase, TestResult
from harness.host.netns import NetnsError, enter_private_network
from harness.host.probe import host_cidrs
from harness.host.processes import Interrupted, become_subreaper, end_with_parent, raise_interrupted
from harness.run.plan import RunPlan

_STOP = None


@dataclass(frozen=True)
class Started:
    """Worker `worker` has started test `number`."""

    worker: int
    number: str


@dataclass(frozen=True)
class Done:
    """Worker `worker` has finished a test."""

    worker: int
    result: TestResult


@dataclass(frozen=True)
class Broken:
    """Worker `worker` could not start; `why` says what went wrong."""

    worker: int
    why: str


Message = Started | Done | Broken


def _worker(index: int, plan: RunPlan, tasks: mp.Queue, results: mp.Queue, reruns: int) -> None:
    """Run the tests `tasks` hands out, each failure again up to `reruns` times at once."""
    signal.signal(signal.SIGTERM, raise_interrupted)
    signal.signal(signal.SIGINT, raise_interrupted)
    end_with_parent()  # a runner killed outright still takes its workers' tests down
    try:
        enter_private_network(host_cidrs(plan.facts))
        if plan.containment is not None:
            plan.containment.enter_worker(index)
        become_subreaper()
        executor = plan.make_executor(index)
    except (NetnsError, OSError, ValueError) as exc:
        results.put(Broken(index, f"worker {index} could not start: {exc}"))
        return
    try:
        while True:
            case = tasks.get()
            if case is _STOP:
                break
            results.put(Started(index, case.number))
            try:
                result = run_with_reruns(executor, case, reruns)
            except Interrupted:
                raise
            except Exception:  # noqa: BLE001 - a harness bug must not lose the run
                result = TestResult(
                    case, Outcome.ERROR, "harness error:\n" + traceback.format_exc(), worker=index
                )
            results.put(Done(index, result))
    except Interrupted:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)


class Dispatch:
    """Which tests to hand out next: every first run in order, up to `jobs` at once, then
    the `later` ones (tests known to race under load) and the tests queued again, each
    only while no more than `quiet` tests are running, so that they fill the run's tail
    instead of following it."""

    def __init__(
        self, cases: Sequence[TestCase], jobs: int, quiet: int, later: Iterable[TestCase] = ()
    ) -> None:
        held = {c.number for c in later}
        self.first: deque[TestCase] = deque(c for c in cases if c.number not in held)
        self.later: deque[TestCase] = deque(c for c in cases if c.number in held)
        self.second: deque[TestCase] = deque()
        self.jobs, self.quiet = jobs, quiet
        self.running = 0
        self._took: dict[str, float] = {}

    def again(self, case: TestCase, took: float = 0.0) -> None:
        """Queue `case` again; the longest (by its first run's duration) go first."""
        self._took[case.number] = took
        self.second.append(case)
        self.second = deque(sorted(self.second, key=lambda c: -self._took[c.number]))

    def done(self) -> None:
        self.running -= 1

    def take(self) -> list[TestCase]:
        """The tests to start now."""
        out: list[TestCase] = []
        while self.first and self.running < self.jobs:
            out.append(self.first.popleft())
            self.running += 1
        while not self.first and (self.later or self.second) and self.running < self.quiet:
            out.append((self.later or self.second).popleft())
            self.running += 1
        return out

    @property
    def finished(self) -> bool:
        return not (self.running or self.first or self.later or self.second)


def _end_workers(procs: Sequence[BaseProcess], tasks: mp.Queue, wait: bool) -> None:
    """Stop the workers: when `wait`, each once its test is done, else at once (SIGTERM: a
    worker ends its test's processes first); one that will not end is killed."""
    for _ in procs:
        tasks.put(_STOP)
    for p in procs:
        if wait:
            p.join(timeout=10)
        if p.is_alive():
            p.terminate()
    for p in procs:
        p.join(timeout=15)
        if p.is_alive():
            p.kill()
            p.join()


def run_in_workers(
    plan: RunPlan,
    cases: list[TestCase],
    jobs: int,
    on_started: Callable[[TestCase, int], None],
    on_result: Callable[[TestResult], bool | None],
    quiet: int,
    later: Sequence[TestCase],
    reruns: int,
) -> None:
    """Run `cases` in `jobs` workers; events arrive in the main process as they happen.
    A test whose result `on_result` answers True is run once more, when at most `quiet`
    tests are running (see `Dispatch`), and `on_result` gets that result too; so do the
    cases of `later` start. A worker runs a failure again at once up to `reruns` times."""
    ctx = mp.get_context("fork")
    tasks: mp.Queue = ctx.Queue()
    results: mp.Queue = ctx.Queue()
    dispatch = Dispatch(cases, jobs, quiet, later)
    procs = [
        ctx.Process(target=_worker, args=(i, plan, tasks, results, reruns), daemon=True)
        for i in range(jobs)
    ]
    for p in procs:
        p.start()
    finished = False
    by_number = {c.number: c for c in cases}
    outstanding = set(by_number)  # a test queued again stays outstanding until it ends

    def hand_out() -> None:
        for case in dispatch.take():
            tasks.put(case)

    try:
        hand_out()
        while not dispatch.finished:
            try:
                message: Message = results.get(timeout=0.5)
            except queue.Empty:
                if not any(p.is_alive() for p in procs):
                    for number in sorted(outstanding):
                        on_result(
                            TestResult(
                                by_number[number],
                                Outcome.ERROR,
                                "the worker running it ended unexpectedly",
                            )
                        )
                    break
                continue
            match message:
                case Started(worker, number):
                    on_started(by_number[number], worker)
                case Done(_, result):
                    dispatch.done()
                    if on_result(result):
                        dispatch.again(result.case, result.duration)
                    else:
                        outstanding.discard(result.case.number)
                    hand_out()
                case Broken(_, why):
                    raise HarnessError(why)
        finished = True
    finally:
        _end_workers(procs, tasks, wait=finished)


class WorkerPool:
    """Workers that take tests one at a time, as they are asked for (the pytest plugin's):
    `submit` hands a test out, `result` waits for its result. `close` ends the workers and
    whatever their tests left running."""

    def __init__(self, plan: RunPlan, jobs: int) -> None:
        ctx = mp.get_context("fork")
        self.tasks: mp.Queue = ctx.Queue()
        self.results: mp.Queue = ctx.Queue()
        self.procs = [
            ctx.Process(
                target=_worker,
                args=(i, plan, self.tasks, self.results, plan.config.rerun_failures),
                daemon=True,
            )
            for i in range(jobs)
        ]
        for p in self.procs:
            p.start()
        self.done: dict[str, TestResult] = {}
        self.pending: dict[str, TestCase] = {}

    def submit(self, case: TestCase) -> None:
        if case.number not in self.pending and case.number not in self.done:
            self.pending[case.number] = case
            self.tasks.put(case)

    def result(self, case: TestCase) -> TestResult:
        """`case`'s result (handing it out first if it was not), as soon as it is known."""
        self.submit(case)
        while case.number not in self.done:
            try:
                message: Message = self.results.get(timeout=0.5)
            except queue.Empty:
                if not any(p.is_alive() for p in self.procs):
                    return TestResult(
                        case, Outcome.ERROR, "the worker running it ended unexpectedly"
                    )
                continue
            match message:
                case Done(_, result):
                    self.pending.pop(result.case.number, None)
                    self.done[result.case.number] = result
                case Broken(_, why):
                    raise HarnessError(why)
        return self.done.pop(case.number)

    def close(self) -> None:
        _end_workers(self.procs, self.tasks, wait=not self.pending)
