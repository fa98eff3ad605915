"""`--json FILE`: every test's outcome, reason, duration and diffs, as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from harness.reports.common import ReportFile, atomic_write, result_dict
from harness.results import TestResult, tally


def to_json(results: Sequence[TestResult]) -> dict[str, Any]:
    return {"tests": [result_dict(r) for r in results], "summary": tally(results)}


class JsonReport(ReportFile):
    def run_finished(self, results: Sequence[TestResult], wall: float,
                     interrupted: str | None) -> None:
        data = to_json(results)
        data["wall"] = round(wall, 3)
        if interrupted:
            data["interrupted"] = interrupted
        atomic_write(self.path, json.dumps(data, indent=2).encode() + b"\n")
