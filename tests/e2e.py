"""Helpers for end-to-end tests: run runtest.py as a subprocess against the real Exim."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from harness.core.generation import Generation
from harness.core.paths import default_workdir
from harness.core.suitefiles import SUITE_PARTS
from harness.suite.expectedfiles import GENERATION_FILE, ExpectedFiles

REPO = Path(__file__).resolve().parent.parent
RUNTEST = REPO / "runtest.py"
# The e2e runs' work directories go where the runner's own does: the checkout's .work,
# unless the caller account cannot reach it (a clone in /root)
WORK = default_workdir()
SHARED = REPO.parent / "shared" / "exim-4.96"


def exim_available() -> bool:
    return os.getuid() == 0 and shutil.which("exim4", path="/usr/sbin:/usr/bin") is not None


needs_exim = pytest.mark.skipif(not exim_available(), reason="needs root and Debian's exim4")

# The own suite as a copy may hold it: its directories, and the file naming whose output
# its plain expected files are.
OWN_SUITE_PARTS = SUITE_PARTS


def copy_own_suite(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for part in OWN_SUITE_PARTS:
        if (REPO / part).is_dir():
            shutil.copytree(REPO / part, dest / part, symlinks=True)
    shutil.copy(REPO / GENERATION_FILE, dest / GENERATION_FILE)
    return dest


@functools.cache
def exim_generation() -> Generation:
    """The harness generation of Debian's exim4 here: 4.96 on Debian 12, 4.98 on 13. The
    e2e tests that look at Exim's output (message ids, which expected file a test
    compares with) follow it."""
    out = subprocess.run(
        ["/usr/sbin/exim4", "-bV"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    ).stdout
    words = out.split()
    return Generation.for_version(words[2] if len(words) > 2 else "")


def compared_file(suite: Path, rel: str) -> Path:
    """The expected file that output for `rel` (`stdout/4027`) is compared with under the
    generation of Debian's exim4."""
    return suite / ExpectedFiles.for_suite(suite, exim_generation()).compared(rel)


def message_id_example() -> str:
    """The first renumbered message id as this Exim's generation writes it."""
    return "10HmaX-0005vi-00" if exim_generation() < Generation.G4_97 else "10HmaX-000000005vi-0000"


def run(
    args: list[str], workdir: str, timeout: float = 900
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Run runtest.py with a JSON report; return the process and the report."""
    report = WORK / f"{workdir}.json"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    proc = subprocess.run(
        [
            sys.executable,
            str(RUNTEST),
            "--workdir",
            str(WORK / workdir),
            "--json",
            str(report),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return proc, data


def outcomes(data: dict) -> dict[str, str]:
    return {t["number"]: t["outcome"] for t in data.get("tests", [])}
