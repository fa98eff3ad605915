"""What the commands share: running a command and waiting for it, feeding it data
lines, waiting for pid files and for daemons to settle."""

from __future__ import annotations

import os
import re
import subprocess
import threading
from pathlib import Path

from harness.case.commands.registry import (
    CommandError,
    Completion,
    CompletionKind,
)
from harness.case.context import (
    STDERR,
    STDOUT,
    TestContext,
)
from harness.host.processes import (
    Identity,
    close_quietly,
    wait_until_idle,
)


def exit_status(proc: subprocess.Popen[bytes]) -> int:
    rc = proc.returncode
    return rc if rc is not None else 0


def run_waited(
    ctx: TestContext,
    command: str,
    who: Identity,
    *,
    stdout: str | None = STDOUT,
    stderr: str | None = STDERR,
    data: list[str] | None = None,
    wait_time: int = 0,
    extra_env: dict[str, str] | None = None,
    kind: CompletionKind = CompletionKind.WAITED,
) -> Completion:
    proc = ctx.spawn(command, who, stdout=stdout, stderr=stderr, extra_env=extra_env)
    sigpipe = feed(ctx, proc, data or [], wait_time)
    proc.wait()
    return Completion(kind, exit_status(proc), sigpipe)


_PERL_ESCAPES = re.compile(r"\\(x\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{0,2}|[0-7]{1,3}|.)")


_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "e": "\x1b", "a": "\x07", "f": "\x0c"}


def perl_dq_escapes(text: str) -> str:
    """The escapes of a Perl double-quoted string, for `:eval:` data lines."""

    def one(m: re.Match[str]) -> str:
        e = m.group(1)
        if e.startswith("x{"):
            return chr(int(e[2:-1], 16))
        if e.startswith("x"):
            return chr(int(e[1:] or "0", 16))
        if e[0] in "01234567":
            return chr(int(e, 8))
        return _SIMPLE_ESCAPES.get(e, e)

    return _PERL_ESCAPES.sub(one, text)


def data_bytes(ctx: TestContext, lines: list[str]) -> list[bytes | float]:
    """Data lines after substitution and the `:eval:`/`:noeol:`/`:sleep:`/`:file:` prefixes.

    A float in the result is a pause, in seconds, before the following lines.
    """
    out: list[bytes | float] = []
    for raw in lines:
        line = ctx.substitute(raw) + "\n"
        m = re.match(r"^(:\S+?:)(.*)", line)  # the prefixed text stops before the newline
        if m:
            prefix, line = m.group(1), m.group(2)
            if prefix == ":eval:":
                line = perl_dq_escapes(line)
            elif prefix == ":noeol:":
                line = line.rstrip("\r\n")
            elif prefix == ":sleep:":
                out.append(float(line.strip() or 0))
                continue
            elif prefix == ":file:":
                # Perl's two-argument open, which Exim's harness uses, ignores
                # whitespace around the name: ":file: name" reads "name".
                name = line.strip()
                path = name if os.path.isabs(name) else ctx.path(name)
                try:
                    with open(path, "rb") as fh:
                        out.append(fh.read())
                except OSError as exc:
                    raise CommandError(f":file: cannot read {name}: {exc.strerror}") from exc
                continue
        out.append(line.encode("latin-1"))
    return out


def feed(ctx: TestContext, proc: subprocess.Popen[bytes], lines: list[str], wait_time: int) -> bool:
    """Write data to the command's stdin, pause if asked, close it. True on a broken pipe."""
    stdin = proc.stdin
    if stdin is None:
        return False
    items = data_bytes(ctx, lines)
    broken = False
    try:
        for item in items:
            if isinstance(item, float):
                stdin.flush()
                ctx.sleep(item)
            else:
                stdin.write(item)
        stdin.flush()
    except BrokenPipeError:
        broken = True
    if wait_time > 0:
        ctx.sleep(wait_time)
    try:
        stdin.close()
    except BrokenPipeError:
        broken = True
    return broken


def feed_in_background(ctx: TestContext, proc: subprocess.Popen[bytes], data: bytes) -> None:
    """Write a script to a long-running peer without closing its stdin."""
    stdin = proc.stdin
    if stdin is None:
        return

    def write() -> None:
        try:
            stdin.write(data)
            stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass

    threading.Thread(target=write, daemon=True).start()


def read_pid(path: str, cancel: threading.Event | None = None) -> int | None:
    """The pid in a pid file; a file just created may be empty for a moment."""
    stop = cancel or threading.Event()
    for _ in range(50):
        try:
            with open(path) as fh:
                return int(fh.read().split()[0])
        except (OSError, ValueError, IndexError):
            pass
        if not os.path.exists(path) or stop.wait(0.01):
            return None
    return None


# How long a daemon or server may take to settle into its loop once it has written its
# pid file (Exim makes a key first), or to finish what a wake-up started before SIGTERM.
DAEMON_SETTLE_TIMEOUT = 10.0


def settle(ctx: TestContext, pid: int | None, what: str) -> None:
    """Let a daemon or server that has written its pid file get to waiting for work.

    Exim's harness polls for a pid file every 0.3s, which on an idle machine gives a
    daemon the moment it needs after writing it (to catch SIGTERM, make its key, reach
    its loop); under load that moment is seconds, and a client or a SIGTERM arriving
    meanwhile changes what the daemon logs.
    """
    if pid is not None and not wait_until_idle(pid, DAEMON_SETTLE_TIMEOUT, ctx.cancel):
        if not ctx.cancel.is_set():
            ctx.say(f"{what} {pid} did not settle within {DAEMON_SETTLE_TIMEOUT:g}s")


def require_tool(ctx: TestContext, tool: str) -> Path:
    """The copy of one of Exim's utilities in eximdir; a CommandError when there is none."""
    exe = ctx.dir / "eximdir" / tool
    if not exe.exists():
        raise CommandError(f"{tool} was not found beside the Exim binary or in system paths")
    return exe


def shell_tool(ctx: TestContext, tool: str, command: str) -> Completion:
    """Run one of Exim's utilities, recording its exit code in stdout as the harness does."""
    require_tool(ctx, tool)
    line = f"({command}; echo {tool} exit code = $?)"
    return run_waited(ctx, line, ctx.seat.caller, stderr=None)


def end_superseded_peer(ctx: TestContext) -> None:
    """A `server` or `exim_lock` started while an earlier one is still waited for ends
    that one first: its input is closed and it is waited for, its exit status dropped.
    Exim's harness keeps both in one Perl pipe handle, and opening that handle again
    closes it implicitly (0015 starts a second server on the port of a first
    that nothing connects to: that one times out, then the second one listens)."""
    proc = ctx.server
    if proc is None:
        return
    ctx.server = None
    close_quietly(proc.stdin)
    proc.wait()
    ctx.tracker.forget(proc)
