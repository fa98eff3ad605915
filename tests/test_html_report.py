"""`--html FILE`: the page's content from synthetic results, and the page at work in
headless Chromium (Debian's `chromium`, installed by setup.sh), for synthetic results and
for a real run of the project's own suite with a broken expected file.

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`:
NUL-separated JSON on file descriptors 3 and 4), which the standard library can speak: so
the filter is clicked with real mouse events, hit-tested by the browser as a person's
click is, without a websocket client as a new dependency.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from harness.cli import commandline as cli
from harness.cli.merge import merge_reports
from harness.core.results import Mismatch, Outcome, RunInfo, TestCase, TestResult
from harness.reports import htmlreport
from harness.reports.htmlreport import (
    HtmlReport,
    accept_command,
    parse_diff,
    render,
    rerun_command,
    write_html,
)
from harness.reports.jsonreport import report_data, write_json
from tests.e2e import WORK, compared_file, copy_own_suite, needs_exim, run

CHROMIUM = shutil.which("chromium")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium")

RERUN = "./runtest.py /usr/sbin/exim4 --suite /tmp/suite"
ACCEPT = "./runtest.py --suite /tmp/suite --accept"
DIFF = (
    "--- stdout/0042\n+++ stdout/0042 (this run)\n@@ -3,4 +3,4 @@\n"
    " 250 OK <userx@test.ex>\n-old line\n+new line\n+another\n context\n"
)


# ---- synthetic runs (also used by bench/bench_html.py) -------------------------------------


def synthetic_results(n: int, failing_every: int = 10, diff_lines: int = 40) -> list[TestResult]:
    """`n` tests in directories of 50; every `failing_every`th fails with a diff of about
    `diff_lines` lines, every 7th is skipped, one is flaky."""
    results = []
    for i in range(1, n + 1):
        case = TestCase(
            f"{i:04d}",
            f"{i // 50 * 50:04d}-Dir{i // 50}",
            Path(f"{i:04d}"),
            f"test number {i} <with@angle.brackets>",
        )
        if i % failing_every == 0:
            body = "".join(
                f" context {k} <u{k}@test.ex>\n-expected {k}\n+actual {k}\n"
                for k in range(diff_lines // 3)
            )
            diff = (
                f"--- stdout/{case.number}\n+++ stdout/{case.number} (this run)\n"
                f"@@ -1,{diff_lines} +1,{diff_lines} @@\n{body}"
            )
            results.append(
                TestResult(
                    case,
                    Outcome.FAILED,
                    f"stdout/{case.number}: differs",
                    0.5 + i % 13,
                    (Mismatch(f"stdout/{case.number}", "differs", diff),),
                )
            )
        elif i % 7 == 0:
            results.append(TestResult(case, Outcome.SKIPPED, "needs IPv6"))
        else:
            outcome = Outcome.FLAKY if i == 3 else Outcome.PASSED
            results.append(TestResult(case, outcome, "", 0.1 + (i % 17) / 10))
    return results


def synthetic_data(n: int, **kw: Any) -> dict[str, Any]:
    results = synthetic_results(n, **kw)
    run_ = {
        "suite": "/tmp/suite",
        "binary": "/usr/sbin/exim4",
        "binary_version": "4.96",
        "harness": "4.96",
        "rerun_command": RERUN,
        "accept_command": ACCEPT,
        "started": "2026-01-01T00:00:00+0000",
    }
    return report_data(results, run_, [r.case.number for r in results], 12.5)


def _failing(number: str = "0042", diff: str = DIFF) -> TestResult:
    return TestResult(
        TestCase(number, "0000-Basic", Path(number), "a <title> & more"),
        Outcome.FAILED,
        f"stdout/{number}: differs",
        1.25,
        (Mismatch(f"stdout/{number}", "differs", diff),),
        ("a note <here>",),
    )


# ---- the page's content ---------------------------------------------------------------------


def test_commands_rerun_the_test_and_accept_its_output():
    run_ = {"rerun_command": RERUN, "accept_command": ACCEPT}
    assert rerun_command(run_, "0042") == f"{RERUN} 0042"
    assert accept_command(run_, "0042") == f"{ACCEPT} 0042"
    assert rerun_command({}, "0042") is None and accept_command({}, "0042") is None


def test_diff_lines_are_numbered_and_paired_side_by_side():
    lines = parse_diff(DIFF)
    assert [(x.kind, x.old, x.new) for x in lines] == [
        ("hunk", None, None),
        ("context", 3, 3),
        ("removed", 4, None),
        ("added", None, 4),
        ("added", None, 5),
        ("context", 5, 6),
    ]
    view = htmlreport.DiffBudget().view(DIFF)
    pairs = [(a and a.text, b and b.text) for a, b in view.pairs]
    assert pairs[2:4] == [("old line", "new line"), (None, "another")]
    assert view.hidden == 0


def test_a_removed_line_that_looks_like_a_header_stays():
    lines = parse_diff("--- a\n+++ b\n@@ -1,2 +1,1 @@\n--- dashes\n keep\n")
    assert [(x.kind, x.text) for x in lines][1:] == [("removed", "-- dashes"), ("context", "keep")]


def test_large_diffs_are_capped_per_file_and_per_page(monkeypatch):
    big = "@@ -1,1000 +1,1000 @@\n" + "".join(f"-{k}\n" for k in range(1000))
    view = htmlreport.DiffBudget().view(big)
    assert len(view.lines) == htmlreport.MAX_DIFF_LINES
    assert view.hidden == 1001 - htmlreport.MAX_DIFF_LINES and "a file" in view.why
    budget = htmlreport.DiffBudget(350)
    budget.view(big)
    second = budget.view(big)
    assert len(second.lines) == 50 and "used up" in second.why
    html = render(report_data([_failing(diff=big)], {}, ["0042"]))
    assert "more diff lines not shown" in html


def test_the_page_has_failures_first_escaped_output_and_no_external_resources():
    results = [
        TestResult(
            TestCase("0001", "0000-Basic", Path("0001"), "first"), Outcome.PASSED, duration=0.5
        ),
        _failing(),
    ]
    html = render(
        report_data(
            results, {"rerun_command": RERUN, "accept_command": ACCEPT}, ["0001", "0042"], 2.0
        )
    )
    assert html.index('id="t0042"') < html.index('id="t0001"')
    assert "250 OK &lt;userx@test.ex&gt;" in html and "<userx@" not in html
    assert "a &lt;title&gt; &amp; more" in html and "a note &lt;here&gt;" in html
    assert f"{ACCEPT} 0042" in html and f"{RERUN} 0042" in html
    assert "default-src 'none'" in html  # the browser refuses any fetch
    assert not re.search(r"https?:|//[a-z]|<link|\bsrc=|@import|url\(", html, re.I)


def test_a_report_of_a_thousand_tests_stays_small():
    html = render(synthetic_data(1000))
    assert html.count('class="test ') == 1000
    assert len(html) < 2_500_000, len(html)
    # everything failing with large diffs: the page's diff budget keeps it in bounds
    worst = render(synthetic_data(1000, failing_every=1, diff_lines=400))
    assert len(worst) < 8_000_000, len(worst)


def _info(tests: list[TestCase], provenance: dict[str, Any]) -> RunInfo:
    return RunInfo(
        Path("/tmp/suite"),
        Path("/usr/sbin/exim4"),
        len(tests),
        1,
        Path("/tmp/w"),
        provenance=provenance,
        tests=tuple(tests),
    )


def test_the_listener_writes_the_page_and_the_option_asks_for_it(tmp_path):
    opts = cli.parse_args(["--html", str(tmp_path / "r.html")])
    (listener,) = cli.reporters(opts)
    assert isinstance(listener, HtmlReport)
    result = _failing()
    listener.run_started(
        replace(
            _info([result.case], {"harness": "4.96"}), rerun_command=RERUN, accept_command=ACCEPT
        )
    )
    listener.run_finished([result], 3.0, "SIGINT")
    html = (tmp_path / "r.html").read_text()
    assert "stdout/0042" in html and "interrupted by SIGINT" in html and "wall time 3.00s" in html


def test_a_merged_report_renders(tmp_path):
    results = synthetic_results(20)
    shards = []
    for k in (1, 2):
        mine = results[k - 1 :: 2]
        run_ = {
            "suite": "/s",
            "suite_digest": "d",
            "binary": "/b",
            "binary_digest": "e",
            "shard": {"index": k, "total": 2, "strategy": "hash"},
            "started": f"2026-01-0{k}T00:00:00+0000",
            "rerun_command": RERUN,
        }
        write_json(
            tmp_path / f"s{k}.json", report_data(mine, run_, [r.case.number for r in mine], 1.0)
        )
        shards.append(tmp_path / f"s{k}.json")
    opts = cli.parse_args(
        [
            "--merge-reports",
            str(tmp_path / "m.json"),
            *map(str, shards),
            "--html",
            str(tmp_path / "m.html"),
        ]
    )
    merge_reports(opts)
    html = (tmp_path / "m.html").read_text()
    assert html.count('class="test ') == 20 and "Merged from 2 reports" in html
    assert "stdout/0010" in html


# ---- headless Chromium ---------------------------------------------------------------------


class Browser:
    """One headless Chromium with one page, driven over the DevTools protocol on a pipe."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 900) -> None:
        assert CHROMIUM is not None
        to_chrome, self._out = os.pipe()
        self._in, from_chrome = os.pipe()

        def as_fds_3_and_4() -> None:  # where --remote-debugging-pipe looks for them
            a = fcntl.fcntl(to_chrome, fcntl.F_DUPFD, 10)
            b = fcntl.fcntl(from_chrome, fcntl.F_DUPFD, 10)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self.proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--remote-debugging-pipe",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--mute-audio",
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            preexec_fn=as_fds_3_and_4,
            pass_fds=(3, 4),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome)
        os.close(from_chrome)
        self._buf = b""
        self._id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None
        page = next(t for t in self.call("Target.getTargets")["targetInfos"] if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)[
            "sessionId"
        ]
        self.call("Page.enable")
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed its pipe")
            self._buf += chunk
        message, _, self._buf = self._buf.partition(b"\0")
        return json.loads(message)

    def call(self, method: str, timeout: float = 30, **params: Any) -> dict[str, Any]:
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._message(deadline)
            if answer.get("id") != self._id:
                self.events.append(answer)
            elif "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            else:
                return answer["result"]

    def wait_for(self, event: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self.events):
                if e.get("method") == event:
                    return self.events.pop(i)
            self.events.append(self._message(deadline))

    def open(self, path: Path, fragment: str = "") -> float:
        """Load a file; the seconds until its load event."""
        self.events.clear()
        start = time.monotonic()
        url = path.resolve().as_uri() + (f"#{fragment}" if fragment else "")
        self.call("Page.navigate", url=url)
        self.wait_for("Page.loadEventFired")
        return time.monotonic() - start

    def evaluate(self, expression: str) -> Any:
        answer = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def click(self, selector: str) -> None:
        """A left click with the mouse at the middle of the element, as a person's."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                type=kind,
                x=box[0],
                y=box[1],
                button="left",
                clickCount=1,
            )

    def screenshot(self, path: Path, full_page: bool = False) -> None:
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            w, h = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params |= {
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1},
            }
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", **params)["data"]))

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (OSError, RuntimeError, TimeoutError, EOFError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._out)
        os.close(self._in)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    b = Browser(tmp_path / "profile")
    try:
        yield b
    finally:
        b.close()


VISIBLE = (
    "Array.from(document.querySelectorAll('details.test')).filter(e => !e.hidden)"
    ".map(e => e.dataset.outcome)"
)


@needs_chromium
def test_the_page_filters_searches_and_switches_diff_views(browser, tmp_path):
    page = tmp_path / "r.html"
    write_html(page, synthetic_data(200))
    browser.open(page)
    assert browser.evaluate("document.getElementById('shown').textContent") == "200"
    browser.click("label[data-outcome=failed]")
    assert set(browser.evaluate(VISIBLE)) == {"failed"}
    assert browser.evaluate("location.hash") == "#outcome=failed"
    browser.click("label[data-outcome=all]")
    browser.click("input[name=q]")
    browser.call("Input.insertText", text="0042")
    assert browser.evaluate(
        "Array.from(document.querySelectorAll('details.test'))"
        ".filter(e => !e.hidden).map(e => e.id)"
    ) == ["t0042"]
    unified = "getComputedStyle(document.querySelector('#t0040 .diff.unified')).display"
    assert browser.evaluate(unified) == "table"
    browser.click("input[name=view][value=split]")
    assert browser.evaluate(unified) == "none"
    assert (
        browser.evaluate("getComputedStyle(document.querySelector('#t0040 .diff.split')).display")
        == "table"
    )
    # a link with a filter in its fragment opens filtered (a new document: a copy)
    browser.open(Path(shutil.copy(page, tmp_path / "linked.html")), "outcome=skipped")
    assert set(browser.evaluate(VISIBLE)) == {"skipped"}


@needs_exim
@needs_chromium
def test_a_real_run_with_a_broken_expected_file(browser, tmp_path):
    suite = copy_own_suite(tmp_path / "suite")
    # in 1..99, and its output has <CALLER@test.ex>
    expected = compared_file(suite, "stdout/0003")
    original = expected.read_bytes()
    i = original.index(b"usery@test.ex")
    expected.write_bytes(original[:i] + b"X" + original[i + 1 :])
    page = tmp_path / "report.html"

    proc, data = run(["--suite", str(suite), "--html", str(page), "1", "99"], "e2e-html")
    assert proc.returncode == 1, proc.stdout[-3000:]
    assert [t["number"] for t in data["tests"] if t["outcome"] == "failed"] == ["0003"]

    browser.open(page)
    # textContent: innerText leaves out what content-visibility has not laid out yet
    text = browser.evaluate("document.body.textContent")
    assert "0003" in text and expected.relative_to(suite).as_posix() in text
    diff = browser.evaluate("document.querySelector('#t0003 .diff.unified').innerText")
    assert "Xsery@test.ex" in diff and "usery@test.ex" in diff and "<CALLER@test.ex>" in diff
    assert browser.evaluate("document.querySelector('#t0003').open") is True
    assert f"--suite {suite} --workdir {WORK / 'e2e-html'} --accept 0003" in text
    passed = "document.querySelectorAll('details.test[data-outcome=passed]')"
    assert browser.evaluate(f"Array.from({passed}).filter(e => !e.hidden).length") > 0

    browser.click("label[data-outcome=failed]")
    assert browser.evaluate(VISIBLE) == ["failed"]
    assert browser.evaluate(f"Array.from({passed}).every(e => e.hidden)") is True
    shot = tmp_path / "report.png"
    browser.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
