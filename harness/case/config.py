"""What the tests of a run share, fixed before the first one starts (`RunConfig`), and what
one worker adds to it (`Seat`). Both are made once, by the run's preparation, and frozen."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from harness.core.generation import Generation
from harness.host.eximbinary import Capabilities
from harness.host.hostfacts import HostFacts
from harness.host.processes import Identity
from harness.suite.expectedfiles import ExpectedFiles


@dataclass(frozen=True)
class RunConfig:
    """The run's settings, from the command line and the probes."""

    suite: Path
    binary: Path
    generation: Generation  # whose harness the run behaves as
    flavour: str | None
    caps: Capabilities  # what the binary offers
    files: ExpectedFiles  # the expected files, as this flavour and generation see them
    exim_args: tuple[str, ...] = ()  # passed on to every exim command
    tls: str | None = None  # -TLS: the client side's TLS library
    slow: bool = False
    debug: bool = False
    update: bool = False
    valgrind: bool = False  # run exim commands under valgrind
    timeout: float = 300.0
    rerun_failures: int = 0

    @property
    def exim_optargs(self) -> str:
        return " ".join(self.exim_args)

    @property
    def exim_client(self) -> str:
        """The eximdir copy that client-side exim commands run."""
        return "exim" if self.tls is None else f"exim_{self.tls}"

    @property
    def exim_server(self) -> str:
        """The copy a daemon runs (-DSERVER=server): with -TLS, the other library's."""
        if self.tls is None:
            return "exim"
        return "exim_gnutls" if self.tls == "openssl" else "exim_openssl"

    @property
    def tls_client(self) -> str | None:
        """What client-anytls becomes under -TLS (None: it stays as it is)."""
        if self.tls is None:
            return None
        return "client-ssl" if self.tls == "openssl" else "client-gnutls"


@dataclass(frozen=True)
class Seat:
    """One worker's place in the run: its directory's host facts, and whom commands run as."""

    number: int
    facts: HostFacts
    caller: Identity
    root: Identity
    log: TextIO = sys.stdout  # where -DEBUG shows commands
