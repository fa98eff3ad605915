"""`bin/server`: a scripted SMTP (or other line protocol) server for Exim's tests.

Command line, script language, printed lines and exit codes follow test/src/server.c
of the run's harness generation (peerscript.harness_generation), since its output is
compared with stored files:

    server [-d] [-t N] [-i N] [-noipv4] [-noipv6] [-oP pidfile] [-tfo]
           [-tls certfile keyfile] port|/socket/path [connection-count]

It listens (IPv6 and IPv4 wildcard sockets, or a Unix-domain socket), writes the pid
file, reads its script from stdin up to a line "++++", then serves the connections one
after another, printing what it sends and receives.

Script lines: `>text` send text+CRLF (`>>` no line end, `>CR>` CR only, `>LF>` LF only,
`>*eof` close); a line starting with a digit is sent with CRLF; `*sleep N`; `*data N`
(read and discard N bytes); `*eof` (expect the client to close); `.` (expect data lines
up to "."); `<text` or `<<text` (expected input; `<<` reads raw bytes); anything else
is the expected start of the next input line. `\\xNN` gives a byte, `\\c` the character c.
If any script line starts with `>>` the whole run reads input unbuffered, as the C server.

From master (after 4.99): `-tls` and `*starttls`, which starts server-side TLS on the
connection with the certificate and key given by `-tls`, by default DIR/aux-fixed/cert1
for both (the file holds key and certificate). With -d it prints "SSL connection using
CIPHER"; a failed handshake prints OpenSSL-style error lines and the script goes on in
clear. Before, `-tls` is an unknown option and `*starttls` an expected input line. Also
from master, -d makes standard output unbuffered.
"""

from __future__ import annotations

import errno
import os
import select
import signal
import socket
import sys
import time

from harness.core.generation import Generation
from harness.peers.peerscript import (
    Finish,
    LineSource,
    Output,
    PeerScriptError,
    c_atoi,
    c_string,
    errtext,
    harness_generation,
    printable,
    run_program,
    scan_content_length,
    unescape_server,
    write_stderr,
)

TYPE_CHECKING = False  # TLS is imported only when it is used, to start fast
if TYPE_CHECKING:
    from typing import NoReturn

    from harness.peers.tlsutil import TlsSession

SCRIPT_LINE_MAX = 10240  # the C server's fgets buffer
SOCKET_BLOCK = 4096  # stdio buffer size on a socket
WHITESPACE = b" \t\n\r\v\f"
SUN_PATH_MAX = 107


class Settings:
    def __init__(self) -> None:
        self.debug = False
        self.timeout = 5
        self.timeout_is_error = True
        self.initial_pause = 0
        self.ipv4 = True
        self.ipv6 = True
        self.pidfile: str | None = None
        self.tfo = False
        self.certfile: str | None = None
        self.keyfile: str | None = None
        self.port = 0
        self.sockname: str | None = None
        self.connections = 1


def has_tls(generation: Generation) -> bool:
    """Whether the server of this harness generation can start TLS (-tls, *starttls)."""
    return generation >= Generation.MASTER


def _usage(out: Output, generation: Generation) -> None:
    name = sys.argv[0] if sys.argv and sys.argv[0] else "server"
    out.line(f"Usage: {name} [options] PORT|/SOCKET/PATH [CONNECTIONS]")
    out.line(
        "  -d                 print what is being set up\n"
        "  -i SECONDS         wait this long before listening\n"
        "  -noipv4, -noipv6   do not listen on that protocol\n"
        "  -oP FILE           write the process id to FILE once listening\n"
        "  -t SECONDS         time limit for each wait (negative: ending is not an error)\n"
        "  -tfo               allow TCP Fast Open on the listening sockets"
    )
    if has_tls(generation):
        out.line("  -tls CERT KEY      certificate and key for *starttls")


def parse_args(args: list[str], out: Output, generation: Generation) -> Settings:
    st = Settings()
    if args and args[0] in ("--help", "-h"):
        _usage(out, generation)
        raise Finish(0)
    i = 0

    def value(opt: str) -> str:
        nonlocal i
        i += 1
        if i >= len(args):
            out.line(f"server: option {opt} needs a value")
            raise Finish(1)
        return args[i]

    while i < len(args) and args[i][:1] == "-":
        opt = args[i]
        if opt == "-d":
            st.debug = True
            out.unbuffered = generation >= Generation.MASTER
        elif opt == "-tfo":
            st.tfo = True
        elif opt == "-tls" and has_tls(generation):
            st.certfile = value(opt)
            st.keyfile = value(opt)
        elif opt == "-t":
            st.timeout = c_atoi(value(opt))
            if st.timeout < 0:
                st.timeout, st.timeout_is_error = -st.timeout, False
        elif opt == "-i":
            st.initial_pause = c_atoi(value(opt))
        elif opt == "-noipv4":
            st.ipv4 = False
        elif opt == "-noipv6":
            st.ipv6 = False
        elif opt == "-oP":
            st.pidfile = value(opt)
        else:
            out.line(f"server: unknown option {opt}, try -h or --help")
            raise Finish(1)
        i += 1
    if not st.ipv4 and not st.ipv6:
        out.line("server: -noipv4 and -noipv6 cannot both be given")
        raise Finish(1)
    if i >= len(args):
        out.line("server: no port number or socket name given")
        raise Finish(1)
    where = args[i]
    if where.startswith("/"):
        st.sockname = where
        try:
            os.unlink(where)
        except OSError:
            pass
    else:
        st.port = c_atoi(where)
        if st.port <= 0:
            out.line(f"server: bad port number or socket path '{where}'")
            raise Finish(1)
    i += 1
    if i < len(args):
        st.connections = c_atoi(args[i])
    return st


def _fail(out: Output, text: str) -> NoReturn:
    out.line(text)
    raise Finish(1)


def open_listeners(st: Settings, out: Output) -> list[socket.socket]:
    """The listening sockets, in the order they are polled (IPv6 first)."""
    if st.sockname is not None:
        if st.debug:
            out.line(f"{int(time.time())}: Creating Unix domain socket")
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        except OSError as exc:
            _fail(out, f"Unix domain socket creation failed: {os.strerror(exc.errno or 0)}")
        if st.debug:
            out.line("Binding Unix domain socket")
        path = os.fsencode(st.sockname)[:SUN_PATH_MAX]
        try:
            sock.bind(path)
        except OSError as exc:
            _fail(out, f"Unix domain socket bind() failed: {errtext(exc)}")
        try:
            mode = os.stat(st.sockname).st_mode | 0o777
        except OSError:
            mode = 0o777
        if st.debug:
            out.line(f"Setting Unix domain socket mode: {mode:x}")
        try:
            os.chmod(st.sockname, mode & 0o7777)
        except OSError as exc:
            _fail(out, f"Unix domain socket chmod() failed: {errtext(exc)}")
        sock.listen(5)
        return [sock]

    v6: socket.socket | None = None
    v4: socket.socket | None = None
    if st.ipv6:
        if st.debug:
            out.line("Creating IPv6 socket")
        try:
            v6 = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
        except OSError as exc:
            _fail(out, f"IPv6 socket creation failed: {errtext(exc)}")
        _fastopen(v6, st, out)
        try:
            v6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        except OSError as exc:
            out.line(
                "Setting IPV6_V6ONLY on IPv6 wildcard socket failed "
                f"({errtext(exc)}): carrying on without it"
            )
    if st.ipv4:
        if st.debug:
            out.line("Creating IPv4 socket")
        try:
            v4 = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        except OSError as exc:
            _fail(out, f"IPv4 socket creation failed: {errtext(exc)}")
        _fastopen(v4, st, out)
    for listener in (v6, v4):
        if listener is not None:
            try:
                listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            except OSError as exc:
                _fail(out, f"setting SO_REUSEADDR on socket failed: {errtext(exc)}")
    port = st.port & 0xFFFF
    if v6 is not None:
        try:
            v6.bind(("::", port))
        except OSError as exc:
            _fail(out, f"IPv6 socket bind(port {st.port}) failed: {errtext(exc)}")
    if v4 is not None:
        try:
            v4.bind(("0.0.0.0", port))
        except OSError as exc:
            if v6 is None or exc.errno != errno.EADDRINUSE:
                _fail(out, f"IPv4 socket bind(port {st.port}) failed: {errtext(exc)}")
            v4.close()
            v4 = None
    listeners = []
    for listener in (v6, v4):
        if listener is None:
            continue
        try:
            listener.listen(5)
        except OSError as exc:
            if listener is v6 or v6 is None or exc.errno != errno.EADDRINUSE:
                _fail(out, f"listen() failed: {errtext(exc)}")
            listener.close()
            continue
        listeners.append(listener)
    return listeners


def _fastopen(sock: socket.socket, st: Settings, out: Output) -> None:
    if not st.tfo:
        return
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_FASTOPEN, 5)
    except (OSError, AttributeError) as exc:
        if st.debug:
            out.line(f"setsockopt TCP_FASTOPEN: {errtext(exc)}")


def read_script(out: Output) -> tuple[list[bytes], bool]:
    """The script lines from stdin up to "++++", escapes decoded, and whether input is
    read line by line (False when any line starts with ">>")."""
    source = LineSource(0, SCRIPT_LINE_MAX)
    lines: list[bytes] = []
    linebuf = True
    lineno = 0
    while (raw := source.readline()) is not None:
        lineno += 1
        if len(raw) > 1 and raw.startswith(b">>"):
            linebuf = False
        text = raw.rstrip(WHITESPACE)
        if text == b"++++":
            break
        try:
            lines.append(unescape_server(text, lineno))
        except PeerScriptError as exc:
            out.line(str(exc))
            raise Finish(1) from None
    return lines, linebuf


class Connection:
    """One accepted connection: buffered output (flushed where C's stdio would be),
    buffered line input, or raw reads, optionally through TLS."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.tls: TlsSession | None = None
        self.inbuf = b""
        self.outbuf = bytearray()

    # -- output
    def send(self, data: bytes) -> None:
        self.outbuf += data
        if len(self.outbuf) >= SOCKET_BLOCK:
            self.flush()

    def flush(self) -> None:
        data, self.outbuf = bytes(self.outbuf), bytearray()
        if not data:
            return
        try:
            if self.tls is not None:
                self.tls.write(data)
            else:
                self.sock.sendall(data)
        except OSError:
            pass  # C's stdio would just set the stream's error flag

    # -- input
    def recv(self, size: int) -> bytes:
        """One read of at most size bytes; b"" at end of input or on an error."""
        if size <= 0:
            return b""
        try:
            if self.tls is not None:
                return self.tls.read(size)
            return self.sock.recv(size)
        except OSError:
            return b""

    def gets(self, limit: int) -> bytes | None:
        """C's fgets on the buffered stream: up to a newline or limit-1 bytes."""
        while True:
            nl = self.inbuf.find(b"\n", 0, limit - 1)
            if nl >= 0 or len(self.inbuf) >= limit - 1:
                cut = nl + 1 if nl >= 0 else limit - 1
                line, self.inbuf = self.inbuf[:cut], self.inbuf[cut:]
                return line
            chunk = self.recv(SOCKET_BLOCK)
            if not chunk:
                line, self.inbuf = self.inbuf, b""
                return line or None
            self.inbuf += chunk

    def getc(self) -> int | None:
        if not self.inbuf:
            self.inbuf = self.recv(SOCKET_BLOCK)
            if not self.inbuf:
                return None
        c, self.inbuf = self.inbuf[0], self.inbuf[1:]
        return c

    def close(self) -> None:
        self.flush()
        self.sock.close()


def _default_cert() -> str:
    """DIR/aux-fixed/cert1, DIR being the parent of the bin/ this program is in."""
    prog = os.path.realpath(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    cert = os.path.join(os.path.dirname(os.path.dirname(prog)), "aux-fixed", "cert1")
    return cert if prog and os.path.exists(cert) else "aux-fixed/cert1"


class Server:
    def __init__(
        self, st: Settings, out: Output, script: list[bytes], linebuf: bool, can_starttls: bool
    ) -> None:
        self.st = st
        self.can_starttls = can_starttls  # whether *starttls is a command
        self.out = out
        self.script = script
        self.linebuf = linebuf
        self.pos = 0  # the next script line; len(script) when all was done
        self.current: Connection | None = None

    def alarm(self, on: bool) -> None:
        signal.alarm(self.st.timeout if on else 0)

    def on_alarm(self, signum: int, frame: object) -> None:
        self.out.write(b"\nServer timed out\n")
        self.out.flush()
        if self.current is not None:  # C's exit() flushes the connection's stream too
            self.current.flush()
        os._exit(99 if self.st.timeout_is_error else 0)

    def accept(self, listeners: list[socket.socket]) -> tuple[socket.socket, str | None]:
        st, out = self.st, self.out
        self.alarm(True)
        if st.sockname is not None:
            out.write(f"Listening on {st.sockname} ... ")
        else:
            out.write(f"Listening on port {st.port} ... ")
        out.flush()
        try:
            ready, _, _ = select.select(listeners, [], [])
        except OSError:
            self.alarm(False)
            out.line("Select failed")
            out.flush()
            raise
        try:
            conn, addr = next(s for s in listeners if s in ready).accept()
        except OSError as exc:
            self.alarm(False)
            _fail(out, f"accept() failed: {errtext(exc)}")
        self.alarm(False)
        if st.sockname is not None:
            return conn, None
        host = addr[0].split("%")[0]
        if host.startswith("::ffff:"):
            host = host[7:]
        return conn, host

    def serve(self, listeners: list[socket.socket]) -> None:
        for _ in range(self.st.connections):
            try:
                sock, host = self.accept(listeners)
            except OSError:
                continue
            if host is None:
                self.out.write(b"\nConnection request\n")
            else:
                self.out.write(f"\nConnection request from [{host}]\n")
            self.out.flush()
            conn = self.current = Connection(sock)
            try:
                self.converse(conn)
            finally:
                self.current = None
                conn.close()
        if self.pos >= len(self.script):
            self.out.line("End of script")

    # -- one connection -------------------------------------------------------------
    def converse(self, conn: Connection) -> None:
        """Run script lines until the script ends, the connection is to be closed,
        or a comparison fails (the failed line is then tried on the next connection)."""
        out = self.out
        length_left, length_seen = 0, False
        while self.pos < len(self.script):
            ss = self.script[self.pos]
            if ss[:1] == b">":
                out.line(printable(ss))
                body, end = ss[1:], b"\r\n"
                if body.startswith(b"*eof"):
                    self.pos += 1
                    return
                if body[:1] == b">":
                    body, end = body[1:], b""
                elif body.startswith(b"CR>"):
                    body, end = body[3:], b"\r"
                elif body.startswith(b"LF>"):
                    body, end = body[3:], b"\n"
                conn.send(body + end)
            elif ss[:1].isdigit():
                text = c_string(ss)
                out.line(text)
                conn.send(text + b"\r\n")
            elif ss.startswith(b"*sleep "):
                out.line(c_string(ss))
                conn.flush()
                time.sleep(max(0, c_atoi(ss[7:])))
            elif ss.startswith(b"*data "):
                self.alarm(True)  # left running, as in the C server
                if not self.discard(conn, c_atoi(ss[6:])):
                    out.line("Unexpected EOF read from client")
                    self.pos += 1
                    return
            elif self.can_starttls and ss.startswith(b"*starttls"):
                self.starttls(conn)
            else:
                got = self.expect(conn, ss)
                if got is None:  # end of input
                    kind = "E" if ss.startswith(b"*eof") else "Une"
                    out.line(f"{kind}xpected EOF read from client")
                    self.pos += 1
                    return
                buffer, used = got
                if buffer is None:
                    return  # comparison failed
                if length_seen:
                    length_left -= used
                matched, value = scan_content_length(buffer)
                if matched:
                    length_seen = True
                    if matched == 1:
                        length_left = value
                if length_seen and length_left <= 0:
                    try:
                        conn.sock.shutdown(socket.SHUT_RD)
                    except OSError:
                        pass
            self.pos += 1

    def discard(self, conn: Connection, count: int) -> bool:
        while count > 0:
            if self.linebuf:
                if conn.getc() is None:
                    return False
                count -= 1
            else:
                chunk = conn.recv(min(count, SCRIPT_LINE_MAX))
                if not chunk:
                    return False
                count -= len(chunk)
        return True

    def expect(self, conn: Connection, ss: bytes) -> tuple[bytes | None, int] | None:
        """Read what the script line expects. None at end of input; otherwise the buffer
        (None if the comparison failed) and the count of bytes read for Content-length."""
        out = self.out
        data = c_string(ss) == b"."
        offset = 0 if ss[:1] != b"<" else (2 if ss[1:2] == b"<" else 1)
        prefix = ss[:offset]
        conn.flush()
        if not self.linebuf:
            self.alarm(True)
            got = conn.recv(len(ss) - offset)
            if not got:
                return None
            used = len(got)
            if offset != 2:
                while (c := conn.recv(1)) and c != b"\n":
                    pass
            self.alarm(False)
            buffer = prefix + got
            out.line(printable(buffer))
            if data:
                while True:
                    c = conn.recv(1)
                    if not c:
                        return None  # the C server would spin here for ever
                    used += 1
                    first_is_dot = c == b"."
                    while c != b"\n" and (c := conn.recv(1)):
                        used += 1
                    if first_is_dot:
                        break
            elif ss[: len(buffer)] != buffer:
                out.write(b"Comparison failed - bailing out\nExpected: ")
                out.line(printable(ss[: len(buffer)]))
                return None, used
            return buffer, used

        used = 0
        while True:
            self.alarm(True)
            line = conn.gets(SCRIPT_LINE_MAX - offset)
            if line is None:
                return None
            self.alarm(False)
            buffer = c_string(prefix + line)
            used += len(buffer) - offset
            buffer = buffer.rstrip(WHITESPACE)
            out.line(buffer)
            if not data or buffer == b".":
                break
        if not buffer.startswith(c_string(ss)):
            out.line(b"Comparison failed - bailing out")
            out.line(b"Expected: " + c_string(ss))
            return None, used
        return buffer, used

    def starttls(self, conn: Connection) -> None:
        conn.flush()
        self.alarm(True)
        import harness.peers.tlsutil as tlsutil

        certfile = self.st.certfile or _default_cert()
        keyfile = self.st.keyfile or certfile
        if not tlsutil.file_has_certificate(certfile):
            _fail_code(self.out, "SSL_CTX_use_certificate_file failed", 83)
        try:
            ctx = tlsutil.server_context(certfile, keyfile)
        except OSError:  # tlsutil.TlsError included
            _fail_code(self.out, "SSL_CTX_use_PrivateKey_file failed", 82)
        session = tlsutil.TlsSession(conn.sock, ctx, server_side=True, already=conn.inbuf)
        conn.inbuf = b""
        try:
            session.handshake()
        except tlsutil.TlsError as exc:
            self.out.line(tlsutil.openssl_error_line(exc))
        except OSError:
            pass
        else:
            conn.tls = session
            if self.st.debug:
                self.out.line(f"SSL connection using {session.cipher_name()}")
        self.alarm(False)


def _fail_code(out: Output, text: str, code: int) -> NoReturn:
    out.line(text)
    raise Finish(code)


def _write_pidfile(path: str) -> None:
    """Written whole or not at all: whoever waits for the file reads the pid, never an
    empty file (it is made under another name and renamed)."""
    partial = f"{path}.{os.getpid()}.tmp"
    try:
        with open(partial, "w") as fh:
            fh.write(f"{os.getpid()}\n")
        os.replace(partial, path)
    except OSError as exc:
        write_stderr(f"pidfile create failed: {errtext(exc)}\n")
        raise Finish(1) from None


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # die on a write to a closed peer, as C
    out = Output()

    def body() -> int:
        generation = harness_generation()
        st = parse_args(args, out, generation)
        if st.initial_pause > 0:
            stamp = f"{int(time.time())}: " if st.debug else ""
            out.line(f"{stamp}Inital pause of {st.initial_pause} seconds")
            time.sleep(st.initial_pause)
        listeners = open_listeners(st, out)
        if st.pidfile:
            _write_pidfile(st.pidfile)
        script, linebuf = read_script(out)
        server = Server(st, out, script, linebuf, has_tls(generation))
        signal.signal(signal.SIGALRM, server.on_alarm)
        server.serve(listeners)
        if st.sockname:
            try:
                os.unlink(st.sockname)
            except OSError:
                pass
        return 0

    return run_program("server", out, body)


if __name__ == "__main__":
    sys.exit(main())
