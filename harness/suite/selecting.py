"""Which of the suite's tests this run runs: the range and -TEST numbers, then this CI
shard's part of them (--shard, or the environment), then only earlier failures
(--last-failed). Sharding is decided over the whole range, so the two filters commute.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from harness.core.errors import UsageError
from harness.core.options import Options
from harness.core.paths import default_workdir
from harness.core.results import TestCase
from harness.reports.loading import LAST_RUN, durations, failed_tests, load_report
from harness.suite.discovery import discover
from harness.suite.durations import History, bring_in
from harness.suite.keywords import keyword_filter
from harness.suite.sharding import (
    Shard,
    acknowledge_bazel,
    parse_shard,
    select_shard,
    shard_from_environment,
)


@dataclass(frozen=True)
class Selection:
    cases: list[TestCase]  # to run, in order
    shard: Shard | None = None
    durations: dict[str, float] = field(default_factory=dict)  # from --shard-by reports
    described: dict[str, Any] = field(default_factory=dict)  # for the reports' provenance
    brought_in: History = field(default_factory=History)  # from --durations files


def _report(path: Path, opts: Options) -> Path:
    """A --last-failed report: the one named, or (Path("")) the last run's."""
    if path != Path(""):
        return path
    last = (opts.workdir or default_workdir()) / LAST_RUN
    if not last.exists():
        raise UsageError(
            f"--last-failed: no last run in {last.parent} (run the tests first, "
            "or name a JSON or JUnit report)"
        )
    return last


def select(opts: Options, suite: Path) -> Selection:
    everything = discover(suite, opts.selection, opts.tests)
    shard = parse_shard(opts.shard) if opts.shard else shard_from_environment()
    known: dict[str, float] = {}
    if opts.shard_by:
        strategy, *reports = opts.shard_by
        if strategy not in ("hash", "durations"):
            raise UsageError(f"--shard-by hash or durations, not {strategy!r}")
        if strategy == "durations":
            if not reports:
                raise UsageError("--shard-by durations needs one or more JSON reports")
            known = durations(load_report(Path(r)) for r in reports)
        if shard is not None:
            shard = replace(shard, strategy=strategy)
    cases = everything
    if shard is not None:
        acknowledge_bazel()
        cases = select_shard(everything, shard, known)
    if opts.keyword is not None:
        keep = keyword_filter(opts.keyword)
        cases = [c for c in cases if keep(c)]
    if opts.last_failed:
        failed = failed_tests(load_report(_report(p, opts)) for p in opts.last_failed)
        cases = [c for c in cases if c.number in failed]
    described = {
        "range": list(opts.selection) if opts.selection else None,
        "tests": opts.tests,
        "last_failed": [str(p) for p in opts.last_failed],
        "xfail": str(opts.xfail) if opts.xfail else None,
        **({"keyword": opts.keyword} if opts.keyword is not None else {}),
    }
    brought_in = History()
    for path in opts.durations:
        brought_in = brought_in.then(bring_in(path))
    return Selection(cases, shard, known, described, brought_in)
