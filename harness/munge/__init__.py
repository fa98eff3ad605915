"""Normalising ("munging") test output before it is compared with the expected files.

Every output file of a test is munged so that what varies from host to host and run to
run (times, ids, pids, names, addresses, library details) reads the same everywhere. One
`TestMunger` serves a whole test: message ids, pids and ports are renumbered in order of
first appearance across all its files, in the order the checker munges them.

The rules are data: see `rules_*.py` (by kind of file), `state.py` (renumbering and time
arithmetic), `ordering.py` (rules spanning lines) and `custom.py` (named extra munges).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from harness.core.generation import Generation
from harness.host.hostfacts import HostFacts
from harness.munge.custom import CUSTOM_MUNGES
from harness.munge.model import KINDS, FileRun, ValueCache, split_lines
from harness.munge.ordering import drop_truncation_variance, maildir_sort_key, sort_delivery_lines
from harness.munge.pipeline import compiled, run_file
from harness.munge.state import LONG_MSGID_PATTERN, MSGID_PATTERN

__all__ = [
    "CUSTOM_MUNGES",
    "KINDS",
    "LONG_MSGID_PATTERN",
    "MSGID_PATTERN",
    "TestMunger",
    "TestOptions",
    "drop_truncation_variance",
    "kind_for_path",
    "maildir_sort_key",
    "munge_file_for_display",
    "sort_delivery_lines",
    "split_lines",
]


@dataclass
class TestOptions:
    """What the munging of one test depends on besides the host."""

    __test__ = False  # not a pytest test class
    generation: Generation  # whose harness's munging to do
    testno: str = "0000"
    is_ipv6test: bool = False  # keep the addresses in "listening on port" lines
    rmfiltertest: bool = False  # drop the repeated headings of filter tests
    dynamic_port: int | None = None  # the port allocated for PORT_DYNAMIC, if any


class TestMunger:
    """Munges the output files of one test run, keeping the test's renumbering state."""

    __test__ = False  # not a pytest test class

    def __init__(self, facts: HostFacts, options: TestOptions) -> None:
        self.facts = facts
        self.options = options
        self.values = ValueCache(options.generation)

    def munge(self, text: str, kind: str, custom: str | None = None) -> tuple[str, bool]:
        """Munge one file's `text` of the given kind; `custom` names an extra munge.

        Returns the munged text and whether a "*** truncated ***" line was seen.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown output kind {kind!r}; expected one of {', '.join(KINDS)}")
        opts = self.options
        munge_line = compiled(
            self.facts,
            kind,
            opts.is_ipv6test,
            opts.rmfiltertest,
            opts.dynamic_port,
            custom,
            opts.generation,
        )
        run = FileRun(split_lines(text), kind, self.values)
        run_file(run, munge_line)
        return "".join(run.out), run.truncated

    def message_id(self, raw_id: str) -> str:
        """The stand-in for a raw message id (numbering it if it is new)."""
        return self.values.msgid(raw_id)

    def long_message_id(self, raw_id: str) -> str:
        """The stand-in for a raw message id of the 4.97 long form (its own numbering)."""
        return self.values.long_msgid(raw_id)

    def original_of(self, munged_id: str) -> str | None:
        """The raw value that was given the stand-in `munged_id`, if any."""
        return self.values.original_of(munged_id)


def kind_for_path(path: str) -> str:
    """Guess the kind of an output file from its name, as Exim's harness does: by the
    words stdout, stderr, log and mail in its last two path components."""
    tail = "/".join(PurePath(path).parts[-2:])
    if "stdout" in tail:
        return "stdout"
    if "stderr" in tail:
        return "stderr"
    if "log" in tail:
        for kind in ("paniclog", "rejectlog", "msglog"):
            if kind in tail:
                return kind
        return "mainlog"
    return "mail"


def munge_file_for_display(path: str | Path, facts: HostFacts, generation: Generation) -> str:
    """One file munged on its own, its kind guessed from its name (for --munge FILE)."""
    p = Path(path)
    try:
        text = p.read_bytes().decode("latin-1")
    except OSError as exc:
        raise ValueError(f"{p}: cannot read: {exc.strerror}") from exc
    munged, _ = TestMunger(facts, TestOptions(generation)).munge(text, kind_for_path(str(p)))
    return munged
