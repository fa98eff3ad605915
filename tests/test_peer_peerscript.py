"""Helpers the scripted peers share (harness.peers.peerscript), tested directly."""

from __future__ import annotations

import errno
import os

import pytest

from harness.peers.peerscript import (
    AlarmInterrupt,
    PeerScriptError,
    errtext,
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
