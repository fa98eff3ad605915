"""How many tests run at once, and in which order: the longest first.

Exim's tests mostly wait (its own pauses in test mode, sleeps, time-outs), so the number
of workers is set by how much waiting there is, not by the number of CPUs: several
workers per CPU, fewer when the machine is already busy or short of memory (measured with
bench/bench_suite.py; see docs/performance.md). Tests start longest first, by the
durations of earlier runs (kept in the work directory), so that no long test starts
last; a test never run before is estimated from what its script waits for
(`harness.run.estimate`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence

from harness.core.results import TestCase
from harness.run.estimate import estimate

WORKERS_PER_CPU = 8
QUIET_WORKERS_PER_CPU = 3  # how many run at once when failures are run again
MEMORY_PER_WORKER = 300 << 20  # a worker, its Exim processes and peers, with room to spare


def longest_first(cases: Sequence[TestCase], known: Mapping[str, float]) -> list[TestCase]:
    """The cases ordered by expected duration, longest first (ties in test order)."""
    expected = {c.number: known.get(c.number, estimate(c)) for c in cases}
    return sorted(cases, key=lambda c: (-expected[c.number], c.sort_key))


def _available_memory() -> int | None:
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return None


def _cpus_busy(window: float = 0.25) -> float:
    """How many CPUs' worth of work the machine is doing now (not the load average,
    which lags a minute behind: a run just ended would still count)."""

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
        return sum(fields), fields[3] + (fields[4] if len(fields) > 4 else 0)

    try:
        total0, idle0 = sample()
        time.sleep(window)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return 0.0
    cpus = os.cpu_count() or 1
    spent = total1 - total0
    return cpus * (1 - (idle1 - idle0) / spent) if spent > 0 else 0.0


def default_jobs() -> tuple[int, str]:
    """The number of workers for this machine now, and a line saying why."""
    cpus = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
    jobs = WORKERS_PER_CPU * cpus
    why = f"{WORKERS_PER_CPU} per CPU on {cpus} CPUs (the tests mostly wait)"
    busy = _cpus_busy()
    if busy > cpus / 2:  # others are using the machine now: leave them their share
        idle = max(cpus - busy, 1.0)
        busy_jobs = max(2, int(WORKERS_PER_CPU * idle))
        if busy_jobs < jobs:
            jobs, why = busy_jobs, f"{why}, fewer while {busy:.1f} CPUs are busy"
    memory = _available_memory()
    if memory is not None and memory // MEMORY_PER_WORKER < jobs:
        jobs = max(1, memory // MEMORY_PER_WORKER)
        why = f"{why}, capped at {jobs} by {memory >> 20} MB of free memory"
    return jobs, why


def quiet_jobs(jobs: int) -> int | None:
    """How many workers run the failures of a run of `jobs` workers again, at the end,
    on a machine that is then quieter; None when `jobs` is that few already.

    Under many workers a test that has Exim's processes race each other, or a script's
    `sleep` that is just long enough on an idle machine, can fail for the load alone;
    run again with few others it gets the verdict it gets alone or from Exim's harness.
    """
    cpus = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
    quiet = QUIET_WORKERS_PER_CPU * cpus
    return quiet if jobs > quiet else None
