"""The building blocks of munging: output kinds, steps, and the per-file run they act on.

A file is munged line by line (each line keeps its "\\n") through an ordered list of
steps. A step gets the current line and returns the line to carry on with, or None to
drop it. Steps are stateless and shared between tests; whatever must be remembered lives
in the `FileRun` (per file) or in its `values` (per test, see `ValueCache`).

Steps that look ahead pull raw lines with `FileRun.read()`; ones that must write out of
turn use `FileRun.emit()`. A step may restart the whole list with a fresh line by raising
`Restart`, or end the file early by raising `EndOfInput`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal, TypeVar

from harness.core.generation import Generation, applies

KINDS = ("stdout", "stderr", "mainlog", "paniclog", "rejectlog", "msglog", "mail")

ALL = frozenset(KINDS)
LOGS = frozenset({"mainlog", "paniclog", "rejectlog", "msglog"})
STDOUT = frozenset({"stdout"})
STDERR = frozenset({"stderr"})
MAIL = frozenset({"mail"})

# Which kind-specific block of rules a kind gets (the logs and msglogs share one).
FAMILY = {k: ("log" if k in LOGS else k) for k in KINDS}

TRUNCATED = "*** truncated ***"


def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """Compile with ASCII classes: output is read as latin-1, one char per byte."""
    return re.compile(pattern, re.ASCII | flags)


def utf8_bytes(text: str) -> str:
    """`text` as its UTF-8 bytes seen through latin-1, the way raw output arrives."""
    return text.encode("utf-8").decode("latin-1")


class Restart(Exception):
    """Run the whole step list again from the top on `line`; None (the look-ahead ran
    off the end of the file) ends the file there, held lines unwritten."""

    def __init__(self, line: str | None) -> None:
        super().__init__()
        self.line = line


class EndOfInput(Exception):
    """Stop munging this file; nothing more is written."""


# -- per-test renumbering state ----------------------------------------------------

# The stand-ins for message ids of the short and the long form (see state.MSGID_PATTERN).
MSGID_FORMAT = "10Hm{}-0005vi-00"
LONG_MSGID_FORMAT = "10Hm{}-000000005vi-0000"


def next_tag(tag: str) -> str:
    """The next value of an alphanumeric counter: "aX" -> "aY", "aZ" -> "bA", "zz" -> "aaa".

    Letters stay letters of the same case and digits stay digits, carrying leftwards.
    """
    chars = list(tag)
    i = len(chars) - 1
    while i >= 0:
        c = chars[i]
        if c == "z":
            chars[i] = "a"
        elif c == "Z":
            chars[i] = "A"
        elif c == "9":
            chars[i] = "0"
        else:
            chars[i] = chr(ord(c) + 1)
            return "".join(chars)
        i -= 1
    first = tag[0]
    lead = "1" if first.isdigit() else ("A" if first.isupper() else "a")
    return lead + "".join(chars)


@dataclass
class ValueCache:
    """Per-test map from raw values to their stand-ins, with their sequences.

    One map serves message ids, pids, ports and connection ids, as in Exim's harness: a
    raw text seen before gets the same stand-in whatever it is. From 4.97 the two forms
    of message id count separately; from 4.99 ephemeral ports count from 10001.
    """

    generation: Generation
    seen: dict[str, str] = field(default_factory=dict)
    msgid_tag: str = "aX"
    long_msgid_tag: str = "aX"  # 4.97+: long message ids
    pid: int = 1234
    port: int = -1  # set from the generation
    conn: int = 1111  # 4.99+: connection_id numbers

    def __post_init__(self) -> None:
        if self.port < 0:
            self.port = 10001 if self.generation >= Generation.G4_99 else 1111

    def msgid(self, raw: str) -> str:
        new = self.seen.get(raw)
        if new is None:
            new = self.seen[raw] = MSGID_FORMAT.format(self.msgid_tag)
            self.msgid_tag = next_tag(self.msgid_tag)
        return new

    def long_msgid(self, raw: str) -> str:
        """The stand-in for a long message id (`10HmaX-000000005vi-0000`), own counter."""
        new = self.seen.get(raw)
        if new is None:
            new = self.seen[raw] = LONG_MSGID_FORMAT.format(self.long_msgid_tag)
            self.long_msgid_tag = next_tag(self.long_msgid_tag)
        return new

    # `prefix` is part of the stand-in, and so of what the map remembers: from 4.97 a pid
    # is "p1234" (and "conn1111" a connection id), and the same raw text met later in
    # another shape gets that stand-in back, prefix and all, as in Exim's harness.

    def conn_for(self, raw: str, prefix: str = "") -> str:
        return self._numbered(raw, "conn", prefix)

    def pid_for(self, raw: str, prefix: str = "") -> str:
        return self._numbered(raw, "pid", prefix)

    def port_for(self, raw: str, prefix: str = "") -> str:
        return self._numbered(raw, "port", prefix)

    def _numbered(self, raw: str, counter: Literal["conn", "pid", "port"], prefix: str) -> str:
        """`raw`'s stand-in: the one it got before, else `prefix` and the next number of
        the counter named."""
        new = self.seen.get(raw)
        if new is None:
            number = getattr(self, counter)
            new = self.seen[raw] = f"{prefix}{number}"
            setattr(self, counter, number + 1)
        return new

    def original_of(self, new: str) -> str | None:
        for raw, value in self.seen.items():
            if value == new:
                return raw
        return None


@dataclass
class FileRun:
    """One file being munged: the raw lines, the output so far and per-file state."""

    lines: list[str]
    kind: str
    values: ValueCache
    pos: int = 0
    out: list[str] = field(default_factory=list)
    truncated: bool = False
    daemon_pid: str | None = None  # leading pid of a daemon's lines, once seen
    held: list[str] = field(default_factory=list)  # lines waiting to be sorted

    def read(self) -> str | None:
        """The next raw line, or None at the end of the file."""
        if self.pos >= len(self.lines):
            return None
        self.pos += 1
        return self.lines[self.pos - 1]

    def emit(self, text: str) -> None:
        self.out.append(text)


def split_lines(text: str) -> list[str]:
    """Split on "\\n" only, keeping it; other control characters are ordinary text."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


class Step:
    """Something done to each line in turn. Subclasses set `name`, `kinds` (the output
    kinds it applies to) and `reason`, and override `apply`.

    Every step class is a `dataclass(eq=False)` (steps compare by identity): what a step
    is built from are its fields, and what is the same for every instance (for a step
    with no parameters, `name`, `kinds` and `reason` too) are plain class attributes.
    """

    name: str
    kinds: frozenset[str]
    reason: str
    # A test that, when it fails, means `apply` would leave the line alone and change
    # nothing else; compiled pipelines use it to skip the call.
    guard: Guard | None = None
    # The harness generations the step belongs to: from `since`, up to (not including)
    # `until`. Rules and skips take them as arguments; other steps through `within`.
    since: Generation = Generation.G4_96
    until: Generation | None = None

    def in_generation(self, generation: Generation) -> bool:
        return applies(self.since, self.until, generation)

    def at(self, generation: Generation) -> Step:
        """The step as it is in `generation` (one it is in): itself, unless its make-up
        changes with the generation (see `ByGeneration`)."""
        return self

    def apply(self, line: str, run: FileRun) -> str | None:
        raise NotImplementedError


Needle = str | tuple[str, ...] | None
Repl = str | Callable[[re.Match[str]], str]

DIGITS = "0123456789"
WHITESPACE = " \t\n\r\f\v"


@dataclass(frozen=True)
class Guard:
    """A cheap test a line must pass before a rule's pattern is worth running.

    `needle`: text every match contains (a tuple: any one of them); with `fold` the line
    is compared in lower case (for case-blind patterns; needles then are lower case).
    `first`: the characters a line can start with for the pattern to match.
    """

    needle: Needle = None
    first: str | None = None
    fold: bool = False

    def check(self, line: str) -> bool:
        if self.first is not None and (not line or line[0] not in self.first):
            return False
        if self.needle is None:
            return True
        text = line.lower() if self.fold else line
        if isinstance(self.needle, str):
            return self.needle in text
        return any(n in text for n in self.needle)

    def expr(self, names: dict[str, object], tag: str) -> str:
        """The same test as Python source over a variable `line`, for compiled pipelines;
        constants it needs are added to `names`."""
        parts = []
        if self.first is not None:
            names[f"first_{tag}"] = frozenset(self.first)
            parts.append(f"line[:1] in first_{tag}")
        if self.needle is not None:
            text = "line.lower()" if self.fold else "line"
            needles = (self.needle,) if isinstance(self.needle, str) else self.needle
            parts.append("(" + " or ".join(f"{n!r} in {text}" for n in needles) + ")")
        return " and ".join(parts) or "True"


def guard_for(needle: Needle, first: str | None, flags: int) -> Guard:
    fold = bool(flags & re.IGNORECASE)
    if fold and needle is not None:
        needle = needle.lower() if isinstance(needle, str) else tuple(n.lower() for n in needle)
    return Guard(needle, first, fold)


@dataclass(eq=False)
class Rule(Step):
    """Replace what `pattern` matches (first match, or all when `every`) with `repl`.

    `needle` and `first` make the rule's `Guard` (see there). `when` is a further pattern
    the line must contain for the rule to apply at all.

    Compiled pipelines write plain rules out inline instead of calling `apply`; a subclass
    is called like any other step (behind `guard`, which an `apply` override must keep
    true to its name, or set to None).
    """

    name: str
    pattern: str
    repl: Repl
    reason: str
    kinds: frozenset[str] = ALL
    every: bool = False
    needle: Needle = None
    flags: int = 0
    when: str | None = None
    first: str | None = None
    since: Generation = Generation.G4_96
    until: Generation | None = None
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.regex = rx(self.pattern, self.flags)
        self.count = 0 if self.every else 1
        self.guard = guard_for(self.needle, self.first, self.flags)
        self.condition = rx(self.when) if self.when else None

    def apply(self, line: str, run: FileRun | None = None) -> str | None:
        if not self.guard.check(line):
            return line
        if self.condition is not None and not self.condition.search(line):
            return line
        return self.regex.sub(self.repl, line, self.count)


@dataclass(eq=False)
class Skip(Step):
    """Drop every line that `pattern` matches (inline in compiled pipelines, as `Rule`)."""

    name: str
    pattern: str
    reason: str
    kinds: frozenset[str] = ALL
    needle: Needle = None
    flags: int = 0
    first: str | None = None
    since: Generation = Generation.G4_96
    until: Generation | None = None
    guard: Guard = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.regex = rx(self.pattern, self.flags)
        self.guard = guard_for(self.needle, self.first, self.flags)

    def apply(self, line: str, run: FileRun | None = None) -> str | None:
        if self.guard.check(line) and self.regex.search(line):
            return None
        return line


def rules_for(kinds: frozenset[str]) -> tuple[Callable[..., Rule], Callable[..., Skip]]:
    """Constructors of `Rule` and `Skip` with `kinds` fixed, for a table of rules that
    all apply to the same kinds of file: `_rule, _skip = rules_for(STDERR)`."""
    return partial(Rule, kinds=kinds), partial(Skip, kinds=kinds)


S = TypeVar("S", bound=Step)


def within(step: S, since: Generation = Generation.G4_96, until: Generation | None = None) -> S:
    """`step`, belonging only to the generations from `since` up to `until` (exclusive)."""
    step.since, step.until = since, until
    return step


@dataclass(eq=False)
class ByGeneration(Step):
    """One step whose make-up changes with the harness generation: `forms` are what it is
    in each range of generations, in order, the ranges neither overlapping nor in gaps
    (see `by_generation`). A pipeline takes the form of its generation (`at`)."""

    name: str
    forms: tuple[Step, ...]

    def __post_init__(self) -> None:
        first, last = self.forms[0], self.forms[-1]
        for a, b in zip(self.forms, self.forms[1:], strict=False):
            if a.until != b.since:
                raise ValueError(f"{self.name}: forms must follow on from each other")
        self.since, self.until = first.since, last.until
        self.kinds = frozenset().union(*(f.kinds for f in self.forms))
        self.reason = first.reason

    def at(self, generation: Generation) -> Step:
        for form in self.forms:
            if form.in_generation(generation):
                return form
        raise ValueError(f"{self.name} is not in {generation.label}")

    def apply(self, line: str, run: FileRun) -> str | None:
        raise TypeError(f"{self.name}: take the form of a generation first (at)")


# What changes in one generation's form of a step: its arguments (keywords), or just its
# pattern (a string); or a step made otherwise, used as it is; None: the step is dropped
# from that generation on.
Form = str | Mapping[str, Any] | Step | None


def by_generation(
    make: Callable[..., Step], name: str, forms: Mapping[Generation, Form], **shared: Any
) -> ByGeneration:
    """One step `name` made by `make`, whose arguments change with the generation.

    `forms` maps the first generation of each form to what changes from there on; each
    form takes `shared` and the changes of the forms before it, then its own:

        by_generation(_skip, "dh-default", {G4_96: r"^DH", G4_97: r"^ DH"}, reason=...)
    """
    starts = sorted(forms)
    made: list[Step] = []
    args: dict[str, Any] = dict(shared)
    for i, since in enumerate(starts):
        change = forms[since]
        if change is None:
            if i != len(starts) - 1:
                raise ValueError(f"{name}: only the last form can drop the step")
            break
        until = starts[i + 1] if i + 1 < len(starts) else None
        if isinstance(change, Step):
            made.append(within(change, since, until))
            continue
        args.update({"pattern": change} if isinstance(change, str) else change)
        made.append(within(make(name=name, **args), since, until))
    return ByGeneration(name, tuple(made))


def for_kind(steps: Iterable[Step], kind: str, generation: Generation) -> list[Step]:
    """The steps that apply to files of `kind` under the harness `generation`, each in
    its form for that generation."""
    chosen = (s.at(generation) for s in steps if s.in_generation(generation))
    return [s for s in chosen if kind in s.kinds]
