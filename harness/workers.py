"""Running tests in parallel: one forked worker per slot, each with its own network.

A worker is a child process that moves into a private network namespace (see `netns`),
becomes the subreaper of everything its tests start, builds its own work directory and
runs the tests the main process hands it, one at a time. It reports back over a queue:
("started", worker, number), ("done", worker, TestResult), or ("broken", worker, why).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import traceback
from collections.abc import Callable

from harness.errors import HarnessError
from harness.netns import NetnsError, enter_private_network
from harness.plan import RunPlan
from harness.probe import host_cidrs
from harness.processes import Interrupted, become_subreaper, end_with_parent, raise_interrupted
from harness.results import Outcome, TestCase, TestResult
from harness.testrun import run_with_reruns

_STOP = None


def _worker(index: int, plan: RunPlan, tasks: mp.Queue, results: mp.Queue) -> None:
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
        results.put(("broken", index, f"worker {index} could not start: {exc}"))
        return
    try:
        while True:
            case = tasks.get()
            if case is _STOP:
                break
            results.put(("started", index, case.number))
            try:
                result = run_with_reruns(executor, case, plan.rerun_failures)
            except Interrupted:
                raise
            except Exception:  # noqa: BLE001 - a harness bug must not lose the run
                result = TestResult(case, Outcome.ERROR,
                                    "harness error:\n" + traceback.format_exc(), worker=index)
            results.put(("done", index, result))
    except Interrupted:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_in_workers(
    plan: RunPlan,
    cases: list[TestCase],
    jobs: int,
    on_started: Callable[[TestCase, int], None],
    on_result: Callable[[TestResult], None],
) -> None:
    """Run `cases` in `jobs` workers; events arrive in the main process as they happen."""
    ctx = mp.get_context("fork")
    tasks: mp.Queue = ctx.Queue()
    results: mp.Queue = ctx.Queue()
    for case in cases:
        tasks.put(case)
    for _ in range(jobs):
        tasks.put(_STOP)
    procs = [ctx.Process(target=_worker, args=(i, plan, tasks, results), daemon=True)
             for i in range(jobs)]
    for p in procs:
        p.start()
    finished = False
    by_number = {c.number: c for c in cases}
    pending = set(by_number)
    try:
        while pending:
            try:
                kind, index, payload = results.get(timeout=0.5)
            except queue.Empty:
                if not any(p.is_alive() for p in procs):
                    for number in sorted(pending):
                        on_result(TestResult(by_number[number], Outcome.ERROR,
                                             "the worker running it ended unexpectedly"))
                    break
                continue
            if kind == "started":
                on_started(by_number[payload], index)
            elif kind == "done":
                pending.discard(payload.case.number)
                on_result(payload)
            elif kind == "broken":
                raise HarnessError(payload)
        finished = True
    finally:
        for p in procs:
            if finished:
                p.join(timeout=10)
            if p.is_alive():
                p.terminate()  # SIGTERM: the worker ends its test's processes first
        for p in procs:
            p.join(timeout=15)
            if p.is_alive():
                p.kill()
                p.join()
