"""Holding every process of a run where it can be found and ended, however the run ends.

A run's processes are normally ended by the run itself (see `processes`). A runner killed
outright (SIGKILL, the OOM killer, a cancelled CI job) cannot do that, so a run also:

- moves itself into a cgroup v2 of its own, where the machine lets root make one, with a
  sub-cgroup per worker: everything a test starts, daemons that fork away included, stays
  in it, and the kernel ends them all at once (`cgroup.kill`);
- starts a guardian (`harness.host.guardian`), a small process outside that cgroup and in a
  session of its own, which waits for the runner to go and then ends what is left;
- keeps a record in the work directory (`.run/`): the runner, its cgroup, and, for hosts
  without cgroup v2, each worker's network namespace and every process a test started
  (pid with start time, so that a pid used again by another program is never touched).

A run that starts on a work directory whose last run died without tidying up ends what
that run left (`end_remains`) and says so.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

from harness.core.paths import PACKAGE_ROOT

RECORD_DIR = ".run"
_RUN_FILE = "run.json"
_CGROUP_PREFIX = "runtest-"


@dataclass(frozen=True)
class ProcessId:
    """A process as it was when recorded: its pid and start time (psutil's create_time)."""

    pid: int
    start: float

    @classmethod
    def of(cls, pid: int) -> ProcessId | None:
        try:
            return cls(pid, psutil.Process(pid).create_time())
        except psutil.Error:
            return None

    def alive(self) -> psutil.Process | None:
        """The process, if it still runs (and is the same one)."""
        try:
            p = psutil.Process(self.pid)
            if abs(p.create_time() - self.start) < 0.01 and p.status() != psutil.STATUS_ZOMBIE:
                return p
        except psutil.Error:
            pass
        return None


# -- cgroup v2 ------------------------------------------------------------------------


def cgroup2_base() -> Path | None:
    """This process's own cgroup v2 directory, when there is a writable one."""
    mount = None
    try:
        for line in Path("/proc/self/mounts").read_text().splitlines():
            fields = line.split()
            if len(fields) > 3 and fields[2] == "cgroup2" and "rw" in fields[3].split(","):
                mount = Path(fields[1])
                break
        if mount is None:
            return None
        own = next(
            (
                line[3:]
                for line in Path("/proc/self/cgroup").read_text().splitlines()
                if line.startswith("0::")
            ),
            None,
        )
    except OSError:
        return None
    if own is None:
        return None
    base = mount / own.lstrip("/")
    return base if os.access(base, os.W_OK) and (base / "cgroup.procs").exists() else None


def _cgroup_pids(cgroup: Path) -> list[int]:
    """Every process in `cgroup` and the cgroups below it."""
    pids: list[int] = []
    for procs in [cgroup / "cgroup.procs", *sorted(cgroup.rglob("*/cgroup.procs"))]:
        try:
            pids += [int(x) for x in procs.read_text().split()]
        except (OSError, ValueError):
            pass
    return pids


def kill_cgroup(cgroup: Path, timeout: float = 5.0) -> int:
    """End every process in `cgroup` (and below), remove it; how many there were."""
    if not cgroup.is_dir():
        return 0
    pids = _cgroup_pids(cgroup)
    deadline = time.monotonic() + timeout
    while pids and time.monotonic() < deadline:
        try:
            (cgroup / "cgroup.kill").write_text("1")  # Linux 5.14+: the whole subtree
        except OSError:
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.02)
        if not _cgroup_pids(cgroup):
            break
    for d in sorted((p for p in cgroup.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        _rmdir(d)
    _rmdir(cgroup)
    return len(set(pids))


def _rmdir(path: Path) -> None:
    try:
        path.rmdir()
    except OSError:
        pass


def join_cgroup(cgroup: Path, pid: int | None = None) -> bool:
    try:
        (cgroup / "cgroup.procs").write_text(str(pid or os.getpid()))
        return True
    except OSError:
        return False


# -- the record ---------------------------------------------------------------------------


@dataclass
class RunRecord:
    runner: ProcessId
    cgroup: str | None
    guardian: ProcessId | None = None

    def write(self, directory: Path) -> None:
        directory.mkdir(exist_ok=True)
        tmp = directory / f".{_RUN_FILE}.tmp"
        tmp.write_text(json.dumps(asdict(self)))
        os.replace(tmp, directory / _RUN_FILE)

    @classmethod
    def read(cls, directory: Path) -> RunRecord | None:
        try:
            data = json.loads((directory / _RUN_FILE).read_text())
            guardian = data.get("guardian")
            return cls(
                ProcessId(**data["runner"]),
                data.get("cgroup"),
                ProcessId(**guardian) if guardian else None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None


def record_started(directory: Path, worker: int, proc_id: ProcessId) -> None:
    """Note a process a test started, for ending it should the run die (no-cgroup hosts)."""
    with (directory / f"w{worker}.pids").open("a") as fh:
        fh.write(f"{proc_id.pid} {proc_id.start}\n")


def forget_started(directory: Path, worker: int) -> None:
    (directory / f"w{worker}.pids").unlink(missing_ok=True)


def record_network(directory: Path, worker: int) -> None:
    """Note this worker's network namespace: whatever is in it belongs to the run."""
    try:
        (directory / f"w{worker}.netns").write_text(str(os.stat("/proc/self/ns/net").st_ino))
    except OSError:
        pass


def _in_network(inode: int) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if os.stat(f"/proc/{p.pid}/ns/net").st_ino == inode and p.pid != os.getpid():
                found.append(p)
        except (OSError, psutil.Error):
            pass
    return found


def plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def end_remains(directory: Path) -> int:
    """End whatever the run recorded in `directory` left running; how many processes."""
    record = RunRecord.read(directory)
    ended = 0
    if record is not None and record.cgroup:
        ended += kill_cgroup(Path(record.cgroup))
    victims: dict[int, psutil.Process] = {}
    for netns in directory.glob("w*.netns"):
        try:
            inode = int(netns.read_text())
        except (OSError, ValueError):
            continue
        victims.update((p.pid, p) for p in _in_network(inode))
    for pids in directory.glob("w*.pids"):
        for line in pids.read_text().splitlines():
            try:
                pid, start = line.split()
                p = ProcessId(int(pid), float(start)).alive()
            except ValueError:
                continue
            if p is not None:
                victims[p.pid] = p
                try:
                    victims.update((c.pid, c) for c in p.children(recursive=True))
                except psutil.Error:
                    pass
    if record is not None and record.guardian is not None:
        guardian = record.guardian.alive()
        if guardian is not None and guardian.pid != os.getpid():
            victims[guardian.pid] = guardian
    for p in victims.values():
        try:
            p.kill()
            ended += 1
        except psutil.Error:
            pass
    psutil.wait_procs(list(victims.values()), timeout=3)
    for leftover in [*directory.glob("w*.netns"), *directory.glob("w*.pids")]:
        leftover.unlink(missing_ok=True)
    (directory / _RUN_FILE).unlink(missing_ok=True)
    return ended


# -- one run's containment ----------------------------------------------------------------


class Containment:
    """The cgroup, guardian and record of the running run."""

    def __init__(self, root: Path) -> None:
        self.directory = root / RECORD_DIR
        self.cgroup: Path | None = None
        self.guardian: subprocess.Popen[bytes] | None = None

    @property
    def kind(self) -> str:
        return "a cgroup" if self.cgroup else "its network namespaces and a record of its processes"

    def previous_run_alive(self) -> bool:
        record = RunRecord.read(self.directory)
        return record is not None and record.runner.alive() is not None

    def start(self) -> str | None:
        """Contain this run; a line to show when a dead run's remains had to be ended."""
        note = None
        record = RunRecord.read(self.directory)
        if record is not None and record.runner.alive() is None:
            ended = end_remains(self.directory)
            note = (
                f"** the last run in this work directory (pid {record.runner.pid}) ended "
                f"without tidying up: ended {plural(ended, 'process', 'processes')} it left"
            )
        self.directory.mkdir(exist_ok=True)
        base = cgroup2_base()
        if base is not None:
            # the pid alone is not unique: runners in other pid namespaces have it too
            cgroup = base / f"{_CGROUP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
            try:
                cgroup.mkdir()
                self.cgroup = cgroup
            except OSError:
                self.cgroup = None
        me = ProcessId.of(os.getpid())
        assert me is not None
        self.guardian = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-c",
                f"import sys; sys.path.insert(0, {str(PACKAGE_ROOT)!r}); "
                "from harness.host.guardian import main; main(sys.argv[1:])",
                str(me.pid),
                repr(me.start),
                str(self.directory),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
        RunRecord(
            me, str(self.cgroup) if self.cgroup else None, ProcessId.of(self.guardian.pid)
        ).write(self.directory)
        if self.cgroup is not None and not join_cgroup(self.cgroup):
            _rmdir(self.cgroup)
            self.cgroup = None
            RunRecord(me, None, ProcessId.of(self.guardian.pid)).write(self.directory)
        return note

    def enter_worker(self, worker: int) -> None:
        """In a worker process: its own sub-cgroup, or a record of its network namespace."""
        if self.cgroup is not None:
            sub = self.cgroup / f"w{worker}"
            try:
                sub.mkdir(exist_ok=True)
                if join_cgroup(sub):
                    return
            except OSError:
                pass
        record_network(self.directory, worker)

    def close(self) -> None:
        """The run is ending in good order: end anything left, stop the guardian."""
        if self.cgroup is not None:
            base = self.cgroup.parent
            join_cgroup(base)  # leave, so that the cgroup can be removed
            kill_cgroup(self.cgroup)
        if self.guardian is not None:
            self.guardian.terminate()
            try:
                self.guardian.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.guardian.kill()
                self.guardian.wait()
        for leftover in [*self.directory.glob("w*.netns"), *self.directory.glob("w*.pids")]:
            leftover.unlink(missing_ok=True)
        (self.directory / _RUN_FILE).unlink(missing_ok=True)
