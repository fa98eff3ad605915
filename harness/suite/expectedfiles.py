"""Which expected file a test's output is compared with, and which one an update writes.

An expected file such as `stdout/0042` may have variants beside it:

- `stdout/0042.FLAVOUR`: for a host flavour (`-FLAVOUR`, or the one detected), as in
  Exim's harness;
- `stdout/0042@4.98`: from harness generation 4.98 on, until a later generation's file
  (`@4.97` ... `@4.99`, `@master`); with a flavour, `stdout/0042.FLAVOUR@4.98`.

The flavour's files come first, then the plain ones; within each, the newest generation
file not after the run's generation, then the file without one. An empty variant stands
for no output: the file, mail or message log is then not expected at all.

A suite whose plain files are the output of one generation says so in a file
`GENERATION` at its root (one line, such as `4.96`). Under a later generation, -UPDATE
and --accept then write that generation's file and never change what other generations
compare with. A suite without it (Exim's own) is updated in place, as Exim's harness does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import UsageError
from harness.core.generation import Generation

GENERATION_FILE = "GENERATION"
_OUTPUT_DIRS = ("paniclog", "rejectlog", "log", "stdout", "stderr", "msglog", "mail")
# A generation's mark ends a name: @4.98, @master. Other names hold @ too (the mail file
# mail/0256.abc@def of a mailbox named by an address).
_MARK = re.compile(r"@(\d+\.\d+|master)$")


def split_generation(name: str) -> tuple[str, Generation | None]:
    """`stdout/0042@4.98` -> ("stdout/0042", 4.98); a name without a mark -> (name, None).
    An unknown generation raises UsageError naming the file."""
    m = _MARK.search(name)
    if m is None:
        return name, None
    try:
        return name[: m.start()], Generation.parse(m.group(1))
    except ValueError as exc:
        raise UsageError(f"{name}: {exc}") from None


def read_base_generation(suite: Path) -> Generation | None:
    """The generation named by the suite's GENERATION file, if it has one."""
    path = suite / GENERATION_FILE
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from exc
    for n, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if line:
            try:
                return Generation.parse(line)
            except ValueError as exc:
                raise UsageError(f"{path}:{n}: {exc}") from None
    raise UsageError(f"{path}: names no generation (one line such as 4.96)")


@dataclass(frozen=True)
class ExpectedFiles:
    """The suite's expected files as a run of one flavour and generation sees them."""

    suite: Path
    generation: Generation
    flavour: str | None = None
    base: Generation | None = None  # whose output the plain files are (GENERATION)
    # whether any generation's file may be there (a suite without GENERATION and with
    # none, as Exim's own, is spared a directory listing per expected file)
    variants: bool = True

    @classmethod
    def for_suite(
        cls, suite: Path, generation: Generation, flavour: str | None = None
    ) -> ExpectedFiles:
        base = read_base_generation(suite)
        variants = base is not None or any(
            _MARK.search(p.name) for d in _OUTPUT_DIRS for p in (suite / d).glob("*@*")
        )
        return cls(suite, generation, flavour, base, variants)

    def _levels(self, rel: str) -> list[str]:
        return [f"{rel}.{self.flavour}", rel] if self.flavour else [rel]

    def _newest_for_run(self, rel: str) -> str | None:
        """The name of rel's newest generation file that applies to the run."""
        directory = (self.suite / rel).parent
        stem = Path(rel).name
        best: tuple[Generation, str] | None = None
        if not self.variants or not directory.is_dir():
            return None
        for path in directory.glob(f"{glob_escape(stem)}@*"):
            plain, gen = split_generation(path.name)
            if plain == stem and gen is not None and gen <= self.generation:
                if best is None or gen > best[0]:
                    best = (gen, path.name)
        return str(Path(rel).parent / best[1]) if best else None

    def compared(self, rel: str) -> str:
        """The file (suite-relative) that output for `rel` is compared with: the chosen
        variant, or `rel` itself (which may not exist: then no output is expected)."""
        for level in self._levels(rel):
            newest = self._newest_for_run(level)
            if newest is not None:
                return newest
            if (self.suite / level).exists():
                return level
        return rel

    def target(self, rel: str, compared: str | None = None) -> str:
        """The file an update of `rel` writes: the compared file (`compared`, when the
        caller has it), except that a suite with a GENERATION older than the run's gets
        (or keeps) the run's generation's file."""
        compared = compared or self.compared(rel)
        if self.base is None or self.generation <= self.base:
            return compared
        plain, gen = split_generation(compared)
        return compared if gen == self.generation else f"{plain}@{self.generation.label}"

    def is_variant(self, rel: str) -> bool:
        """Whether `rel` is a flavour's or a generation's file (kept even when empty)."""
        plain, gen = split_generation(rel)
        return gen is not None or bool(self.flavour) and plain.endswith(f".{self.flavour}")

    def plain_name(self, rel: str) -> str:
        """`mail/0042.userx.FLAVOUR@4.98` -> `mail/0042.userx`."""
        plain, _ = split_generation(rel)
        if self.flavour and plain.endswith(f".{self.flavour}"):
            plain = plain[: -len(self.flavour) - 1]
        return plain

    def expected(self, rel: str) -> bool:
        """Whether output for `rel` is expected at all: its compared file exists and is
        not an empty variant."""
        compared = self.compared(rel)
        path = self.suite / compared
        if not path.exists():
            return False
        return not (self.is_variant(compared) and path.is_file() and path.stat().st_size == 0)

    def for_test(self, testno: str) -> list[str]:
        """Every expected file test `testno` compares with, suite-relative and sorted."""
        names: set[str] = set()
        for d in _OUTPUT_DIRS:
            top = self.suite / d
            for path in top.glob(f"{testno}*"):
                files = (
                    [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
                )
                for f in files:
                    rel = f.relative_to(self.suite).as_posix()
                    plain = self.plain_name(rel)
                    tail = plain.split("/", 1)[1]
                    if tail == testno or tail.startswith(f"{testno}."):
                        names.add(plain)
        return sorted(self.compared(p) for p in names if self.expected(p))


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
