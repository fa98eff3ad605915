"""Shared fixtures: host facts (no real host needed), a suite and a work directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.host.hostfacts import HostFacts


@pytest.fixture
def facts() -> HostFacts:
    return HostFacts(
        cwd="/work/dir",
        hostname="myhost.test.example",
        caller="tester",
        caller_uid=1001,
        caller_gid=1002,
        caller_group="testers",
        caller_gecos="Test Caller",
        caller_home="/home/tester",
        eximuser="Debian-exim",
        eximgroup="Debian-exim",
        exim_uid=102,
        exim_gid=105,
        ipv4="192.0.2.2",
        ipv6="fd00::2",
        shell="/work/dir/aux-var/sh",
    )


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    """An empty suite's expected-file directories and a test's work directory."""
    suite, work = tmp_path / "suite", tmp_path / "work"
    for d in ("stdout", "log", "mail", "msglog"):
        (suite / d).mkdir(parents=True)
    (work / "spool" / "log").mkdir(parents=True)
    (work / "spool" / "msglog").mkdir(parents=True)
    (work / "test-mail").mkdir()
    return suite, work
