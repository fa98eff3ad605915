"""What a person watching the run sees: a line per test, diffs of failures, the summary."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from harness.results import TALLIES, Outcome, RunInfo, TestCase, TestResult


class Console:
    """One line per test; on a terminal, a status line while a test runs."""

    def __init__(self, stream: TextIO = sys.stdout) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.counts: Counter[str] = Counter()

    def line(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    # -- RunListener ---------------------------------------------------------------
    def run_started(self, info: RunInfo) -> None:
        f = info.facts
        if f:
            self.line(f"Caller {f['caller']}, host {f['host']}, IPv4 {f['ipv4']}, "
                      f"IPv6 {f['ipv6']}, work dir {info.workdir}")
        workers = f" in {info.jobs} workers" if info.jobs > 1 else ""
        self.line(f"Will run {info.selected} tests{workers}")

    def test_started(self, case: TestCase, worker: int) -> None:
        if self.tty:
            c = self.counts
            self.stream.write(
                f"\r\x1b[K{case.number} {case.title[:50]}  [{c['passed']} passed, "
                f"{c['failed']} failed, {c['skipped']} skipped]"
            )
            self.stream.flush()

    def test_finished(self, result: TestResult) -> None:
        r = result
        self.counts[r.outcome.tally] += 1
        if self.tty:
            self.stream.write("\r\x1b[K")
        c = r.case
        extra = f"  ({r.reason})" if r.reason and r.outcome is not Outcome.PASSED else ""
        self.line(f"{c.number} {r.outcome.label:<7} {r.duration:6.2f}s  {c.title}{extra}")
        if r.outcome.fails_run:
            for m in r.real_mismatches:
                self.line(f"** {m.expected}: {m.message}")
                if m.diff:
                    self.stream.write(m.diff if m.diff.endswith("\n") else m.diff + "\n")
            for d in r.details:
                if d:
                    self.line(d)
        for m in r.mismatches:
            if m.updated:
                self.line(f"   {m.expected}: {m.message}")

    def run_finished(self, results: Sequence[TestResult], wall: float,
                     interrupted: str | None) -> None:
        if interrupted:
            self.line(f"\n** interrupted by {interrupted}: ended the running tests' processes")
        ran = [r for r in results if r.outcome.ran]
        slow = sorted(ran, key=lambda r: r.duration, reverse=True)[:5]
        if slow:
            self.line("slowest: " + ", ".join(f"{r.case.number} {r.duration:.1f}s" for r in slow))
        if ran:
            self.line(f"wall time {wall:.1f}s, {wall / len(ran):.2f}s per test run")
        by_outcome = Counter(r.outcome for r in results)
        notes = {
            Outcome.ERROR: "of the failures were errors (bad input or time-outs)",
            Outcome.XPASS: "of the failures passed but were expected to fail",
            Outcome.FLAKY: "of the passes were flaky (failed first, then passed)",
            Outcome.XFAIL: "of the passes were expected failures",
        }
        for outcome, note in notes.items():
            if by_outcome[outcome]:
                self.line(f"{by_outcome[outcome]} {note}")
        tallied = Counter(r.outcome.tally for r in results)
        self.line(", ".join(f"{tallied[t]} {t}" for t in TALLIES))
