"""What changed in the harness from 4.97 on, outside munging: generations, REQUIRES,
substitutions, commands, the probe's TRUSTED_CONFIG_LIST check and the summary logs."""

from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from harness.case.commands import COMMANDS, CommandError, parse_script, spec_for
from harness.case.compare import unmunged
from harness.case.config import RunConfig, Seat
from harness.case.context import TestContext
from harness.case.workdir import WorkDir
from harness.core.errors import BinaryError
from harness.core.generation import Generation
from harness.core.results import (
    Mismatch,
    MismatchKind,
    Outcome,
    Requirement,
    RunInfo,
    TestCase,
    TestResult,
)
from harness.host.eximbinary import Capabilities, parse_bv
from harness.host.hostfacts import HostFacts
from harness.host.peerlib import PeerRuntime
from harness.host.probe import BinaryInfo, check_trusted_configs
from harness.host.processes import Identity, ProcessTracker
from harness.reports.eximsummary import EximSummaryLogs
from harness.suite.expectedfiles import ExpectedFiles
from harness.suite.requirements import Environment, RequirementError, unmet
from harness.suite.script import parse_text
from harness.suite.substitute import Substituter

G = Generation


@pytest.mark.parametrize(
    ("version", "label"),
    [
        ("4.96", "4.96"),
        ("4.96.1", "4.96"),
        ("4.95", "4.96"),
        ("4.97.1", "4.97"),
        ("4.98.2", "4.98"),
        ("4.99.1", "4.99"),
        ("4.99.1-148-13835a3c1", "master"),
        ("4.99.1-148", "master"),
        ("4.98.2-7-gabc1234-XX", "4.99"),
        ("4.99-RC2", "4.99"),
        ("4.100", "master"),
    ],
)
def test_generation_of_a_version(version: str, label: str) -> None:
    assert Generation.for_version(version).label == label


def test_generation_names() -> None:
    assert Generation.parse("master") is G.MASTER and Generation.parse("4.97") is G.G4_97
    with pytest.raises(ValueError, match="unknown harness generation"):
        Generation.parse("4.95")


def test_bv_lists_built_in_and_dynamic_are_merged() -> None:
    caps = parse_bv(
        "Lookups (built-in): lsearch cdb\nLookups (dynamic):  sqlite\n"
        "Routers (built-in): accept\nRouters (dynamic): redirect\n"
        "Authenticators: plaintext\nTransports (built-in): appendfile/maildir\n"
    )
    assert caps.lookups == {"lsearch", "cdb", "sqlite"}
    assert caps.routers == {"accept", "redirect"} and caps.authenticators == {"plaintext"}
    assert {"appendfile", "appendfile/maildir"} <= caps.transports


def _env(facts: HostFacts, **features: bool) -> Environment:
    caps = Capabilities(support={"DKIM"}, lookups={"lsearch"})
    return Environment(caps, facts, dict(features), Substituter(facts, G.G4_96).apply)


def _req(text: str) -> Requirement:
    return Requirement(text, Path("scripts/0999-x/REQUIRES"), 3)


def test_not_feature_skips_when_the_macro_is_defined(facts: HostFacts) -> None:
    env = _env(facts, _HAVE_DSN_INFO=True, _HAVE_OTHER=False)
    assert (
        unmet([_req("not feature _HAVE_DSN_INFO")], [], env) == "feature _HAVE_DSN_INFO is present"
    )
    assert unmet([_req("not feature _HAVE_OTHER")], [], env) is None
    assert unmet([_req("feature _HAVE_OTHER")], [], env) == "missing feature _HAVE_OTHER"


def test_file_requirement_is_substituted(tmp_path: Path, facts: HostFacts) -> None:
    facts = replace(facts, cwd=str(tmp_path))
    (tmp_path / "bin.sys").mkdir()
    (tmp_path / "bin.sys" / "psql").write_text("")
    env = _env(facts)
    assert unmet([_req("file DIR/bin.sys/psql")], [], env) is None
    assert (
        unmet([_req("file DIR/bin.sys/mysqld")], [], env)
        == f"missing file {tmp_path}/bin.sys/mysqld"
    )


def test_unknown_requirement_names_file_and_line(facts: HostFacts) -> None:
    with pytest.raises(RequirementError, match=r"scripts/0999-x/REQUIRES:3: unknown"):
        unmet([_req("frobnicate x")], [], _env(facts))


def test_need_words_and_lists(facts: HostFacts) -> None:
    env = _env(replace(facts, have_ipv6=False))
    assert unmet([_req("support DKIM"), _req("lookup lsearch")], ["need_ipv4"], env) is None
    assert unmet([], ["need_ipv6"], env) == "IPv6 is needed but not available"
    assert unmet([_req("lookup cdb")], [], env) == "missing lookup cdb"


def test_port_d_after_underscore_is_substituted_from_4_99(facts: HostFacts) -> None:
    text = "_PORT_D._tcp.x. TLSA PORT_D"
    assert Substituter(facts, G.G4_96).apply(text) == "_PORT_D._tcp.x. TLSA 1225"
    assert Substituter(facts, G.G4_99).apply(text) == "_1225._tcp.x. TLSA 1225"


def test_templated_files_get_their_own_number_from_4_99(tmp_path: Path, facts: HostFacts) -> None:
    suite = tmp_path / "suite"
    (suite / "aux-var-src").mkdir(parents=True)
    (suite / "aux-var-src" / "4117.f-1").write_text("test TESTNUM\n")
    (suite / "aux-var-src" / "plain").write_text("test TESTNUM\n")
    for generation, expected in ((G.G4_96, "0"), (G.G4_99, "4117")):
        root = tmp_path / generation.label
        root.mkdir()
        peers = PeerRuntime(Path(sys.executable), root / "lib")
        work = WorkDir(root, suite, replace(facts, cwd=str(root)), peers, generation)
        work._templated_dir("aux-var", Substituter(work.facts, generation))
        assert (root / "aux-var" / "4117.f-1").read_text() == f"test {expected}\n"
        assert (root / "aux-var" / "plain").read_text() == "test 0\n"


def test_new_commands_parse_as_themselves() -> None:
    s = parse_text(
        Path("t"),
        "# t\ncat2 DIR/spool/log/x\nexim_id_update -d\nsudo mkdir -p a\n"
        "sudo cp a b\nexim_msgdate -l x\n****\n",
        COMMANDS,
    )
    assert [c.name for c in s.commands] == [
        "cat2",
        "exim_id_update",
        "sudo_shell",
        "sudo_shell",
        "exim",
    ]
    assert re.match(spec_for("exim").pattern, "exim_msgdate -l x")


def test_write_with_sizes_may_end_at_stars() -> None:
    s = parse_text(Path("t"), "# t\nwrite f 2x10\nhead\n****\nexim -bV\n****\n", COMMANDS)
    write, exim = s.commands
    assert write.predata == ["head"] and not write.sized and write.data == []
    assert exim.name == "exim"


def test_no_munge_keeps_output_but_exim_msgdate_path(tmp_path: Path) -> None:
    line = (
        f"localhost 0 from message-id != given number 3 at {tmp_path}/eximdir/"
        "exim_msgdate line 421.\n"
    )
    want = (
        "localhost 0 from message-id != given number 3 at DIR/test/eximdir/exim_msgdate line 421.\n"
    )
    assert unmunged(line + "2017-01-01 x\n", tmp_path, G.G4_99) == want + "2017-01-01 x\n"
    assert unmunged(line, tmp_path, G.G4_98) == line  # 4.97/4.98 knew only line 387
    assert unmunged(line, tmp_path, G.G4_96) == line


def _info(listed: Path | None) -> BinaryInfo:
    return BinaryInfo("4.99.1", "exim", "exim", str(listed) if listed else None, None, "")


def test_trusted_config_list_must_hold_every_config(tmp_path: Path) -> None:
    listed = tmp_path / "trusted"
    listed.write_text(f"{tmp_path}/w0/test-config\n")
    os.chmod(listed, 0o644)
    configs = [tmp_path / "w0" / "test-config", tmp_path / "w1" / "test-config"]
    check_trusted_configs(_info(None), Path("/x/exim"), configs)  # no list: nothing to check
    check_trusted_configs(_info(listed), Path("/x/exim"), configs[:1])
    with pytest.raises(BinaryError) as err:
        check_trusted_configs(_info(listed), Path("/x/exim"), configs)
    assert str(err.value).endswith(f"TRUSTED_CONFIG_LIST {listed}:\n{tmp_path}/w1/test-config")
    os.chmod(listed, 0o666)
    with pytest.raises(BinaryError, match="writable by nobody else"):
        check_trusted_configs(_info(listed), Path("/x/exim"), configs[:1])
    note = check_trusted_configs(_info(tmp_path / "nothing"), Path("/x/exim"), configs[:1])
    assert note and note.startswith(f"note: no TRUSTED_CONFIG_LIST {tmp_path}/nothing")


def test_summary_logs_as_exim_writes_them(tmp_path: Path) -> None:
    def result(number: str, outcome: Outcome, *mismatches: Mismatch) -> TestResult:
        return TestResult(
            TestCase(number, "0000-Basic", tmp_path / number), outcome, mismatches=mismatches
        )

    (tmp_path / "run-summary.log").write_text("stale\n")
    (tmp_path / "failed-summary.log").write_text("Test 0001 earlier failed\n")
    logs = EximSummaryLogs(tmp_path)
    logs.run_started(RunInfo(tmp_path, tmp_path, 4, 1, tmp_path))
    logs.test_finished(result("0002", Outcome.PASSED))
    logs.test_finished(
        result(
            "0003",
            Outcome.FAILED,
            Mismatch("stdout/0003", "differs"),
            Mismatch("mail/0003.userx", "no mail", kind=MismatchKind.MISSING),
            Mismatch("log/0003", "x", kind=MismatchKind.UNEXPECTED, raw="spool/log/mainlog"),
        )
    )
    logs.test_finished(result("0004", Outcome.FAILED))
    logs.test_finished(result("0005", Outcome.SKIPPED))
    assert (tmp_path / "run-summary.log").read_text() == "0002 P\n0003 F\n0004 F\n0005 .\n"
    assert (tmp_path / "failed-summary.log").read_text() == (
        "Test 0001 earlier failed\nTest 0003 stdout/0003 failed\nTest 0003 missing email failed\n"
        "Test 0003 spool/log/mainlog failed\nTest 0004 exit code unexpected failed\n"
    )


# -- handlers, run for real in a scratch directory (as the current user) -----------------


@pytest.fixture
def ctx(tmp_path: Path, facts: HostFacts) -> TestContext:
    me = Identity(
        os.getuid(), os.getgid(), (os.getgid(),), {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    )
    facts = replace(facts, cwd=str(tmp_path), caller_uid=os.getuid(), caller_gid=os.getgid())
    config = RunConfig(
        tmp_path,
        Path("exim"),
        G.G4_99,
        None,
        Capabilities(),
        ExpectedFiles.for_suite(tmp_path, G.G4_99, None),
    )
    (tmp_path / "script").write_text("# t\n")
    script = parse_script(tmp_path / "script")
    return TestContext(
        config,
        Seat(0, facts, me, me),
        "0999",
        script,
        ProcessTracker(),
        Substituter(facts, G.G4_99),
    )


def _run(ctx: TestContext, line: str, env: dict[str, str] | None = None) -> int:
    (cmd,) = parse_text(Path("t"), f"# t\n{line}\n", COMMANDS).commands
    spec = spec_for(cmd.name)
    ctx.command_env = env or {}
    m = spec.pattern.match(ctx.substitute(cmd.text))
    assert m
    return spec.handler(ctx, cmd, m).status


def test_cat2_replaces_stderr(ctx: TestContext, tmp_path: Path) -> None:
    (tmp_path / "test-stderr").write_text("old\n")
    (tmp_path / "debuglog").write_text("from the log\n")
    assert _run(ctx, "cat2 DIR/debuglog") == 0
    assert (tmp_path / "test-stderr").read_text() == "from the log\n"
    assert _run(ctx, "cat2 DIR/nonexistent") != 0
    assert (tmp_path / "test-stderr").read_text() == ""


def test_exim_id_update_needs_its_utility(ctx: TestContext) -> None:
    with pytest.raises(CommandError, match="exim_id_update was not found"):
        _run(ctx, "exim_id_update -d")


def test_sudo_mkdir_and_cp(ctx: TestContext, tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    assert _run(ctx, "sudo mkdir -p DIR/spool/input") == 0
    assert _run(ctx, "sudo cp DIR/f DIR/spool/input/") == 0
    assert (tmp_path / "spool" / "input" / "f").read_text() == "x"


def test_return_code_line_environment_reaches_any_command(ctx: TestContext, tmp_path: Path) -> None:
    assert _run(ctx, "ls DIR/$ZZ", {"ZZ": "f-none"}) != 0
    (tmp_path / "f-here").write_text("")
    assert _run(ctx, "ls DIR/$ZZ", {"ZZ": "f-here"}) == 0


def test_every_declared_command_has_an_example() -> None:
    assert all(spec.examples for spec in COMMANDS)


def test_trusted_config_list_counts_only_the_entries_exim_reads(tmp_path: Path) -> None:
    # Exim keeps the first 32 lines that start with "/" (after blanks) and ignores the rest.
    listed = tmp_path / "trusted"
    fillers = [f"/elsewhere/{i}/test-config" for i in range(31)]
    ours = [tmp_path / f"w{i}" / "test-config" for i in range(2)]
    listed.write_text("# comment\n\n" + "\n".join(fillers) + f"\n  {ours[0]}\n{ours[1]}\n")
    os.chmod(listed, 0o644)
    check_trusted_configs(_info(listed), Path("/x/exim"), ours[:1])  # the 32nd entry
    with pytest.raises(BinaryError) as err:
        check_trusted_configs(_info(listed), Path("/x/exim"), ours)
    assert "1 of them are listed, but after the first 32 entries" in str(err.value)
    assert str(err.value).endswith(f"put them first):\n{ours[1]}")
