"""mtpscript: a scripted SMTP/LMTP server on stdin/stdout, for Exim's pipe transports.

Usage: ``mtpscript SCRIPT LOGFILE`` (``+LOGFILE`` appends to the log).  Script lines:

* a line starting with a digit is a response: sent with CRLF and logged;
* ``*sleep N`` pauses N seconds;
* anything else is what the client must send next (compared as a prefix) and is
  logged.  ``.`` reads data lines up to a lone dot; ``*eof`` expects end of input.

Each input line is logged as ``<<< line``.  A mismatch logs "Comparison failed -
bailing out", early end of input logs "Unexpected EOF read from client", and
waiting more than 5 s for input logs "Server timed out" and exits 99.  Otherwise
the exit code is 0, or 1 (with a 500 reply) when the script or log cannot be opened.

As in the C program, the log is flushed only when a script line (a response or an
expected line) is logged, on a timeout and at exit: the ``<<<`` lines written since the
last flush are lost when the client kills this program (as Exim's LMTP transport does
after its own timeout), and stored log files expect exactly that.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import BinaryIO

READ_TIMEOUT_S = 5
# The C program reads lines with fgets() into 1024 bytes: longer lines are split.
LINE_CHUNK = 1023


def _lines(source: BinaryIO):
    while line := source.readline(LINE_CHUNK):
        yield line.rstrip()


def run_script(script: BinaryIO, log: BinaryIO, client_in: BinaryIO, client_out: BinaryIO) -> None:
    """Play ``script`` against the client, logging to ``log``."""

    def note(text: bytes, flush: bool = False) -> None:
        log.write(text + b"\n")
        if flush:
            log.flush()

    def timed_out(signum: int, frame: object) -> None:
        note(b"Server timed out", flush=True)
        os._exit(99)

    signal.signal(signal.SIGALRM, timed_out)
    for step in _lines(script):
        if step[:1].isdigit():
            note(step, flush=True)
            client_out.write(step + b"\r\n")
            client_out.flush()
        elif step.startswith(b"*sleep "):
            time.sleep(_leading_int(step[7:]))
        else:
            note(step, flush=True)
            data = step == b"."
            while True:
                signal.alarm(READ_TIMEOUT_S)
                received = client_in.readline(LINE_CHUNK)
                signal.alarm(0)
                if not received:
                    prefix = b"E" if step.startswith(b"*eof") else b"Une"
                    note(prefix + b"xpected EOF read from client")
                    return
                received = received.rstrip()
                note(b"<<< " + received)
                if not data or received == b".":
                    break
            if not received.startswith(step):
                note(b"Comparison failed - bailing out")
                return


def _leading_int(text: bytes) -> int:
    text = text.lstrip()
    digits = len(text) - len(text.lstrip(b"0123456789"))
    return int(text[:digits] or 0)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # a vanished client kills us, as in C
    out = sys.stdout.buffer
    if len(args) < 2:
        out.write(b"500 Script and log file required\n")
        out.flush()
        return 1
    try:
        script = open(args[0], "rb")
    except OSError as exc:
        out.write(f"500 Failed to open script {args[0]}: {exc.strerror}\r\n".encode())
        out.flush()
        return 1
    append = args[1].startswith("+")
    logfile = args[1][1:] if append else args[1]
    try:
        log = open(logfile, "ab" if append else "wb")
    except OSError as exc:
        out.write(f"500 Failed to open log {logfile}: {exc.strerror}\r\n".encode())
        out.flush()
        script.close()
        return 1
    with script, log:
        run_script(script, log, sys.stdin.buffer, out)
    return 0
