"""Commands that steer the script itself: comments, echo, pauses, munge, background."""

from __future__ import annotations

import os
import re

from harness.case.commands.registry import Completion, CompletionKind, command
from harness.case.context import (
    SERVER_STDERR,
    SERVER_STDOUT,
    STDERR,
    STDOUT,
    TestContext,
)
from harness.suite.script import Command


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


@command("background", r"^background$", "background", data=True)
def run_background(ctx: TestContext, cmd: Command, m: re.Match[str]) -> Completion:
    """Start one command line and leave it running until killdaemon.

    As in Exim's harness, the shell execs the command, so that the pid killdaemon ends is
    the server's own, not that of a shell which would leave the server behind.
    """
    command = ctx.substitute(cmd.data[0])
    stdin_fd = os.open(ctx.path(STDOUT), os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        proc = ctx.spawn(f"exec {command}", ctx.seat.caller, stdin=stdin_fd, stderr=SERVER_STDERR)
    finally:
        os.close(stdin_fd)
    ctx.kill_pid = proc.pid
    ctx.sleep(0.3)
    return Completion(CompletionKind.STARTED)
