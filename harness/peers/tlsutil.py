"""TLS for the scripted peers, through Python's ssl module.

A `TlsSession` runs TLS over an already connected socket through memory BIOs, so the
peer keeps the plain socket: after a failed handshake or a TLS shutdown it goes on in
clear text, as the C programs do. The rest turns ssl's errors into the texts the C
programs print (OpenSSL's error lines for `client-ssl`, GnuTLS's messages for
`client-gnutls`) and reads a GnuTLS priority string (`client-gnutls -p`) into OpenSSL
settings.
"""

from __future__ import annotations

import os
import re
import select
import socket
import ssl
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from harness.generation import Generation

T = TypeVar("T")

RECORD = 17 * 1024


class TlsSession:
    """One TLS session on a connected socket; blocking, driven by the caller's alarms."""

    def __init__(
        self, sock: socket.socket, ctx: ssl.SSLContext, server_side: bool, already: bytes = b""
    ) -> None:
        self.sock = sock
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.obj = ctx.wrap_bio(self.incoming, self.outgoing, server_side=server_side)
        self.keep_alive: list[object] = []  # ctypes callbacks OpenSSL may call
        if already:
            self.incoming.write(already)

    def _send_pending(self) -> None:
        data = self.outgoing.read()
        if data:
            self.sock.sendall(data)

    def _receive(self) -> None:
        data = self.sock.recv(RECORD)
        if data:
            self.incoming.write(data)
        else:
            self.incoming.write_eof()

    def _drive(self, operation: Callable[[], T]) -> T:
        while True:
            try:
                result = operation()
            except ssl.SSLWantReadError:
                self._send_pending()
                self._receive()
                continue
            except ssl.SSLError:
                try:  # let the peer see our alert, if any
                    self._send_pending()
                except OSError:
                    pass
                raise
            self._send_pending()
            return result

    def handshake(self) -> None:
        self._drive(self.obj.do_handshake)

    def read(self, size: int) -> bytes:
        """Up to size bytes of one record; b"" when the peer closed TLS cleanly."""
        try:
            return self._drive(lambda: self.obj.read(size))
        except ssl.SSLZeroReturnError:
            return b""

    def write(self, data: bytes) -> None:
        self._drive(lambda: self.obj.write(data))

    def read_within(self, size: int, seconds: float) -> bytes | None:
        """Up to size bytes of application data that arrive within seconds, without
        waiting longer: None if none came (records such as TLS 1.3 session tickets are
        taken in on the way), b"" for a clean TLS close; failures (alerts) raise."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                data = self.obj.read(size)
            except ssl.SSLWantReadError:
                self._send_pending()
                wait = max(deadline - time.monotonic(), 0.0)
                if not select.select([self.sock], [], [], wait)[0]:
                    return None
                self._receive()
                continue
            except ssl.SSLZeroReturnError:
                return b""
            except ssl.SSLError:
                try:  # let the peer see our alert, if any
                    self._send_pending()
                except OSError:
                    pass
                raise
            self._send_pending()
            return data

    def close_notify(self) -> None:
        """Send our close_notify without waiting for the peer's."""
        try:
            self.obj.unwrap()
        except (ssl.SSLWantReadError, ssl.SSLError):
            pass
        try:
            self._send_pending()
        except OSError:
            pass

    def cipher_name(self) -> str:
        info = self.obj.cipher()
        return info[0] if info else "(none)"


# ---- contexts -------------------------------------------------------------------------

_VERSIONS = {
    "TLS1.0": ssl.TLSVersion.TLSv1,
    "TLS1.1": ssl.TLSVersion.TLSv1_1,
    "TLS1.2": ssl.TLSVersion.TLSv1_2,
    "TLS1.3": ssl.TLSVersion.TLSv1_3,
}
# GnuTLS key exchange name -> (OpenSSL key exchange, authentication)
_KX = {
    "RSA": ("kRSA", "aRSA"),
    "DHE-RSA": ("kDHE", "aRSA"),
    "ECDHE-RSA": ("kECDHE", "aRSA"),
    "ECDHE-ECDSA": ("kECDHE", "aECDSA"),
    "DHE-DSS": ("kDHE", "aDSS"),
}
_KX_ORDER = ["ECDHE-ECDSA", "ECDHE-RSA", "DHE-RSA", "DHE-DSS", "RSA"]


class Priority:
    """What a GnuTLS priority string asks for, in OpenSSL terms (versions, TLS 1.2 suites)."""

    def __init__(self, text: str) -> None:
        items = [x for x in text.split(":") if x]
        base = items[0].split("%")[0].upper() if items else "NORMAL"
        none = base == "NONE"
        versions: set[str] = set() if none else {"TLS1.2", "TLS1.3"}
        kx: set[str] = set() if none else set(_KX)
        signs: set[str] = set()
        for item in items[1:]:
            sign, name = item[:1], item[1:].upper()
            if sign not in "+-!":
                continue
            add = sign == "+"
            if name.startswith("VERS-"):
                v = name[5:]
                chosen = set(_VERSIONS) if v in ("ALL", "TLS-ALL") else {v} & set(_VERSIONS)
                versions = versions | chosen if add else versions - chosen
            elif name in _KX or name == "KX-ALL":
                chosen = set(_KX) if name == "KX-ALL" else {name}
                kx = kx | chosen if add else kx - chosen
            elif name.startswith("SIGN-") and add:
                signs.add(name[5:])
        self.versions = versions
        if signs and "ALL" not in signs:
            auths = {"aRSA"} if any(s.startswith("RSA") for s in signs) else set()
            if any(s.startswith("ECDSA") for s in signs):
                auths.add("aECDSA")
            if any(s.startswith("DSA") for s in signs):
                auths.add("aDSS")
            # plain RSA key exchange signs nothing, so signature limits leave it alone
            kx = {k for k in kx if k == "RSA" or _KX[k][1] in auths}
        self.ciphers = ":".join(f"{_KX[k][0]}+{_KX[k][1]}" for k in _KX_ORDER if k in kx)

    def apply(self, ctx: ssl.SSLContext) -> None:
        if self.versions:
            order = list(_VERSIONS)
            chosen = sorted(self.versions, key=order.index)
            ctx.minimum_version = _VERSIONS[chosen[0]]
            ctx.maximum_version = _VERSIONS[chosen[-1]]
        if self.ciphers:
            try:
                ctx.set_ciphers(self.ciphers + ":@SECLEVEL=0")
            except ssl.SSLError:
                pass


def client_context(gnutls_like: bool, priority: str | None) -> ssl.SSLContext:
    """A client context that checks nothing about the server, as the C clients."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    # Both C libraries report a connection closed without a TLS close as an error.
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    if gnutls_like:
        # The C GnuTLS client takes GnuTLS's default priorities (TLS 1.3 included: its
        # GNUTLS_NO_EXTENSIONS flag only leaves out tickets and OCSP requests, not the
        # extensions TLS 1.3 needs) unless -p narrows them; it accepts small keys and
        # DH groups.
        ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        ctx.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.options |= ssl.OP_NO_TICKET  # no session_ticket extension, as GnuTLS's flag
        if priority:
            Priority(priority).apply(ctx)
    else:
        ctx.set_ciphers("DEFAULT")
    return ctx


def server_context(certfile: str, keyfile: str) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    ctx.load_cert_chain(certfile, keyfile)
    return ctx


def file_has_certificate(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"-----BEGIN CERTIFICATE-----" in fh.read()
    except OSError:
        return False


# ---- error texts ----------------------------------------------------------------------

_LIB_TEXT = {"SSL": "SSL routines", "PEM": "PEM routines", "X509": "X509 routines"}
_REASON_TEXT = re.compile(r"\]\s*(.*?)\s*\(_ssl\.c:\d+\)\s*$")


def _reason_text(exc: ssl.SSLError) -> str:
    m = _REASON_TEXT.search(str(exc))
    if m and m.group(1):
        return m.group(1)
    reason = getattr(exc, "reason", None)
    return reason.lower().replace("_", " ") if reason else str(exc)


def _packed_code(exc: ssl.SSLError) -> int:
    import _ssl  # the ssl module's own tables of OpenSSL error names

    reason = getattr(exc, "reason", None) or ""
    lib, code = _ssl.err_names_to_codes.get(reason, (0, 0))
    return (lib << 23) | code


def _alert_number(exc: ssl.SSLError) -> int | None:
    reason = getattr(exc, "reason", None) or ""
    if "_ALERT_" not in reason:
        return None
    return (_packed_code(exc) & 0x7FFFFF) - 1000


def openssl_error_string(exc: ssl.SSLError) -> str:
    """As OpenSSL 3's ERR_error_string: error:CODE:LIBRARY::REASON."""
    lib = _LIB_TEXT.get(getattr(exc, "library", None) or "", "SSL routines")
    return f"error:{_packed_code(exc):08X}:{lib}::{_reason_text(exc)}"


def openssl_error_line(exc: ssl.SSLError) -> str:
    """As one line of OpenSSL 3's ERR_print_errors_fp."""
    lib = _LIB_TEXT.get(getattr(exc, "library", None) or "", "SSL routines")
    alert = _alert_number(exc)
    where = "ssl3_read_bytes" if alert is not None else ""
    source = "../ssl/record/rec_layer_s3.c:1584" if alert is not None else "../ssl/ssl_lib.c:0"
    data = f"SSL alert number {alert}" if alert is not None else ""
    return (
        f"{threading.get_ident():X}:error:{_packed_code(exc):08X}:{lib}:{where}:"
        f"{_reason_text(exc)}:{source}:{data}"
    )


def gnutls_error_text(exc: BaseException) -> str:
    """The GnuTLS message the C client-gnutls would print for a failed TLS operation."""
    if isinstance(exc, ssl.SSLError):
        reason = getattr(exc, "reason", None) or ""
        if "_ALERT_" in reason:
            return "A TLS fatal alert has been received."
        if isinstance(exc, ssl.SSLEOFError) or reason == "UNEXPECTED_EOF_WHILE_READING":
            return "The TLS connection was non-properly terminated."
        if reason in ("NO_CIPHERS_AVAILABLE", "NO_SHARED_CIPHER", "NO_PROTOCOLS_AVAILABLE"):
            return "No or insufficient priorities were set."
        if reason in ("WRONG_VERSION_NUMBER", "UNSUPPORTED_PROTOCOL", "RECORD_LAYER_FAILURE"):
            return "An unexpected TLS packet was received."
        return "Decryption has failed." if "DECRYPT" in reason else "Internal error."
    if isinstance(exc, BrokenPipeError):
        return "Error in the push function."
    if isinstance(exc, OSError):
        return "Error in the pull function."
    return "Internal error."


def gnutls_file_error(exc: BaseException) -> str:
    """GnuTLS's message for a certificate or key file it could not use."""
    if isinstance(exc, ssl.SSLError) and "KEY_VALUES_MISMATCH" in (exc.reason or ""):
        return "The certificate and the given key do not match."
    if isinstance(exc, ssl.SSLError):
        return "Base64 decoding error."
    return "Error while reading file."


# ---- OCSP stapling ----------------------------------------------------------------------
# Python's ssl module cannot ask for a stapled OCSP response, so the `-ocsp` option of the
# clients reaches the session's OpenSSL objects through ctypes (CPython 3.11's layout).

_SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE = 65
_SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP = 70
_TLSEXT_STATUSTYPE_OCSP = 1
_OCSP_NOVERIFY = 0x10
_BIO_CTRL_INFO = 3


_OCSP_FUNCTIONS = (
    "SSL_ctrl", "SSL_get_SSL_CTX", "SSL_get_verify_result", "SSL_CTX_get_cert_store",
    "d2i_OCSP_RESPONSE", "OCSP_response_status", "OCSP_response_get1_basic",
    "OCSP_basic_verify", "OCSP_resp_get0", "OCSP_single_get0_status", "OCSP_check_validity",
    "OCSP_RESPONSE_print", "OCSP_RESPONSE_free", "OCSP_BASICRESP_free",
    "OPENSSL_sk_new_null", "OPENSSL_sk_push", "OPENSSL_sk_pop_free", "X509_free",
    "BIO_new_file", "BIO_new", "BIO_s_mem", "BIO_ctrl", "BIO_free", "PEM_read_bio_X509",
    "ERR_get_error", "ERR_clear_error", "ERR_error_string_n",
)  # fmt: skip


class NativeUnavailable(Exception):
    """The OpenSSL objects or functions behind Python's ssl could not be reached."""


def _prototypes(ctypes: Any) -> dict[str, tuple[str, Any, list[Any]]]:
    """name -> (library, result type, argument types) of every function used here."""
    vp, c_long, c_int, c_ulong = ctypes.c_void_p, ctypes.c_long, ctypes.c_int, ctypes.c_ulong
    return {
        "SSL_ctrl": ("ssl", c_long, [vp, c_int, c_long, vp]),
        "SSL_get_SSL_CTX": ("ssl", vp, [vp]),
        "SSL_get_verify_result": ("ssl", c_long, [vp]),
        "SSL_CTX_get_cert_store": ("ssl", vp, [vp]),
        "SSL_set_cert_cb": ("ssl", None, [vp, vp, vp]),
        "SSL_get0_peer_CA_list": ("ssl", vp, [vp]),
        "SSL_certs_clear": ("ssl", None, [vp]),
        "SSL_load_client_CA_file": ("ssl", vp, [ctypes.c_char_p]),
        "SSL_set_client_CA_list": ("ssl", None, [vp, vp]),
        "d2i_OCSP_RESPONSE": ("crypto", vp, [vp, vp, c_long]),
        "OCSP_response_status": ("crypto", c_int, [vp]),
        "OCSP_response_get1_basic": ("crypto", vp, [vp]),
        "OCSP_basic_verify": ("crypto", c_int, [vp, vp, vp, c_ulong]),
        "OCSP_resp_get0": ("crypto", vp, [vp, c_int]),
        "OCSP_single_get0_status": ("crypto", c_int, [vp, vp, vp, vp, vp]),
        "OCSP_check_validity": ("crypto", c_int, [vp, vp, c_long, c_long]),
        "OCSP_RESPONSE_print": ("crypto", c_int, [vp, vp, c_ulong]),
        "OCSP_RESPONSE_free": ("crypto", None, [vp]),
        "OCSP_BASICRESP_free": ("crypto", None, [vp]),
        "OPENSSL_sk_new_null": ("crypto", vp, []),
        "OPENSSL_sk_push": ("crypto", c_int, [vp, vp]),
        "OPENSSL_sk_num": ("crypto", c_int, [vp]),
        "OPENSSL_sk_value": ("crypto", vp, [vp, c_int]),
        "OPENSSL_sk_pop_free": ("crypto", None, [vp, vp]),
        "X509_free": ("crypto", None, [vp]),
        "X509_get_issuer_name": ("crypto", vp, [vp]),
        "i2d_X509_NAME": ("crypto", c_int, [vp, vp]),
        "BIO_new_file": ("crypto", vp, [ctypes.c_char_p, ctypes.c_char_p]),
        "BIO_new": ("crypto", vp, [vp]),
        "BIO_s_mem": ("crypto", vp, []),
        "BIO_ctrl": ("crypto", c_long, [vp, c_int, c_long, vp]),
        "BIO_free": ("crypto", c_int, [vp]),
        "PEM_read_bio_X509": ("crypto", vp, [vp, vp, vp, vp]),
        "ERR_get_error": ("crypto", c_ulong, []),
        "ERR_clear_error": ("crypto", None, []),
        "ERR_error_string_n": ("crypto", None, [c_ulong, vp, ctypes.c_size_t]),
    }


class _Native:
    """libssl/libcrypto as loaded by Python's _ssl. Functions are bound on first use
    (`native.fn.NAME`), so a missing one fails only the feature that needs it."""

    _instance: _Native | None = None

    def __init__(self) -> None:
        import ctypes

        paths = re.findall(r"(/\S*lib(?:ssl|crypto)\.so\S*)", open("/proc/self/maps").read())
        try:
            self._libs = {
                "ssl": ctypes.CDLL(next(p for p in paths if "/libssl." in p)),
                "crypto": ctypes.CDLL(next(p for p in paths if "/libcrypto." in p)),
            }
        except (StopIteration, OSError) as exc:
            raise NativeUnavailable("cannot find the OpenSSL libraries") from exc
        self.ct = ctypes
        self._protos = _prototypes(ctypes)
        self.fn = _Functions(self)

    def bind(self, name: str) -> Any:
        lib, restype, argtypes = self._protos[name]
        try:
            fn = getattr(self._libs[lib], name)
        except AttributeError:
            raise NativeUnavailable(f"OpenSSL has no {name}") from None
        fn.restype, fn.argtypes = restype, argtypes
        return fn

    @classmethod
    def get(cls, needed: tuple[str, ...]) -> _Native:
        """The libraries, with the needed functions bound now so that a missing one fails
        before any work is done."""
        if cls._instance is None:
            cls._instance = cls()
        for name in needed:
            getattr(cls._instance.fn, name)
        return cls._instance

    def ssl_pointer(self, obj: ssl.SSLObject | ssl.SSLSocket) -> int:
        """The SSL* behind an ssl object (after its handshake was set up), checked
        against the SSL_CTX* of its context."""
        import sys

        if sys.version_info[:2] != (3, 11):
            raise NativeUnavailable("reaching OpenSSL's objects needs CPython 3.11")
        inner = getattr(obj, "_sslobj", None)
        if inner is None:
            raise NativeUnavailable("the TLS object has no OpenSSL session yet")
        ssl_ptr = self.ct.c_void_p.from_address(id(inner) + 24).value
        ctx_ptr = self.ct.c_void_p.from_address(id(obj.context) + 16).value
        if not ssl_ptr or self.fn.SSL_get_SSL_CTX(ssl_ptr) != ctx_ptr:
            raise NativeUnavailable("unexpected layout of Python's ssl objects")
        return ssl_ptr

    def errors(self) -> list[str]:
        lines = []
        buf = self.ct.create_string_buffer(256)
        while code := self.fn.ERR_get_error():
            self.fn.ERR_error_string_n(code, buf, 256)
            lines.append(f"{threading.get_ident():X}:{buf.value.decode('latin-1')}")
        return lines


class _Functions:
    """Attribute access binds an OpenSSL function once: native.fn.SSL_ctrl(...)."""

    def __init__(self, native: _Native) -> None:
        self._native = native

    def __getattr__(self, name: str) -> Any:
        fn = self._native.bind(name)
        setattr(self, name, fn)
        return fn


def ocsp_prepare_context(ctx: ssl.SSLContext, cafile: str, gnutls_like: bool) -> None:
    """The GnuTLS build trusts the -ocsp file for checking the server's certificate."""
    if gnutls_like:
        try:
            ctx.load_verify_locations(cafile)
        except (OSError, ssl.SSLError):
            pass


def ocsp_request(session: TlsSession) -> None:
    """Ask for a stapled OCSP response in the coming handshake."""
    native = _Native.get(_OCSP_FUNCTIONS)
    native.fn.SSL_ctrl(
        native.ssl_pointer(session.obj),
        _SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE,
        _TLSEXT_STATUSTYPE_OCSP,
        None,
    )


def _stapled(native: _Native, ssl_ptr: int) -> bytes | None:
    ct = native.ct
    data = ct.c_void_p()
    length = native.fn.SSL_ctrl(
        ssl_ptr, _SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP, 0, ct.byref(data)
    )
    if not data.value or length <= 0:
        return None
    return ct.string_at(data.value, length)


def _parse_response(native: _Native, der: bytes) -> int | None:
    ct = native.ct
    holder = ct.create_string_buffer(der, len(der))
    cursor = ct.c_void_p(ct.addressof(holder))
    return native.fn.d2i_OCSP_RESPONSE(None, ct.byref(cursor), len(der)) or None


def _chain_from_pem(native: _Native, path: str) -> int | None:
    bio = native.fn.BIO_new_file(os.fsencode(path), b"r")
    if not bio:
        return None
    stack = native.fn.OPENSSL_sk_new_null()
    while cert := native.fn.PEM_read_bio_X509(bio, None, None, None):
        native.fn.OPENSSL_sk_push(stack, cert)
    native.fn.BIO_free(bio)
    native.fn.ERR_clear_error()  # the read loop ends with a "no start line" error
    return stack


def _free_certs(native: _Native, stack: int) -> None:
    native.fn.OPENSSL_sk_pop_free(stack, native.ct.cast(native.fn.X509_free, native.ct.c_void_p))


def _hex_dump(data: bytes) -> list[str]:
    lines = []
    for off in range(0, len(data), 16):
        chunk = data[off : off + 16]
        hexes = "-".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"    {off:04x} - {hexes:<47}   {text}")
    return lines


# What the OpenSSL build's status callback says, by outcome: the 4.96 helper's words and
# those of the 4.97 one (which names OCSP in each).
_OCSP_OPENSSL_TEXTS = {
    "missing": ("no response received", "no OCSP response received"),
    "unparsed": ("response parse error", "OCSP response parse error"),
    "not basic": ("error parsing response", "error parsing OCSP response"),
    "bad signature": ("Response Verify Failure", "OCSP status response verify failure"),
    "good signature": ("Response verify OK", "OCSP status response: good signature"),
}


def ocsp_openssl_report(
    session: TlsSession, chainfile: str, out_line: Callable[[str], None], generation: Generation
) -> bool:
    """What the OpenSSL build's status callback prints and decides: False fails TLS."""

    def say(outcome: str) -> None:
        old, new = _OCSP_OPENSSL_TEXTS[outcome]
        out_line(new if generation >= Generation.G4_97 else old)

    try:
        native = _Native.get(_OCSP_FUNCTIONS)
        ssl_ptr = native.ssl_pointer(session.obj)
    except NativeUnavailable as exc:
        out_line(f"OCSP stapling unavailable: {exc}")
        return False
    der = _stapled(native, ssl_ptr)
    if der is None:
        say("missing")
        return True
    resp = _parse_response(native, der)
    if resp is None:
        say("unparsed")
        for line in _hex_dump(der):
            out_line(line)
        return False
    basic = native.fn.OCSP_response_get1_basic(resp)
    ok = False
    if not basic:
        say("not basic")
    elif (stack := _chain_from_pem(native, chainfile)) is None:
        out_line("error in cert setup")
    else:
        native.fn.ERR_clear_error()
        if native.fn.OCSP_basic_verify(basic, stack, None, _OCSP_NOVERIFY) <= 0:
            say("bad signature")
            for line in native.errors():
                out_line(line)
        else:
            say("good signature")
            ok = True
        _free_certs(native, stack)
    if basic:
        native.fn.OCSP_BASICRESP_free(basic)
    native.fn.OCSP_RESPONSE_free(resp)
    return ok


def openssl_status_failure_line() -> str:
    """The error OpenSSL reports when the status callback rejects the handshake."""
    import _ssl

    lib, code = _ssl.err_names_to_codes["INVALID_STATUS_RESPONSE"]
    return (
        f"{threading.get_ident():X}:error:{(lib << 23) | code:08X}:SSL routines:"
        "tls_process_initial_server_flight:invalid status response:"
        "../ssl/statem/statem_clnt.c:2720:"
    )


def ocsp_gnutls_checks(session: TlsSession) -> tuple[bool, bool, str]:
    """(certificate trusted, stapled status good and verified, text for stderr) as the
    GnuTLS build judges them, the -ocsp file being the trusted CA."""
    try:
        native = _Native.get(_OCSP_FUNCTIONS)
        ssl_ptr = native.ssl_pointer(session.obj)
    except NativeUnavailable as exc:
        return False, False, f"OCSP stapling unavailable: {exc}"
    cert_ok = native.fn.SSL_get_verify_result(ssl_ptr) == 0
    der = _stapled(native, ssl_ptr)
    if der is None:
        return cert_ok, False, "ocsp decode: The requested data were not available."
    resp = _parse_response(native, der)
    if resp is None:
        return cert_ok, False, "ocsp decode: Error in the DER encoding."
    text = _response_text(native, resp)
    status_ok = False
    basic = (
        native.fn.OCSP_response_get1_basic(resp) if native.fn.OCSP_response_status(resp) == 0 else 0
    )
    if basic:
        ct = native.ct
        store = native.fn.SSL_CTX_get_cert_store(native.fn.SSL_get_SSL_CTX(ssl_ptr))
        native.fn.ERR_clear_error()
        single = native.fn.OCSP_resp_get0(basic, 0)
        if single and native.fn.OCSP_basic_verify(basic, None, store, 0) > 0:
            reason = ct.c_int()
            rev, this, nxt = ct.c_void_p(), ct.c_void_p(), ct.c_void_p()
            state = native.fn.OCSP_single_get0_status(
                single, ct.byref(reason), ct.byref(rev), ct.byref(this), ct.byref(nxt)
            )
            status_ok = state == 0 and native.fn.OCSP_check_validity(this, nxt, 300, -1) == 1
        native.fn.ERR_clear_error()
        native.fn.OCSP_BASICRESP_free(basic)
    native.fn.OCSP_RESPONSE_free(resp)
    return cert_ok, status_ok, text


def _response_text(native: _Native, resp: int) -> str:
    ct = native.ct
    bio = native.fn.BIO_new(native.fn.BIO_s_mem())
    native.fn.OCSP_RESPONSE_print(bio, resp, 0)
    data = ct.c_void_p()
    length = native.fn.BIO_ctrl(bio, _BIO_CTRL_INFO, 0, ct.byref(data))
    text = ct.string_at(data.value, length).decode("latin-1") if data.value else ""
    native.fn.BIO_free(bio)
    return text[:4096]


# ---- client certificates chosen by the server's CA names ----------------------------------
# A GnuTLS client sends its certificate only when the server's CertificateRequest names no
# CA, or names the issuer of a certificate in the client's chain file; otherwise it sends
# an empty Certificate message. Python's ssl always sends it, so the GnuTLS-like clients
# add an OpenSSL certificate callback (through ctypes) that drops the certificate from
# the session when the names do not fit.

_CERT_FILTER_FUNCTIONS = (
    "SSL_get_SSL_CTX",
    "SSL_set_cert_cb",
    "SSL_get0_peer_CA_list",
    "SSL_certs_clear",
    "OPENSSL_sk_num",
    "OPENSSL_sk_value",
    "OPENSSL_sk_pop_free",
    "X509_free",
    "X509_get_issuer_name",
    "i2d_X509_NAME",
    "BIO_new_file",
    "BIO_free",
    "PEM_read_bio_X509",
    "OPENSSL_sk_new_null",
    "OPENSSL_sk_push",
    "ERR_clear_error",
)


def _name_der(native: _Native, name: int) -> bytes:
    """The DER encoding of an X509_NAME*."""
    ct = native.ct
    size = native.fn.i2d_X509_NAME(name, None)
    if size <= 0:
        return b""
    buf = ct.create_string_buffer(size)
    cursor = ct.c_void_p(ct.addressof(buf))
    native.fn.i2d_X509_NAME(name, ct.byref(cursor))
    return buf.raw


def _chain_issuers(native: _Native, certfile: str) -> set[bytes]:
    """DER issuer names of every certificate in a PEM file."""
    stack = _chain_from_pem(native, certfile)
    if stack is None:
        return set()
    issuers = set()
    for i in range(native.fn.OPENSSL_sk_num(stack)):
        cert = native.fn.OPENSSL_sk_value(stack, i)
        issuers.add(_name_der(native, native.fn.X509_get_issuer_name(cert)))
    _free_certs(native, stack)
    issuers.discard(b"")
    return issuers


def _peer_ca_names(native: _Native, ssl_ptr: int) -> list[bytes]:
    """DER names of the CAs in the server's certificate request (none: an empty list)."""
    stack = native.fn.SSL_get0_peer_CA_list(ssl_ptr)
    if not stack:
        return []
    count = native.fn.OPENSSL_sk_num(stack)
    return [_name_der(native, native.fn.OPENSSL_sk_value(stack, i)) for i in range(count)]


def gnutls_client_cert_choice(session: TlsSession, certfile: str) -> None:
    """Before the handshake of a session whose context holds the client certificate of
    certfile: send it only if the server's CA names allow, as GnuTLS does. Raises
    NativeUnavailable (the certificate is then always sent) when OpenSSL cannot be
    reached."""
    native = _Native.get(_CERT_FILTER_FUNCTIONS)
    ssl_ptr = native.ssl_pointer(session.obj)
    issuers = _chain_issuers(native, certfile)
    ct = native.ct

    def choose(ssl_arg: int, _arg: int) -> int:
        try:
            names = _peer_ca_names(native, ssl_arg)
            if names and not issuers.intersection(names):
                native.fn.SSL_certs_clear(ssl_arg)
        except BaseException:  # noqa: BLE001 - nothing may escape into OpenSSL
            pass
        return 1  # go on with the handshake

    callback = ct.CFUNCTYPE(ct.c_int, ct.c_void_p, ct.c_void_p)(choose)
    session.keep_alive.append(callback)  # OpenSSL holds the pointer as long as the session
    native.fn.SSL_set_cert_cb(ssl_ptr, callback, None)


def set_acceptable_ca_names(obj: ssl.SSLObject | ssl.SSLSocket, cafile: str) -> None:
    """For a server-side TLS object whose handshake has not run: name the certificates of
    cafile as the acceptable CAs in its certificate request (Python's ssl names none).
    Raises NativeUnavailable when OpenSSL cannot be reached, OSError if cafile is bad."""
    native = _Native.get(("SSL_get_SSL_CTX", "SSL_load_client_CA_file", "SSL_set_client_CA_list"))
    ssl_ptr = native.ssl_pointer(obj)
    names = native.fn.SSL_load_client_CA_file(os.fsencode(cafile))
    if not names:
        native.fn.ERR_clear_error()
        raise OSError(f"no CA names in {cafile}")
    native.fn.SSL_set_client_CA_list(ssl_ptr, names)  # the session owns the list now
