"""The resident fake nameserver and its bash front: the standalone fakens's answers."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import pytest

from harness.core.generation import Generation
from harness.host.nameserver import FakeNameserver, front, printf_format
from harness.peers.fakens import prepare_zones
from tests.test_peer_fakens import make_confdir
from tests.test_peer_server import peer_environ

SPECIAL = [
    ("manyhome.test.ex", "A"),
    ("x.test.fail.dns", "A"),
    ("x.test.again.dns", "MX"),
    ("ten-1.test.ex", "SPF"),
    ("www.example.org", "A"),
    ("nonexist.test.ex", "A"),
    ("test.ex", "SOA"),
    ("7.104.250.10.in-addr.arpa", "PTR"),
    ("TEN-1.Test.Ex.", "a"),
    ("ten-1", "A"),
    ("caf\xe9.test.ex", "A"),
]


def queries(zones: Path) -> list[tuple[str, ...]]:
    """Every owner and type the zone files name, and the special cases."""
    found: set[tuple[str, ...]] = set()
    for path in zones.glob("db.*"):
        origin = path.name[3:]
        for line in path.read_text(encoding="latin-1").splitlines():
            m = re.match(r"([\w*.-]+)\s+(?:\d+\s+)?([A-Z]+)\b", line)
            if m and not line.startswith(";"):
                found.add((f"{m.group(1)}.{origin}".replace("*", "wild"), m.group(2)))
    return sorted(found) + SPECIAL


@pytest.fixture(scope="module")
def confdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_confdir(tmp_path_factory, "nameserver")
    prepare_zones(root / "dnszones")  # as a run has them
    return root


def resident(root: Path, generation: Generation, standalone: Path | None = None) -> Path:
    """bin/fakens-front asking a new server of `generation`; the server lives on."""
    server = FakeNameserver(generation)
    (root / "bin").mkdir(exist_ok=True)
    path = root / "bin" / f"fakens-front-{server.port}"
    path.write_text(front(server.port, str(standalone or root / "bin" / "fakens")))
    path.chmod(0o755)
    return path


def run(program: Path, root: Path, *args: str, generation: str = "4.96"):
    done = subprocess.run(
        [str(program), str(root), *args],
        capture_output=True,
        timeout=30,
        env=peer_environ(generation),
    )
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("generation", ["4.96", "4.98", "master"])
def test_answers_are_the_standalone_programs(confdir: Path, generation: str) -> None:
    program = resident(confdir, Generation.parse(generation))
    asked = queries(confdir / "dnszones")
    assert len(asked) > 100
    differ = [
        q
        for q in asked
        if run(program, confdir, *q, generation=generation)
        != run(confdir / "bin" / "fakens", confdir, *q, generation=generation)
    ]
    assert differ == []


def test_wrong_argument_count(confdir: Path) -> None:
    program = resident(confdir, Generation.G4_96)
    assert run(program, confdir, "a", "A", "more") == (
        3,
        b"",
        b"fakens: expected 3 arguments, received 4\n",
    )
    assert run(program, confdir)[0] == 3


def test_a_changed_zone_file_is_read_again(tmp_path: Path) -> None:
    (tmp_path / "dnszones").mkdir()
    zone = tmp_path / "dnszones" / "db.change.example"
    zone.write_text("host A 192.0.2.1\n")
    program = resident(tmp_path, Generation.G4_96, Path("/bin/false"))
    first = run(program, tmp_path, "host.change.example", "A")
    zone.write_text("host A 192.0.2.200\n")
    second = run(program, tmp_path, "host.change.example", "A")
    assert first[0] == second[0] == 0
    assert first[1].endswith(bytes([192, 0, 2, 1])) and second[1].endswith(bytes([192, 0, 2, 200]))


def test_without_a_server_the_standalone_program_answers(confdir: Path) -> None:
    server = FakeNameserver(Generation.G4_96)
    server.close()
    program = confdir / "bin" / "fakens-orphan"
    program.write_text(front(server.port, str(confdir / "bin" / "fakens")))
    program.chmod(0o755)
    assert run(program, confdir, "mxt6.test.ex", "MX") == run(
        confdir / "bin" / "fakens", confdir, "mxt6.test.ex", "MX"
    )


def test_delayed_lookups_wait_side_by_side(tmp_path: Path) -> None:
    (tmp_path / "dnszones").mkdir()
    (tmp_path / "dnszones" / "db.slow.example").write_text("DELAY=1000 host A 192.0.2.1\n")
    program = resident(tmp_path, Generation.G4_96, Path("/bin/false"))
    command = [str(program), str(tmp_path), "host.slow.example", "A"]
    start = time.monotonic()
    slow = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(3)]
    outputs = [p.communicate(timeout=30)[0] for p in slow]
    took = time.monotonic() - start
    assert [p.returncode for p in slow] == [0, 0, 0] and len(set(outputs)) == 1
    assert outputs[0].endswith(bytes([192, 0, 2, 1]))
    assert 1.0 <= took < 2.5  # three one-second waits at once, not one after another


def test_printf_format_writes_every_byte(tmp_path: Path) -> None:
    data = bytes(range(256)) * 2 + b"%s%%\\x41\\"
    done = subprocess.run(
        ["/bin/bash", "-c", 'printf "$1"', "-", printf_format(data).decode()],
        capture_output=True,
        check=True,
    )
    assert done.stdout == data
