"""Errors that end a run before or between tests: each is shown as one line, exit status 2
(`ExitCode.HARNESS_ERROR`).

Everything a user can get wrong (the command line, the suite, the binary, the host) raises
a `HarnessError`; `main` catches it once. Problems inside one test are not errors of this
kind: they become that test's ERROR result and the run goes on.
"""

from __future__ import annotations

from harness.core.exitcodes import ExitCode


class HarnessError(Exception):
    """The run cannot go on; the message says why and, where it can, what to do."""

    exit_status: ExitCode = ExitCode.HARNESS_ERROR


class UsageError(HarnessError):
    """The command line is wrong."""


class HelpRequested(HarnessError):
    """-h or --help: the message is the usage text."""

    exit_status = ExitCode.OK


class SelectionError(HarnessError):
    """The suite or the test selection is wrong."""


class ProbeError(HarnessError):
    """The host or its accounts cannot run the suite."""


class BinaryError(HarnessError):
    """The Exim binary cannot be used for testing."""


class WorkDirError(HarnessError):
    """The work directory cannot be made or used."""
