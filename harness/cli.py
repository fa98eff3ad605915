"""The command line, compatible with Exim's runtest.

    ./runtest.py [exim-binary] [options] [exim options] [first [last|+]]

Exim's single-dash options are taken in any case (-CONTINUE, -continue, --continue);
options this runner adds are double-dash. Any other argument starting with `-` is passed
to every exim command of the tests (e.g. -d+all).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from harness.discovery import SelectionError, parse_selection

REPO = Path(__file__).resolve().parent.parent

USAGE = """\
usage: runtest.py [exim-binary] [options] [exim options] [first [last|+]]

Exim runtest options (any case, one or two dashes):
  -CONTINUE          never stop to ask; go on after a failure
  -DEBUG             show each command as it runs
  -DIFF              (accepted; diffs are always unified)
  -FLAVOUR NAME      prefer expected files NAME.FLAVOUR
  -KEEP              keep the work directory's files after the run
  -NOIPV4 -NOIPV6    run as if the host had no IPv4 / IPv6
  -PORTBASE N        use ports N..N+5 instead of 1223..1228
  -SLOW              pause before checking output
  -TEST N            run test N (may be repeated)
  -UPDATE            write changed output into the expected files
  -RANGE A B         run tests A to B
Runner options:
  --suite DIR        the suite to run (default: the directory holding runtest.py)
  --json FILE        write a JSON report
  --junit-xml FILE   write a JUnit XML report
  --workdir DIR      where tests run (default: DIR/.work of the suite or /var/tmp)
  --timeout SECONDS  per-test time limit (default 300)
  --caller NAME      the unprivileged account tests run as (default rtcaller)
  --list             list the selected tests and why any would be skipped
  --munge FILE       print FILE munged as the comparison would see it
  --rerun-failures N run a failed test again up to N times (passing then = flaky)
  --jobs N, -j N     run N tests at once, each worker in its own network namespace
                     (default: one per CPU; -DEBUG and -UPDATE run one at a time)
"""

_FLAGS = {"continue", "debug", "diff", "keep", "slow", "update", "noipv4", "noipv6", "list"}
_VALUED = {"flavour", "flavor", "portbase", "test", "suite", "json", "junit-xml", "workdir",
           "timeout", "caller", "munge", "rerun-failures", "jobs", "j"}


class UsageError(ValueError):
    pass


@dataclass
class Options:
    binary: str | None = None
    suite: Path = REPO
    selection: tuple[int, int] | None = None
    tests: list[int] = field(default_factory=list)
    exim_args: list[str] = field(default_factory=list)
    continue_: bool = False
    debug: bool = False
    keep: bool = False
    slow: bool = False
    update: bool = False
    ipv4: bool = True
    ipv6: bool = True
    flavour: str | None = None
    portbase: int | None = None
    json: Path | None = None
    junit_xml: Path | None = None
    workdir: Path | None = None
    timeout: float = 300.0
    caller: str | None = None
    list_only: bool = False
    munge_file: Path | None = None
    rerun_failures: int = 0
    jobs: int | None = None


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError as exc:
        raise UsageError(f"{what} needs a number, not {value!r}") from exc


def parse_args(argv: list[str]) -> Options:
    opts = Options()
    args = list(argv)
    if args and (args[0].startswith("/") or (not args[0].startswith("-") and not
                 args[0].isdigit() and os.path.isfile(args[0]) and os.access(args[0], os.X_OK))):
        opts.binary = args.pop(0)
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in ("-h", "--help", "-help"):
            raise UsageError(USAGE)
        if not arg.startswith("-") or arg == "-":
            rest.append(arg)
            continue
        name, eq, inline = arg.lstrip("-").partition("=")
        key = name.lower()
        if key == "range":
            if i + 2 > len(args):
                raise UsageError("-RANGE needs two test numbers")
            try:
                opts.selection = parse_selection(args[i:i + 2])
            except SelectionError as exc:
                raise UsageError(str(exc)) from exc
            i += 2
            continue
        if key in _FLAGS and not eq:
            _set_flag(opts, key)
            continue
        if key in _VALUED:
            if eq:
                value = inline
            elif i < len(args):
                value = args[i]
                i += 1
            else:
                raise UsageError(f"{arg} needs a value")
            _set_valued(opts, key, value)
            continue
        opts.exim_args.append(arg)
    try:
        if rest:
            opts.selection = parse_selection(rest)
    except SelectionError as exc:
        raise UsageError(str(exc)) from exc
    return opts


def _set_flag(opts: Options, key: str) -> None:
    if key == "continue":
        opts.continue_ = True
    elif key == "debug":
        opts.debug = True
    elif key == "keep":
        opts.keep = True
    elif key == "slow":
        opts.slow = True
    elif key == "update":
        opts.update = True
    elif key == "noipv4":
        opts.ipv4 = False
    elif key == "noipv6":
        opts.ipv6 = False
    elif key == "list":
        opts.list_only = True
    # -DIFF: accepted for compatibility; diffs are always unified.


def _set_valued(opts: Options, key: str, value: str) -> None:
    if key in ("flavour", "flavor"):
        opts.flavour = value
    elif key == "portbase":
        opts.portbase = _int(value, "-PORTBASE")
    elif key == "test":
        opts.tests.append(_int(value, "-TEST"))
    elif key == "suite":
        opts.suite = Path(value)
    elif key == "json":
        opts.json = Path(value)
    elif key == "junit-xml":
        opts.junit_xml = Path(value)
    elif key == "workdir":
        opts.workdir = Path(value)
    elif key == "timeout":
        try:
            opts.timeout = float(value)
        except ValueError as exc:
            raise UsageError(f"--timeout needs a number of seconds, not {value!r}") from exc
    elif key == "caller":
        opts.caller = value
    elif key == "munge":
        opts.munge_file = Path(value)
    elif key == "rerun-failures":
        opts.rerun_failures = _int(value, "--rerun-failures")
    elif key in ("jobs", "j"):
        opts.jobs = max(1, _int(value, "--jobs"))
