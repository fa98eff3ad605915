"""What earlier runs knew of each test: how long it took, and how its first tries went.

Kept in the work directory (`durations.json`) between runs, and brought in from elsewhere
with `--durations FILE...`: such a file (a CI job's artefact from an earlier job), or a
JSON or JUnit report of an earlier run. Used to start the longest tests first, to
estimate the time left, and to find the racers: the tests that failed at their first try
and passed when run again (flaky) in one of their last `HISTORY` runs, which a parallel
run then starts only when few tests are running. A test that failed last time, when run
again too, and was never flaky lately, is failing: its failure is not run again.

The file is `{"format": 2, "tests": {"0001": {"seconds": 1.2, "recent": "ppf"}}}`, where
`recent` has a letter per run, oldest first: `p` passed at the first try, `f` failed at
the first try and passed after (flaky), `F` failed. The first format, `{"0001": 1.2}`,
is still read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.core.errors import UsageError
from harness.core.results import Outcome, TestResult
from harness.reports.loading import load_report

FILE = "durations.json"
FORMAT = 2
HISTORY = 10  # first tries remembered per test
PASSED, FLAKY, FAILED = "p", "f", "F"


@dataclass(frozen=True)
class Known:
    """One test's record."""

    seconds: float | None = None
    recent: str = ""

    @property
    def racer(self) -> bool:
        return FLAKY in self.recent

    @property
    def failing(self) -> bool:
        """Failed in its last run, a quiet rerun included, and never flaky lately."""
        return self.recent.endswith(FAILED) and FLAKY not in self.recent

    def then(self, other: Known) -> Known:
        """This record followed by a later one."""
        seconds = other.seconds if other.seconds is not None else self.seconds
        return Known(seconds, (self.recent + other.recent)[-HISTORY:])


class History(dict[str, Known]):
    """The records of a suite's tests, by test number."""

    def durations(self) -> dict[str, float]:
        return {n: k.seconds for n, k in self.items() if k.seconds is not None}

    def racers(self) -> set[str]:
        return {n for n, k in self.items() if k.racer}

    def failing(self) -> set[str]:
        return {n for n, k in self.items() if k.failing}

    def then(self, later: Mapping[str, Known]) -> History:
        out = History(self)
        for number, known in later.items():
            out[number] = out.get(number, Known()).then(known)
        return out


def first_try(outcome: Outcome) -> str | None:
    """The letter for a result's first try; None for a test that did not run."""
    if not outcome.ran:
        return None
    if outcome is Outcome.FLAKY:
        return FLAKY
    return FAILED if outcome.fails_run else PASSED


def of_results(results: Iterable[TestResult]) -> History:
    out = History()
    for r in results:
        letter = first_try(r.outcome)
        if letter is not None:
            out[r.case.number] = Known(round(r.duration, 3), letter)
    return out


def _parse(data: Any) -> History | None:
    """A durations file's records; None when `data` is not one."""
    if not isinstance(data, dict):
        return None
    if data.get("format") == FORMAT and isinstance(data.get("tests"), dict):
        out = History()
        for number, rec in data["tests"].items():
            if not isinstance(rec, dict):
                return None
            seconds = rec.get("seconds")
            out[str(number)] = Known(
                float(seconds) if isinstance(seconds, (int, float)) else None,
                str(rec.get("recent", ""))[-HISTORY:],
            )
        return out
    if all(isinstance(v, (int, float)) for v in data.values()):  # the first format
        return History({str(k): Known(float(v)) for k, v in data.items()})
    return None


def load_history(root: Path) -> History:
    """The work directory's records (none when it has no readable file)."""
    try:
        found = _parse(json.loads((root / FILE).read_text()))
    except (OSError, ValueError, TypeError, AttributeError):
        return History()
    return found if found is not None else History()


def load_durations(root: Path) -> dict[str, float]:
    return load_history(root).durations()


def bring_in(path: Path) -> History:
    """The records in `path`: a durations file, or a JSON or JUnit report; a UsageError
    naming the file when it is none of them."""
    try:
        text = path.read_text(errors="replace")
    except OSError as exc:
        raise UsageError(f"--durations {path}: cannot read: {exc.strerror}") from exc
    if not text.lstrip().startswith("<"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise UsageError(f"--durations {path}: not JSON or JUnit XML ({exc})") from exc
        found = _parse(data)
        if found is not None:
            return found
    try:
        return of_results(load_report(path).results)
    except UsageError as exc:
        raise UsageError(
            f"--durations {path}: not a durations file, nor a JSON or JUnit report"
        ) from exc


def save_history(root: Path, history: History) -> None:
    data = {
        "format": FORMAT,
        "tests": {
            n: {
                **({"seconds": k.seconds} if k.seconds is not None else {}),
                **({"recent": k.recent} if k.recent else {}),
            }
            for n, k in sorted(history.items())
        },
    }
    tmp = root / f".{FILE}.tmp"
    try:
        tmp.write_text(json.dumps(data, sort_keys=True))
        os.replace(tmp, root / FILE)
    except OSError:
        pass


def save_durations(root: Path, results: Iterable[TestResult], known: History) -> None:
    """The records `known` (the work directory's and those brought in), then this run's
    results (tests that ran; skips tell nothing), into the work directory's file."""
    save_history(root, known.then(of_results(results)))
