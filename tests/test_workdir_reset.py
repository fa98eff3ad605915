"""A test's fresh spool while a dying process of the previous test still writes into it."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from harness.case.workdir import fresh_directory

WRITER = """\
import os, sys, time
end = time.time() + float(sys.argv[2])
i = 0
while time.time() < end:
    i += 1
    try:
        open(os.path.join(sys.argv[1], f"f{i}"), "w").close()
    except OSError:
        pass
"""


def test_a_directory_written_into_while_it_is_removed_is_made_afresh(tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(spool), "1"])
    try:
        time.sleep(0.2)
        for _ in range(5):  # a plain rmtree and mkdir fails here within a few rounds
            fresh_directory(spool)
            assert spool.is_dir()
    finally:
        writer.kill()
        writer.wait()
