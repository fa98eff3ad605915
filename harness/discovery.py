"""Finding the tests of a suite and deciding which the binary under test can run.

Tests are `scripts/NNNN-Name/NNNN`; a directory's `REQUIRES` file lists what its tests need,
one requirement a line (`support X`, `lookup X`, `router X`, `transport X`, `authenticator X`,
`malware X`, `running X`, `feature X`, `ipv6-non-linklocal`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from harness.eximbinary import Capabilities
from harness.hostfacts import HostFacts
from harness.suitefiles import resolve

TEST_TOP = 8999
SPECIAL_TOP = 9999
_TEST_NAME = re.compile(r"^\d+(?:\.\d+)?$")


class SelectionError(ValueError):
    pass


@dataclass
class TestCase:
    number: str
    directory: str  # e.g. 0000-Basic
    path: Path
    title: str = ""
    requires: list[str] = field(default_factory=list)
    skip_reason: str | None = None
    error: str | None = None  # a REQUIRES problem that makes the test unrunnable

    @property
    def name(self) -> str:
        return f"{self.directory}/{self.number}"


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


def _title(path: Path) -> str:
    try:
        with resolve(path).open("rb") as fh:
            first = fh.readline().decode("latin-1").rstrip("\n")
    except OSError:
        return ""
    return first[2:].strip() if first.startswith("#") else ""


def read_requires(path: Path) -> list[tuple[int, str]]:
    if not path.exists():
        return []
    out = []
    for n, line in enumerate(path.read_bytes().decode("latin-1").split("\n"), 1):
        line = line.rstrip()
        if line.strip():
            out.append((n, line))
    return out


def unmet_requirement(
    req: str, caps: Capabilities, facts: HostFacts, feature_ok: dict[str, bool]
) -> str | None:
    """Why the binary or host cannot meet one REQUIRES line; None when it can.

    Raises ValueError for a line that is not a known requirement.
    """
    kind, _, what = req.partition(" ")
    what = what.strip()
    tables = {
        "support": caps.support,
        "lookup": caps.lookups,
        "authenticator": caps.authenticators,
        "authenticators": caps.authenticators,
        "router": caps.routers,
        "transport": caps.transports,
        "malware": caps.malware,
        "running": caps.running,
    }
    if kind in tables:
        if what in tables[kind]:
            return None
        return f"not running {what}" if kind == "running" else f"missing {kind} {what}"
    if kind == "feature":
        return None if feature_ok.get(what, False) else f"missing feature {what}"
    if req.strip() == "ipv6-non-linklocal":
        return "IPv6 address is link-local" if "%" in facts.ipv6 else None
    raise ValueError(f"unknown requirement: {req!r}")


def discover(
    suite: Path,
    selection: tuple[int, int] | None,
    caps: Capabilities | None = None,
    facts: HostFacts | None = None,
    feature_ok: dict[str, bool] | None = None,
) -> list[TestCase]:
    scripts = suite / "scripts"
    if not scripts.is_dir():
        raise SelectionError(f"{scripts}: no scripts directory; is --suite right?")
    lo, hi = selection or (0, TEST_TOP)
    cases: list[TestCase] = []
    for d in sorted(p for p in scripts.iterdir() if p.is_dir() and p.name != "CVS"):
        numbers = sorted(
            (p for p in d.iterdir() if _TEST_NAME.match(p.name)),
            key=lambda p: float(p.name),
        )
        wanted = [p for p in numbers if lo <= int(float(p.name)) <= hi]
        if not wanted:
            continue
        requires = read_requires(d / "REQUIRES")
        reason: str | None = None
        error: str | None = None
        if caps is not None and facts is not None:
            for lineno, req in requires:
                try:
                    reason = unmet_requirement(req, caps, facts, feature_ok or {})
                except ValueError as exc:
                    error = f"{d / 'REQUIRES'}:{lineno}: {exc}"
                    break
                if reason:
                    break
        for p in wanted:
            cases.append(TestCase(
                number=p.name, directory=d.name, path=p, title=_title(p),
                requires=[r for _, r in requires], skip_reason=reason, error=error,
            ))
    return cases
