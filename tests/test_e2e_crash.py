"""End to end: a runner killed with SIGKILL leaves nothing running, and the next run of
the same work directory is unharmed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil

from tests.e2e import REPO, RUNTEST, WORK, needs_exim, outcomes, run

pytestmark = needs_exim
CRASH = REPO / "tests" / "data" / "crash"


def _ours(marker: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        try:
            if any(marker in a for a in (p.info["cmdline"] or [])) and p.pid != os.getpid():
                found.append(p)
        except psutil.Error:
            pass
    return found


def _started(marker: str, work: str, jobs: str) -> subprocess.Popen[str]:
    runner = subprocess.Popen(
        [
            sys.executable,
            str(RUNTEST),
            "--suite",
            str(CRASH),
            "--workdir",
            work,
            "-j",
            jobs,
            "-CONTINUE",
            "1",
            jobs,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the daemon, the server and `sleep 60` all up
        names = " ".join(
            " ".join(p.info["cmdline"] or []) for p in _ours(marker) if p.info.get("cmdline")
        )
        if "-bdf" in names and "bin/server" in names and "sleep 60" in names:
            return runner
        time.sleep(0.2)
    runner.kill()
    raise AssertionError("the test's processes did not all start")


def _gone_within(marker: str, seconds: float) -> list[psutil.Process]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = _ours(marker)
        if not left:
            return []
        time.sleep(0.1)
    return _ours(marker)


def test_sigkill_of_a_serial_runner_leaves_nothing_running():
    work = str(WORK / "e2e-crash-serial")
    runner = _started("e2e-crash-serial", work, "1")
    runner.kill()
    runner.communicate(timeout=10)
    assert _gone_within("e2e-crash-serial", 5) == []


def test_sigkill_of_a_parallel_runner_leaves_no_worker_and_next_run_passes_cleanly():
    work = str(WORK / "e2e-crash-parallel")
    runner = _started("e2e-crash-parallel", work, "2")
    workers = [
        p for p in psutil.Process(runner.pid).children() if "runtest.py" in " ".join(p.cmdline())
    ]
    assert workers
    runner.kill()
    runner.communicate(timeout=10)
    assert _gone_within("e2e-crash-parallel", 5) == []
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in workers)


def _guardian_and_worker(
    work: str, runner: subprocess.Popen[str]
) -> tuple[psutil.Process, psutil.Process]:
    guardians = [p for p in _ours("harness.host.guardian") if work in " ".join(p.cmdline())]
    workers = [
        p for p in psutil.Process(runner.pid).children() if "runtest.py" in " ".join(p.cmdline())
    ]
    assert len(guardians) == 1 and len(workers) == 1
    return guardians[0], workers[0]


def test_a_worker_whose_runner_dies_ends_its_tests_however_many_signals_come():
    # The kernel sends a worker one SIGTERM per thread of its dying runner; the later ones
    # must not cut short the worker's ending of its test's processes.
    work = str(WORK / "e2e-crash-signals")
    runner = _started("e2e-crash-signals", work, "1")
    guardian, worker = _guardian_and_worker(work, runner)
    guardian.kill()  # so that only the worker can end the daemon
    runner.kill()
    for _ in range(3):
        try:
            worker.send_signal(signal.SIGTERM)
        except psutil.Error:
            break
    runner.communicate(timeout=10)
    try:
        assert _gone_within("e2e-crash-signals/w0/eximdir/exim", 3) == []
    finally:
        run(
            ["--suite", str(CRASH), "--workdir", work, "--timeout", "60", "1", "1"],
            "e2e-crash-signals-2",
        )  # ends what a failure of this test left


def test_a_run_after_a_crash_without_its_guardian_ends_what_was_left():
    work = str(WORK / "e2e-crash-guardian")
    runner = _started("e2e-crash-guardian", work, "1")
    guardian, worker = _guardian_and_worker(work, runner)
    worker.suspend()  # so that it never handles the SIGTERM its runner's death sends
    guardian.kill()  # as a CI runner that kills the whole process tree might
    runner.kill()
    runner.wait(timeout=10)
    worker.kill()
    runner.communicate(timeout=10)  # the stopped worker held the runner's output open
    time.sleep(0.5)
    assert _ours("e2e-crash-guardian/w0/eximdir/exim")  # the daemon is still there
    proc, data = run(
        ["--suite", str(CRASH), "--workdir", work, "--timeout", "60", "1", "1"],
        "e2e-crash-guardian-2",
    )
    assert "ended without tidying up: ended" in proc.stdout, proc.stdout
    assert outcomes(data) == {"0001": "passed"}
    assert _gone_within("e2e-crash-guardian", 5) == []
