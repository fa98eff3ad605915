"""Each run's cgroup is its own, even for runners with one pid (in other pid namespaces,
as in two chroots or containers)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from harness.host.containment import cgroup2_base
from tests.e2e import REPO

ONE_RUN = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from harness.host.containment import Containment
c = Containment(Path(sys.argv[2]))
c.start()
print(c.cgroup.name if c.cgroup else "none")
c.close()
"""


@pytest.mark.skipif(
    cgroup2_base() is None or shutil.which("unshare") is None,
    reason="needs a cgroup v2 this run may use, and unshare",
)
def test_runners_of_one_pid_get_cgroups_of_their_own(tmp_path) -> None:
    names = []
    for n in range(2):
        root = tmp_path / str(n)
        root.mkdir()
        done = subprocess.run(
            [
                "unshare",
                "--pid",
                "--fork",
                "--mount",
                "--mount-proc",
                sys.executable,
                "-c",
                ONE_RUN,
                str(REPO),
                str(root),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        names.append(done.stdout.strip())
    assert "none" not in names and names[0] != names[1], names
