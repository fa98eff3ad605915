"""Time fakens as Exim runs it: one subprocess per DNS lookup.

Usage: bench_fakens.py [-n COUNT] [--src DNSZONES_SRC] [--program PATH]

Builds a zone directory from Exim's dnszones-src (V4NET=224, V6NET=ff00), then
times COUNT runs of each sample query, side by side: the standalone program without
and with the render cache that fakens.prepare_zones() writes, and the bash front
answered by the resident server (harness.host.nameserver), as runs use it. For each,
the wall time and the CPU per lookup (the process's, and for the front the server's
too), next to a bare interpreter start.  ``--program`` times another
fakens-compatible executable too (e.g. a compiled fakens.c).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from harness.case.workdir import peer_wrapper  # noqa: E402
from harness.core.generation import Generation  # noqa: E402
from harness.host.nameserver import FakeNameserver, front  # noqa: E402
from harness.host.peerlib import PeerRuntime  # noqa: E402
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
    python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    peers = PeerRuntime(python, REPO)  # a run copies the modules; the checkout does here
    wrapper.write_text(peer_wrapper("fakens", Generation.G4_96, peers))  # as a run writes it
    wrapper.chmod(0o755)


def _cpu() -> tuple[float, float]:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    own = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime, own.ru_utime + own.ru_stime


def ms_per_run(command: list[str], count: int) -> tuple[float, float]:
    """Wall and CPU milliseconds per run: the command's CPU, and this process's beyond
    what starting it costs (the resident server's threads run here)."""
    subprocess.run(["/bin/true"], stdout=subprocess.DEVNULL)
    _, start_own = _cpu()
    for _ in range(count):
        subprocess.run(["/bin/true"], stdout=subprocess.DEVNULL)
    spawn_children, spawn_own = _cpu()
    spawn = spawn_own - start_own  # this process's part of starting `count` processes
    start = time.perf_counter()
    for _ in range(count):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    end_children, end_own = _cpu()
    cpu = (end_children - spawn_children) + max(0.0, (end_own - spawn_own) - spawn)
    return wall * 1000 / count, cpu * 1000 / count


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
        bare, bare_cpu = ms_per_run([sys.executable, "-c", ""], args.count)
        print(f"bare interpreter start: {bare:.1f} ms, {bare_cpu:.1f} ms CPU")
        server = FakeNameserver(Generation.G4_96)
        resident = confdir / "bin" / "fakens-front"
        resident.write_text(front(server.port, fakens))
        resident.chmod(0o755)
        kinds = {"uncached": fakens, "cached": fakens, "resident": str(resident)}
        if args.program:
            kinds["program"] = str(args.program)
        print(f"{'wall ms / CPU ms':38}" + "".join(f" {k:>13}" for k in kinds))
        timings: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
        for kind, program in kinds.items():
            if kind == "cached":
                prepare_zones(confdir / "dnszones")
            for name, qtype in SAMPLES:
                timings[kind].append(ms_per_run([program, str(confdir), name, qtype], args.count))
        for index, (name, qtype) in enumerate(SAMPLES):
            cells = "".join(
                f" {timings[k][index][0]:6.1f}/{timings[k][index][1]:5.1f}" for k in kinds
            )
            print(f"{name + ' ' + qtype:38}{cells}")
        means = {k: [sum(c) / len(c) for c in zip(*v, strict=True)] for k, v in timings.items()}
        cells = "".join(f" {means[k][0]:6.1f}/{means[k][1]:5.1f}" for k in kinds)
        print(f"{'mean':38}{cells}")
        cached, resident_mean = means["cached"], means["resident"]
        print(
            f"resident against cached standalone: {resident_mean[0] / cached[0]:.2f}x the "
            f"wall time, {resident_mean[1] / cached[1]:.2f}x the CPU"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
