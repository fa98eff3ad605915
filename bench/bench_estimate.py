"""How good the duration estimate of never-run tests is, against the durations of real runs.

Usage:

    .venv/bin/python bench/bench_estimate.py [-j 16] [--tests FIRST-LAST] SUITE=REPORT...

For each suite and a JSON (or JUnit) report of a run of it, prints the estimate's mean
absolute error and its rank correlation with the measured durations (Spearman), beside
those of the estimate before (sleeps and 0.1 s per command), and the wall time that a run
of `-j` workers would take (greedy list scheduling of the measured durations) in each
order: the tests' own order, longest first by the estimate before, by the estimate, and by
the measured durations themselves (the order a run with durations brought in has).
"""

from __future__ import annotations

import argparse
import heapq
import re
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.core.results import TestCase  # noqa: E402
from harness.reports.loading import load_report  # noqa: E402
from harness.run.estimate import Features, estimate  # noqa: E402

_PAUSE = re.compile(rb"^(?:sleep\s+(\d+)|millisleep\s+(\d+))\s*$", re.M)
_COMMAND = re.compile(rb"^(?:exim|client|server|sudo|perl)\b", re.M)


def before(case: TestCase) -> float:
    """The estimate until 2026-12-05: the script's sleeps plus 0.1 s per command."""
    try:
        text = case.path.read_bytes()
    except OSError:
        return 1.0
    pauses = sum(int(s) if s else int(ms) / 1000 for s, ms in _PAUSE.findall(text))
    return 0.3 + pauses + 0.1 * len(_COMMAND.findall(text))


def wall(durations: Mapping[str, float], order: list[str], workers: int) -> float:
    ends = [0.0] * workers
    for number in order:
        heapq.heappush(ends, heapq.heappop(ends) + durations[number])
    return max(ends)


def ranks(values: list[float]) -> list[float]:
    order = sorted(range(len(values)), key=lambda i: values[i])
    out = [0.0] * len(values)
    for r, i in enumerate(order):
        out[i] = float(r)
    return out


def spearman(a: list[float], b: list[float]) -> float:
    ra, rb = ranks(a), ranks(b)
    n = len(a)
    ma, mb = sum(ra) / n, sum(rb) / n
    cov = sum((x - ma) * (y - mb) for x, y in zip(ra, rb, strict=True))
    va = sum((x - ma) ** 2 for x in ra) ** 0.5
    vb = sum((y - mb) ** 2 for y in rb) ** 0.5
    return cov / (va * vb) if va and vb else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-j", type=int, default=16, help="workers to simulate (default 16)")
    parser.add_argument("--tests", metavar="FIRST-LAST", help="only the tests numbered so")
    parser.add_argument("pairs", nargs="+", metavar="SUITE=REPORT")
    args = parser.parse_args()
    first, _, last = (args.tests or "0-9999").partition("-")
    print(f"{Features.__doc__} Weights: harness/run/estimate.py")
    for pair in args.pairs:
        suite_text, _, report_text = pair.partition("=")
        suite = Path(suite_text)
        measured: dict[str, float] = {}
        cases: dict[str, TestCase] = {}
        for r in load_report(Path(report_text)).results:
            if r.outcome.ran and r.duration > 0 and int(first) <= int(r.case.number) <= int(last):
                measured[r.case.number] = r.duration
                path = suite / "scripts" / r.case.directory / r.case.number
                cases[r.case.number] = TestCase(r.case.number, r.case.directory, path, "")
        numbers = sorted(measured)
        guesses: dict[str, Callable[[TestCase], float]] = {
            "before": before,
            "estimate": estimate,
        }
        got = {name: {n: f(cases[n]) for n in numbers} for name, f in guesses.items()}
        real = [measured[n] for n in numbers]
        total = sum(real)
        floor = max(total / args.j, max(real))
        print(
            f"\n{suite} ({len(numbers)} tests that ran; {total:.0f} s summed, "
            f"longest {max(real):.1f} s; floor at -j {args.j}: {floor:.0f} s)"
        )
        print(f"{'guess':<16}{'mean abs error':>16}{'rank corr.':>12}")
        for name, guess in got.items():
            mae = sum(abs(guess[n] - measured[n]) for n in numbers) / len(numbers)
            rho = spearman([guess[n] for n in numbers], real)
            print(f"{name:<16}{mae:>14.2f} s{rho:>12.2f}")
        orders = {
            "script order": numbers,
            **{
                f"longest first by {name}": sorted(numbers, key=lambda n, g=g: (-g[n], n))
                for name, g in got.items()
            },
            "longest first by durations": sorted(numbers, key=lambda n: (-measured[n], n)),
        }
        print(f"wall time at -j {args.j} (list scheduling of the measured durations):")
        for name, order in orders.items():
            w = wall(measured, order, args.j)
            print(f"  {name:<36}{w:>7.1f} s  {w / floor:>5.2f}x the floor")
    return 0


if __name__ == "__main__":
    sys.exit(main())
