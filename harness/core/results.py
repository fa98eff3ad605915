"""The data model of a run: tests, their requirements, outcomes and results.

This module is a leaf: it imports nothing from the harness, so that discovery, execution,
the console and every report format can share it. A `TestCase` says what a test is and what
it needs; a `TestResult` is built once, when the test's verdict is known, and never changed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any


class Outcome(Enum):
    """A test's verdict. The value is the word used in reports and on the command line."""

    PASSED = "passed"
    FLAKY = "flaky"  # failed, then passed on a rerun
    SKIPPED = "skipped"
    XFAIL = "xfail"  # failed, and was listed as expected to fail
    XPASS = "xpass"  # passed, but was listed as expected to fail (strict: fails the run)
    FAILED = "failed"
    ERROR = "error"  # could not be run as written (bad input, time-out, harness fault)

    @property
    def fails_run(self) -> bool:
        """Whether this outcome makes the run's exit status non-zero."""
        return self in (Outcome.FAILED, Outcome.ERROR, Outcome.XPASS)

    @property
    def ran(self) -> bool:
        return self is not Outcome.SKIPPED

    @property
    def label(self) -> str:
        """How the console shows it: outcomes that need a look are in capitals."""
        return self.value.upper() if self in _LOUD else self.value

    @property
    def tally(self) -> str:
        """The bucket of the summary line (`N passed, N failed, N skipped`) it counts in."""
        return _TALLY[self]

    @classmethod
    def parse(cls, word: str) -> Outcome:
        try:
            return cls(word)
        except ValueError:
            raise ValueError(f"unknown outcome {word!r}") from None


_LOUD = frozenset({Outcome.FLAKY, Outcome.XPASS, Outcome.FAILED, Outcome.ERROR})
_TALLY = {
    Outcome.PASSED: "passed", Outcome.FLAKY: "passed", Outcome.XFAIL: "passed",
    Outcome.SKIPPED: "skipped",
    Outcome.XPASS: "failed", Outcome.FAILED: "failed", Outcome.ERROR: "failed",
}
TALLIES = ("passed", "failed", "skipped")


@dataclass(frozen=True)
class Requirement:
    """One line of a directory's REQUIRES file, with where it was read."""

    text: str
    source: Path
    line: int

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


@dataclass(frozen=True)
class TestCase:
    """A test's identity and what it needs; never its verdict."""

    __test__ = False  # not a pytest test class

    number: str  # as in the file name: "0001", or "5000.1"
    directory: str  # e.g. 0000-Basic
    path: Path
    title: str = ""
    requires: tuple[Requirement, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.directory}/{self.number}"

    @property
    def numeric(self) -> float:
        return float(self.number)

    @property
    def sort_key(self) -> tuple[float, str]:
        return (self.numeric, self.directory)


@dataclass(frozen=True)
class Mismatch:
    """One output file that did not match (or was written by -UPDATE)."""

    expected: str  # path of the expected file, relative to the suite
    message: str
    diff: str = ""
    updated: bool = False
    # "differs"; "unexpected" (output, but no expected file); "missing" (an expected
    # mail or message log that the run did not make)
    kind: str = "differs"
    raw: str = ""  # the raw output file, relative to the work directory
    # What --accept would store (munged output); None for a file to be removed. Kept in
    # memory for the saved-output store, not written into reports.
    new_text: str | None = None
    # The file --accept would write, when not `expected` (a harness generation's file)
    target: str = ""

    @property
    def update_target(self) -> str:
        return self.target or self.expected


@dataclass(frozen=True)
class TestResult:
    """What became of one test. Built once, when the verdict is known."""

    __test__ = False  # not a pytest test class

    case: TestCase
    outcome: Outcome
    reason: str = ""
    duration: float = 0.0
    mismatches: tuple[Mismatch, ...] = ()
    details: tuple[str, ...] = ()  # notes for the person reading the log
    worker: int | None = None

    @property
    def real_mismatches(self) -> tuple[Mismatch, ...]:
        """The mismatches that are failures, not files -UPDATE wrote."""
        return tuple(m for m in self.mismatches if not m.updated)

    def but(self, **changes: object) -> TestResult:
        """A copy with some fields changed (for reruns and expected failures)."""
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class RunInfo:
    """What a run is about, told to listeners when it starts."""

    suite: Path
    binary: Path
    selected: int  # tests selected, skipped ones included
    jobs: int
    workdir: Path
    facts: dict[str, str] = field(default_factory=dict)  # caller, host, addresses (for people)
    provenance: dict[str, Any] = field(default_factory=dict)  # for reports (JSON-ready)
    tests: tuple[TestCase, ...] = ()  # the selection, in order
    expected: dict[str, float] = field(default_factory=dict)  # durations of earlier runs


def tally(results: Iterable[TestResult]) -> dict[str, int]:
    """Counts per outcome word, every outcome present (zero when none)."""
    counts = {o.value: 0 for o in Outcome}
    for r in results:
        counts[r.outcome.value] += 1
    return counts
