#!/usr/bin/env python3
"""Summarise a runtest.py --json report for docs/compatibility.md.

    tools/compat_table.py report.json

Prints pass/fail/skip counts per test directory and one line per failing test with its
first mismatching file and reason; the traced causes are then written by hand.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict


def main(path: str) -> int:
    data = json.loads(open(path).read())
    by_dir: dict[str, Counter[str]] = defaultdict(Counter)
    for t in data["tests"]:
        by_dir[t["name"].split("/")[0]][t["outcome"]] += 1
    print("| directory | passed | failed | error | skipped |")
    print("|---|---|---|---|---|")
    total: Counter[str] = Counter()
    for d in sorted(by_dir):
        c = by_dir[d]
        total.update(c)
        print(f"| {d} | {c['passed'] + c['flaky']} | {c['failed']} | {c['error']} "
              f"| {c['skipped']} |")
    print(f"| **all** | {total['passed'] + total['flaky']} | {total['failed']} "
          f"| {total['error']} | {total['skipped']} |")
    print()
    for t in data["tests"]:
        if t["outcome"] in ("failed", "error"):
            first = next((m["file"] for m in t["mismatches"] if not m["updated"]), "-")
            print(f"- {t['number']} ({first}): {t['reason'].splitlines()[0][:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
