"""The run's preparation: the host and binary probed, the work directory taken and built,
the binary's capabilities read, and the frozen configuration and plan made from them."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from harness.case.commands import utilities
from harness.case.config import RunConfig
from harness.case.workdir import TLS_LIBRARIES, WorkDir, remove_tree
from harness.core.errors import BinaryError, WorkDirError
from harness.core.events import Listeners
from harness.core.generation import Generation
from harness.core.options import Options
from harness.core.paths import default_workdir, loaded_library, plain_path
from harness.core.results import TestCase
from harness.core.suitefiles import read_text
from harness.host.containment import Containment
from harness.host.eximbinary import Capabilities, check_ref_owner, parse_bv, parse_macros, run_probe
from harness.host.flavour import detect_flavour
from harness.host.hostfacts import HostFacts, Ports
from harness.host.peerlib import prepare_peers
from harness.host.probe import BinaryInfo, check_caller, probe_host
from harness.host.processes import become_subreaper
from harness.host.services import CLAMSOCKET, SERVICES
from harness.run.plan import RunPlan, identities
from harness.run.worklock import check_space, take_workdir
from harness.suite.expectedfiles import ExpectedFiles
from harness.suite.requirements import Environment, features_named
from harness.suite.substitute import Substituter


def probe_capabilities(
    work: WorkDir, facts: HostFacts, features: set[str]
) -> tuple[Capabilities, dict[str, bool]]:
    """What the harness copy of the binary offers, read with the suite's probing config."""
    exim = str(work.root / "eximdir" / "exim")
    conf = work.suite / "confs" / "0000"
    config = work.root / "test-config"
    text = read_text(conf) if conf.exists() else ""
    config.write_text(
        Substituter(facts, generation=work.generation).apply(text, "0000"), encoding="latin-1"
    )
    os.chmod(config, 0o644)
    base = [exim, "-C", str(config), f"-DDIR={facts.cwd}"]
    caps = parse_bv(run_probe([*base, "-bV"]).stdout)
    macros = parse_macros(run_probe([*base, "-bP", "macros"]).stdout)
    caps.macros = macros
    feature_ok = {f: f in macros for f in features}
    # Features named in REQUIRES but not listed (macros defined only on request) are
    # asked for one by one, as Exim's harness does.
    for f in features:
        if not feature_ok[f]:
            feature_ok[f] = run_probe([*base, "-bP", "macro", f]).returncode == 0
    config.unlink()
    if _succeeds(["dovecot", "--version"]):  # "running dovecot" means it is installed
        caps.running.add("dovecot")
    # as Exim's harness: a redis lookup and a redis-server that starts (the tests start
    # their own servers)
    if "redis" in caps.lookups and _succeeds(["redis-server", "-v"]):
        caps.running.add("redis")
    if facts.have_ipv4:
        caps.running.add("IPv4")
    if facts.have_ipv6:
        caps.running.add("IPv6")
    else:
        caps.support.discard("IPv6")
    # the servers the runner starts for the tests that need them (harness.host.services)
    caps.running.update(name for name, service in SERVICES.items() if service.installed())
    return caps, feature_ok


def _succeeds(argv: list[str]) -> bool:
    try:
        return run_probe(argv).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@dataclass
class Prepared:
    plan: RunPlan
    workdir: WorkDir  # worker 0's, built
    binary_info: BinaryInfo
    lock: int
    containment: Containment

    def close(self, keep: bool) -> None:
        self.containment.close()
        if not keep:
            for w in self.plan.root.glob("w*"):
                for name in ("eximdir", "spool", "test-mail"):
                    remove_tree(w / name)
        os.close(self.lock)


def prepare(
    opts: Options, suite: Path, cases: Sequence[TestCase], listeners: Listeners
) -> Prepared:
    """Probe the host and binary, take and build the work directory: the run's plan."""
    root = (opts.workdir or default_workdir()).resolve()
    if not plain_path(root):
        raise WorkDirError(
            f"the work directory {str(root)!r} has a character Exim's "
            "configurations cannot hold as DIR (a blank, a quote); "
            "choose another with --workdir"
        )
    worker_dir = root / "w0"
    try:
        worker_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkDirError(f"cannot make the work directory {worker_dir}: {exc.strerror}") from exc
    check_space(root)
    ports = Ports() if opts.portbase is None else Ports(*(opts.portbase + i for i in range(6)))
    host = probe_host(
        suite,
        opts.binary,
        opts.caller,
        worker_dir,
        want_ipv4=opts.ipv4,
        want_ipv6=opts.ipv6,
        ports=ports,
    )
    listeners.notice(f"Exim binary is `{host.binary}'")
    listeners.notice(f"Suite {suite}")
    generation = Generation.chosen(opts.harness, host.info.version)
    why = "as asked" if opts.harness else f"for the binary's version {host.info.version}"
    listeners.notice(f"Harness generation {generation.label} ({why})")
    owner_note = check_ref_owner(host.binary)
    if owner_note:
        listeners.notice(owner_note)
    become_subreaper()
    os.umask(0o022)
    lock, containment = take_workdir(root, listeners)
    try:
        facts = host.facts
        if generation >= Generation.G4_99 and "&" in facts.caller_gecos:
            # as 4.99's harness reads the gecos field: & is the login, capitalised
            login = facts.caller
            facts = replace(
                facts, caller_gecos=facts.caller_gecos.replace("&", login[:1].upper() + login[1:])
            )
        if SERVICES["ClamAV"].installed():  # the clamd the runner starts listens there
            facts = replace(facts, clamsocket=CLAMSOCKET)
        check_caller(host.caller, facts.eximgroup, facts.exim_uid, facts.exim_gid)
        if "." not in facts.hostname:
            listeners.notice(
                f"*** Host name {facts.hostname} is not fully qualified: "
                "this may cause problems (./setup.sh gives it one)"
            )
        peers = prepare_peers(root, identities(facts, host.caller.groups)[0], facts.caller)
        workdir = WorkDir(worker_dir, suite, facts, peers, generation)
        loaded = loaded_library()
        tools = utilities()
        try:
            workdir.create(host.binary, loaded, tools)
        except ValueError as exc:  # not an Exim binary
            raise BinaryError(str(exc)) from exc
        except OSError as exc:
            raise WorkDirError(f"cannot build the work directory {worker_dir}: {exc}") from exc
        features = features_named(r for c in cases for r in c.requires)
        caps, feature_ok = probe_capabilities(workdir, facts, features)
        if loaded is None:
            caps.support.discard("Expand_dlfunc")
        if opts.tls and not all(
            (worker_dir / "eximdir" / f"exim_{lib}").exists() for lib in TLS_LIBRARIES
        ):
            raise BinaryError(f"-TLS needs {host.binary}_openssl and {host.binary}_gnutls")
        if opts.valgrind and shutil.which("valgrind") is None:
            raise BinaryError("-VALGRIND needs valgrind (./setup.sh --valgrind installs it)")
        if "exim_dbmbuild" in workdir.missing_utilities:
            caps.lookups.discard("dbm")
        flavour = opts.flavour or detect_flavour(suite)
        config = RunConfig(
            suite=suite,
            binary=host.binary,
            generation=generation,
            flavour=flavour,
            caps=caps,
            files=ExpectedFiles.for_suite(suite, generation, flavour),
            exim_args=opts.exim_args,
            tls=opts.tls,
            slow=opts.slow,
            debug=opts.debug,
            update=opts.update,
            valgrind=opts.valgrind,
            timeout=opts.timeout,
            rerun_failures=opts.rerun_failures,
        )
        plan = RunPlan(
            config=config,
            root=root,
            facts=facts,
            caller_groups=host.caller.groups,
            env=Environment(caps, facts, feature_ok, Substituter(facts, generation).apply),
            loaded=loaded,
            utilities=tools,
            peers=peers,
            containment=containment,
        )
    except BaseException:
        containment.close()
        os.close(lock)
        raise
    return Prepared(plan, workdir, host.info, lock, containment)
