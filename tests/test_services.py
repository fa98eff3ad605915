"""The servers a test's `running X` asks for: started for it, ready when it begins, gone after.

Each runs for real (spamd, clamd, microsocks as Debian installs them) in a network namespace
of its own, as in a worker, so that their fixed ports meet nothing else.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.core.paths import PACKAGE_ROOT
from harness.host.services import SERVICES

CALLER = os.environ.get("RUNTEST_CALLER", "rtcaller")


def _caller_exists() -> bool:
    try:
        pwd.getpwnam(CALLER)
    except KeyError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    os.getuid() != 0 or not shutil.which("unshare") or not _caller_exists(),
    reason="needs root, unshare and the caller account",
)

# Starts the named servers, asks each, stops them; prints what it saw as JSON.
_PROGRAM = textwrap.dedent(
    """
    import json, pwd, subprocess, sys
    from pathlib import Path
    import psutil
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    from harness.host.processes import Identity, ProcessTracker
    from harness.host.services import SERVICE_PATH, SERVICES, ServiceError, Services, answers
    base, login, names = Path(sys.argv[1]), sys.argv[2], sys.argv[3:]
    pw = pwd.getpwnam(login)
    env = {"PATH": SERVICE_PATH, "HOME": "/"}
    caller = Identity(pw.pw_uid, pw.pw_gid, (pw.pw_gid,), env)
    root = Identity(0, 0, (0,), env)
    tracker = ProcessTracker()
    services = Services(base, login, caller, root, tracker)
    seen = {"error": None, "answered": {}, "users": {}}
    try:
        seen["notes"] = services.start(names)
        for name in names:
            service = SERVICES[name]
            seen["answered"][name] = answers(service)
            for c in psutil.Process().children(recursive=True):
                if service.program in " ".join(c.cmdline()):
                    seen["users"][name] = c.username()
    except ServiceError as exc:
        seen["error"] = str(exc)
    seen["stop_notes"] = services.stop()
    seen["after"] = {name: answers(SERVICES[name], 0.5) for name in names}
    seen["left"] = [p.pid for p in psutil.Process().children(recursive=True)
                    if p.status() != psutil.STATUS_ZOMBIE]
    print(json.dumps(seen))
    """
)


@pytest.fixture
def tmp_path() -> Iterator[Path]:
    """A directory the caller can reach (pytest's own is root's alone, mode 0700)."""
    path = Path(tempfile.mkdtemp(prefix="rt-services-", dir="/var/tmp"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _run(tmp_path: Path, *names: str, setup: str = "") -> dict[str, object]:
    base = tmp_path / "services"
    program = setup + _PROGRAM
    out = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", program, str(base), CALLER, *names],
        capture_output=True,
        text=True,
        cwd=PACKAGE_ROOT.parent,
        timeout=180,
        check=True,
    )
    return dict(json.loads(out.stdout))


def _installed(name: str) -> bool:
    return SERVICES[name].installed() is not None


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_server_answers_while_the_test_runs_and_is_gone_after(tmp_path: Path, name: str) -> None:
    if not _installed(name):
        pytest.skip(f"{SERVICES[name].program} is not installed (./setup.sh installs it)")
    seen = _run(tmp_path, name)
    assert seen["error"] is None
    assert seen["answered"] == {name: True}
    assert seen["users"] == {name: CALLER}  # spamd starts as root, then is the caller
    assert seen["after"] == {name: False}
    assert seen["left"] == []
    assert seen["stop_notes"] == []


def test_all_three_together_for_one_test(tmp_path: Path) -> None:
    names = sorted(n for n in SERVICES if _installed(n))
    if len(names) < 2:
        pytest.skip("fewer than two of the servers are installed")
    seen = _run(tmp_path, *names)
    assert seen["error"] is None
    assert seen["answered"] == dict.fromkeys(names, True)
    assert seen["left"] == []


def test_a_port_already_taken_is_an_error_naming_it(tmp_path: Path) -> None:
    if not _installed("socks"):
        pytest.skip("microsocks is not installed")
    taken = textwrap.dedent(
        """
        import socket
        _holder = socket.socket()
        _holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        """
    )
    # bound after lo is up: the program brings lo up first, so bind in a hook it runs
    seen = _run(
        tmp_path,
        "socks",
        setup=taken
        + "import subprocess as _s; _s.run(['ip', 'link', 'set', 'lo', 'up'], check=True)\n"
        + "_holder.bind(('127.0.0.1', 1080)); _holder.listen()\n",
    )
    assert "another server listens on 127.0.0.1:1080" in str(seen["error"])
    assert seen["left"] == []


def test_a_server_that_cannot_start_is_an_error_with_its_output(tmp_path: Path) -> None:
    if not _installed("ClamAV"):
        pytest.skip("clamd is not installed")
    # a database clamd cannot read: it says why on its log and ends
    broken = textwrap.dedent(
        """
        import harness.host.services as _sv
        _files = _sv._clamd_files
        def _broken(s):
            f = _files(s)
            f["db/eicar.ndb"] = "not a signature\\n"
            return f
        _sv.SERVICES["ClamAV"] = _sv.SERVICES["ClamAV"].__class__(
            **{**_sv.SERVICES["ClamAV"].__dict__, "files": _broken})
        """
    )
    seen = _run(tmp_path, "ClamAV", setup=broken)
    error = str(seen["error"])
    assert error.startswith("ClamAV (clamd) ended (status")
    assert "its output ended:" in error
    assert seen["left"] == []
