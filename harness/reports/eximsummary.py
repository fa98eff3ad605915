"""The summary files Exim's harness writes under -CONTINUE, which build farms read.

In the directory the run was started from:
- `failed-summary.log`, appended to: `Test NNNN DETAIL failed`, one line per failing file
  (DETAIL is the expected file, the raw file that should have been empty, `missing email`,
  `missing msglog`, or `exit code unexpected` for a command or server that ended badly);
- `run-summary.log`, made afresh by each run: `NNNN P` (passed), `NNNN F` (failed) or
  `NNNN .` (skipped), one line per test.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.core.results import Mismatch, MismatchKind, Outcome, RunInfo, TestCase, TestResult

FAILED_SUMMARY = "failed-summary.log"
RUN_SUMMARY = "run-summary.log"


def failure_details(result: TestResult) -> list[str]:
    """What Exim's harness names for each way the test failed."""
    details = [_detail(m) for m in result.real_mismatches]
    errored = result.outcome in (Outcome.ERROR, Outcome.TIMEOUT)
    return details or ["error" if errored else "exit code unexpected"]


def _detail(m: Mismatch) -> str:
    if m.kind is MismatchKind.UNEXPECTED:
        return m.raw
    if m.kind is MismatchKind.MISSING:
        return "missing email" if m.expected.startswith("mail/") else "missing msglog"
    return m.expected


class EximSummaryLogs:
    def __init__(self, directory: Path) -> None:
        self.failed = directory / FAILED_SUMMARY
        self.run = directory / RUN_SUMMARY

    def notice(self, text: str) -> None:
        pass

    def run_started(self, info: RunInfo) -> None:
        self.run.unlink(missing_ok=True)

    def test_started(self, case: TestCase, worker: int) -> None:
        pass

    def test_finished(self, result: TestResult) -> None:
        number = result.case.number
        if result.outcome.fails_run:
            with self.failed.open("a") as fh:
                fh.writelines(f"Test {number} {d} failed\n" for d in failure_details(result))
            mark = "F"
        else:
            mark = "." if result.outcome is Outcome.SKIPPED else "P"
        with self.run.open("a") as fh:
            fh.write(f"{number} {mark}\n")

    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        pass
