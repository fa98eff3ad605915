"""bin.sys: links to system tools that tests start, found in PATH first."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.host import systools


def test_tools_in_path_are_linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "mysqld").write_text("#!/bin/sh\n")
    (tools / "mysqld").chmod(0o755)
    (tools / "pg_ctl").write_text("not executable\n")
    monkeypatch.setenv("PATH", f"{tools}:/nonexistent")
    monkeypatch.setattr(systools, "_PLAIN_DIRS", ())
    monkeypatch.setattr(systools, "_VERSIONED_DIRS", ())
    systools.locate_tools.cache_clear()
    try:
        work = tmp_path / "work"
        work.mkdir()
        systools.make_bin_sys(work)
        links = {p.name: str(p.readlink()) for p in (work / "bin.sys").iterdir()}
        assert links == {"mysqld": str(tools / "mysqld")}
    finally:
        systools.locate_tools.cache_clear()
