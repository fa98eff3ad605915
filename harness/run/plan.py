"""A prepared run: everything a worker needs to build its work directory and executor.

The plan is made once, in the main process, and inherited by forked workers; each worker
differs only in its directory (`facts_for`).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from harness.case.config import RunConfig, Seat
from harness.case.testrun import TestExecutor
from harness.case.workdir import WorkDir
from harness.host.containment import Containment, ProcessId, forget_started, record_started
from harness.host.hostfacts import HostFacts
from harness.host.peerlib import PeerRuntime
from harness.host.processes import Identity
from harness.suite.requirements import Environment

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def identities(facts: HostFacts, caller_groups: tuple[int, ...]) -> tuple[Identity, Identity]:
    """The caller and root, each with the environment Exim's harness gives it."""
    term = {"TERM": os.environ["TERM"]} if "TERM" in os.environ else {}
    caller_env = {"USER": facts.caller, "SHELL": facts.shell, "PATH": SAFE_PATH, **term}
    caller_env.update({k: v for k, v in os.environ.items() if k.startswith("EXIM_TEST_")})
    root_env = {
        "USER": "root",
        "LOGNAME": "root",
        "HOME": pwd.getpwuid(0).pw_dir,
        "SHELL": "/bin/sh",
        "PATH": SAFE_PATH,
        "SUDO_USER": facts.caller,
        "SUDO_UID": str(facts.caller_uid),
        "SUDO_GID": str(facts.caller_gid),
        **term,
    }
    return (
        Identity(facts.caller_uid, facts.caller_gid, caller_groups, caller_env),
        Identity(0, 0, (0,), root_env),
    )


@dataclass(frozen=True)
class RunPlan:
    """The run's configuration and what its workers are built from."""

    config: RunConfig
    root: Path  # the work directory; worker N uses root/wN
    facts: HostFacts  # for worker 0; others differ only in their directory
    caller_groups: tuple[int, ...]
    env: Environment  # what the requirements are judged against
    loaded: Path | None
    utilities: tuple[str, ...]
    peers: PeerRuntime
    containment: Containment | None = None

    def facts_for(self, worker: int) -> HostFacts:
        cwd = str(self.root / f"w{worker}")
        return replace(self.facts, cwd=cwd, shell=f"{cwd}/aux-var/sh")

    def make_workdir(self, worker: int) -> WorkDir:
        """Worker N's work directory; worker 0's was built while the run was prepared."""
        facts = self.facts_for(worker)
        workdir = WorkDir(
            Path(facts.cwd), self.config.suite, facts, self.peers, self.config.generation
        )
        if worker != 0:
            workdir.create(self.config.binary, self.loaded, self.utilities)
        return workdir

    def make_executor(self, worker: int, workdir: WorkDir | None = None) -> TestExecutor:
        facts = self.facts_for(worker)
        if workdir is None:
            workdir = self.make_workdir(worker)
        caller, root = identities(facts, self.caller_groups)
        return TestExecutor(
            self.config,
            Seat(worker, facts, caller, root),
            workdir,
            on_spawn=self._recorder(worker),
            spare=self._spare(),
        )

    def _spare(self) -> frozenset[int]:
        guardian = self.containment.guardian if self.containment else None
        return frozenset({guardian.pid}) if guardian is not None else frozenset()

    def _recorder(self, worker: int) -> Callable[[int], None] | None:
        """Where a host without cgroup v2 notes what tests start (see `containment`)."""
        c = self.containment
        if c is None or c.cgroup is not None:
            return None
        forget_started(c.directory, worker)

        def record(pid: int) -> None:
            proc_id = ProcessId.of(pid)
            if proc_id is not None:
                record_started(c.directory, worker, proc_id)

        return record
