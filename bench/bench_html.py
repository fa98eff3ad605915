#!/usr/bin/env python3
"""How fast the --html report of a thousand tests renders and opens in headless Chromium.

Two synthetic runs of N tests (the test module's `synthetic_data`): a usual one (every
10th test fails with a 40-line diff) and the worst case (every test fails with a 400-line
diff, so the page's diff budget applies). For each: the seconds to render, the size, and
in headless Chromium (Debian's `chromium`) the seconds from navigation to the load event
(first and median of the repeats), the browser's own DOMContentLoaded, load and first
contentful paint, and the time a click on the "failed" filter takes to apply (layout
included). The target is a page that opens in under 2 s.

    .venv/bin/python bench/bench_html.py [-n 1000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.reports.htmlreport import render  # noqa: E402
from tests.test_html_report import Browser, synthetic_data  # noqa: E402

TARGET = 2.0
TIMINGS = """(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const fcp = performance.getEntriesByName("first-contentful-paint")[0];
  return [nav.domContentLoadedEventEnd, nav.loadEventEnd, fcp ? fcp.startTime : -1];
})()"""
FILTER = """(() => {
  const start = performance.now();
  document.querySelector("label[data-outcome=failed] input").click();
  void document.body.offsetHeight;  // the layout of the filtered page
  return performance.now() - start;
})()"""


def bench(browser: Browser, name: str, page: Path, n: int, repeat: int, **kw: object) -> bool:
    start = time.perf_counter()
    html = render(synthetic_data(n, **kw))
    rendered = time.perf_counter() - start
    page.write_text(html)
    loads, timings = [], []
    for _ in range(repeat):
        loads.append(browser.open(page))
        timings.append(browser.evaluate(TIMINGS))
    filtered = browser.evaluate(FILTER)
    dcl, load, fcp = (statistics.median(t[i] for t in timings) / 1000 for i in range(3))
    median = statistics.median(loads)
    ok = max(loads) < TARGET
    diffs = html.count('class="diff unified"')
    print(
        f"{name}: {n} tests, {diffs} diffs, {len(html) / 1e6:.2f} MB, rendered in {rendered:.2f}s"
    )
    print(
        f"  open to load event: first {loads[0]:.2f}s, median {median:.2f}s, "
        f"max {max(loads):.2f}s (target < {TARGET:.0f}s: {'ok' if ok else 'TOO SLOW'})"
    )
    print(
        f"  in the page (median): DOMContentLoaded {dcl:.2f}s, load {load:.2f}s, "
        f"first contentful paint {fcp:.2f}s; filter to failed {filtered:.0f} ms"
    )
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-html-") as tmp:
        browser = Browser(Path(tmp) / "profile")
        try:
            ok = bench(browser, "usual", Path(tmp) / "usual.html", args.n, args.repeat)
            ok &= bench(
                browser,
                "everything fails",
                Path(tmp) / "worst.html",
                args.n,
                args.repeat,
                failing_every=1,
                diff_lines=400,
            )
        finally:
            browser.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
