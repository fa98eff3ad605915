"""Running tests in parallel: one forked worker per slot, each with its own network.

A worker is a child process that moves into a private network namespace (see `netns`),
becomes the subreaper of everything its tests start, builds its own work directory and
runs the tests the main process hands it, one at a time. Results come back over a queue.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from harness.netns import NetnsError, enter_private_network
from harness.probe import host_cidrs
from harness.processes import Interrupted, become_subreaper, end_with_parent
from harness.testrun import TestResult

if TYPE_CHECKING:
    from harness.discovery import TestCase
    from harness.runner import RunPlan

_STOP = None


def _worker(index: int, plan: RunPlan, tasks: mp.Queue, results: mp.Queue) -> None:
    def on_signal(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    end_with_parent()  # a runner killed outright still takes its workers' tests down
    try:
        enter_private_network(host_cidrs(plan.facts))
        become_subreaper()
        runner = plan.make_runner(index)
    except (NetnsError, OSError, ValueError) as exc:
        results.put(("broken", index, f"worker {index} could not start: {exc}"))
        return
    from harness.runner import run_with_reruns

    try:
        while True:
            case = tasks.get()
            if case is _STOP:
                break
            results.put(("started", index, case.number))
            try:
                result = run_with_reruns(runner, case, plan.opts.rerun_failures)
            except Interrupted:
                raise
            except Exception:  # noqa: BLE001 - a harness bug must not lose the run
                result = TestResult(case, "error", "harness error:\n" + traceback.format_exc())
            results.put(("done", index, result))
    except Interrupted:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def run_in_workers(
    plan: RunPlan, cases: list[TestCase], jobs: int, on_result: Callable[[TestResult], None]
) -> None:
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
    pending = {c.number for c in cases}
    running: dict[int, TestCase] = {}
    by_number = {c.number: c for c in cases}
    try:
        while pending:
            try:
                kind, index, payload = results.get(timeout=0.5)
            except queue.Empty:
                if not any(p.is_alive() for p in procs):
                    for number in sorted(pending):
                        on_result(TestResult(by_number[number], "error",
                                             "the worker running it ended unexpectedly"))
                    break
                continue
            if kind == "started":
                running[index] = by_number[payload]
            elif kind == "done":
                running.pop(index, None)
                pending.discard(payload.case.number)
                on_result(payload)
            elif kind == "broken":
                raise RuntimeError(payload)
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
