"""End to end: reviewing and accepting new output, the new-test scaffold, and the pytest
plugin, all against the real Exim and a copy of the project's own suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from harness.run.review import open_store, review
from harness.suite.expectedfiles import ExpectedFiles
from tests.e2e import (
    RUNTEST,
    SHARED,
    WORK,
    compared_file,
    copy_own_suite,
    exim_generation,
    message_id_example,
    needs_exim,
    outcomes,
    run,
)

pytestmark = needs_exim


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A copy of the own suite with the files stdout/4020 and stdout/4027 are compared with
    (under the generation of Debian's Exim) broken by one byte."""
    copy = copy_own_suite(tmp_path / "suite")
    for n in ("4020", "4027"):
        path = compared_file(copy, f"stdout/{n}")
        path.write_bytes(b"X" + path.read_bytes())
    return copy


def _stdout(suite: Path, n: str) -> Path:
    return compared_file(suite, f"stdout/{n}")


def _broken_run(suite: Path, work: str, *extra: str) -> dict:
    _, data = run(["--suite", str(suite), "-CONTINUE", *extra, "4020", "4027"], work)
    assert outcomes(data) == {"4020": "failed", "4027": "failed"}
    return data


def test_review_accepts_exactly_what_is_accepted(suite: Path) -> None:
    _broken_run(suite, "e2e-review")
    store = open_store(WORK / "e2e-review" / "new-output")
    assert [(e.test, e.file) for e in store.entries] == [
        ("4020", _stdout(suite, "4020").relative_to(suite).as_posix()),
        ("4027", _stdout(suite, "4027").relative_to(suite).as_posix()),
    ]
    before = {n: _stdout(suite, n).read_bytes() for n in ("4020", "4027")}
    answers = iter(["r", "a"])  # reject 4020, accept 4027
    shown: list[str] = []
    tally = review(store, suite, {"4020", "4027"}, ask=lambda _: next(answers), say=shown.append)
    assert (tally.accepted, tally.rejected) == (1, 1)
    assert _stdout(suite, "4020").read_bytes() == before["4020"]  # rejected: untouched
    assert _stdout(suite, "4027").read_bytes() == before["4027"][1:]  # accepted
    assert any("-X220" in s for s in shown)  # the diff was shown
    _, data = run(["--suite", str(suite), "-CONTINUE", "4020", "4027"], "e2e-review")
    assert outcomes(data) == {"4020": "failed", "4027": "passed"}


def test_accept_from_a_saved_output_directory(suite: Path, tmp_path: Path) -> None:
    saved = tmp_path / "artefact"
    _broken_run(suite, "e2e-accept", "--save-output", str(saved))
    proc = subprocess.run(
        [sys.executable, str(RUNTEST), "--suite", str(suite), "--accept", str(saved), "4027"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "1 accepted" in proc.stdout, proc.stdout + proc.stderr
    _, data = run(["--suite", str(suite), "-CONTINUE", "4020", "4027"], "e2e-accept")
    assert outcomes(data) == {"4020": "failed", "4027": "passed"}
    # accepting again: 4027 has its new text already, 4020 is accepted now
    proc = subprocess.run(
        [sys.executable, str(RUNTEST), "--suite", str(suite), "--accept", str(saved)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "already accepted" in proc.stdout and proc.returncode == 0, proc.stdout
    assert "1 accepted, 0 rejected, 0 skipped, 1 accepted before" in proc.stdout
    # a file edited since the run is left alone
    _stdout(suite, "4027").write_text("edited by hand\n")
    proc = subprocess.run(
        [sys.executable, str(RUNTEST), "--suite", str(suite), "--accept", str(saved), "4027"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "changed since the run" in proc.stdout and proc.returncode == 1


def test_a_bare_accept_writes_the_suite_the_run_was_of(suite: Path) -> None:
    """No --suite: the saved output names its suite, not the project's own."""
    _broken_run(suite, "e2e-accept-bare")
    own = (RUNTEST.parent / "stdout" / "4027").read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            str(RUNTEST),
            "--workdir",
            str(WORK / "e2e-accept-bare"),
            "--accept",
            "4027",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert proc.returncode == 0 and "1 accepted" in proc.stdout, proc.stdout + proc.stderr
    assert not _stdout(suite, "4027").read_bytes().startswith(b"X")
    assert (RUNTEST.parent / "stdout" / "4027").read_bytes() == own


def test_new_test_scaffold_then_run_then_accept(suite: Path) -> None:
    made = subprocess.run(
        [sys.executable, str(RUNTEST), "--suite", str(suite), "--new", "0042-Frobnicate"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stderr
    assert "made scripts/0042-Frobnicate/0042" in made.stdout and "--review 0042" in made.stdout
    assert (suite / "confs" / "0042").read_text().count("std_conf_prefix") == 1
    again = subprocess.run(
        [sys.executable, str(RUNTEST), "--suite", str(suite), "--new", "0001-Other"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.returncode == 2 and "exists already" in again.stderr
    proc, data = run(["--suite", str(suite), "-CONTINUE", "42"], "e2e-new")
    assert outcomes(data) == {"0042": "failed"}
    # a new file of a suite whose plain files are 4.96's is written for Exim's generation
    log = ExpectedFiles.for_suite(suite, exim_generation()).target("log/0042")
    assert f"+++ {log} (this run)" in proc.stdout and message_id_example() in proc.stdout
    accepted = subprocess.run(
        [
            sys.executable,
            str(RUNTEST),
            "--suite",
            str(suite),
            "--workdir",
            str(WORK / "e2e-new"),
            "--accept",
            "42",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    _, data = run(["--suite", str(suite), "-CONTINUE", "42"], "e2e-new")
    assert outcomes(data) == {"0042": "passed"}


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
    )


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/exim-4.96")
def test_pytest_plugin_runs_a_shared_test(tmp_path: Path) -> None:
    proc = _pytest(
        "--exim-suite", str(SHARED), "-k", "0001", "--rootdir", str(tmp_path), cwd=tmp_path
    )
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout[-2000:]


def test_pytest_plugin_failure_shows_the_diff_and_lf_reruns_only_it(suite: Path) -> None:
    first = _pytest("--exim-suite", str(suite), "--rootdir", str(suite), "-k", "socks", cwd=suite)
    assert first.returncode == 1, first.stdout[-2000:]
    assert "2 failed" in first.stdout and "-X220 myhost.test.ex" in first.stdout
    _stdout(suite, "4020").write_bytes(_stdout(suite, "4020").read_bytes()[1:])
    again = _pytest("--exim-suite", str(suite), "--rootdir", str(suite), "--lf", cwd=suite)
    assert "1 passed" in again.stdout and "1 failed" in again.stdout, again.stdout[-2000:]
    assert "passed" not in again.stdout.replace("1 passed", "")  # only the two that failed ran
