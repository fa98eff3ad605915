"""`bin.sys/`: the database servers and clients some tests start themselves.

Exim's suite runs `DIR/bin.sys/initdb`, `postgres`, `pg_ctl` and `mysqld` (its build links
them there; 4.97 adds `psql` and `mysql`, 4.99 `nmhd` and `nmhctl`, which master's REQUIRES
lines look for). All are provided whatever the generation: one nothing uses is harmless.
We look in PATH and the usual system directories, then in the versioned places
distributions install them (`/usr/lib/postgresql/15/bin` on Debian); a tool that is
missing is simply absent, and its tests fail as they would there.

Most are links, as Exim's build makes them. `initdb` is a small bash script that runs the
real one as the suite's expected output was made (test 2620), where Debian's PostgreSQL
differs:

- in the zone Europe/London: initdb takes the cluster's time zone (printed, and used in the
  server's log lines) from TZ, else from the system, and the suite's output was made on a
  host in London (`selecting default time zone ... Europe/London`, log lines stamped
  `GMT`/`BST`, which the date munging expects);
- then it turns the new cluster's logging collector on (`logging_collector = on` added to
  its postgresql.conf), the default of Red Hat's and Fedora's packages: the server then
  says on stderr only that it redirects its log into the data directory, as the expected
  stderr has it, where Debian's writes every log line there. The server's command line
  stays as the test gave it (`pg_ctl status` prints it);
- and makes the server listen on both loopback addresses (`listen_addresses`): 2620 looks
  its data up on `::1` too, and PostgreSQL's default, `localhost`, is only 127.0.0.1 on a
  host whose /etc/hosts has no `::1 localhost` line (containers' often lack it).

The real initdb is given the script's own path as its name (`exec -a`), since it prints
the `pg_ctl` beside that name and runs the `postgres` beside it (a link).
"""

from __future__ import annotations

import glob
import os
import shlex
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
WRAPPED = ("initdb",)  # tools run through a script rather than linked (see above)
_INITDB = """#!/bin/bash
# runtest.py: initdb as the suite's expected output was made (harness/host/systools.py)
data=${PGDATA:-}
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case ${args[i]} in
    -D | --pgdata) data=${args[i + 1]:-} ;;
    --pgdata=*) data=${args[i]#--pgdata=} ;;
    -D?*) data=${args[i]#-D} ;;
  esac
done
(TZ=Europe/London exec -a "$0" TARGET "$@") || exit
if [ -n "$data" ] && [ -f "$data/postgresql.conf" ]; then
  {
    echo "logging_collector = on  # runtest.py, as Red Hat's packages have it"
    echo "listen_addresses = '127.0.0.1, ::1'  # runtest.py: both, whatever /etc/hosts says"
  } >>"$data/postgresql.conf"
fi
"""


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


def wrapper_text(tool: str, target: str) -> str:
    """The script that stands for `tool` in bin.sys, running `target`."""
    assert tool == "initdb"
    return _INITDB.replace("TARGET", shlex.quote(target))


def make_bin_sys(root: Path) -> None:
    d = root / "bin.sys"
    d.mkdir(exist_ok=True)
    for tool, target in locate_tools().items():
        if tool in WRAPPED:
            (d / tool).write_text(wrapper_text(tool, target))
            (d / tool).chmod(0o755)
        else:
            (d / tool).symlink_to(target)
