"""Benchmark the munger: munge the suite's expected files as stand-ins for raw output.

Usage: bench_munge.py [SUITE_DIR] [--repeat N]

Each test's files are munged in the checker's order with one TestMunger per test, as a
run would. Prints lines per second for each kind and overall.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.core.generation import Generation
from harness.munge import TestMunger, TestOptions  # noqa: E402
from tests.test_munge_rules import FACTS  # noqa: E402  (the rule tests' host facts)

DEFAULT_SUITE = Path("/work/shared/exim-4.96")
ORDER = (
    ("paniclog", "paniclog"),
    ("rejectlog", "rejectlog"),
    ("log", "mainlog"),
    ("stdout", "stdout"),
    ("stderr", "stderr"),
)


def load(suite: Path) -> dict[str, list[tuple[str, str]]]:
    """Per test number, its expected files' texts with their kinds, in checking order."""
    tests: dict[str, list[tuple[str, str]]] = {}
    for sub, kind in ORDER:
        for p in sorted((suite / sub).glob("[0-9][0-9][0-9][0-9]")):
            tests.setdefault(p.name, []).append((kind, p.read_bytes().decode("latin-1")))
    for sub, kind in (("mail", "mail"), ("msglog", "msglog")):
        for p in sorted((suite / sub).glob("[0-9][0-9][0-9][0-9].*")):
            if p.is_file():
                tests.setdefault(p.name[:4], []).append((kind, p.read_bytes().decode("latin-1")))
    return tests


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("suite", nargs="?", type=Path, default=DEFAULT_SUITE)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    tests = load(args.suite)
    if not tests:
        print(f"{args.suite}: no expected files found", file=sys.stderr)
        return 1
    lines: dict[str, int] = {}
    secs: dict[str, float] = {}
    for _ in range(args.repeat):
        for testno, files in tests.items():
            munger = TestMunger(FACTS, TestOptions(Generation.G4_96, testno=testno))
            for kind, text in files:
                t0 = time.perf_counter()
                munger.munge(text, kind)
                secs[kind] = secs.get(kind, 0.0) + time.perf_counter() - t0
                lines[kind] = lines.get(kind, 0) + text.count("\n")
    lines["all"], secs["all"] = sum(lines.values()), sum(secs.values())
    for kind in sorted(lines, key=lambda k: (k == "all", k)):
        rate = lines[kind] / secs[kind]
        print(f"{kind:10} {lines[kind] // args.repeat:8} lines  {rate:10,.0f} lines/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
