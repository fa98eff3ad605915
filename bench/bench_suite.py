"""Run a suite at several -j values; print wall time, CPU time and verdict changes.

Usage (as root):

    .venv/bin/python bench/bench_suite.py [--suite DIR] [--binary EXIM] [-j 1,2,4,8]
        [--default] [--runs N] [--workdir DIR] [--perl-harness EXIM_TEST_DIR] [-- FIRST LAST]

Each run is `runtest.py -CONTINUE --json` in a fresh work directory (so no durations of an
earlier run order its queue: the estimate from the scripts does); CPU is the
user+system time of the runner and everything it started (they are all its descendants,
reaped by it or its workers). `--default` adds a run without -j (the runner's own choice).
With `--perl-harness DIR` (an Exim checkout's test/ directory whose helpers are built, with
passwordless sudo for the caller account, as Exim's test/README asks) Exim's own runtest
runs the same tests in the same invocation and the ratio of wall times is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNTEST = REPO / "runtest.py"


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_ours(
    suite: Path, binary: str | None, jobs: int | None, selection: list[str], work: Path
) -> dict:
    report = work / "report.json"
    argv = [
        sys.executable,
        str(RUNTEST),
        *([binary] if binary else []),
        "--suite",
        str(suite),
        "--workdir",
        str(work),
        "-CONTINUE",
        "--json",
        str(report),
        *(["-j", str(jobs)] if jobs else []),
        *selection,
    ]
    cpu0, t0 = _children_cpu(), time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    data = json.loads(report.read_text()) if report.exists() else {"tests": []}
    workers = next((line for line in proc.stdout.splitlines() if " workers: " in line), "")
    return {"jobs": jobs, "wall": wall, "cpu": cpu, "tests": data["tests"], "note": workers}


def run_perl(test_dir: Path, binary: str | None, selection: list[str], caller: str) -> dict:
    """Exim's own harness on the same tests (run as the caller, as it wants)."""
    argv = [
        "sudo",
        "-u",
        caller,
        "./runtest",
        *([binary] if binary else []),
        "-CONTINUE",
        *selection,
    ]
    cpu0, t0 = _children_cpu(), time.monotonic()
    proc = subprocess.run(
        argv, cwd=test_dir, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    summary = test_dir / "run-summary.log"
    verdicts = {}
    if summary.exists():
        for line in summary.read_text().splitlines():
            number, _, mark = line.partition(" ")
            verdicts[number] = {"P": "passed", "F": "failed", ".": "skipped"}.get(mark, mark)
    return {"wall": wall, "cpu": cpu, "verdicts": verdicts, "rc": proc.returncode}


def _verdicts(run: dict) -> dict[str, str]:
    return {t["number"]: t["outcome"] for t in run["tests"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--suite", type=Path, default=REPO.parent / "shared" / "exim-4.96")
    ap.add_argument("--binary")
    ap.add_argument("-j", "--jobs", default="1,2,4,8", help="comma-separated -j values")
    ap.add_argument("--default", action="store_true", help="also a run at the default -j")
    ap.add_argument("--runs", type=int, default=1, help="runs per -j value")
    ap.add_argument("--perl-harness", type=Path)
    ap.add_argument("--caller", default="rtcaller")
    ap.add_argument(
        "--workdir",
        type=Path,
        help="the work directory of every run, emptied between them (for a "
        "build whose TRUSTED_CONFIG_LIST names WORKDIR/wN/test-config); "
        "default: a new one under .work",
    )
    ap.add_argument("selection", nargs="*", help="first [last|+] as for runtest.py")
    args = ap.parse_args()
    if os.getuid() != 0:
        print("bench_suite.py needs root, as runtest.py does", file=sys.stderr)
        return 2
    plan: list[int | None] = [int(j) for j in args.jobs.split(",") if j]
    if args.default:
        plan.append(None)
    results = []
    # under the checkout's .work: the caller and the Exim user must reach the work directory
    (REPO / ".work").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-suite-", dir=REPO / ".work") as tmp:
        os.chmod(tmp, 0o755)
        for jobs in plan:
            for n in range(args.runs):
                work = args.workdir or Path(tmp) / f"j{jobs or 'default'}-{n}"
                r = run_ours(args.suite.resolve(), args.binary, jobs, args.selection, work)
                results.append(r)
                shutil.rmtree(work, ignore_errors=True)
                # durations are kept out of the next run: each -j starts from the same state
                print(f"  ran -j {jobs or 'default'} #{n + 1}: {r['wall']:.1f}s", flush=True)
        perl = (
            run_perl(args.perl_harness, args.binary, args.selection, args.caller)
            if args.perl_harness
            else None
        )
    print(f"\nsuite {args.suite} {' '.join(args.selection) or '(all)'}")
    print(
        f"{'-j':>8} {'tests':>6} {'ran':>5} {'wall s':>8} {'CPU s':>8} {'CPU/test':>9} "
        f"{'CPU %':>6} {'tests/min':>10} {'passed':>7} {'failed':>7}"
    )
    cpus = os.cpu_count() or 1
    for r in results:
        ran = [t for t in r["tests"] if t["outcome"] != "skipped"]
        verdicts = _verdicts(r)
        passed = sum(1 for v in verdicts.values() if v in ("passed", "flaky", "xfail"))
        failed = sum(1 for v in verdicts.values() if v in ("failed", "error", "xpass"))
        label = str(r["jobs"]) if r["jobs"] else "default"
        print(
            f"{label:>8} {len(verdicts):>6} {len(ran):>5} {r['wall']:>8.1f} {r['cpu']:>8.1f} "
            f"{r['cpu'] / max(len(ran), 1):>9.3f} {100 * r['cpu'] / (r['wall'] * cpus):>5.0f}% "
            f"{60 * len(ran) / r['wall']:>10.1f} {passed:>7} {failed:>7}"
        )
        if r["note"]:
            print(f"{'':>8} ({r['note'].strip()})")
    base = _verdicts(results[0]) if results else {}
    changed: dict[str, list[str]] = {}
    for r in results[1:]:
        for number, outcome in _verdicts(r).items():
            if base.get(number) != outcome:
                changed.setdefault(number, []).append(
                    f"-j {r['jobs'] or 'default'}: {base.get(number)} -> {outcome}"
                )
    print(
        "verdicts that changed between runs: "
        + (", ".join(f"{n} ({'; '.join(v)})" for n, v in sorted(changed.items())) or "none")
    )
    if perl is not None:
        ours = min(results, key=lambda r: r["wall"])
        print(
            f"Exim's own harness: {perl['wall']:.1f}s wall, {perl['cpu']:.1f}s CPU, "
            f"{len(perl['verdicts'])} tests; fastest run here is "
            f"{perl['wall'] / ours['wall']:.1f}x faster (-j {ours['jobs'] or 'default'})"
        )
        differ = sorted(
            n
            for n, v in perl["verdicts"].items()
            if _verdicts(ours).get(n, v) not in (v, "flaky", "xfail")
        )
        print("verdicts that differ from Exim's harness: " + (", ".join(differ) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
