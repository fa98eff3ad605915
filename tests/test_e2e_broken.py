"""End to end: broken scripts end as errors with file and line, and leave nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import psutil

from tests.e2e import REPO, RUNTEST, WORK, needs_exim, outcomes, run

pytestmark = needs_exim
BROKEN = REPO / "tests" / "data" / "broken"


def _ours(marker: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter(["cmdline"]):
        if any(marker in a for a in (p.info["cmdline"] or [])) and p.pid != os.getpid():
            found.append(p)
    return found


def test_broken_suite_runs_to_the_end():
    proc, data = run(["--suite", str(BROKEN), "--timeout", "4"], "e2e-broken")
    got = outcomes(data)
    reasons = {t["number"]: t["reason"] for t in data["tests"]}
    assert got["0001"] == "timeout" and "timed out after 4s" in reasons["0001"]
    assert got["0002"] == "error" and "0000-Broken/0002:4: unknown command" in reasons["0002"]
    assert got["0003"] == "error" and "confs/0003" in reasons["0003"]
    assert got["0004"] == "failed"  # its daemon's output has no expected file
    assert got["0005"] == "timeout" and "server" in reasons["0005"]
    assert got["0006"] == "passed"
    assert got["0007"] == "error" and "not a text file" in reasons["0007"]
    assert got["0100"] == "error" and "REQUIRES:1: unknown requirement" in reasons["0100"]
    assert got["0200"] == "skipped" and reasons["0200"] == "missing lookup testdb"
    assert proc.returncode == 1
    assert _ours("e2e-broken") == []


def test_interrupt_during_a_daemon_test_leaves_nothing():
    work = WORK / "e2e-interrupt"
    runner = subprocess.Popen(
        [sys.executable, str(RUNTEST), "--workdir", str(work), "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if (work / "w0" / "spool" / "exim-daemon.pid").exists():
            break
        time.sleep(0.05)
    else:
        runner.kill()
        raise AssertionError("the daemon of test 4 never started")
    runner.send_signal(signal.SIGINT)
    out, _ = runner.communicate(timeout=60)
    assert runner.returncode == 130, out
    assert "interrupted" in out
    assert _ours("e2e-interrupt") == []
