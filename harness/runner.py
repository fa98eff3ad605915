"""A whole run: probe the host and binary, prepare the work directory, run, report."""

from __future__ import annotations

import fcntl
import os
import pwd
import re
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

from harness import report
from harness.cli import Options
from harness.context import RunSettings
from harness.discovery import TestCase, discover
from harness.eximbinary import Capabilities, find_binary, parse_bv, parse_macros, run_probe
from harness.hostfacts import HostFacts, Ports
from harness.netns import can_make_namespaces
from harness.probe import ProbeError, build_facts, check_caller, find_caller
from harness.processes import Identity, Interrupted, become_subreaper
from harness.substitute import Substituter
from harness.suitefiles import read_text
from harness.testrun import TestResult, TestRunner
from harness.workdir import WorkDir, remove_tree
from harness.workers import run_in_workers

SAFE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def _traversable(path: Path) -> bool:
    """Whether every directory above `path` lets other users through."""
    for p in [path, *path.parents]:
        if p.exists() and not (p.stat().st_mode & stat.S_IXOTH):
            return False
    return True


def default_workdir(suite: Path) -> Path:
    repo_work = Path(__file__).resolve().parent.parent / ".work"
    if _traversable(repo_work.parent):
        return repo_work
    return Path("/var/tmp/runtest-work")


def _identities(facts: HostFacts, caller_groups: tuple[int, ...]) -> tuple[Identity, Identity]:
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


def _exim_user_group(binary: Path, suite: Path, work: Path) -> tuple[str, str]:
    probe = run_probe([str(binary), "-bP", "exim_user", "exim_group"], cwd=str(work))
    values = dict(
        line.split(" = ", 1) for line in probe.stdout.splitlines() if " = " in line
    )
    if "exim_user" not in values:
        raise ProbeError(
            f"could not learn exim_user from {binary} -bP: {probe.stderr.strip()[:300]}"
        )
    return values["exim_user"].strip(), values.get("exim_group", values["exim_user"]).strip()


def probe_capabilities(work: WorkDir, facts: HostFacts, features: set[str]) -> tuple[
        Capabilities, dict[str, bool]]:
    """What the harness copy of the binary offers, read with the suite's probing config."""
    exim = str(work.root / "eximdir" / "exim")
    conf = work.suite / "confs" / "0000"
    config = work.root / "test-config"
    text = read_text(conf) if conf.exists() else ""
    config.write_text(Substituter(facts).apply(text, "0000"), encoding="latin-1")
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
    if facts.have_ipv4:
        caps.running.add("IPv4")
    if facts.have_ipv6:
        caps.running.add("IPv6")
    else:
        caps.support.discard("IPv6")
    return caps, feature_ok


def _features(suite: Path) -> set[str]:
    out = set()
    for req in (suite / "scripts").glob("*/REQUIRES"):
        for line in req.read_text(encoding="latin-1").splitlines():
            if line.startswith("feature "):
                out.add(line.split(None, 1)[1].strip())
    return out


@dataclass
class RunPlan:
    """Everything a worker needs to build its own work directory and runner."""

    opts: Options
    suite: Path
    binary: Path
    root: Path
    facts: HostFacts  # for worker 0; others differ only in their directory
    caller_groups: tuple[int, ...]
    caps: Capabilities
    loaded: Path | None
    flavour: str | None

    def facts_for(self, worker: int) -> HostFacts:
        cwd = str(self.root / f"w{worker}")
        return replace(self.facts, cwd=cwd, shell=f"{cwd}/aux-var/sh")

    def make_runner(self, worker: int, workdir: WorkDir | None = None) -> TestRunner:
        facts = self.facts_for(worker)
        if workdir is None:
            workdir = WorkDir(Path(facts.cwd), self.suite, facts)
            workdir.create(self.binary, self.loaded)
        caller_id, root_id = _identities(facts, self.caller_groups)
        o = self.opts
        settings = RunSettings(self.suite, facts, self.caps, caller_id, root_id,
                               exim_optargs=" ".join(o.exim_args), slow=o.slow, debug=o.debug)
        return TestRunner(settings, workdir, flavour=self.flavour, update=o.update,
                          timeout=o.timeout)


def run(opts: Options) -> int:
    console = report.Console()
    suite = opts.suite.resolve()
    binary = find_binary(suite, opts.binary)
    if binary is None or not binary.exists():
        console.line("** no Exim binary found: name one, or install exim4 (./setup.sh)")
        return 2
    console.line(f"Exim binary is `{binary}'")
    become_subreaper()
    os.umask(0o022)

    caller = find_caller(opts.caller)
    root = (opts.workdir or default_workdir(suite)).resolve()
    worker_dir = root / "w0"
    worker_dir.mkdir(parents=True, exist_ok=True)
    lock = _lock_workdir(root)
    if lock is None:
        console.line(f"** another run is using the work directory {root}; "
                     "give this one its own with --workdir")
        return 2
    eximuser, eximgroup = _exim_user_group(binary, suite, worker_dir)
    bv = run_probe([str(binary), "-bV"]).stdout
    ports = Ports() if opts.portbase is None else Ports(*(opts.portbase + i for i in range(6)))
    facts = build_facts(
        str(worker_dir), caller, eximuser, eximgroup,
        exim_has_ipv6="IPv6" in parse_bv(bv).support,
        want_ipv4=opts.ipv4, want_ipv6=opts.ipv6, ports=ports,
    )
    check_caller(caller, eximgroup, facts.exim_uid, facts.exim_gid)
    if "." not in facts.hostname:
        console.line(f"*** Host name {facts.hostname} is not fully qualified: "
                     "this may cause problems (./setup.sh gives it one)")

    workdir = WorkDir(worker_dir, suite, facts)
    loaded = _loaded_library()
    workdir.create(binary, loaded)
    caps, feature_ok = probe_capabilities(workdir, facts, _features(suite))
    if loaded is None or not loaded.exists():
        caps.support.discard("Expand_dlfunc")
    if workdir.missing_utilities and "exim_dbmbuild" in workdir.missing_utilities:
        caps.lookups.discard("dbm")

    cases = discover(suite, opts.selection, caps, facts, feature_ok)
    if opts.tests:
        wanted = set(opts.tests)
        cases = [c for c in cases if int(float(c.number)) in wanted]
    if opts.list_only:
        for c in cases:
            why = c.error or (f"skipped: {c.skip_reason}" if c.skip_reason else "runs")
            needs = f"  requires: {'; '.join(c.requires)}" if c.requires else ""
            console.line(f"{c.number} {c.directory:<20} {c.title}  [{why}]{needs}")
        console.line(f"{len(cases)} tests, {sum(1 for c in cases if c.skip_reason)} "
                     "would be skipped")
        return 0

    plan = RunPlan(opts, suite, binary, root, facts, caller.groups, caps, loaded,
                   opts.flavour or detect_flavour(suite))
    runnable = [c for c in cases if not (c.error or c.skip_reason)]
    # Like Exim's harness, ask what to do after a failure, but only of a person at a terminal.
    interactive = sys.stdin.isatty() and not opts.continue_
    jobs = 1 if interactive else _choose_jobs(opts, len(runnable), console)
    console.line(f"Caller {facts.caller} ({facts.caller_uid}), host {facts.hostname}, "
                 f"IPv4 {facts.ipv4}, IPv6 {facts.ipv6}, work dir {root}")
    console.line(f"Will run {len(cases)} tests" + (f" in {jobs} workers" if jobs > 1 else ""))
    results: list[TestResult] = []
    start = time.monotonic()

    def on_signal(signum: int, _frame: object) -> None:
        raise Interrupted(signum)

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    status = 0
    try:
        for case in cases:
            if case.error or case.skip_reason:
                results.append(_run_one(None, console, case, opts))
        if jobs > 1:
            run_in_workers(plan, runnable, jobs, lambda r: _record(console, results, r))
        else:
            runner = plan.make_runner(0, workdir)
            for case in runnable:
                result = _run_one(runner, console, case, opts)
                while interactive and result.outcome == "failed":
                    answer = ask("Continue, Retry, Update & retry, Quit? [Q] ", "crqu")
                    if answer == "c":
                        break
                    if answer == "q":
                        raise Quit
                    runner.update = answer == "u"
                    result = _run_one(runner, console, case, opts)
                    runner.update = opts.update
                results.append(result)
    except Interrupted as exc:
        console.line(f"\n** interrupted by {exc}: ended the running tests' processes")
        status = 128 + exc.signum
    except Quit:
        status = 1
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        results.sort(key=lambda r: (float(r.case.number), r.case.directory))
        if opts.json:
            report.write_json(opts.json, results)
        if opts.junit_xml:
            report.write_junit(opts.junit_xml, results)
        console.summary(results, time.monotonic() - start)
        if not opts.keep:
            for w in root.glob("w*"):
                for name in ("eximdir", "spool", "test-mail"):
                    remove_tree(w / name)
    if status:
        return status
    if not results:
        console.line("** no tests selected")
        return 1
    return 1 if any(r.outcome in ("failed", "error") for r in results) else 0


def _lock_workdir(root: Path) -> int | None:
    """Hold an exclusive lock on the work directory for the rest of the run."""
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


class Quit(Exception):
    """The person running the tests asked to stop."""


def ask(prompt: str, choices: str) -> str:
    """Ask at the terminal until one of `choices` (or RETURN, meaning quit) is given."""
    while True:
        try:
            answer = input(prompt).strip().lower()[:1] or "q"
        except EOFError:
            return "q"
        if answer in choices:
            return answer


def _choose_jobs(opts: Options, runnable: int, console: report.Console) -> int:
    wanted = opts.jobs if opts.jobs is not None else (os.cpu_count() or 1)
    wanted = max(1, min(wanted, runnable))
    if opts.debug or opts.update:
        return 1
    if wanted > 1:
        why = can_make_namespaces()
        if why:
            console.line(f"** running serially: {why}")
            return 1
    return wanted


def _record(console: report.Console, results: list[TestResult], r: TestResult) -> None:
    console.finished(r)
    results.append(r)


def _run_one(runner: TestRunner | None, console: report.Console, case: TestCase,
             opts: Options) -> TestResult:
    if case.error:
        r = TestResult(case, "error", case.error)
    elif case.skip_reason:
        r = TestResult(case, "skipped", case.skip_reason)
    elif runner is None:
        raise ValueError(f"test {case.number}: no runner for a runnable test")
    else:
        console.starting(case.number, case.title)
        r = run_with_reruns(runner, case, opts.rerun_failures)
    console.finished(r)
    return r


def run_with_reruns(runner: TestRunner, case: TestCase, reruns: int) -> TestResult:
    """Run a test; rerun a failure up to `reruns` times. A later pass is reported as flaky."""
    r = runner.run(case)
    for attempt in range(1, reruns + 1):
        if r.outcome != "failed":
            break
        again = runner.run(case)
        if again.outcome == "passed":
            again.outcome = "flaky"
            again.reason = f"failed ({r.reason}), then passed on rerun {attempt}"
            return again
        r = again
    return r


def _loaded_library() -> Path | None:
    lib = Path(__file__).resolve().parent.parent / ".venv" / "lib" / "runtest-loaded.so"
    return lib if lib.exists() else None


def detect_flavour(suite: Path) -> str | None:
    """The host's flavour, as Exim's harness names it, if the suite has files for it.

    An OpenSSL 1.1.1 or 3.x host is "openssl_1_1_1"; otherwise the flavour is the
    os-release ID and VERSION_ID run together (e.g. "debian12").
    """
    names = {p.name.rsplit(".", 1)[1] for d in ("stdout", "stderr", "log")
             for p in (suite / d).glob("*.*") if not p.name.endswith(".orig")}
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


def main_guarded(opts: Options) -> int:
    try:
        return run(opts)
    except ProbeError as exc:
        print(f"** {exc}", file=sys.stderr)
        return 2
