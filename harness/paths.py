"""Where the runner's own files are: its checkout, the default work directory, built helpers."""

from __future__ import annotations

import stat
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The ${dlfunc test module that setup.sh compiles (harness.peers.build_loaded).
LOADED_LIBRARY = REPO / ".venv" / "lib" / "runtest-loaded.so"
# Where the work directory goes when the Exim user cannot reach the checkout's .work.
FALLBACK_WORKDIR = Path("/var/tmp/runtest-work")


def traversable(path: Path) -> bool:
    """Whether every existing directory from `path` up lets other users through."""
    for p in [path, *path.parents]:
        if p.exists() and not (p.stat().st_mode & stat.S_IXOTH):
            return False
    return True


def default_workdir() -> Path:
    """The checkout's `.work`, or FALLBACK_WORKDIR when other users cannot reach it."""
    repo_work = REPO / ".work"
    return repo_work if traversable(repo_work.parent) else FALLBACK_WORKDIR


def loaded_library() -> Path | None:
    return LOADED_LIBRARY if LOADED_LIBRARY.exists() else None
