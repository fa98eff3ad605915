"""Helpers shared by the scripted peers (`server`, `client`): C-like number parsing,
escape decoding, output buffering and line reading, all on bytes.

The peers stand in for small C programs whose printed output is compared with stored
files, so these helpers keep the C programs' observable rules (stdio buffering points,
`atoi`, `fgets` line splitting) rather than Python's usual ones.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from harness.core.generation import Generation

HEX = b"0123456789abcdefABCDEF"
# Set by the bin/ wrapper of each peer: the harness generation ("4.96" .. "master").
HARNESS_ENV = "RUNTEST_HARNESS"


def harness_generation() -> Generation:
    """The harness generation whose C helper this peer behaves as, from the environment;
    4.96 when it is not set (a peer started by hand). A value that names no generation
    raises ValueError, as only the runner's wrappers set it."""
    text = os.environ.get(HARNESS_ENV, "")
    return Generation.parse(text) if text else Generation.G4_96


class PeerScriptError(Exception):
    """A script line the peer cannot carry out (for example a broken escape)."""


class Finish(Exception):
    """End the program with this exit code (like C's exit())."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class AlarmInterrupt(Exception):
    """SIGALRM arrived while the handler that interrupts system calls was in force."""


def errtext(exc: BaseException) -> str:
    """A failed call's error as the C peers print it, strerror(errno): EINTR for one that
    an alarm interrupted, the exception's own text when there is no errno."""
    if isinstance(exc, AlarmInterrupt):
        return os.strerror(4)  # EINTR
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    return str(exc)


def run_program(name: str, out: Output, body: Callable[[], int]) -> int:
    """Run a peer's body the way its C program ends: the exit code of a Finish, 130 on ^C,
    and for a bug of ours a message in the output (never a traceback); output flushed."""
    try:
        return body()
    except Finish as fin:
        return fin.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        out.line(f"{name}: internal error: {type(exc).__name__}: {exc}")
        return 1
    finally:
        out.flush()


def prog_name(default: str) -> str:
    """The basename the program was started as, like a C program's argv[0]."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return name if name and not name.endswith(".py") and name != "-c" else default


def c_atoi(text: str | bytes) -> int:
    """C's atoi: optional space and sign, then digits; 0 when there are none."""
    s = text.decode("latin-1") if isinstance(text, bytes) else text
    s = s.lstrip(" \t\n\r\v\f")
    sign = 1
    if s[:1] in ("+", "-"):
        sign = -1 if s[0] == "-" else 1
        s = s[1:]
    digits = ""
    for ch in s:
        if not "0" <= ch <= "9":
            break
        digits += ch
    return sign * int(digits) if digits else 0


def _as_bytes(data: bytes | str) -> bytes:
    # text comes from arguments or ASCII: give argument bytes back as they came
    return data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data


class Output:
    """Standard output written as bytes and flushed only where asked (like stdio on a
    file), so that what is lost when the process is killed matches the C program."""

    BLOCK = 4096

    def __init__(self, fd: int = 1) -> None:
        self.fd = fd
        self.buf = bytearray()
        self.unbuffered = False  # as stdio after setvbuf(_IONBF): every write goes out

    def write(self, data: bytes | str) -> None:
        self.buf += _as_bytes(data)
        if self.unbuffered or len(self.buf) >= self.BLOCK:
            self.flush()

    def line(self, data: bytes | str) -> None:
        """data and a newline, as one printf (one write when unbuffered)."""
        self.write(_as_bytes(data) + b"\n")

    def flush(self) -> None:
        data, self.buf = bytes(self.buf), bytearray()
        while data:
            try:
                n = os.write(self.fd, data)
            except InterruptedError:
                continue
            except OSError:
                return
            data = data[n:]


def write_stderr(text: str) -> None:
    try:
        os.write(2, text.encode("utf-8", "surrogateescape"))
    except OSError:
        pass


class LineSource:
    """Reads a file descriptor line by line as C's fgets with a buffer of `size` bytes
    does: a line ends after a newline or after size-1 bytes, whichever comes first."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd = fd
        self.limit = size - 1
        self.pending = b""
        self.eof = False

    def readline(self) -> bytes | None:
        while True:
            nl = self.pending.find(b"\n", 0, self.limit)
            if nl >= 0 or len(self.pending) >= self.limit or (self.eof and self.pending):
                cut = nl + 1 if nl >= 0 else min(len(self.pending), self.limit)
                line, self.pending = self.pending[:cut], self.pending[cut:]
                return line
            if self.eof:
                return None
            try:
                chunk = os.read(self.fd, 65536)
            except InterruptedError:
                continue
            except OSError:
                chunk = b""
            if chunk:
                self.pending += chunk
            else:
                self.eof = True


def c_string(data: bytes) -> bytes:
    """What C string functions see of a buffer: everything before the first NUL."""
    nul = data.find(b"\0")
    return data if nul < 0 else data[:nul]


def _hex_pair(line: bytes, i: int, lineno: int, who: str) -> int:
    pair = line[i : i + 2]
    if len(pair) < 2 or any(c not in HEX for c in pair):
        shown = (b"\\x" + pair).decode("ascii", "backslashreplace")
        raise PeerScriptError(
            f"{who}: script line {lineno}: bad escape '{shown}' (\\x needs two hex digits)"
        )
    return int(pair, 16)


def unescape_server(line: bytes, lineno: int) -> bytes:
    """Server script escapes: backslash-x and two hex digits give that byte; a backslash
    before any other character gives that character."""
    out = bytearray()
    i = 0
    while i < len(line):
        c = line[i]
        if c == 0x5C and i + 1 < len(line):
            if line[i + 1] == 0x78:  # x
                out.append(_hex_pair(line, i + 2, lineno, "server"))
                i += 4
                continue
            out.append(line[i + 1])
            i += 2
            continue
        if c != 0x5C:
            out.append(c)
        i += 1
    return bytes(out)


_CLIENT_SIMPLE = {0x6E: 0x0A, 0x72: 0x0D}  # \n and \r


def unescape_client(data: bytes, lineno: int) -> bytes:
    """Client script escapes: \\n, \\r, \\xNN, and a backslash before any other character
    gives that character (so a backslash before the appended CR sends the CR); a
    backslash at the very end is dropped."""
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i]
        if c != 0x5C:
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(data):  # a lone backslash at the very end is dropped
            break
        nxt = data[i + 1]
        if nxt == 0x78:
            out.append(_hex_pair(data, i + 2, lineno, "client"))
            i += 4
        else:
            out.append(_CLIENT_SIMPLE.get(nxt, nxt))
            i += 2
    return bytes(out)


def printable(data: bytes) -> bytes:
    """The server's way of showing bytes: backslash doubled, printable ASCII as is,
    anything else as \\xNN in lower case."""
    out = bytearray()
    for c in data:
        if c == 0x5C:
            out += b"\\\\"
        elif 0x20 <= c <= 0x7E:
            out.append(c)
        else:
            out += b"\\x%02x" % c
    return bytes(out)


def scan_content_length(buf: bytes) -> tuple[int, int]:
    """The result of C's sscanf(buf, "<Content-length: %d", &n) and the number read:
    1 when it matched, 0 on a mismatch, -1 when the input ran out before the number
    (which C code testing the result for truth takes as a match)."""
    s = c_string(buf)
    literal = b"<Content-length:"
    i = 0
    for want in literal:
        if i >= len(s):
            return -1, 0
        if s[i] != want:
            return 0, 0
        i += 1
    while i < len(s) and s[i] in b" \t\n\r\v\f":
        i += 1
    if i >= len(s):
        return -1, 0
    j = i + 1 if s[i] in b"+-" else i
    k = j
    while k < len(s) and 0x30 <= s[k] <= 0x39:
        k += 1
    if k == j:
        return 0, 0
    return 1, int(s[i:k])
