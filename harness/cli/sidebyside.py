"""`runtest.py --side-by-side REPORT... [--json FILE] [--html FILE]`: builds compared."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from harness.core.errors import UsageError
from harness.core.exitcodes import ExitCode
from harness.core.options import Options
from harness.reports.common import atomic_write
from harness.reports.loading import load_report
from harness.reports.sidebyside import render_html, render_text, side_by_side


def named(argument: str) -> tuple[str | None, Path]:
    """NAME=FILE, or FILE (a file whose own name has "=" is taken whole when it exists)."""
    name, sep, file = argument.partition("=")
    if sep and name and file and not Path(argument).exists():
        return name, Path(file)
    return None, Path(argument)


def show_side_by_side(opts: Options) -> int:
    reports_named = [named(a) for a in opts.side_by_side]
    if len(reports_named) < 2:
        raise UsageError("--side-by-side REPORT REPORT...: give two reports or more")
    reports = [load_report(path) for _, path in reports_named]
    data = side_by_side(reports, [name for name, _ in reports_named])
    # The files first: a reader that stops reading (| head) must not cost them.
    written = []
    if opts.json:
        atomic_write(opts.json, (json.dumps(data, indent=1) + "\n").encode())
        written.append(f"JSON written to {opts.json}")
    if opts.html:
        atomic_write(opts.html, render_html(data).encode())
        written.append(f"HTML written to {opts.html}")
    print(render_text(data, width=max(80, shutil.get_terminal_size().columns)))
    for line in written:
        print(line)
    return ExitCode.OK
