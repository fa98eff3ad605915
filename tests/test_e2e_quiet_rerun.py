"""End to end: the failures of a parallel run are run again at its end with fewer workers;
a test that passes then is flaky (the run passes), one that fails again stays failed."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.run.scheduling import QUIET_WORKERS_PER_CPU, quiet_jobs
from tests.e2e import REPO, WORK, needs_exim, outcomes, run

pytestmark = needs_exim
JOBS = max(12, QUIET_WORKERS_PER_CPU * len(os.sched_getaffinity(0)) + 2)  # more than quiet


@pytest.fixture
def suite(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    # The caller account runs the script's mkdir, so the marker lives where it may write.
    shared = Path(tempfile.mkdtemp(prefix="runtest-rerun-"))
    shared.chmod(0o777)
    scripts = tmp_path / "scripts" / "0000-Rerun"
    scripts.mkdir(parents=True)
    (tmp_path / "confs").mkdir()
    shutil.copy(REPO / "tests" / "data" / "crash" / "confs" / "0000", tmp_path / "confs")
    # Expects "again": the first attempt makes the directory and says "first".
    (scripts / "0001").write_text(
        "# fails the first time only\n"
        f"mkdir {shared}/once 2>/dev/null && echo first || echo again\n"
    )
    (tmp_path / "stdout").mkdir()
    (tmp_path / "stdout" / "0001").write_text("again\n")
    (scripts / "0002").write_text("# fails every time\n1\ncat /dev/null\n")
    for n in range(3, JOBS + 2):
        (scripts / f"{n:04}").write_text("# passes\ncat /dev/null\n")
    for history in WORK.glob("e2e-rerun*/durations.json"):  # each test starts unknown
        history.unlink()
    yield tmp_path, shared
    shutil.rmtree(shared, ignore_errors=True)


def _reported(data: dict, number: str) -> dict:
    return next(t for t in data["tests"] if t["number"] == number)


def _first_try(test: dict) -> list[str]:
    """The details that keep a flaky test's first failure."""
    return [d for d in test["details"] if d.startswith("at the first try:\n")]


def test_failures_are_run_again_with_fewer_workers(suite: tuple[Path, Path]) -> None:
    assert quiet_jobs(JOBS) is not None
    root, shared = suite
    proc, data = run(["--suite", str(root), "-CONTINUE", "-j", str(JOBS)], "e2e-rerun")
    got = outcomes(data)
    assert got["0001"] == "flaky", proc.stdout
    assert f"with {JOBS} tests at once, passed with" in proc.stdout
    flaky = _reported(data, "0001")
    first_try = _first_try(flaky)
    assert first_try and "-again" in first_try[0] and "+first" in first_try[0], flaky
    assert got["0002"] == "failed"
    assert {got[f"{n:04}"] for n in range(3, JOBS + 2)} == {"passed"}, got
    assert len(data["tests"]) == JOBS + 1  # each test reported once
    assert "running failures again" in proc.stdout
    assert proc.returncode == 1  # 0002


def test_no_quiet_rerun_keeps_the_first_verdict(suite: tuple[Path, Path]) -> None:
    root, _ = suite
    proc, data = run(
        ["--suite", str(root), "-CONTINUE", "-j", str(JOBS), "--no-quiet-rerun"], "e2e-rerun"
    )
    got = outcomes(data)
    assert got["0001"] == "failed" and got["0002"] == "failed"
    assert "failures again" not in proc.stdout


def test_a_test_that_failed_last_time_is_not_run_again(suite: tuple[Path, Path]) -> None:
    root, shared = suite
    args = ["--suite", str(root), "-CONTINUE", "-j", str(JOBS)]
    run(args, "e2e-rerun-twice")  # 0002 fails twice: failing; 0001 is flaky
    (shared / "once").rmdir()
    proc, data = run(args, "e2e-rerun-twice")
    got = outcomes(data)
    assert "1 tests failed last time, when run again too" in proc.stdout and ": 0002" in proc.stdout
    assert got["0002"] == "failed"
    assert got["0001"] == "flaky"  # a racer now, still run again
    assert "running failures again" in proc.stdout


def _fails_twice(root: Path, shared: Path) -> None:
    (root / "scripts" / "0000-Rerun" / "0001").write_text(
        "# fails twice\n"
        f"mkdir {shared}/a 2>/dev/null && echo first || "
        f"(mkdir {shared}/b 2>/dev/null && echo second) || echo again\n"
    )


def test_rerun_failures_gives_the_quiet_phase_more_tries(suite: tuple[Path, Path]) -> None:
    root, shared = suite
    _fails_twice(root, shared)  # with the worker's own reruns it would pass "on rerun 2"
    args = ["--suite", str(root), "-CONTINUE", "-j", str(JOBS), "--rerun-failures", "2"]
    proc, data = run(args, "e2e-rerun-tries")
    got = outcomes(data)
    flaky = _reported(data, "0001")
    assert got["0001"] == "flaky", proc.stdout
    assert flaky["reason"].endswith("at most, at try 3"), flaky["reason"]
    first_try = _first_try(flaky)
    assert first_try and "+first" in first_try[0], flaky
    assert got["0002"] == "failed"
    assert len(data["tests"]) == JOBS + 1


def test_without_quiet_tries_a_worker_reruns_at_once(suite: tuple[Path, Path]) -> None:
    root, shared = suite
    _fails_twice(root, shared)
    args = ["--suite", str(root), "-CONTINUE", "-j", str(JOBS), "--no-quiet-rerun"]
    proc, data = run([*args, "--rerun-failures", "2"], "e2e-rerun-at-once")
    flaky = _reported(data, "0001")
    assert flaky["outcome"] == "flaky" and flaky["reason"].endswith("then passed on rerun 2")
    assert "failures again" not in proc.stdout
