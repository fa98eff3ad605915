"""The command declarations: one place per command, and no two patterns claim one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.case.commands import COMMANDS, CommandSpec, check_grammar, parse_script, utilities

SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_declarations_do_not_overlap():
    assert check_grammar(COMMANDS) == []


def test_an_overlapping_declaration_is_reported():
    shadow = CommandSpec(
        "shadow", re.compile(r"^dump\b"), False, COMMANDS[0].handler, ("dump everything",)
    )
    problems = check_grammar([*COMMANDS, shadow])
    assert any("dump" in p and "shadow" in p for p in problems)


def test_utilities_come_from_the_declarations():
    assert {
        "exim_dumpdb",
        "exim_lock",
        "exinext",
        "exigrep",
        "eximstats",
        "exiqgrep",
        "exim_dbmbuild",
    } <= set(utilities())


@pytest.mark.parametrize("corpus", ["exim-4.96", "exim-4.99.1"])
def test_each_command_of_the_corpora_is_claimed_by_one_declaration(corpus):
    scripts = SHARED / corpus / "scripts"
    if not scripts.is_dir():
        pytest.skip("shared corpus not present")
    seen = 0
    for path in sorted(p for p in scripts.glob("*/*") if p.name[:1].isdigit()):
        try:
            script = parse_script(path)
        except Exception:  # noqa: BLE001 - commands a later release adds are counted elsewhere
            continue
        for cmd in script.commands:
            claimed = [c.name for c in COMMANDS if c.pattern.match(cmd.text)]
            assert claimed == [cmd.name], f"{path}:{cmd.line}: {cmd.text!r} claimed by {claimed}"
            seen += 1
    assert seen > 1000
