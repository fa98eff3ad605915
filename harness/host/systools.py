"""`bin.sys/`: links to the database servers some tests start themselves.

Exim's suite runs `DIR/bin.sys/initdb`, `postgres`, `pg_ctl` and `mysqld` (its build links
them there; 4.97 adds `psql` and `mysql`, 4.99 `nmhd` and `nmhctl`, which master's REQUIRES
lines look for). All are linked whatever the generation: a link nothing uses is harmless.
We look in PATH and the usual system directories, then in the versioned places
distributions install them (`/usr/lib/postgresql/15/bin` on Debian), and link what we
find; a tool that is missing is simply absent, and its tests fail as they would there.
"""

from __future__ import annotations

import glob
import os
from functools import cache
from pathlib import Path

TOOLS = ("initdb", "postgres", "pg_ctl", "psql", "mysqld", "mysql", "nmhd", "nmhctl")
_PLAIN_DIRS = ("/bin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin")
_VERSIONED_DIRS = (
    "/usr/lib/postgresql/*/bin",
    "/usr/local/pgsql/bin",
    "/opt/*/bin",
    "/usr/libexec",
)


def _candidate_dirs() -> list[str]:
    path = [d for d in os.environ.get("PATH", "").split(":") if d.startswith("/")]
    versioned = [d for pattern in _VERSIONED_DIRS for d in sorted(glob.glob(pattern), reverse=True)]
    return list(dict.fromkeys([*path, *_PLAIN_DIRS, *versioned]))


@cache
def locate_tools() -> dict[str, str]:
    """Where each of TOOLS is, for those found (the newest versioned one first)."""
    found: dict[str, str] = {}
    dirs = _candidate_dirs()
    for tool in TOOLS:
        for d in dirs:
            p = os.path.join(d, tool)
            if os.path.isfile(p) and os.access(p, os.X_OK):
                found[tool] = p
                break
    return found


def make_bin_sys(root: Path) -> None:
    d = root / "bin.sys"
    d.mkdir(exist_ok=True)
    for tool, target in locate_tools().items():
        (d / tool).symlink_to(target)
