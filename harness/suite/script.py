"""Parsing test scripts (`scripts/NNNN-Name/NNNN`) into steps, before anything runs.

A script is a title comment, then commands separated by comments and blank lines. A command
may be preceded by an expected return code line (`N`, `~N` for "anything but N", optionally
with `VAR=value` to set in the command's environment), may continue over lines ending in `\\`,
and some commands take data lines up to a line `****`. Lines such as `no_msglog_check` set
flags for the whole script, wherever they are. Errors name the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from harness.core.suitefiles import read_text
from harness.suite.requirements import NEEDS

END_DATA = re.compile(r"^\*{4}\s*$")
# `write` with sizes: the lines before the sized ones end at ++++; a **** there ends the
# whole command (the sizes are then not written), as from Exim 4.99.
END_PREDATA = re.compile(r"^(?:\+{4}|\*{4})\s*$")
_RC_LINE = re.compile(r"^(~)?(\d+)\s*(?:([A-Z]+)=(\S+))?$")
_COMMENT_OR_BLANK = re.compile(r"^(?:#(?!##\s)|\s*$)")

# Words that set a flag for the whole script, wherever they stand, and what each does.
FLAGS: dict[str, str] = {
    "no_message_check": "delivered mail is not compared",
    "no_msglog_check": "message logs are not compared",
    "no_stderr_check": "stderr is not compared",
    "no_stdout_check": "stdout is not compared",
    "rmfiltertest": "the repeated headings of filter tests are dropped",
    "sortlog": "delivery lines of the main log are sorted",
    "no_munge": "output is compared unmunged",
}


class Syntax(Protocol):
    """How a command is recognised: what the parser needs of a command's declaration."""

    @property
    def name(self) -> str: ...

    @property
    def pattern(self) -> re.Pattern[str]: ...

    @property
    def takes_data(self) -> bool: ...


class ScriptError(Exception):
    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


@dataclass
class Expect:
    code: int = 0
    negate: bool = False
    env: dict[str, str] = field(default_factory=dict)

    def met_by(self, code: int) -> bool:
        return (code != self.code) if self.negate else (code == self.code)

    def describe(self) -> str:
        return f"{'not ' if self.negate else ''}{self.code}"


@dataclass
class Command:
    """One command of a script, with the data lines it takes (unsubstituted)."""

    name: str
    line: int
    text: str
    data: list[str] = field(default_factory=list)
    predata: list[str] | None = None  # `write` with sizes: lines before `++++`
    sized: bool = True  # `write` with sizes: False when `****` ended the pre-data
    expect: Expect = field(default_factory=Expect)
    number: int = 0  # the command's position among the script's commands


@dataclass
class Script:
    path: Path
    title: str
    commands: list[Command]
    flags: set[str]
    needs: list[str]  # need_* words, in order
    uses_dynamic_port: bool


def classify(text: str, grammar: Sequence[Syntax]) -> tuple[Syntax, re.Match[str]] | None:
    """The first declared command whose pattern matches `text`."""
    for syntax in grammar:
        m = syntax.pattern.match(text)
        if m:
            return syntax, m
    return None


def parse_script(path: Path, grammar: Sequence[Syntax]) -> Script:
    raw = path.read_bytes() if path.is_file() else None
    if raw is None:
        raise ScriptError(path, 0, "script file not found")
    head = raw[:4096]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if head and controls > 0.1 * len(head):
        raise ScriptError(path, 1, "script is not a text file")
    return parse_text(path, read_text(path), grammar)


def parse_text(path: Path, text: str, grammar: Sequence[Syntax]) -> Script:
    # Split on newlines only: data lines may hold any other byte, CR included.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    flags = {w for w in FLAGS for ln in lines if ln.startswith(w)}
    dynamic = any(re.search(r"\bPORT_DYNAMIC\b", ln) for ln in lines)
    if not lines or not lines[0].startswith("#"):
        raise ScriptError(path, 1, "missing identifying comment at start of script")
    title = lines[0][2:].strip() if len(lines[0]) > 1 else ""
    commands: list[Command] = []
    needs: list[str] = []
    i = 1
    n = len(lines)

    def read_data(start: int, end: re.Pattern[str] = END_DATA) -> tuple[list[str], int]:
        out: list[str] = []
        j = start
        while j < n:
            if end.match(lines[j]):
                return out, j + 1
            out.append(lines[j])
            j += 1
        # As in Exim's harness, the end of the file also ends the last command's data.
        return out, j

    while i < n:
        line = lines[i]
        lineno = i + 1
        if any(line.startswith(w) for w in FLAGS) or _COMMENT_OR_BLANK.match(line):
            i += 1
            continue
        need = next((w for w in NEEDS if line.startswith(w)), None)
        if need:
            needs.append(need)
            i += 1
            continue
        expect = Expect()
        rc = _RC_LINE.match(line)
        if rc:
            expect = Expect(int(rc.group(2)), bool(rc.group(1)))
            if rc.group(3):
                expect.env[rc.group(3)] = rc.group(4)
            i += 1
            if i >= n:
                raise ScriptError(path, lineno, "return code line at end of script, no command")
            line = lines[i]
            lineno = i + 1
        # Join continuation lines.
        cmd = line.rstrip()
        i += 1
        while cmd.endswith("\\"):
            cmd = cmd[:-1]
            if i >= n:
                break
            cmd += lines[i].strip()
            i += 1
        found = classify(cmd, grammar)
        if found is None:
            raise ScriptError(path, lineno, f"unknown command: {cmd}")
        syntax, m = found
        name = syntax.name
        step = Command(name=name, line=lineno, text=cmd, expect=expect)
        if name == "background":
            if i >= n:
                raise ScriptError(path, lineno, "background: no command line follows")
            step.data = [lines[i]]
            _, i = read_data(i + 1)
        elif name == "write" and m.group(3):
            step.predata, i = read_data(i, END_PREDATA)
            if i > 0 and i <= n and END_DATA.match(lines[i - 1]):
                step.sized = False
            else:
                step.data, i = read_data(i)
        elif syntax.takes_data:
            step.data, i = read_data(i)
        step.number = len(commands) + 1
        commands.append(step)
    return Script(
        path=path,
        title=title,
        commands=commands,
        flags=flags,
        needs=needs,
        uses_dynamic_port=dynamic,
    )
