"""A `server` (or `exim_lock`) started while an earlier one is still waited for: the
earlier one's input is closed and it is waited for first, its exit status dropped, as
Exim's harness's reopening of its one pipe handle does (0015 depends on it)."""

from __future__ import annotations

import subprocess
import sys
from types import SimpleNamespace

from harness.case.commands import end_superseded_peer


class _Tracker:
    def __init__(self) -> None:
        self.forgotten: list[subprocess.Popen[bytes]] = []

    def forget(self, proc: subprocess.Popen[bytes]) -> None:
        self.forgotten.append(proc)


def _peer(rc: int) -> subprocess.Popen[bytes]:
    # Like bin/server waiting for a connection: it ends only once its input is closed.
    code = f"import sys; sys.stdin.read(); sys.exit({rc})"
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)


def test_an_earlier_peer_is_closed_and_waited_for_and_its_status_dropped():
    proc = _peer(99)  # bin/server's status on "Server timed out"
    ctx = SimpleNamespace(server=proc, tracker=_Tracker())
    end_superseded_peer(ctx)  # type: ignore[arg-type]
    assert proc.returncode == 99
    assert ctx.server is None
    assert ctx.tracker.forgotten == [proc]


def test_without_an_earlier_peer_nothing_happens():
    ctx = SimpleNamespace(server=None, tracker=_Tracker())
    end_superseded_peer(ctx)  # type: ignore[arg-type]
    assert ctx.server is None
    assert ctx.tracker.forgotten == []
