"""`runtest.py --review [DIR]` and `--accept [DIR] [tests]`: see `harness.run.review`."""

from __future__ import annotations

from pathlib import Path

from harness.core.exitcodes import ExitCode
from harness.core.options import Options
from harness.core.paths import default_workdir
from harness.reports.savedoutput import STORE
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
    return run_review(directory, opts.suite.resolve(), tests, interactive=opts.review is not None)


def _wanted(number: str, opts: Options) -> bool:
    n = selection_number(number)
    if opts.tests and n not in opts.tests:
        return False
    if opts.selection and not opts.selection[0] <= n <= opts.selection[1]:
        return False
    return True
