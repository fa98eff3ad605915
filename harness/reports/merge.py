"""`--merge-reports OUT.json IN.json...`: one report from the JSON reports of CI shards.

Each selected test must appear exactly once; a missing shard, a test in two reports, or a
test a shard selected but did not report is an error naming them. Reports of different
suites or binaries (by digest) are refused unless --force-merge is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from harness.core.errors import UsageError
from harness.core.results import TestResult
from harness.reports.loading import LoadedReport


def _problems(reports: Sequence[LoadedReport], force: bool) -> list[str]:
    problems = []
    for key, what in (("suite_digest", "suites"), ("binary_digest", "binaries")):
        seen = {rep.run.get(key) for rep in reports}
        if len(seen) > 1 and not force:
            names = ", ".join(
                f"{rep.path} ({rep.run.get(key.split('_')[0], '?')})" for rep in reports
            )
            problems.append(
                f"the reports are of different {what}: {names} "
                "(--force-merge to merge them all the same)"
            )
    shards = [rep.run.get("shard") for rep in reports]
    totals = {s["total"] for s in shards if s}
    if len(totals) > 1:
        problems.append(
            f"the reports split the run into different numbers of shards: {sorted(totals)}"
        )
    elif totals:
        (total,) = totals
        have = Counter(s["index"] for s in shards if s)
        missing = [f"{k}/{total}" for k in range(1, total + 1) if k not in have]
        twice = [f"{k}/{total}" for k, n in have.items() if n > 1]
        if missing:
            problems.append(f"missing shards: {', '.join(missing)}")
        if twice:
            problems.append(f"shards given twice: {', '.join(twice)}")
    counts = Counter(r.case.number for rep in reports for r in rep.results)
    dups = sorted(n for n, c in counts.items() if c > 1)
    if dups:
        problems.append(f"tests in more than one report: {', '.join(dups)}")
    for rep in reports:
        reported = {r.case.number for r in rep.results}
        absent = [n for n in rep.selected if n not in reported]
        if absent:
            problems.append(
                f"{rep.path}: selected but not reported (did the shard finish?): "
                + ", ".join(absent)
            )
    return problems


def merge(
    reports: Sequence[LoadedReport], force: bool = False
) -> tuple[dict[str, Any], list[TestResult], list[tuple[str, list[TestResult]]]]:
    """The merged provenance, all results in test order, and the results per shard
    (uniquely named groups, for JUnit). A UsageError lists every problem."""
    if not reports:
        raise UsageError("--merge-reports needs an output file and at least one report")
    problems = _problems(reports, force)
    if problems:
        raise UsageError("cannot merge: " + "; ".join(problems))
    first = reports[0].run
    run = {
        k: first.get(k)
        for k in (
            "suite",
            "suite_digest",
            "runner_version",
            "binary",
            "binary_version",
            "binary_digest",
            "harness",
            "rerun_command",
        )
    }
    # each shard's new output is in its own saved-output directory (a CI artefact)
    run["accept_command"] = None
    run["merged_from"] = [str(rep.path) for rep in reports]
    run["shards"] = [rep.run.get("shard") for rep in reports]
    starts = [rep.run["started"] for rep in reports if rep.run.get("started")]
    ends = [rep.run["ended"] for rep in reports if rep.run.get("ended")]
    run["started"], run["ended"] = min(starts, default=None), max(ends, default=None)
    results = sorted((r for rep in reports for r in rep.results), key=lambda r: r.case.sort_key)
    groups = []
    for i, rep in enumerate(reports, 1):
        shard = rep.run.get("shard")
        name = f"runtest shard {shard['index']}/{shard['total']}" if shard else f"runtest {i}"
        groups.append((name, sorted(rep.results, key=lambda r: r.case.sort_key)))
    return run, results, groups
