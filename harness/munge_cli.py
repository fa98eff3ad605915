"""`runtest.py --munge FILE`: show a file as the comparison sees it, for test writers."""

from __future__ import annotations

import sys

from harness.cli import Options
from harness.eximbinary import find_binary, parse_bv, run_probe
from harness.munge import munge_file_for_display
from harness.probe import ProbeError, build_facts, find_caller


def print_munged(opts: Options) -> int:
    assert opts.munge_file is not None
    from harness.runner import default_workdir  # the directory DIR stands for in a run

    suite = opts.suite.resolve()
    try:
        caller = find_caller(opts.caller)
    except ProbeError as exc:
        print(f"** {exc}", file=sys.stderr)
        return 2
    binary = find_binary(suite, opts.binary)
    user = group = "exim"
    has_ipv6 = True
    if binary is not None:
        values = dict(
            line.split(" = ", 1)
            for line in run_probe([str(binary), "-bP", "exim_user", "exim_group"])
            .stdout.splitlines() if " = " in line
        )
        user = values.get("exim_user", user).strip()
        group = values.get("exim_group", group).strip()
        has_ipv6 = "IPv6" in parse_bv(run_probe([str(binary), "-bV"]).stdout).support
    root = (opts.workdir or default_workdir(suite)).resolve()
    try:
        facts = build_facts(str(root / "w0"), caller, user, group, exim_has_ipv6=has_ipv6,
                            want_ipv4=opts.ipv4, want_ipv6=opts.ipv6)
        sys.stdout.write(munge_file_for_display(opts.munge_file, facts))
    except (KeyError, ValueError) as exc:
        print(f"** {exc}", file=sys.stderr)
        return 2
    return 0
