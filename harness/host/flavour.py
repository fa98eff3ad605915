"""The host's flavour, as Exim's harness names it (NAME.FLAVOUR expected files)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from harness.host.eximbinary import run_probe


def detect_flavour(suite: Path) -> str | None:
    """The host's flavour, as Exim's harness names it, if the suite has files for it.

    An OpenSSL 1.1.1 or 3.x host is "openssl_1_1_1"; otherwise the flavour is the
    os-release ID and VERSION_ID run together (e.g. "debian12").
    """
    names = {
        p.name.rsplit(".", 1)[1]
        for d in ("stdout", "stderr", "log")
        for p in (suite / d).glob("*.*")
        if not p.name.endswith(".orig") and "@" not in p.name
    }
    if not names:
        return None
    guesses = []
    try:
        version = run_probe(["openssl", "version"]).stdout
        if re.search(r"1\.1\.1|3\.\d+\.\d+", version):
            guesses.append("openssl_1_1_1")
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        osr = Path("/etc/os-release").read_text()
        fields = dict(line.split("=", 1) for line in osr.splitlines() if "=" in line)
        guesses.append(fields.get("ID", "").strip('"') + fields.get("VERSION_ID", "").strip('"'))
    except OSError:
        pass
    return next((g for g in guesses if g in names), None)
