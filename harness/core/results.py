"""The data model of a run: tests, their requirements, outcomes and results.

This module is a leaf: it imports nothing from the harness, so that discovery, execution,
the console and every report format can share it. A `TestCase` says what a test is and what
it needs; a `TestResult` is built once, when the test's verdict is known, and never changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any


class JUnitElement(StrEnum):
    """How an outcome appears inside a JUnit <testcase> (`passed`: no element of its own)."""

    PASSED = "passed"
    SKIPPED = "skipped"
    FAILURE = "failure"
    ERROR = "error"


TALLIES = ("passed", "failed", "skipped")  # the buckets of the summary line, in its order


class Outcome(Enum):
    """A test's verdict, with everything about it in one row, as LLVM lit's `ResultCode`.

    The value is the word used in reports and on the command line. Each row says whether
    the console shows it loud (in capitals: it needs a look), whether it fails the run,
    the summary bucket (`TALLIES`) it counts in, its JUnit element, and its colour (CSS).
    """

    # FLAKY: failed, then passed on a rerun; XFAIL: failed, and was listed as expected to
    # fail; XPASS: passed, but was listed as expected to fail (strict: fails the run);
    # ERROR: could not be run as written (bad input, harness fault); TIMEOUT: ran past
    # the per-test time limit.
    #          word       loud   fails  tally      JUnit                 colour
    PASSED = ("passed", False, False, "passed", JUnitElement.PASSED, "#2e7d32")
    FLAKY = ("flaky", True, False, "passed", JUnitElement.PASSED, "#f9a825")
    SKIPPED = ("skipped", False, False, "skipped", JUnitElement.SKIPPED, "#9aa4ae")
    XFAIL = ("xfail", False, False, "passed", JUnitElement.SKIPPED, "#6d7c8c")
    XPASS = ("xpass", True, True, "failed", JUnitElement.FAILURE, "#ef6c00")
    FAILED = ("failed", True, True, "failed", JUnitElement.FAILURE, "#c62828")
    ERROR = ("error", True, True, "failed", JUnitElement.ERROR, "#8e24aa")
    TIMEOUT = ("timeout", True, True, "failed", JUnitElement.ERROR, "#ad1457")

    loud: bool
    fails_run: bool  # makes the run's exit status non-zero
    tally: str  # the bucket of the summary line (`N passed, N failed, N skipped`)
    junit: JUnitElement
    colour: str

    def __new__(
        cls, word: str, loud: bool, fails_run: bool, tally: str, junit: JUnitElement, colour: str
    ) -> Outcome:
        member = object.__new__(cls)
        member._value_ = word
        member.loud, member.fails_run, member.tally = loud, fails_run, tally
        member.junit, member.colour = junit, colour
        return member

    @property
    def ran(self) -> bool:
        return self is not Outcome.SKIPPED

    @property
    def label(self) -> str:
        """How the console shows it: outcomes that need a look are in capitals."""
        return self.value.upper() if self.loud else self.value

    @classmethod
    def parse(cls, word: str) -> Outcome:
        found = cls._value2member_map_.get(word)
        if not isinstance(found, cls):
            raise ValueError(f"unknown outcome {word!r}")
        return found


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


class MismatchKind(StrEnum):
    """How an output file did not match; the value is the word in reports."""

    DIFFERS = "differs"
    UNEXPECTED = "unexpected"  # output, but no expected file
    MISSING = "missing"  # an expected mail or message log that the run did not make


@dataclass(frozen=True)
class Mismatch:
    """One output file that did not match (or was written by -UPDATE)."""

    expected: str  # path of the expected file, relative to the suite
    message: str
    diff: str = ""
    updated: bool = False
    kind: MismatchKind = MismatchKind.DIFFERS
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
    # Command lines to print for later: one test again (its number is added), accepting
    # a test's new output; reports show them with the provenance.
    rerun_command: str = ""
    accept_command: str = ""

    @property
    def run_data(self) -> dict[str, Any]:
        """The provenance with the command lines: the report's "run" object."""
        commands = {"rerun_command": self.rerun_command, "accept_command": self.accept_command}
        return self.provenance | {k: v for k, v in commands.items() if v}


def tally(results: Iterable[TestResult]) -> dict[str, int]:
    """Counts per outcome word, every outcome present (zero when none)."""
    counts = {o.value: 0 for o in Outcome}
    for r in results:
        counts[r.outcome.value] += 1
    return counts


@dataclass(frozen=True)
class Summary:
    """The counts of a run (or of a report's `summary`), per outcome and per tally bucket."""

    counts: dict[Outcome, int]

    @classmethod
    def of(cls, results: Iterable[TestResult]) -> Summary:
        return cls.of_words(tally(results))

    @classmethod
    def of_words(cls, counts: Mapping[str, int]) -> Summary:
        """From counts per outcome word (a JSON report's `summary`; absent words count 0)."""
        found = {o: 0 for o in Outcome}
        for word, n in counts.items():
            found[Outcome.parse(word)] += n
        return cls(found)

    @property
    def buckets(self) -> dict[str, int]:
        """Counts per tally bucket, in the order of `TALLIES`."""
        out = dict.fromkeys(TALLIES, 0)
        for outcome, n in self.counts.items():
            out[outcome.tally] += n
        return out

    @property
    def words(self) -> str:
        """`N passed, N failed, N skipped`."""
        return ", ".join(f"{n} {bucket}" for bucket, n in self.buckets.items())

    @property
    def fails_run(self) -> bool:
        return any(n for outcome, n in self.counts.items() if outcome.fails_run)

    def with_junit(self, element: JUnitElement) -> int:
        """How many tests appear in JUnit as `element`."""
        return sum(n for outcome, n in self.counts.items() if outcome.junit is element)
