"""`runtest.py --munge FILE`: show a file as the comparison sees it, for test writers."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from harness.core.errors import HarnessError
from harness.core.exitcodes import ExitCode
from harness.core.generation import Generation
from harness.core.options import Options
from harness.core.paths import default_workdir
from harness.host.probe import probe_host
from harness.munge import munge_file_for_display


def print_munged(opts: Options) -> int:
    assert opts.munge_file is not None
    root = (opts.workdir or default_workdir()).resolve()
    with tempfile.TemporaryDirectory(prefix="runtest-munge-") as probe_dir:
        host = probe_host(
            opts.suite.resolve(),
            opts.binary,
            opts.caller,
            root / "w0",
            want_ipv4=opts.ipv4,
            want_ipv6=opts.ipv6,
            probe_dir=Path(probe_dir),
        )
    try:
        generation = Generation.chosen(opts.harness, host.info.version)
        sys.stdout.write(munge_file_for_display(opts.munge_file, host.facts, generation))
    except (KeyError, ValueError) as exc:
        raise HarnessError(str(exc)) from exc
    return ExitCode.OK
