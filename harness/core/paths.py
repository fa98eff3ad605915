"""Where the runner's own files are: its checkout, the default work directory, built helpers.

The runner runs from a checkout (`./runtest.py`, with the project's own suite beside it)
or installed as a package (the `runtest` command); `CHECKOUT` says which.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path

# The directory the `harness` package is imported from: the checkout, or site-packages.
PACKAGE_ROOT = Path(__file__).resolve().parents[2]
# A checkout has runtest.py, the project's own suite and .venv beside the package.
CHECKOUT = (PACKAGE_ROOT / "runtest.py").is_file()
REPO = PACKAGE_ROOT  # the checkout (meaningful when CHECKOUT)
# The ${dlfunc test module that setup.sh compiles (harness.peers.build_loaded).
LOADED_LIBRARY = REPO / ".venv" / "lib" / "runtest-loaded.so"
# Where the work directory goes when the checkout's .work will not do.
FALLBACK_WORKDIR = Path("/var/tmp/runtest-work")
# Characters a work directory's path may hold: it is written into Exim's configurations
# and command lines as DIR, where a blank or a quote would split or end a value.
_PLAIN_PATH = re.compile(r"[\w./+-]+", re.ASCII)


def traversable(path: Path) -> bool:
    """Whether every existing directory from `path` up lets other users through."""
    for p in [path, *path.parents]:
        if p.exists() and not (p.stat().st_mode & stat.S_IXOTH):
            return False
    return True


def plain_path(path: Path) -> bool:
    """Whether Exim's configurations can name `path` as it is."""
    return bool(_PLAIN_PATH.fullmatch(str(path)))


def usable_as_workdir(path: Path) -> bool:
    """Whether the caller and Exim's user can reach `path` and Exim can take its name."""
    return traversable(path.parent) and plain_path(path)


def default_workdir() -> Path:
    """The checkout's `.work`, or FALLBACK_WORKDIR when other users cannot reach it (a
    clone in /root), its path would not survive in a configuration (a blank in it), or
    the runner is installed as a package."""
    repo_work = REPO / ".work"
    return repo_work if CHECKOUT and usable_as_workdir(repo_work) else FALLBACK_WORKDIR


def runtest_command() -> str:
    """How the person runs this runner here: `./runtest.py`, its path, or `runtest`."""
    if not CHECKOUT:
        return "runtest"
    return "./runtest.py" if Path.cwd() == REPO else str(REPO / "runtest.py")


def loaded_library() -> Path | None:
    return LOADED_LIBRARY if LOADED_LIBRARY.exists() else None
