"""Taking the work directory for one run: room and mount options, its lock, and the
containment of what the run starts (a dead run's remains are ended first)."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

from harness.core.errors import WorkDirError
from harness.core.events import Listeners
from harness.host.containment import Containment, RunRecord, end_remains, plural

MIN_FREE_MB = 64  # a run's copies of the binary, peers and aux files, and its spools


def check_space(root: Path) -> None:
    """A WorkDirError when the work directory's file system is read-only, mounted nosuid
    (the test copy of Exim is setuid root) or nearly full."""
    st = os.statvfs(root)
    if st.f_flag & os.ST_RDONLY:
        raise WorkDirError(f"the work directory {root} is on a read-only file system")
    if st.f_flag & os.ST_NOSUID:
        raise WorkDirError(
            f"the work directory {root} is on a file system mounted nosuid, "
            "where the setuid test copy of Exim cannot work; choose another "
            "with --workdir"
        )
    free_mb = st.f_bavail * st.f_frsize // (1 << 20)
    if free_mb < MIN_FREE_MB:
        raise WorkDirError(
            f"the work directory {root} has {free_mb} MB free; a run needs "
            f"{MIN_FREE_MB} MB or more (give it another with --workdir)"
        )


def lock_workdir(root: Path) -> int:
    """Hold an exclusive lock on the work directory for the rest of the run."""
    try:
        fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WorkDirError(f"cannot lock the work directory {root}: {exc.strerror}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise WorkDirError(
            f"another run is using the work directory {root}; give this one its own with --workdir"
        ) from None
    return fd


def take_workdir(root: Path, listeners: Listeners) -> tuple[int, Containment]:
    """Lock the work directory and contain the run (see `containment`).

    A lock still held although the run that took it has died is held by what that run
    left running: that is ended, and the lock taken.
    """
    containment = Containment(root)
    try:
        lock = lock_workdir(root)
    except WorkDirError:
        if containment.previous_run_alive() or RunRecord.read(containment.directory) is None:
            raise
        ended = end_remains(containment.directory)
        listeners.notice(
            f"** the last run in {root} died and left "
            f"{plural(ended, 'process', 'processes')} holding its lock: ended"
        )
        time.sleep(0.1)
        lock = lock_workdir(root)
    try:
        note = containment.start()
    except BaseException:
        os.close(lock)
        raise
    if note:
        listeners.notice(note)
    return lock, containment
