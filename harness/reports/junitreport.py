"""`--junit-xml FILE`: the run as one JUnit test suite, one test case per test."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from harness.reports.common import ReportFile, atomic_write, failure_text
from harness.results import Outcome, TestResult, tally

# How each outcome appears inside <testcase>: element name, or None for a plain pass.
_ELEMENT = {
    Outcome.PASSED: None, Outcome.FLAKY: "system-out", Outcome.XFAIL: "skipped",
    Outcome.SKIPPED: "skipped", Outcome.XPASS: "failure", Outcome.FAILED: "failure",
    Outcome.ERROR: "error",
}


def junit_tree(results: Sequence[TestResult], suite_name: str = "runtest") -> ET.Element:
    c = tally(results)
    suite = ET.Element("testsuite", {
        "name": suite_name,
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
            ET.SubElement(case, element).text = f"{r.outcome.value}: {r.reason}"
        elif element == "skipped":
            reason = r.reason if r.outcome is Outcome.SKIPPED else f"expected failure: {r.reason}"
            ET.SubElement(case, element, {"message": reason})
        elif element is not None:
            ET.SubElement(case, element, {"message": r.reason}).text = failure_text(r)
    root = ET.Element("testsuites")
    root.append(suite)
    ET.indent(root)
    return root


class JUnitReport(ReportFile):
    def run_finished(self, results: Sequence[TestResult], wall: float,
                     interrupted: str | None) -> None:
        root = junit_tree(results)
        atomic_write(self.path, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")
