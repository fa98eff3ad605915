"""A whole run, in phases: select the tests, prepare the host and binary, execute, finish.

    select   discover the suite's tests (a wrong --suite fails here, before anything is built)
    prepare  binary, caller, host facts, the work directory's lock and files, capabilities
    triage   decide, for each test, whether it runs (REQUIRES and need_*, one check)
    execute  run the tests serially or in workers, telling the listeners as they go
    finish   tidy the work directory; the exit status

Every run-level problem is a `HarnessError`, which `harness.cli.main` shows as one line.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Sequence, Set
from pathlib import Path

from harness.case.testrun import triage
from harness.core.errors import HarnessError
from harness.core.events import Listeners, RunListener
from harness.core.exitcodes import ExitCode
from harness.core.exitcodes import interrupted as interrupted_status
from harness.core.options import Options
from harness.core.results import Outcome, RunInfo, TestCase, TestResult
from harness.host.netns import can_make_namespaces
from harness.host.probe import check_trusted_configs
from harness.host.processes import Interrupted, raise_interrupted
from harness.reports.common import ReportFile
from harness.reports.eximsummary import EximSummaryLogs
from harness.reports.jsonreport import JsonReport
from harness.reports.loading import LAST_RUN
from harness.reports.savedoutput import STORE, SavedOutput
from harness.run.commandlines import accept_command, rerun_command
from harness.run.display import Console, failure_text
from harness.run.interactive import Prompt, Stop, run_serially
from harness.run.plan import RunPlan
from harness.run.prepare import Prepared, prepare
from harness.run.provenance import provenance
from harness.run.scheduling import default_jobs, longest_first, quiet_jobs
from harness.run.workers import run_in_workers
from harness.suite.durations import load_history, save_durations
from harness.suite.expectations import ExpectedFailures
from harness.suite.expectedfiles import ExpectedFiles
from harness.suite.requirements import Environment
from harness.suite.selecting import Selection, select

# -- prepare ----------------------------------------------------------------------------


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


def choose_jobs(opts: Options, runnable: int, listeners: Listeners) -> tuple[int, bool]:
    """How many workers, and whether they get networks of their own (else the tests run
    one by one in this process, on the host's network)."""
    if opts.debug or opts.update:
        wanted, why = 1, "-DEBUG and -UPDATE run one test at a time"
    elif opts.jobs is not None:
        wanted, why = opts.jobs, "as asked"
    else:
        wanted, why = default_jobs()
    if 0 < runnable < wanted:
        wanted, why = runnable, f"{why}, but {runnable} test{'s' if runnable > 1 else ''} to run"
    wanted = max(1, wanted)
    cannot = can_make_namespaces() if runnable else "nothing to run"
    if cannot:
        if wanted > 1 and runnable:
            listeners.notice(f"** running serially: {cannot}")
        return 1, False
    listeners.notice(f"{wanted} worker{'s' if wanted > 1 else ''}: {why}")
    return wanted, True


def run_in_parallel(
    plan: RunPlan,
    cases: list[TestCase],
    jobs: int,
    quiet: int | None,
    listeners: Listeners,
    record: Callable[[TestResult], None],
    console: Console,
    racers: Set[str] = frozenset(),
    failing: Set[str] = frozenset(),
) -> None:
    """Run the tests in `jobs` workers; with `quiet`, a failure is held back and its test
    run again once every test has started and at most `quiet` are running, up to
    `--rerun-failures` times (at least once): a pass then is reported as flaky. With
    `quiet`, the `racers` (tests that were flaky lately) start only when at most `quiet`
    tests are running too, and a failure of a `failing` test (one that failed last time,
    run again too) is not run again."""
    held: dict[str, TestResult] = {}
    tries: dict[str, int] = {}  # a held test's quiet tries so far
    quiet_tries = max(1, plan.config.rerun_failures)
    later = [c for c in cases if c.number in racers] if quiet is not None else []
    if later:
        listeners.notice(
            f"{len(later)} tests that were flaky lately start when at most {quiet} tests "
            f"are running: {' '.join(sorted(c.number for c in later))}"
        )
    settled = failing if quiet is not None else frozenset()
    if settled:
        listeners.notice(
            f"{len(settled)} tests failed last time, when run again too: if they fail now, "
            f"they are not run again: {' '.join(sorted(settled))}"
        )
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
            tries[number] += 1
            return result.outcome is Outcome.FAILED and tries[number] < quiet_tries
        if quiet is not None and result.outcome is Outcome.FAILED and number not in settled:
            held[number] = result
            tries[number] = 0
            console.test_held(result.case)
            return True
        record(result)
        return False

    # With quiet tries, a failure waits for them rather than running again under load.
    reruns = 0 if quiet is not None else plan.config.rerun_failures
    try:
        run_in_workers(plan, cases, jobs, started, result, quiet or 1, later, reruns)
    finally:
        for number, first in held.items():
            second = again.get(number)
            if second is None:
                record(first)
            elif second.outcome is Outcome.PASSED:
                shown = failure_text(first)  # what the flake was, for whoever looks into it
                which = f", at try {tries[number] + 1}" if tries[number] > 1 else ""
                record(
                    second.but(
                        outcome=Outcome.FLAKY,
                        reason=f"failed ({first.reason}) with {jobs} tests at "
                        f"once, passed with {quiet} at most{which}",
                        details=second.details
                        + ((f"at the first try:\n{shown.rstrip()}",) if shown else ()),
                    )
                )
            else:
                record(second)


def nothing_selected(opts: Options, suite: Path) -> str:
    """Why a selection came out empty, in words."""
    if opts.last_failed:
        return "none of the selected tests failed in the reports named (--last-failed)"
    if opts.keyword is not None:
        return f"-k {opts.keyword!r} matched none of the tests"
    asked = [str(n) for n in opts.tests]
    if opts.selection is not None:
        first, last = opts.selection
        asked.append(str(first) if first == last else f"{first} to {last}")
    return f"{suite} has no test {', '.join(asked)}" if asked else f"{suite} has no tests"


def execute(
    opts: Options,
    prepared: Prepared,
    selection: Selection,
    triaged: Triaged,
    listeners: Listeners,
    console: Console,
) -> int:
    """Run the tests, telling the listeners; the exit status."""
    plan = prepared.plan
    runnable = [case for case, verdict in triaged if verdict is None]
    # Like Exim's harness, ask what to do after a failure, but only of a person at a terminal.
    interactive = sys.stdin.isatty() and not opts.continue_
    jobs, isolated = (1, False) if interactive else choose_jobs(opts, len(runnable), listeners)
    if opts.exim_args:
        listeners.notice(f"passed on to every exim command: {' '.join(opts.exim_args)}")
    if selection.shard is not None:
        listeners.notice(f"shard {selection.shard.label}: {len(triaged)} of the selected tests")
    history = load_history(plan.root).then(selection.brought_in)
    known = {**history.durations(), **selection.durations}
    racers: set[str] = set()
    failing: set[str] = set()
    if jobs > 1:
        runnable = longest_first(runnable, known)
        racers = history.racers() & {c.number for c in runnable}
        failing = history.failing() & {c.number for c in runnable}
    config = plan.config
    note = check_trusted_configs(
        prepared.binary_info,
        config.binary,
        [plan.root / f"w{i}" / "test-config" for i in range(jobs)],
    )
    if note:
        listeners.notice(note)
    f = plan.facts
    info = prepared.binary_info
    shard = selection.shard
    listeners.run_started(
        RunInfo(
            config.suite,
            config.binary,
            len(triaged),
            jobs,
            plan.root,
            {
                "caller": f"{f.caller} ({f.caller_uid})",
                "host": f.hostname,
                "ipv4": f.ipv4,
                "ipv6": f.ipv6,
            },
            provenance(
                suite=config.suite,
                binary=config.binary,
                version=info.version,
                bv=info.bv,
                harness=config.generation.label,
                selection=selection.described,
                shard=None
                if shard is None
                else {"index": shard.index, "total": shard.total, "strategy": shard.strategy},
            ),
            tuple(case for case, _ in triaged),
            known,
            rerun_command(opts, config, plan.root),
            accept_command(opts, config, plan.root),
        )
    )
    results: list[TestResult] = []
    expected_failures = ExpectedFailures.load(opts.xfail) if opts.xfail else None

    failures = 0

    def record(result: TestResult) -> None:
        nonlocal failures
        if expected_failures is not None:
            result = expected_failures.judge(result)
        results.append(result)
        listeners.test_finished(result)
        failures += result.outcome.fails_run
        if opts.max_failures is not None and failures >= opts.max_failures:
            raise Stop(
                f"stopped after {failures} failed test{'s' if failures > 1 else ''} "
                f"(--max-failures {opts.max_failures})"
            )

    start = time.monotonic()
    old = {s: signal.signal(s, raise_interrupted) for s in (signal.SIGINT, signal.SIGTERM)}
    status: int = ExitCode.OK
    interrupted: str | None = None
    try:
        for _, verdict in triaged:
            if verdict is not None:
                record(verdict)
        if isolated:
            held_back = opts.no_quiet_rerun or opts.max_failures is not None
            quiet = None if held_back else quiet_jobs(jobs)
            run_in_parallel(
                plan, runnable, jobs, quiet, listeners, record, console, racers, failing
            )
        else:
            executor = plan.make_executor(0, prepared.workdir)
            prompt = None
            if interactive:
                prompt = Prompt(console, config, prepared.workdir.root)
                console.show_failures = False  # the prompt shows them
            run_serially(executor, runnable, config.rerun_failures, prompt, listeners, record)
    except Interrupted as exc:
        interrupted = str(exc)
        status = interrupted_status(exc.signum)
    except Stop as exc:
        listeners.notice(f"** {exc}")
        status = ExitCode.TESTS_FAILED
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        results.sort(key=lambda r: r.case.sort_key)
        save_durations(plan.root, results, history)
        listeners.run_finished(results, time.monotonic() - start, interrupted)
    if status:
        return status
    if not results:
        if shard is not None:
            listeners.notice(f"shard {shard.label} has no tests of this selection: nothing to do")
            return ExitCode.OK
        listeners.notice(f"** no tests selected: {nothing_selected(opts, suite=config.suite)}")
        return ExitCode.NO_TESTS
    return ExitCode.TESTS_FAILED if any(r.outcome.fails_run for r in results) else ExitCode.OK


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
    files = [str(r.path) for r in reports if isinstance(r, ReportFile)]
    if files and not opts.list_only:
        listeners.notice(f"reports, written when the run ends: {', '.join(files)}")
    prepared = prepare(opts, suite, cases, listeners)
    try:
        plan = prepared.plan
        triaged = triage_all(cases, plan.env)
        if opts.list_only:
            show_list(console, triaged, plan.config.files)
            return ExitCode.OK
        stores = [plan.root / STORE, *([opts.save_output] if opts.save_output else [])]
        listeners.add(SavedOutput(stores, plan.config.flavour))
        listeners.add(JsonReport(plan.root / LAST_RUN))  # for --last-failed without a report
        try:
            status = execute(opts, prepared, selection, triaged, listeners, console)
        except OSError as exc:  # a report that cannot be written, most likely
            raise HarnessError(
                f"{getattr(exc, 'filename', '') or 'output'}: {exc.strerror or exc}"
            ) from exc
        return status
    finally:
        prepared.close(opts.keep)
