"""End to end: DIR/tmp, the scratch directory some scripts make with a plain mkdir, is gone
when the next test starts (Exim's suite has scripts that make it and leave it)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.e2e import REPO, needs_exim, outcomes, run

pytestmark = needs_exim


def test_a_scratch_directory_left_by_one_test_is_gone_for_the_next(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(REPO / "confs", suite / "confs")
    scripts = suite / "scripts" / "0000-Scratch"
    scripts.mkdir(parents=True)
    for n in ("0001", "0002"):
        (scripts / n).write_text("# makes DIR/tmp and leaves it\nmkdir DIR/tmp\n")
    proc, data = run(["--suite", str(suite), "-j", "1"], "e2e-scratch")
    assert outcomes(data) == {"0001": "passed", "0002": "passed"}, proc.stdout
