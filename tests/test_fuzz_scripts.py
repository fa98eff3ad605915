"""Fuzzing: mutated real scripts never crash the parser or the runner.

The parser gets thousands of generated texts (hypothesis); the runner gets several hundred
mutations of scripts from Exim 4.96's suite, run for real with a short time limit. Every
test must end as passed, failed, skipped or an error that names the script and line; no
traceback may reach the output; nothing may be left running.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.case.commands import COMMANDS
from harness.suite.script import ScriptError, parse_text
from tests.e2e import RUNTEST, SHARED, WORK, needs_exim
from tests.fuzzing import mutants

_PIECES = [
    "# title",
    "exim -bt x@y",
    "exim -bs",
    "****",
    "++++",
    "\\",
    "1",
    "~0",
    "2 FOO=bar",
    "server PORT_S",
    "client 127.0.0.1 PORT_D",
    "write f 2x10",
    "background",
    "killdaemon",
    "sleep 1",
    "no_stdout_check",
    "need_ipv6",
    "need_foo",
    "###  shown",
    "perl -e 'print 1'",
    "cat2 x",
    "dump retry",
    "munge dnssec",
    "EHLO x",
    "\t",
    "exim_lock x",
    "catwrite f",
    ":eval:\\x00",
    "\xff\xfe",
    "\r",
    "",
]

script_text = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=40)), max_size=40).map(
    "\n".join
)


@settings(max_examples=4000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script_text)
def test_parser_returns_a_script_or_names_a_line(text: str) -> None:
    lines = text.split("\n")
    try:
        script = parse_text(Path("scripts/0000-X/0001"), text, COMMANDS)
    except ScriptError as exc:
        assert 0 <= exc.line <= len(lines) + 1
        assert str(exc).startswith(f"scripts/0000-X/0001:{exc.line}: ")
        return
    for cmd in script.commands:
        assert 1 <= cmd.line <= len(lines)


FUZZ_COUNT = 320
_FILE_LINE = re.compile(r"(?:^|\s)\S+:\d+: ")


def _sources() -> list[Path]:
    basic = SHARED / "scripts" / "0000-Basic"
    chosen = []
    for p in sorted(basic.iterdir()):
        if not p.name.isdigit() or not (SHARED / "confs" / p.name).exists():
            continue
        text = p.read_bytes()
        if re.search(rb"^sleep\s+([3-9]|\d\d)", text, re.M):
            continue  # long pauses make no better mutants, only slower ones
        chosen.append(p)
    return chosen


def _fuzz_suite(root: Path) -> dict[str, tuple[Path, str]]:
    """A suite of mutants: scripts/0000-Fuzz/NNNN with its source's configuration."""
    for name in ("aux-fixed", "aux-var-src", "dnszones-src"):
        (root / name).symlink_to(SHARED / name)
    (root / "confs").mkdir()
    shutil.copy(SHARED / "confs" / "0000", root / "confs" / "0000")
    scripts = root / "scripts" / "0000-Fuzz"
    scripts.mkdir(parents=True)
    made = {}
    for n, (source, done, data) in enumerate(mutants(_sources(), FUZZ_COUNT, seed=1303), 1):
        number = f"{n:04d}"
        (scripts / number).write_bytes(data)
        shutil.copy(SHARED / "confs" / source.name, root / "confs" / number)
        made[number] = (source, done)
    return made


@needs_exim
@pytest.mark.skipif(not SHARED.is_dir(), reason="needs ../shared/exim-4.96")
def test_mutated_scripts_never_crash_the_runner(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    made = _fuzz_suite(suite)
    work = WORK / "e2e-fuzz"
    report = tmp_path / "fuzz.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(RUNTEST),
            "--suite",
            str(suite),
            "--workdir",
            str(work),
            "--timeout",
            "3",
            "-CONTINUE",
            "--json",
            str(report),
            "1",
            str(FUZZ_COUNT),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        stdin=subprocess.DEVNULL,
        errors="replace",
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode in (0, 1), output[-3000:]
    assert "Traceback" not in output
    tests = json.loads(report.read_text())["tests"]
    assert len(tests) == FUZZ_COUNT
    for t in tests:
        source, done = made[t["number"]]
        what = f"{t['number']} ({done} of {source.name}): {t['reason'][:300]}"
        assert t["outcome"] in ("passed", "failed", "skipped", "error", "timeout"), what
        if t["outcome"] == "error":
            assert "harness error" not in t["reason"], what
            assert _FILE_LINE.search(t["reason"]), what
    left = [
        p
        for p in psutil.process_iter(["cmdline"])
        if any("e2e-fuzz" in a for a in (p.info["cmdline"] or [])) and p.pid != os.getpid()
    ]
    assert left == []
