"""What a run tells people and machines: the log lines, the summary, JSON and JUnit files."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import TextIO

from harness.testrun import TestResult

OUTCOMES = ("passed", "failed", "skipped", "error", "flaky")


class Console:
    """One line per test; on a terminal, a live progress line while a test runs."""

    def __init__(self, stream: TextIO = sys.stdout, verbose_failures: bool = True) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.counts: Counter[str] = Counter()
        self.verbose_failures = verbose_failures

    def line(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    def starting(self, name: str, title: str) -> None:
        if self.tty:
            c = self.counts
            self.stream.write(
                f"\r\x1b[K{name} {title[:50]}  [{c['passed']} passed, {c['failed']} failed,"
                f" {c['skipped']} skipped]"
            )
            self.stream.flush()

    def finished(self, r: TestResult) -> None:
        self.counts[r.outcome] += 1
        if self.tty:
            self.stream.write("\r\x1b[K")
        c = r.case
        word = r.outcome.upper() if r.outcome in ("failed", "error", "flaky") else r.outcome
        extra = f"  ({r.reason})" if r.reason and r.outcome != "passed" else ""
        self.line(f"{c.number} {word:<7} {r.duration:6.2f}s  {c.title}{extra}")
        if r.outcome in ("failed", "error") and self.verbose_failures:
            for m in r.mismatches:
                if m.updated:
                    continue
                self.line(f"** {m.expected}: {m.message}")
                if m.diff:
                    self.stream.write(m.diff if m.diff.endswith("\n") else m.diff + "\n")
            for d in r.details:
                if d:
                    self.line(d)
        for m in r.mismatches:
            if m.updated:
                self.line(f"   {m.expected}: {m.message}")

    def summary(self, results: list[TestResult], wall: float) -> None:
        c = Counter(r.outcome for r in results)
        slow = sorted((r for r in results if r.outcome != "skipped"),
                      key=lambda r: r.duration, reverse=True)[:5]
        if slow:
            self.line("slowest: " + ", ".join(f"{r.case.number} {r.duration:.1f}s" for r in slow))
        ran = [r for r in results if r.outcome != "skipped"]
        if ran:
            self.line(f"wall time {wall:.1f}s, {wall / len(ran):.2f}s per test run")
        if c["error"]:
            self.line(f"{c['error']} of the failures were errors (bad input or time-outs)")
        if c["flaky"]:
            self.line(f"{c['flaky']} of the passes were flaky (failed first, then passed)")
        failed = c["failed"] + c["error"]
        passed = c["passed"] + c["flaky"]
        self.line(f"{passed} passed, {failed} failed, {c['skipped']} skipped")


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def to_json(results: list[TestResult]) -> dict[str, object]:
    c = Counter(r.outcome for r in results)
    return {
        "tests": [
            {
                "number": r.case.number,
                "name": r.case.name,
                "title": r.case.title,
                "outcome": r.outcome,
                "reason": r.reason,
                "duration": round(r.duration, 3),
                "mismatches": [
                    {"file": m.expected, "message": m.message, "diff": m.diff,
                     "updated": m.updated}
                    for m in r.mismatches
                ],
            }
            for r in results
        ],
        "summary": {k: c[k] for k in OUTCOMES},
    }


def write_json(path: Path, results: list[TestResult]) -> None:
    _atomic_write(path, json.dumps(to_json(results), indent=2).encode() + b"\n")


def write_junit(path: Path, results: list[TestResult], suite_name: str = "runtest") -> None:
    c = Counter(r.outcome for r in results)
    suite = ET.Element("testsuite", {
        "name": suite_name,
        "tests": str(len(results)),
        "failures": str(c["failed"]),
        "errors": str(c["error"]),
        "skipped": str(c["skipped"]),
        "time": f"{sum(r.duration for r in results):.3f}",
    })
    for r in results:
        case = ET.SubElement(suite, "testcase", {
            "classname": r.case.directory, "name": f"{r.case.number} {r.case.title}".strip(),
            "time": f"{r.duration:.3f}",
        })
        text = "\n".join(
            [f"{m.expected}: {m.message}\n{m.diff}" for m in r.mismatches if not m.updated]
            + [d for d in r.details if d]
        )
        if r.outcome == "skipped":
            ET.SubElement(case, "skipped", {"message": r.reason})
        elif r.outcome == "failed":
            ET.SubElement(case, "failure", {"message": r.reason}).text = text
        elif r.outcome == "error":
            ET.SubElement(case, "error", {"message": r.reason}).text = text
        elif r.outcome == "flaky":
            ET.SubElement(case, "system-out").text = f"flaky: {r.reason}"
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    _atomic_write(path, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
