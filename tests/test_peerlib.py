"""The peers' runtime in the work directory, checked as the real caller account."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from harness.core.errors import WorkDirError
from harness.host import peerlib
from harness.host.peerlib import PeerRuntime, install, prepare_peers
from harness.host.probe import find_caller
from harness.host.processes import Identity
from tests.e2e import REPO, needs_exim, outcomes

pytestmark = needs_exim


@pytest.fixture
def caller() -> tuple[Identity, str]:
    c = find_caller(None)
    return Identity(c.uid, c.gid, c.groups), c.name


@pytest.fixture
def open_dir():
    """A directory every account can reach (pytest's tmp_path is under /tmp, 0700)."""
    d = Path("/var/tmp") / f"rt-peerlib-{os.getpid()}"
    d.mkdir(mode=0o755, exist_ok=True)
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_the_copy_is_world_readable_and_made_once(open_dir: Path) -> None:
    lib = open_dir / "lib"
    install(lib, Path(sys.executable))
    files = [p for p in lib.rglob("*") if p.is_file()]
    assert (lib / "harness/peers/client.py").is_file() and (lib / "dns/name.py").is_file()
    assert not (lib / "harness/run/session.py").exists()  # only what the peers import
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
    assert {stat.S_IMODE(p.stat().st_mode) for p in lib.rglob("*") if p.is_dir()} == {0o755}
    assert list(lib.rglob("*.pyc")), "compiled, so that no peer compiles at each start"
    marker = lib / "harness/peers/kept"
    marker.write_text("")
    install(lib, Path(sys.executable))
    assert marker.exists(), "unchanged sources are not copied again"


def test_an_interpreter_the_caller_cannot_run_gives_way_to_the_system_one(
    open_dir: Path, caller: tuple[Identity, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hidden = tmp_path / "private" / "python3"  # tmp_path is root's, mode 0700
    hidden.parent.mkdir()
    os.symlink(sys.executable, hidden)
    os.chmod(tmp_path, 0o700)
    monkeypatch.setattr(peerlib, "candidate_interpreters", lambda: [hidden, peerlib.SYSTEM_PYTHON])
    runtime = prepare_peers(open_dir, *caller)
    assert runtime == PeerRuntime(peerlib.SYSTEM_PYTHON, open_dir / "lib")


def test_a_work_directory_the_caller_cannot_reach_is_one_line(
    tmp_path: Path, caller: tuple[Identity, str]
) -> None:
    os.chmod(tmp_path, 0o700)
    with pytest.raises(WorkDirError) as info:
        prepare_peers(tmp_path / "work", *caller)
    message = str(info.value)
    assert "\n" not in message
    assert f"cannot run the peers from {tmp_path / 'work' / 'lib'}" in message
    assert "Permission denied" in message and "--workdir" in message


def test_a_checkout_the_caller_cannot_reach_runs_its_peers(tmp_path: Path) -> None:
    """A clone in a directory of mode 0700 (as /root is): the peers run from the copy."""
    private = tmp_path / "home"
    checkout = private / "clone"
    for part in (
        "runtest.py",
        "harness",
        "GENERATION",
        "scripts",
        "confs",
        "stdout",
        "log",
        "mail",
        "rejectlog",
        "aux-fixed",
        "aux-var-src",
        "dnszones-src",
    ):
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, checkout / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            checkout.mkdir(parents=True, exist_ok=True)
            shutil.copy(src, checkout / part)
    os.chmod(private, 0o700)
    work = Path("/var/tmp") / f"rt-peerlib-run-{os.getpid()}"
    report = tmp_path / "r.json"
    try:
        # 0004 talks to a daemon with bin/client, 0006 delivers to bin/server
        proc = subprocess.run(
            [
                sys.executable,
                str(checkout / "runtest.py"),
                "--workdir",
                str(work),
                "--json",
                str(report),
                "4",
                "6",
            ],
            capture_output=True,
            text=True,
            timeout=300,
            stdin=subprocess.DEVNULL,
        )
        data = json.loads(report.read_text())
        assert outcomes(data) == {"0004": "passed", "0005": "passed", "0006": "passed"}, (
            proc.stdout[-3000:]
        )
        assert "#!" in (work / "w0/bin/client").read_text()
        assert str(checkout) not in (work / "w0/bin/client").read_text()
    finally:
        shutil.rmtree(work, ignore_errors=True)
