"""showids: print the real and effective user and group ids, as Exim's test program does."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> int:
    uid, gid, euid, egid = os.getuid(), os.getgid(), os.geteuid(), os.getegid()
    sys.stdout.write(f"uid={uid} gid={gid} euid={euid} egid={egid}\n")
    sys.stdout.flush()
    return 0
