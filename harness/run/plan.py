"""A prepared run: everything a worker needs to build its work directory and executor.

The plan is made once, in the main process, and inherited by forked workers; each worker
differs only in its directory (`facts_for`).
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from harness.case.context import RunSettings
from harness.case.testrun import TestExecutor
from harness.case.workdir import WorkDir
from harness.core.generation import Generation
from harness.host.containment import Containment, ProcessId, forget_started, record_started
from harness.host.eximbinary import Capabilities
from harness.host.hostfacts import HostFacts
from harness.host.peerlib import PeerRuntime
from harness.host.processes import Identity
from harness.suite.expectedfiles import ExpectedFiles
from harness.suite.requirements import Environment

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def identities(facts: HostFacts, caller_groups: tuple[int, ...]) -> tuple[Identity, Identity]:
    """The caller and root, each with the environment Exim's harness gives it."""
    term = {"TERM": os.environ["TERM"]} if "TERM" in os.environ else {}
    caller_env = {"USER": facts.caller, "SHELL": facts.shell, "PATH": SAFE_PATH, **term}
    caller_env.update({k: v for k, v in os.environ.items() if k.startswith("EXIM_TEST_")})
    root_env = {
        "USER": "root", "LOGNAME": "root", "HOME": pwd.getpwuid(0).pw_dir, "SHELL": "/bin/sh",
        "PATH": SAFE_PATH, "SUDO_USER": facts.caller, "SUDO_UID": str(facts.caller_uid),
        "SUDO_GID": str(facts.caller_gid), **term,
    }
    return (
        Identity(facts.caller_uid, facts.caller_gid, caller_groups, caller_env),
        Identity(0, 0, (0,), root_env),
    )


def tls_binaries(tls: str | None) -> tuple[str, str, str | None]:
    """The eximdir copies that client and server commands run, and what client-anytls
    becomes, for -TLS `tls` (None: no cross-library testing)."""
    if tls is None:
        return "exim", "exim", None
    other = "gnutls" if tls == "openssl" else "openssl"
    return f"exim_{tls}", f"exim_{other}", "client-ssl" if tls == "openssl" else "client-gnutls"


@dataclass
class RunPlan:
    suite: Path
    binary: Path
    root: Path  # the work directory; worker N uses root/wN
    facts: HostFacts  # for worker 0; others differ only in their directory
    caller_groups: tuple[int, ...]
    caps: Capabilities
    env: Environment
    loaded: Path | None
    utilities: tuple[str, ...]
    peers: PeerRuntime
    flavour: str | None
    generation: Generation
    tls: str | None = None  # -TLS
    containment: Containment | None = None
    exim_args: tuple[str, ...] = ()
    slow: bool = False
    debug: bool = False
    update: bool = False
    timeout: float = 300.0
    rerun_failures: int = 0
    # the expected files as this flavour and generation see them (reads GENERATION)
    files: ExpectedFiles = field(init=False)

    def __post_init__(self) -> None:
        self.files = ExpectedFiles.for_suite(self.suite, self.generation, self.flavour)

    def facts_for(self, worker: int) -> HostFacts:
        cwd = str(self.root / f"w{worker}")
        return replace(self.facts, cwd=cwd, shell=f"{cwd}/aux-var/sh")

    def make_workdir(self, worker: int) -> WorkDir:
        """Worker N's work directory; worker 0's was built while the run was prepared."""
        facts = self.facts_for(worker)
        workdir = WorkDir(Path(facts.cwd), self.suite, facts, self.peers, self.generation)
        if worker != 0:
            workdir.create(self.binary, self.loaded, self.utilities)
        return workdir

    def make_executor(self, worker: int, workdir: WorkDir | None = None) -> TestExecutor:
        facts = self.facts_for(worker)
        if workdir is None:
            workdir = self.make_workdir(worker)
        caller_id, root_id = identities(facts, self.caller_groups)
        client, server, anytls = tls_binaries(self.tls)
        settings = RunSettings(self.suite, facts, self.caps, caller_id, root_id,
                               exim_optargs=" ".join(self.exim_args),
                               generation=self.generation, exim_client=client,
                               exim_server=server, tls_client=anytls, slow=self.slow,
                               debug=self.debug)
        return TestExecutor(settings, workdir, files=self.files, update=self.update,
                            timeout=self.timeout, worker=worker, generation=self.generation,
                            on_spawn=self._recorder(worker), spare=self._spare())

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
