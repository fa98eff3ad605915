"""Commands that start the peer programs: a scripted server, a client."""

from __future__ import annotations

import os
import re

from harness.case.commands.registry import Completion, CompletionKind, command
from harness.case.commands.running import (
    end_superseded_peer,
    feed_in_background,
    read_pid,
    run_waited,
    settle,
)
from harness.case.context import (
    SERVER_ERRORS,
    SERVER_STDOUT,
    TestContext,
)
from harness.host.processes import (
    wait_for_file,
)
from harness.suite.script import Command

SERVER_START_TIMEOUT = 10.0


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
    feed_in_background(ctx, proc, lines.encode("latin-1"))
    ctx.server, ctx.server_line = proc, cmd.line
    if not wait_for_file(pidfile, proc, SERVER_START_TIMEOUT, ctx.cancel):
        ctx.say(f"server started at line {cmd.line} did not write its pid file")
    else:
        settle(ctx, read_pid(pidfile, ctx.cancel), "server")
    return Completion(CompletionKind.STARTED)


@command(
    "client", r"^client", "client 127.0.0.1 PORT_D", "client-anytls -tls-on-connect x", data=True
)
def run_client(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    command = m.string
    if ctx.config.tls_client and command.startswith("client-anytls"):
        command = ctx.config.tls_client + command[len("client-anytls") :]
    return run_waited(ctx, "./bin/" + command, ctx.seat.caller, data=cmd.data)
