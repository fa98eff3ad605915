"""A pytest plugin: an Exim-format suite as pytest items, run by runtest.py's own code.

    pytest --exim-suite DIR [--exim BINARY] [--exim-jobs N] [--exim-workdir DIR] [-k 4027]

Each script `scripts/NNNN-Name/NNNN` is one item, in test order, its node id naming the
directory and number (so `-k 4027`, `-k socks` and `--lf` work), with markers from its
directory (`dir_4020_socks`) and REQUIRES lines (`requires_support_SOCKS`). Collecting
runs nothing (`--collect-only` reads the scripts only). The run is prepared once, when
the first item runs, as `runtest.py` prepares it (binary, work directory, capabilities);
each item is then judged and run by the same code in pytest's run phase, and fails with
the diff runtest.py shows (also as the report sections "exim diff" and "exim details",
which --junit-xml keeps); a test the binary cannot run is skipped with the same reason.
So -x, --maxfail, --lf/--ff, --durations and pytest-timeout work as on any test.

Where tests run: in runtest.py's workers, each in a network namespace of its own (where
namespaces cannot be made, one by one in pytest's process). --exim-jobs N runs N at once
within one pytest process: the selected items are handed out when the run phase starts,
and each item waits for its own result (its duration is then that wait). Under
pytest-xdist (`-n 2`) each xdist worker has its own work directory (DIR/xdist-gwN) and
workers, and runs its items one at a time; --exim-jobs is for runs without xdist.
Registered through the `pytest11` entry point; `-p harness.cli.pytest_plugin` also works.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.core.errors import HarnessError
from harness.core.events import Listeners
from harness.core.options import Options
from harness.core.paths import default_workdir
from harness.core.results import Outcome, TestCase, TestResult
from harness.run.display import failure_text
from harness.run.workers import WorkerPool

_KEY = pytest.StashKey["EximRun"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("exim", "Exim-format test suites (runtest.py)")
    group.addoption("--exim-suite", metavar="DIR", help="collect the scripts of this suite")
    group.addoption("--exim", metavar="BINARY", help="the Exim binary (default as runtest.py)")
    group.addoption(
        "--exim-jobs",
        metavar="N",
        type=int,
        default=1,
        help="run N scripts at once in runtest.py's workers, within this pytest "
        "process (without pytest-xdist; default 1)",
    )
    group.addoption(
        "--exim-workdir",
        metavar="DIR",
        help="where the tests run (default as runtest.py; under pytest-xdist, "
        "DIR/xdist-gwN for each xdist worker)",
    )
    group.addoption(
        "--exim-timeout",
        metavar="SECONDS",
        type=float,
        default=300.0,
        help="a script's time limit, as runtest.py --timeout (default 300)",
    )


def pytest_configure(config: pytest.Config) -> None:
    suite = config.getoption("exim_suite")
    if not suite:
        return
    config.stash[_KEY] = EximRun(config, Path(suite).resolve())
    config.args[:] = [str(Path(suite).resolve() / "scripts")]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    run = parent.config.stash.get(_KEY, None)
    if run is None or not run.is_script(file_path):
        return None
    return EximScript.from_parent(parent, path=file_path)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if _KEY in config.stash:
        items.sort(key=lambda item: item.case.sort_key if isinstance(item, EximItem) else (0, ""))


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Any:
    """With --exim-jobs N (and no xdist), hand the selected items out as the run starts."""
    run = session.config.stash.get(_KEY, None)
    collect_only = session.config.option.collectonly
    if run is not None and run.jobs > 1 and not run.under_xdist and not collect_only:
        run.hand_out([item.case for item in session.items if isinstance(item, EximItem)])
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    run = config.stash.get(_KEY, None)
    if run is not None:
        run.close()


class EximRun:
    """The run behind the items: prepared when the first item runs, closed when pytest ends."""

    def __init__(self, config: pytest.Config, suite: Path) -> None:
        self.suite = suite
        worker = getattr(config, "workerinput", {}).get("workerid")  # pytest-xdist's gwN
        self.under_xdist = worker is not None
        self.jobs = 1 if self.under_xdist else max(1, config.getoption("exim_jobs"))
        self.cases = {c.path.resolve(): c for c in _discover(suite)}
        given = config.getoption("exim_workdir")
        workdir = Path(given) if given else default_workdir()
        self.opts = Options(
            binary=config.getoption("exim"),
            suite=suite,
            continue_=True,
            workdir=workdir / f"xdist-{worker}" if worker else workdir,
            timeout=config.getoption("exim_timeout"),
            jobs=self.jobs,
        )
        self._state: Any = None
        self._pool: WorkerPool | None = None
        self._serial: Any = None  # the executor of a run without namespaces
        self._verdicts: dict[str, TestResult | None] = {}

    def is_script(self, path: Path) -> bool:
        return path.resolve() in self.cases

    def case_for(self, path: Path) -> TestCase:
        return self.cases[path.resolve()]

    def _prepared(self) -> Any:
        if self._state is None:
            if os.getuid() != 0:
                pytest.exit("--exim-suite needs root, as runtest.py does", returncode=2)
            from harness.run.prepare import prepare  # the run's machinery, only when used

            quiet = Listeners([])  # pytest shows its own progress
            try:
                self._state = prepare(self.opts, self.suite, list(self.cases.values()), quiet)
            except HarnessError as exc:
                pytest.exit(f"runtest.py: {exc}", returncode=2)
        return self._state

    def verdict(self, case: TestCase) -> TestResult | None:
        """The result of a test that will not run (skipped or unrunnable), or None."""
        from harness.case.testrun import triage

        if case.number not in self._verdicts:  # judged once, though asked twice
            self._verdicts[case.number] = triage(case, self._prepared().plan.env)
        return self._verdicts[case.number]

    def _workers(self) -> WorkerPool | None:
        """The workers (None where namespaces cannot be made: then tests run here)."""
        from harness.host.netns import can_make_namespaces

        if self._pool is None and self._serial is None:
            state = self._prepared()
            cannot = can_make_namespaces()  # why not, or ""
            if cannot:
                self._serial = state.plan.make_executor(0, state.workdir)
            else:
                self._pool = WorkerPool(state.plan, self.jobs)
        return self._pool

    def hand_out(self, cases: list[TestCase]) -> None:
        pool = self._workers()
        if pool is not None:
            for case in cases:
                if self.verdict(case) is None:
                    pool.submit(case)

    def run_one(self, case: TestCase) -> TestResult:
        pool = self._workers()
        if pool is None:
            return self._serial.run(case)
        try:
            return pool.result(case)
        except BaseException:  # pytest-timeout, ^C: end the workers' tests, start afresh
            pool.close()
            self._pool = None
            raise

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._state is not None:
            self._state.close(keep=False)
            self._state = None


def _discover(suite: Path) -> list[TestCase]:
    from harness.suite.discovery import discover

    try:
        return discover(suite, None)
    except HarnessError as exc:
        raise pytest.UsageError(f"--exim-suite: {exc}") from exc


def _marker(text: str) -> str:
    return re.sub(r"\W", "_", text).strip("_")


class EximScript(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        run: EximRun = self.config.stash[_KEY]
        case = run.case_for(self.path)
        item = EximItem.from_parent(self, name=case.number, case=case)
        for name in [
            f"dir_{_marker(case.directory)}",
            *(f"requires_{_marker(r.text)}" for r in case.requires),
        ]:
            self.config.addinivalue_line("markers", f"{name}: from the Exim suite")
            item.add_marker(name)
        yield item


class EximFailure(Exception):
    def __init__(self, result: TestResult) -> None:
        super().__init__(result.reason)
        self.result = result


class EximItem(pytest.Item):
    def __init__(self, *, case: TestCase, **kw: Any) -> None:
        super().__init__(**kw)
        self.case = case
        self.keywords[case.title] = True  # -k matches titles too

    def runtest(self) -> None:
        run: EximRun = self.config.stash[_KEY]
        result = run.verdict(self.case) or run.run_one(self.case)
        if result.outcome is Outcome.SKIPPED:
            pytest.skip(result.reason)
        if result.outcome.fails_run:
            diffs = "\n".join(m.diff or m.message for m in result.real_mismatches)
            if diffs:
                self.add_report_section("call", "exim diff", diffs)
            if result.details:
                self.add_report_section("call", "exim details", "\n".join(result.details))
            raise EximFailure(result)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, EximFailure):
            r = excinfo.value.result
            return f"{r.case.number} {r.outcome.label}: {r.reason}\n{failure_text(r)}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"{self.case.name}: {self.case.title}"
