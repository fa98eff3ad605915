"""Parsing test scripts (`scripts/NNNN-Name/NNNN`) into steps, before anything runs.

A script is a title comment, then commands separated by comments and blank lines. A command
may be preceded by an expected return code line (`N`, `~N` for "anything but N", optionally
with `VAR=value` to set in the command's environment), may continue over lines ending in `\\`,
and some commands take data lines up to a line `****`. Lines such as `no_msglog_check` set
flags for the whole script, wherever they are. Errors name the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.suitefiles import read_text

END_DATA = re.compile(r"^\*{4}\s*$")
END_PREDATA = re.compile(r"^\+{4}\s*$")
_RC_LINE = re.compile(r"^(~)?(\d+)\s*(?:([A-Z]+)=(\S+))?$")
_COMMENT_OR_BLANK = re.compile(r"^(?:#(?!##\s)|\s*$)")

FLAG_WORDS = (
    "no_message_check",
    "no_msglog_check",
    "no_stderr_check",
    "no_stdout_check",
    "rmfiltertest",
    "sortlog",
    "no_munge",
)
NEED_WORDS = ("need_largefiles", "need_ipv4", "need_ipv6", "need_move_frozen_messages")

EXIM_COMMAND = re.compile(
    r"^(?P<env>(?i:[A-Z\d_]+=\S+\s+)+)?(?P<wait>\d+)?\s*"
    r"(?P<sudo>sudo(?:\s+-u\s+(?P<user>\w+))?\s+)?exim(?P<special>_\S+)?\s+(?P<args>.*)$"
)

# (name, pattern, takes data lines up to ****); the first match names the command.
_COMMANDS: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (name, re.compile(pattern), data)
    for name, pattern, data in (
        ("dbmbuild", r"^dbmbuild\s+(\S+)\s+(\S+)", False),
        ("dump", r"^dump\s+(\S+)", False),
        ("comment", r"^###\s", False),
        ("echo", r"^echo\s+(.*)$", False),
        ("exim_lock", r"^exim_lock\s+(.*)$", False),
        ("exinext", r"^exinext\s+(.*)", False),
        ("exigrep", r"^exigrep\s+(.*)", False),
        ("exiqgrep", r"^exiqgrep(\s+.*)?$", False),
        ("eximstats", r"^eximstats\s+(.*)", False),
        ("gnutls", r"^gnutls", False),
        ("killdaemon", r"^killdaemon", False),
        ("millisleep", r"^millisleep\s+(\d+)\s*$", False),
        ("munge", r"^munge\s+(.*)$", False),
        ("sleep", r"^sleep\s+(\d+)\s*$", False),
        ("shell", r"^(?:ln|ls|du|mkdir|mkfifo|touch|cp|cat)\s", False),
        ("sudo_shell", r"^sudo\s(?:rmdir|rm|mv|chown|chmod)\s", False),
        ("server", r"^server\s+(.*)$", True),
        ("write", r"^(cat)?write\s+(\S+)(?:\s+(.*))?\s*$", True),
        ("client", r"^client", True),
        ("perl", r"^(sudo\s+)?perl\b", True),
        ("exim", EXIM_COMMAND.pattern, True),
        ("background", r"^background$", True),
    )
)


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
class Step:
    """One command of a script, with the data lines it takes (unsubstituted)."""

    name: str
    line: int
    text: str
    match: re.Match[str] | None = None
    data: list[str] = field(default_factory=list)
    predata: list[str] | None = None  # `write` with sizes: lines before `++++`
    expect: Expect = field(default_factory=Expect)
    number: int = 0  # the command's position among the script's commands


@dataclass
class Script:
    path: Path
    title: str
    steps: list[Step]
    flags: set[str]
    uses_dynamic_port: bool


def classify(text: str) -> tuple[str, re.Match[str]] | None:
    for name, pattern, _ in _COMMANDS:
        m = pattern.match(text)
        if m:
            return name, m
    return None


def _takes_data(name: str) -> bool:
    return next(data for n, _, data in _COMMANDS if n == name)


def parse_script(path: Path) -> Script:
    raw = path.read_bytes() if path.is_file() else None
    if raw is None:
        raise ScriptError(path, 0, "script file not found")
    head = raw[:4096]
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if head and controls > 0.1 * len(head):
        raise ScriptError(path, 1, "script is not a text file")
    return parse_text(path, read_text(path))


def parse_text(path: Path, text: str) -> Script:
    # Split on newlines only: data lines may hold any other byte, CR included.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    flags = {w for w in FLAG_WORDS for ln in lines if ln.startswith(w)}
    dynamic = any(re.search(r"\bPORT_DYNAMIC\b", ln) for ln in lines)
    if not lines or not lines[0].startswith("#"):
        raise ScriptError(path, 1, "missing identifying comment at start of script")
    title = lines[0][2:].strip() if len(lines[0]) > 1 else ""
    steps: list[Step] = []
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
        if any(line.startswith(w) for w in FLAG_WORDS) or _COMMENT_OR_BLANK.match(line):
            i += 1
            continue
        need = next((w for w in NEED_WORDS if line.startswith(w)), None)
        if need:
            steps.append(Step(name=need, line=lineno, text=line))
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
        found = classify(cmd)
        if found is None:
            raise ScriptError(path, lineno, f"unknown command: {cmd}")
        name, m = found
        step = Step(name=name, line=lineno, text=cmd, match=m, expect=expect)
        if name == "background":
            if i >= n:
                raise ScriptError(path, lineno, "background: no command line follows")
            step.data = [lines[i]]
            _, i = read_data(i + 1)
        elif name == "write" and m.group(3):
            step.predata, i = read_data(i, END_PREDATA)
            step.data, i = read_data(i)
        elif _takes_data(name):
            step.data, i = read_data(i)
        step.number = len([s for s in steps if s.match is not None]) + 1
        steps.append(step)
    return Script(path=path, title=title, steps=steps, flags=flags, uses_dynamic_port=dynamic)
