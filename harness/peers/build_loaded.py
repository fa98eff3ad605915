"""Compile loaded.c, the shared object Exim's ${dlfunc tests load, into bin/loaded."""

from __future__ import annotations

import pathlib
import shutil
import subprocess

SOURCE = pathlib.Path(__file__).with_name("loaded.c")
COMPILE_TIMEOUT_S = 60


def build_loaded(dest: pathlib.Path) -> str | None:
    """Build the shared object at ``dest``; None on success, else why it could not."""
    compiler = shutil.which("cc")
    if compiler is None:
        return "no C compiler (cc) found"
    command = [compiler, "-shared", "-fPIC", "-o", str(dest), str(SOURCE)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot run {compiler}: {exc}"
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        return f"{compiler} failed (exit {done.returncode}): {detail[0] if detail else 'no output'}"
    return None
