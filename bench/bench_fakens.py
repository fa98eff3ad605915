"""Time fakens as Exim runs it: one subprocess per DNS lookup.

Usage: bench_fakens.py [-n COUNT] [--src DNSZONES_SRC] [--program PATH]

Builds a zone directory from Exim's dnszones-src (V4NET=224, V6NET=ff00), then
times COUNT runs of each sample query with and without the render cache that
fakens.prepare_zones() writes, next to a bare interpreter start.  ``--program``
times another fakens-compatible executable too (e.g. a compiled fakens.c).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.case.workdir import peer_wrapper  # noqa: E402
from harness.core.generation import Generation  # noqa: E402
from harness.peers.fakens import prepare_zones  # noqa: E402

SAMPLES = [
    ("ten-1.test.ex", "A"),  # found
    ("mxt6.test.ex", "MX"),  # several records
    ("nonexist.test.ex", "A"),  # not found: SOA in authority
    ("www.example.org", "A"),  # not a faked zone: PASS_ON
    ("7.104.250.10.in-addr.arpa", "PTR"),  # wildcard: never cached
    ("manyhome.test.ex", "A"),  # 2048 records
]
SUBSTITUTIONS = {"V4NET": "224", "V6NET": "ff00", "HOSTIPV4": "192.0.2.2", "HOSTIPV6": "fd00::2"}
RENAMES = {"db.ip4.V4NET": "db.ip4.224", "db.ip6.V6NET": "db.ip6.0.0.f.f"}


def build(confdir: Path, source: Path) -> None:
    zones = confdir / "dnszones"
    zones.mkdir(parents=True)
    for item in source.iterdir():
        text = item.read_text(encoding="utf-8")
        for marker, value in SUBSTITUTIONS.items():
            text = text.replace(marker, value)
        (zones / RENAMES.get(item.name, item.name)).write_text(text, encoding="utf-8")
    (confdir / "bin").mkdir()
    wrapper = confdir / "bin" / "fakens"
    wrapper.write_text(peer_wrapper("fakens", Generation.G4_96))  # as a run writes it
    wrapper.chmod(0o755)


def ms_per_run(command: list[str], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000 / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=30)
    parser.add_argument("--src", type=Path, default=Path("/work/shared/exim-4.96/dnszones-src"))
    parser.add_argument("--program", type=Path, help="another fakens to time alongside")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-fakens-") as tmp:
        confdir = Path(tmp)
        build(confdir, args.src)
        fakens = str(confdir / "bin" / "fakens")
        bare = ms_per_run([sys.executable, "-c", ""], args.count)
        print(f"bare interpreter start: {bare:.1f} ms")
        header = f"{'query':38} {'uncached':>9} {'cached':>9}"
        print(header + (f" {'program':>9}" if args.program else ""))
        timings: dict[str, list[float]] = {"uncached": [], "cached": []}
        for kind in timings:
            if kind == "cached":
                prepare_zones(confdir / "dnszones")
            for name, qtype in SAMPLES:
                command = [fakens, str(confdir), name, qtype]
                timings[kind].append(ms_per_run(command, args.count))
        for index, (name, qtype) in enumerate(SAMPLES):
            line = f"{name + ' ' + qtype:38} {timings['uncached'][index]:7.1f}ms"
            line += f" {timings['cached'][index]:7.1f}ms"
            if args.program:
                other = ms_per_run([str(args.program), str(confdir), name, qtype], args.count)
                line += f" {other:7.1f}ms"
            print(line)
        for kind, values in timings.items():
            print(f"mean {kind}: {sum(values) / len(values):.1f} ms per lookup")
    return 0


if __name__ == "__main__":
    sys.exit(main())
