"""`runtest.py --review [DIR]` and `--accept [DIR] [tests]`: see `harness.run.review`."""

from __future__ import annotations

from pathlib import Path

from harness.cli.commandline import default_suite
from harness.core.errors import UsageError
from harness.core.exitcodes import ExitCode
from harness.core.options import Options
from harness.core.paths import default_workdir
from harness.reports.savedoutput import STORE, Store
from harness.run.review import open_store, run_review
from harness.suite.discovery import selection_number


def review_or_accept(opts: Options) -> int:
    given = opts.review if opts.review is not None else opts.accept
    assert given is not None
    directory = given if given != Path("") else (opts.workdir or default_workdir()) / STORE
    store = open_store(directory)
    tests = {e.test for e in store.entries if _wanted(e.test, opts)}
    if not tests:
        print("none of the saved output is of the tests named")
        return ExitCode.OK
    return run_review(directory, _suite(opts, store), tests, interactive=opts.review is not None)


def _suite(opts: Options, store: Store) -> Path:
    """The suite the saved output is for: the one its run named, which --suite may name too."""
    saved = Path(store.suite).resolve() if store.suite else None
    given = opts.suite.resolve()
    if saved is None or given == saved:
        return given
    if given == default_suite(Path.cwd()).resolve():  # --suite not given
        return saved
    raise UsageError(f"the saved output in {store.directory} is of the suite {saved}, not {given}")


def _wanted(number: str, opts: Options) -> bool:
    n = selection_number(number)
    if opts.tests and n not in opts.tests:
        return False
    if opts.selection and not opts.selection[0] <= n <= opts.selection[1]:
        return False
    return True
