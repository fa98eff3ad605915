"""`--html FILE`: the run as one self-contained HTML page, rendered from the JSON report's data.

The page is made from `jsonreport.report_data` alone, so a merged report (which is only
that data) renders as a run's does. It shows failures first with their munged diffs
(unified, or side by side), the commands to rerun a test or accept its output, filters by
outcome and directory, a search, charts of durations, and the run's provenance. Style and
script are inline and a Content-Security-Policy forbids any fetch; diffs are capped, per
file and per page, so that a run where everything fails still opens quickly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from itertools import zip_longest
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from harness.core.results import Outcome, Summary, TestResult
from harness.reports.common import ReportFile, atomic_write
from harness.reports.jsonreport import finished_run_data

if TYPE_CHECKING:
    import jinja2

MAX_DIFF_LINES = 300  # per file: past this a diff is noise to read on a page
MAX_LINE_CHARS = 2_000  # one line (a base64 body, say) is cut
PAGE_DIFF_LINES = 20_000  # per page, so that a run where everything fails opens quickly
OPEN_FAILURES = 50  # failing tests shown expanded; the others open on a click
SLOWEST = 15
DIRECTORIES = 20  # bars in the time-per-directory chart

_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_KIND = {" ": "context", "-": "removed", "+": "added"}


@cache
def templates() -> jinja2.Environment:
    # Imported here: jinja2 takes ~25 ms to import, and every start of runtest.py imports
    # the option table that names this module; only a run that writes the page pays.
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("harness.reports", "templates"),
        autoescape=True,  # Exim's output is full of <user@domain>
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def rerun_command(run: dict[str, Any], number: str) -> str | None:
    """The command that runs one test of the report again on its own."""
    base = run.get("rerun_command")
    return f"{base} {number}" if base else None


def accept_command(run: dict[str, Any], number: str) -> str | None:
    """The command that stores a test's new output (saved by the run) as its expected
    files."""
    base = run.get("accept_command")
    return f"{base} {number}" if base else None


class Line(NamedTuple):
    kind: str  # context, removed, added, hunk (an @@ line) or note (anything else)
    text: str  # without the diff's sign
    old: int | None = None  # line number in the expected file
    new: int | None = None  # line number in this run's output


@dataclass(frozen=True)
class DiffView:
    lines: list[Line]  # unified
    hidden: int  # lines not shown
    why: str  # why they are not

    @property
    def pairs(self) -> list[tuple[Line | None, Line | None]]:
        """Side by side (expected, this run): a run of removed lines faces the added ones
        after it; hunk and note lines have the same line on both sides."""
        rows: list[tuple[Line | None, Line | None]] = []
        removed: list[Line] = []
        added: list[Line] = []
        for line in [*self.lines, None]:
            if line is not None and line.kind in ("removed", "added"):
                (removed if line.kind == "removed" else added).append(line)
                continue
            rows.extend(zip_longest(removed, added))
            removed, added = [], []
            if line is not None:
                rows.append((line, line))
        return rows


def parse_diff(diff: str) -> list[Line]:
    """The lines of a unified diff, numbered; its ---/+++ header is left out (the page
    names the file)."""
    lines: list[Line] = []
    old = new = 0
    in_hunk = False
    for raw in diff.splitlines():
        text = raw if len(raw) <= MAX_LINE_CHARS else raw[:MAX_LINE_CHARS] + " [line cut]"
        m = _HUNK.match(text)
        kind = _KIND.get(text[:1]) if in_hunk else None
        if m:
            in_hunk = True
            old, new = int(m.group(1)), int(m.group(2))
            lines.append(Line("hunk", text))
        elif kind == "context":
            lines.append(Line(kind, text[1:], old, new))
            old, new = old + 1, new + 1
        elif kind == "removed":
            lines.append(Line(kind, text[1:], old=old))
            old += 1
        elif kind == "added":
            lines.append(Line(kind, text[1:], new=new))
            new += 1
        elif in_hunk or not text.startswith(("--- ", "+++ ")):
            lines.append(Line("note", text))
    return lines


class DiffBudget:
    """The diff lines a page may still show; each diff takes its share as it is rendered."""

    def __init__(self, lines: int = PAGE_DIFF_LINES) -> None:
        self.left = lines

    def view(self, diff: str) -> DiffView:
        lines = parse_diff(diff)
        shown = min(len(lines), MAX_DIFF_LINES, self.left)
        self.left -= shown
        why = (
            f"at most {MAX_DIFF_LINES:,} lines a file"
            if shown == MAX_DIFF_LINES
            else f"this page's {PAGE_DIFF_LINES:,} diff lines are used up"
        )
        return DiffView(lines[:shown], len(lines) - shown, why if shown < len(lines) else "")


def _order(outcome: str) -> int:
    """Failures first, then what passed but needs a look, then the rest (in test order)."""
    o = Outcome.parse(outcome)
    return 0 if o.fails_run else 1 if o in (Outcome.FLAKY, Outcome.XFAIL) else 2


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def render(data: dict[str, Any]) -> str:
    """The page of a report (as `report_data` makes it)."""
    run: dict[str, Any] = data.get("run") or {}
    tests = sorted(data["tests"], key=lambda t: _order(t["outcome"]))
    summary = Summary.of_words(data.get("summary") or {})
    per_dir: dict[str, list[float]] = {}
    for t in tests:
        per_dir.setdefault(t["directory"], []).append(t["duration"])
    by_time = sorted(per_dir.items(), key=lambda kv: -sum(kv[1]))
    ran = [t for t in tests if Outcome.parse(t["outcome"]).ran]
    return (
        templates()
        .get_template("report.html.j2")
        .render(
            data=data,
            run=run,
            tests=tests,
            summary=summary,
            all_outcomes=list(Outcome),
            outcomes=[(o.value, n) for o, n in summary.counts.items() if n],
            failing={o.value for o in Outcome if o.fails_run},
            directories=sorted(per_dir),
            dir_times=[(d, len(ds), sum(ds)) for d, ds in by_time[:DIRECTORIES]],
            dir_rest=(
                len(by_time) - DIRECTORIES,
                sum(len(ds) for _, ds in by_time[DIRECTORIES:]),
                sum(sum(ds) for _, ds in by_time[DIRECTORIES:]),
            ),
            slowest=sorted(ran, key=lambda t: -t["duration"])[:SLOWEST],
            total=sum(t["duration"] for t in tests),
            provenance=[(k, _shown(v)) for k, v in run.items() if v not in (None, [], {}, "")],
            diffs=DiffBudget(),
            rerun=lambda n: rerun_command(run, n),
            accept=lambda n: accept_command(run, n),
            open_failures=OPEN_FAILURES,
        )
    )


def write_html(path: Path, data: dict[str, Any]) -> None:
    atomic_write(path, render(data).encode())


class HtmlReport(ReportFile):
    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        write_html(
            self.path, finished_run_data(self.info, results, wall, interrupted, self.notices)
        )
