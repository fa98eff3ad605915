"""Entry point: parse the command line, take root's part, run."""

from __future__ import annotations

import os
import shutil
import sys

from harness.cli import UsageError, parse_args
from harness.runner import main_guarded


def main(argv: list[str]) -> int:
    try:
        opts = parse_args(argv)
    except UsageError as exc:
        print(exc, file=sys.stderr)
        return 0 if str(exc).startswith("usage:") else 2
    if opts.munge_file is not None:
        from harness.munge_cli import print_munged

        return print_munged(opts)
    if os.getuid() != 0:
        # Root's part (the setuid test binary, spool ownership, `sudo exim`) needs root;
        # take it through sudo without a password prompt, or say how to run.
        sudo = shutil.which("sudo")
        if sudo is None:
            print("** runtest.py needs root: run it as root or with sudo", file=sys.stderr)
            return 2
        os.execv(sudo, [sudo, "-n", "-E", sys.executable, *sys.argv])
    return main_guarded(opts)
