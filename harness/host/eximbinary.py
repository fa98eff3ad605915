"""The Exim binary under test: finding it, learning what it offers, making the test copy."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Exim's marker that a binary checks to know it runs in the test harness, and the pattern of
# its version string, which is rewritten to a fixed "x.yz" so that message sizes do not vary.
_RUNNING = b">>>running<<<"
_TESTING = b"<<<testing>>>"
_VERSION = re.compile(
    rb"(\d+[_.]\d+(?:[_.]\d+)?(?:[_.]\d+)?(?:[_-]RC\d+|[_-]?dev(?:start)?)?"
    rb"(?:(?:[_-]\d+)?[-_][0-9a-fA-F]+)?(?:[-_]XX)?)\0<<eximversion>>"
)
_UTILITY_DIRS = ("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin")


def find_binary(suite: Path, given: str | None) -> Path | None:
    """The binary named on the command line, one built beside the suite, or exim on PATH."""
    if given:
        return Path(given).resolve()
    parent = suite.resolve().parent
    builds = sorted(parent.glob("src/build-*/exim")) + sorted(parent.glob("exim*/build-*/exim"))
    for build in builds:
        if os.access(build, os.X_OK):
            return build
    path = os.environ.get("PATH", "") + ":/usr/sbin:/usr/local/sbin"
    for name in ("exim", "exim4"):
        found = shutil.which(name, path=path)
        if found:
            return Path(found).resolve()
    return None


def find_utility(binary: Path, name: str) -> Path | None:
    for d in (str(binary.parent), *_UTILITY_DIRS):
        p = Path(d) / name
        if p.is_file() and os.access(p, os.X_OK):
            return p
    return None


def _words(text: str) -> set[str]:
    return set(text.split())


@dataclass
class Capabilities:
    version: str = ""
    support: set[str] = field(default_factory=set)
    lookups: set[str] = field(default_factory=set)
    authenticators: set[str] = field(default_factory=set)
    routers: set[str] = field(default_factory=set)
    transports: set[str] = field(default_factory=set)
    malware: set[str] = field(default_factory=set)
    running: set[str] = field(default_factory=set)
    macros: set[str] = field(default_factory=set)
    offt_size: int = 8
    bv_text: str = ""

    @property
    def largefiles(self) -> bool:
        return self.offt_size > 4


def parse_bv(text: str) -> Capabilities:
    """The binary's lists from `exim -bV`; a 4.99 list split into "(built-in)" and
    "(dynamic)" lines is merged."""
    caps = Capabilities(bv_text=text)
    for line in text.splitlines():
        key, _, rest = line.partition(": ")
        key = re.sub(r" \((?:built-in|dynamic)\)$", "", key)
        if line.startswith("Exim version"):
            caps.version = line.split()[2]
        elif key == "Support for":
            caps.support = _words(rest)
        elif key == "Lookups":
            caps.lookups |= _words(rest)
        elif key == "Authenticators":
            caps.authenticators |= _words(rest)
        elif key == "Routers":
            caps.routers |= _words(rest)
        elif key == "Malware":
            caps.malware = _words(rest)
        elif key == "Transports":
            for word in _words(rest):
                base, *opts = word.split("/")
                caps.transports |= {word, base, *(f"{base}/{o}" for o in opts)}
        elif key == "Size of off_t":
            caps.offt_size = int(rest.strip() or 8)
    return caps


def parse_macros(text: str) -> set[str]:
    return {line.split("=", 1)[0].strip() for line in text.splitlines() if "=" in line}


def patch_binary(source: Path, dest: Path) -> None:
    """Write the harness copy of `source`: the testing marker set, the version made fixed."""
    data = source.read_bytes()
    if _RUNNING not in data:
        raise ValueError(f"{source}: no '>>>running<<<' marker; is this an Exim binary?")
    data = data.replace(_RUNNING, _TESTING, 1)

    def fixed(m: re.Match[bytes]) -> bytes:
        return b"x.yz\0" + b"*" * (len(m.group(0)) - 5)

    data = _VERSION.sub(fixed, data, count=1)
    tmp = dest.with_suffix(".new")
    tmp.write_bytes(data)
    os.replace(tmp, dest)


def run_probe(argv: list[str], cwd: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a short probing command; its output as text, whatever the exit code."""
    return subprocess.run(
        argv, capture_output=True, text=True, errors="replace", check=False, timeout=30, cwd=cwd
    )


# The build settings Exim's test/README wants fixed when the binary is built. Given as
# "ref:NAME" in Local/Makefile, a setting is looked up when Exim starts instead: the build's
# config.h then defines the *NAME macro (and the id as 0), and every run fills the password
# cache early, which changes the debug output of about 20 tests.
_BUILD_TIME_IDS = (
    ("CONFIGURE_OWNER", "CONFIGURE_OWNERNAME"),
    ("CONFIGURE_GROUP", "CONFIGURE_GROUPNAME"),
    ("EXIM_USER", "EXIM_USERNAME"),
    ("EXIM_GROUP", "EXIM_GROUPNAME"),
)
_NAME_DEFINE = re.compile(r'^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+"([^"\n]*)"', re.M)


def build_config_h(binary: Path) -> Path | None:
    """The config.h of the source build a binary sits in (`src/build-OS-ARCH/exim` has it
    beside it), or None for a binary without one (an installed or packaged Exim)."""
    for candidate in (binary.parent / "config.h", binary.resolve().parent / "config.h"):
        if candidate.is_file():
            return candidate
    return None


def ref_settings(config_h: str) -> dict[str, str]:
    """The user and group settings that a build's config.h leaves to be looked up at
    start-up (Local/Makefile said "ref:NAME"): setting -> NAME, in a fixed order."""
    names = dict(_NAME_DEFINE.findall(config_h))
    return {setting: names[macro] for setting, macro in _BUILD_TIME_IDS if macro in names}


def ref_owner_warning(binary: Path, config_h: str, where: Path | None = None) -> str | None:
    """The one-line notice for a binary whose build's config.h (its text `config_h`, read
    from `where`) shows a "ref:" user or group setting; None when it shows none."""
    refs = ref_settings(config_h)
    if not refs:
        return None
    settings = ", ".join(f"{setting}=ref:{name}" for setting, name in refs.items())
    source = f"its config.h {where}" if where else "its config.h"
    ids = "the numeric id" if len(refs) == 1 else "numeric ids"
    return (
        f"** {binary} was built with {settings} ({source}): Exim's test/README asks for "
        f'{ids}; about 20 tests fail with "cache not available"'
    )


def check_ref_owner(binary: Path) -> str | None:
    """The notice of `ref_owner_warning` for `binary`, read from the config.h beside it;
    None when there is none, it cannot be read or it shows no "ref:" setting.

    The binary's own -bV cannot tell: its "Configure owner" line shows the ids as looked up
    at start-up, the same as a numeric build's."""
    path = build_config_h(binary)
    if path is None:
        return None
    try:
        text = path.read_text(encoding="latin-1")
    except OSError:
        return None
    return ref_owner_warning(binary, text, path)
