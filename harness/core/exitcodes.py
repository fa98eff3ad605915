"""The exit statuses of runtest.py, as pytest's `ExitCode`: each member says what it means.

A leaf module: `errors` gives each error its status from here, and the usage text lists
them. A run ended by a signal exits 128 + the signal's number (130 for SIGINT), as a shell
reports it: computed by `interrupted`, not a member.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0, "every test passed, was skipped or failed as expected (or nothing to do)"
    TESTS_FAILED = (
        1,
        (
            "a test failed, errored, timed out or passed though expected to "
            "fail; or output to accept had changed since the run"
        ),
    )
    HARNESS_ERROR = (
        2,
        (
            "the command line, suite, binary, host or work directory is wrong: "
            "the run could not start or go on"
        ),
    )
    NO_TESTS = 5, "no tests were selected"

    description: str

    def __new__(cls, value: int, description: str) -> ExitCode:
        member = int.__new__(cls, value)
        member._value_ = value
        member.description = description
        return member


INTERRUPTED = ("128+N", "the run was interrupted by signal N (130: SIGINT); what ran is reported")


def interrupted(signum: int) -> int:
    """The exit status of a run ended by signal `signum`."""
    return 128 + signum
