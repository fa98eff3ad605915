"""End to end: reports that CI tools read agree with the summary line."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from tests.e2e import REPO, SHARED, WORK, needs_exim, run

pytestmark = needs_exim


def _summary(stdout: str) -> tuple[int, int, int]:
    m = re.search(r"^(\d+) passed, (\d+) failed, (\d+) skipped$", stdout, re.M)
    assert m, stdout[-2000:]
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared Exim corpus not present")
def test_junit_of_the_shared_corpus_1_50_matches_the_summary():
    junit = WORK / "e2e-junit.xml"
    junit.unlink(missing_ok=True)
    proc, data = run(["--suite", str(SHARED), "--junit-xml", str(junit), "1", "50"], "e2e-junit")
    passed, failed, skipped = _summary(proc.stdout)
    suites = JUnitXml.fromfile(str(junit))
    cases = [case for suite in suites for case in suite]
    bad = [c for c in cases if any(isinstance(r, (Failure, Error)) for r in c.result)]
    skip = [c for c in cases if any(isinstance(r, Skipped) for r in c.result)]
    assert len(cases) == passed + failed + skipped == len(data["tests"])
    assert len(bad) == failed
    assert len(skip) == skipped
    for c in bad:  # a failing case carries its reason and diff
        assert c.result[0].message


def test_junit_of_the_broken_suite_has_errors_and_skips(tmp_path):
    junit = WORK / "e2e-junit-broken.xml"
    broken = REPO / "tests" / "data" / "broken"
    proc, _ = run(
        ["--suite", str(broken), "--timeout", "4", "--junit-xml", str(junit)], "e2e-junit-broken"
    )
    root = ET.parse(junit).getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert int(suite.get("errors")) >= 4
    _, failed, _ = _summary(proc.stdout)
    assert int(suite.get("errors")) + int(suite.get("failures")) == failed
