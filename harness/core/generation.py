"""Harness generations: which release of Exim's own harness the runner behaves as.

Exim's suite, its helpers and its munging move with each release; a binary is tested the
way the harness of its own release tests it. Munge rules and behaviours say from which
generation they apply (`since`) and, when a later one dropped them, until which (`until`,
exclusive). A binary newer than the last release (a development build) is "master".
"""

from __future__ import annotations

from enum import IntEnum


class Generation(IntEnum):
    G4_96 = 496
    G4_97 = 497
    G4_98 = 498
    G4_99 = 499
    MASTER = 10_000

    @property
    def label(self) -> str:
        return "master" if self is Generation.MASTER else f"4.{self.value - 400}"

    @classmethod
    def parse(cls, text: str) -> Generation:
        """A generation named as on the command line: 4.96, 4.97, 4.98, 4.99 or master."""
        for g in cls:
            if text.strip().lower() == g.label:
                return g
        raise ValueError(
            f"unknown harness generation {text!r}; one of {', '.join(g.label for g in cls)}"
        )

    @classmethod
    def for_version(cls, version: str) -> Generation:
        """The generation of a binary's version string (`exim -bV`'s third word).

        "4.99.1" is 4.99; "4.99.1-148-13835a3c1" or "4.99.1-148" (commits after a release,
        as a git build or a hand-set EXIM_RELEASE_VERSION says) is the next generation;
        versions before 4.96 are tested as 4.96, after the last one as master.
        """
        import re  # here, not at the top: every peer imports this module when it starts

        m = re.match(r"(\d+)\.(\d+)(?:\.\d+)*(?P<after>[-_]\d+(?:-g?[0-9a-fA-F]+)?)?", version)
        if not m:
            return cls.MASTER
        major, minor = int(m.group(1)), int(m.group(2))
        number = major * 100 + minor
        releases = [g for g in cls if g is not cls.MASTER]
        if m.group("after") or "RC" in version.upper():
            # a build between releases (or a release candidate) is tested as the next one
            number += 0 if "RC" in version.upper() and not m.group("after") else 1
        if number <= releases[0].value:
            return releases[0]
        for g in releases:
            if g.value == number:
                return g
        return cls.MASTER

    @classmethod
    def chosen(cls, asked: Generation | None, version: str) -> Generation:
        """The run's generation: the one asked for (--harness), else the binary's."""
        return asked if asked is not None else cls.for_version(version)


LATEST_RELEASE = Generation.G4_99


def applies(since: Generation, until: Generation | None, generation: Generation) -> bool:
    """Whether something introduced in `since` and dropped in `until` is in `generation`."""
    return since <= generation and (until is None or generation < until)
