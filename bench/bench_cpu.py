"""Where a run's CPU goes: user+system time per program, from the kernel's process accounting.

Usage (as root, on an otherwise quiet machine; needs Debian's `acct` for accton/dump-acct):

    .venv/bin/python bench/bench_cpu.py [--top N] -- RUNTEST_ARGS...

Runs `runtest.py RUNTEST_ARGS` with process accounting switched on into a file of its
own, then sums the CPU of every process that ended during the run by its command name
(peers show under their own names: `fakens`, `server`, `client`...; the runner and its
forked workers as `runtest.py`). Accounting is machine-wide, so other work done at the
same time is counted too; the total is checked against the run's own rusage. The kernel
records CPU in 10 ms ticks, rounded down per process, so many short processes (fakens)
are undercounted; the line "unaccounted" shows by how much.
"""

from __future__ import annotations

import argparse
import collections
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TICK = 0.01  # dump-acct prints times in AHZ ticks (100 per second)


def read_accounting(path: Path) -> list[tuple[str, float]]:
    """(command, CPU seconds) for each record of an accounting file."""
    out = subprocess.run(
        ["dump-acct", str(path)], capture_output=True, text=True, check=True
    ).stdout
    records = []
    for line in out.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) > 4:
            records.append((fields[0], (float(fields[2]) + float(fields[3])) * TICK))
    return records


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=15, help="programs to list (default 15)")
    parser.add_argument("runtest_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    for tool in ("accton", "dump-acct"):
        if shutil.which(tool) is None:
            print(f"bench_cpu: {tool} not found (apt-get install acct)", file=sys.stderr)
            return 2
    runtest_args = [a for a in args.runtest_args if a != "--"]
    with tempfile.TemporaryDirectory() as tmp:
        pacct = Path(tmp) / "pacct"
        pacct.touch()
        subprocess.run(["accton", str(pacct)], check=True, capture_output=True)
        start = time.monotonic()
        try:
            rc = subprocess.run(
                [sys.executable, str(REPO / "runtest.py"), *runtest_args], stdout=subprocess.DEVNULL
            ).returncode
        finally:
            wall = time.monotonic() - start
            subprocess.run(["accton", "off"], capture_output=True)
        records = read_accounting(pacct)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    run_cpu = usage.ru_utime + usage.ru_stime
    per_command: dict[str, list[float]] = collections.defaultdict(list)
    for command, cpu in records:
        if command not in ("accton", "dump-acct"):
            per_command[command].append(cpu)
    accounted = sum(sum(v) for v in per_command.values())
    print(
        f"runtest.py {' '.join(runtest_args)}: exit {rc}, wall {wall:.1f} s, "
        f"CPU {run_cpu:.1f} s (rusage), {accounted:.1f} s accounted in "
        f"{sum(len(v) for v in per_command.values())} processes"
    )
    print(f"{'program':<18}{'processes':>10}{'CPU s':>9}{'share':>8}{'ms each':>9}")
    ranked = sorted(per_command.items(), key=lambda kv: -sum(kv[1]))
    for command, cpus in ranked[: args.top]:
        total = sum(cpus)
        print(
            f"{command:<18}{len(cpus):>10}{total:>9.1f}{total / max(run_cpu, 1e-9):>8.1%}"
            f"{1000 * total / len(cpus):>9.1f}"
        )
    rest = ranked[args.top :]
    if rest:
        total = sum(sum(v) for _, v in rest)
        print(
            f"{'(others)':<18}{sum(len(v) for _, v in rest):>10}{total:>9.1f}"
            f"{total / max(run_cpu, 1e-9):>8.1%}"
        )
    print(
        f"{'unaccounted':<18}{'':>10}{run_cpu - accounted:>9.1f}"
        f"{(run_cpu - accounted) / max(run_cpu, 1e-9):>8.1%}  (10 ms ticks rounded down)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
