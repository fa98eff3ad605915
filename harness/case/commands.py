"""The script commands, as Exim's harness runs them: each declared once, with its pattern.

`@command(name, pattern, ...)` declares a command: the pattern that recognises its line
(matched at the start of the line), whether data lines up to `****` follow, examples of it,
the Exim utilities it runs, and the handler. Declaration order is the order of matching, and
`check_grammar` makes sure that no two patterns match one example. A handler gets the test
context, the parsed command and the match of its pattern on the command line after
substitution, and says how the command ended (`Completion`).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from harness.case.context import (
    SERVER_ERRORS,
    SERVER_STDERR,
    SERVER_STDOUT,
    STDERR,
    STDOUT,
    TestContext,
)
from harness.core.generation import Generation
from harness.core.suitefiles import read_text
from harness.host.processes import (
    Identity,
    chown_if_root,
    close_quietly,
    wait_for_file,
    wait_until_idle,
    wait_while_running,
)
from harness.suite import script
from harness.suite.script import Command, Script

DH_BITS_NORMAL = 2236  # the GnuTLS D-H size Exim asks for, part of the params file name
DAEMON_START_TIMEOUT = 9.0
SERVER_START_TIMEOUT = 10.0
# How long a daemon or server may take to settle into its loop once it has written its
# pid file (Exim makes a key first), or to finish what a wake-up started before SIGTERM.
DAEMON_SETTLE_TIMEOUT = 10.0
DAEMON_END_TIMEOUT = 30.0  # from SIGTERM to its exit (a child removes the pid file)
DUMP_SEPARATOR = "+" * 27 + "\n"


class CompletionKind(Enum):
    INLINE = 0  # nothing was run
    WAITED = 1  # a command ran and was waited for
    WAITED_EXIM = 2  # an exim command ran and was waited for
    STARTED = 3  # a process was started and left running (daemon, server)


@dataclass(frozen=True)
class Completion:
    """How a command ended."""

    kind: CompletionKind
    status: int = 0  # exit code, or -signal
    sigpipe: bool = False


class CommandError(Exception):
    """A command could not be carried out as written (bad file, missing program...)."""


Handler = Callable[[TestContext, Command, re.Match[str]], Completion]


@dataclass(frozen=True)
class CommandSpec:
    """A script command: how it is recognised and what runs it."""

    name: str
    pattern: re.Pattern[str]
    takes_data: bool
    handler: Handler
    examples: tuple[str, ...]
    utilities: tuple[str, ...] = ()  # Exim utilities it runs from eximdir


COMMANDS: list[CommandSpec] = []  # in the order of matching


def command(
    name: str, pattern: str, *examples: str, data: bool = False, utilities: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Declare the decorated function as the handler of command `name`."""

    def register(fn: Handler) -> Handler:
        if any(c.name == name for c in COMMANDS):
            raise ValueError(f"command {name!r} is declared twice")
        COMMANDS.append(CommandSpec(name, re.compile(pattern), data, fn, examples, utilities))
        return fn

    return register


def check_grammar(specs: Sequence[CommandSpec]) -> list[str]:
    """Problems with the declarations: examples that no pattern, or more than one, matches."""
    problems = []
    for spec in specs:
        if not spec.examples:
            problems.append(f"{spec.name}: no examples")
        for ex in spec.examples:
            matching = [s.name for s in specs if s.pattern.match(ex)]
            if matching != [spec.name]:
                problems.append(f"{spec.name}: example {ex!r} is matched by {matching}")
    return problems


def parse_script(path: Path) -> Script:
    """A script parsed with the commands declared here."""
    return script.parse_script(path, COMMANDS)


def spec_for(name: str) -> CommandSpec:
    return next(c for c in COMMANDS if c.name == name)


def utilities() -> tuple[str, ...]:
    """Every Exim utility that some command runs: the work directory copies them."""
    return tuple(dict.fromkeys(u for c in COMMANDS for u in c.utilities))


# ---- helpers ------------------------------------------------------------------------

def _status(proc: subprocess.Popen[bytes]) -> int:
    rc = proc.returncode
    return rc if rc is not None else 0


def _run_waited(
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
    sigpipe = _feed(ctx, proc, data or [], wait_time)
    proc.wait()
    return Completion(kind, _status(proc), sigpipe)


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


def _feed(
    ctx: TestContext, proc: subprocess.Popen[bytes], lines: list[str], wait_time: int
) -> bool:
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


def _feed_in_background(ctx: TestContext, proc: subprocess.Popen[bytes], data: bytes) -> None:
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


def _read_pid(path: str, cancel: threading.Event | None = None) -> int | None:
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


def _settle(ctx: TestContext, pid: int | None, what: str) -> None:
    """Let a daemon or server that has written its pid file get to waiting for work.

    Exim's harness polls for a pid file every 0.3s, which on an idle machine gives a
    daemon the moment it needs after writing it (to catch SIGTERM, make its key, reach
    its loop); under load that moment is seconds, and a client or a SIGTERM arriving
    meanwhile changes what the daemon logs.
    """
    if pid is not None and not wait_until_idle(pid, DAEMON_SETTLE_TIMEOUT, ctx.cancel):
        if not ctx.cancel.is_set():
            ctx.say(f"{what} {pid} did not settle within {DAEMON_SETTLE_TIMEOUT:g}s")


def _require_tool(ctx: TestContext, tool: str) -> Path:
    """The copy of one of Exim's utilities in eximdir; a CommandError when there is none."""
    exe = ctx.dir / "eximdir" / tool
    if not exe.exists():
        raise CommandError(f"{tool} was not found beside the Exim binary or in system paths")
    return exe


def _shell_tool(ctx: TestContext, tool: str, command: str) -> Completion:
    """Run one of Exim's utilities, recording its exit code in stdout as the harness does."""
    _require_tool(ctx, tool)
    line = f"({command}; echo {tool} exit code = $?)"
    return _run_waited(ctx, line, ctx.seat.caller, stderr=None)


# ---- commands without data lines ---------------------------------------------------

@command("comment", r"^###\s", "### a comment")
def run_comment(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    text = m.string + "\n"
    for name in (STDOUT, STDERR, SERVER_STDERR, SERVER_STDOUT):
        ctx.append_text(name, text)
    return Completion(CompletionKind.INLINE)


@command("echo", r"^echo\s+(.*)$", "echo hello")
def run_echo(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    text = m.group(1)
    ctx.notes.append(text)
    print(text, file=ctx.seat.log, flush=True)
    return Completion(CompletionKind.INLINE)


@command("millisleep", r"^millisleep\s+(\d+)\s*$", "millisleep 500")
def run_millisleep(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    ctx.sleep(int(m.group(1)) / 1000)
    return Completion(CompletionKind.INLINE)


@command("sleep", r"^sleep\s+(\d+)\s*$", "sleep 1")
def run_sleep(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    ctx.sleep(int(m.group(1)))
    return Completion(CompletionKind.INLINE)


@command("munge", r"^munge\s+(.*)$", "munge dnssec")
def run_munge(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    ctx.munge_name = m.group(1).strip()
    return Completion(CompletionKind.INLINE)


@command("dbmbuild", r"^dbmbuild\s+(\S+)\s+(\S+)", "dbmbuild aux-fixed/a aux-var/a.db",
         utilities=("exim_dbmbuild",))
def run_dbmbuild(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    d = ctx.dir
    return _shell_tool(
        ctx, "exim_dbmbuild", f"./eximdir/exim_dbmbuild {d}/{m.group(1)} {d}/{m.group(2)}"
    )


def _dump_sort_key_factory(ctx: TestContext, which: str) -> Callable[[str], str]:
    ipv4 = ctx.facts.ipv4

    if which == "callout":
        return lambda item: item[21:]
    if which == "seen":
        return lambda item: item.replace(ipv4, "ip4.ip4.ip4.ip4", 1)
    return lambda item: item


@command("dump", r"^dump\s+(\S+)", "dump retry", utilities=("exim_dumpdb",))
def run_dump(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """exim_dumpdb with its records in a stable order (the DBM order varies by system)."""
    which = m.group(1)
    exe = _require_tool(ctx, "exim_dumpdb")
    proc = ctx.tracker.spawn(
        [str(exe), ctx.path("spool"), which], ctx.seat.caller, cwd=str(ctx.dir),
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=None,
    )
    raw, _ = proc.communicate()
    text = raw.decode("latin-1")
    ipv4 = ctx.facts.ipv4
    if which == "retry":
        records = [r for r in text.split("\n  ") if r != ""]

        port_n = str(ctx.facts.ports.n) if ctx.config.generation >= Generation.G4_99 else None

        def retry_key(rec: str) -> str:
            # sorted as the munged keys will read, so that the order is the same everywhere
            first = rec.split()[0] if rec.split() else ""
            key = first.replace(ipv4, "ip4.ip4.ip4.ip4")
            return key.replace(port_n, "PORT_N", 1) if port_n else key

        body = ""
        for rec in sorted(records, key=retry_key):
            two = re.match(r"^\s*(.*)\n(.*)\n?\s*$", rec, re.M)
            if two and two.end() == len(rec):
                rec = f"{two.group(1)}\n{two.group(2)}"
            body += f"  {rec}\n"
    else:
        lines = text.splitlines(keepends=True)
        if which in ("callout", "seen"):
            lines.sort(key=_dump_sort_key_factory(ctx, which))
        body = "".join(lines)
    ctx.append_text(STDOUT, DUMP_SEPARATOR + body)
    return Completion(CompletionKind.WAITED, _status(proc))


@command("exim_lock", r"^exim_lock\s+(.*)$", "exim_lock -v test-mail/file",
         utilities=("exim_lock",))
def run_exim_lock(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    _require_tool(ctx, "exim_lock")
    end_superseded_peer(ctx)
    proc = ctx.spawn(f"./eximdir/exim_lock {m.group(1)}", ctx.seat.caller, stderr=None)
    ctx.server, ctx.server_line = proc, cmd.line
    ctx.sleep(0.1)
    return Completion(CompletionKind.STARTED)


def _utility(name: str, pattern: str, template: str, *examples: str) -> None:
    """Declare a command that runs Exim utility `name` against the test's spool, log or
    configuration: in `template`, {d} is the work directory and {args} the script's
    arguments (for exiqgrep, with their leading space)."""

    def run_utility(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
        command = template.format(d=ctx.dir, args=m.group(1) or "")
        return _shell_tool(ctx, name, command)

    command(name, pattern, *examples, utilities=(name,))(run_utility)


_utility("exinext", r"^exinext\s+(.*)",
         "./eximdir/exinext -DEXIM_PATH={d}/eximdir/exim -C {d}/test-config {args}",
         "exinext userx@test.ex")
_utility("exigrep", r"^exigrep\s+(.*)", "./eximdir/exigrep {args} {d}/spool/log/mainlog",
         "exigrep userx")
_utility("exiqgrep", r"^exiqgrep(\s+.*)?$",
         "./eximdir/exiqgrep -E ./eximdir/exim -C {d}/test-config{args}", "exiqgrep -c", "exiqgrep")
_utility("eximstats", r"^eximstats\s+(.*)", "./eximdir/eximstats {args} {d}/spool/log/mainlog",
         "eximstats -ne")


@command("gnutls", r"^gnutls", "gnutls")
def run_gnutls(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """Put saved GnuTLS D-H parameters in the spool so that Exim need not make them."""
    f = ctx.facts
    target = f"spool/gnutls-params-{DH_BITS_NORMAL}"
    command = (
        f"cp -p aux-fixed/gnutls-params {target} && chown {f.exim_uid}:{f.exim_gid} {target}"
        f" && chmod 0400 {target}"
    )
    return _run_waited(ctx, command, ctx.seat.root, stdout=None, stderr=None)


@command("killdaemon", r"^killdaemon", "killdaemon")
def run_killdaemon(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """End the daemons this test started, as Exim's harness does, with SIGTERM.

    Only the daemon processes are signalled: deliveries they forked finish and log, as
    they would under Exim's harness. Daemons are found by their pid files (every daemon
    command is given one in the spool) and by the processes the runner started; anything
    else still running is ended when the test ends.

    A daemon on a CPU is let finish first (`wait_while_running`): it is in work that a
    wake-up started (reaping a child, remaking its key), which on an idle machine is over
    long before the command comes but under load can take seconds, and a SIGTERM in the
    middle of it loses the debug lines the test expects. A daemon blocked, in its loop or
    in one of Exim's test-mode pauses, is where it would be on an idle machine and is
    signalled at once, as Exim's harness does.
    """
    tracker = ctx.tracker
    pidfiles = sorted((ctx.dir / "spool").glob("exim-daemon.*"))
    daemons: list[int] = []
    for pidfile in pidfiles:
        pid = _read_pid(str(pidfile))
        if pid is not None:
            daemons.append(pid)
    # The daemons the runner started (exec'd in place of their shell) are ended even when
    # their pid file is missing for a moment, as while a daemon re-execs itself.
    daemons.extend(proc.pid for proc in ctx.daemons if proc.poll() is None)
    daemons = list(dict.fromkeys(daemons))
    for pid in daemons:
        if not wait_while_running(pid, DAEMON_SETTLE_TIMEOUT, ctx.cancel) \
                and not ctx.cancel.is_set():
            ctx.say(f"daemon {pid} was still busy after {DAEMON_SETTLE_TIMEOUT:g}s")
    others = [ctx.kill_pid] if ctx.kill_pid is not None else []  # a background command
    ctx.kill_pid = None
    for pid in dict.fromkeys([*others, *daemons]):
        # Exim's harness waits as long as a daemon takes to end; a time-out ends it anyway.
        tracker.end_process(pid, timeout=DAEMON_END_TIMEOUT)
    for proc in ctx.daemons:
        close_quietly(proc.stdin)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            tracker.end_process(proc.pid)
        tracker.forget(proc)
    ctx.daemons.clear()
    # Removed once the daemons have gone, as Exim's harness does: a daemon removes its own
    # (through a child that checks that the file names its parent).
    for pidfile in pidfiles:
        pidfile.unlink(missing_ok=True)
    return Completion(CompletionKind.WAITED)


@command("shell", r"^(?:ln|ls|du|mkdir|mkfifo|touch|cp|cat)\s",
         "ls -l DIR/spool", "cat DIR/test-mail/x", "mkdir DIR/x")
def run_shell(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    return _run_waited(ctx, m.string, ctx.seat.caller)


@command("sudo_shell", r"^sudo\s+((?:mkdir|rmdir|rm|mv|cp|chown|chmod)\s.*)",
         "sudo rm DIR/spool/x", "sudo chmod 0400 f", "sudo mkdir -p DIR/spool/input",
         "sudo cp DIR/aux-fixed/x DIR/spool/input/")
def run_sudo_shell(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """A file command as root (mkdir and cp from 4.97; no script of 4.96 uses them)."""
    return _run_waited(ctx, m.group(1), ctx.seat.root)


@command("cat2", r"^cat2\s+(.*)", "cat2 DIR/spool/log/serverdebuglog_2")
def run_cat2(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """`cat` whose output replaces the test's stderr (4.97); cat's own complaints are
    only shown, as they go to Exim's harness's terminal."""
    fd = os.open(ctx.path(STDERR), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        chown_if_root(fd, ctx.facts.caller_uid, ctx.facts.caller_gid)
    finally:
        os.close(fd)
    proc = ctx.spawn(f"cat {m.group(1)}", ctx.seat.caller, stdout=STDERR,
                     stderr=SERVER_ERRORS)
    proc.wait()
    return Completion(CompletionKind.WAITED, _status(proc))


@command("exim_id_update", r"^exim_id_update(\s+.*)?$", "exim_id_update -d", "exim_id_update",
         utilities=("exim_id_update",))
def run_exim_id_update(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """exim_id_update (4.97) over the test's spool, as root, its exit code in stdout."""
    _require_tool(ctx, "exim_id_update")
    line = (f"(./eximdir/exim_id_update{m.group(1) or ''} {ctx.dir}/spool/input;"
            " echo exim_id_update exit code = $?)")
    return _run_waited(ctx, line, ctx.seat.root)


# ---- commands with data lines ---------------------------------------------------------

@command("server", r"^server\s+(.*)$", "server PORT_S", data=True)
def run_server(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """Start the scripted server; it is waited for after the next exim command."""
    end_superseded_peer(ctx)
    pidfile = ctx.path("aux-var/server-daemon.pid")
    try:
        os.unlink(pidfile)
    except FileNotFoundError:
        pass
    opts = ""
    if not ctx.facts.have_ipv4:
        opts += " -noipv4"
    if not ctx.facts.have_ipv6:
        opts += " -noipv6"
    command = f"./bin/server{opts} -oP {pidfile} {m.group(1)}"
    proc = ctx.spawn(command, ctx.seat.caller, stdout=SERVER_STDOUT, stderr=SERVER_ERRORS)
    # As in Exim's harness, the server's script lines go to it as written (no substitution).
    lines = "".join(x + "\n" for x in cmd.data) + "++++\n"
    _feed_in_background(ctx, proc, lines.encode("latin-1"))
    ctx.server, ctx.server_line = proc, cmd.line
    if not wait_for_file(pidfile, proc, SERVER_START_TIMEOUT, ctx.cancel):
        ctx.say(f"server started at line {cmd.line} did not write its pid file")
    else:
        _settle(ctx, _read_pid(pidfile, ctx.cancel), "server")
    return Completion(CompletionKind.STARTED)


@command("write", r"^(cat)?write\s+(\S+)(?:\s+(.*))?\s*$", "write test-data",
         "catwrite f 2x10", data=True)
def run_write(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """Write a file from data lines and sized blocks (`catwrite` copies it to stdout)."""
    path = m.group(2)
    target = path if os.path.isabs(path) else ctx.path(path)
    parts = list(cmd.predata or [])
    blocks: list[str] = []
    for size in (m.group(3) or "").split() if cmd.sized else []:
        sm = re.match(r"(\d+)x(\d+)(?:=(.*))?", size)
        if not sm:
            raise CommandError(f"write: size '{size}' is not COUNTxLENGTH[=LEADIN]")
        leadin = (sm.group(3) or "").replace("_", " ")
        line = leadin + "a" * (int(sm.group(2)) - len(leadin) - 1)
        blocks.extend([line] * int(sm.group(1)))
    text = "".join(x + "\n" for x in [*parts, *blocks, *cmd.data])
    try:
        with open(target, "w", encoding="latin-1", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise CommandError(f"write: cannot write {target}: {exc.strerror}") from exc
    try:
        chown_if_root(target, ctx.facts.caller_uid, ctx.facts.caller_gid)
    except OSError:
        pass
    if m.group(1):
        ctx.append_text(STDOUT, "==========\n" + text + "==========\n")
    return Completion(CompletionKind.INLINE)


@command("client", r"^client", "client 127.0.0.1 PORT_D", "client-anytls -tls-on-connect x",
         data=True)
def run_client(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    command = m.string
    if ctx.config.tls_client and command.startswith("client-anytls"):
        command = ctx.config.tls_client + command[len("client-anytls"):]
    return _run_waited(ctx, "./bin/" + command, ctx.seat.caller, data=cmd.data)


@command("perl", r"^(sudo\s+)?perl\b", "perl -e 'print 1'", "sudo perl", data=True)
def run_perl(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    command = m.string
    who = ctx.seat.caller
    if m.group(1):
        command, who = command[len(m.group(1)):], ctx.seat.root
    return _run_waited(ctx, command, who, data=cmd.data)


@command("background", r"^background$", "background", data=True)
def run_background(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """Start one command line and leave it running until killdaemon."""
    command = ctx.substitute(cmd.data[0])
    stdin_fd = os.open(ctx.path(STDOUT), os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        proc = ctx.spawn(command, ctx.seat.caller, stdin=stdin_fd, stderr=SERVER_STDERR)
    finally:
        os.close(stdin_fd)
    ctx.kill_pid = proc.pid
    ctx.sleep(0.3)
    return Completion(CompletionKind.STARTED)


def _message_ids(ctx: TestContext, queue: str | None) -> list[str]:
    d = ctx.dir
    exe = f"{d}/eximdir/{ctx.config.exim_server}"
    argv = [exe, "-bp", *([queue] if queue else []), f"-DEXIM_PATH={exe}", "-C",
            f"{d}/test-config"]
    proc = ctx.tracker.spawn(argv, ctx.seat.caller, cwd=str(d), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out, _ = proc.communicate()
    ids = re.findall(r"^\s*\d+[smhdw]\s+\S+\s+(\S+)", out.decode("latin-1"), re.M)

    def key(mid: str) -> str:
        parts = mid.split("-")
        return f"{parts[0]}.{parts[2]}" if len(parts) >= 3 else mid

    return sorted(ids, key=key)


def write_test_config(ctx: TestContext) -> None:
    conf = ctx.config.suite / "confs" / ctx.testno
    try:
        text = read_text(conf)
    except OSError as exc:
        raise CommandError(f"cannot read {conf}: {exc.strerror}") from exc
    target = ctx.path("test-config")
    tmp = target + ".new"
    with open(tmp, "w", encoding="latin-1", newline="") as fh:
        fh.write(ctx.substitute(text))
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


# An exim command: optional VAR=value settings, an optional number of seconds to wait
# before closing its input, an optional sudo [-u user], then exim or exim_SUFFIX (one of
# the copies in eximdir) other than the utilities that are commands of their own.
EXIM_COMMAND = (
    r"^(?P<env>(?i:[A-Z\d_]+=\S+\s+)+)?(?P<wait>\d+)?\s*"
    r"(?P<sudo>sudo(?:\s+-u\s+(?P<user>\w+))?\s+)?exim(?!_lock\s|_id_update\b)(?P<special>_\S+)?\s+(?P<args>.*)$"
)


@command("exim", EXIM_COMMAND, "exim -bt x@y", "sudo exim -bV", "sudo -u exim exim -bV",
         "exim_exim -bV", "A=1 B=2 exim -bV", "3 exim -bs", "exim_msgdate -l E000000-005XGK-00",
         data=True, utilities=("exim_msgdate",))
def run_exim(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    d = ctx.dir
    seat, config = ctx.seat, ctx.config
    envset = m.group("env") or ""
    special = m.group("special") or ""
    wait_time = int(m.group("wait") or 0)
    args = m.group("args")
    who = seat.caller
    if m.group("sudo"):
        user = m.group("user")
        who = seat.root if not user else _identity_for(ctx, user)
    ctx.subtest += 1
    write_test_config(ctx)

    if "$msg" in args:
        queue = re.search(r"-qG\w+", args)
        ids = _message_ids(ctx, queue.group(0) if queue else None)
        for i in range(len(ids), 0, -1):
            args = args.replace(f"$msg{i}", ids[i - 1])
        if re.search(r"\$msg\d", args):
            raise CommandError(f"not enough messages in spool for line {cmd.line}")
    if re.search(r"(?:^|\s)-d", config.exim_optargs):
        args = re.sub(r"(?:^|\s)-d\S*", "", args)
    optargs = f" {config.exim_optargs}" if config.exim_optargs else ""
    # With -TLS, a daemon runs the binary of one TLS library and everything else the other.
    if special:
        name = f"exim{special}"
    elif re.search(r"(?:^|\s)-DSERVER=server\s", args + " "):
        name = config.exim_server
    else:
        name = config.exim_client
    exe = f"{d}/eximdir/{name}"
    exim = f"{exe}{optargs} -DEXIM_PATH={exe} -C {d}/test-config {args} "
    command = envset + exim

    if re.search(r"\s-DSERVER=server\s", command) and not re.search(r"\s-DNOTDAEMON\s", command):
        return _start_daemon(ctx, envset, exim, who)
    wait_port = re.search(r"\s-DSERVER=wait:(\d+)\s", command)
    if wait_port:
        return _start_inetd_daemon(ctx, command, who)
    stderr = SERVER_STDERR if re.search(r"\s-DSERVER=server\s", command) else STDERR
    return _run_waited(ctx, command, who, stderr=stderr, data=cmd.data, wait_time=wait_time,
                       kind=CompletionKind.WAITED_EXIM)


def _make_log_dir(ctx: TestContext) -> None:
    log = ctx.dir / "spool" / "log"
    log.mkdir(exist_ok=True)
    chown_if_root(log, ctx.facts.exim_uid, ctx.facts.exim_gid)


def _start_daemon(ctx: TestContext, envset: str, command: str, who: Identity) -> Completion:
    """An Exim daemon (`command`, run after the `envset` VAR=value prefix), with its pid
    file in the spool; -bd becomes -bdf so it stays ours.

    A daemon without -bd (a queue runner) forks away; it is given `-oP` too, so that its
    pid file lands in the spool rather than the binary's default place.
    """
    _make_log_dir(ctx)
    explicit = re.search(r"\s-oP\s+(\S+)", command)
    if explicit:
        pidfile = explicit.group(1)
        command = re.sub(r"\s-bd\s", " -bdf ", command, count=1)
    else:
        pidfile = ctx.path("spool/exim-daemon.pid")
        if re.search(r"\s-bd\s", command):
            command = re.sub(r"\s-bd\s", f" -bdf -oP {pidfile} ", command, count=1)
        else:
            command = command.rstrip() + f" -oP {pidfile} "
    try:
        os.unlink(pidfile)
    except OSError:
        pass
    # `exec`: the daemon replaces the shell, so that no shell reports how the daemon ended.
    proc = ctx.spawn(f"{envset}exec {command}", who, stderr=SERVER_STDERR)
    ctx.daemons.append(proc)
    if not wait_for_file(pidfile, proc, DAEMON_START_TIMEOUT, ctx.cancel, forks=True):
        ctx.say(f"daemon did not write its pid file {pidfile}")
    else:
        # It writes the file before it can catch SIGTERM, make its key and reach its loop.
        _settle(ctx, _read_pid(pidfile, ctx.cancel), "daemon")
    return Completion(CompletionKind.STARTED)


def _start_inetd_daemon(ctx: TestContext, command: str, who: Identity) -> Completion:
    """An Exim daemon in wait mode, handed its listening socket as stdin."""
    _make_log_dir(ctx)
    sock = ctx.dynamic_socket
    if sock is None:
        raise CommandError("-DSERVER=wait: needs PORT_DYNAMIC, which has no socket")
    proc = ctx.spawn(f"exec {command}", who, stdin=sock.fileno(), stderr=SERVER_STDERR)
    ctx.daemons.append(proc)  # exec'd: the process is the daemon, ended by killdaemon
    ctx.sleep(0.3)
    _settle(ctx, proc.pid, "daemon")
    return Completion(CompletionKind.STARTED)


def _identity_for(ctx: TestContext, user: str) -> Identity:
    import grp
    import pwd

    try:
        pw = pwd.getpwnam(user)
    except KeyError as exc:
        raise CommandError(f"sudo -u {user}: no such user") from exc
    groups = tuple(g.gr_gid for g in grp.getgrall() if user in g.gr_mem)
    env = dict(ctx.seat.root.env, USER=user, LOGNAME=user, HOME=pw.pw_dir)
    return Identity(pw.pw_uid, pw.pw_gid, (pw.pw_gid, *groups), env)


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


def close_server(ctx: TestContext) -> str | None:
    """Close the waiting peer's input and wait for it; a message if it did not end well."""
    proc = ctx.server
    if proc is None:
        return None
    ctx.server = None
    close_quietly(proc.stdin)
    proc.wait()
    ctx.tracker.forget(proc)
    rc = proc.returncode
    if rc == 0:
        return None
    if rc > 0:
        return f"Server return code {rc} for test {ctx.testno} starting line {ctx.server_line}"
    return f"Server killed by signal {-rc}"


def describe_status(status: int) -> str:
    if status >= 0:
        return f"Return code {status}"
    return f"Killed by signal {-status} ({signal.Signals(-status).name})"



_problems = check_grammar(COMMANDS)
if _problems:  # a declaration mistake: fail at import, not in the middle of a run
    raise RuntimeError("command declarations overlap: " + "; ".join(_problems))
