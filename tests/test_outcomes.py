"""The outcome table and what reads it: the summary, time-outs in every report, notices in
the report files, and mismatch kinds kept through JSON (no Exim needed)."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

from junitparser import Error, JUnitXml

from harness.cli.merge import merge_reports
from harness.core.options import Options
from harness.core.results import (
    TALLIES,
    JUnitElement,
    Mismatch,
    MismatchKind,
    Outcome,
    RunInfo,
    Summary,
    TestCase,
    TestResult,
)
from harness.reports.common import result_dict, result_from_dict
from harness.reports.eximsummary import failure_details
from harness.reports.htmlreport import render
from harness.reports.jsonreport import JsonReport, report_data, write_json
from harness.reports.junitreport import JUnitReport, write_junit
from harness.reports.loading import load_report
from harness.run.display import Console

REASON = "timed out after 4s while running exim -bd"


def _result(number: str, outcome: Outcome) -> TestResult:
    return TestResult(
        TestCase(number, "0000-Basic", Path(number), f"test {number}"),
        outcome,
        REASON if outcome is Outcome.TIMEOUT else "why",
        1.0,
    )


ALL = [_result(f"{i:04d}", o) for i, o in enumerate(Outcome, 1)]


def test_every_outcome_has_its_row():
    for o in Outcome:
        assert Outcome.parse(o.value) is o
        assert o.label == (o.value.upper() if o.loud else o.value)
        assert o.tally in TALLIES and isinstance(o.junit, JUnitElement)
        assert o.colour.startswith("#")
        assert o.fails_run == (o.tally == "failed")
    t = Outcome.TIMEOUT
    assert (t.value, t.label, t.fails_run, t.tally, t.junit) == (
        "timeout",
        "TIMEOUT",
        True,
        "failed",
        JUnitElement.ERROR,
    )


def test_the_summary_counts_per_outcome_and_bucket():
    s = Summary.of(ALL)
    assert s.counts[Outcome.TIMEOUT] == 1 and s.fails_run
    assert s.buckets == {"passed": 3, "failed": 4, "skipped": 1}
    assert s.words == "3 passed, 4 failed, 1 skipped"
    assert Summary.of_words({"passed": 2, "xfail": 1}).words == "3 passed, 0 failed, 0 skipped"
    assert not Summary.of_words({"passed": 2, "flaky": 1, "skipped": 1}).fails_run
    assert s.with_junit(JUnitElement.ERROR) == 2


def test_a_time_out_goes_through_json_and_junit_and_back(tmp_path):
    js = tmp_path / "r.json"
    write_json(js, report_data(ALL, {}, [r.case.number for r in ALL]))
    assert json.loads(js.read_text())["summary"]["timeout"] == 1
    assert [r.outcome for r in load_report(js).results] == list(Outcome)
    xml = tmp_path / "r.xml"
    write_junit(xml, [("runtest", ALL)])
    suite = next(iter(JUnitXml.fromfile(str(xml))))
    assert (suite.errors, suite.failures, suite.skipped) == (2, 2, 2)
    timeout = [c for c in suite if c.name.startswith("0008")][0]
    assert isinstance(timeout.result[0], Error) and timeout.result[0].type == "timeout"
    back = load_report(xml).results
    assert [r.outcome for r in back] == list(Outcome)
    assert back[7].reason == REASON


def test_junit_of_another_tool_reads_as_plain_outcomes(tmp_path):
    xml = tmp_path / "other.xml"
    xml.write_text(
        '<testsuite><testcase name="0001 a"><error message="x"/></testcase>'
        '<testcase name="0002 b"><failure message="y"/></testcase>'
        '<testcase name="0003 c"><skipped message="z"/></testcase></testsuite>'
    )
    assert [(r.outcome, r.reason) for r in load_report(xml).results] == [
        (Outcome.ERROR, "x"),
        (Outcome.FAILED, "y"),
        (Outcome.SKIPPED, "z"),
    ]


def test_a_time_out_on_the_console_in_the_page_and_the_summary_logs():
    out = io.StringIO()
    console = Console(out, tty=False)
    console.run_started(RunInfo(Path("/s"), Path("/b"), 1, 1, Path("/w")))
    r = _result("0008", Outcome.TIMEOUT)
    console.test_finished(r)
    console.run_finished([r], 1.0, None)
    text = out.getvalue()
    assert "0008 TIMEOUT" in text and "1 of the failures were time-outs" in text
    assert text.rstrip().endswith("0 passed, 1 failed, 0 skipped")
    html = render(report_data(ALL, {}, []))
    assert 'data-outcome="timeout"' in html and ".o-timeout .badge" in html
    assert failure_details(r) == ["error"]


def test_notices_are_in_every_report_file(tmp_path):
    info = RunInfo(Path("/s"), Path("/b"), 1, 1, Path("/w"))
    for listener in (JsonReport(tmp_path / "r.json"), JUnitReport(tmp_path / "r.xml")):
        listener.notice("Exim binary is /b")
        listener.run_started(info)
        listener.notice("** a <warning> & more")
        listener.run_finished(ALL[:1], 1.0, None)
    data = json.loads((tmp_path / "r.json").read_text())
    assert data["notices"] == ["Exim binary is /b", "** a <warning> & more"]
    assert load_report(tmp_path / "r.json").notices == data["notices"]
    suite = ET.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite is not None and [e.tag for e in suite][-1] == "system-out"
    assert suite.findtext("system-out") == "Exim binary is /b\n** a <warning> & more\n"
    html = render(data)
    assert "** a &lt;warning&gt; &amp; more" in html and "<warning>" not in html
    del data["notices"]  # a report of before notices
    (tmp_path / "old.json").write_text(json.dumps(data))
    assert load_report(tmp_path / "old.json").notices == []
    assert 'class="notices"' not in render(data)


def test_mismatch_kinds_are_kept_as_their_words():
    m = Mismatch("mail/0001.userx", "no mail", kind=MismatchKind.MISSING)
    d = result_dict(TestResult(ALL[0].case, Outcome.FAILED, mismatches=(m,)))
    assert json.loads(json.dumps(d))["mismatches"][0]["kind"] == "missing"
    assert result_from_dict(d).mismatches[0].kind is MismatchKind.MISSING


def test_merging_fails_on_a_time_out(tmp_path, capsys):
    write_json(tmp_path / "a.json", report_data(ALL[7:], {}, ["0008"]))
    opts = Options(merge_reports=(tmp_path / "m.json", tmp_path / "a.json"))
    assert merge_reports(opts) == 1
    assert "0 passed, 1 failed, 0 skipped" in capsys.readouterr().out
