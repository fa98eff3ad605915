"""The work directory that stands for DIR while tests run.

It holds the harness copy of Exim (`eximdir/`), the peer programs (`bin/`), copies of the
suite's fixed and templated auxiliary files (`aux-fixed/`, `aux-var/`, `dnszones/`), and per
test the spool, `test-mail/` and the raw output files. The suite itself is never written.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import stat
import time
from pathlib import Path

from harness.core.generation import Generation
from harness.core.suitefiles import copy_tree, read_text
from harness.host.eximbinary import find_utility, patch_binary
from harness.host.hostfacts import HostFacts
from harness.host.nameserver import FakeNameserver, front
from harness.host.peerlib import PeerRuntime
from harness.host.processes import chown_if_root
from harness.host.systools import make_bin_sys
from harness.peers.fakens import prepare_zones
from harness.suite.substitute import Substituter

TLS_LIBRARIES = ("openssl", "gnutls")

# Program name in bin/ -> module in harness.peers that implements it.
PEERS = {
    "server": "server",
    "client": "client",
    "client-ssl": "client",
    "client-gnutls": "client",
    "client-anytls": "client",
    "fakens": "fakens",
    "mtpscript": "mtpscript",
    "fd": "fd",
    "showids": "showids",
    "iefbr14": "iefbr14",
    "checkaccess": "checkaccess",
}

# A peer started from bin/ behaves as the helper of the run's harness generation. Exim
# starts some peers very often (fakens once per DNS lookup), so the interpreter starts
# without `site` (-S, joined to -I: a #! line passes one argument), which costs more
# than the peer itself; the peers' modules and packages are in the run's copy
# (`harness.host.peerlib`).
_WRAPPER = """#!{python} -IS
import os, sys
sys.path.insert(0, {lib!r})
os.environ["RUNTEST_HARNESS"] = {generation!r}
from harness.peers.{module} import main
sys.exit(main())
"""


def peer_wrapper(module: str, generation: Generation, peers: PeerRuntime) -> str:
    """The text of bin/PROGRAM: runs harness.peers.MODULE's main() as `generation`."""
    return _WRAPPER.format(
        python=str(peers.python), lib=str(peers.lib), module=module, generation=generation.label
    )


def remove_tree(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)  # files, links, fifos, sockets


def fresh_directory(path: Path, attempts: int = 50) -> None:
    """Make `path` an empty directory (0755). A process of the previous test that is
    still dying may write into the old one while it is removed: remove it again."""
    for _ in range(attempts):
        remove_tree(path)
        try:
            path.mkdir(mode=0o755)
            return
        except FileExistsError:
            time.sleep(0.02)
    raise OSError(f"{path} could not be emptied: something keeps writing into it")


class WorkDir:
    """Builds and resets the work directory for one worker of a run."""

    def __init__(
        self, root: Path, suite: Path, facts: HostFacts, peers: PeerRuntime, generation: Generation
    ) -> None:
        self.root = root
        self.peers = peers
        self.generation = generation
        self.suite = suite
        self.facts = facts
        self.caller_ids = (facts.caller_uid, facts.caller_gid)
        self.missing_utilities: list[str] = []

    # -- once per run -------------------------------------------------------------
    def create(self, binary: Path, loaded_lib: Path | None, utilities: tuple[str, ...]) -> None:
        """Build it afresh: `utilities` are the Exim utilities to copy beside the binary."""
        f = self.facts
        self.root.mkdir(parents=True, exist_ok=True)
        os.chmod(self.root, 0o755)
        chown_if_root(self.root, *self.caller_ids)
        for name in (
            "aux-fixed",
            "confs",
            "aux-var",
            "dnszones",
            "bin",
            "bin.sys",
            "eximdir",
            "spool",
            "test-mail",
        ):
            remove_tree(self.root / name)
        for stale in self.root.glob("test-*"):
            remove_tree(stale)
        self._make_eximdir(binary, utilities)
        self._make_bin(loaded_lib)
        make_bin_sys(self.root)
        # Configurations may include each other by DIR/confs/... paths, and tests read
        # DIR/aux-fixed/...: both are copied, as they would be in a checkout of the suite.
        for name in ("aux-fixed", "confs"):
            src = self.suite / name
            if src.is_dir():
                copy_tree(src, self.root / name, self.caller_ids)
        subst = Substituter(f, self.generation)
        self._templated_dir("aux-var", subst)
        self._templated_dir("dnszones", subst)
        (self.root / "aux-var" / "sh").symlink_to("/bin/sh")
        self._host_zones()
        prepare_zones(self.root / "dnszones")

    def _make_eximdir(self, binary: Path, utilities: tuple[str, ...]) -> None:
        d = self.root / "eximdir"
        # master opens it to the Exim group so that exim_exim can load dynamic modules
        mode = 0o750 if self.generation >= Generation.MASTER else 0o710
        d.mkdir(mode=mode)
        os.chmod(d, mode)
        chown_if_root(d, self.facts.caller_uid, self.facts.exim_gid)
        exim = d / "exim"
        patch_binary(binary, exim)
        os.chmod(exim, 0o4755)
        exim_exim = d / "exim_exim"
        shutil.copyfile(exim, exim_exim)
        chown_if_root(exim_exim, self.facts.exim_uid, self.facts.exim_gid)
        os.chmod(exim_exim, 0o6755)
        # Builds for cross-library TLS tests (-TLS) sit beside the binary as exim_openssl
        # and exim_gnutls; their patched copies are made whenever they are there.
        for library in TLS_LIBRARIES:
            other = binary.with_name(f"{binary.name}_{library}")
            if other.is_file():
                patch_binary(other, d / f"exim_{library}")
                os.chmod(d / f"exim_{library}", 0o4755)
        for tool in utilities:
            found = find_utility(binary, tool)
            if found is None:
                self.missing_utilities.append(tool)
                continue
            shutil.copy2(found, d / tool)
        # Modules a build made for dynamic loading (LOOKUP_MODULE_DIR points here).
        for module in sorted((binary.parent / "dynmodules").glob("*.so")):
            shutil.copy2(module, d / module.name)
            os.chmod(d / module.name, 0o755)

    def _make_bin(self, loaded_lib: Path | None) -> None:
        d = self.root / "bin"
        d.mkdir()
        for prog, module in PEERS.items():
            p = d / prog
            p.write_text(peer_wrapper(module, self.generation, self.peers))
            os.chmod(p, 0o755)
        if loaded_lib is not None and loaded_lib.exists():
            shutil.copy2(loaded_lib, d / "loaded")
            os.chmod(d / "loaded", 0o755)

    def answer_fakens_from(self, server: FakeNameserver) -> None:
        """Make bin/fakens ask `server` (running in this process), and keep the
        standalone program, which the front falls back on, as bin/fakens-standalone."""
        d = self.root / "bin"
        standalone = d / "fakens-standalone"
        standalone.write_text(peer_wrapper("fakens", self.generation, self.peers))
        os.chmod(standalone, 0o755)
        temporary = d / ".fakens.new"
        temporary.write_text(front(server.port, str(standalone)))
        os.chmod(temporary, 0o755)
        os.replace(temporary, d / "fakens")

    def _templated_dir(self, name: str, subst: Substituter) -> None:
        src = self.suite / f"{name}-src"
        dest = self.root / name
        dest.mkdir(mode=0o755)
        os.chmod(dest, 0o755)
        chown_if_root(dest, *self.caller_ids)
        if not src.is_dir():
            return
        for entry in sorted(src.iterdir()):
            if entry.name.startswith(".") or entry.is_dir():
                continue
            out = entry.name
            if out == "db.ip4.V4NET":
                out = f"db.ip4.{self.facts.ipv4_test_net}"
            elif out == "db.ip6.V6NET":
                out = "db.ip6." + ".".join(reversed(self.facts.ipv6_test_net))
            target = dest / out
            target.write_bytes(
                subst.apply(read_text(entry), self._testnum(entry.name)).encode("latin-1")
            )
            mode = stat.S_IMODE(entry.stat().st_mode) | 0o644
            os.chmod(target, mode & 0o755)
            chown_if_root(target, *self.caller_ids)

    def _testnum(self, name: str) -> str:
        """TESTNUM in a templated file: from 4.99 the number its name starts with, else 0."""
        m = re.match(r"\d+", name)
        return m.group(0) if m and self.generation >= Generation.G4_99 else "0"

    def _host_zones(self) -> None:
        """Forward and reverse zones for this host's own name and addresses."""
        f = self.facts
        zones = self.root / "dnszones"
        short, _, domain = f.hostname.partition(".")
        if f.have_ipv4 or f.have_ipv6:
            body = "; Zone made by the harness for this host.\n\nPASS ON NOT FOUND\n\n"
            if f.have_ipv4:
                body += f"{short}  A     {f.ipv4}\n"
            if f.have_ipv6:
                body += f"{short}  AAAA  {f.ipv6_stripped}\n"
            (zones / f"db.{domain}" if domain else zones / "db").write_text(body)
        if f.have_ipv4 and f.ipv4 != "127.0.0.1":
            a, b, c, d = f.ipv4.split(".")
            ptr = f"{d}.{c}.{b}  PTR  {f.hostname}.\n\n"
            path = zones / f"db.ip4.{a}"
            if a == "10" and path.exists():
                with path.open("a") as fh:
                    fh.write(ptr)
            else:
                path.write_text(f"; Reverse zone {a}.in-addr.arpa made by the harness.\n\n{ptr}")
        if f.have_ipv6 and f.ipv6_stripped != "::1":
            groups = ipaddress.IPv6Address(f.ipv6_stripped).exploded.split(":")
            first = groups[0].lstrip("0") or "0"
            zone = ".".join(reversed(first))
            rest = ".".join(".".join(reversed(g)) for g in reversed(groups[1:]))
            (zones / f"db.ip6.{zone}").write_text(
                f"; Reverse zone {zone}.ip6.arpa made by the harness.\n\n"
                f"{rest}  PTR  {f.hostname}.\n"
            )

    # -- once per test ------------------------------------------------------------
    def reset_for_test(self) -> None:
        """Remove the previous test's spool, mail, raw outputs and scratch directory
        (DIR/tmp, which most scripts that make it remove, and some make with a plain
        mkdir that fails when it is there); make fresh ones."""
        for stale in [*self.root.glob("test-*"), self.root / "tmp"]:
            remove_tree(stale)
        mail = self.root / "test-mail"
        fresh_directory(mail)
        chown_if_root(mail, *self.caller_ids)
        spool = self.root / "spool"
        fresh_directory(spool)
        os.chmod(spool, 0o755)
        chown_if_root(spool, self.facts.exim_uid, self.facts.exim_gid)
