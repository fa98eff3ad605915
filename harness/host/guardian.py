"""The guardian of a run: waits for the runner to go, then ends what it left running.

Started by `containment.Containment.start` in a session of its own and outside the run's
cgroup, so that a signal to the runner's process group or cgroup does not reach it. A run
that ends in good order stops it with SIGTERM first; if the runner dies any other way,
the guardian ends the run's cgroup and recorded processes (`containment.end_remains`).

    guardian RUNNER_PID RUNNER_START RECORD_DIR
"""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from pathlib import Path

from harness.host.containment import ProcessId, end_remains


def _wait_for_exit(runner: ProcessId) -> None:
    try:
        fd = os.pidfd_open(runner.pid)
    except OSError:
        fd = -1
    if runner.alive() is None:
        return
    if fd >= 0:
        select.select([fd], [], [])
        return
    while runner.alive() is not None:  # kernels without pidfd
        time.sleep(0.2)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    pid, start, directory = int(argv[0]), float(argv[1]), Path(argv[2])
    _wait_for_exit(ProcessId(pid, start))
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # finish the job once started
    end_remains(directory)
    return 0
