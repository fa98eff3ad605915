"""How long a test that has never run here will take, from what its script waits for.

Exim's tests spend their time waiting: the script's own pauses (`sleep`, `millisleep`, an
exim command's wait prefix `N exim ...`, a peer's `*sleep N`), a client's time-out that the
test provokes (`client -t N`), and Exim's own waits that its commands set off: a daemon
started and later killed, a queue run (`-q...`, `-M...`, `-R...`), each message sent.
Each counts for the seconds in `WEIGHTS`, which were fitted (non-negative least squares)
to the durations of Exim 4.96's and 4.99.1's visible suites under 16 workers, and checked
across them (fitted on one, measured on the other): `bench/bench_estimate.py` prints the
error and the run time that the order it gives would take.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, fields

from harness.case.commands import parse_script
from harness.core.results import TestCase
from harness.suite.script import Command, ScriptError

# Seconds per unit of each feature (Features' fields).
WEIGHTS: dict[str, float] = {
    "base": 0.4,  # every test: the work directory's reset, the output's check
    "pauses": 1.0,  # seconds of sleep, millisleep, wait prefixes and peers' *sleep
    "exim": 0.35,  # an exim command (or sudo exim, exim_exim)
    "utility": 0.9,  # an Exim utility (exim_msgdate, exim_dbmbuild, ...), mostly Perl
    "daemons": 2.0,  # an exim -bd started (and killed later)
    "queue_runs": 0.9,  # exim -q..., -M..., -R...
    "messages": 0.15,  # a message's end (a "." data line) in an SMTP session
    "clients": 0.2,  # a client command
    "servers": 0.25,  # a server command
    "client_timeouts": 0.6,  # seconds of client -t N
}

_SLEEP = re.compile(r"^(milli)?sleep\s+(\d+)")
_WAIT_PREFIX = re.compile(r"^(?:[A-Za-z\d_]+=\S+\s+)*(\d+)\s")
_UTILITY = re.compile(
    r"^(?:[A-Za-z\d_]+=\S+\s+)*(?:\d+\s+)?(?:sudo\s+(?:-u\s+\w+\s+)?)?exim_(?!exim\b)\w"
)
_DAEMON = re.compile(r"\s-bd\b")
_QUEUE_RUN = re.compile(r"\s-(?:q\w*|M\w*|R\S*)(?:\s|$)")
_CLIENT_TIMEOUT = re.compile(r"\s-t\s*(\d+)")
_PEER_SLEEP = re.compile(r"^\*sleep\s+(\d+)")


@dataclass
class Features:
    """What a script will wait for, counted."""

    base: float = 1.0
    pauses: float = 0.0
    exim: float = 0.0
    utility: float = 0.0
    daemons: float = 0.0
    queue_runs: float = 0.0
    messages: float = 0.0
    clients: float = 0.0
    servers: float = 0.0
    client_timeouts: float = 0.0

    def seconds(self) -> float:
        return sum(WEIGHTS[f.name] * getattr(self, f.name) for f in fields(self))


def features(commands: Iterable[Command]) -> Features:
    f = Features()
    for cmd in commands:
        text = cmd.text
        if m := _SLEEP.match(text):
            f.pauses += int(m.group(2)) / (1000 if m.group(1) else 1)
        elif cmd.name.startswith("exim"):
            if m := _WAIT_PREFIX.match(text):
                f.pauses += int(m.group(1))
            if _UTILITY.match(text):
                f.utility += 1
            else:
                f.exim += 1
                f.daemons += bool(_DAEMON.search(text))
                f.queue_runs += bool(_QUEUE_RUN.search(text))
        elif cmd.name.startswith("client"):
            f.clients += 1
            if m := _CLIENT_TIMEOUT.search(text):
                f.client_timeouts += int(m.group(1))
        elif cmd.name == "server":
            f.servers += 1
        for line in cmd.data:
            if line.strip() == ".":
                f.messages += 1
            elif m := _PEER_SLEEP.match(line):
                f.pauses += int(m.group(1))
    return f


def estimate(case: TestCase) -> float:
    """The seconds `case` is expected to take; 1 s for a script that cannot be read."""
    try:
        script = parse_script(case.path)
    except (OSError, ScriptError):
        return 1.0
    return features(script.commands).seconds()
