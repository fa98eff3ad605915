"""End to end: the project's own suite against the real Exim."""

from __future__ import annotations

import psutil

from tests.e2e import compared_file, copy_own_suite, needs_exim, outcomes, run

pytestmark = needs_exim


def test_whole_own_suite_passes():
    proc, data = run([], "e2e-own")
    assert proc.returncode == 0, proc.stdout[-4000:]
    results = outcomes(data)
    assert results["4027"] == "passed"
    assert all(v in ("passed", "skipped") for v in results.values()), results
    assert proc.stdout.rstrip().splitlines()[-1] == (
        f"{data['summary']['passed']} passed, 0 failed, {data['summary']['skipped']} skipped"
    )


def test_4027_fails_on_one_changed_byte_and_passes_when_restored(tmp_path):
    suite = copy_own_suite(tmp_path / "suite")
    expected = compared_file(suite, "stdout/4027")  # stdout/4027, or a generation's file
    original = expected.read_bytes()
    i = original.index(b"250 accepted")
    expected.write_bytes(original[:i] + b"251" + original[i + 3 :])

    proc, data = run(["--suite", str(suite), "4027"], "e2e-4027")
    assert proc.returncode == 1
    assert outcomes(data) == {"4027": "failed"}
    assert expected.relative_to(suite).as_posix() in proc.stdout
    assert "-251 accepted" in proc.stdout and "+250 accepted" in proc.stdout
    assert expected.read_bytes() != original  # a failing run never rewrites expected files

    expected.write_bytes(original)
    proc, data = run(["--suite", str(suite), "4027"], "e2e-4027")
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert outcomes(data) == {"4027": "passed"}


def test_no_process_of_the_run_is_left():
    before = {p.pid for p in psutil.process_iter()}
    proc, _ = run(["4"], "e2e-left")  # a daemon test
    assert proc.returncode == 0, proc.stdout[-3000:]
    left = [
        p
        for p in psutil.process_iter(["pid", "cmdline"])
        if p.pid not in before and any("e2e-left" in a for a in (p.info["cmdline"] or []))
    ]
    assert left == []
