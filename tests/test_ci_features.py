"""Sharding, expected failures, reading reports back and merging them, and the progress
shown to people and CI logs (no Exim needed)."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from harness.core.errors import UsageError
from harness.core.results import Mismatch, Outcome, RunInfo, TestCase, TestResult
from harness.reports.jsonreport import report_data, write_json
from harness.reports.junitreport import write_junit
from harness.reports.loading import durations, failed_tests, load_report
from harness.reports.merge import merge
from harness.run.display import Console
from harness.suite.expectations import ExpectedFailures
from harness.suite.sharding import (
    Shard,
    acknowledge_bazel,
    duration_owners,
    hash_owner,
    parse_shard,
    select_shard,
    shard_from_environment,
)


def _case(number: str) -> TestCase:
    return TestCase(number, "0000-Basic", Path("scripts/0000-Basic") / number, f"test {number}")


def _result(number: str, outcome: Outcome, duration: float = 1.0) -> TestResult:
    mismatches = (
        (Mismatch(f"stdout/{number}", "differs", "-a\n+b\n"),) if outcome is Outcome.FAILED else ()
    )
    return TestResult(
        _case(number), outcome, "why" if outcome is not Outcome.PASSED else "", duration, mismatches
    )


CASES = [_case(f"{n:04d}") for n in range(1, 200)]


def test_hash_shards_partition_the_selection_and_are_stable():
    parts = [select_shard(CASES, Shard(k, 3)) for k in (1, 2, 3)]
    assert sorted(c.number for p in parts for c in p) == [c.number for c in CASES]
    assert all(len(p) > 40 for p in parts)
    # adding a test moves no other
    more = [*CASES, _case("9999")]
    assert [c for c in select_shard(more, Shard(2, 3)) if c.number != "9999"] == parts[1]
    assert hash_owner("0042", 3) == hash_owner("0042", 3)


def test_duration_shards_balance_longest_first():
    known = {"0001": 10.0, "0002": 6.0, "0003": 5.0, "0004": 4.0}
    owners = duration_owners([_case(n) for n in known] + [_case("0005")], known, 2)
    load = {1: 0.0, 2: 0.0}
    for number, shard in owners.items():
        load[shard] += known.get(number, 6.25)  # the unknown one counts as the mean
    assert owners["0001"] != owners["0002"]
    assert abs(load[1] - load[2]) <= 6.25


def test_shard_from_options_and_environment(tmp_path):
    assert parse_shard("2/4") == Shard(2, 4)
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(UsageError):
            parse_shard(bad)
    assert shard_from_environment({"RUNTEST_SHARD": "3/5"}) == Shard(3, 5)
    assert shard_from_environment({"TEST_TOTAL_SHARDS": "4", "TEST_SHARD_INDEX": "0"}) == Shard(
        1, 4
    )
    assert shard_from_environment({}) is None
    status = tmp_path / "status"
    acknowledge_bazel({"TEST_SHARD_STATUS_FILE": str(status)})
    assert status.exists()


def test_xfail_is_strict_both_ways(tmp_path):
    listed = tmp_path / "xfail"
    listed.write_text("# Debian's build\n178  # HEADERS_CHARSET\n0001\n\n")
    xf = ExpectedFailures.load(listed)
    failed = xf.judge(_result("0178", Outcome.FAILED))
    assert failed.outcome is Outcome.XFAIL and not failed.outcome.fails_run
    assert "HEADERS_CHARSET" in failed.reason
    passed = xf.judge(_result("0001", Outcome.PASSED))
    assert passed.outcome is Outcome.XPASS and passed.outcome.fails_run
    assert xf.judge(_result("0002", Outcome.FAILED)).outcome is Outcome.FAILED
    assert xf.judge(_result("0001", Outcome.SKIPPED)).outcome is Outcome.SKIPPED
    listed.write_text("0001\nnot a number\n")
    with pytest.raises(UsageError, match=r"xfail:2: not a test number"):
        ExpectedFailures.load(listed)


def _run(suite: str = "s1", binary: str = "b1", shard: tuple[int, int] | None = None) -> dict:
    return {
        "suite": suite,
        "suite_digest": suite,
        "binary": binary,
        "binary_digest": binary,
        "harness": "4.96",
        "started": "2026-12-02T00:00:00+0000",
        "ended": "2026-12-02T00:01:00+0000",
        "shard": {"index": shard[0], "total": shard[1], "strategy": "hash"} if shard else None,
    }


def _write(path: Path, results: list[TestResult], run: dict) -> Path:
    write_json(path, report_data(results, run, [r.case.number for r in results]))
    return path


def test_reports_read_back_from_json_and_junit(tmp_path):
    results = [
        _result("0001", Outcome.PASSED, 2.5),
        _result("0002", Outcome.FAILED),
        _result("0003", Outcome.ERROR),
        _result("0004", Outcome.SKIPPED, 0),
        _result("0005", Outcome.XFAIL),
        _result("0006", Outcome.FLAKY),
    ]
    js = load_report(_write(tmp_path / "r.json", results, _run()))
    assert [(r.case.number, r.outcome) for r in js.results] == [
        (r.case.number, r.outcome) for r in results
    ]
    assert js.results[1].mismatches[0].diff == "-a\n+b\n"
    write_junit(tmp_path / "r.xml", [("runtest", results)])
    xml = load_report(tmp_path / "r.xml")
    assert [(r.case.number, r.outcome) for r in xml.results] == [
        (r.case.number, r.outcome) for r in results
    ]
    assert failed_tests([js]) == failed_tests([xml]) == {"0002", "0003"}
    assert durations([js])["0001"] == 2.5 and "0004" not in durations([js])
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(UsageError, match="bad.json: not a runtest.py"):
        load_report(tmp_path / "bad.json")


def test_merge_checks_shards_tests_suites_and_binaries(tmp_path):
    a = load_report(
        _write(tmp_path / "a.json", [_result("0001", Outcome.PASSED)], _run(shard=(1, 2)))
    )
    b = load_report(
        _write(tmp_path / "b.json", [_result("0002", Outcome.FAILED)], _run(shard=(2, 2)))
    )
    run, results, groups = merge([a, b])
    assert [r.case.number for r in results] == ["0001", "0002"]
    assert [name for name, _ in groups] == ["runtest shard 1/2", "runtest shard 2/2"]
    with pytest.raises(UsageError, match="missing shards: 2/2"):
        merge([a])
    other = load_report(
        _write(
            tmp_path / "c.json", [_result("0002", Outcome.PASSED)], _run(suite="s2", shard=(2, 2))
        )
    )
    with pytest.raises(UsageError, match="different suites"):
        merge([a, other])
    merge([a, other], force=True)
    binary = load_report(
        _write(
            tmp_path / "d.json", [_result("0002", Outcome.PASSED)], _run(binary="b2", shard=(2, 2))
        )
    )
    with pytest.raises(UsageError, match="different binaries"):
        merge([a, binary])
    twice = load_report(
        _write(tmp_path / "e.json", [_result("0001", Outcome.PASSED)], _run(shard=(2, 2)))
    )
    with pytest.raises(UsageError, match="tests in more than one report: 0001"):
        merge([a, twice])
    short = tmp_path / "f.json"
    write_json(short, report_data([], _run(shard=(2, 2)), ["0002"]))
    with pytest.raises(UsageError, match="selected but not reported.*0002"):
        merge([a, load_report(short)])


def _console(tty: bool, **kw) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(out, tty=tty, **kw)
    info = RunInfo(
        Path("/s"),
        Path("/b"),
        3,
        2,
        Path("/w"),
        tests=tuple(CASES[:3]),
        expected={"0001": 10.0, "0002": 20.0, "0003": 30.0},
        rerun_command="./runtest.py /b",
    )
    console.run_started(info)
    return console, out


def test_ci_log_has_heartbeat_and_slow_lines_but_no_redraws():
    console, out = _console(False, heartbeat=1.0, slow_after=1.5)
    console.test_started(CASES[0], 0)
    time.sleep(2.6)
    console.test_finished(_result("0001", Outcome.FAILED, 2.6))
    console.run_finished([_result("0001", Outcome.FAILED, 2.6)], 2.7, None)
    text = out.getvalue()
    assert "\r" not in text and "\x1b[" not in text
    assert "running: 0001" in text
    assert "SLOW 0001 has run for" in text
    assert "0001 FAILED" in text and "./runtest.py /b 0001" in text


def test_a_held_failure_is_not_shown_as_running():
    console, out = _console(False, heartbeat=1.0, slow_after=60)
    console.test_started(CASES[0], 0)
    console.test_started(CASES[1], 1)
    console.test_held(CASES[0])  # failed; to be run again later
    time.sleep(1.6)
    console.run_finished([], 1.7, None)
    beats = [line for line in out.getvalue().splitlines() if "running:" in line]
    assert beats and all("0002" in b and "0001" not in b for b in beats), beats


def test_terminal_status_line_counts_and_estimates():
    console, out = _console(True)
    console.test_started(CASES[0], 0)
    console.test_finished(_result("0001", Outcome.PASSED, 10.0))
    console.test_started(CASES[1], 1)
    status = console.status_text()
    assert status.startswith("[1/3] 1 passed, 0 failed, ")
    assert "left" in status and "0002" in status
    assert console.time_left(time.monotonic()) == pytest.approx(25.0, abs=1.0)
    console.run_finished([], 1.0, None)
    assert "\r\x1b[K" in out.getvalue()


def test_merge_refuses_to_write_over_a_shards_report(tmp_path):
    """`--merge-reports s1.json s2.json` (the output forgotten) would replace shard 1."""
    from harness.cli.merge import merge_reports
    from harness.core.options import Options

    s1 = _write(tmp_path / "s1.json", [_result("0001", Outcome.PASSED)], _run(shard=(1, 2)))
    s2 = _write(tmp_path / "s2.json", [_result("0002", Outcome.PASSED)], _run(shard=(2, 2)))
    before = s1.read_bytes()
    with pytest.raises(UsageError, match="s1.json is a shard's report.*name the merged"):
        merge_reports(Options(merge_reports=(s1, s2)))
    assert s1.read_bytes() == before
    assert merge_reports(Options(merge_reports=(tmp_path / "all.json", s1, s2))) == 0


def test_the_suite_digest_counts_the_suite_and_not_what_runs_leave(tmp_path):
    """Shards of the own suite (the checkout) must agree: caches and -CONTINUE's summary
    logs beside the suite do not count; a changed script does."""
    from harness.run.provenance import suite_digest

    (tmp_path / "scripts" / "0000-Basic").mkdir(parents=True)
    script = tmp_path / "scripts" / "0000-Basic" / "0001"
    script.write_text("exim -bV\n****\n")
    before = suite_digest(tmp_path)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (tmp_path / "run-summary.log").write_text("0001 passed\n")
    assert suite_digest(tmp_path) == before
    script.write_text("exim -bP\n****\n")
    assert suite_digest(tmp_path) != before
