"""--side-by-side: reports of several builds, test by build, differing verdicts first."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from harness.cli.sidebyside import named
from harness.core.paths import REPO
from harness.core.results import Outcome, TestCase, TestResult
from harness.reports.jsonreport import report_data, write_json
from harness.reports.junitreport import write_junit
from harness.reports.loading import load_report
from harness.reports.sidebyside import kind_of, render_html, render_text, side_by_side
from tests.test_html_report import Browser, browser, needs_chromium  # noqa: F401 (fixture)

P, F, S, K = Outcome.PASSED, Outcome.FAILED, Outcome.SKIPPED, Outcome.FLAKY


def _bv(tls: str, *lookups: str) -> dict[str, list[str]]:
    return {"Support for": ["IPv6", tls, "DKIM"], "Lookups": ["lsearch", *lookups]}


def _report(path: Path, tls: str, outcomes: dict[str, Outcome], *lookups: str) -> Path:
    results = [
        TestResult(TestCase(n, "0000-Dir", Path(n), f"title {n}"), o, f"why {n}")
        for n, o in outcomes.items()
    ]
    run = {
        "suite": "/s",
        "suite_digest": "d",
        "binary": f"/opt/{tls}/exim",
        "binary_version": "4.99.1",
        "binary_build": _bv(tls, *lookups),
    }
    write_json(path, report_data(results, run, list(outcomes)))
    return path


def test_kinds() -> None:
    assert kind_of([P, P]) == "same"
    assert kind_of([P, K]) == "same"  # a flaky test passed in the end
    assert kind_of([F, P]) == "fails-passes"
    assert kind_of([F, S, P]) == "fails-passes"
    assert kind_of([F, None]) == "fails-skipped"  # not in one report: not run there
    assert kind_of([S, P]) == "runs-skipped"


def test_differing_tests_first_and_what_only_one_build_has(tmp_path: Path) -> None:
    a = _report(tmp_path / "a.json", "GnuTLS", {"0001": P, "0002": P, "0003": S, "0004": F})
    b = _report(
        tmp_path / "b.json", "OpenSSL", {"0001": P, "0002": F, "0003": P, "0004": S}, "redis"
    )
    data = side_by_side([load_report(a), load_report(b)], [None, "mine"])
    assert [b["label"] for b in data["builds"]] == ["4.99.1 GnuTLS", "mine"]
    assert [(t["number"], t["kind"]) for t in data["tests"]] == [
        ("0002", "fails-passes"),
        ("0004", "fails-skipped"),
        ("0003", "runs-skipped"),
        ("0001", "same"),
    ]
    assert data["tests"][0]["outcomes"] == ["passed", "failed"]
    assert data["tests"][0]["reasons"] == ["why 0002", "why 0002"]
    only = {(o["build"], o["list"]): o["words"] for o in data["only_in"]}
    assert only == {
        ("4.99.1 GnuTLS", "Support for"): ["GnuTLS"],
        ("mine", "Support for"): ["OpenSSL"],
        ("mine", "Lookups"): ["redis"],
    }
    text = render_text(data)
    assert "1 test failed in one build, passed in another:" in text
    assert "0002  passed         failed" in text
    assert "only mine has Lookups: redis" in text
    assert text.endswith("3 of 4 tests differ between the builds, 1 agree")


def test_junit_reports_and_two_of_one_build(tmp_path: Path) -> None:
    """JUnit reports carry no build: labelled by file, made unique."""
    case = TestCase("0001", "0000-Dir", Path("0001"), "t")
    for name, outcome in (("x", P), ("y", F)):
        write_junit(tmp_path / f"{name}.xml", [("g", [TestResult(case, outcome)])])
    data = side_by_side(
        [load_report(tmp_path / "x.xml"), load_report(tmp_path / "y.xml")], [None, None]
    )
    assert [b["label"] for b in data["builds"]] == ["x", "y"]
    assert data["tests"][0]["kind"] == "fails-passes"


def test_command_line(tmp_path: Path) -> None:
    a = _report(tmp_path / "a.json", "GnuTLS", {"0001": P, "0002": P})
    b = _report(tmp_path / "b.json", "OpenSSL", {"0001": P, "0002": F})
    out = subprocess.run(
        [
            sys.executable,
            str(REPO / "runtest.py"),
            "--side-by-side",
            f"upstream={a}",
            str(b),
            "--json",
            str(tmp_path / "v.json"),
            "--html",
            str(tmp_path / "v.html"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "upstream: Exim 4.99.1 GnuTLS /opt/GnuTLS/exim" in out.stdout
    assert re.search(r"^0002  passed +failed +title 0002$", out.stdout, re.M)
    data = json.loads((tmp_path / "v.json").read_text())
    assert data["format"] == "runtest-side-by-side/1"
    assert data["tests"][0]["number"] == "0002"
    assert (tmp_path / "v.html").read_text().startswith("<!DOCTYPE html>")
    one = subprocess.run(
        [sys.executable, str(REPO / "runtest.py"), "--side-by-side", str(a)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert one.returncode == 2
    assert one.stderr.strip() == "** --side-by-side REPORT REPORT...: give two reports or more"


def test_files_are_written_when_the_reader_stops_early(tmp_path: Path) -> None:
    a = _report(tmp_path / "a.json", "GnuTLS", {"0001": P, "0002": P})
    b = _report(tmp_path / "b.json", "OpenSSL", {"0001": P, "0002": F})
    html = tmp_path / "v.html"
    with subprocess.Popen(
        [sys.executable, str(REPO / "runtest.py"), "--side-by-side", str(a), str(b)]
        + ["--html", str(html)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None
        proc.stdout.close()  # as `| head -0` does
        proc.wait(60)
    assert html.read_text().startswith("<!DOCTYPE html>")


@needs_chromium
def test_page_shows_the_differences_and_all_on_request(
    tmp_path: Path,
    browser: Browser,  # noqa: F811
) -> None:
    a = _report(tmp_path / "a.json", "GnuTLS", {"0001": P, "0002": P, "0003": S})
    b = _report(tmp_path / "b.json", "OpenSSL", {"0001": P, "0002": F, "0003": P})
    page = tmp_path / "v.html"
    page.write_text(render_html(side_by_side([load_report(a), load_report(b)], [None, None])))
    browser.open(page)
    rows = (
        "Array.from(document.querySelectorAll('tr[data-text]'))"
        ".filter(r => !r.hidden && !r.closest('tbody').hidden)"
        ".map(r => r.cells[0].textContent)"
    )
    assert browser.evaluate(rows) == ["0002", "0003"]
    colour = "getComputedStyle(document.querySelector('td.o-failed')).backgroundColor"
    assert browser.evaluate(colour) == "rgb(198, 40, 40)"
    browser.click("#all")
    assert browser.evaluate(rows) == ["0002", "0003", "0001"]
    browser.evaluate(
        "(() => { const f = document.getElementById('find'); f.value = '0003';"
        " f.dispatchEvent(new Event('input')); })()"
    )
    assert browser.evaluate(rows) == ["0003"]
    assert browser.evaluate("document.getElementById('shown').textContent") == "1 shown"


def test_a_report_named_name_equals_file(tmp_path: Path) -> None:
    assert named("x=y.json") == ("x", Path("y.json"))
    odd = tmp_path / "a=b.json"
    odd.write_text("{}")
    assert named(str(odd)) == (None, odd)  # an existing file is taken whole
