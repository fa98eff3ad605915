"""The script commands, as Exim's harness runs them: each declared once, with its pattern.

`@command(name, pattern, ...)` declares a command: the pattern that recognises its line
(matched at the start of the line), whether data lines up to `****` follow, examples of it,
the Exim utilities it runs, and the handler. Declaration order is the order of matching, and
`check_grammar` makes sure that no two patterns match one example. A handler gets the test
context, the parsed command and the match of its pattern on the command line after
substitution, and says how the command ended (`Completion`).

The commands live by kind: `control` (the script's own steering), `tools` (Exim's utilities
and shell commands on the test's files), `peers` (a scripted server, a client) and `exim`
(exim itself, its daemons, killdaemon); `running` has what they share, `registry` how they
are declared.
"""

from __future__ import annotations

# isort: off
# Importing the kinds declares their commands, in this order of matching (exim last: its
# pattern takes any line that starts with a VAR=value, a wait, `sudo` or an exim name).
from harness.case.commands import control, tools, peers, exim
# isort: on

from harness.case.commands.exim import close_server
from harness.case.commands.registry import (
    COMMANDS,
    CommandError,
    CommandSpec,
    Completion,
    CompletionKind,
    check_grammar,
    command,
    describe_status,
    parse_script,
    spec_for,
    utilities,
)
from harness.case.commands.running import data_bytes, end_superseded_peer, perl_dq_escapes

__all__ = [
    "COMMANDS",
    "CommandError",
    "CommandSpec",
    "Completion",
    "CompletionKind",
    "check_grammar",
    "close_server",
    "command",
    "control",
    "data_bytes",
    "describe_status",
    "end_superseded_peer",
    "exim",
    "parse_script",
    "peers",
    "perl_dq_escapes",
    "spec_for",
    "tools",
    "utilities",
]

_problems = check_grammar(COMMANDS)
if _problems:  # a declaration mistake: fail at import, not in the middle of a run
    raise RuntimeError("command declarations overlap: " + "; ".join(_problems))
