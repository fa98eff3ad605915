"""Entry point: parse the command line, take root's part, run; one line for any run error."""

from __future__ import annotations

import os
import shutil
import sys

from harness.cli.commandline import parse_args, reporters
from harness.core.errors import HarnessError
from harness.core.exitcodes import ExitCode

# What the runner imports from outside the standard library, by the name pip knows it by.
PACKAGES = {"psutil": "psutil", "jinja2": "jinja2", "dns": "dnspython"}


def main(argv: list[str]) -> int:
    try:
        opts = parse_args(argv)
        if opts.merge_reports:
            from harness.cli.merge import merge_reports

            return merge_reports(opts)
        if opts.side_by_side:
            from harness.cli.sidebyside import show_side_by_side

            return show_side_by_side(opts)
        if opts.review is not None or opts.accept is not None:
            from harness.cli.accept import review_or_accept

            return review_or_accept(opts)
        if opts.new is not None:
            from harness.cli.scaffold import new_test

            return new_test(opts)
        if opts.munge_file is not None:
            from harness.cli.munge_file import print_munged

            return print_munged(opts)
        if os.getuid() != 0:
            # Root's part (the setuid test binary, spool ownership, `sudo exim`) needs root;
            # take it through sudo without a password prompt, or say how to run.
            sudo = shutil.which("sudo")
            if sudo is None:
                print("** runtest.py needs root: run it as root or with sudo", file=sys.stderr)
                return ExitCode.HARNESS_ERROR
            os.execv(sudo, [sudo, "-n", "-E", sys.executable, *sys.argv])
        from harness.run.session import run

        return run(opts, reporters(opts))
    except ModuleNotFoundError as exc:
        package = PACKAGES.get((exc.name or "").partition(".")[0])
        if package is None:
            raise
        print(
            f"** runtest.py needs the Python package {package} for this, which "
            f"{sys.executable} lacks: "
            f"./setup.sh makes .venv with everything runtest.py uses (or: pip install "
            f"{package})",
            file=sys.stderr,
        )
        return ExitCode.HARNESS_ERROR
    except BrokenPipeError:  # the reader went away (| head): nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK
    except HarnessError as exc:
        text = str(exc)
        try:
            ok = exc.exit_status is ExitCode.OK
            print(text if ok else f"** {text}", file=sys.stdout if ok else sys.stderr, flush=True)
        except BrokenPipeError:  # e.g. --help | head
            pass
        return exc.exit_status


def console_main() -> None:
    """The installed `runtest` command (and `python -m harness`)."""
    sys.exit(main(sys.argv[1:]))
