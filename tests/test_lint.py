"""The code stays ruff- and mypy-clean: the checks `tox -e lint` runs, on the files and with
the settings of pyproject.toml."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e import REPO


def _check(*command: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]


def test_ruff_finds_nothing() -> None:
    _check("ruff", "check")


def test_mypy_finds_nothing() -> None:
    _check("mypy")


def test_the_tree_is_ruff_formatted() -> None:
    _check("ruff", "format", "--check")
