"""`--junit-xml FILE`: JUnit XML, one test case per test.

A run is one test suite; a merged report of CI shards has one uniquely named suite per
shard. Read back by `harness.reports.loading` for --last-failed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from harness.core.results import Outcome, TestResult, tally
from harness.reports.common import ReportFile, atomic_write, failure_text

SUITE_NAME = "runtest"
XFAIL_PREFIX = "expected failure: "
FLAKY_PREFIX = "flaky: "

# How each outcome appears inside <testcase>: element name, or None for a plain pass.
_ELEMENT = {
    Outcome.PASSED: None, Outcome.FLAKY: "system-out", Outcome.XFAIL: "skipped",
    Outcome.SKIPPED: "skipped", Outcome.XPASS: "failure", Outcome.FAILED: "failure",
    Outcome.ERROR: "error",
}


def _suite(name: str, results: Sequence[TestResult]) -> ET.Element:
    c = tally(results)
    suite = ET.Element("testsuite", {
        "name": name,
        "tests": str(len(results)),
        "failures": str(c["failed"] + c["xpass"]),
        "errors": str(c["error"]),
        "skipped": str(c["skipped"] + c["xfail"]),
        "time": f"{sum(r.duration for r in results):.3f}",
    })
    for r in results:
        case = ET.SubElement(suite, "testcase", {
            "classname": r.case.directory, "name": f"{r.case.number} {r.case.title}".strip(),
            "time": f"{r.duration:.3f}",
        })
        element = _ELEMENT[r.outcome]
        if element == "system-out":
            ET.SubElement(case, element).text = FLAKY_PREFIX + r.reason
        elif element == "skipped":
            reason = r.reason if r.outcome is Outcome.SKIPPED else XFAIL_PREFIX + r.reason
            ET.SubElement(case, element, {"message": reason})
        elif element is not None:
            ET.SubElement(case, element, {"message": r.reason}).text = failure_text(r)
    return suite


def junit_tree(groups: Sequence[tuple[str, Sequence[TestResult]]]) -> ET.Element:
    """<testsuites> with one <testsuite> per (unique name, results) group."""
    names = [name for name, _ in groups]
    if len(set(names)) != len(names):
        raise ValueError(f"JUnit suite names must differ: {names}")
    root = ET.Element("testsuites")
    for name, results in groups:
        root.append(_suite(name, results))
    ET.indent(root)
    return root


def write_junit(path: Path, groups: Sequence[tuple[str, Sequence[TestResult]]]) -> None:
    root = junit_tree(groups)
    atomic_write(path, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")


class JUnitReport(ReportFile):
    def run_finished(self, results: Sequence[TestResult], wall: float,
                     interrupted: str | None) -> None:
        shard = self.info.provenance.get("shard")
        name = f"{SUITE_NAME} shard {shard['index']}/{shard['total']}" if shard else SUITE_NAME
        write_junit(self.path, [(name, results)])
