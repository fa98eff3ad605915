#!/usr/bin/env python3
"""Summarise a runtest.py --json report for docs/compatibility.md.

    tools/compat_table.py report.json [--perl-verdicts VERDICTS.tsv]

Prints pass/fail/skip counts per test directory and one line per failing test with its
first mismatching file and reason; the traced causes are then written by hand. With the
verdicts of Exim's own harness (a TSV of test, verdict), it also lists the tests whose
verdicts differ from those.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict

PASSING = ("passed", "flaky", "xfail")


def perl_verdicts(path: str) -> dict[str, str]:
    out = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        number, verdict, *_ = line.rstrip("\n").split("\t")
        out[number] = verdict
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("report")
    ap.add_argument("--perl-verdicts")
    args = ap.parse_args()
    data = json.loads(open(args.report).read())
    by_dir: dict[str, Counter[str]] = defaultdict(Counter)
    for t in data["tests"]:
        by_dir[t["name"].split("/")[0]][t["outcome"]] += 1
    print("| directory | passed | failed | error | skipped |")
    print("|---|---|---|---|---|")
    total: Counter[str] = Counter()
    for d in sorted(by_dir):
        c = by_dir[d]
        total.update(c)
        print(
            f"| {d} | {c['passed'] + c['flaky']} | {c['failed']} | {c['error']} | {c['skipped']} |"
        )
    print(
        f"| **all** | {total['passed'] + total['flaky']} | {total['failed']} "
        f"| {total['error']} | {total['skipped']} |"
    )
    print()
    for t in data["tests"]:
        if t["outcome"] in ("failed", "error"):
            first = next((m["file"] for m in t["mismatches"] if not m["updated"]), "-")
            print(f"- {t['number']} ({first}): {t['reason'].splitlines()[0][:150]}")
    if args.perl_verdicts:
        perl = perl_verdicts(args.perl_verdicts)
        ours = {t["number"]: t["outcome"] for t in data["tests"]}
        print(
            "\nExim's harness passed, this run did not: "
            + ", ".join(
                f"{n} ({ours[n]})"
                for n in sorted(ours)
                if perl.get(n) == "passed" and ours[n] not in PASSING
            )
        )
        print(
            "Exim's harness failed, this run passed: "
            + ", ".join(n for n in sorted(ours) if perl.get(n) == "failed" and ours[n] in PASSING)
        )
        print(
            "skipped by one, not the other: "
            + ", ".join(
                f"{n} (perl {perl.get(n)}, here {ours[n]})"
                for n in sorted(ours)
                if (perl.get(n) == "skipped") != (ours[n] == "skipped")
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
