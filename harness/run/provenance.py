"""What a run was, for its reports: suite, runner, binary, harness, selection, host, times.

Reports from CI shards are merged only when they agree on suite and binary, so both are
identified by digests of their content, not only by path.
"""

from __future__ import annotations

import hashlib
import socket
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

from harness.core.paths import REPO
from harness.core.suitefiles import SUITE_PARTS
from harness.suite.expectedfiles import GENERATION_FILE


def suite_digest(suite: Path) -> str:
    """SHA-256 over the suite's files (path and content): its SUITE_PARTS and GENERATION,
    hidden ones aside, so that what a run leaves beside them (caches, summary logs, the
    checkout's code for the own suite) does not count."""
    h = hashlib.sha256()
    files = [p for part in SUITE_PARTS for p in (suite / part).rglob("*") if p.is_file()]
    files += [p for p in (suite / GENERATION_FILE,) if p.is_file()]
    for path in sorted(
        p for p in files if not any(part.startswith(".") for part in p.relative_to(suite).parts)
    ):
        h.update(path.relative_to(suite).as_posix().encode() + b"\0")
        try:
            h.update(path.read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()


def runner_version() -> str:
    """The package version, with the checkout's commit when there is one."""
    try:
        version = metadata.version("runtest-py")
    except metadata.PackageNotFoundError:
        version = "unknown"
    try:
        commit = subprocess.run(
            ["git", "-C", str(REPO), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        if commit.returncode == 0 and commit.stdout.strip():
            version += f"+{commit.stdout.strip()}"
    except (OSError, subprocess.SubprocessError):
        pass
    return version


def bv_digest(bv: str) -> str:
    """SHA-256 of what `exim -bV` says of the build, less the configuration file it read
    (which names the run's own work directory)."""
    lines = [line for line in bv.splitlines() if not line.startswith("Configuration file")]
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


# The -bV lines that say what a build offers, as the side-by-side view of builds shows them.
BUILD_LISTS = ("Support for", "Lookups", "Authenticators", "Routers", "Transports", "Malware")


def build_lists(bv: str) -> dict[str, list[str]]:
    """What the build offers, by -bV heading ("(built-in)" and "(dynamic)" lines merged)."""
    lists: dict[str, list[str]] = {}
    for line in bv.splitlines():
        key, _, rest = line.partition(": ")
        key = key.removesuffix(" (built-in)").removesuffix(" (dynamic)").strip()
        if key in BUILD_LISTS:
            lists.setdefault(key, []).extend(w for w in rest.split() if w not in lists[key])
    return lists


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def provenance(
    *,
    suite: Path,
    binary: Path,
    version: str,
    bv: str,
    harness: str,
    selection: dict[str, Any],
    shard: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "suite": str(suite),
        "suite_digest": suite_digest(suite),
        "runner_version": runner_version(),
        "binary": str(binary),
        "binary_version": version,
        "binary_digest": bv_digest(bv),
        "binary_build": build_lists(bv),
        "harness": harness,
        "selection": selection,
        "shard": shard,
        "host": socket.gethostname(),
        "started": now(),
    }
