"""TLS for the scripted peers, on the system's OpenSSL through ctypes.

The peers' TLS objects (SSL_CTX, SSL and its two memory BIOs) are made and driven
through the public API of the system's libssl and libcrypto, the OpenSSL that Exim's C
helpers are built with (and that Python's ssl module uses there too). As the SSL* is
ours, what Python's ssl cannot do works on any Python: asking for a stapled OCSP
response and checking it, a GnuTLS-like client that sends its certificate only when the
server's CA names fit it, a server that names acceptable CAs. Contexts start with the
settings of Python 3.11's ssl.SSLContext, which the peers were first written on.

A `TlsSession` runs TLS over an already connected socket through the memory BIOs, so
the peer keeps the plain socket: after a failed handshake or a TLS shutdown it goes on
in clear text, as the C programs do. A failure raises `TlsError` (an OSError) holding
OpenSSL's error queue, which the functions at the end turn into the texts the C programs
print (OpenSSL's error lines for `client-ssl`, GnuTLS's messages for `client-gnutls`).
`Priority` reads a GnuTLS priority string (`client-gnutls -p`) into OpenSSL settings.
"""

from __future__ import annotations

import _thread
import os
import select
import socket
import time
import weakref

from harness.core.generation import Generation

TYPE_CHECKING = False  # typing is not imported at run time, to start fast
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

RECORD = 17 * 1024

# ---- the libraries --------------------------------------------------------------------

_SONAMES = {"crypto": "libcrypto.so.3", "ssl": "libssl.so.3"}  # OpenSSL 3.x


class NativeUnavailable(Exception):
    """The OpenSSL libraries, or a function they should have, could not be found."""


def _prototypes(ctypes: Any) -> dict[str, tuple[str, Any, list[Any]]]:
    """name -> (library, result type, argument types) of every function used here."""
    vp, c_long, c_int, c_ulong = ctypes.c_void_p, ctypes.c_long, ctypes.c_int, ctypes.c_ulong
    buf, u64 = ctypes.c_char_p, ctypes.c_uint64
    return {
        "OPENSSL_init_ssl": ("ssl", c_int, [u64, vp]),
        "TLS_client_method": ("ssl", vp, []),
        "TLS_server_method": ("ssl", vp, []),
        "SSL_CTX_new": ("ssl", vp, [vp]),
        "SSL_CTX_free": ("ssl", None, [vp]),
        "SSL_CTX_ctrl": ("ssl", c_long, [vp, c_int, c_long, vp]),
        "SSL_CTX_callback_ctrl": ("ssl", c_long, [vp, c_int, vp]),
        "SSL_CTX_set_options": ("ssl", u64, [vp, u64]),
        "SSL_CTX_clear_options": ("ssl", u64, [vp, u64]),
        "SSL_CTX_get_options": ("ssl", u64, [vp]),
        "SSL_CTX_set_security_level": ("ssl", None, [vp, c_int]),
        "SSL_CTX_set_cipher_list": ("ssl", c_int, [vp, buf]),
        "SSL_CTX_set_verify": ("ssl", None, [vp, c_int, vp]),
        "SSL_CTX_use_certificate_chain_file": ("ssl", c_int, [vp, buf]),
        "SSL_CTX_use_certificate_file": ("ssl", c_int, [vp, buf, c_int]),
        "SSL_CTX_use_PrivateKey_file": ("ssl", c_int, [vp, buf, c_int]),
        "SSL_CTX_check_private_key": ("ssl", c_int, [vp]),
        "SSL_CTX_load_verify_locations": ("ssl", c_int, [vp, buf, buf]),
        "SSL_CTX_get_cert_store": ("ssl", vp, [vp]),
        "SSL_CTX_get0_param": ("ssl", vp, [vp]),
        "X509_VERIFY_PARAM_set_flags": ("crypto", c_int, [vp, c_ulong]),
        "SSL_new": ("ssl", vp, [vp]),
        "SSL_free": ("ssl", None, [vp]),
        "SSL_set_bio": ("ssl", None, [vp, vp, vp]),
        "SSL_set_connect_state": ("ssl", None, [vp]),
        "SSL_set_accept_state": ("ssl", None, [vp]),
        "SSL_ctrl": ("ssl", c_long, [vp, c_int, c_long, vp]),
        "SSL_do_handshake": ("ssl", c_int, [vp]),
        "SSL_read": ("ssl", c_int, [vp, buf, c_int]),
        "SSL_write": ("ssl", c_int, [vp, buf, c_int]),
        "SSL_shutdown": ("ssl", c_int, [vp]),
        "SSL_get_error": ("ssl", c_int, [vp, c_int]),
        "SSL_get_current_cipher": ("ssl", vp, [vp]),
        "SSL_CIPHER_get_name": ("ssl", buf, [vp]),
        "SSL_get_version": ("ssl", buf, [vp]),
        "SSL_get1_peer_certificate": ("ssl", vp, [vp]),
        "SSL_get_SSL_CTX": ("ssl", vp, [vp]),
        "SSL_get_verify_result": ("ssl", c_long, [vp]),
        "SSL_set_cert_cb": ("ssl", None, [vp, vp, vp]),
        "SSL_get0_peer_CA_list": ("ssl", vp, [vp]),
        "SSL_certs_clear": ("ssl", None, [vp]),
        "SSL_load_client_CA_file": ("ssl", vp, [buf]),
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
        "i2d_X509": ("crypto", c_int, [vp, vp]),
        "i2d_X509_NAME": ("crypto", c_int, [vp, vp]),
        "BIO_new_file": ("crypto", vp, [buf, buf]),
        "BIO_new": ("crypto", vp, [vp]),
        "BIO_s_mem": ("crypto", vp, []),
        "BIO_ctrl": ("crypto", c_long, [vp, c_int, c_long, vp]),
        "BIO_clear_flags": ("crypto", None, [vp, c_int]),
        "BIO_read": ("crypto", c_int, [vp, buf, c_int]),
        "BIO_write": ("crypto", c_int, [vp, buf, c_int]),
        "BIO_free": ("crypto", c_int, [vp]),
        "PEM_read_bio_X509": ("crypto", vp, [vp, vp, vp, vp]),
        "ERR_get_error_all": ("crypto", c_ulong, [vp, vp, vp, vp, vp]),
        "ERR_clear_error": ("crypto", None, []),
        "ERR_error_string_n": ("crypto", None, [c_ulong, buf, ctypes.c_size_t]),
    }


class _Native:
    """The system's libssl and libcrypto. Functions are bound on first use
    (`native.fn.NAME`), so a missing one fails only the feature that needs it."""

    _instance: _Native | None = None

    def __init__(self) -> None:
        import ctypes

        self.ct = ctypes
        self._libs = {name: self._load(ctypes, name) for name in _SONAMES}
        self._protos = _prototypes(ctypes)
        self.fn = _Functions(self)

    @staticmethod
    def _load(ctypes: Any, name: str) -> Any:
        try:
            return ctypes.CDLL(_SONAMES[name])
        except OSError:
            pass
        import ctypes.util  # slower (it may run ldconfig): only off the usual path

        path = ctypes.util.find_library(name)
        try:
            if path:
                return ctypes.CDLL(path)
        except OSError:
            pass
        raise NativeUnavailable(f"cannot load OpenSSL's lib{name}")

    def bind(self, name: str) -> Any:
        lib, restype, argtypes = self._protos[name]
        try:
            fn = getattr(self._libs[lib], name)
        except AttributeError:
            raise NativeUnavailable(f"OpenSSL has no {name}") from None
        fn.restype, fn.argtypes = restype, argtypes
        return fn

    @classmethod
    def get(cls, needed: tuple[str, ...] = ()) -> _Native:
        """The shared instance (OpenSSL initialised as SSL_library_init does), with the
        needed functions bound now so that a missing one fails before any work."""
        if cls._instance is None:
            cls._instance = cls()
            cls._instance.fn.OPENSSL_init_ssl(0, None)
        for name in needed:
            getattr(cls._instance.fn, name)
        return cls._instance


class _Functions:
    """Attribute access binds an OpenSSL function once: native.fn.SSL_ctrl(...)."""

    def __init__(self, native: _Native) -> None:
        self._native = native

    def __getattr__(self, name: str) -> Any:
        fn = self._native.bind(name)
        setattr(self, name, fn)
        return fn


def _release(free: Callable[[int], None], pointer: int, *keep: object) -> None:
    """Free an OpenSSL object once its Python owner is gone; `keep` holds the ctypes
    callbacks it may call until then."""
    free(pointer)


def _owned(owner: object, free: Callable[[int], None], pointer: int, *keep: object) -> None:
    # left to the process's end when the owner lives that long (a peer exits at once)
    weakref.finalize(owner, _release, free, pointer, *keep).atexit = False


# ---- errors ---------------------------------------------------------------------------

ERR_LIB_SYS, ERR_LIB_X509, ERR_LIB_SSL = 2, 11, 20
_ERR_SYSTEM_FLAG = 0x80000000
_ERR_TXT_STRING = 2
_SSL_AD_REASON_OFFSET = 1000  # an SSL reason from here on is a received alert

# reasons (OpenSSL's SSL_R_* and X509_R_* numbers, the same in every 3.x)
R_NO_CIPHERS_AVAILABLE = 181
R_NO_PROTOCOLS_AVAILABLE = 191
R_NO_SHARED_CIPHER = 193
R_UNSUPPORTED_PROTOCOL = 258
R_WRONG_VERSION_NUMBER = 267
R_UNEXPECTED_EOF_WHILE_READING = 294
R_RECORD_LAYER_FAILURE = 313
R_KEY_VALUES_MISMATCH = 116  # X509

_SSL_ERROR_SSL, _SSL_ERROR_WANT_READ, _SSL_ERROR_SYSCALL, _SSL_ERROR_ZERO_RETURN = 1, 2, 5, 6


class ErrorEntry:
    """One entry of OpenSSL's error queue, as ERR_print_errors would show it."""

    __slots__ = ("code", "library", "function", "reason", "file", "line", "data")

    def __init__(
        self, code: int, library: str, function: str, reason: str, file: str, line: int, data: str
    ) -> None:
        self.code, self.library, self.function, self.reason = code, library, function, reason
        self.file, self.line, self.data = file, line, data

    @property
    def lib(self) -> int:
        return ERR_LIB_SYS if self.code & _ERR_SYSTEM_FLAG else (self.code >> 23) & 0xFF

    @property
    def reason_code(self) -> int:
        return self.code & (0x7FFFFFFF if self.code & _ERR_SYSTEM_FLAG else 0x7FFFFF)


class TlsError(OSError):
    """A failed OpenSSL call. `entries` is the error queue it left (oldest first); the
    last entry is the error, as Python's ssl takes it."""

    def __init__(self, entries: list[ErrorEntry], message: str = "") -> None:
        self.entries = entries
        last = entries[-1] if entries else None
        super().__init__(message or (last.reason if last else "unknown OpenSSL error"))
        self.code = last.code if last else 0
        self.lib = last.lib if last else 0
        self.reason = last.reason_code if last else 0

    def is_reason(self, lib: int, reason: int) -> bool:
        return (self.lib, self.reason) == (lib, reason)

    @property
    def alert(self) -> int | None:
        """The number of the alert the peer sent, when that is the error."""
        if self.lib == ERR_LIB_SSL and self.reason >= _SSL_AD_REASON_OFFSET:
            return self.reason - _SSL_AD_REASON_OFFSET
        return None


class TlsEOFError(TlsError):
    """The connection ended without an error queue entry (SSL_ERROR_SYSCALL)."""


class TlsZeroReturn(TlsError):
    """The peer closed TLS with a close_notify."""


class _WantRead(Exception):
    pass


def _text(value: bytes | None) -> str:
    return value.decode("latin-1") if value else ""


def _take_errors(native: _Native) -> list[ErrorEntry]:
    """Empty the thread's OpenSSL error queue into entries, oldest first."""
    ct = native.ct
    file, func, data = ct.c_char_p(), ct.c_char_p(), ct.c_char_p()
    line, flags = ct.c_int(), ct.c_int()
    buf = ct.create_string_buffer(256)
    entries = []
    while code := native.fn.ERR_get_error_all(
        ct.byref(file), ct.byref(line), ct.byref(func), ct.byref(data), ct.byref(flags)
    ):
        native.fn.ERR_error_string_n(code, buf, len(buf))
        # "error:CODE:LIBRARY::REASON" (OpenSSL 3 leaves the function out of it)
        parts = _text(buf.value).split(":", 4)
        library, reason = (parts[2], parts[4]) if len(parts) == 5 else ("", _text(buf.value))
        entries.append(ErrorEntry(
            code, library, _text(func.value), reason, _text(file.value), line.value,
            _text(data.value) if flags.value & _ERR_TXT_STRING else "",
        ))  # fmt: skip
    return entries


def _failure(native: _Native, what: str) -> OSError:
    """The error of a failed setup call: an OSError for a file it could not open (as
    Python's ssl raises), else a TlsError."""
    entries = _take_errors(native)
    for entry in entries:
        if entry.lib == ERR_LIB_SYS and entry.reason_code:
            return OSError(entry.reason_code, os.strerror(entry.reason_code))
    return TlsError(entries, "" if entries else f"{what} failed")


# ---- contexts -------------------------------------------------------------------------

TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION = 0x301, 0x302, 0x303, 0x304
VERIFY_NONE, VERIFY_PEER, VERIFY_FAIL_IF_NO_PEER_CERT = 0, 1, 2

OP_LEGACY_SERVER_CONNECT = 1 << 2
OP_TLSEXT_PADDING = 1 << 4
OP_SAFARI_ECDHE_ECDSA_BUG = 1 << 6
OP_IGNORE_UNEXPECTED_EOF = 1 << 7
OP_NO_TICKET = 1 << 14
OP_NO_COMPRESSION = 1 << 17
OP_CIPHER_SERVER_PREFERENCE = 1 << 22
OP_NO_SSLv3 = 1 << 25
OP_CRYPTOPRO_TLSEXT_BUG = 1 << 31
# The options Python 3.11's SSLContext sets: SSL_OP_ALL but for empty fragments and
# legacy server connect, no SSLv3, no compression, the server's cipher preference, and
# an EOF without close_notify taken as one.
_PYTHON_OPTIONS = (
    OP_CRYPTOPRO_TLSEXT_BUG | OP_TLSEXT_PADDING | OP_SAFARI_ECDHE_ECDSA_BUG | OP_NO_SSLv3
    | OP_NO_COMPRESSION | OP_CIPHER_SERVER_PREFERENCE | OP_IGNORE_UNEXPECTED_EOF
)  # fmt: skip
# Python's modes: SSL_MODE_RELEASE_BUFFERS on a context, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
# and SSL_MODE_AUTO_RETRY on a session
_CONTEXT_MODES, _SESSION_MODES = 0x10, 2 | 4
_X509_V_FLAG_TRUSTED_FIRST = 0x8000

_SSL_CTRL_MODE = 33
_SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB = 63
_SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE = 65
_SSL_CTRL_GET_TLSEXT_STATUS_REQ_OCSP_RESP = 70
_SSL_CTRL_SET_MIN_PROTO_VERSION = 123
_SSL_CTRL_SET_MAX_PROTO_VERSION = 124
_SSL_FILETYPE_PEM = 1


class TlsContext:
    """An SSL_CTX, as Python's ssl.SSLContext(PROTOCOL_TLS_CLIENT or _SERVER) starts
    one: the options and modes above, security level 2, trusted certificates first,
    no certificate checks, any version."""

    def __init__(self, server_side: bool) -> None:
        native = self.native = _Native.get()
        fn = native.fn
        method = fn.TLS_server_method() if server_side else fn.TLS_client_method()
        ptr = fn.SSL_CTX_new(method)
        if not ptr:
            raise _failure(native, "SSL_CTX_new")
        self.ptr: int = ptr
        self.server_side = server_side
        self.keep_alive: list[object] = []  # ctypes callbacks OpenSSL may call
        _owned(self, fn.SSL_CTX_free, ptr, self.keep_alive)
        fn.SSL_CTX_set_options(ptr, _PYTHON_OPTIONS)
        fn.SSL_CTX_clear_options(ptr, OP_LEGACY_SERVER_CONNECT)
        fn.SSL_CTX_ctrl(ptr, _SSL_CTRL_MODE, _CONTEXT_MODES, None)
        fn.SSL_CTX_set_security_level(ptr, 2)  # what Python's default cipher list sets
        fn.SSL_CTX_set_verify(ptr, VERIFY_NONE, None)
        fn.X509_VERIFY_PARAM_set_flags(fn.SSL_CTX_get0_param(ptr), _X509_V_FLAG_TRUSTED_FIRST)

    @property
    def options(self) -> int:
        return int(self.native.fn.SSL_CTX_get_options(self.ptr))

    def set_options(self, options: int) -> None:
        self.native.fn.SSL_CTX_set_options(self.ptr, options)

    def clear_options(self, options: int) -> None:
        self.native.fn.SSL_CTX_clear_options(self.ptr, options)

    def set_versions(self, minimum: int = 0, maximum: int = 0) -> None:
        """The lowest and highest protocol versions (TLS1_2_VERSION...); 0: no limit."""
        self.native.fn.SSL_CTX_ctrl(self.ptr, _SSL_CTRL_SET_MIN_PROTO_VERSION, minimum, None)
        self.native.fn.SSL_CTX_ctrl(self.ptr, _SSL_CTRL_SET_MAX_PROTO_VERSION, maximum, None)

    def set_ciphers(self, ciphers: str) -> None:
        """The TLS 1.2 cipher list (TLS 1.3's suites stay OpenSSL's), as ssl's set_ciphers."""
        if not self.native.fn.SSL_CTX_set_cipher_list(self.ptr, ciphers.encode()):
            _take_errors(self.native)
            raise TlsError([], "No cipher can be selected.")

    def set_verify(self, mode: int) -> None:
        self.native.fn.SSL_CTX_set_verify(self.ptr, mode, None)

    def load_cert_chain(
        self, certfile: str, keyfile: str | None = None, *, chain: bool = True
    ) -> None:
        """As ssl's load_cert_chain: OSError for a file that cannot be read, TlsError for
        one OpenSSL cannot use or a key that does not fit. `chain=False` takes only the
        file's first certificate, as the C OpenSSL client does (it sends no chain)."""
        native, fn = self.native, self.native.fn
        fn.ERR_clear_error()
        cert = os.fsencode(certfile)
        if chain:
            if fn.SSL_CTX_use_certificate_chain_file(self.ptr, cert) != 1:
                raise _failure(native, "SSL_CTX_use_certificate_chain_file")
        elif fn.SSL_CTX_use_certificate_file(self.ptr, cert, _SSL_FILETYPE_PEM) != 1:
            raise _failure(native, "SSL_CTX_use_certificate_file")
        key = os.fsencode(keyfile or certfile)
        if fn.SSL_CTX_use_PrivateKey_file(self.ptr, key, _SSL_FILETYPE_PEM) != 1:
            raise _failure(native, "SSL_CTX_use_PrivateKey_file")
        if fn.SSL_CTX_check_private_key(self.ptr) != 1:
            raise _failure(native, "SSL_CTX_check_private_key")

    def load_verify_locations(self, cafile: str) -> None:
        fn = self.native.fn
        fn.ERR_clear_error()
        if fn.SSL_CTX_load_verify_locations(self.ptr, os.fsencode(cafile), None) != 1:
            raise _failure(self.native, "SSL_CTX_load_verify_locations")


def client_context(gnutls_like: bool, priority: str | None) -> TlsContext:
    """A client context that checks nothing about the server, as the C clients."""
    ctx = TlsContext(server_side=False)
    # Both C libraries report a connection closed without a TLS close as an error.
    ctx.clear_options(OP_IGNORE_UNEXPECTED_EOF)
    if gnutls_like:
        # The C GnuTLS client takes GnuTLS's default priorities (TLS 1.3 included: its
        # GNUTLS_NO_EXTENSIONS flag only leaves out tickets and OCSP requests, not the
        # extensions TLS 1.3 needs) unless -p narrows them; it accepts small keys and
        # DH groups.
        ctx.set_versions(0, 0)
        ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        ctx.set_options(OP_NO_TICKET)  # no session_ticket extension, as GnuTLS's flag
        if priority:
            Priority(priority).apply(ctx)
    else:
        ctx.set_ciphers("DEFAULT")
    return ctx


def server_context(certfile: str, keyfile: str) -> TlsContext:
    ctx = TlsContext(server_side=True)
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.set_versions(0, 0)
    ctx.load_cert_chain(certfile, keyfile)
    return ctx


def file_has_certificate(path: str) -> bool:
    try:
        with open(path, "rb") as fh:
            return b"-----BEGIN CERTIFICATE-----" in fh.read()
    except OSError:
        return False


_VERSIONS = {
    "TLS1.0": TLS1_VERSION,
    "TLS1.1": TLS1_1_VERSION,
    "TLS1.2": TLS1_2_VERSION,
    "TLS1.3": TLS1_3_VERSION,
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

    def apply(self, ctx: TlsContext) -> None:
        if self.versions:
            order = list(_VERSIONS)
            chosen = sorted(self.versions, key=order.index)
            ctx.set_versions(_VERSIONS[chosen[0]], _VERSIONS[chosen[-1]])
        if self.ciphers:
            try:
                ctx.set_ciphers(self.ciphers + ":@SECLEVEL=0")
            except TlsError:
                pass


# ---- sessions -------------------------------------------------------------------------

_BIO_CTRL_INFO = 3
_BIO_CTRL_PENDING = 10
_BIO_C_SET_BUF_MEM_EOF_RETURN = 130
_BIO_FLAGS_RWS_RETRY = 0x0F


class TlsSession:
    """One TLS session on a connected socket; blocking, driven by the caller's alarms.
    `already` is what was read from the socket beyond the clear-text part."""

    def __init__(
        self, sock: socket.socket, ctx: TlsContext, server_side: bool, already: bytes = b""
    ) -> None:
        native = self.native = ctx.native
        fn = native.fn
        self.sock = sock
        self.context = ctx  # kept: its callbacks must outlive the session
        ptr = fn.SSL_new(ctx.ptr)
        if not ptr:
            raise _failure(native, "SSL_new")
        self.ptr: int = ptr
        self.keep_alive: list[object] = []  # ctypes callbacks OpenSSL may call
        _owned(self, fn.SSL_free, ptr, self.keep_alive, ctx)
        self._in = fn.BIO_new(fn.BIO_s_mem())  # an empty one asks to retry, as Python's
        self._out = fn.BIO_new(fn.BIO_s_mem())
        fn.SSL_set_bio(ptr, self._in, self._out)  # the SSL owns them now
        fn.SSL_ctrl(ptr, _SSL_CTRL_MODE, _SESSION_MODES, None)
        if server_side:
            fn.SSL_set_accept_state(ptr)
        else:
            fn.SSL_set_connect_state(ptr)
        if already:
            fn.BIO_write(self._in, already, len(already))

    # -- moving records
    def _send_pending(self) -> None:
        fn = self.native.fn
        size = fn.BIO_ctrl(self._out, _BIO_CTRL_PENDING, 0, None)
        if size > 0:
            buf = self.native.ct.create_string_buffer(size)
            got = fn.BIO_read(self._out, buf, size)
            self.sock.sendall(buf.raw[: max(got, 0)])

    def _receive(self) -> None:
        fn = self.native.fn
        data = self.sock.recv(RECORD)
        if data:
            fn.BIO_write(self._in, data, len(data))
        else:  # an empty BIO now reads as the end of input
            fn.BIO_clear_flags(self._in, _BIO_FLAGS_RWS_RETRY)
            fn.BIO_ctrl(self._in, _BIO_C_SET_BUF_MEM_EOF_RETURN, 0, None)

    def _call(self, operation: Callable[[], int]) -> int:
        """One SSL_* call: its result when it worked, else the exception for its error."""
        fn = self.native.fn
        fn.ERR_clear_error()
        ret = operation()
        if ret > 0:
            return ret
        err = fn.SSL_get_error(self.ptr, ret)
        if err == _SSL_ERROR_WANT_READ:
            raise _WantRead
        entries = _take_errors(self.native)
        if err == _SSL_ERROR_ZERO_RETURN:
            raise TlsZeroReturn(entries, "TLS/SSL connection has been closed (EOF)")
        if err == _SSL_ERROR_SSL or entries:
            raise TlsError(entries, "" if entries else "A failure in the SSL library occurred")
        raise TlsEOFError([], "EOF occurred in violation of protocol")

    def _drive(self, operation: Callable[[], int], deadline: float | None = None) -> int | None:
        """Run operation until OpenSSL needs nothing more from the peer; with a deadline,
        None when the peer sent nothing in time."""
        while True:
            try:
                result = self._call(operation)
            except _WantRead:
                self._send_pending()
                if deadline is not None:
                    wait = max(deadline - time.monotonic(), 0.0)
                    if not select.select([self.sock], [], [], wait)[0]:
                        return None
                self._receive()
                continue
            except TlsError:
                try:  # let the peer see our alert, if any
                    self._send_pending()
                except OSError:
                    pass
                raise
            self._send_pending()
            return result

    # -- what the peers do
    def handshake(self) -> None:
        self._drive(lambda: self.native.fn.SSL_do_handshake(self.ptr))

    def _read_into(self, buf: Any, size: int) -> Callable[[], int]:
        return lambda: self.native.fn.SSL_read(self.ptr, buf, size)

    def read(self, size: int) -> bytes:
        """Up to size bytes of one record; b"" when the peer closed TLS cleanly."""
        buf = self.native.ct.create_string_buffer(size)
        try:
            got = self._drive(self._read_into(buf, size))
        except TlsZeroReturn:
            return b""
        assert got is not None  # None only with a deadline
        return buf.raw[:got]

    def write(self, data: bytes) -> None:
        if data:  # SSL_write takes all of it: a memory BIO never fills
            self._drive(lambda: self.native.fn.SSL_write(self.ptr, data, len(data)))

    def read_within(self, size: int, seconds: float) -> bytes | None:
        """Up to size bytes of application data that arrive within seconds, without
        waiting longer: None if none came (records such as TLS 1.3 session tickets are
        taken in on the way), b"" for a clean TLS close; failures (alerts) raise."""
        buf = self.native.ct.create_string_buffer(size)
        try:
            got = self._drive(self._read_into(buf, size), time.monotonic() + seconds)
        except TlsZeroReturn:
            return b""
        return None if got is None else buf.raw[:got]

    def close_notify(self) -> None:
        """Send our close_notify without waiting for the peer's."""
        self.native.fn.SSL_shutdown(self.ptr)
        self.native.fn.ERR_clear_error()
        try:
            self._send_pending()
        except OSError:
            pass

    # -- what was agreed
    def cipher_name(self) -> str:
        cipher = self.native.fn.SSL_get_current_cipher(self.ptr)
        name = self.native.fn.SSL_CIPHER_get_name(cipher) if cipher else None
        return _text(name) or "(none)"

    def version(self) -> str:
        return _text(self.native.fn.SSL_get_version(self.ptr))

    def peer_certificate(self) -> bytes | None:
        """The DER of the certificate the peer sent, None if it sent none."""
        native = self.native
        cert = native.fn.SSL_get1_peer_certificate(self.ptr)
        if not cert:
            return None
        try:
            return _der(native, native.fn.i2d_X509, cert)
        finally:
            native.fn.X509_free(cert)


def _der(native: _Native, i2d: Any, obj: int) -> bytes:
    """The DER encoding of an OpenSSL object by its i2d_* function."""
    ct = native.ct
    size = i2d(obj, None)
    if size <= 0:
        return b""
    buf = ct.create_string_buffer(size)
    cursor = ct.c_void_p(ct.addressof(buf))
    i2d(obj, ct.byref(cursor))
    return buf.raw


# ---- error texts ----------------------------------------------------------------------


def openssl_error_string(exc: TlsError) -> str:
    """As OpenSSL 3's ERR_error_string of the error: error:CODE:LIBRARY::REASON."""
    entry = exc.entries[-1] if exc.entries else None
    if entry is None:
        return f"error:00000000:SSL routines::{exc}"
    return f"error:{entry.code:08X}:{entry.library}::{entry.reason}"


def openssl_error_line(exc: TlsError) -> str:
    """As OpenSSL 3's ERR_print_errors_fp: a line for each entry of the error queue."""
    tid = f"{_thread.get_ident():X}"
    if not exc.entries:
        return f"{tid}:error:00000000:SSL routines::{exc}:../ssl/ssl_lib.c:0:"
    return "\n".join(
        f"{tid}:error:{e.code:08X}:{e.library}:{e.function}:{e.reason}:{e.file}:{e.line}:{e.data}"
        for e in exc.entries
    )


def gnutls_error_text(exc: BaseException) -> str:
    """The GnuTLS message the C client-gnutls would print for a failed TLS operation."""
    if isinstance(exc, TlsError):
        ssl_reason = exc.reason if exc.lib == ERR_LIB_SSL else None
        if exc.alert is not None:
            return "A TLS fatal alert has been received."
        if isinstance(exc, TlsEOFError) or ssl_reason == R_UNEXPECTED_EOF_WHILE_READING:
            return "The TLS connection was non-properly terminated."
        if ssl_reason in (R_NO_CIPHERS_AVAILABLE, R_NO_SHARED_CIPHER, R_NO_PROTOCOLS_AVAILABLE):
            return "No or insufficient priorities were set."
        if ssl_reason in (R_WRONG_VERSION_NUMBER, R_UNSUPPORTED_PROTOCOL, R_RECORD_LAYER_FAILURE):
            return "An unexpected TLS packet was received."
        reason = exc.entries[-1].reason if exc.entries else ""
        return "Decryption has failed." if "decrypt" in reason else "Internal error."
    if isinstance(exc, BrokenPipeError):
        return "Error in the push function."
    if isinstance(exc, OSError):
        return "Error in the pull function."
    return "Internal error."


def gnutls_file_error(exc: BaseException) -> str:
    """GnuTLS's message for a certificate or key file it could not use."""
    if isinstance(exc, TlsError) and exc.is_reason(ERR_LIB_X509, R_KEY_VALUES_MISMATCH):
        return "The certificate and the given key do not match."
    if isinstance(exc, TlsError):
        return "Base64 decoding error."
    return "Error while reading file."


def _error_lines(native: _Native) -> list[str]:
    """The thread's error queue as ERR_print_errors prints it, emptied."""
    return openssl_error_line(TlsError(_take_errors(native))).splitlines()


# ---- OCSP stapling ----------------------------------------------------------------------

_TLSEXT_STATUSTYPE_OCSP = 1
_OCSP_NOVERIFY = 0x10

_OCSP_FUNCTIONS = (
    "SSL_ctrl", "SSL_CTX_callback_ctrl", "SSL_get_SSL_CTX", "SSL_get_verify_result",
    "SSL_CTX_get_cert_store", "d2i_OCSP_RESPONSE", "OCSP_response_status",
    "OCSP_response_get1_basic", "OCSP_basic_verify", "OCSP_resp_get0",
    "OCSP_single_get0_status", "OCSP_check_validity", "OCSP_RESPONSE_print",
    "OCSP_RESPONSE_free", "OCSP_BASICRESP_free", "OPENSSL_sk_new_null", "OPENSSL_sk_push",
    "OPENSSL_sk_pop_free", "X509_free", "BIO_new_file", "BIO_new", "BIO_s_mem", "BIO_ctrl",
    "BIO_free", "PEM_read_bio_X509", "ERR_get_error_all", "ERR_clear_error",
    "ERR_error_string_n",
)  # fmt: skip


def ocsp_prepare_context(ctx: TlsContext, cafile: str, gnutls_like: bool) -> None:
    """The GnuTLS build trusts the -ocsp file for checking the server's certificate."""
    if gnutls_like:
        try:
            ctx.load_verify_locations(cafile)
        except OSError:
            pass


def ocsp_request(session: TlsSession) -> None:
    """Ask for a stapled OCSP response in the coming handshake."""
    native = _Native.get(_OCSP_FUNCTIONS)
    native.fn.SSL_ctrl(
        session.ptr, _SSL_CTRL_SET_TLSEXT_STATUS_REQ_TYPE, _TLSEXT_STATUSTYPE_OCSP, None
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


def ocsp_openssl_check(
    session: TlsSession, chainfile: str, out_line: Callable[[str], None], generation: Generation
) -> None:
    """Give the coming handshake the OpenSSL build's status callback: it prints what it
    finds and, returning 0, fails the handshake (with OpenSSL's "invalid status
    response" error)."""
    native = _Native.get(_OCSP_FUNCTIONS)
    ct = native.ct

    def say(outcome: str) -> None:
        old, new = _OCSP_OPENSSL_TEXTS[outcome]
        out_line(new if generation >= Generation.G4_97 else old)

    def check(ssl_ptr: int, _arg: int) -> int:
        try:
            return 1 if _ocsp_openssl_verdict(native, ssl_ptr, chainfile, say, out_line) else 0
        except BaseException:  # noqa: BLE001 - nothing may escape into OpenSSL
            return 0

    callback = ct.CFUNCTYPE(ct.c_int, ct.c_void_p, ct.c_void_p)(check)
    session.context.keep_alive.append(callback)
    native.fn.SSL_CTX_callback_ctrl(session.context.ptr, _SSL_CTRL_SET_TLSEXT_STATUS_REQ_CB,
                                    callback)  # fmt: skip


def _ocsp_openssl_verdict(
    native: _Native, ssl_ptr: int, chainfile: str,
    say: Callable[[str], None], out_line: Callable[[str], None],
) -> bool:  # fmt: skip
    """client.c's tls_client_stapling_cb: False fails the handshake."""
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
            for line in _error_lines(native):
                out_line(line)
        else:
            say("good signature")
            ok = True
        _free_certs(native, stack)
    if basic:
        native.fn.OCSP_BASICRESP_free(basic)
    native.fn.OCSP_RESPONSE_free(resp)
    return ok


def ocsp_gnutls_checks(session: TlsSession) -> tuple[bool, bool, str]:
    """(certificate trusted, stapled status good and verified, text for stderr) as the
    GnuTLS build judges them, the -ocsp file being the trusted CA."""
    try:
        native = _Native.get(_OCSP_FUNCTIONS)
    except NativeUnavailable as exc:
        return False, False, f"OCSP stapling unavailable: {exc}"
    ssl_ptr = session.ptr
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
# an empty Certificate message. OpenSSL always sends it, so the GnuTLS-like clients add a
# certificate callback that drops the certificate from the session when the names do not
# fit.

_CERT_FILTER_FUNCTIONS = (
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


def _chain_issuers(native: _Native, certfile: str) -> set[bytes]:
    """DER issuer names of every certificate in a PEM file."""
    stack = _chain_from_pem(native, certfile)
    if stack is None:
        return set()
    issuers = set()
    for i in range(native.fn.OPENSSL_sk_num(stack)):
        cert = native.fn.OPENSSL_sk_value(stack, i)
        issuers.add(_der(native, native.fn.i2d_X509_NAME, native.fn.X509_get_issuer_name(cert)))
    _free_certs(native, stack)
    issuers.discard(b"")
    return issuers


def _peer_ca_names(native: _Native, ssl_ptr: int) -> list[bytes]:
    """DER names of the CAs in the server's certificate request (none: an empty list)."""
    stack = native.fn.SSL_get0_peer_CA_list(ssl_ptr)
    if not stack:
        return []
    count = native.fn.OPENSSL_sk_num(stack)
    return [_der(native, native.fn.i2d_X509_NAME, native.fn.OPENSSL_sk_value(stack, i))
            for i in range(count)]  # fmt: skip


def gnutls_client_cert_choice(session: TlsSession, certfile: str) -> None:
    """Before the handshake of a session whose context holds the client certificate of
    certfile: send it only if the server's CA names allow, as GnuTLS does. Raises
    NativeUnavailable (the certificate is then always sent) when OpenSSL lacks a
    function this needs."""
    native = _Native.get(_CERT_FILTER_FUNCTIONS)
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
    native.fn.SSL_set_cert_cb(session.ptr, callback, None)


def set_acceptable_ca_names(session: TlsSession, cafile: str) -> None:
    """For a server-side session whose handshake has not run: name the certificates of
    cafile as the acceptable CAs in its certificate request (OpenSSL names none unless
    told). Raises OSError if cafile holds no certificate."""
    native = _Native.get(("SSL_load_client_CA_file", "SSL_set_client_CA_list"))
    names = native.fn.SSL_load_client_CA_file(os.fsencode(cafile))
    if not names:
        native.fn.ERR_clear_error()
        raise OSError(f"no CA names in {cafile}")
    native.fn.SSL_set_client_CA_list(session.ptr, names)  # the session owns the list now
