"""The peers' runtime, put where the accounts that run them can reach it.

Tests start the peers (bin/server, bin/client, bin/fakens, ...) as the caller account,
and Exim starts some as its own user. Neither may reach the checkout (a clone in /root,
mode 0700) or the interpreter the runner was started with (a pyenv build under /root).
So each run copies the modules the peers import, and the one package they use
(dnspython), into its work directory, world-readable, and picks an interpreter: the
runner's own, else the system's python3. Before any test a peer module is imported as
the caller; if none of the interpreters can, the run stops with one line saying why.
"""

from __future__ import annotations

import compileall
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import WorkDirError
from harness.core.paths import PACKAGE_ROOT
from harness.host.processes import Identity

# What the peers import: the harness modules below, and these packages.
PEER_SOURCES = (
    "harness/__init__.py",
    "harness/core/__init__.py",
    "harness/core/generation.py",
    "harness/peers",
)
PACKAGES = ("dns",)
SYSTEM_PYTHON = Path("/usr/bin/python3")
_STAMP = ".sources"
_CHECK = "import harness.peers.client, harness.peers.server, harness.peers.fakens"


@dataclass(frozen=True)
class PeerRuntime:
    """The interpreter that runs the peers, and the directory it imports them from."""

    python: Path
    lib: Path


def candidate_interpreters() -> list[Path]:
    """The runner's interpreter (a venv's base one: the venv itself may be unreachable),
    then the system's."""
    base = Path(getattr(sys, "_base_executable", "") or sys.executable).resolve()
    found = [base]
    if SYSTEM_PYTHON.exists() and SYSTEM_PYTHON.resolve() != base:
        found.append(SYSTEM_PYTHON)
    return found


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise WorkDirError(f"the peers need the Python package {name!r}; run ./setup.sh")
    return Path(next(iter(spec.submodule_search_locations)))


def _sources() -> Iterator[tuple[Path, str]]:
    """(source file, path under the lib directory) of everything the peers import."""
    for rel in PEER_SOURCES:
        src = PACKAGE_ROOT / rel
        files = [src] if src.is_file() else sorted(src.rglob("*.py"))
        for f in files:
            yield f, f.relative_to(PACKAGE_ROOT).as_posix()
    for name in PACKAGES:
        top = _package_dir(name)
        for f in sorted(top.rglob("*")):
            if f.is_file() and "__pycache__" not in f.parts:
                yield f, f"{name}/{f.relative_to(top).as_posix()}"


def _fingerprint(sources: list[tuple[Path, str]], python: Path) -> str:
    h = hashlib.sha256(str(python).encode())
    for src, rel in sources:
        st = src.stat()
        h.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def install(lib: Path, python: Path) -> None:
    """Copy the peers' modules and packages into `lib` (0755 directories, 0644 files) and
    compile them for `python`, unless the copy there is already of the same sources."""
    sources = list(_sources())
    stamp = _fingerprint(sources, python)
    if (lib / _STAMP).is_file() and (lib / _STAMP).read_text() == stamp:
        return
    shutil.rmtree(lib, ignore_errors=True)
    for src, rel in sources:
        dest = lib / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    if python.resolve() == Path(sys.executable).resolve():
        compileall.compile_dir(lib, quiet=1)
    else:
        subprocess.run(
            [str(python), "-IS", "-m", "compileall", "-q", str(lib)],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )
    for d, _dirs, files in os.walk(lib):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o644)
    (lib / _STAMP).write_text(stamp)
    os.chmod(lib / _STAMP, 0o644)


def _starts_as(python: Path, lib: Path, who: Identity) -> str | None:
    """Why `python` cannot import the peers from `lib` as `who` (None: it can)."""
    # an unreadable path entry is passed over in silence: open a module first, to be told
    first = str(lib / "harness" / "peers" / "__init__.py")
    code = f"import sys; open({first!r}).close(); sys.path[:0] = [{str(lib)!r}]; {_CHECK}"
    try:
        proc = subprocess.run(
            [str(python), "-IS", "-c", code],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=30,
            cwd="/",
            env={"PATH": "/usr/bin:/bin"},
            **who.popen_kwargs(),
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if proc.returncode == 0:
        return None
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    return lines[-1] if lines else f"exit status {proc.returncode}"


def prepare_peers(root: Path, caller: Identity, caller_name: str) -> PeerRuntime:
    """The runtime for this run's peers, in `root`/lib, checked as the caller."""
    lib = root / "lib"
    reasons = []
    for python in candidate_interpreters():
        try:
            install(lib, python)
        except OSError as exc:
            raise WorkDirError(f"cannot copy the peers into {lib}: {exc}") from exc
        why = _starts_as(python, lib, caller)
        if why is None:
            return PeerRuntime(python, lib)
        reasons.append(f"{python}: {why}")
    raise WorkDirError(
        f"the caller account {caller_name} cannot run the peers from {lib} "
        f"({'; '.join(reasons)}); every directory above the work directory must let "
        "other users through (chmod o+x), or choose another with --workdir"
    )
