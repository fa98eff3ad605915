"""Reports of several builds side by side: each test's verdict per build, differing first.

A packager's question is "what does my build fail that upstream's passes?": given the
reports (JSON or JUnit) of runs of one suite against different binaries (a GnuTLS and an
OpenSSL build, Debian's package and a source build), this makes one table of test by
build. Tests whose verdict differs come first: those that fail in one build and pass in
another, then those that fail in one and are skipped in another, then those that run in
one and are skipped in another. It also says what each build offers that another lacks
(the `-bV` lists the run recorded), which is why most skips differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.core.results import Outcome, TestResult
from harness.reports.loading import LoadedReport

FORMAT = "runtest-side-by-side/1"

# How far apart a test's verdicts are, by the buckets of the summary line (flaky counts as
# passed): the order the differing tests are listed in, and what the view calls them.
KINDS = (
    ("fails-passes", "failed in one build, passed in another"),
    ("fails-skipped", "failed in one build, skipped in another"),
    ("runs-skipped", "passed in one build, skipped in another"),
    ("same", "the same in every build"),
)
_TLS = ("OpenSSL", "GnuTLS")


@dataclass(frozen=True)
class Build:
    label: str
    report: Path
    run: dict[str, Any]

    @property
    def lists(self) -> dict[str, list[str]]:
        return self.run.get("binary_build") or {}

    @property
    def description(self) -> str:
        version = self.run.get("binary_version") or "?"
        tls = [t for t in _TLS if t in self.lists.get("Support for", [])]
        words = [f"Exim {version}", *tls, str(self.run.get("binary") or "?")]
        return " ".join(words)


def label_of(run: dict[str, Any], path: Path) -> str:
    """A short name for a report's build: its version and TLS library, else the file's."""
    support = (run.get("binary_build") or {}).get("Support for", [])
    tls = next((t for t in _TLS if t in support), "")
    version = run.get("binary_version") or ""
    return " ".join(w for w in (version, tls) if w) or path.stem


def builds_of(reports: Sequence[LoadedReport], names: Sequence[str | None]) -> list[Build]:
    """The builds, each labelled by the name given (NAME=FILE) or by label_of, made unique."""
    labels: list[str] = []
    for report, name in zip(reports, names, strict=True):
        label = name or label_of(report.run, report.path)
        if label in labels:
            label = f"{label} ({report.path.name})"
        while label in labels:
            label += "'"
        labels.append(label)
    return [Build(lb, r.path, r.run) for lb, r in zip(labels, reports, strict=True)]


def kind_of(outcomes: Sequence[Outcome | None]) -> str:
    """Which of KINDS a test's verdicts (None: not in that build's report) are."""
    tallies = {o.tally if o is not None else "skipped" for o in outcomes}
    if len(tallies) == 1:
        return "same"
    if "failed" in tallies:
        return "fails-passes" if "passed" in tallies else "fails-skipped"
    return "runs-skipped"


def side_by_side(reports: Sequence[LoadedReport], names: Sequence[str | None]) -> dict[str, Any]:
    """The view's data (JSON-ready): the builds, every test with its verdict per build, in
    the order of KINDS then number, the counts per kind, and what only some builds offer."""
    builds = builds_of(reports, names)
    per_build: list[dict[str, TestResult]] = [
        {r.case.number: r for r in rep.results} for rep in reports
    ]
    numbers = sorted({n for results in per_build for n in results})
    order = {k: i for i, (k, _) in enumerate(KINDS)}
    tests: list[dict[str, Any]] = []
    for number in numbers:
        row = [results.get(number) for results in per_build]
        known = next(r for r in row if r is not None)
        kind = kind_of([r.outcome if r else None for r in row])
        tests.append(
            {
                "number": number,
                "directory": known.case.directory,
                "title": known.case.title,
                "kind": kind,
                "outcomes": [r.outcome.value if r else None for r in row],
                "reasons": [r.reason if r else "not in this report" for r in row],
            }
        )
    tests.sort(key=lambda t: (order[t["kind"]], t["number"]))
    counts = {k: sum(t["kind"] == k for t in tests) for k, _ in KINDS}
    return {
        "format": FORMAT,
        "builds": [
            {
                "label": b.label,
                "report": str(b.report),
                "description": b.description,
                "binary": b.run.get("binary"),
                "binary_version": b.run.get("binary_version"),
                "suite": b.run.get("suite"),
                "harness": b.run.get("harness"),
                "summary": _tally(rep.results),
            }
            for b, rep in zip(builds, reports, strict=True)
        ],
        "kinds": [{"kind": k, "words": w, "tests": counts[k]} for k, w in KINDS],
        "only_in": _only_in(builds),
        "suites_differ": len({b.run.get("suite_digest") for b in builds} - {None}) > 1,
        "tests": tests,
    }


def _tally(results: Sequence[TestResult]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome.value] = counts.get(r.outcome.value, 0) + 1
    return counts


def _only_in(builds: Sequence[Build]) -> list[dict[str, Any]]:
    """Per build and -bV list, what it offers that some other build (that recorded its
    lists) lacks."""
    known = [b for b in builds if b.lists]
    out = []
    for b in known:
        others = [o for o in known if o is not b]
        for heading, words in b.lists.items():
            missing = [w for w in words if any(w not in o.lists.get(heading, []) for o in others)]
            if missing:
                out.append({"build": b.label, "list": heading, "words": missing})
    return out


def render_text(data: dict[str, Any], *, width: int = 100) -> str:
    """The view for a terminal or a CI log: the builds, the differences, the counts."""
    builds = data["builds"]
    labels = [b["label"] for b in builds]
    lines = ["builds:"]
    for b in builds:
        summary = ", ".join(f"{n} {w}" for w, n in sorted(b["summary"].items()))
        lines.append(f"  {b['label']}: {b['description']} ({b['report']}): {summary}")
    if data["suites_differ"]:
        lines.append("  (the reports are of different suites: tests are matched by number)")
    for only in data["only_in"]:
        lines.append(f"  only {only['build']} has {only['list']}: {' '.join(only['words'])}")
    cell = max(8, *(len(lb) for lb in labels)) + 2
    head = "test  " + "".join(lb.ljust(cell) for lb in labels)
    for kind in data["kinds"]:
        if kind["kind"] == "same" or not kind["tests"]:
            continue
        lines += ["", f"{kind['tests']} {_tests(kind['tests'])} {kind['words']}:", head]
        for t in data["tests"]:
            if t["kind"] != kind["kind"]:
                continue
            cells = "".join((o or "-").ljust(cell) for o in t["outcomes"])
            lines.append(f"{t['number']}  {cells}{t['title']}"[:width].rstrip())
    same = next(k["tests"] for k in data["kinds"] if k["kind"] == "same")
    differ = len(data["tests"]) - same
    lines += ["", f"{differ} of {len(data['tests'])} tests differ between the builds, {same} agree"]
    return "\n".join(lines)


def _tests(n: int) -> str:
    return "test" if n == 1 else "tests"


def render_html(data: dict[str, Any]) -> str:
    """The view as one self-contained page (no fetches), differing tests first."""
    from harness.reports.htmlreport import templates

    colours = {o.value: o.colour for o in Outcome}
    return templates().get_template("sidebyside.html.j2").render(data=data, colours=colours)
