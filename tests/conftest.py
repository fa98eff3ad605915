"""Shared fixtures: host facts for tests that do not need a real host."""

from __future__ import annotations

import pytest

from harness.hostfacts import HostFacts


@pytest.fixture
def facts() -> HostFacts:
    return HostFacts(
        cwd="/work/dir", hostname="myhost.test.example", caller="tester", caller_uid=1001,
        caller_gid=1002, caller_group="testers", caller_gecos="Test Caller",
        caller_home="/home/tester", eximuser="Debian-exim", eximgroup="Debian-exim",
        exim_uid=102, exim_gid=105, ipv4="192.0.2.2", ipv6="fd00::2",
        shell="/work/dir/aux-var/sh",
    )
