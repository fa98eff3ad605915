"""bin.sys: links to system tools that tests start, found in PATH first."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness.host import systools

CALLER = os.environ.get("RUNTEST_CALLER", "rtcaller")


def test_tools_in_path_are_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "mysqld").write_text("#!/bin/sh\n")
    (tools / "mysqld").chmod(0o755)
    (tools / "pg_ctl").write_text("not executable\n")
    monkeypatch.setenv("PATH", f"{tools}:/nonexistent")
    monkeypatch.setattr(systools, "_PLAIN_DIRS", ())
    monkeypatch.setattr(systools, "_VERSIONED_DIRS", ())
    systools.locate_tools.cache_clear()
    try:
        work = tmp_path / "work"
        work.mkdir()
        systools.make_bin_sys(work)
        links = {p.name: str(p.readlink()) for p in (work / "bin.sys").iterdir()}
        assert links == {"mysqld": str(tools / "mysqld")}
    finally:
        systools.locate_tools.cache_clear()


def test_initdb_runs_in_london_and_turns_the_logging_collector_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    fake = tools / "initdb"  # says what it was run as, and makes a cluster's conf file
    fake.write_text('#!/bin/bash\necho "$0 TZ=$TZ $*"\necho "port = 5432" >"$2/postgresql.conf"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}:/nonexistent")
    monkeypatch.setattr(systools, "_PLAIN_DIRS", ())
    monkeypatch.setattr(systools, "_VERSIONED_DIRS", ())
    systools.locate_tools.cache_clear()
    try:
        work = tmp_path / "work"
        work.mkdir()
        systools.make_bin_sys(work)
        initdb = work / "bin.sys" / "initdb"
        assert not initdb.is_symlink()
        data = tmp_path / "data"
        data.mkdir()
        out = subprocess.run(
            [str(initdb), "-D", str(data)], capture_output=True, text=True, check=True
        ).stdout
        assert out.split(" ", 1)[1] == f"TZ=Europe/London -D {data}\n"
        assert (data / "postgresql.conf").read_text().splitlines()[0] == "port = 5432"
        conf = (data / "postgresql.conf").read_text()
        assert "logging_collector = on" in conf and "listen_addresses = '127.0.0.1, ::1'" in conf
        fake.write_text("#!/bin/sh\nexit 3\n")  # a failure is the wrapper's failure too
        assert subprocess.run([str(initdb), "-D", str(data)]).returncode == 3
    finally:
        systools.locate_tools.cache_clear()


@pytest.mark.skipif(
    os.getuid() != 0 or not systools.locate_tools().get("initdb"),
    reason="needs root (to run it as the caller) and PostgreSQL's initdb",
)
def test_the_real_initdb_through_the_wrapper_names_the_pg_ctl_beside_it() -> None:
    try:
        pwd.getpwnam(CALLER)
    except KeyError:
        pytest.skip(f"no account {CALLER}")
    root = Path(tempfile.mkdtemp(prefix="rt-initdb-", dir="/var/tmp"))
    try:
        root.chmod(0o755)
        systools.make_bin_sys(root)
        pw = pwd.getpwnam(CALLER)
        os.chown(root, pw.pw_uid, pw.pw_gid)
        data = root / "pgdata"
        out = subprocess.run(
            [
                "/usr/sbin/runuser",
                "-u",
                CALLER,
                "--",
                str(root / "bin.sys" / "initdb"),
                "-D",
                str(data),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "LANG": "C"},
        )
        assert out.returncode == 0, out.stderr
        assert "selecting default time zone ... Europe/London" in out.stdout
        assert str(root / "bin.sys" / "pg_ctl") in out.stdout
        assert "logging_collector = on" in (data / "postgresql.conf").read_text()
    finally:
        shutil.rmtree(root, ignore_errors=True)
