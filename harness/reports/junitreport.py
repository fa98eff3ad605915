"""`--junit-xml FILE`: JUnit XML, one test case per test.

A run is one test suite; a merged report of CI shards has one uniquely named suite per
shard. Read back by `harness.reports.loading` for --last-failed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from pathlib import Path

from harness.core.results import JUnitElement, Outcome, Summary, TestResult
from harness.reports.common import ReportFile, atomic_write, failure_text

SUITE_NAME = "runtest"
XFAIL_PREFIX = "expected failure: "
FLAKY_PREFIX = "flaky: "

# Outcomes that share their JUnit element (`Outcome.junit`) with another say which they are:
# a flaky pass by a <system-out> note, an expected failure by its <skipped> message, and a
# <failure> or <error> by its type (the outcome word).
PREFIXES = {Outcome.FLAKY: FLAKY_PREFIX, Outcome.XFAIL: XFAIL_PREFIX}


def _suite(name: str, results: Sequence[TestResult], notices: Sequence[str] = ()) -> ET.Element:
    s = Summary.of(results)
    suite = ET.Element(
        "testsuite",
        {
            "name": name,
            "tests": str(len(results)),
            "failures": str(s.with_junit(JUnitElement.FAILURE)),
            "errors": str(s.with_junit(JUnitElement.ERROR)),
            "skipped": str(s.with_junit(JUnitElement.SKIPPED)),
            "time": f"{sum(r.duration for r in results):.3f}",
        },
    )
    for r in results:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": r.case.directory,
                "name": f"{r.case.number} {r.case.title}".strip(),
                "time": f"{r.duration:.3f}",
            },
        )
        element = r.outcome.junit
        reason = PREFIXES.get(r.outcome, "") + r.reason
        if element is JUnitElement.PASSED:
            if r.outcome in PREFIXES:
                ET.SubElement(case, "system-out").text = reason
        elif element is JUnitElement.SKIPPED:
            ET.SubElement(case, element.value, {"message": reason})
        else:
            ET.SubElement(
                case, element.value, {"message": reason, "type": r.outcome.value}
            ).text = failure_text(r)
    if notices:
        ET.SubElement(suite, "system-out").text = "\n".join(notices) + "\n"
    return suite


def junit_tree(
    groups: Sequence[tuple[str, Sequence[TestResult]]], notices: Sequence[str] = ()
) -> ET.Element:
    """<testsuites> with one <testsuite> per (unique name, results) group; `notices` (the
    run's lines for people) are each suite's <system-out>."""
    names = [name for name, _ in groups]
    if len(set(names)) != len(names):
        raise ValueError(f"JUnit suite names must differ: {names}")
    root = ET.Element("testsuites")
    for name, results in groups:
        root.append(_suite(name, results, notices))
    ET.indent(root)
    return root


def write_junit(
    path: Path, groups: Sequence[tuple[str, Sequence[TestResult]]], notices: Sequence[str] = ()
) -> None:
    root = junit_tree(groups, notices)
    atomic_write(path, ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n")


class JUnitReport(ReportFile):
    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        shard = self.info.provenance.get("shard")
        name = f"{SUITE_NAME} shard {shard['index']}/{shard['total']}" if shard else SUITE_NAME
        write_junit(self.path, [(name, results)], self.notices)
