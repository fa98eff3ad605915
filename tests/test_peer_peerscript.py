"""Helpers the scripted peers share (harness.peers.peerscript), tested directly."""

from __future__ import annotations

import errno
import os

import pytest

from harness.core.generation import Generation
from harness.peers.peerscript import (
    HARNESS_ENV,
    AlarmInterrupt,
    Output,
    PeerScriptError,
    errtext,
    harness_generation,
    unescape_client,
    unescape_server,
)


def test_errtext_is_strerror_of_the_errno() -> None:
    exc = ConnectionRefusedError(errno.ECONNREFUSED, "ignored")
    assert errtext(exc) == os.strerror(errno.ECONNREFUSED)


def test_errtext_of_an_alarm_is_eintr() -> None:
    assert errtext(AlarmInterrupt()) == os.strerror(errno.EINTR)


def test_errtext_without_an_errno_is_the_message() -> None:
    assert errtext(OSError("no number")) == "no number"
    assert errtext(ValueError("bad value")) == "bad value"


@pytest.mark.parametrize("unescape", [unescape_server, unescape_client])
def test_bad_hex_escape_is_a_peer_script_error(unescape) -> None:
    with pytest.raises(PeerScriptError, match=r"script line 7: bad escape '\\xg1'"):
        unescape(b"abc\\xg1", 7)


def test_harness_generation_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HARNESS_ENV, raising=False)
    assert harness_generation() is Generation.G4_96  # a peer started by hand
    for generation in Generation:
        monkeypatch.setenv(HARNESS_ENV, generation.label)
        assert harness_generation() is generation
    monkeypatch.setenv(HARNESS_ENV, "4.95")
    with pytest.raises(ValueError, match="unknown harness generation"):
        harness_generation()


@pytest.mark.parametrize("unbuffered", [False, True])
def test_output_buffering(unbuffered: bool) -> None:
    read_end, write_end = os.pipe()
    try:
        out = Output(write_end)
        out.unbuffered = unbuffered
        out.write("partial ")
        out.line(b"line")
        os.set_blocking(read_end, False)
        try:
            seen = os.read(read_end, 100)
        except BlockingIOError:
            seen = b""
        assert seen == (b"partial line\n" if unbuffered else b"")
        out.flush()
        if not unbuffered:
            assert os.read(read_end, 100) == b"partial line\n"
    finally:
        os.close(read_end)
        os.close(write_end)
