"""What the command line asks for: one frozen record, made by `harness.cli.commandline`.

The run reads it once, when it builds its configuration (`harness.run.prepare`);
nothing changes it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from harness.core.generation import Generation
from harness.core.paths import REPO


@dataclass(frozen=True)
class Options:
    binary: str | None = None
    suite: Path = REPO
    selection: tuple[int, int] | None = None
    tests: tuple[int, ...] = ()
    exim_args: tuple[str, ...] = ()
    continue_: bool = False
    debug: bool = False
    keep: bool = False
    slow: bool = False
    update: bool = False
    valgrind: bool = False  # -VALGRIND: exim commands under valgrind
    ipv4: bool = True
    ipv6: bool = True
    flavour: str | None = None
    portbase: int | None = None
    json: Path | None = None
    junit_xml: Path | None = None
    html: Path | None = None
    workdir: Path | None = None
    timeout: float = 300.0
    caller: str | None = None
    list_only: bool = False
    munge_file: Path | None = None
    rerun_failures: int = 0
    no_quiet_rerun: bool = False
    jobs: int | None = None
    harness: Generation | None = None
    tls: str | None = None  # -TLS: the TLS library of the client side
    shard: str | None = None  # K/N
    shard_by: tuple[str, ...] = ()  # strategy, then reports
    last_failed: tuple[Path, ...] = ()  # Path(""): the last run in the work directory
    durations: tuple[Path, ...] = ()  # --durations: earlier runs' records brought in
    max_failures: int | None = None  # stop after this many failures
    keyword: str | None = None  # -k EXPR
    xfail: Path | None = None
    merge_reports: tuple[Path, ...] = ()  # OUT, then the inputs
    force_merge: bool = False
    side_by_side: tuple[str, ...] = ()  # reports, each FILE or NAME=FILE
    save_output: Path | None = None
    review: Path | None = None  # Path("") = this machine's last run
    accept: Path | None = None
    new: str | None = None
    new_requires: tuple[str, ...] = ()
    heartbeat: float = 60.0
    slow_after: float = 120.0
