"""`--review` and `--accept`: taking a failing test's new output into the suite, on purpose.

The new output comes from the store a run keeps (`harness.reports.savedoutput`): this
machine's last run (the work directory's `new-output/`) or a directory saved by a CI job
(`--save-output DIR`). `--review` shows each file's diff at a terminal and asks: accept,
reject, skip, accept all remaining, quit. `--accept` takes everything, or the tests named.
Accepting writes the file -UPDATE would write (the flavour's or harness generation's where
the test has or gets one, `harness.suite.expectedfiles`) atomically; a file that changed since the
run is left alone and named. Nothing else writes into a suite.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from harness.case.compare import unified_diff, write_expected
from harness.core.errors import UsageError
from harness.core.exitcodes import ExitCode
from harness.core.suitefiles import ENCODING
from harness.reports.savedoutput import FILES, Entry, Store, digest


@dataclass
class Tally:
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    stale: int = 0
    already: int = 0  # the suite has the new text already (accepted before)


ALREADY = "already accepted"


def open_store(directory: Path) -> Store:
    try:
        return Store.load(directory)
    except FileNotFoundError:
        raise UsageError(
            f"{directory}: no saved output (run the tests first, or name the "
            "directory a CI job saved with --save-output)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(f"{directory}: not a saved-output directory ({exc})") from exc


def accept_entry(store: Store, suite: Path, entry: Entry) -> str | None:
    """Write one entry into the suite; why not, when it was not written (ALREADY when
    the suite has the new text already)."""
    target = suite / entry.file
    now = digest(target)
    if now != entry.old_digest:
        if (
            entry.action == "remove"
            and now is None
            or entry.action == "write"
            and now == digest(store.directory / FILES / entry.file)
        ):
            return ALREADY
        return f"{entry.file} has changed since the run: left alone"
    if entry.action == "remove":
        target.unlink(missing_ok=True)
    else:
        keep = entry.keep_empty or bool(store.flavour) and entry.file.endswith(f".{store.flavour}")
        write_expected(target, store.new_text(entry), keep)
    return None


def current_diff(store: Store, suite: Path, entry: Entry) -> str:
    """The diff accepting would make: from the file the run compared with (the target
    itself, unless it is a new generation's file) to the new text."""
    target = suite / entry.file
    source = target if target.exists() or not entry.compared else suite / entry.compared
    old = source.read_bytes().decode(ENCODING) if source.exists() else ""
    new = "" if entry.action == "remove" else store.new_text(entry)
    name = source.relative_to(suite).as_posix() if source.exists() else "/dev/null"
    return unified_diff(old, new, name, f"{entry.file} (new)")


def _selected(store: Store, tests: set[str]) -> list[Entry]:
    return [e for e in store.entries if not tests or e.test in tests]


def accept_all(
    store: Store, suite: Path, tests: set[str], say: Callable[[str], None] = print
) -> Tally:
    tally = Tally()
    for entry in _selected(store, tests):
        if _take(store, suite, entry, tally, say):
            say(f"accepted {entry.file} ({'removed' if entry.action == 'remove' else 'written'})")
    return tally


def _take(
    store: Store, suite: Path, entry: Entry, tally: Tally, say: Callable[[str], None]
) -> bool:
    """Accept one entry, counting it in `tally` and saying why when it was not written."""
    problem = accept_entry(store, suite, entry)
    if problem == ALREADY:
        say(f"{entry.file}: {ALREADY}")
        tally.already += 1
    elif problem:
        say(f"** {problem}")
        tally.stale += 1
    else:
        tally.accepted += 1
    return problem is None


# The keys in brackets; lower-case a accepts this file, capital A every one left.
REVIEW_PROMPT = "[a]ccept, [r]eject, [s]kip, accept [A]ll remaining, [q]uit? [s] "


def review(
    store: Store,
    suite: Path,
    tests: set[str],
    ask: Callable[[str], str] = input,
    say: Callable[[str], None] = print,
) -> Tally:
    """Walk the entries one by one; `ask` gets the prompt and returns the answer."""
    tally = Tally()
    entries = _selected(store, tests)
    for i, entry in enumerate(entries):
        say(
            f"\n[{i + 1}/{len(entries)}] test {entry.test}: {entry.file}"
            + (" (the run made no such output: remove it)" if entry.action == "remove" else "")
        )
        say(current_diff(store, suite, entry).rstrip("\n"))
        while True:
            try:
                answer = ask(REVIEW_PROMPT).strip()
            except EOFError:
                answer = "q"
            answer = answer[:1] or "s"
            if answer in "aArRsSqQ":
                break
        if answer == "A":
            rest = accept_all(
                Store(store.directory, store.suite, store.flavour, entries[i:]), suite, set(), say
            )
            tally.accepted += rest.accepted
            tally.stale += rest.stale
            tally.already += rest.already
            return tally
        if answer in "qQ":
            tally.skipped += len(entries) - i
            return tally
        if answer in "aA":
            _take(store, suite, entry, tally, say)
        elif answer in "rR":
            tally.rejected += 1
        else:
            tally.skipped += 1
    return tally


def run_review(directory: Path, suite: Path, tests: set[str], interactive: bool) -> int:
    store = open_store(directory)
    if not store.entries:
        print(f"nothing to review in {directory}: the run's failures had no new output")
        return ExitCode.OK
    if interactive:
        if not sys.stdin.isatty():
            raise UsageError("--review asks at a terminal; use --accept to accept without asking")
        tally = review(store, suite, tests)
    else:
        tally = accept_all(store, suite, tests)
    print(
        f"{tally.accepted} accepted, {tally.rejected} rejected, {tally.skipped} skipped"
        + (f", {tally.already} accepted before" if tally.already else "")
        + (f", {tally.stale} changed since the run" if tally.stale else "")
    )
    return ExitCode.TESTS_FAILED if tally.stale else ExitCode.OK
