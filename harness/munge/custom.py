"""Extra munges a test asks for by name with a script line "munge NAME".

Each name maps output kinds to an edit (or to edits of different harness generations):
lines to drop, and/or substitutions. A custom edit runs before every other rule (and
again on a line a look-ahead restarts with).
"""

from __future__ import annotations

import re
from dataclasses import InitVar, dataclass

from harness.core.generation import Generation, applies
from harness.munge.model import FileRun, Step, rx
from harness.munge.ordering import skip_continuation


@dataclass(frozen=True)
class Sub:
    pattern: str
    repl: str
    every: bool = False
    flags: int = 0


@dataclass(frozen=True)
class CustomEdit:
    reason: str
    skip: str | None = None  # drop lines this matches
    subs: tuple[Sub, ...] = ()
    skip_flags: int = 0
    # Drop the lines after a dropped one that start with this too (its continuation),
    # then start again on the first that does not.
    continued: str | None = None
    since: Generation = Generation.G4_96
    until: Generation | None = None


Edits = CustomEdit | tuple[CustomEdit, ...]


OPTIONAL_CONFIG = r"""^(
      dkim_(canon|domain|private_key|selector|sign_headers|strict|hash|identity|timestamps)
    | gnutls_require_(kx|mac|protocols)
    | hosts_pipe_connect
    | hosts_(requ(est|ire)|try)_(dane|ocsp)
    | dane_require_tls_ciphers
    | hosts_(avoid|nopass|noproxy|require|verify_avoid)_tls
    | pipelining_connect_advertise_hosts
    | socks_proxy
    | tls_[^ ]*
    | utf8_downconvert
    )($|[ ]=)"""

_X_TLS = Sub(r" X=TLS\S+ ", " X=TLS_proto_and_cipher ")
_DN_COMMA = Sub(r'( DN="[^,"]*),', r"\1/")
_SYNC = Sub(r"^(.* SMTP protocol synchronization error .* next input=.{8}).*$", r"\1<suppressed>")

_DSN_INFO = (
    r"^(X-(Remote-MTA-(smtp-greeting|helo-response)|Exim-Diagnostic"
    r"|(body|message)-linecount):|Remote-MTA: X-ip;)"
)

CUSTOM_MUNGES: dict[str, dict[str, Edits]] = {
    "dnssec": {
        "stderr": CustomEdit(
            "DNSSEC status is reported only by some resolvers",
            skip=r"^Reverse DNS security status: unverified\n",
        ),
    },
    "gnutls_unexpected": {
        "mainlog": CustomEdit(
            "only some GnuTLS versions log this",
            skip=r"\(recv\): A TLS packet with unexpected length was received.",
        ),
    },
    "gnutls_handshake": {
        "mainlog": CustomEdit(
            "GnuTLS versions fail a handshake in different calls",
            subs=(
                Sub(
                    r"\(gnutls_handshake\): Error in the push function",
                    "(gnutls_handshake): A TLS packet with unexpected length was received",
                ),
            ),
        ),
    },
    "gnutls_bad_clientcert": {
        "mainlog": CustomEdit(
            "GnuTLS versions reject a bad client certificate differently",
            subs=(
                Sub(
                    r"\(certificate verification failed\): certificate "
                    r"invalid",
                    "(gnutls_handshake): The peer did not send any certificate.",
                ),
            ),
        ),
        # Exim's harness lists a stdout edit here too, but it is malformed there and so
        # never changes anything; the expected files are made without it.
        "stdout": CustomEdit("inert in Exim's own harness"),
    },
    "optional_events": {
        "stdout": CustomEdit("not every build has events", skip=r"event_action ="),
    },
    "optional_ocsp": {
        "stderr": CustomEdit(
            "not every build has OCSP", skip=r"127.0.0.1 in hosts_requ(ire|est)_ocsp"
        ),
    },
    "optional_cert_hostnames": {
        "stderr": CustomEdit(
            "not every build checks certificate host names",
            skip=r"in tls_verify_cert_hostnames\? no",
        ),
    },
    "loopback": {
        "stdout": CustomEdit(
            "either loopback address may be used",
            subs=(Sub(r"\[(127\.0\.0\.1|::1)\]", "[IP_LOOPBACK_ADDR]"),),
        ),
    },
    "scanfile_size": {
        "stdout": CustomEdit(
            "scan file sizes vary", subs=(Sub(r"(Content-length:) \d\d\d", r"\1 ddd"),)
        ),
    },
    "delay_1500": {
        "stderr": CustomEdit(
            "measured delays vary", subs=(Sub(r"(1[5-9]|23\d)\d\d msec", "ssss msec"),)
        ),
    },
    "tls_anycipher": {
        "mainlog": CustomEdit(
            "any TLS library and cipher will do; DNs in either style",
            subs=(_X_TLS, Sub(r' DN="C=', ' DN="/C='), _DN_COMMA, _DN_COMMA, _DN_COMMA),
        ),
        "rejectlog": CustomEdit("any TLS library and cipher will do", subs=(_X_TLS,)),
    },
    "debug_pid": {
        "stderr": CustomEdit(
            "pids in debug output",
            subs=(Sub(r"(^\s{0,4}|(?<=Process )|(?<=child ))\d+", "ppppp", every=True),),
            until=Generation.G4_97,
        ),
    },
    "optional_dsn_info": {
        "mail": (
            CustomEdit(
                "DSN details that not every build includes",
                skip=_DSN_INFO,
                until=Generation.G4_97,
            ),
            CustomEdit(
                "DSN details that not every build includes (with their folded lines)",
                skip=_DSN_INFO,
                continued=" ",
                since=Generation.G4_97,
            ),
        ),
    },
    "optional_config": {
        "stdout": CustomEdit(
            "options that exist only in some builds", skip=OPTIONAL_CONFIG, skip_flags=re.VERBOSE
        ),
    },
    "sys_bindir": {
        "mainlog": CustomEdit(
            "where system binaries live", subs=(Sub(r"/(usr/(local/)?)?bin/", "SYSBINDIR/"),)
        ),
    },
    "sync_check_data": {
        "mainlog": CustomEdit("how much early input arrives varies", subs=(_SYNC,)),
        "rejectlog": CustomEdit("how much early input arrives varies", subs=(_SYNC,)),
    },
    "timeout_errno": {
        "mainlog": CustomEdit(
            "the errno for a timeout differs between systems",
            subs=(Sub(r"((?:host|message) deferral .* errno) <\d+> ", r"\1 <EEE> "),),
        ),
    },
    "peer_terminated_conn": {
        "stderr": CustomEdit(
            "systems report a closed connection differently",
            subs=(Sub(r"^(  SMTP\()Connection reset by peer(\)<<)$", r"\1closed\2"),),
        ),
    },
    "perl_variants": {
        "stdout": CustomEdit(
            "Perl versions give hashes in scalar context differently",
            subs=(Sub(r"^> X/X$", "> X"),),
        ),
    },
}


@dataclass(eq=False)
class CustomStep(Step):
    """Apply one custom edit (of the custom munge named `munge`) to every line of one
    kind of file."""

    munge: InitVar[str]
    kind: InitVar[str]
    edit: CustomEdit

    def __post_init__(self, munge: str, kind: str) -> None:
        edit = self.edit
        self.name = f"custom:{munge}:{kind}"
        self.kinds = frozenset({kind})
        self.reason = edit.reason
        self.skip = rx(edit.skip, edit.skip_flags) if edit.skip else None
        self.continued = rx(edit.continued) if edit.continued else None
        self.subs = [(rx(s.pattern, s.flags), s.repl, 0 if s.every else 1) for s in edit.subs]

    def apply(self, line: str, run: FileRun) -> str | None:
        if self.skip is not None and self.skip.search(line):
            if self.continued is not None:
                skip_continuation(run, self.continued)
            return None
        for regex, repl, count in self.subs:
            line = regex.sub(repl, line, count)
        return line


def edits_of(edits: Edits) -> tuple[CustomEdit, ...]:
    return edits if isinstance(edits, tuple) else (edits,)


def custom_step(name: str | None, kind: str, generation: Generation) -> CustomStep | None:
    """The step for custom munge `name` on `kind` under the harness `generation`, if it
    has one (unknown names: none)."""
    if not name:
        return None
    for edit in edits_of(CUSTOM_MUNGES.get(name, {}).get(kind, ())):
        if applies(edit.since, edit.until, generation) and (edit.skip or edit.subs):
            return CustomStep(name, kind, edit)
    return None
