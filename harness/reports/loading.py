"""Reading earlier reports back: this runner's JSON, or its JUnit XML (outcomes only).

Used by --last-failed (which tests failed), --shard-by durations and the time estimates
(how long tests took) and --merge-reports (the whole of each shard's report).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.core.errors import UsageError
from harness.core.results import JUnitElement, Outcome, TestCase, TestResult
from harness.reports.common import result_from_dict
from harness.reports.junitreport import FLAKY_PREFIX, PREFIXES


@dataclass(frozen=True)
class LoadedReport:
    path: Path
    results: list[TestResult]
    run: dict[str, Any] = field(default_factory=dict)  # provenance (JSON reports)
    selected: list[str] = field(default_factory=list)  # every test the run covered
    notices: list[str] = field(default_factory=list)  # the run's lines for people (JSON)


LAST_RUN = "last-run.json"  # the JSON report every run keeps in its work directory


def load_report(path: Path) -> LoadedReport:
    """A JSON or JUnit report; a UsageError naming the file when it is neither."""
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from exc
    if text.lstrip().startswith(b"<"):
        return _load_junit(path, text)
    try:
        data = json.loads(text)
        results = [result_from_dict(t) for t in data["tests"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{path}: not a runtest.py JSON or JUnit report ({exc})") from exc
    selected = data.get("selected") or [r.case.number for r in results]
    notices = [str(n) for n in data.get("notices") or []]
    return LoadedReport(path, results, data.get("run") or {}, list(selected), notices)


def _load_junit(path: Path, text: bytes) -> LoadedReport:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise UsageError(f"{path}: not well-formed XML ({exc})") from exc
    results = []
    for case in root.iter("testcase"):
        name = case.get("name", "")
        number = name.split()[0] if name.split() else ""
        if not number[:1].isdigit():
            continue
        outcome, reason = Outcome.PASSED, ""
        for child in case:
            said = (
                child.text if child.tag == "system-out" else child.get("message") or child.text
            ) or ""
            found = _junit_outcome(child.tag, child.get("type", ""), said)
            if found is not None:
                outcome, reason = found, said.removeprefix(PREFIXES.get(found, ""))
        directory = case.get("classname", "")
        title = name[len(number) :].strip()
        results.append(
            TestResult(
                TestCase(number, directory, Path(directory, number), title),
                outcome,
                reason,
                float(case.get("time", 0) or 0),
            )
        )
    return LoadedReport(path, results)


# What a <failure>, <error> or <skipped> of another tool (no type, no prefix) stands for
_PLAIN = {
    JUnitElement.FAILURE: Outcome.FAILED,
    JUnitElement.ERROR: Outcome.ERROR,
    JUnitElement.SKIPPED: Outcome.SKIPPED,
}


def _junit_outcome(tag: str, kind: str, text: str) -> Outcome | None:
    """The outcome a child of <testcase> stands for (as `junitreport` writes it), or None."""
    if tag == "system-out":
        return Outcome.FLAKY if text.startswith(FLAKY_PREFIX) else None
    try:
        element = JUnitElement(tag)
    except ValueError:
        return None
    for o in Outcome:
        if o.junit is element and (
            kind == o.value or (o in PREFIXES and text.startswith(PREFIXES[o]))
        ):
            return o
    return _PLAIN.get(element)


def failed_tests(reports: Iterable[LoadedReport]) -> set[str]:
    """The tests that failed (or errored, or passed though expected to fail) in any report."""
    return {r.case.number for rep in reports for r in rep.results if r.outcome.fails_run}


def durations(reports: Iterable[LoadedReport]) -> dict[str, float]:
    """How long each test ran, from the last report that ran it."""
    found: dict[str, float] = {}
    for rep in reports:
        found.update((r.case.number, r.duration) for r in rep.results if r.outcome.ran)
    return found
