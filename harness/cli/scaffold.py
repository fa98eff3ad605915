"""`runtest.py --new NNNN-Name` or `--new DIR`: the files of a new test, to fill in.

`NNNN-Name` makes a new test directory `scripts/NNNN-Name` holding test NNNN; an existing
directory gets its next free number. The script has a title line and a commented
skeleton, `confs/NNNN` includes the suite's `std_conf_prefix`, and `--requires LINE`
writes a new directory's REQUIRES. Nothing is overwritten.
"""

from __future__ import annotations

import re
from pathlib import Path

from harness.core.errors import UsageError
from harness.core.exitcodes import ExitCode
from harness.core.options import Options
from harness.core.paths import REPO

SCRIPT = """\
# {title}
#
# Say here what this test shows. Lines starting "# " are comments; a line
# "### text" is written into the test's output files as a marker. See Exim's
# test/README for the commands (exim, client, server, write, sleep, ...).
#
### a message delivered locally
exim -odi userx@test.ex
Subject: {title}

A test message.
****
"""

CONF = """\
# Exim test configuration {number}

.include DIR/aux-var/std_conf_prefix

primary_hostname = myhost.test.ex

# ----- Routers -----

begin routers

local:
  driver = accept
  domains = test.ex
  local_parts = userx : usery
  transport = local_delivery

# ----- Transports -----

begin transports

local_delivery:
  driver = appendfile
  file = DIR/test-mail/$local_part_data
  user = CALLER

# End
"""

_NEW_DIR = re.compile(r"^(\d{4})-[\w.+-]+$")


def _used_numbers(suite: Path) -> set[int]:
    return {
        int(float(p.name))
        for p in (suite / "scripts").glob("*/*")
        if re.fullmatch(r"\d+(?:\.\d+)?", p.name)
    }


def plan_new(suite: Path, name: str, requires: list[str]) -> tuple[Path, str]:
    """The directory and the test number `--new name` makes (UsageError when it cannot)."""
    scripts = suite / "scripts"
    if not scripts.is_dir():
        raise UsageError(f"{scripts}: no scripts directory; is --suite right?")
    directory = scripts / name
    used = _used_numbers(suite)
    if directory.is_dir():
        if requires:
            raise UsageError(
                f"--requires is for a new directory; {directory} has its own "
                "REQUIRES, shared by its tests"
            )
        mine = [
            int(float(p.name))
            for p in directory.iterdir()
            if re.fullmatch(r"\d+(?:\.\d+)?", p.name)
        ]
        start = max(mine, default=int(name[:4]) if name[:4].isdigit() else 0) + 1
        number = next(n for n in range(start, 10_000) if n not in used)
    else:
        m = _NEW_DIR.match(name)
        if not m:
            raise UsageError(
                f"--new {name}: give NNNN-Name for a new test directory, or the "
                "name of one in scripts/"
            )
        number = int(m.group(1))
        if number in used:
            raise UsageError(f"test {number:04d} exists already; choose a free number")
    text = f"{number:04d}"
    if (suite / "confs" / text).exists():
        raise UsageError(f"{suite / 'confs' / text} exists already; choose a free number")
    return directory, text


def new_test(opts: Options) -> int:
    assert opts.new is not None
    suite = opts.suite.resolve()
    directory, number = plan_new(suite, opts.new, list(opts.new_requires))
    made = []
    new_dir = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    title = directory.name.split("-", 1)[-1].replace("-", " ")
    script = directory / number
    script.write_text(SCRIPT.format(title=f"{title}: what test {number} shows"))
    made.append(script)
    if new_dir and opts.new_requires:
        (directory / "REQUIRES").write_text("".join(f"{r}\n" for r in opts.new_requires))
        made.append(directory / "REQUIRES")
    conf = suite / "confs" / number
    conf.parent.mkdir(exist_ok=True)
    conf.write_text(CONF.format(number=number))
    made.append(conf)
    for path in made:
        print(f"made {path.relative_to(suite)}")
    if not (suite / "aux-var-src" / "std_conf_prefix").exists():
        print(
            f"** note: {suite}/aux-var-src/std_conf_prefix, which the conf includes, does not exist"
        )
    there = "" if suite == REPO or suite == Path.cwd() else f" --suite {suite}"
    print("next:")
    print(
        f"  ./runtest.py{there} {number}            # run it: its output is shown as it "
        "would be stored"
    )
    print(f"  ./runtest.py{there} --review {number}   # look at that output and accept it")
    return ExitCode.OK
