"""The exim command, its daemons and what ends them (killdaemon)."""

from __future__ import annotations

import os
import re
import subprocess

from harness.case.commands import running
from harness.case.commands.registry import (
    CommandError,
    Completion,
    CompletionKind,
    command,
)
from harness.case.commands.running import read_pid, run_waited, settle
from harness.case.context import (
    SERVER_STDERR,
    STDERR,
    TestContext,
)
from harness.core.suitefiles import read_text
from harness.host.processes import (
    Identity,
    chown_if_root,
    close_quietly,
    wait_for_file,
    wait_while_running,
)
from harness.suite.script import Command

DAEMON_START_TIMEOUT = 9.0


DAEMON_END_TIMEOUT = 30.0  # from SIGTERM to its exit (a child removes the pid file)


def message_ids(ctx: TestContext, queue: str | None) -> list[str]:
    d = ctx.dir
    exe = f"{d}/eximdir/{ctx.config.exim_server}"
    argv = [exe, "-bp", *([queue] if queue else []), f"-DEXIM_PATH={exe}", "-C", f"{d}/test-config"]
    proc = ctx.tracker.spawn(
        argv,
        ctx.seat.caller,
        cwd=str(d),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
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


@command(
    "exim",
    EXIM_COMMAND,
    "exim -bt x@y",
    "sudo exim -bV",
    "sudo -u exim exim -bV",
    "exim_exim -bV",
    "A=1 B=2 exim -bV",
    "3 exim -bs",
    "exim_msgdate -l E000000-005XGK-00",
    data=True,
    utilities=("exim_msgdate",),
)
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
        who = seat.root if not user else identity_for(ctx, user)
    ctx.subtest += 1
    write_test_config(ctx)

    if "$msg" in args:
        queue = re.search(r"-qG\w+", args)
        ids = message_ids(ctx, queue.group(0) if queue else None)
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
    # -VALGRIND: memcheck, with the suite's suppressions, as Exim's harness runs it
    under = (
        f"valgrind --leak-check=yes --suppressions={d}/aux-fixed/valgrind.supp "
        if config.valgrind
        else ""
    )
    exim = f"{under}{exe}{optargs} -DEXIM_PATH={exe} -C {d}/test-config {args} "
    command = envset + exim

    if re.search(r"\s-DSERVER=server\s", command) and not re.search(r"\s-DNOTDAEMON\s", command):
        return _start_daemon(ctx, envset, exim, who)
    wait_port = re.search(r"\s-DSERVER=wait:(\d+)\s", command)
    if wait_port:
        return _start_inetd_daemon(ctx, command, who)
    stderr = SERVER_STDERR if re.search(r"\s-DSERVER=server\s", command) else STDERR
    return run_waited(
        ctx,
        command,
        who,
        stderr=stderr,
        data=cmd.data,
        wait_time=wait_time,
        kind=CompletionKind.WAITED_EXIM,
    )


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
        settle(ctx, read_pid(pidfile, ctx.cancel), "daemon")
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
    settle(ctx, proc.pid, "daemon")
    return Completion(CompletionKind.STARTED)


def identity_for(ctx: TestContext, user: str) -> Identity:
    import grp
    import pwd

    try:
        pw = pwd.getpwnam(user)
    except KeyError as exc:
        raise CommandError(f"sudo -u {user}: no such user") from exc
    groups = tuple(g.gr_gid for g in grp.getgrall() if user in g.gr_mem)
    env = dict(ctx.seat.root.env, USER=user, LOGNAME=user, HOME=pw.pw_dir)
    return Identity(pw.pw_uid, pw.pw_gid, (pw.pw_gid, *groups), env)


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
        pid = read_pid(str(pidfile))
        if pid is not None:
            daemons.append(pid)
    # The daemons the runner started (exec'd in place of their shell) are ended even when
    # their pid file is missing for a moment, as while a daemon re-execs itself.
    daemons.extend(proc.pid for proc in ctx.daemons if proc.poll() is None)
    daemons = list(dict.fromkeys(daemons))
    for pid in daemons:
        if (
            not wait_while_running(pid, running.DAEMON_SETTLE_TIMEOUT, ctx.cancel)
            and not ctx.cancel.is_set()
        ):
            ctx.say(f"daemon {pid} was still busy after {running.DAEMON_SETTLE_TIMEOUT:g}s")
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
