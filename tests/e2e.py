"""Helpers for end-to-end tests: run runtest.py as a subprocess against the real Exim."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
RUNTEST = REPO / "runtest.py"
SHARED = REPO.parent / "shared" / "exim-4.96"


def exim_available() -> bool:
    return os.getuid() == 0 and shutil.which("exim4", path="/usr/sbin:/usr/bin") is not None


needs_exim = pytest.mark.skipif(not exim_available(), reason="needs root and Debian's exim4")


def run(
    args: list[str], workdir: str, timeout: float = 900
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Run runtest.py with a JSON report; return the process and the report."""
    report = REPO / ".work" / f"{workdir}.json"
    report.parent.mkdir(exist_ok=True)
    report.unlink(missing_ok=True)
    proc = subprocess.run(
        [sys.executable, str(RUNTEST), "--workdir", str(REPO / ".work" / workdir),
         "--json", str(report), *args],
        capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )
    data = json.loads(report.read_text()) if report.exists() else {}
    return proc, data


def outcomes(data: dict) -> dict[str, str]:
    return {t["number"]: t["outcome"] for t in data.get("tests", [])}
