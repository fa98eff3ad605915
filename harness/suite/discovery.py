"""Finding the tests of a suite: `scripts/NNNN-Name/NNNN`, each with its directory's REQUIRES.

Discovery only reads the suite; whether the binary can run a test is decided later, by
`harness.suite.requirements`, once the binary has been probed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from harness.core.errors import SelectionError
from harness.core.results import TestCase
from harness.core.suitefiles import resolve
from harness.suite.requirements import read_requires

TEST_TOP = 8999
SPECIAL_TOP = 9999
_TEST_NAME = re.compile(r"^\d+(?:\.\d+)?$")


def parse_selection(args: list[str]) -> tuple[int, int] | None:
    """`first [last|+]` as Exim's runtest takes it; None means every test."""
    if not args:
        return None
    if len(args) > 2:
        raise SelectionError(f"too many test numbers: {' '.join(args)}")
    try:
        first = int(args[0])
        if len(args) == 1:
            return first, first
        if args[1] == "+":
            return first, SPECIAL_TOP if first >= 9000 else TEST_TOP
        last = int(args[1])
    except ValueError as exc:
        raise SelectionError(f"test numbers must be numbers or '+': {' '.join(args)}") from exc
    if last < first:
        raise SelectionError(f"last test {last} is before first test {first}")
    return first, last


def selection_number(name: str) -> int:
    """The number a test is selected by: "5000.1" is test 5000."""
    return int(float(name))


def _title(path: Path) -> str:
    try:
        with resolve(path).open("rb") as fh:
            first = fh.readline().decode("latin-1").rstrip("\n")
    except OSError:
        return ""
    return first[2:].strip() if first.startswith("#") else ""


def check_suite(suite: Path) -> None:
    """A SelectionError unless `suite` looks like an Exim-format suite."""
    if not suite.is_dir():
        raise SelectionError(f"{suite}: no such directory; is --suite right?")
    scripts = suite / "scripts"
    if not scripts.is_dir():
        raise SelectionError(f"{scripts}: no scripts directory; is --suite right?")
    try:
        next(scripts.iterdir(), None)
    except OSError as exc:
        raise SelectionError(f"{scripts}: cannot read: {exc.strerror}") from exc


def discover(
    suite: Path, selection: tuple[int, int] | None, only: Iterable[int] = ()
) -> list[TestCase]:
    """The suite's tests in the selection (`first, last`), in order; `only` keeps just the
    tests with those numbers (-TEST N)."""
    check_suite(suite)
    lo, hi = selection or (0, TEST_TOP)
    wanted_numbers = set(only)
    cases: list[TestCase] = []
    for d in sorted(p for p in (suite / "scripts").iterdir() if p.is_dir() and p.name != "CVS"):
        try:
            numbers = sorted(
                (p for p in d.iterdir() if _TEST_NAME.match(p.name)), key=lambda p: float(p.name)
            )
        except OSError as exc:
            raise SelectionError(f"{d}: cannot read: {exc.strerror}") from exc
        wanted = [
            p
            for p in numbers
            if lo <= selection_number(p.name) <= hi
            and (not wanted_numbers or selection_number(p.name) in wanted_numbers)
        ]
        if not wanted:
            continue
        requires = read_requires(d / "REQUIRES")
        cases += [TestCase(p.name, d.name, p, _title(p), requires) for p in wanted]
    return cases
