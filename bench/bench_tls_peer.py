"""Time the TLS peers as Exim's tests run them: one client process per connection.

Usage: bench_tls_peer.py [-n COUNT] [--python PY]... [--old CHECKOUT [--old-python PY]]

Prints the start-to-exit time of `client`, `client-ssl` and `client-gnutls` (TLS on
connect, with and without -ocsp) against a local `openssl s_server` that staples an
OCSP response, each started as the runner starts it (bin/ wrappers, `python -IS`), and
what importing harness.peers.tlsutil and making the first client context cost. Each
--python interpreter runs this checkout's peers; --old CHECKOUT runs another's beside
them (e.g. `git worktree add /tmp/tls-old REV`), under --old-python (default: this one).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

WRAPPER = """#!{python} -IS
import sys
sys.path.insert(0, {repo!r})
from harness.peers.client import main
sys.exit(main())
"""
PROGRAMS = ("client", "client-ssl", "client-gnutls")
IMPORT = """import time
start = time.perf_counter()
import sys
sys.path.insert(0, {repo!r})
from harness.peers import tlsutil
imported = time.perf_counter()
tlsutil.client_context(True, None)
print((imported - start) * 1000, (time.perf_counter() - imported) * 1000)
"""


def openssl(cwd: Path, *args: str | Path) -> str:
    done = subprocess.run(["openssl", *map(str, args)], check=True, capture_output=True,
                          text=True, cwd=cwd)  # fmt: skip
    return done.stdout


def make_files(d: Path) -> None:
    """A CA, a server certificate it signed and a good OCSP response for it."""
    openssl(d, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=CA",
            "-keyout", "ca.key", "-out", "ca.pem")  # fmt: skip
    openssl(d, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=server.test.ex",
            "-keyout", "srv.key", "-out", "srv.csr")  # fmt: skip
    openssl(d, "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", "2", "-out", "srv.pem")  # fmt: skip
    serial = openssl(d, "x509", "-in", "srv.pem", "-noout", "-serial").strip().split("=")[1]
    (d / "index").write_text(f"V\t301231000000Z\t\t{serial}\tunknown\t/CN=server.test.ex\n")
    openssl(d, "ocsp", "-issuer", "ca.pem", "-cert", "srv.pem", "-reqout", "req.der", "-no_nonce")
    openssl(d, "ocsp", "-index", "index", "-CA", "ca.pem", "-rsigner", "ca.pem", "-rkey", "ca.key",
            "-reqin", "req.der", "-respout", "good.der", "-ndays", "2")  # fmt: skip
    (d / "aux-fixed").mkdir()
    (d / "aux-fixed" / "gnutls-params").write_text("only its presence is checked\n")


def make_bin(d: Path, python: str, repo: Path) -> Path:
    bindir = d / f"bin-{len(list(d.glob('bin-*')))}"
    bindir.mkdir()
    for prog in PROGRAMS:
        (bindir / prog).write_text(WRAPPER.format(python=python, repo=str(repo)))
        (bindir / prog).chmod(0o755)
    return bindir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def plain_listener() -> int:
    """A TCP server that takes each connection and closes it when the client does."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve() -> None:
        while True:
            conn, _ = listener.accept()
            with conn:
                while conn.recv(4096):
                    pass

    threading.Thread(target=serve, daemon=True).start()
    return int(listener.getsockname()[1])


def stapling_server(d: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        ["openssl", "s_server", "-accept", str(port), "-cert", "srv.pem", "-key", "srv.key",
         "-quiet", "-status_file", "good.der"],
        cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(250):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.02)
    proc.kill()
    raise SystemExit("openssl s_server did not start")


def cases(d: Path, plain: int, tls: int) -> list[tuple[str, str, list[str], str]]:
    """(name, program, arguments, a line its output must have)."""
    on = ["-tls-on-connect"]
    ocsp = [*on, "-ocsp", str(d / "ca.pem")]
    addr = ["127.0.0.1", str(tls)]
    return [
        ("client, no TLS", "client", ["127.0.0.1", str(plain)], "connected"),
        ("client-ssl -tls-on-connect", "client-ssl", [*on, *addr], "Succeeded"),
        ("client-gnutls -tls-on-connect", "client-gnutls", [*on, *addr], "Succeeded"),
        ("client-ssl -tls-on-connect -ocsp", "client-ssl", [*ocsp, *addr], "Response verify OK"),
        ("client-gnutls -tls-on-connect -ocsp", "client-gnutls", [*ocsp, *addr], "Succeeded"),
    ]


def run_once(d: Path, bindir: Path, prog: str, args: list[str], expect: str) -> float:
    start = time.perf_counter()
    done = subprocess.run([str(bindir / prog), *args], input=b"", capture_output=True, cwd=d)
    elapsed = (time.perf_counter() - start) * 1000
    out = done.stdout.decode("latin-1")
    if done.returncode != 0 or expect not in out:
        raise SystemExit(f"{bindir / prog} {' '.join(args)} did not work:\n{out}{done.stderr!r}")
    return elapsed


def import_cost(python: str, repo: Path, count: int) -> tuple[float, float]:
    """Median ms of importing tlsutil, then of making the first client context."""
    runs = []
    for _ in range(count):
        out = subprocess.run([python, "-IS", "-c", IMPORT.format(repo=str(repo))],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
        runs.append(tuple(float(x) for x in out.split()))
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def version(python: str) -> str:
    code = "import platform; print(platform.python_version())"
    return subprocess.run([python, "-c", code], capture_output=True, text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--count", type=int, default=20, help="runs of each (default 20)")
    parser.add_argument("--python", action="append", help="an interpreter for this checkout")
    parser.add_argument("--old", type=Path, help="another checkout, timed beside this one")
    parser.add_argument("--old-python", default=sys.executable)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        make_files(d)
        pythons = [os.path.abspath(py) for py in opts.python or [sys.executable]]  # for #!
        setups = [(f"this checkout, Python {version(py)}", py, REPO) for py in pythons]
        if opts.old:
            old_python = os.path.abspath(opts.old_python)
            setups.append((f"{opts.old}, Python {version(old_python)}", old_python,
                           opts.old.resolve()))  # fmt: skip
        bins = [make_bin(d, python, repo) for _, python, repo in setups]
        proc, tls = stapling_server(d)
        plain = plain_listener()
        try:
            print(f"start to exit, ms (median / mean of {opts.count}):")
            for name, prog, args, expect in cases(d, plain, tls):
                times: list[list[float]] = [[] for _ in setups]
                for _ in range(opts.count):  # interleaved, so that drift hits all alike
                    for i, bindir in enumerate(bins):
                        times[i].append(run_once(d, bindir, prog, args, expect))
                print(f"  {name}")
                for (label, _, _), ms in zip(setups, times, strict=True):
                    print(f"    {statistics.median(ms):7.1f} / {statistics.mean(ms):7.1f}  {label}")
        finally:
            proc.kill()
            proc.wait()
        print("import harness.peers.tlsutil, then the first client context, ms (median):")
        for label, python, repo in setups:
            imported, context = import_cost(python, repo, opts.count)
            print(f"  {imported:7.1f} + {context:5.1f}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
