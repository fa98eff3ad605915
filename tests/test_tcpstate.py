"""The kernel state a test starts from: a TFO cookie for the host's address from 4.97 on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap

import pytest

from harness.core.paths import PACKAGE_ROOT

pytestmark = pytest.mark.skipif(
    os.getuid() != 0 or not shutil.which("unshare"), reason="needs root and unshare"
)

# Run in a network namespace of its own: the reset flushes the TCP metrics.
_PROGRAM = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    Path("/proc/sys/net/ipv4/tcp_fastopen").write_text("3")
    from harness.core.generation import Generation
    from harness.host.tcpstate import reset_host_state, tfo_cookie_cached
    reset_host_state(Generation[sys.argv[1]], "127.0.0.2")
    print(tfo_cookie_cached("127.0.0.2"), tfo_cookie_cached("127.0.0.1"))
    """
)


def _state_after_reset(generation: str) -> str:
    out = subprocess.run(
        ["unshare", "--net", sys.executable, "-c", _PROGRAM, generation],
        capture_output=True,
        text=True,
        cwd=PACKAGE_ROOT.parent,
        timeout=30,
        check=True,
    )
    return out.stdout.strip()


def test_a_cookie_for_the_host_address_from_4_97() -> None:
    assert _state_after_reset("G4_99") == "True False"
    assert _state_after_reset("G4_97") == "True False"


def test_no_cookie_at_4_96() -> None:
    assert _state_after_reset("G4_96") == "False False"
