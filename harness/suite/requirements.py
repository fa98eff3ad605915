"""What a test needs and whether this binary and host have it: REQUIRES lines and need_* words.

A directory's `REQUIRES` file lists what its tests need, one requirement a line (`support
X`, `lookup X`, `router X`, `transport X`, `authenticator X`, `malware X`, `running X`,
`feature X`, `not feature X` (4.97), `file PATH` (master), `ipv6-non-linklocal`), each
after the standard substitutions (as master does; earlier suites have nothing to
substitute there); a script may also say `need_ipv4`, `need_ipv6`,
`need_largefiles` or `need_move_frozen_messages`. Both are judged here, by `unmet`, which
the run calls once per test before its first command (and `--list` calls too).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from harness.core.results import Requirement
from harness.host.eximbinary import Capabilities
from harness.host.hostfacts import HostFacts


class RequirementError(Exception):
    """A REQUIRES line or need_* word that is not a known requirement; names file:line."""


@dataclass(frozen=True)
class Environment:
    """What the binary offers and what the host has, as the requirements see it."""

    caps: Capabilities
    facts: HostFacts
    feature_ok: dict[str, bool] = field(default_factory=dict)  # `feature X` -> defined?
    substitute: Callable[[str], str] = str  # the standard substitutions (DIR, ...)


NeedCheck = Callable[[Environment], "str | None"]

# need_* words of scripts: each gives the reason the test is skipped, or None.
NEEDS: dict[str, NeedCheck] = {
    "need_ipv4": lambda env: None if env.facts.have_ipv4 else "IPv4 is needed but not available",
    "need_ipv6": lambda env: None if env.facts.have_ipv6 else "IPv6 is needed but not available",
    "need_largefiles": lambda env: (
        None if env.caps.largefiles else "large file support is needed but not available"
    ),
    "need_move_frozen_messages": lambda env: (
        None
        if "move_frozen_messages" in env.caps.support
        else "move_frozen_messages support is needed but not available"
    ),
}

# REQUIRES kinds that name a member of one of the binary's lists.
_LISTS: dict[str, Callable[[Capabilities], set[str]]] = {
    "support": lambda c: c.support,
    "lookup": lambda c: c.lookups,
    "authenticator": lambda c: c.authenticators,
    "authenticators": lambda c: c.authenticators,
    "router": lambda c: c.routers,
    "transport": lambda c: c.transports,
    "malware": lambda c: c.malware,
    "running": lambda c: c.running,
}


def read_requires(path: Path) -> tuple[Requirement, ...]:
    """The non-blank lines of a REQUIRES file (none when there is no file)."""
    if not path.exists():
        return ()
    text = path.read_bytes().decode("latin-1")
    return tuple(
        Requirement(line.rstrip(), path, n)
        for n, line in enumerate(text.split("\n"), 1)
        if line.strip()
    )


_FEATURE = re.compile(r"^(not )?feature (.+)$")


def features_named(requires: Iterable[Requirement]) -> set[str]:
    """The macros named by `[not] feature X` lines, which must be probed before judging."""
    return {m.group(2).strip() for r in requires if (m := _FEATURE.match(r.text))}


def running_named(requires: Iterable[Requirement]) -> list[str]:
    """The X of each `running X` line: the servers a test needs."""
    named = []
    for req in requires:
        kind, _, what = req.text.partition(" ")
        if kind == "running" and what.strip():
            named.append(what.strip())
    return named


def requirement_unmet(req: Requirement, env: Environment) -> str | None:
    """Why one REQUIRES line is not met; None when it is."""
    text = env.substitute(req.text)
    kind, _, what = text.partition(" ")
    what = what.strip()
    if kind in _LISTS:
        if what in _LISTS[kind](env.caps):
            return None
        return f"not running {what}" if kind == "running" else f"missing {kind} {what}"
    feature = _FEATURE.match(text)
    if feature:
        negated, name = bool(feature.group(1)), feature.group(2).strip()
        if env.feature_ok.get(name, False) != negated:
            return None
        return f"feature {name} is present" if negated else f"missing feature {name}"
    if kind == "file":
        return None if os.access(what, os.R_OK) else f"missing file {what}"
    if text.strip() == "ipv6-non-linklocal":
        return "IPv6 address is link-local" if "%" in env.facts.ipv6 else None
    raise RequirementError(f"{req.where}: unknown requirement: {req.text!r}")


def unmet(requires: Iterable[Requirement], needs: Iterable[str], env: Environment) -> str | None:
    """The reason a test must be skipped, or None when it can run.

    Raises RequirementError for a line that is not a known requirement.
    """
    for req in requires:
        why = requirement_unmet(req, env)
        if why:
            return why
    for word in needs:
        why = NEEDS[word](env)
        if why:
            return why
    return None
