"""How commands are declared and found: `@command`, `CommandSpec`, `Completion`."""

from __future__ import annotations

import re
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from harness.case.context import (
    TestContext,
)
from harness.suite import script
from harness.suite.script import Command, Script


class CompletionKind(Enum):
    INLINE = 0  # nothing was run
    WAITED = 1  # a command ran and was waited for
    WAITED_EXIM = 2  # an exim command ran and was waited for
    STARTED = 3  # a process was started and left running (daemon, server)


@dataclass(frozen=True)
class Completion:
    """How a command ended."""

    kind: CompletionKind
    status: int = 0  # exit code, or -signal
    sigpipe: bool = False


class CommandError(Exception):
    """A command could not be carried out as written (bad file, missing program...)."""


Handler = Callable[[TestContext, Command, re.Match[str]], Completion]


@dataclass(frozen=True)
class CommandSpec:
    """A script command: how it is recognised and what runs it."""

    name: str
    pattern: re.Pattern[str]
    takes_data: bool
    handler: Handler
    examples: tuple[str, ...]
    utilities: tuple[str, ...] = ()  # Exim utilities it runs from eximdir


COMMANDS: list[CommandSpec] = []  # in the order of matching


def command(
    name: str, pattern: str, *examples: str, data: bool = False, utilities: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Declare the decorated function as the handler of command `name`."""

    def register(fn: Handler) -> Handler:
        if any(c.name == name for c in COMMANDS):
            raise ValueError(f"command {name!r} is declared twice")
        COMMANDS.append(CommandSpec(name, re.compile(pattern), data, fn, examples, utilities))
        return fn

    return register


def check_grammar(specs: Sequence[CommandSpec]) -> list[str]:
    """Problems with the declarations: examples that no pattern, or more than one, matches."""
    problems = []
    for spec in specs:
        if not spec.examples:
            problems.append(f"{spec.name}: no examples")
        for ex in spec.examples:
            matching = [s.name for s in specs if s.pattern.match(ex)]
            if matching != [spec.name]:
                problems.append(f"{spec.name}: example {ex!r} is matched by {matching}")
    return problems


def parse_script(path: Path) -> Script:
    """A script parsed with the commands declared here."""
    return script.parse_script(path, COMMANDS)


def spec_for(name: str) -> CommandSpec:
    return next(c for c in COMMANDS if c.name == name)


def utilities() -> tuple[str, ...]:
    """Every Exim utility that some command runs: the work directory copies them."""
    return tuple(dict.fromkeys(u for c in COMMANDS for u in c.utilities))


def describe_status(status: int) -> str:
    if status >= 0:
        return f"Return code {status}"
    return f"Killed by signal {-status} ({signal.Signals(-status).name})"
