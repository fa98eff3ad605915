"""The ordered list of steps for one kind of file, and the loop that runs a file through it.

Pipelines hold no per-test state, so one is built per (host facts, kind, test options,
custom munge) and reused across tests.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import cast

import harness.munge.rules_common as rules_common
import harness.munge.rules_host as rules_host
import harness.munge.rules_log as rules_log
import harness.munge.rules_stderr as rules_stderr
import harness.munge.rules_stdout as rules_stdout
import harness.munge.rules_tls as rules_tls
from harness.core.generation import Generation
from harness.host.hostfacts import HostFacts
from harness.munge.custom import custom_step
from harness.munge.model import FAMILY, EndOfInput, FileRun, Restart, Rule, Skip, Step, for_kind
from harness.munge.ordering import MaildirsizeData
from harness.munge.state import (
    ADDRESS_PORT,
    ADDRESS_PORT_LITERAL,
    CONNECTION_REQUEST_PORT,
    DUMPDB_TIMES,
    LOG_PID,
    PORT_EQUALS,
    PORT_LINE,
    RETRY_RECORDS,
    SYSLOG_PID,
    DaemonPidPrefix,
    LongMessageIds,
    MarkTruncated,
    MessageIds,
)

LineFunction = Callable[[str, FileRun], "str | None"]

HOST_ADDRESS_PORT = Rule(
    "spool-host-address-port",
    r"^(--?host_address) (.*[:.])\d+$",
    r"\1 \g<2>9999",
    "the remote port in a spool header shown by -Mvh",
    needle="host_address",
)


def common_steps(facts: HostFacts, is_ipv6test: bool, dynamic_port: int | None) -> list[Step]:
    """Everything every kind of file goes through, in order."""
    steps: list[Step] = [
        MarkTruncated(),
        *rules_host.identity(facts),
        MessageIds(),
        LongMessageIds(),
        *rules_common.EARLY,
    ]
    if not is_ipv6test:
        steps.append(rules_common.LISTENING_ADDRESSES)
    steps += [
        *rules_common.MISC,
        *DUMPDB_TIMES,
        *rules_common.DUMPDB,
        *rules_host.dumpdb_ports(facts),
        *rules_common.DATES,
        *RETRY_RECORDS,
        *rules_common.RETRY_TIMES,
        *rules_tls.TLS,
        *rules_host.caller(facts),
        *rules_host.exim_user(facts),
        *rules_common.IDS,
        LOG_PID,
        SYSLOG_PID,
        DaemonPidPrefix(),
        *rules_common.QUEUE_RUNNERS,
        PORT_LINE,
        PORT_EQUALS,
        CONNECTION_REQUEST_PORT,
        ADDRESS_PORT,
        ADDRESS_PORT_LITERAL,
        HOST_ADDRESS_PORT,
    ]
    if dynamic_port is not None:
        steps.append(rules_host.dynamic_port(dynamic_port))
    steps += [
        *rules_common.HOST_LINES,
        *rules_host.addresses(facts),
        rules_common.HOST_LINE_TRAILER,
        *rules_host.test_networks(facts),
        *rules_common.ERRORS,
        rules_common.LsListing(),
        *rules_common.SIZES,
        *rules_tls.OPENSSL,
        *rules_common.MAILDIR,
        MaildirsizeData(),
        *rules_common.LATE,
    ]
    return steps


def family_steps(
    facts: HostFacts, family: str, rmfiltertest: bool, generation: Generation
) -> list[Step]:
    """The steps only one family of files goes through, after the common ones."""
    if family == "stdout":
        headings = rules_stdout.FILTER_TEST_HEADINGS if rmfiltertest else []
        return [
            *rules_stdout.BUILD_OPTIONS,
            *headings,
            *rules_host.stdout_port_names(facts),
            *rules_stdout.RULES,
        ]
    if family == "stderr":
        return rules_stderr.steps(facts, generation)
    if family == "log":
        return rules_log.steps(facts)
    return rules_log.mail_steps(facts)


@lru_cache(maxsize=64)
def compiled(
    facts: HostFacts,
    kind: str,
    is_ipv6test: bool,
    rmfiltertest: bool,
    dynamic_port: int | None,
    custom: str | None,
    generation: Generation,
) -> LineFunction:
    """The pipeline for these settings as one function (see `compile_steps`)."""
    return compile_steps(
        build(facts, kind, is_ipv6test, rmfiltertest, dynamic_port, custom, generation)
    )


@lru_cache(maxsize=64)
def build(
    facts: HostFacts,
    kind: str,
    is_ipv6test: bool,
    rmfiltertest: bool,
    dynamic_port: int | None,
    custom: str | None,
    generation: Generation,
) -> tuple[Step, ...]:
    """The steps for one kind of file under these settings, in order."""
    steps: list[Step] = []
    extra = custom_step(custom, kind, generation)
    if extra is not None:
        steps.append(extra)
    steps += common_steps(facts, is_ipv6test, dynamic_port)
    steps += family_steps(facts, FAMILY[kind], rmfiltertest, generation)
    return tuple(for_kind(steps, kind, generation))


def compile_steps(steps: tuple[Step, ...]) -> LineFunction:
    """Turn a step list into one function doing the same, line -> line or None.

    Calling each step in turn costs more than most steps' own work (a substring test
    that fails), so rules and skips are written out inline: their guard, then their
    pattern. Other steps, subclasses of `Rule` and `Skip` among them (they may override
    `apply`), are called as they are, behind their guard if they have one.
    """
    names: dict[str, object] = {}
    body: list[str] = []
    for i, step in enumerate(steps):
        if type(step) is Rule:
            test = step.guard.expr(names, str(i))
            if step.condition is not None:
                names[f"when{i}"] = step.condition.search
                test += f" and when{i}(line)"
            names[f"sub{i}"], names[f"repl{i}"] = step.regex.sub, step.repl
            body += [f"    if {test}:", f"        line = sub{i}(repl{i}, line, {step.count})"]
        elif type(step) is Skip:
            names[f"search{i}"] = step.regex.search
            body += [
                f"    if {step.guard.expr(names, str(i))} and search{i}(line):",
                "        return None",
            ]
        else:
            names[f"step{i}"] = step.apply
            call = [f"line = step{i}(line, run)", "if line is None:", "    return None"]
            if step.guard is not None:
                body.append(f"    if {step.guard.expr(names, str(i))}:")
                body += ["        " + c for c in call]
            else:
                body += ["    " + c for c in call]
    source = "\n".join(["def munge_line(line, run):", *body, "    return line", ""])
    exec(compile(source, "<munge pipeline>", "exec"), names)
    return cast(LineFunction, names["munge_line"])


def run_file(run: FileRun, munge_line: LineFunction) -> None:
    """Munge every line of `run` with `munge_line`, writing to `run.out`."""
    read = run.read
    out = run.out
    try:
        while (line := read()) is not None:
            while True:
                try:
                    result = munge_line(line, run)
                except Restart as again:
                    if again.line is None:  # ran off the end: nothing more is written
                        return
                    line = again.line
                    continue
                break
            if result:
                out.append(result)
    except EndOfInput:
        pass
