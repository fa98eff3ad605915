"""The pytest plugin as pytest users expect it: collecting runs nothing, items run in the
run phase (so -x works), pytest-xdist gives each worker its own work directory, and the
diff reaches --junit-xml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e import REPO, SHARED, WORK, compared_file, copy_own_suite, needs_exim

pytestmark = needs_exim


def _pytest(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}  # this checkout's plugin, wherever it runs
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "--rootdir",
            str(cwd),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=cwd,
        env=env,
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The own suite with 4020's and 4027's expected stdout broken by one byte."""
    suite = copy_own_suite(tmp_path / "suite")
    for n in ("4020", "4027"):
        path = compared_file(suite, f"stdout/{n}")
        path.write_bytes(b"X" + path.read_bytes())
    return suite


@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/exim-4.96")
def test_collect_only_lists_the_items_and_runs_nothing(tmp_path: Path) -> None:
    work = tmp_path / "work"
    proc = _pytest(
        "--exim-suite", str(SHARED), "--collect-only", "--exim-workdir", str(work), cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "541 tests collected" in proc.stdout
    assert not work.exists()  # nothing prepared: no binary copied, no exim run


def test_x_stops_after_the_first_failure_and_junit_has_the_diff(broken: Path) -> None:
    xml = broken.parent / "report.xml"
    proc = _pytest(
        "--exim-suite",
        str(broken),
        "-x",
        "--junit-xml",
        str(xml),
        "--exim-workdir",
        str(WORK / "e2e-plugin-x"),
        cwd=broken,
    )
    assert proc.returncode == 1
    assert "1 failed, 14 passed" in proc.stdout, proc.stdout[-3000:]
    assert "stopping after 1 failures" in proc.stdout
    assert "Captured exim diff call" in proc.stdout and "-X220" in proc.stdout
    assert "-X220" in xml.read_text()


def test_xdist_workers_each_have_their_own_work_directory(tmp_path: Path) -> None:
    pytest.importorskip("xdist")
    suite = copy_own_suite(tmp_path / "suite")  # passes on every Exim the project supports
    work = WORK / "e2e-plugin-xdist"  # the caller cannot reach a 0700 tmp_path
    shutil.rmtree(work, ignore_errors=True)
    proc = _pytest(
        "--exim-suite",
        str(suite),
        "-n",
        "2",
        "--exim-workdir",
        str(work),
        "-k",
        "0001 or 0002 or 0003 or 0004",
        cwd=suite,
    )
    assert proc.returncode == 0 and "4 passed" in proc.stdout, proc.stdout[-3000:]
    assert sorted(p.name for p in work.iterdir()) == ["xdist-gw0", "xdist-gw1"]


def test_exim_jobs_runs_the_items_in_workers_of_one_pytest(broken: Path) -> None:
    proc = _pytest(
        "--exim-suite",
        str(broken),
        "--exim-jobs",
        "4",
        "--exim-workdir",
        str(WORK / "e2e-plugin-jobs"),
        cwd=broken,
    )
    assert "2 failed, 14 passed" in proc.stdout, proc.stdout[-3000:]
