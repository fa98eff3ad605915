"""Run a suite at several -j values; print wall time, CPU time and verdict changes.

Usage (as root):

    .venv/bin/python bench/bench_suite.py [--suite DIR] [--binary EXIM] [-j 1,2,4,8]
        [--default] [--durations-rows] [--runs N] [--workdir DIR] [--baseline CHECKOUT]
        [--perl-harness EXIM_TEST_DIR] [-- FIRST LAST]

Each run is `runtest.py -CONTINUE --json` in a fresh work directory (so no durations of an
earlier run order its queue: the estimate from the scripts does); CPU is the
user+system time of the runner and everything it started (they are all its descendants,
reaped by it or its workers). `--default` adds a run without -j (the runner's own choice);
`--durations-rows` follows it with a run that brings in its report (`--durations`, as a
CI job brings an earlier job's artefact) and one in its work directory again (durations
known); `--baseline CHECKOUT` runs each row with another checkout's runtest.py first, for
figures side by side; "flaky" counts the tests that failed at the first try only.
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
    suite: Path,
    binary: str | None,
    jobs: int | None,
    selection: list[str],
    work: Path,
    label: str = "",
    runtest: Path = RUNTEST,
    extra: tuple[str, ...] = (),
) -> dict:
    report = work.parent / f"{work.name}-report.json"
    argv = [
        sys.executable,
        str(runtest),
        *([binary] if binary else []),
        "--suite",
        str(suite),
        "--workdir",
        str(work),
        "-CONTINUE",
        "--json",
        str(report),
        *(["-j", str(jobs)] if jobs else []),
        *extra,
        *selection,
    ]
    cpu0, t0 = _children_cpu(), time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    wall, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    data = json.loads(report.read_text()) if report.exists() else {"tests": []}
    workers = next((line for line in proc.stdout.splitlines() if " workers: " in line), "")
    flaky = sum(1 for t in data["tests"] if t["outcome"] == "flaky")
    label = label or (str(jobs) if jobs else "default")
    return {
        "jobs": jobs,
        "label": label,
        "wall": wall,
        "cpu": cpu,
        "tests": data["tests"],
        "note": workers,
        "flaky": flaky,
        "report": report,
    }


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
    ap.add_argument(
        "--durations-rows",
        action="store_true",
        help="after each default run in a fresh work directory, one with its durations "
        "brought in (--durations REPORT, another fresh directory) and one in the same "
        "work directory again (durations known)",
    )
    ap.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also run every row with CHECKOUT/runtest.py (another version of runtest.py, "
        "e.g. a git worktree of an earlier commit), alternating with this one",
    )
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
        versions = [("", RUNTEST)]
        if args.baseline:
            versions.insert(0, ("baseline ", args.baseline.resolve() / "runtest.py"))
        suite = args.suite.resolve()
        for jobs in plan:
            for n in range(args.runs):
                for prefix, runtest in versions:
                    name = f"{prefix.strip() or 'this'}-j{jobs or 'default'}-{n}"
                    work = args.workdir or Path(tmp) / name
                    label = f"{prefix}{jobs or 'default'}"
                    if jobs is None and args.durations_rows:
                        label += ", fresh"
                    r = run_ours(suite, args.binary, jobs, args.selection, work, label, runtest)
                    results.append(r)
                    print(f"  ran {label} #{n + 1}: {r['wall']:.1f}s", flush=True)
                    if jobs is None and args.durations_rows and not prefix:
                        # (a baseline may predate --durations)
                        brought = run_ours(
                            suite,
                            args.binary,
                            None,
                            args.selection,
                            work.with_name(name + "-b"),
                            f"{prefix}default, durations brought in",
                            runtest,
                            ("--durations", str(r["report"])),
                        )
                        results.append(brought)
                        print(f"  ran {brought['label']} #{n + 1}: {brought['wall']:.1f}s")
                        shutil.rmtree(work.with_name(name + "-b"), ignore_errors=True)
                    if jobs is None and args.durations_rows:
                        known = run_ours(
                            suite,
                            args.binary,
                            None,
                            args.selection,
                            work,
                            f"{prefix}default, durations known",
                            runtest,
                        )
                        results.append(known)
                        print(f"  ran {known['label']} #{n + 1}: {known['wall']:.1f}s")
                    # durations are kept out of the next run: each row starts from the same state
                    shutil.rmtree(work, ignore_errors=True)
        perl = (
            run_perl(args.perl_harness, args.binary, args.selection, args.caller)
            if args.perl_harness
            else None
        )
    print(f"\nsuite {args.suite} {' '.join(args.selection) or '(all)'}")
    width = max([8, *(len(r["label"]) for r in results)])
    print(
        f"{'-j':>{width}} {'tests':>6} {'ran':>5} {'wall s':>8} {'CPU s':>8} {'CPU/test':>9} "
        f"{'CPU %':>6} {'tests/min':>10} {'passed':>7} {'flaky':>6} {'failed':>7}"
    )
    cpus = os.cpu_count() or 1
    for r in results:
        ran = [t for t in r["tests"] if t["outcome"] != "skipped"]
        verdicts = _verdicts(r)
        passed = sum(1 for v in verdicts.values() if v in ("passed", "flaky", "xfail"))
        failed = sum(1 for v in verdicts.values() if v in ("failed", "error", "xpass"))
        print(
            f"{r['label']:>{width}} {len(verdicts):>6} {len(ran):>5} {r['wall']:>8.1f} "
            f"{r['cpu']:>8.1f} {r['cpu'] / max(len(ran), 1):>9.3f} "
            f"{100 * r['cpu'] / (r['wall'] * cpus):>5.0f}% "
            f"{60 * len(ran) / r['wall']:>10.1f} {passed:>7} {r['flaky']:>6} {failed:>7}"
        )
        if r["note"]:
            print(f"{'':>{width}} ({r['note'].strip()})")
    base = _verdicts(results[0]) if results else {}
    changed: dict[str, list[str]] = {}
    for r in results[1:]:
        for number, outcome in _verdicts(r).items():
            if base.get(number) != outcome:
                changed.setdefault(number, []).append(
                    f"{r['label']}: {base.get(number)} -> {outcome}"
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
