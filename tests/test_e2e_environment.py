"""End to end: a host, suite or binary the run cannot use gives one line and exit status 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import RUNTEST, needs_exim

pytestmark = needs_exim


def _runtest(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(RUNTEST), *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def _one_line_error(proc: subprocess.CompletedProcess[str], expected: str) -> None:
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("** ")]
    assert len(errors) == 1 and expected in errors[0], proc.stderr


@pytest.fixture
def mount(tmp_path: Path) -> Iterator[Path]:
    """A tiny tmpfs of our own."""
    point = tmp_path / "mnt"
    point.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(point)]).returncode:
        pytest.skip("cannot mount a tmpfs here")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def test_work_directory_on_a_full_file_system(mount: Path) -> None:
    with open(mount / "fill", "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
        except OSError:
            pass
    _one_line_error(_runtest("--workdir", str(mount / "w"), "1"), "MB free")


def test_work_directory_on_a_read_only_file_system(mount: Path) -> None:
    (mount / "w0").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
    _one_line_error(_runtest("--workdir", str(mount), "1"), "read-only file system")


def test_work_directory_on_a_nosuid_file_system(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,nosuid", str(mount)], check=True)
    _one_line_error(_runtest("--workdir", str(mount), "1"), "mounted nosuid")


def test_suite_missing(tmp_path: Path) -> None:
    _one_line_error(_runtest("--suite", str(tmp_path / "nothing"), "1"), "no such directory")


def test_suite_that_is_not_a_suite(tmp_path: Path) -> None:
    (tmp_path / "scripts").write_text("not a directory\n")
    _one_line_error(_runtest("--suite", str(tmp_path), "1"), "no scripts directory")


def test_binary_missing(tmp_path: Path) -> None:
    _one_line_error(_runtest(str(tmp_path / "exim"), "1"), "no such file")


def test_binary_not_executable(tmp_path: Path) -> None:
    binary = tmp_path / "exim"
    binary.write_text("")
    os.chmod(binary, 0o644)
    _one_line_error(_runtest(str(binary), "1"), "not executable")


def test_binary_that_is_not_exim(tmp_path: Path) -> None:
    binary = tmp_path / "exim"
    binary.write_text("#!/bin/sh\necho hello\n")
    os.chmod(binary, 0o755)
    _one_line_error(_runtest(str(binary), "--workdir", str(tmp_path / "w"), "1"), "did not answer")


def test_caller_account_missing() -> None:
    _one_line_error(
        _runtest("--caller", "no-such-user-here", "1"), "no unprivileged caller account"
    )


def test_another_run_holds_the_work_directory(tmp_path: Path) -> None:
    import fcntl

    work = tmp_path / "w"
    work.mkdir()
    with open(work / ".lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        _one_line_error(_runtest("--workdir", str(work), "1"), "another run is using")
