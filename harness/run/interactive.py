"""At a terminal, after a failure: ask the person running the tests what to do."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from harness.case.testrun import TestExecutor, run_with_reruns
from harness.core.events import Listeners
from harness.core.results import Outcome, TestCase, TestResult


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
