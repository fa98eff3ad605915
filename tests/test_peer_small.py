"""The small helper programs: mtpscript, fd, showids, iefbr14, checkaccess, loaded."""

from __future__ import annotations

import ctypes
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from harness.host.peerlib import prepare_peers
from harness.host.processes import Identity
from harness.peers.build_loaded import build_loaded

REPO = Path(__file__).resolve().parents[1]
IS_ROOT = os.geteuid() == 0


@pytest.fixture(scope="module")
def public_dir():
    """A directory other users can reach (pytest's own temp dirs are private)."""
    path = Path(tempfile.mkdtemp(prefix="peers-test-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path)


@pytest.fixture(scope="module")
def bindir(public_dir: Path) -> Path:
    path = public_dir / "bin"
    path.mkdir()
    for name in ("mtpscript", "fd", "showids", "iefbr14", "checkaccess"):
        wrapper = path / name
        wrapper.write_text(
            f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(REPO)!r})\n"
            f"from harness.peers.{name} import main\nsys.exit(main())\n"
        )
        wrapper.chmod(0o755)
    return path


def run(program: Path, *args: str, **kwargs) -> subprocess.CompletedProcess[bytes]:
    kwargs.setdefault("capture_output", True)
    done = subprocess.run([str(program), *args], timeout=30, **kwargs)
    if done.stderr is not None:
        assert b"Traceback" not in done.stderr
    return done


# ---------------------------------------------------------------- mtpscript

LMTP_SCRIPT = """\
220 LMTP ready
LHLO
250 OK
MAIL FROM:
250 sender OK
RCPT TO:
250 rcpt OK
DATA
354 go ahead
.
250 delivered
QUIT
221 bye
*eof
"""


def test_mtpscript_conversation(bindir: Path, tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text(LMTP_SCRIPT)
    log = tmp_path / "log"
    client = b"LHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n"
    done = run(bindir / "mtpscript", str(script), str(log), input=client)
    assert done.returncode == 0
    assert done.stdout == (
        b"220 LMTP ready\r\n250 OK\r\n250 sender OK\r\n250 rcpt OK\r\n354 go ahead\r\n"
        b"250 delivered\r\n221 bye\r\n"
    )
    assert log.read_text().splitlines() == [
        "220 LMTP ready", "LHLO", "<<< LHLO x", "250 OK", "MAIL FROM:", "<<< MAIL FROM:<a@b>",
        "250 sender OK", "RCPT TO:", "<<< RCPT TO:<c@d>", "250 rcpt OK", "DATA", "<<< DATA",
        "354 go ahead", ".", "<<< body", "<<< .", "250 delivered", "QUIT", "<<< QUIT",
        "221 bye", "*eof", "Expected EOF read from client",
    ]  # fmt: skip


def test_mtpscript_mismatch_and_append(bindir: Path, tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text("220 hi\nHELO\n250 OK\n")
    log = tmp_path / "log"
    log.write_text("earlier\n")
    done = run(bindir / "mtpscript", str(script), f"+{log}", input=b"EHLO x\r\n")
    assert (done.returncode, done.stdout) == (0, b"220 hi\r\n")
    assert log.read_text() == "earlier\n220 hi\nHELO\n<<< EHLO x\nComparison failed - bailing out\n"


def test_mtpscript_unexpected_eof(bindir: Path, tmp_path: Path) -> None:
    script = tmp_path / "script"
    script.write_text("220 hi\nQUIT\n")
    log = tmp_path / "log"
    assert run(bindir / "mtpscript", str(script), str(log), input=b"").returncode == 0
    assert log.read_text().splitlines()[-1] == "Unexpected EOF read from client"


def test_mtpscript_log_flushed_only_at_script_lines(tmp_path: Path) -> None:
    """Input lines reach the log file with the next script line, as with the C program's
    stdio buffering: a client that kills mtpscript while it sleeps loses them."""
    import io

    from harness.peers.mtpscript import run_script

    script = io.BytesIO(b"220 hi\nDATA\n*sleep 0\n")
    client_in = io.BytesIO(b"DATA\r\n")
    client_out = io.BytesIO()
    path = tmp_path / "log"
    with open(path, "wb") as log:
        run_script(script, log, client_in, client_out)
        assert path.read_bytes() == b"220 hi\nDATA\n"  # what a killed program leaves
    assert path.read_bytes() == b"220 hi\nDATA\n<<< DATA\n"  # at a normal exit


def test_mtpscript_errors(bindir: Path, tmp_path: Path) -> None:
    done = run(bindir / "mtpscript", "only-one")
    assert (done.returncode, done.stdout) == (1, b"500 Script and log file required\n")
    done = run(bindir / "mtpscript", str(tmp_path / "none"), str(tmp_path / "log"))
    assert done.returncode == 1
    assert (
        done.stdout
        == f"500 Failed to open script {tmp_path}/none: No such file or directory\r\n".encode()
    )


# ---------------------------------------------------------------- fd

FD_LINE = re.compile(
    r"^ *(\d+) opt=(\d+) status=([0-9A-F]+) (RDONLY|WRONLY|RDWR)( TTY)?( APPEND)?(.*)$"
)


def fd_lines(text: str) -> dict[int, re.Match[str]]:
    lines = text.splitlines()
    assert re.fullmatch(r"max fd = \d+", lines[0])
    matches = [FD_LINE.match(line) for line in lines[1:]]
    assert all(matches), lines
    return {int(m.group(1)): m for m in matches if m}


def test_fd_lists_descriptors(bindir: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.write_text("x" * 10)
    with open(data, "rb") as reading, open(tmp_path / "out", "ab") as appending:
        os.set_inheritable(reading.fileno(), True)
        os.set_inheritable(appending.fileno(), True)
        done = run(
            bindir / "fd", "-s", pass_fds=(reading.fileno(), appending.fileno()),
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
        listed = fd_lines(done.stdout.decode())
        rd, ap = listed[reading.fileno()], listed[appending.fileno()]
    assert done.returncode == 0
    assert rd.group(4) == "RDONLY" and int(rd.group(3), 16) & os.O_ACCMODE == os.O_RDONLY
    assert rd.group(7) == f" mode=100644 uid={os.geteuid()} size=10"
    assert ap.group(4) == "WRONLY" and int(ap.group(3), 16) & os.O_APPEND


def test_fd_queryprogram_format(bindir: Path) -> None:
    done = run(bindir / "fd", "-q", stdin=subprocess.DEVNULL)
    text = done.stdout.decode()
    assert text.startswith('ACCEPT DATA="max fd = ') and text.endswith('"\n')
    assert text.count("\n") == 1


def test_fd_filter_copies_input_first(bindir: Path) -> None:
    done = run(bindir / "fd", "-f", input=b"message body\n")
    assert done.stdout.startswith(b"message body\nmax fd = ")


# ---------------------------------------------------------------- showids, iefbr14


def test_showids(bindir: Path) -> None:
    done = run(bindir / "showids")
    ids = f"uid={os.getuid()} gid={os.getgid()} euid={os.geteuid()} egid={os.getegid()}\n"
    assert done.stdout.decode() == ids


@pytest.mark.skipif(not IS_ROOT, reason="needs root to switch user")
def test_showids_as_another_user(public_dir: Path) -> None:
    """As a run starts it for another account: from the run's copy of the peers, with an
    interpreter that account can execute (harness.host.peerlib)."""
    user = pwd.getpwnam("nobody")
    runtime = prepare_peers(public_dir, Identity(user.pw_uid, user.pw_gid, ()), "nobody")
    showids = public_dir / "showids-wrapper"
    showids.write_text(
        f"#!{runtime.python} -IS\nimport sys\n"
        f"sys.path.insert(0, {str(runtime.lib)!r})\n"
        "from harness.peers.showids import main\nsys.exit(main())\n"
    )
    showids.chmod(0o755)
    done = run(showids, user=user.pw_uid, group=user.pw_gid, extra_groups=[])
    assert done.stdout.decode() == (
        f"uid={user.pw_uid} gid={user.pw_gid} euid={user.pw_uid} egid={user.pw_gid}\n"
    )


def test_iefbr14(bindir: Path) -> None:
    done = run(bindir / "iefbr14", "ignored", "args")
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")


# ---------------------------------------------------------------- checkaccess


@pytest.mark.skipif(not IS_ROOT, reason="checkaccess runs as root")
def test_checkaccess(bindir: Path, public_dir: Path) -> None:
    readable = public_dir / "readable"
    readable.write_text("x")
    readable.chmod(0o644)
    secret = public_dir / "secret"
    secret.write_text("x")
    secret.chmod(0o600)
    user = pwd.getpwnam("nobody")
    group = "nogroup"
    program = bindir / "checkaccess"
    assert run(program, str(readable), user.pw_name, group).returncode == 0
    assert run(program, str(secret), user.pw_name, group).returncode == 7
    assert run(program, str(readable), "no-such-user-x", group).returncode == 1
    assert run(program, str(readable), user.pw_name, "no-such-group-x").returncode == 2


# ---------------------------------------------------------------- loaded


def test_loaded_dltest(tmp_path: Path) -> None:
    target = tmp_path / "loaded"
    problem = build_loaded(target)
    if problem is not None and "no C compiler" in problem:
        pytest.skip(problem)
    assert problem is None
    dltest = ctypes.CDLL(str(target)).dltest
    dltest.restype = ctypes.c_int
    dltest.argtypes = [
        ctypes.POINTER(ctypes.c_char_p), ctypes.c_int, ctypes.POINTER(ctypes.c_char_p)
    ]  # fmt: skip
    argv = (ctypes.c_char_p * 3)(b"one argument", b"2", b"3")
    results = []
    for argc in range(4):
        result = ctypes.c_char_p(b"untouched")
        results.append((dltest(ctypes.byref(result), argc, argv), result.value))
    assert results == [
        (3, b"untouched"),
        (0, b"one argument"),
        (4, b"yield FAIL_FORCED"),
        (2, b"yield FAIL"),
    ]


def test_build_loaded_without_compiler(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert build_loaded(tmp_path / "loaded") == "no C compiler (cc) found"
    assert not (tmp_path / "loaded").exists()
