"""Discovering the host facts a run is templated with: names, addresses and accounts."""

from __future__ import annotations

import grp
import ipaddress
import os
import pwd
import re
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import BinaryError, ProbeError, WorkDirError
from harness.core.suitefiles import read_text
from harness.host.eximbinary import find_binary, parse_bv, run_probe
from harness.host.hostfacts import HostFacts, Ports

DEFAULT_CALLER = "rtcaller"


@dataclass(frozen=True)
class Caller:
    name: str
    uid: int
    gid: int
    group: str
    gecos: str
    home: str
    groups: tuple[int, ...]


def find_caller(name: str | None) -> Caller:
    """The unprivileged account the tests run as."""
    candidates = [name] if name else [os.environ.get("RUNTEST_CALLER"), DEFAULT_CALLER]
    if not name and os.getuid() != 0:
        candidates.insert(0, pwd.getpwuid(os.getuid()).pw_name)
    for cand in filter(None, candidates):
        try:
            pw = pwd.getpwnam(cand)
        except KeyError:
            continue
        if pw.pw_uid == 0:
            continue
        return Caller(
            name=pw.pw_name,
            uid=pw.pw_uid,
            gid=pw.pw_gid,
            group=grp.getgrgid(pw.pw_gid).gr_name,
            gecos=pw.pw_gecos.split(",")[0],
            home=pw.pw_dir,
            groups=tuple(os.getgrouplist(pw.pw_name, pw.pw_gid)),
        )
    raise ProbeError(
        f"no unprivileged caller account ({', '.join(filter(None, candidates))}); "
        "run the set-up command (./setup.sh) as root to create it"
    )


def check_caller(caller: Caller, eximgroup: str, exim_uid: int, exim_gid: int) -> None:
    for bad in "-=":
        if bad in caller.name:
            raise ProbeError(f"caller login {caller.name!r} must not contain {bad!r}")
    try:
        gid = grp.getgrnam(eximgroup).gr_gid
    except KeyError as exc:
        raise ProbeError(f"Exim group {eximgroup!r} does not exist") from exc
    if gid not in caller.groups:
        raise ProbeError(f"caller {caller.name} is not in the Exim group {eximgroup}")
    if caller.uid == exim_uid or caller.gid == exim_gid:
        raise ProbeError(f"caller {caller.name} must differ from the Exim user and group")


def fqdn_hostname() -> str:
    name = socket.gethostname()
    if "." not in name:
        try:
            full = socket.gethostbyname_ex(name)[0]
        except OSError:
            full = ""
        if "." in full:
            name = full
    return name


def _ip_addresses() -> str:
    """`ip -o address`: one line per address of every interface."""
    try:
        return subprocess.run(
            ["ip", "-o", "address"], capture_output=True, text=True, check=False
        ).stdout
    except FileNotFoundError:
        return ""


def interface_addresses() -> tuple[str | None, str | None]:
    """One IPv4 and one IPv6 address of this host, skipping loopback and test ranges."""
    out = _ip_addresses()
    v4: str | None = None
    v6: str | None = None
    for line in out.splitlines():
        fields = line.split()
        if len(fields) < 4:
            continue
        ifname, family, cidr = fields[1], fields[2], fields[3]
        addr = cidr.split("/")[0]
        if family == "inet" and v4 is None:
            if addr == "0.0.0.0" or addr.startswith(("127.", "10.250.")):
                continue
            v4 = addr
        elif family == "inet6" and (v6 is None or "%" in v6):
            ip = ipaddress.IPv6Address(addr)
            if ip.is_loopback or ip.is_unspecified or addr.lower().startswith(("ff00", "fe80::1")):
                continue
            v6 = f"{addr}%{ifname}" if ip.is_link_local else addr
    return v4, v6


def build_facts(
    cwd: str,
    caller: Caller,
    eximuser: str,
    eximgroup: str,
    *,
    exim_has_ipv6: bool,
    want_ipv4: bool = True,
    want_ipv6: bool = True,
    ports: Ports | None = None,
) -> HostFacts:
    v4, v6 = interface_addresses()
    have4 = bool(v4) and want_ipv4
    have6 = bool(v6) and want_ipv6 and exim_has_ipv6
    if not v4:
        ipv4 = "<no IPv4 address found>"
    elif not want_ipv4:
        ipv4 = "<IPv4 testing disabled>"
    else:
        ipv4 = v4
    if not v6:
        ipv6 = "<no IPv6 address found>"
    elif not want_ipv6:
        ipv6 = "<IPv6 testing disabled>"
    elif not exim_has_ipv6:
        ipv6 = "<no IPv6 support in Exim binary>"
    else:
        ipv6 = v6
    pw = pwd.getpwnam(eximuser) if not eximuser.isdigit() else pwd.getpwuid(int(eximuser))
    gr = grp.getgrnam(eximgroup) if not eximgroup.isdigit() else grp.getgrgid(int(eximgroup))
    try:
        grp.getgrnam("mail")
        mailgroup = "mail"
    except KeyError:
        mailgroup = caller.group
    return HostFacts(
        cwd=cwd,
        hostname=fqdn_hostname(),
        caller=caller.name,
        caller_uid=caller.uid,
        caller_gid=caller.gid,
        caller_group=caller.group,
        caller_gecos=caller.gecos,
        caller_home=caller.home,
        eximuser=eximuser,
        eximgroup=eximgroup,
        exim_uid=pw.pw_uid,
        exim_gid=gr.gr_gid,
        ipv4=ipv4,
        ipv6=ipv6,
        have_ipv4=have4,
        have_ipv6=have6,
        ports=ports or Ports(),
        mailgroup=mailgroup,
        shell=f"{cwd}/aux-var/sh",
    )


def host_cidrs(facts: HostFacts) -> list[str]:
    """The host's addresses in use by the tests, with their prefix lengths (for netns)."""
    out = _ip_addresses()
    wanted = {
        a for a, ok in ((facts.ipv4, facts.have_ipv4), (facts.ipv6_stripped, facts.have_ipv6)) if ok
    }
    cidrs = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) >= 4 and fields[3].split("/")[0] in wanted:
            cidrs.append(fields[3])
            wanted.discard(fields[3].split("/")[0])
    return cidrs


@dataclass(frozen=True)
class BinaryInfo:
    """What the binary says of itself when run with the harness's probing configuration."""

    version: str
    exim_user: str
    exim_group: str
    trusted_config_list: str | None  # TRUSTED_CONFIG_LIST, when the build has one
    configure_owner: tuple[int, int] | None
    bv: str  # the whole of -bV


# Used when a suite has no confs/0000: enough for -bP and -bV to run.
_PROBE_CONFIG = "spool_directory = DIR/spool\nlog_file_path = DIR/spool/log/%slog\n"


def probe_binary(binary: Path, suite: Path, probe_dir: Path) -> BinaryInfo:
    """Ask the binary what it is, with the suite's confs/0000 as its configuration.

    As Exim's harness does, the probe never reads the build's default configuration
    file (a source build's does not exist); confs/0000 is used as it stands, with DIR given
    on the command line.
    """
    conf = suite / "confs" / "0000"
    config = probe_dir / "test-config"
    try:
        text = read_text(conf) if conf.is_file() else _PROBE_CONFIG
        config.write_text(text, encoding="latin-1")
        os.chmod(config, 0o644)
    except OSError as exc:
        raise WorkDirError(f"cannot write {config}: {exc.strerror}") from exc
    base = [str(binary), "-C", str(config), f"-DDIR={probe_dir}"]
    try:
        info = run_probe(
            [str(binary), "-d", *base[1:], "-bP", "exim_user", "exim_group"], cwd=str(probe_dir)
        )
        bv = run_probe([*base, "-bV"], cwd=str(probe_dir)).stdout
    except OSError as exc:
        raise BinaryError(f"{binary}: cannot run: {exc.strerror}") from exc
    finally:
        config.unlink(missing_ok=True)
    out = info.stdout + info.stderr
    values = {}
    for line in out.splitlines():
        key, eq, value = line.partition(" = ")
        if eq and key in ("exim_user", "exim_group"):
            values[key] = value.strip()
    if "exim_user" not in values:
        tail = "; ".join(line for line in out.splitlines()[-3:] if line.strip())
        raise BinaryError(
            f"{binary} -C {config} -bP exim_user did not answer ({tail[:300] or 'no output'}); "
            'is it an Exim built for testing (see README, "Testing a build of your own")?'
        )
    version = re.search(r"^Exim version (\S+)", out + bv, re.M)
    tcl = re.search(r'^TRUSTED_CONFIG_LIST:.*?"(.*?)"\s*$', out, re.M)
    owner = re.search(r"^Configure owner:\s*(\d+):(\d+)", out + bv, re.M)
    return BinaryInfo(
        version.group(1) if version else "",
        values["exim_user"],
        values.get("exim_group", values["exim_user"]),
        tcl.group(1) if tcl else None,
        (int(owner.group(1)), int(owner.group(2))) if owner else None,
        bv,
    )


@dataclass(frozen=True)
class Host:
    """The binary under test, the caller account and the host facts tests are templated with."""

    binary: Path
    info: BinaryInfo
    caller: Caller
    facts: HostFacts


def probe_host(
    suite: Path,
    binary_arg: str | None,
    caller_name: str | None,
    worker_dir: Path,
    *,
    want_ipv4: bool = True,
    want_ipv6: bool = True,
    ports: Ports | None = None,
    probe_dir: Path | None = None,
) -> Host:
    """Find the binary and the caller, and learn the host facts.

    The probe writes its configuration into `probe_dir` (default: `worker_dir`), which
    must exist, and removes it again.
    """
    binary = find_binary(suite, binary_arg)
    if binary is None:
        raise BinaryError("no Exim binary found: name one, or install exim4 (./setup.sh)")
    if not binary.is_file():
        raise BinaryError(f"{binary}: no such file")
    if not os.access(binary, os.X_OK):
        raise BinaryError(f"{binary}: not executable")
    caller = find_caller(caller_name)
    info = probe_binary(binary, suite, probe_dir or worker_dir)
    facts = build_facts(
        str(worker_dir),
        caller,
        info.exim_user,
        info.exim_group,
        exim_has_ipv6="IPv6" in parse_bv(info.bv).support,
        want_ipv4=want_ipv4,
        want_ipv6=want_ipv6,
        ports=ports,
    )
    return Host(binary, info, caller, facts)


def check_trusted_configs(info: BinaryInfo, binary: Path, configs: list[Path]) -> str | None:
    """Whether a TRUSTED_CONFIG_LIST build will trust each of `configs` (the run's
    test-config paths): a BinaryError when its list leaves some out, a note to show when
    there is no usable list at all.

    Exim reads the list only when it is a root-owned file that nobody else may write. A
    build whose list file does not exist (Debian's package) runs -C configurations without
    root privilege, which most tests survive; a build set up for testing has the file, and
    then every path must be in it or nearly every test fails.
    """
    listed_file = info.trusted_config_list
    if listed_file is None:
        return None
    path = Path(listed_file)
    try:
        st = path.stat()
        text = path.read_text(errors="replace")
    except OSError as exc:
        return (
            f"note: no TRUSTED_CONFIG_LIST {path} ({exc.strerror}): configurations run "
            "without root privilege, as Debian's package runs them (README: \"Testing a "
            'build of your own")'
        )
    if st.st_uid != 0 or st.st_mode & 0o002 or (st.st_mode & 0o020 and st.st_gid != 0):
        raise BinaryError(
            f"{path} (TRUSTED_CONFIG_LIST of {binary}) must be owned by root and "
            "writable by nobody else, or Exim ignores it"
        )
    entries = trusted_entries(text)
    read, ignored = set(entries[:TRUSTED_ENTRIES_READ]), set(entries[TRUSTED_ENTRIES_READ:])
    missing = [str(c) for c in configs if str(c) not in read]
    if missing:
        late = [c for c in missing if c in ignored]
        why = (
            f" ({len(late)} of them are listed, but after the first "
            f"{TRUSTED_ENTRIES_READ} entries, which are all Exim reads: put them first)"
            if late
            else ""
        )
        raise BinaryError(
            f"{binary} will not trust this run's test configurations: add these lines to "
            f"its TRUSTED_CONFIG_LIST {path}{why}:\n" + "\n".join(missing)
        )
    return None


TRUSTED_ENTRIES_READ = 32  # Exim keeps the first 32 entries of its list and ignores the rest


def trusted_entries(text: str) -> list[str]:
    """The entries of a TRUSTED_CONFIG_LIST file as Exim reads them: lines that start
    with `/` after leading blanks, in order (the rest of the line is the path)."""
    return [line.lstrip() for line in text.split("\n") if line.lstrip().startswith("/")]
