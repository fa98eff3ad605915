"""What runs remember of each test (durations.json), and what --durations brings in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.core.errors import UsageError
from harness.core.results import Outcome, TestCase, TestResult
from harness.suite import durations as d


def _result(number: str, outcome: Outcome, seconds: float = 1.0) -> TestResult:
    return TestResult(TestCase(number, "0000-Basic", Path("/x")), outcome, "", seconds)


def test_a_run_adds_its_durations_and_first_tries(tmp_path: Path) -> None:
    results = [
        _result("0001", Outcome.PASSED, 2.0),
        _result("0002", Outcome.FLAKY, 3.0),
        _result("0003", Outcome.FAILED, 4.0),
        _result("0004", Outcome.SKIPPED, 0.0),
    ]
    d.save_durations(tmp_path, results, d.History())
    history = d.load_history(tmp_path)
    assert history.durations() == {"0001": 2.0, "0002": 3.0, "0003": 4.0}
    assert {n: k.recent for n, k in history.items()} == {"0001": "p", "0002": "f", "0003": "F"}
    assert history.racers() == {"0002"}
    # the next run: 0002 passes at once, but is still a racer while its flake is recent
    d.save_durations(tmp_path, [_result("0002", Outcome.PASSED, 2.5)], history)
    again = d.load_history(tmp_path)
    assert again["0002"] == d.Known(2.5, "fp")
    assert again.racers() == {"0002"}


def test_a_test_is_failing_when_its_last_run_failed_and_it_was_never_flaky_lately() -> None:
    history = d.History(
        {
            "0001": d.Known(1.0, "pF"),
            "0002": d.Known(1.0, "fF"),
            "0003": d.Known(1.0, "Fp"),
            "0004": d.Known(1.0, ""),
            "0005": d.Known(1.0, "F"),
        }
    )
    assert history.failing() == {"0001", "0005"}


def test_a_flake_is_forgotten_after_history_runs(tmp_path: Path) -> None:
    history = d.History({"0002": d.Known(1.0, "f")})
    for _ in range(d.HISTORY):
        history = history.then(d.of_results([_result("0002", Outcome.PASSED)]))
    assert history["0002"].recent == "p" * d.HISTORY
    assert history.racers() == set()


def test_the_first_format_is_read(tmp_path: Path) -> None:
    (tmp_path / d.FILE).write_text(json.dumps({"0001": 1.5, "0002": 3}))
    assert d.load_durations(tmp_path) == {"0001": 1.5, "0002": 3.0}


def test_a_broken_file_in_the_work_directory_is_ignored(tmp_path: Path) -> None:
    (tmp_path / d.FILE).write_text("{not json")
    assert d.load_history(tmp_path) == {}


def test_durations_come_from_a_json_report_or_a_durations_file(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(
        json.dumps(
            {
                "tests": [
                    {
                        "number": "0001",
                        "directory": "0000-Basic",
                        "outcome": "passed",
                        "duration": 4.0,
                        "reason": "",
                        "title": "",
                        "name": "0001",
                    },
                    {
                        "number": "0002",
                        "directory": "0000-Basic",
                        "outcome": "flaky",
                        "duration": 9.0,
                        "reason": "x",
                        "title": "",
                        "name": "0002",
                    },
                ]
            }
        )
    )
    brought = d.bring_in(report)
    assert brought.durations() == {"0001": 4.0, "0002": 9.0}
    assert brought.racers() == {"0002"}
    d.save_history(tmp_path, brought)
    assert d.bring_in(tmp_path / d.FILE) == brought


def test_a_junit_report_brings_durations_and_flakes(tmp_path: Path) -> None:
    junit = tmp_path / "r.xml"
    junit.write_text(
        '<testsuites><testsuite name="x">'
        '<testcase classname="0000-Basic" name="0001 one" time="2.5"/>'
        '<testcase classname="0000-Basic" name="0002 two" time="7">'
        "<system-out>flaky: failed, then passed</system-out></testcase>"
        "</testsuite></testsuites>"
    )
    brought = d.bring_in(junit)
    assert brought.durations() == {"0001": 2.5, "0002": 7.0}
    assert brought.racers() == {"0002"}


def test_a_file_that_is_none_of_them_is_one_line_naming_it(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"name": "something else"}))
    with pytest.raises(UsageError, match=r"^--durations .*other.json: not a durations file"):
        d.bring_in(other)
    with pytest.raises(UsageError, match="cannot read"):
        d.bring_in(tmp_path / "missing.json")
