"""What a person or a CI log sees while a run goes: a line per test, failures with their
diffs, progress, and at the end the summary.

On a terminal one status line is redrawn in place (tests done of all, passed, failed,
time so far and an estimate of the time left, the tests running now and for how long);
other lines are printed above it. Anywhere else (a CI log) nothing is redrawn: besides the
line per test there is a heartbeat line at least every `heartbeat` seconds naming the tests
still running, and a `SLOW` line once for each test that runs longer than `slow_after`.
"""

from __future__ import annotations

import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from harness.core.results import Outcome, RunInfo, Summary, TestCase, TestResult


def failure_text(result: TestResult) -> str:
    """What is shown of a failure: each mismatching file with its diff, then the notes."""
    out = []
    for m in result.real_mismatches:
        out.append(f"** {m.expected}: {m.message}\n")
        if m.diff:
            out.append(m.diff if m.diff.endswith("\n") else m.diff + "\n")
    out += [d + "\n" for d in result.details if d]
    return "".join(out)


def span(seconds: float) -> str:
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


MISSED_SHOWN = 40  # the tests named of those a run ended before


class Console:
    """The run's listener for people: see the module docstring."""

    def __init__(
        self,
        stream: TextIO = sys.stdout,
        *,
        tty: bool | None = None,
        heartbeat: float = 60.0,
        slow_after: float = 120.0,
    ) -> None:
        self.stream = stream
        self.tty = stream.isatty() if tty is None else tty
        self.heartbeat = heartbeat
        self.slow_after = slow_after
        self.counts: Counter[str] = Counter()
        self.running: dict[str, tuple[TestCase, float]] = {}  # number -> (case, since)
        self.info: RunInfo | None = None
        self.started = time.monotonic()
        self.done = 0
        self._lock = threading.RLock()
        self._status_shown = False
        self._slow_told: set[str] = set()
        self._finished: set[str] = set()
        self._last_heartbeat = time.monotonic()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        self._paused = False  # a prompt or pager has the terminal: no status line
        self.show_failures = True  # print a failure's diff (not when a prompt showed it)

    # -- output -------------------------------------------------------------------------
    def line(self, text: str = "") -> None:
        """A line above the status line (which is then drawn again)."""
        with self._lock:
            self._clear_status()
            print(text, file=self.stream, flush=True)
            self._draw_status()

    def _write(self, text: str) -> None:
        self._clear_status()
        self.stream.write(text)
        self.stream.flush()

    def _clear_status(self) -> None:
        if self._status_shown:
            self.stream.write("\r\x1b[K")
            self._status_shown = False

    @contextmanager
    def paused(self) -> Iterator[None]:
        """Give the terminal to a prompt or pager: no status line, nor redraws, until the
        block ends; then the status line comes back (its clock does not count the wait)."""
        with self._lock:
            self._clear_status()
            self._paused = True
            since = time.monotonic()
        try:
            yield
        finally:
            with self._lock:
                waited = time.monotonic() - since
                self.running = {n: (c, t + waited) for n, (c, t) in self.running.items()}
                self._paused = False
                self._draw_status()

    def _draw_status(self) -> None:
        if not self.tty or self.info is None or self._stop.is_set() or self._paused:
            return
        width = shutil.get_terminal_size((100, 20)).columns - 1
        self.stream.write("\r\x1b[K" + self.status_text()[:width])
        self.stream.flush()
        self._status_shown = True

    def status_text(self) -> str:
        total = self.info.selected if self.info else 0
        c = self.counts
        now = time.monotonic()
        text = (
            f"[{self.done}/{total}] {c['passed']} passed, {c['failed']} failed, "
            f"{span(now - self.started)}"
        )
        left = self.time_left(now)
        if left is not None:
            text += f", ~{span(left)} left"
        if self.running:
            text += " | " + ", ".join(self._running_list(now))
        return text

    def _running_list(self, now: float) -> list[str]:
        items = sorted(self.running.values(), key=lambda cs: cs[1])
        return [f"{case.number} {span(now - since)}" for case, since in items]

    def time_left(self, now: float) -> float | None:
        """An estimate from earlier runs' durations, or None when there are none."""
        info = self.info
        if info is None or not info.expected:
            return None
        mean = sum(info.expected.values()) / len(info.expected)
        finished = self._finished
        work = 0.0
        for case in info.tests:
            if case.number in finished:
                continue
            expected = info.expected.get(case.number, mean)
            if case.number in self.running:
                expected = max(expected - (now - self.running[case.number][1]), 0.0)
            work += expected
        return work / max(info.jobs, 1)

    # -- RunListener ---------------------------------------------------------------------
    def notice(self, text: str) -> None:
        self.line(text)

    def run_started(self, info: RunInfo) -> None:
        self.info = info
        self.started = self._last_heartbeat = time.monotonic()
        f = info.facts
        if f:
            self.line(
                f"Caller {f['caller']}, host {f['host']}, IPv4 {f['ipv4']}, "
                f"IPv6 {f['ipv6']}, work dir {info.workdir}"
            )
        workers = f" in {info.jobs} workers" if info.jobs > 1 else ""
        self.line(f"Will run {info.selected} test{'' if info.selected == 1 else 's'}{workers}")
        self._ticker = threading.Thread(target=self._tick, name="console", daemon=True)
        self._ticker.start()

    def test_started(self, case: TestCase, worker: int) -> None:
        with self._lock:
            self.running[case.number] = (case, time.monotonic())
            self._clear_status()
            self._draw_status()

    def test_held(self, case: TestCase) -> None:
        """A test that failed and waits to be run again: no longer running."""
        with self._lock:
            self.running.pop(case.number, None)

    def test_finished(self, result: TestResult) -> None:
        r = result
        with self._lock:
            self.running.pop(r.case.number, None)
            self._finished.add(r.case.number)
            self.done += 1
            self.counts[r.outcome.tally] += 1
            c = r.case
            extra = f"  ({r.reason})" if r.reason and r.outcome is not Outcome.PASSED else ""
            self._write(f"{c.number} {r.outcome.label:<7} {r.duration:6.2f}s  {c.title}{extra}\n")
            if r.outcome.fails_run and self.show_failures:
                self._write(failure_text(r))
            for m in r.mismatches:
                if m.updated:
                    self._write(f"   {m.expected}: {m.message}\n")
            self._draw_status()

    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join(timeout=2)
        with self._lock:
            self._clear_status()
        if interrupted:
            self.line(f"\n** interrupted by {interrupted}: ended the running tests' processes")
        if self.info is not None:
            done = {r.case.number for r in results}
            missed = [c.number for c in self.info.tests if c.number not in done]
            if missed:
                more = " ..." if len(missed) > MISSED_SHOWN else ""
                shown = " ".join(missed[:MISSED_SHOWN]) + more
                self.line(f"{len(missed)} of the selected tests did not run: {shown}")
        ran = [r for r in results if r.outcome.ran]
        slow = sorted(ran, key=lambda r: r.duration, reverse=True)[:5]
        if slow:
            self.line("slowest: " + ", ".join(f"{r.case.number} {r.duration:.1f}s" for r in slow))
        if ran:
            self.line(f"wall time {wall:.1f}s, {wall / len(ran):.2f}s per test run")
        by_outcome = Counter(r.outcome for r in results)
        notes = {
            Outcome.ERROR: "of the failures were errors (bad input or a harness fault)",
            Outcome.TIMEOUT: "of the failures were time-outs",
            Outcome.XPASS: "of the failures passed but were expected to fail",
            Outcome.FLAKY: "of the passes were flaky (failed first, then passed)",
            Outcome.XFAIL: "of the passes were expected failures",
        }
        for outcome, note in notes.items():
            if by_outcome[outcome]:
                which = ""
                if outcome is Outcome.FLAKY:  # the first-try flakes, by name
                    which = ": " + " ".join(r.case.number for r in results if r.outcome is outcome)
                self.line(f"{by_outcome[outcome]} {note}{which}")
        failing = [r for r in results if r.outcome.fails_run]
        rerun = self.info.rerun_command if self.info else None
        if failing and rerun:
            self.line("to run a failed test again on its own:")
            for r in failing:
                self.line(f"  {rerun} {r.case.number}")
        self.line(Summary.of(results).words)

    # -- the clock -------------------------------------------------------------------------
    def _tick(self) -> None:
        while not self._stop.wait(1.0):
            with self._lock:
                if self._paused:
                    continue
                now = time.monotonic()
                for number, (case, since) in sorted(self.running.items()):
                    if now - since >= self.slow_after and number not in self._slow_told:
                        self._slow_told.add(number)
                        self._write(
                            f"SLOW {number} has run for {span(now - since)}: {case.title}\n"
                        )
                if self.tty:
                    self._clear_status()
                    self._draw_status()
                elif self.running and now - self._last_heartbeat >= self.heartbeat:
                    self._last_heartbeat = now
                    total = self.info.selected if self.info else 0
                    self._write(
                        f"... {self.done}/{total} done after "
                        f"{span(now - self.started)}; running: "
                        + ", ".join(self._running_list(now))
                        + "\n"
                    )
