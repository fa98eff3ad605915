"""Commands that run a tool on the test's files: Exim's utilities, dumps, shell
commands, perl, writing files."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable

from harness.case.commands.registry import (
    CommandError,
    Completion,
    CompletionKind,
    command,
)
from harness.case.commands.running import (
    end_superseded_peer,
    exit_status,
    require_tool,
    run_waited,
    shell_tool,
)
from harness.case.context import (
    SERVER_ERRORS,
    STDERR,
    STDOUT,
    TestContext,
)
from harness.core.generation import Generation
from harness.host.processes import (
    chown_if_root,
)
from harness.suite.script import Command

DUMP_SEPARATOR = "+" * 27 + "\n"


DH_BITS_NORMAL = 2236  # the GnuTLS D-H size Exim asks for, part of the params file name


@command(
    "dbmbuild",
    r"^dbmbuild\s+(\S+)\s+(\S+)",
    "dbmbuild aux-fixed/a aux-var/a.db",
    utilities=("exim_dbmbuild",),
)
def run_dbmbuild(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    d = ctx.dir
    return shell_tool(
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
    exe = require_tool(ctx, "exim_dumpdb")
    proc = ctx.tracker.spawn(
        [str(exe), ctx.path("spool"), which],
        ctx.seat.caller,
        cwd=str(ctx.dir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=None,
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
    return Completion(CompletionKind.WAITED, exit_status(proc))


@command(
    "exim_lock", r"^exim_lock\s+(.*)$", "exim_lock -v test-mail/file", utilities=("exim_lock",)
)
def run_exim_lock(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    require_tool(ctx, "exim_lock")
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
        return shell_tool(ctx, name, command)

    command(name, pattern, *examples, utilities=(name,))(run_utility)


_utility(
    "exinext",
    r"^exinext\s+(.*)",
    "./eximdir/exinext -DEXIM_PATH={d}/eximdir/exim -C {d}/test-config {args}",
    "exinext userx@test.ex",
)

_utility(
    "exigrep", r"^exigrep\s+(.*)", "./eximdir/exigrep {args} {d}/spool/log/mainlog", "exigrep userx"
)

_utility(
    "exiqgrep",
    r"^exiqgrep(\s+.*)?$",
    "./eximdir/exiqgrep -E ./eximdir/exim -C {d}/test-config{args}",
    "exiqgrep -c",
    "exiqgrep",
)

_utility(
    "eximstats",
    r"^eximstats\s+(.*)",
    "./eximdir/eximstats {args} {d}/spool/log/mainlog",
    "eximstats -ne",
)


@command("gnutls", r"^gnutls", "gnutls")
def run_gnutls(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """Put saved GnuTLS D-H parameters in the spool so that Exim need not make them."""
    f = ctx.facts
    target = f"spool/gnutls-params-{DH_BITS_NORMAL}"
    command = (
        f"cp -p aux-fixed/gnutls-params {target} && chown {f.exim_uid}:{f.exim_gid} {target}"
        f" && chmod 0400 {target}"
    )
    return run_waited(ctx, command, ctx.seat.root, stdout=None, stderr=None)


@command(
    "shell",
    r"^(?:ln|ls|du|mkdir|mkfifo|touch|cp|cat)\s",
    "ls -l DIR/spool",
    "cat DIR/test-mail/x",
    "mkdir DIR/x",
)
def run_shell(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    return run_waited(ctx, m.string, ctx.seat.caller)


@command(
    "sudo_shell",
    r"^sudo\s+((?:mkdir|rmdir|rm|mv|cp|chown|chmod)\s.*)",
    "sudo rm DIR/spool/x",
    "sudo chmod 0400 f",
    "sudo mkdir -p DIR/spool/input",
    "sudo cp DIR/aux-fixed/x DIR/spool/input/",
)
def run_sudo_shell(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """A file command as root (mkdir and cp from 4.97; no script of 4.96 uses them)."""
    return run_waited(ctx, m.group(1), ctx.seat.root)


@command("cat2", r"^cat2\s+(.*)", "cat2 DIR/spool/log/serverdebuglog_2")
def run_cat2(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """`cat` whose output replaces the test's stderr (4.97); cat's own complaints are
    only shown, as they go to Exim's harness's terminal."""
    fd = os.open(ctx.path(STDERR), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        chown_if_root(fd, ctx.facts.caller_uid, ctx.facts.caller_gid)
    finally:
        os.close(fd)
    proc = ctx.spawn(f"cat {m.group(1)}", ctx.seat.caller, stdout=STDERR, stderr=SERVER_ERRORS)
    proc.wait()
    return Completion(CompletionKind.WAITED, exit_status(proc))


@command(
    "exim_id_update",
    r"^exim_id_update(\s+.*)?$",
    "exim_id_update -d",
    "exim_id_update",
    utilities=("exim_id_update",),
)
def run_exim_id_update(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """exim_id_update (4.97) over the test's spool, as root, its exit code in stdout."""
    require_tool(ctx, "exim_id_update")
    line = (
        f"(./eximdir/exim_id_update{m.group(1) or ''} {ctx.dir}/spool/input;"
        " echo exim_id_update exit code = $?)"
    )
    return run_waited(ctx, line, ctx.seat.root)


@command(
    "write",
    r"^(cat)?write\s+(\S+)(?:\s+(.*))?\s*$",
    "write test-data",
    "catwrite f 2x10",
    data=True,
)
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


@command("perl", r"^(sudo\s+)?perl\b", "perl -e 'print 1'", "sudo perl", data=True)
def run_perl(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    command = m.string
    who = ctx.seat.caller
    if m.group(1):
        command, who = command[len(m.group(1)) :], ctx.seat.root
    return run_waited(ctx, command, who, data=cmd.data)
