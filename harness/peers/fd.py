"""fd: report the open file descriptors, as Exim's test program of that name does.

Usage: ``fd [-f] [-q] [-s]``.  ``-f`` first copies stdin to stdout (to act as a
transport filter), ``-s`` adds mode/uid/size from fstat(), ``-q`` wraps the report
as a queryprogram answer: ``ACCEPT DATA="..."`` with newlines turned to spaces.

Report format: ``max fd = N`` then, per open descriptor,
``%3d opt=<F_GETFD> status=<F_GETFL in hex> RDONLY|WRONLY|RDWR [TTY] [APPEND]``.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sys


def _candidates(max_fd: int) -> list[int]:
    # /proc lists the open descriptors (and the one used to read it, which is
    # closed again by the time it is checked); scanning every number up to a
    # large limit would take long.
    try:
        return sorted(int(name) for name in os.listdir("/proc/self/fd"))
    except OSError:
        return list(range(max_fd + 1))


def describe(fd: int, with_stat: bool) -> str | None:
    """The report line for ``fd``, or None if it is not open."""
    try:
        options = fcntl.fcntl(fd, fcntl.F_GETFD)
    except OSError as exc:
        if exc.errno == 9:  # EBADF
            return None
        return f"{fd:3d} errno={exc.errno} {exc.strerror}\n"
    status = fcntl.fcntl(fd, fcntl.F_GETFL)
    line = f"{fd:3d} opt={options} status={status:X} "
    line += {os.O_RDONLY: "RDONLY", os.O_WRONLY: "WRONLY", os.O_RDWR: "RDWR"}.get(status & 3, "")
    if os.isatty(fd):
        line += " TTY"
    if status & 8:  # the C program's test, whatever 8 means on this system
        line += " APPEND"
    if with_stat:
        try:
            info = os.fstat(fd)
            line += f" mode={info.st_mode:o} uid={info.st_uid} size={info.st_size}"
        except OSError:
            pass
    return line + "\n"


def report(with_stat: bool) -> str:
    max_fd = os.sysconf("SC_OPEN_MAX") - 1
    lines = [f"max fd = {max_fd}\n"]
    for fd in _candidates(max_fd):
        if fd <= max_fd and (line := describe(fd, with_stat)) is not None:
            lines.append(line)
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    if "-f" in args:
        while chunk := os.read(0, 8192):
            try:
                while chunk:
                    chunk = chunk[os.write(1, chunk) :]
            except OSError:
                return 1
    text = report("-s" in args)
    if "-q" in args:
        text = 'ACCEPT DATA="' + text.replace("\n", " ") + '"\n'
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0
