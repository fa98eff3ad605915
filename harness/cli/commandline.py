"""The command line, compatible with Exim's runtest.

    ./runtest.py [exim-binary] [options] [exim options] [first [last|+]]

Exim's single-dash options are taken in any case (-CONTINUE, -continue, --continue);
options this runner adds are double-dash. Any other argument starting with `-` is passed
to every exim command of the tests (e.g. -d+all). Every option is one row of `OPTIONS`,
from which the parser and the usage text are made.
"""

from __future__ import annotations

import difflib
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, fields
from enum import Enum
from pathlib import Path
from typing import Any

from harness.core.errors import HelpRequested, SelectionError, UsageError
from harness.core.events import RunListener
from harness.core.exitcodes import INTERRUPTED, ExitCode
from harness.core.generation import Generation
from harness.core.options import Options
from harness.core.paths import CHECKOUT, REPO
from harness.reports.htmlreport import HtmlReport
from harness.reports.jsonreport import JsonReport
from harness.reports.junitreport import JUnitReport
from harness.run.provenance import runner_version
from harness.suite.discovery import parse_selection


def default_suite(cwd: Path) -> Path:
    """The suite run when --suite is not given: the current directory when it is one (an
    Exim checkout's test/, say), otherwise the checkout's own suite (installed: the
    current directory all the same, which the run then says is no suite)."""
    if (cwd / "scripts").is_dir() and (cwd / "confs").is_dir() or not CHECKOUT:
        return cwd
    return REPO


def _tls_library(value: str) -> str:
    if value not in ("openssl", "gnutls"):
        raise UsageError(f"-TLS needs openssl or gnutls, not {value!r}")
    return value


def _generation(value: str) -> Generation:
    try:
        return Generation.parse(value)
    except ValueError as exc:
        raise UsageError(f"--harness: {exc}") from None


def _number(what: str, convert: Callable[[str], Any] = int) -> Callable[[str], Any]:
    def parse(value: str) -> Any:
        try:
            return convert(value)
        except ValueError:
            raise UsageError(f"{what} needs a number, not {value!r}") from None

    return parse


class Kind(Enum):
    """How an option takes its value."""

    FLAG = "flag"  # sets the spec's `value`
    VALUE = "value"  # converts the next argument (or `=VALUE`)
    APPEND = "append"  # as VALUE, adding it to a list
    MANY = "many"  # takes every following argument up to the next option or test number
    SOME = "some"  # as MANY, but with no argument it takes the spec's `value`
    OPTIONAL = "optional"  # the next argument if it is not one of those (else `value`)


@dataclass(frozen=True)
class OptionSpec:
    """One option: its spellings (lower case, no dashes), the Options field it sets and how
    (`Kind`). `exim` marks Exim runtest's own options. A `reporter` is the listener class
    that writes the report file the option names.
    """

    names: tuple[str, ...]
    field: str
    kind: Kind
    help: str
    metavar: str = ""
    convert: Callable[[str], Any] = str
    value: Any = True
    exim: bool = False
    reporter: Callable[[Path], RunListener] | None = None

    def usage(self) -> str:
        if self.exim:
            spelled = " ".join(f"-{n.upper()}" for n in self.names)
        else:
            spelled = ", ".join(("-" if len(n) == 1 else "--") + n for n in self.names)
        return f"{spelled} {self.metavar}".rstrip()


OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec(
        ("continue",), "continue_", Kind.FLAG, "never stop to ask; go on after a failure", exim=True
    ),
    OptionSpec(("debug",), "debug", Kind.FLAG, "show each command as it runs", exim=True),
    OptionSpec(("diff",), "", Kind.FLAG, "(accepted; diffs are always unified)", exim=True),
    OptionSpec(
        ("flavour", "flavor"),
        "flavour",
        Kind.VALUE,
        "prefer expected files NAME.FLAVOUR",
        "NAME",
        exim=True,
    ),
    OptionSpec(
        ("keep",), "keep", Kind.FLAG, "keep the work directory's files after the run", exim=True
    ),
    OptionSpec(
        ("noipv4",), "ipv4", Kind.FLAG, "run as if the host had no IPv4", value=False, exim=True
    ),
    OptionSpec(
        ("noipv6",), "ipv6", Kind.FLAG, "run as if the host had no IPv6", value=False, exim=True
    ),
    OptionSpec(
        ("portbase",),
        "portbase",
        Kind.VALUE,
        "use ports N..N+5 instead of 1223..1228",
        "N",
        _number("-PORTBASE"),
        exim=True,
    ),
    OptionSpec(("slow",), "slow", Kind.FLAG, "pause before checking output", exim=True),
    OptionSpec(
        ("test",),
        "tests",
        Kind.APPEND,
        "run test N (may be repeated)",
        "N",
        _number("-TEST"),
        exim=True,
    ),
    OptionSpec(
        ("tls",),
        "tls",
        Kind.VALUE,
        "cross-library TLS: LIB (openssl or gnutls) is the client side; needs "
        "BINARY_openssl and BINARY_gnutls",
        "LIB",
        lambda v: _tls_library(v),
        exim=True,
    ),
    OptionSpec(
        ("update",), "update", Kind.FLAG, "write changed output into the expected files", exim=True
    ),
    OptionSpec(
        ("valgrind",),
        "valgrind",
        Kind.FLAG,
        "run every exim command under valgrind (memcheck, with the suite's "
        "aux-fixed/valgrind.supp; ./setup.sh --valgrind installs it). As in Exim's "
        "harness, valgrind cannot run the setuid copy as the caller: only commands "
        "run as root work under it",
        exim=True,
    ),
    OptionSpec(
        ("harness",),
        "harness",
        Kind.VALUE,
        "behave as Exim's harness of this release: 4.96, 4.97, 4.98, 4.99 or master "
        "(default: the binary's)",
        "VERSION",
        lambda v: _generation(v),
    ),
    OptionSpec(
        ("suite",),
        "suite",
        Kind.VALUE,
        "the suite to run (default: the current directory if it is one, as an Exim "
        "checkout's test/ is, else the one beside runtest.py)",
        "DIR",
        Path,
    ),
    OptionSpec(
        ("json",), "json", Kind.VALUE, "write a JSON report", "FILE", Path, reporter=JsonReport
    ),
    OptionSpec(
        ("junit-xml",),
        "junit_xml",
        Kind.VALUE,
        "write a JUnit XML report",
        "FILE",
        Path,
        reporter=JUnitReport,
    ),
    OptionSpec(
        ("html",),
        "html",
        Kind.VALUE,
        "write a self-contained HTML report (also of --merge-reports)",
        "FILE",
        Path,
        reporter=HtmlReport,
    ),
    OptionSpec(
        ("workdir",),
        "workdir",
        Kind.VALUE,
        "where tests run (default: .work beside runtest.py, or /var/tmp/runtest-work)",
        "DIR",
        Path,
    ),
    OptionSpec(
        ("timeout",),
        "timeout",
        Kind.VALUE,
        "per-test time limit (default 300)",
        "SECONDS",
        _number("--timeout", float),
    ),
    OptionSpec(
        ("caller",),
        "caller",
        Kind.VALUE,
        "the unprivileged account tests run as (default rtcaller)",
        "NAME",
    ),
    OptionSpec(
        ("list",), "list_only", Kind.FLAG, "list the selected tests and why any would be skipped"
    ),
    OptionSpec(
        ("munge",),
        "munge_file",
        Kind.VALUE,
        "print FILE munged as the comparison would see it",
        "FILE",
        Path,
    ),
    OptionSpec(
        ("shard",),
        "shard",
        Kind.VALUE,
        "run only shard K of N (also RUNTEST_SHARD=K/N, or Bazel's TEST_TOTAL_SHARDS"
        " and TEST_SHARD_INDEX)",
        "K/N",
    ),
    OptionSpec(
        ("shard-by",),
        "shard_by",
        Kind.MANY,
        "how tests are dealt to shards: hash (default), or durations REPORT... "
        "(longest first, by earlier JSON reports)",
        "STRATEGY [REPORT...]",
    ),
    OptionSpec(
        ("durations",),
        "durations",
        Kind.MANY,
        "bring in what earlier runs knew (how long each test took, which were flaky): "
        "a work directory's durations.json, or JSON or JUnit reports; a CI job's first run "
        "then starts the longest tests first and the flaky ones when few run",
        "FILE...",
        Path,
    ),
    OptionSpec(
        ("last-failed", "lf"),
        "last_failed",
        Kind.SOME,
        "run only the tests that failed in the last run in the work directory, or in "
        "these earlier JSON or JUnit reports",
        "[REPORT...]",
        Path,
        value=Path(""),
    ),
    OptionSpec(
        ("max-failures",),
        "max_failures",
        Kind.VALUE,
        "stop after N tests have failed (the tests not run are named); no quiet rerun",
        "N",
        lambda v: max(1, _number("--max-failures")(v)),
    ),
    OptionSpec(
        ("x",), "max_failures", Kind.FLAG, "stop at the first failure (--max-failures 1)", value=1
    ),
    OptionSpec(
        ("k",),
        "keyword",
        Kind.VALUE,
        "run only the tests whose number, directory or title match EXPR: words "
        "(case-insensitive parts), with and, or, not and parentheses, as pytest's -k",
        "EXPR",
    ),
    OptionSpec(
        ("xfail",),
        "xfail",
        Kind.VALUE,
        "FILE lists tests expected to fail (a number a line, # reason): a listed "
        "test that fails does not fail the run; one that passes does",
        "FILE",
        Path,
    ),
    OptionSpec(
        ("merge-reports",),
        "merge_reports",
        Kind.MANY,
        "merge the JSON reports of shards into OUT (with --junit-xml too); runs no tests",
        "OUT IN...",
        Path,
    ),
    OptionSpec(
        ("side-by-side",),
        "side_by_side",
        Kind.MANY,
        "show the reports (JSON or JUnit) of runs against different builds test by test, "
        "the tests whose verdict differs first (with --json and --html FILE too); a report "
        "named NAME=FILE is labelled NAME; runs no tests",
        "REPORT...",
    ),
    OptionSpec(
        ("force-merge",),
        "force_merge",
        Kind.FLAG,
        "merge reports even of different suites or binaries",
    ),
    OptionSpec(
        ("save-output",),
        "save_output",
        Kind.VALUE,
        "also keep the new output of failing tests in DIR (a CI artefact to accept from later)",
        "DIR",
        Path,
    ),
    OptionSpec(
        ("review",),
        "review",
        Kind.OPTIONAL,
        "walk the last run's new output (or DIR's) at the terminal: accept, reject, "
        "skip; runs no tests",
        "[DIR]",
        Path,
        value=Path(""),
    ),
    OptionSpec(
        ("accept",),
        "accept",
        Kind.OPTIONAL,
        "accept the last run's new output (or DIR's) into the suite, all of it or the "
        "tests named; runs no tests",
        "[DIR]",
        Path,
        value=Path(""),
    ),
    OptionSpec(
        ("new",),
        "new",
        Kind.VALUE,
        "make a new test: NNNN-Name (that test directory, its first free number) or "
        "an existing test directory; runs no tests",
        "NAME",
    ),
    OptionSpec(
        ("requires",),
        "new_requires",
        Kind.APPEND,
        "with --new: a REQUIRES line for a new test directory (may be repeated)",
        "LINE",
    ),
    OptionSpec(
        ("heartbeat",),
        "heartbeat",
        Kind.VALUE,
        "off a terminal, name the running tests at least this often (default 60)",
        "SECONDS",
        _number("--heartbeat", float),
    ),
    OptionSpec(
        ("slow-after",),
        "slow_after",
        Kind.VALUE,
        "say SLOW of a test running longer than this (default 120)",
        "SECONDS",
        _number("--slow-after", float),
    ),
    OptionSpec(
        ("no-quiet-rerun",),
        "no_quiet_rerun",
        Kind.FLAG,
        "do not run the failures of a parallel run again at its end with fewer "
        "workers (a test passing then is reported as flaky)",
    ),
    OptionSpec(
        ("rerun-failures",),
        "rerun_failures",
        Kind.VALUE,
        "run a failed test again up to N times (passing then = flaky); in a run of many "
        "workers, at its end with few running",
        "N",
        _number("--rerun-failures"),
    ),
    OptionSpec(("version",), "", Kind.FLAG, "say which runtest.py this is, and stop"),
    OptionSpec(
        ("jobs", "j"),
        "jobs",
        Kind.VALUE,
        "run N tests at once, each worker in its own network namespace "
        "(default: 8 per CPU, fewer on a busy machine or with little memory; -DEBUG and "
        "-UPDATE run one at a time)",
        "N",
        lambda v: max(1, _number("--jobs")(v)),
    ),
)
_BY_NAME = {name: spec for spec in OPTIONS for name in spec.names}


def _row(left: str, help: str) -> str:
    text = textwrap.wrap(help, 100 - 21)
    pad = "\n" + " " * 21 if len(left) > 18 else " " * (19 - len(left))
    return f"  {left}{pad}" + ("\n" + " " * 21).join(text)


def usage() -> str:
    def rows(exim: bool) -> list[str]:
        return [_row(spec.usage(), spec.help) for spec in OPTIONS if spec.exim == exim]

    statuses = [*((f"{c.value} {c.name}", c.description) for c in ExitCode), INTERRUPTED]

    return "\n".join(
        [
            "usage: runtest.py [exim-binary] [options] [exim options] [first [last|+]]",
            "",
            "Exim runtest options (any case, one or two dashes):",
            *rows(True),
            "  -RANGE A B         run tests A to B",
            "Runner options:",
            *rows(False),
            "",
            "Exit status:",
            *(_row(left, help) for left, help in statuses),
            "",
        ]
    )


def reporters(opts: Options) -> list[RunListener]:
    """The report listeners the options ask for, in the order of OPTIONS."""
    return [
        spec.reporter(getattr(opts, spec.field))
        for spec in OPTIONS
        if spec.reporter is not None and getattr(opts, spec.field) is not None
    ]


def _is_binary(arg: str) -> bool:
    if arg.startswith("/"):
        return True
    return (
        not arg.startswith("-")
        and not arg.isdigit()
        and os.path.isfile(arg)
        and os.access(arg, os.X_OK)
    )


def parse_args(argv: list[str], cwd: Path | None = None) -> Options:
    """The frozen `Options` of a command line; a UsageError (or HelpRequested) if wrong."""
    values: dict[str, Any] = {"suite": default_suite(cwd or Path.cwd())}
    lists: dict[str, list[Any]] = {
        f.name: [] for f in fields(Options) if isinstance(f.default, tuple) and f.default == ()
    }

    def put(spec: OptionSpec, value: Any) -> None:
        if spec.field in lists:
            lists[spec.field].append(value)
        else:
            values[spec.field] = value

    args = list(argv)
    if args and _is_binary(args[0]):
        values["binary"] = args.pop(0)
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg in ("-h", "--help", "-help"):
            raise HelpRequested(usage())
        if arg in ("--version", "-version"):
            raise HelpRequested(f"runtest.py {runner_version()}")
        if not arg.startswith("-") or arg == "-":
            rest.append(arg)
            continue
        name, eq, inline = arg.lstrip("-").partition("=")
        key = name.lower()
        if key == "range":
            if i + 2 > len(args):
                raise UsageError("-RANGE needs two test numbers")
            values["selection"] = _selection(args[i : i + 2])
            i += 2
            continue
        spec = _BY_NAME.get(key)
        if arg.startswith("--") and spec is None:
            raise UsageError(f"unknown option --{name}{_did_you_mean(key)}")
        if arg.startswith("--") and spec is not None and spec.kind is Kind.FLAG and eq:
            raise UsageError(f"--{name} takes no value")
        if spec is None or (spec.kind is Kind.FLAG and eq):
            # As in Exim's harness, any other single-dash option is for exim (-d+all, say).
            lists["exim_args"].append(arg)
            continue
        if spec.kind is Kind.FLAG:
            if spec.field:
                put(spec, spec.value)
            continue
        if spec.kind is Kind.OPTIONAL:
            if eq:
                put(spec, spec.convert(inline))
            elif i < len(args) and not _ends_list(args[i]):
                put(spec, spec.convert(args[i]))
                i += 1
            else:
                put(spec, spec.value)
            continue
        if spec.kind in (Kind.MANY, Kind.SOME):
            taken = [inline] if eq else []
            while i < len(args) and not _ends_list(args[i]):
                taken.append(args[i])
                i += 1
            if not taken and spec.kind is Kind.MANY:
                raise UsageError(f"{arg} needs a value")
            lists[spec.field].extend([spec.convert(v) for v in taken] if taken else [spec.value])
            continue
        if eq:
            value = inline
        elif i < len(args):
            value = args[i]
            i += 1
        else:
            raise UsageError(f"{arg} needs a value")
        put(spec, spec.convert(value))
    if rest:
        values["selection"] = _selection(rest)
    values.update((name, tuple(taken)) for name, taken in lists.items())
    return Options(**values)


def _did_you_mean(key: str) -> str:
    """` (did you mean --X?)` for the long option nearest to a mistyped one, if any is."""
    longs = sorted({n for spec in OPTIONS for n in spec.names if len(n) > 1})
    near = difflib.get_close_matches(key, longs, n=1, cutoff=0.6)
    return f" (did you mean --{near[0]}?)" if near else "; see --help"


def _ends_list(arg: str) -> bool:
    """Whether `arg` ends the values of a MANY option: an option or a test number."""
    return arg.startswith("-") or arg.isdigit() or arg == "+"


def _selection(args: list[str]) -> tuple[int, int] | None:
    try:
        return parse_selection(args)
    except SelectionError as exc:
        raise UsageError(str(exc)) from exc
