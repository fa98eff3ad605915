"""A whole run, in phases: select the tests, prepare the host and binary, execute, finish.

    select   discover the suite's tests (a wrong --suite fails here, before anything is built)
    prepare  binary, caller, host facts, the work directory's lock and files, capabilities
    triage   decide, for each test, whether it runs (REQUIRES and need_*, one check)
    execute  run the tests serially or in workers, telling the listeners as they go
    finish   tidy the work directory; the exit status

Every run-level problem is a `HarnessError`, which `harness.cli.main` shows as one line.
"""

from __future__ import annotations

import fcntl
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from harness.case.commands import utilities
from harness.case.config import RunConfig
from harness.case.testrun import TestExecutor, run_with_reruns, triage
from harness.case.workdir import TLS_LIBRARIES, WorkDir, remove_tree
from harness.core.errors import BinaryError, HarnessError, WorkDirError
from harness.core.events import Listeners, RunListener
from harness.core.generation import Generation
from harness.core.options import Options
from harness.core.paths import REPO, default_workdir, loaded_library, plain_path
from harness.core.results import Outcome, RunInfo, TestCase, TestResult
from harness.core.suitefiles import read_text
from harness.host.containment import Containment, RunRecord, end_remains, plural
from harness.host.eximbinary import Capabilities, parse_bv, parse_macros, run_probe
from harness.host.hostfacts import HostFacts, Ports
from harness.host.netns import can_make_namespaces
from harness.host.peerlib import prepare_peers
from harness.host.probe import BinaryInfo, check_caller, check_trusted_configs, probe_host
from harness.host.processes import Interrupted, become_subreaper, raise_interrupted
from harness.reports.eximsummary import EximSummaryLogs
from harness.reports.savedoutput import STORE, SavedOutput
from harness.run.display import Console
from harness.run.plan import RunPlan, identities
from harness.run.provenance import provenance
from harness.run.scheduling import default_jobs, longest_first, quiet_jobs
from harness.run.workers import run_in_workers
from harness.suite.durations import load_durations, save_durations
from harness.suite.expectations import ExpectedFailures
from harness.suite.expectedfiles import ExpectedFiles
from harness.suite.requirements import Environment, features_named
from harness.suite.selecting import Selection, select
from harness.suite.substitute import Substituter


class Quit(Exception):
    """The person running the tests asked to stop."""


# -- prepare ----------------------------------------------------------------------------

def probe_capabilities(work: WorkDir, facts: HostFacts, features: set[str]) -> tuple[
        Capabilities, dict[str, bool]]:
    """What the harness copy of the binary offers, read with the suite's probing config."""
    exim = str(work.root / "eximdir" / "exim")
    conf = work.suite / "confs" / "0000"
    config = work.root / "test-config"
    text = read_text(conf) if conf.exists() else ""
    config.write_text(Substituter(facts, generation=work.generation).apply(text, "0000"),
                      encoding="latin-1")
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
    if facts.have_ipv4:
        caps.running.add("IPv4")
    if facts.have_ipv6:
        caps.running.add("IPv6")
    else:
        caps.support.discard("IPv6")
    return caps, feature_ok


def _succeeds(argv: list[str]) -> bool:
    try:
        return run_probe(argv).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


MIN_FREE_MB = 64  # a run's copies of the binary, peers and aux files, and its spools


def check_space(root: Path) -> None:
    """A WorkDirError when the work directory's file system is read-only, mounted nosuid
    (the test copy of Exim is setuid root) or nearly full."""
    st = os.statvfs(root)
    if st.f_flag & os.ST_RDONLY:
        raise WorkDirError(f"the work directory {root} is on a read-only file system")
    if st.f_flag & os.ST_NOSUID:
        raise WorkDirError(f"the work directory {root} is on a file system mounted nosuid, "
                           "where the setuid test copy of Exim cannot work; choose another "
                           "with --workdir")
    free_mb = st.f_bavail * st.f_frsize // (1 << 20)
    if free_mb < MIN_FREE_MB:
        raise WorkDirError(f"the work directory {root} has {free_mb} MB free; a run needs "
                           f"{MIN_FREE_MB} MB or more (give it another with --workdir)")


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
        raise WorkDirError(f"another run is using the work directory {root}; "
                           "give this one its own with --workdir") from None
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
        listeners.notice(f"** the last run in {root} died and left "
                     f"{plural(ended, 'process', 'processes')} holding its lock: ended")
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


def prepare(opts: Options, suite: Path, cases: Sequence[TestCase],
            listeners: Listeners) -> Prepared:
    """Probe the host and binary, take and build the work directory: the run's plan."""
    root = (opts.workdir or default_workdir()).resolve()
    if not plain_path(root):
        raise WorkDirError(f"the work directory {str(root)!r} has a character Exim's "
                           "configurations cannot hold as DIR (a blank, a quote); "
                           "choose another with --workdir")
    worker_dir = root / "w0"
    try:
        worker_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkDirError(f"cannot make the work directory {worker_dir}: {exc.strerror}") from exc
    check_space(root)
    ports = Ports() if opts.portbase is None else Ports(*(opts.portbase + i for i in range(6)))
    host = probe_host(suite, opts.binary, opts.caller, worker_dir, want_ipv4=opts.ipv4,
                      want_ipv6=opts.ipv6, ports=ports)
    listeners.notice(f"Exim binary is `{host.binary}'")
    listeners.notice(f"Suite {suite}")
    generation = Generation.chosen(opts.harness, host.info.version)
    why = "as asked" if opts.harness else f"for the binary's version {host.info.version}"
    listeners.notice(f"Harness generation {generation.label} ({why})")
    become_subreaper()
    os.umask(0o022)
    lock, containment = take_workdir(root, listeners)
    try:
        facts = host.facts
        if generation >= Generation.G4_99 and "&" in facts.caller_gecos:
            # as 4.99's harness reads the gecos field: & is the login, capitalised
            login = facts.caller
            facts = replace(facts, caller_gecos=facts.caller_gecos.replace(
                "&", login[:1].upper() + login[1:]))
        check_caller(host.caller, facts.eximgroup, facts.exim_uid, facts.exim_gid)
        if "." not in facts.hostname:
            listeners.notice(f"*** Host name {facts.hostname} is not fully qualified: "
                         "this may cause problems (./setup.sh gives it one)")
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
        if opts.tls and not all((worker_dir / "eximdir" / f"exim_{lib}").exists()
                                for lib in TLS_LIBRARIES):
            raise BinaryError(f"-TLS needs {host.binary}_openssl and {host.binary}_gnutls")
        if "exim_dbmbuild" in workdir.missing_utilities:
            caps.lookups.discard("dbm")
        flavour = opts.flavour or detect_flavour(suite)
        config = RunConfig(
            suite=suite, binary=host.binary, generation=generation, flavour=flavour, caps=caps,
            files=ExpectedFiles.for_suite(suite, generation, flavour),
            exim_args=opts.exim_args, tls=opts.tls, slow=opts.slow, debug=opts.debug,
            update=opts.update, timeout=opts.timeout, rerun_failures=opts.rerun_failures,
        )
        plan = RunPlan(
            config=config, root=root, facts=facts, caller_groups=host.caller.groups,
            env=Environment(caps, facts, feature_ok, Substituter(facts, generation).apply),
            loaded=loaded, utilities=tools, peers=peers, containment=containment,
        )
    except BaseException:
        containment.close()
        os.close(lock)
        raise
    return Prepared(plan, workdir, host.info, lock, containment)


def detect_flavour(suite: Path) -> str | None:
    """The host's flavour, as Exim's harness names it, if the suite has files for it.

    An OpenSSL 1.1.1 or 3.x host is "openssl_1_1_1"; otherwise the flavour is the
    os-release ID and VERSION_ID run together (e.g. "debian12").
    """
    names = {p.name.rsplit(".", 1)[1] for d in ("stdout", "stderr", "log")
             for p in (suite / d).glob("*.*")
             if not p.name.endswith(".orig") and "@" not in p.name}
    if not names:
        return None
    guesses = []
    try:
        version = run_probe(["openssl", "version"]).stdout
        if re.search(r"1\.1\.1|3\.\d+\.\d+", version):
            guesses.append("openssl_1_1_1")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        osr = Path("/etc/os-release").read_text()
        fields = dict(line.split("=", 1) for line in osr.splitlines() if "=" in line)
        guesses.append(fields.get("ID", "").strip('"') + fields.get("VERSION_ID", "").strip('"'))
    except OSError:
        pass
    return next((g for g in guesses if g in names), None)


# -- triage and list --------------------------------------------------------------------

Triaged = list[tuple[TestCase, TestResult | None]]


def triage_all(cases: Sequence[TestCase], env: Environment) -> Triaged:
    """Each case with its result when it will not run (skipped, or an error), else None."""
    return [(case, triage(case, env)) for case in cases]


def show_list(console: Console, triaged: Triaged, files: ExpectedFiles) -> None:
    """Each test, whether it runs, and (indented) the expected files it compares with."""
    for case, verdict in triaged:
        if verdict is None:
            why = "runs"
        elif verdict.outcome is Outcome.SKIPPED:
            why = f"skipped: {verdict.reason}"
        else:
            why = verdict.reason
        needs = f"  requires: {'; '.join(r.text for r in case.requires)}" if case.requires else ""
        console.line(f"{case.number} {case.directory:<20} {case.title}  [{why}]{needs}")
        compared = files.for_test(case.number)
        if compared:
            console.line(f"     compares with: {' '.join(compared)}")
    skipped = sum(1 for _, v in triaged if v is not None and v.outcome is Outcome.SKIPPED)
    console.line(f"{len(triaged)} tests, {skipped} would be skipped")


# -- execute ------------------------------------------------------------------------------

def ask(prompt: str, choices: str) -> str:
    """Ask at the terminal until one of `choices` (or RETURN, meaning quit) is given."""
    while True:
        try:
            answer = input(prompt).strip().lower()[:1] or "q"
        except EOFError:
            return "q"
        if answer in choices:
            return answer


def choose_jobs(opts: Options, runnable: int, listeners: Listeners) -> tuple[int, bool]:
    """How many workers, and whether they get networks of their own (else the tests run
    one by one in this process, on the host's network)."""
    if opts.debug or opts.update:
        wanted, why = 1, "-DEBUG and -UPDATE run one test at a time"
    elif opts.jobs is not None:
        wanted, why = opts.jobs, "as asked"
    else:
        wanted, why = default_jobs()
    wanted = max(1, min(wanted, runnable))
    cannot = can_make_namespaces() if runnable else "nothing to run"
    if cannot:
        if wanted > 1:
            listeners.notice(f"** running serially: {cannot}")
        return 1, False
    listeners.notice(f"{wanted} worker{'s' if wanted > 1 else ''}: {why}")
    return wanted, True


def run_serially(executor: TestExecutor, cases: Sequence[TestCase], reruns: int,
                 interactive: bool, listeners: Listeners,
                 record: Callable[[TestResult], None]) -> None:
    """Run the tests one by one; at a terminal, ask what to do after each failure."""
    for case in cases:
        listeners.test_started(case, 0)
        result = run_with_reruns(executor, case, reruns)
        while interactive and result.outcome is Outcome.FAILED:
            answer = ask("Continue, Retry, Update & retry, Quit? [Q] ", "crqu")
            if answer == "c":
                break
            if answer == "q":
                record(result)
                raise Quit
            result = run_with_reruns(executor, case, reruns, update=answer == "u")
        record(result)


def run_in_parallel(plan: RunPlan, cases: list[TestCase], jobs: int, quiet: int | None,
                    listeners: Listeners, record: Callable[[TestResult], None],
                    console: Console) -> None:
    """Run the tests in `jobs` workers; with `quiet`, a failure is held back and its test
    run again once every test has started and at most `quiet` are running: a pass then is
    reported as flaky."""
    held: dict[str, TestResult] = {}
    again: dict[str, TestResult] = {}
    announced = False

    def started(case: TestCase, worker: int) -> None:
        nonlocal announced
        if case.number in held and not announced:
            announced = True
            listeners.notice(f"running failures again, with {quiet} tests at once at most")
        listeners.test_started(case, worker)

    def result(result: TestResult) -> bool:
        number = result.case.number
        if number in held:
            again[number] = result
            return False
        if quiet is not None and result.outcome is Outcome.FAILED:
            held[number] = result
            console.test_held(result.case)
            return True
        record(result)
        return False

    try:
        run_in_workers(plan, cases, jobs, started, result, quiet or 1)
    finally:
        for number, first in held.items():
            second = again.get(number)
            if second is None:
                record(first)
            elif second.outcome is Outcome.PASSED:
                record(second.but(outcome=Outcome.FLAKY,
                                  reason=f"failed ({first.reason}) with {jobs} tests at "
                                         f"once, passed with {quiet} at most"))
            else:
                record(second)


def rerun_command(opts: Options, plan: RunPlan) -> str:
    """The start of a command line that runs one of this run's tests again on its own."""
    runtest = "./runtest.py" if Path.cwd() == REPO else str(REPO / "runtest.py")
    words = [runtest, str(plan.config.binary)]
    if plan.config.suite != REPO:
        words += ["--suite", str(plan.config.suite)]
    if opts.harness:
        words += ["--harness", opts.harness.label]
    if opts.flavour:
        words += ["-FLAVOUR", opts.flavour]
    if opts.tls:
        words += ["-TLS", opts.tls]
    return " ".join(words + [*opts.exim_args])


def accept_command(opts: Options, plan: RunPlan) -> str:
    """The start of a command line that accepts a test's new output from this run."""
    runtest = "./runtest.py" if Path.cwd() == REPO else str(REPO / "runtest.py")
    words = [runtest]
    if plan.config.suite != REPO:
        words += ["--suite", str(plan.config.suite)]
    if opts.workdir:
        words += ["--workdir", str(plan.root)]
    return " ".join([*words, "--accept"])


def execute(opts: Options, prepared: Prepared, selection: Selection,
            triaged: Triaged, listeners: Listeners, console: Console) -> int:
    """Run the tests, telling the listeners; the exit status."""
    plan = prepared.plan
    runnable = [case for case, verdict in triaged if verdict is None]
    # Like Exim's harness, ask what to do after a failure, but only of a person at a terminal.
    interactive = sys.stdin.isatty() and not opts.continue_
    jobs, isolated = (1, False) if interactive else choose_jobs(opts, len(runnable), listeners)
    known = {**load_durations(plan.root), **selection.durations}
    if jobs > 1:
        runnable = longest_first(runnable, known)
    config = plan.config
    note = check_trusted_configs(prepared.binary_info, config.binary,
                                 [plan.root / f"w{i}" / "test-config" for i in range(jobs)])
    if note:
        listeners.notice(note)
    f = plan.facts
    info = prepared.binary_info
    shard = selection.shard
    listeners.run_started(RunInfo(
        config.suite, config.binary, len(triaged), jobs, plan.root,
        {"caller": f"{f.caller} ({f.caller_uid})", "host": f.hostname, "ipv4": f.ipv4,
         "ipv6": f.ipv6},
        provenance(suite=config.suite, binary=config.binary, version=info.version, bv=info.bv,
                   harness=config.generation.label, selection=selection.described,
                   shard=None if shard is None else {"index": shard.index, "total": shard.total,
                                                     "strategy": shard.strategy})
        | {"rerun_command": rerun_command(opts, plan),
           "accept_command": accept_command(opts, plan)},
        tuple(case for case, _ in triaged),
        known,
    ))
    results: list[TestResult] = []
    expected_failures = ExpectedFailures.load(opts.xfail) if opts.xfail else None

    def record(result: TestResult) -> None:
        if expected_failures is not None:
            result = expected_failures.judge(result)
        results.append(result)
        listeners.test_finished(result)

    start = time.monotonic()
    old = {s: signal.signal(s, raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    interrupted: str | None = None
    try:
        for _, verdict in triaged:
            if verdict is not None:
                record(verdict)
        if isolated:
            quiet = None if opts.no_quiet_rerun else quiet_jobs(jobs)
            run_in_parallel(plan, runnable, jobs, quiet, listeners, record, console)
        else:
            executor = plan.make_executor(0, prepared.workdir)
            run_serially(executor, runnable, config.rerun_failures, interactive, listeners, record)
    except Interrupted as exc:
        interrupted = str(exc)
        status = 128 + exc.signum
    except Quit:
        status = 1
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        results.sort(key=lambda r: r.case.sort_key)
        save_durations(plan.root, results)
        listeners.run_finished(results, time.monotonic() - start, interrupted)
    if status:
        return status
    if not results:
        if shard is not None:
            listeners.notice(f"shard {shard.label} has no tests of this selection: nothing to do")
            return 0
        listeners.notice("** no tests selected")
        return 1
    return 1 if any(r.outcome.fails_run for r in results) else 0


# -- the whole run ------------------------------------------------------------------------

def run(opts: Options, reports: Sequence[RunListener] = ()) -> int:
    """Run the selected tests of the suite, telling `reports` too; the exit status.
    Raises HarnessError."""
    console = Console(heartbeat=opts.heartbeat, slow_after=opts.slow_after)
    start_dir = Path.cwd()
    suite = opts.suite.resolve()
    selection = select(opts, suite)
    if opts.xfail:
        ExpectedFailures.load(opts.xfail)  # a bad list fails now, not after the run
    cases = selection.cases
    summaries = [EximSummaryLogs(start_dir)] if opts.continue_ else []
    listeners = Listeners([console, *reports, *summaries])
    prepared = prepare(opts, suite, cases, listeners)
    try:
        plan = prepared.plan
        triaged = triage_all(cases, plan.env)
        if opts.list_only:
            show_list(console, triaged, plan.config.files)
            return 0
        stores = [plan.root / STORE, *([opts.save_output] if opts.save_output else [])]
        listeners.add(SavedOutput(stores, plan.config.flavour))
        try:
            return execute(opts, prepared, selection, triaged, listeners, console)
        except OSError as exc:  # a report that cannot be written, most likely
            raise HarnessError(f"{getattr(exc, 'filename', '') or 'output'}: "
                               f"{exc.strerror or exc}") from exc
    finally:
        prepared.close(opts.keep)
