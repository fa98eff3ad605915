"""`bin/client`, `bin/client-ssl`, `bin/client-gnutls`, `bin/client-anytls`: a scripted
SMTP client for Exim's tests.

Command line, script language, printed lines and exit codes follow test/src/client.c
of the run's harness generation (peerscript.harness_generation), since its output is
compared with stored files:

    client [-tN] [-tls-on-connect] [-tls-quiet] [-ocsp FILE] [-p PRIORITY]
           ADDRESS PORT [INTERFACE] [CERTFILE] [KEYFILE]

What changed after 4.96 (all in 4.97): `-tls-quiet` (the TLS builds say nothing about
how a TLS start went, bar the bare GnuTLS error on connection); `-tls-on-connect` only
in the TLS builds; after STARTTLS the GnuTLS build names the failed call
(`gnutls_handshake: `, `gnutls_record_recv: `); the OpenSSL build's OCSP messages name
OCSP, and a TLS start with `-ocsp` that works says `Succeeded in starting TLS (with
OCSP)` (the GnuTLS build after STARTTLS first says the response's signature is good,
where the 4.96 one said nothing).

The name it is started as picks the build it behaves as: `client` has no TLS,
`client-ssl` behaves as the OpenSSL build and `client-gnutls` as the GnuTLS build
(`client-anytls` too, as Exim's makefile links it to the GnuTLS one when there is one).
All TLS goes through the system's OpenSSL (harness.peers.tlsutil); where the two C
builds print different things (error texts, which options exist) the chosen build's
form is printed. As GnuTLS does, the GnuTLS builds send their certificate only when
the server's certificate request names no CA or the issuer of a certificate in CERTFILE.

Script (stdin): `??? text` expect a line starting with text; `???*` expect the server
to close; `????text` optional lines (skipped while they match); `+++ N` sleep;
`<<< FILE` read script lines from FILE; `>>> text` send without line end; any other
line is sent with CRLF. `\\r`, `\\n`, `\\xNN` escapes; in the TLS builds `starttls`
(TLS after the next 2xx reply), `starttls_wait` (send "starttls" only) and `stoptls`.

Differences from the C programs, all in cases where those hang or misbehave: a
timeout after TLS has started ends with "Client timed out" (the OpenSSL build would
wait for ever), `<<<` names the file it could not open, and a broken `\\x` escape is
reported (exit 72) instead of sending an arbitrary byte.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time

from harness.core.generation import Generation
from harness.peers.peerscript import (
    AlarmInterrupt,
    Finish,
    LineSource,
    Output,
    PeerScriptError,
    c_atoi,
    c_string,
    errtext,
    harness_generation,
    prog_name,
    run_program,
    unescape_client,
    write_stderr,
)

TYPE_CHECKING = False  # typing and TLS are not imported at run time, to start fast
if TYPE_CHECKING:
    from typing import Any

    from harness.peers.tlsutil import TlsContext, TlsSession

INBUF_SIZE = 100 * 1024  # the C client's input buffer
SCRIPT_LINE_MAX = 20 * 1024  # its script line buffer
SCRIPT_ERROR = 72
# How long the GnuTLS build looks for an alert after STARTTLS. The C program looks for
# 2 ms; under TLS 1.3 a server's rejection of the client certificate comes after the
# client's handshake has ended, often later than that on a loaded host, so the wait is
# longer here (a server does not speak first after STARTTLS, so nothing else is lost).
GNUTLS_ERROR_WINDOW = 0.05
OPENSSL_CONNECT_TIMEOUT = 5
CR, LF = 0x0D, 0x0A

FLAVOURS = {
    "client": "none",
    "client-ssl": "openssl",
    "client-gnutls": "gnutls",
    "client-anytls": "gnutls",
}


def help_text(flavour: str, generation: Generation) -> str:
    tls = ""
    if flavour != "none":
        quiet = " [-tls-quiet]" if generation >= Generation.G4_97 else ""
        tls = f" [-tls-on-connect]{quiet} [-ocsp CAFILE]"
        if flavour == "gnutls":
            tls += " [-p PRIORITY]"
    return (
        f"Usage: client [-tSECONDS]{tls}\n"
        "              ADDRESS PORT [OUTGOING-ADDRESS] [CERTFILE] [KEYFILE]\n"
        "The script is read from standard input; the time limit defaults to 5 seconds."
    )


class ClientOptions:
    """The command line of a client run (see `parse_args`)."""

    def __init__(self) -> None:
        self.timeout = 5
        self.tls_on_connect = False
        self.tls_quiet = False
        self.ocsp: str | None = None
        self.priority: str | None = None
        self.address = ""
        self.port = 0
        self.interface: str | None = None
        self.certfile: str | None = None
        self.keyfile: str | None = None


def _die_stderr(text: str, code: int) -> None:
    write_stderr(text + "\n")
    raise Finish(code)


def _is_digit(ch: str) -> bool:
    return len(ch) == 1 and "0" <= ch <= "9"


def parse_args(args: list[str], flavour: str, generation: Generation, out: Output) -> ClientOptions:
    op = ClientOptions()
    tls = flavour != "none"
    since_4_97 = generation >= Generation.G4_97
    i = 0
    while i < len(args) and args[i][:1] == "-":
        arg = args[i]
        if arg in ("-help", "--help", "-h"):
            out.line(help_text(flavour, generation))
            raise Finish(0)
        if arg == "-tls-on-connect" and (tls or not since_4_97):
            op.tls_on_connect = True  # without TLS (4.96) it does nothing
            i += 1
        elif arg == "-tls-quiet" and tls and since_4_97:
            op.tls_quiet = True
            i += 1
        elif arg == "-ocsp" and flavour != "none":
            i += 1
            if i >= len(args):
                _die_stderr("Missing required certificate file for ocsp option", 96)
            op.ocsp = args[i]
            i += 1
        elif arg == "-p" and flavour == "gnutls":
            i += 1
            if i >= len(args):
                _die_stderr("Missing priority string", 96)
            op.priority = args[i]
            i += 1
        elif arg[1:2] == "t" and _is_digit(arg[2:3]):
            digits = arg[2:]
            if not all(_is_digit(ch) for ch in digits):
                _die_stderr(f"Failed to parse seconds from option <{arg}>", 95)
            if int(digits) > 10000:
                _die_stderr(f"Unreasonably long wait of {int(digits)} seconds requested", 94)
            op.timeout = int(digits)
            i += 1
        else:
            _die_stderr(f"Unrecognized option {arg}", 92)
    if i >= len(args):
        _die_stderr("No IP address given", 91)
    op.address = args[i]
    i += 1
    if i >= len(args):
        _die_stderr("No port number given", 90)
    op.port = c_atoi(args[i])
    i += 1
    if i < len(args) and (_is_digit(args[i][:1]) or args[i][:1] == ":"):
        op.interface = args[i]
        i += 1
    if i < len(args):
        op.certfile = args[i]
        i += 1
    if i < len(args):
        op.keyfile = args[i]
    return op


def _inet_addr(text: str) -> str:
    """C's inet_addr: an unparseable address becomes 255.255.255.255."""
    try:
        return socket.inet_ntoa(socket.inet_aton(text))
    except OSError:
        return "255.255.255.255"


def _strncmp_equal(a: bytes, b: bytes, n: int) -> bool:
    for i in range(n):
        ca = a[i] if i < len(a) else 0
        cb = b[i] if i < len(b) else 0
        if ca != cb:
            return False
        if ca == 0:
            return True
    return True


class Client:
    def __init__(
        self, flavour: str, op: ClientOptions, out: Output, generation: Generation
    ) -> None:
        self.flavour = flavour
        self.generation = generation
        self.op = op
        self.out = out
        self.sock: socket.socket | None = None
        self.ctx: TlsContext | None = None
        self.tls: TlsSession | None = None  # while TLS is active
        self.sent_starttls = False
        # The input buffer as the C client keeps it: a C string in a fixed array.
        self.mem = bytearray(INBUF_SIZE)
        self.alarm_mode = "crash"  # or "interrupt"
        self.alarm_seen = False

    # -- alarms -------------------------------------------------------------------
    def on_alarm(self, signum: int, frame: object) -> None:
        if self.alarm_mode == "crash":
            self.out.write(b"\nClient timed out\n")
            self.out.flush()
            os._exit(99)
        self.alarm_seen = True
        raise AlarmInterrupt

    @staticmethod
    def alarm(seconds: int) -> None:
        signal.alarm(max(0, seconds))

    # -- connection ---------------------------------------------------------------
    def connect(self) -> None:
        op, out = self.op, self.out
        family = socket.AF_INET6 if ":" in op.address else socket.AF_INET
        out.write(f"Connecting to {op.address} port {op.port} ... ")
        try:
            sock = socket.socket(family, socket.SOCK_STREAM)
        except OSError as exc:
            out.line(f"socket creation failed: {errtext(exc)}")
            raise Finish(89) from None
        if op.interface is not None:
            self._bind(sock, family, op.interface)
        if family == socket.AF_INET6:
            try:
                info = socket.getaddrinfo(
                    op.address,
                    None,
                    socket.AF_INET6,
                    socket.SOCK_STREAM,
                    0,
                    socket.AI_NUMERICHOST,
                )
            except socket.gaierror as exc:
                out.line(f'unable to parse "{op.address}" as an IP address: {exc.strerror}')
                raise Finish(86) from None
            sockaddr: tuple[Any, ...] = info[0][4]
            host, _, flow, scope = sockaddr
            target: tuple[Any, ...] = (host, op.port & 0xFFFF, flow, scope)
        else:
            target = (_inet_addr(op.address), op.port & 0xFFFF)
        self.alarm(op.timeout)
        try:
            sock.connect(target)
        except OSError as exc:
            self.alarm(0)
            sock.close()
            out.line(f"connect failed: {errtext(exc)}")
            raise Finish(85) from None
        self.alarm(0)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 0)
        except (OSError, AttributeError):
            pass
        out.line("connected")
        self.sock = sock

    def _bind(self, sock: socket.socket, family: int, interface: str) -> None:
        iface_family = socket.AF_INET6 if ":" in interface else socket.AF_INET
        if iface_family != family:
            return
        if family == socket.AF_INET6:
            try:
                socket.inet_pton(socket.AF_INET6, interface)
            except OSError:
                self.out.write(f'Unable to parse "{interface}"')
                raise Finish(88) from None
            where: tuple[Any, ...] = (interface, 0)
        else:
            where = (_inet_addr(interface), 0)
        try:
            sock.bind(where)
        except OSError as exc:
            self.out.write(f"Unable to bind outgoing SMTP call to {interface}: {errtext(exc)}")
            raise Finish(87) from None

    # -- TLS ----------------------------------------------------------------------
    def setup_tls(self) -> None:
        """Make the TLS context as the C build does just after connecting."""
        import harness.peers.tlsutil as tlsutil

        op, out = self.op, self.out
        self.ctx = tlsutil.client_context(self.flavour == "gnutls", op.priority)
        if self.flavour == "openssl":
            if op.certfile:
                if not tlsutil.file_has_certificate(op.certfile):
                    out.line("SSL_CTX_use_certificate_file failed")
                    raise Finish(83)
                out.line(f"Certificate file = {op.certfile}")
            if op.keyfile:
                assert op.certfile is not None  # the key file argument comes after it
                try:  # the certificate alone, no chain: SSL_CTX_use_certificate_file
                    self.ctx.load_cert_chain(op.certfile, op.keyfile, chain=False)
                except OSError:  # tlsutil.TlsError included
                    out.line("SSL_CTX_use_PrivateKey_file failed")
                    raise Finish(82) from None
                out.line(f"Key file = {op.keyfile}")
            elif op.certfile:
                try:  # the key may be in the certificate's file
                    self.ctx.load_cert_chain(op.certfile, chain=False)
                except OSError:
                    pass
        else:
            if op.certfile:
                out.line(f"Certificate file = {op.certfile}")
            if op.keyfile:
                out.line(f"Key file = {op.keyfile}")
            try:
                with open("aux-fixed/gnutls-params", "rb"):
                    pass
            except OSError as exc:
                out.flush()
                _die_stderr(f"Failed to open spool/gnutls-params: {errtext(exc)}", 97)
            if op.certfile:
                try:
                    self.ctx.load_cert_chain(op.certfile, op.keyfile)
                except OSError as exc:
                    out.flush()
                    msg = tlsutil.gnutls_file_error(exc)
                    _die_stderr(f"GnuTLS connection error: gnutls_certificate: {msg}", 98)
        if op.ocsp:
            tlsutil.ocsp_prepare_context(self.ctx, op.ocsp, self.flavour == "gnutls")

    def start_tls(self, after_starttls: bool) -> None:
        """Handshake, then print the outcome as the C build does."""
        import harness.peers.tlsutil as tlsutil

        out = self.out
        assert self.sock is not None and self.ctx is not None
        session = tlsutil.TlsSession(self.sock, self.ctx, server_side=False)
        if self.flavour == "gnutls" and self.op.certfile:
            try:  # GnuTLS sends the certificate only if the server's CA names fit it
                tlsutil.gnutls_client_cert_choice(session, self.op.certfile)
            except tlsutil.NativeUnavailable:
                pass  # then it is always sent, as by OpenSSL
        if self.op.ocsp:
            try:
                tlsutil.ocsp_request(session)
                if self.flavour == "openssl":
                    tlsutil.ocsp_openssl_check(session, self.op.ocsp, out.line, self.generation)
            except tlsutil.NativeUnavailable as exc:
                out.line(f"OCSP stapling unavailable: {exc}")
        ok = False
        if self.flavour == "openssl":
            ok = self._openssl_handshake(session)
        else:
            self.alarm_seen = False
            self.alarm(self.op.timeout)
            try:
                session.handshake()
                ok = True
            except OSError as exc:  # tlsutil.TlsError is an OSError
                self._gnutls_failure("gnutls_handshake", exc, after_starttls)
            if ok and after_starttls:
                try:  # anything but an error is dropped, as in C
                    session.read_within(INBUF_SIZE - 1, GNUTLS_ERROR_WINDOW)
                except OSError as exc:
                    self._gnutls_failure("gnutls_record_recv", exc, after_starttls)
                    ok = False
            self.alarm(0)
        self.tls = session if ok else None
        if self.op.tls_quiet:
            return
        if not ok:
            out.line("Failed to start TLS")
            out.flush()
        elif self.flavour == "gnutls" and self.op.ocsp:
            self._gnutls_ocsp_report(session, after_starttls)
        else:
            out.line(self._succeeded())

    def _succeeded(self) -> str:
        """The line for a TLS start that worked; from 4.97 it says when -ocsp was given."""
        if self.op.ocsp and self.generation >= Generation.G4_97:
            return "Succeeded in starting TLS (with OCSP)"
        return "Succeeded in starting TLS"

    def _gnutls_failure(self, call: str, exc: OSError, after_starttls: bool) -> None:
        """A failed GnuTLS call as the GnuTLS build reports it: the bare error text,
        from 4.97 after STARTTLS named by the call, or nothing with -tls-quiet."""
        import harness.peers.tlsutil as tlsutil

        text = tlsutil.gnutls_error_text(exc)
        if after_starttls and self.generation >= Generation.G4_97:
            if self.op.tls_quiet:
                return
            text = f"{call}: {text}"
        self.out.line(text)

    def _gnutls_ocsp_report(self, session: TlsSession, after_starttls: bool) -> None:
        """The GnuTLS build's checks with -ocsp. On connection, success is reported as
        usual; after STARTTLS the 4.96 build is silent when all is well, the 4.97 one
        says the signature is good and that TLS started."""
        import harness.peers.tlsutil as tlsutil

        out = self.out
        cert_ok, status_ok, text = tlsutil.ocsp_gnutls_checks(session)
        if after_starttls and not cert_ok:
            out.line("Bad certificate")
        elif not status_ok:
            out.line("Failed to verify certificate status")
            if after_starttls:
                out.flush()
                write_stderr(text)
        elif not after_starttls:
            out.line(self._succeeded())
        elif self.generation >= Generation.G4_97:
            out.line("OCSP status response: good signature")
            out.line(self._succeeded())
        out.flush()

    def _openssl_handshake(self, session: TlsSession) -> bool:
        import harness.peers.tlsutil as tlsutil

        out = self.out
        self.alarm_mode, self.alarm_seen = "interrupt", False
        self.alarm(OPENSSL_CONNECT_TIMEOUT)
        try:
            session.handshake()
            ok = True
        except AlarmInterrupt:
            ok = False
        except tlsutil.TlsError as exc:  # with -ocsp, also a status callback's refusal
            out.line(tlsutil.openssl_error_line(exc))
            ok = False
        except OSError:
            ok = False
        self.alarm(0)
        # The C build now has a flag-only alarm handler and restarted system calls,
        # which can wait for ever; here later timeouts end the program instead.
        self.alarm_mode = "crash"
        if self.alarm_seen:
            out.line("SSL_connect timed out")
            return False
        return ok

    # -- reading ------------------------------------------------------------------
    def _read_once(self, size: int) -> bytes:
        """One read: the data, b"" at end of input; raises OSError or AlarmInterrupt."""
        if size <= 0:
            return b""
        if self.tls is not None:
            return self.tls.read(size)
        assert self.sock is not None
        return self.sock.recv(size)

    def refill(self) -> tuple[int, BaseException | None]:
        """Read until a newline arrives. Returns (rc, error): rc > 0 when data was read,
        0 at end of input, -1 on an error. A failed TLS read is reported and reading
        starts again in clear text, as in C."""
        while True:
            self.alarm(self.op.timeout)
            try:
                rc, err = self._fill()
            except AlarmInterrupt as exc:
                rc, err = -1, exc
            if rc is not None:
                self.alarm(0)
                return rc, err

    def _fill(self) -> tuple[int | None, BaseException | None]:
        p = 0
        while True:
            try:
                chunk = self._read_once(INBUF_SIZE - p - 1)
            except AlarmInterrupt:
                raise
            except OSError as exc:
                if self.tls is not None and self._tls_read_failed(exc):
                    return None, None
                return -1, exc
            if chunk:
                self.mem[p : p + len(chunk)] = chunk
                self.mem[p + len(chunk)] = 0
            if not chunk or LF in c_string(chunk):
                return len(chunk), None
            p += len(chunk)

    def _tls_read_failed(self, exc: OSError) -> bool:
        """A read through TLS failed: print as the C build does. True when it goes on
        reading in clear text; False when the failure is a plain read error."""
        import harness.peers.tlsutil as tlsutil

        out = self.out
        if self.flavour == "gnutls":
            out.line(tlsutil.gnutls_error_text(exc))
            self.tls = None
            return True
        if isinstance(exc, tlsutil.TlsError):
            out.line(tlsutil.openssl_error_string(exc))
            out.line("TLS terminated")
            self.tls = None
            self.alarm_mode, self.alarm_seen = "interrupt", True
            return True
        out.line("error:00000000:lib(0)::reason(0)")
        return False

    def cstr_at(self, pos: int) -> bytes:
        end = self.mem.find(b"\0", pos)
        return bytes(self.mem[pos:end])

    # -- the script ---------------------------------------------------------------
    def run_file(self, source: LineSource, pos: int, name: str) -> None:
        """Carry out script lines; pos is where unread input starts in the buffer
        (passed by value, as in C, so a nested file leaves the caller's position)."""
        out = self.out
        lineno = 0
        while (raw := source.readline()) is not None:
            lineno += 1
            line = c_string(raw)
            if line.endswith(b"\n"):
                line = line[:-1]
            try:
                if line[:3] == b"???" and line[3:4] in (b" ", b"*", b"?"):
                    pos = self.expect(line, pos, lineno)
                elif line.startswith(b"+++ "):
                    out.line(line)
                    out.flush()
                    time.sleep(max(0, c_atoi(line[4:])))
                elif line.startswith(b"<<< "):
                    path = os.fsdecode(line[4:])
                    try:
                        fd = os.open(path, os.O_RDONLY)
                    except OSError as exc:
                        out.write(b"Unable to open '" + line[4:] + b"': ")
                        out.line(errtext(exc))
                        raise Finish(74) from None
                    try:
                        self.run_file(LineSource(fd, SCRIPT_LINE_MAX), pos, path)
                    finally:
                        os.close(fd)
                else:
                    self.send(line, pos, lineno)
            except PeerScriptError as exc:
                out.line(f"{exc} in {name}" if name != "stdin" else str(exc))
                raise Finish(SCRIPT_ERROR) from None

    def expect(self, line: bytes, pos: int, lineno: int) -> int:
        out = self.out
        exp_eof = line[3] == 0x2A  # '*'
        optional = line[3] == 0x3F  # '?'
        out.line(line)
        expected = unescape_client(line, lineno)[4:]
        while True:  # once per input line looked at
            if self.mem[pos] == 0:
                rc, err = self.refill()
                if rc < 0:
                    if isinstance(err, AlarmInterrupt) and self.alarm_seen and optional:
                        return pos
                    out.line(f"Read error: {errtext(err) if err else ''}")
                    raise Finish(81)
                if rc == 0:
                    if exp_eof:
                        out.line("Expected EOF read")
                        return pos
                    if optional:
                        return pos
                    out.line("Unexpected EOF read")
                    self._close()
                    raise Finish(80)
                if exp_eof:
                    out.line("Expected EOF not read")
                    self._close()
                    raise Finish(74)
                pos = 0
            start = pos
            while self.mem[pos] not in (0, CR, LF):
                pos += 1
            if self.mem[pos] != 0:
                self.mem[pos] = 0
                pos += 1
                if self.mem[pos] == LF:
                    pos += 1
            got = self.cstr_at(start)
            if not _strncmp_equal(got, expected, len(expected)):
                if optional:
                    return start  # the script line is used up, the input line is not
                out.line(b"<<< " + got)
                out.write(b"\n******** Input mismatch ********\n")
                raise Finish(79)
            if not optional:
                out.line(b"<<< " + got)
            elif self.mem[pos] != 0:
                continue  # more input is waiting: try it against the same script line
            break
        if self.flavour != "none":
            if self.sent_starttls:
                if got[:1] == b"2":
                    out.line("Attempting to start TLS")
                    out.flush()
                    self.start_tls(after_starttls=True)
                else:
                    out.line("Abandoning TLS start attempt")
            self.sent_starttls = False
        return pos

    def send(self, line: bytes, pos: int, lineno: int) -> None:
        out = self.out
        crlf = True
        data = line
        if data.startswith(b">>> "):
            crlf, data = False, data[4:]
        if self.mem[pos] != 0:
            out.write(b"Unconsumed input: " + self.cstr_at(pos))
            out.line(b"   About to send: " + data)
            raise Finish(78)
        if self.flavour != "none":
            if data in (b"stoptls", b"STOPTLS"):
                if self.tls is None:
                    out.line("STOPTLS read when TLS not active")
                    raise Finish(77)
                out.line("Shutting down TLS encryption")
                self.tls.close_notify()
                self.tls = None
                return
            self.sent_starttls = data in (b"starttls", b"STARTTLS")
            if data == b"starttls_wait":
                data = b"starttls"
        out.line(b">>> " + data)
        payload = unescape_client(data + (b"\r\n" if crlf else b""), lineno)
        self.alarm(self.op.timeout)
        try:
            if self.tls is not None:
                self.tls.write(payload)
            else:
                assert self.sock is not None
                self.sock.sendall(payload)
        except (OSError, AlarmInterrupt) as exc:
            self.alarm(0)
            if self.tls is not None and self.flavour == "gnutls":
                import harness.peers.tlsutil as tlsutil

                out.line(f"GnuTLS write error: {tlsutil.gnutls_error_text(exc)}")
                raise Finish(76) from None
            out.line(f"Write error: {errtext(exc)}")
            raise Finish(75) from None
        self.alarm(0)

    def _close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def finish(self) -> None:
        self.out.line("End of script")
        sock = self.sock
        if sock is None:
            return
        try:
            sock.shutdown(socket.SHUT_WR)
            sock.setblocking(False)
            while sock.recv(INBUF_SIZE):
                pass
        except OSError:
            pass
        sock.close()


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    flavour = FLAVOURS.get(prog or prog_name("client"), "none")
    # The GnuTLS build ignores SIGPIPE (and reports write errors); the others die of it.
    signal.signal(signal.SIGPIPE, signal.SIG_IGN if flavour == "gnutls" else signal.SIG_DFL)
    out = Output()

    def body() -> int:
        generation = harness_generation()
        op = parse_args(args, flavour, generation, out)
        client = Client(flavour, op, out, generation)
        signal.signal(signal.SIGALRM, client.on_alarm)
        client.connect()
        if flavour != "none":
            client.setup_tls()
            if op.tls_on_connect:
                out.line("Attempting to start TLS")
                client.start_tls(after_starttls=False)
        client.run_file(LineSource(0, SCRIPT_LINE_MAX), 0, "stdin")
        client.finish()
        return 0

    return run_program("client", out, body)


if __name__ == "__main__":
    sys.exit(main())
