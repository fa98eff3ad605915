"""`--json FILE`: the run's provenance and every test's outcome, reason, duration and diffs.

The format is read back by `harness.reports.loading` (--last-failed, --shard-by durations,
--merge-reports), so what it holds is enough to rebuild each result.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.core.results import RunInfo, TestResult, tally
from harness.reports.common import ReportFile, atomic_write, now, result_dict

FORMAT = 1


def report_data(
    results: Sequence[TestResult],
    run: dict[str, Any],
    selected: Sequence[str],
    wall: float | None = None,
    interrupted: str | None = None,
    notices: Sequence[str] = (),
) -> dict[str, Any]:
    """The report as plain data: `selected` is every test number the run covered, `notices`
    the lines about the run the console showed (the binary, warnings)."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "run": run,
        "selected": list(selected),
        "tests": [result_dict(r) for r in results],
        "summary": tally(results),
        "notices": list(notices),
    }
    if wall is not None:
        data["wall"] = round(wall, 3)
    if interrupted:
        data["interrupted"] = interrupted
    return data


def finished_run_data(
    info: RunInfo,
    results: Sequence[TestResult],
    wall: float,
    interrupted: str | None,
    notices: Sequence[str] = (),
) -> dict[str, Any]:
    """The data of the run that has just ended, for each report written from it."""
    run = dict(info.run_data, ended=now())
    return report_data(results, run, [c.number for c in info.tests], wall, interrupted, notices)


def write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write(path, json.dumps(data, indent=2).encode() + b"\n")


class JsonReport(ReportFile):
    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        write_json(
            self.path, finished_run_data(self.info, results, wall, interrupted, self.notices)
        )
