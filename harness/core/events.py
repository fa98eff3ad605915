"""The events of a run, and the listeners that hear them (console, report files, progress).

A listener implements `RunListener`: notices (lines for people: the binary, the suite, the
harness generation, warnings) may come at any time, the first ones before the run starts;
then the run starts, each test starts (on some worker) and finishes, the run finishes.
Every output of a run is a listener, the console too; the run itself only sends events,
from the main process.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from harness.core.results import RunInfo, TestCase, TestResult


class RunListener(Protocol):
    def notice(self, text: str) -> None:
        """A line about the run for the person reading (`** ` starts a warning)."""
        ...

    def run_started(self, info: RunInfo) -> None: ...

    def test_started(self, case: TestCase, worker: int) -> None: ...

    def test_finished(self, result: TestResult) -> None: ...

    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        """`results` in test order; `interrupted` names the signal that ended the run early."""
        ...


class Listeners:
    """Sends each event to every listener, in the order they were given."""

    def __init__(self, listeners: Sequence[RunListener]) -> None:
        self.listeners = list(listeners)

    def add(self, listener: RunListener) -> None:
        """One more listener, to hear the events from now on."""
        self.listeners.append(listener)

    def notice(self, text: str) -> None:
        for listener in self.listeners:
            listener.notice(text)

    def run_started(self, info: RunInfo) -> None:
        for listener in self.listeners:
            listener.run_started(info)

    def test_started(self, case: TestCase, worker: int) -> None:
        for listener in self.listeners:
            listener.test_started(case, worker)

    def test_finished(self, result: TestResult) -> None:
        for listener in self.listeners:
            listener.test_finished(result)

    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        for listener in self.listeners:
            listener.run_finished(results, wall, interrupted)
