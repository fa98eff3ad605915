#!/usr/bin/env python3
"""Runner overhead per script command, against running the same exim commands directly.

Builds a throw-away suite with one test of N `exim -be` commands (and one of N `server` +
`exim` pairs), runs it through runtest.py, and prints milliseconds per command for the
runner and for a plain loop of the same commands run by a shell. Needs root and exim4.

    .venv/bin/python bench/bench_runner.py [-n 50]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_suite(root: Path, n: int) -> None:
    (root / "scripts" / "0000-Bench").mkdir(parents=True)
    (root / "confs").mkdir()
    conf = (
        "exim_path = EXIM_PATH\nspool_directory = DIR/spool\n"
        "log_file_path = DIR/spool/log/%slog\nkeep_environment =\n"
    )
    (root / "confs" / "0000").write_text(conf)
    (root / "confs" / "0001").write_text(conf)
    body = "".join("exim -be '${if eq{1}{1}{y}{n}}'\n****\n" for _ in range(n))
    (root / "scripts" / "0000-Bench" / "0001").write_text("# bench\n" + body)
    (root / "stdout").mkdir()
    (root / "stdout" / "0001").write_text("y\n" * n)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=50)
    n = ap.parse_args().n
    with tempfile.TemporaryDirectory(dir=REPO / ".work") as tmp:
        Path(tmp).chmod(0o755)  # the Exim user must reach the work directory
        suite = Path(tmp) / "suite"
        make_suite(suite, n)
        report = Path(tmp) / "r.json"
        t = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                str(REPO / "runtest.py"),
                "--suite",
                str(suite),
                "--workdir",
                str(Path(tmp) / "work"),
                "--json",
                str(report),
                "-j",
                "1",
                "-KEEP",
                "1",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        whole = time.monotonic() - t
        test = json.loads(report.read_text())["tests"][0]
        w0 = Path(tmp) / "work" / "w0"
        cmd = (
            f"{w0}/eximdir/exim -DEXIM_PATH={w0}/eximdir/exim -C {w0}/test-config "
            "-be '${if eq{1}{1}{y}{n}}' </dev/null >/dev/null"
        )
        t = time.monotonic()
        subprocess.run(
            ["su", "rtcaller", "-s", "/bin/sh", "-c", f"for i in $(seq {n}); do {cmd}; done"],
            check=True,
        )
        direct = time.monotonic() - t
    print(f"commands: {n}")
    print(
        f"runner, test duration: {test['duration'] * 1000 / n:.1f} ms per command "
        f"(outcome {test['outcome']})"
    )
    print(f"direct shell loop:     {direct * 1000 / n:.1f} ms per command")
    print(f"runner overhead:       {(test['duration'] - direct) * 1000 / n:.1f} ms per command")
    print(f"whole run incl. set-up: {whole:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
