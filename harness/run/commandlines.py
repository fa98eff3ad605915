"""The command lines a run prints for later: one test again, or accepting new output."""

from __future__ import annotations

from pathlib import Path

from harness.case.config import RunConfig
from harness.core.options import Options
from harness.core.paths import CHECKOUT, REPO, runtest_command


def _runtest(suite: Path) -> list[str]:
    """runtest.py as the person typed it here, and the suite when it is not the default."""
    default = REPO if CHECKOUT else None
    return [runtest_command(), *(["--suite", str(suite)] if suite != default else [])]


def rerun_command(opts: Options, config: RunConfig, root: Path) -> str:
    """The start of a command line that runs one of this run's tests again on its own."""
    runtest, *suite = _runtest(config.suite)
    words = [runtest, str(config.binary), *suite]
    if opts.harness:
        words += ["--harness", opts.harness.label]
    if opts.flavour:
        words += ["-FLAVOUR", opts.flavour]
    if opts.tls:
        words += ["-TLS", opts.tls]
    if opts.workdir:  # a build's trust list names the work directory's configurations
        words += ["--workdir", str(root)]
    return " ".join([*words, *opts.exim_args])


def accept_command(opts: Options, config: RunConfig, root: Path) -> str:
    """The start of a command line that accepts a test's new output from this run."""
    words = _runtest(config.suite)
    if opts.workdir:
        words += ["--workdir", str(root)]
    return " ".join([*words, "--accept"])
