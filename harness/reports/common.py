"""What the report formats share: atomic writing, and a result as plain data."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.core.results import Mismatch, MismatchKind, Outcome, RunInfo, TestCase, TestResult


class ReportFile:
    """A report written once, when the run ends: subclasses implement `run_finished`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notices: list[str] = []  # what the console said of the run, in order

    def notice(self, text: str) -> None:
        self.notices.append(text)

    def run_started(self, info: RunInfo) -> None:
        self.info = info

    def test_started(self, case: TestCase, worker: int) -> None:
        pass

    def test_finished(self, result: TestResult) -> None:
        pass

    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        raise NotImplementedError


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step, so a reader never sees half a report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def failure_text(result: TestResult) -> str:
    """The diffs and notes of a result, as one text (for JUnit's failure body)."""
    return "\n".join(
        [f"{m.expected}: {m.message}\n{m.diff}" for m in result.real_mismatches]
        + [d for d in result.details if d]
    )


def mismatch_dict(m: Mismatch) -> dict[str, Any]:
    d = {
        "file": m.expected,
        "message": m.message,
        "diff": m.diff,
        "updated": m.updated,
        "kind": m.kind.value,
        "raw": m.raw,
    }
    if m.target:
        d["target"] = m.target
    return d


def result_dict(r: TestResult) -> dict[str, Any]:
    return {
        "number": r.case.number,
        "name": r.case.name,
        "directory": r.case.directory,
        "title": r.case.title,
        "outcome": r.outcome.value,
        "reason": r.reason,
        "duration": round(r.duration, 3),
        "mismatches": [mismatch_dict(m) for m in r.mismatches],
        "details": [d for d in r.details if d],
    }


def result_from_dict(d: dict[str, Any]) -> TestResult:
    """A result as `result_dict` wrote it (KeyError or ValueError when it is not one)."""
    directory = d.get("directory") or d["name"].split("/", 1)[0]
    case = TestCase(d["number"], directory, Path(d["name"]), d.get("title", ""))
    mismatches = tuple(
        Mismatch(
            m["file"],
            m["message"],
            m.get("diff", ""),
            m.get("updated", False),
            MismatchKind(m.get("kind", "differs")),
            m.get("raw", ""),
            target=m.get("target", ""),
        )
        for m in d.get("mismatches", [])
    )
    return TestResult(
        case,
        Outcome.parse(d["outcome"]),
        d.get("reason", ""),
        float(d.get("duration", 0.0)),
        mismatches,
        tuple(d.get("details", [])),
    )
