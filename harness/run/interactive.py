"""At a terminal, after a failure: show it, and ask the person running the tests what to do.

As in Exim's harness: for each output file that differs, its munged diff, then "Continue,
Retry, Update current & retry, Quit? [Q]" (with "Save for flavour" when a flavour is in
use); for a command that failed or timed out, "show stdErr, show stdOut, Retry, Continue,
or Quit? [Q]". Text longer than the screen goes through a pager (`$PAGER`, else `less
-XF`). While a prompt or pager is up the console's status line is paused.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from enum import Enum
from pathlib import Path

from harness.case.compare import write_update
from harness.case.config import RunConfig
from harness.case.context import STDERR, STDOUT
from harness.case.testrun import TestExecutor, run_with_reruns
from harness.core.events import Listeners
from harness.core.results import Mismatch, Outcome, TestCase, TestResult
from harness.run.display import Console
from harness.suite.expectedfiles import split_generation


class Stop(Exception):
    """The run ends before its last test, as asked; the message says why."""


class Next(Enum):
    """What to do after a failure."""

    CONTINUE = "continue"
    RETRY = "retry"
    QUIT = "quit"


Read = Callable[[str], str]


class Prompt:
    """The terminal's side of a failure: shows it, pages long text, asks, echoes."""

    def __init__(
        self, console: Console, config: RunConfig, workdir: Path, read: Read = input
    ) -> None:
        self.console = console
        self.config = config
        self.workdir = workdir
        self.read = read

    def after_failure(self, result: TestResult) -> Next:
        """Show `result`'s failure and ask until the person decides."""
        if result.real_mismatches:
            for mismatch in result.real_mismatches:
                answer = self._file_differs(mismatch)
                if answer is not Next.CONTINUE:
                    return answer
            return Next.CONTINUE
        return self._command_failed(result)

    def _file_differs(self, m: Mismatch) -> Next:
        raw = f"{m.raw} (munged)" if m.raw else "the output"
        self.page(f"** Comparison of {raw} with {m.expected} failed: {m.message}\n{m.diff}")
        flavour = self._flavour_file(m)
        save = f"/Save for flavour '{self.config.flavour}'" if flavour else ""
        answer = self.ask(
            f"Continue, Retry, Update current{save} & retry, Quit? [Q] ",
            "crusq" if flavour else "cruq",
        )
        if answer in "us":
            target = flavour if answer == "s" and flavour else m.update_target
            write_update(self.config.files, target, m.new_text or "")
            self.say(f"wrote {target}")
            return Next.RETRY
        return {"c": Next.CONTINUE, "r": Next.RETRY}.get(answer, Next.QUIT)

    def _command_failed(self, result: TestResult) -> Next:
        self.page(f"** {result.outcome.label}: {result.reason}")
        while True:
            answer = self.ask(
                "show stdErr, show stdOut, Retry, Continue (without file "
                "comparison), or Quit? [Q] ",
                "eorcq",
            )
            if answer in "eo":
                name = STDERR if answer == "e" else STDOUT
                path = self.workdir / name
                text = path.read_bytes().decode("latin-1") if path.exists() else ""
                self.page(text or f"({name} is empty)")
                continue
            return {"r": Next.RETRY, "c": Next.CONTINUE}.get(answer, Next.QUIT)

    def _flavour_file(self, m: Mismatch) -> str | None:
        """The flavour's file for `m`, when a flavour is in use and `m` is not already it."""
        flavour = self.config.flavour
        if not flavour or split_generation(m.update_target)[0].endswith(f".{flavour}"):
            return None
        files = self.config.files
        name = f"{files.plain_name(m.expected)}.{flavour}"
        return files.target(name, name)

    # -- the terminal -----------------------------------------------------------------
    def ask(self, prompt: str, keys: str) -> str:
        """One of `keys` (RETURN or end of input: q), echoed as the word it stands for."""
        with self.console.paused():
            while True:
                try:
                    answer = self.read(prompt).strip().lower()[:1] or "q"
                except EOFError:
                    answer = "q"
                if answer in keys:
                    break
            print(f"  -> {_WORDS.get(answer, answer)}", flush=True)
        return answer

    def say(self, text: str) -> None:
        self.console.line(text)

    def page(self, text: str) -> None:
        """Show `text`; through the pager when it is longer than the screen."""
        with self.console.paused():
            rows = shutil.get_terminal_size((80, 24)).lines
            if text.count("\n") + 1 < rows - 2 or not sys.stdout.isatty():
                print(text.rstrip("\n"), flush=True)
                return
            pager = shlex.split(os.environ.get("PAGER") or "less -XF")
            try:
                subprocess.run(pager, input=text.encode("latin-1", "replace"), check=False)
            except OSError:
                print(text.rstrip("\n"), flush=True)


_WORDS = {
    "c": "continue",
    "r": "retry",
    "u": "update & retry",
    "s": "save for flavour & retry",
    "q": "quit",
    "e": "show stderr",
    "o": "show stdout",
}


def run_serially(
    executor: TestExecutor,
    cases: Sequence[TestCase],
    reruns: int,
    prompt: Prompt | None,
    listeners: Listeners,
    record: Callable[[TestResult], None],
) -> None:
    """Run the tests one by one; with a `prompt`, ask what to do after each failure."""
    for case in cases:
        listeners.test_started(case, 0)
        result = run_with_reruns(executor, case, reruns)
        while prompt is not None and result.outcome in (Outcome.FAILED, Outcome.TIMEOUT):
            answer = prompt.after_failure(result)
            if answer is Next.CONTINUE:
                break
            if answer is Next.QUIT:
                record(result)
                raise Stop("quit at the prompt")
            listeners.test_started(case, 0)
            result = run_with_reruns(executor, case, reruns)
        record(result)
