"""The munging package as the runner uses it, and the consistency of its rule tables."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from harness.core.generation import Generation
from harness.munge import (
    CUSTOM_MUNGES,
    KINDS,
    TestMunger,
    TestOptions,
    kind_for_path,
    munge_file_for_display,
    split_lines,
)
from harness.munge.model import STDERR, FileRun, Rule, Skip, ValueCache, rules_for
from harness.munge.pipeline import build, compile_steps, compiled
from tests.test_munge_rules import CASES, FACTS

G96 = Generation.G4_96


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("test-stdout", "stdout"),
        ("test-stdout-server", "stdout"),
        ("/w/test-stderr-server", "stderr"),
        ("spool/log/mainlog", "mainlog"),
        ("spool/log/servermainlog", "mainlog"),
        ("spool/log/paniclog", "paniclog"),
        ("spool/log/rejectlog", "rejectlog"),
        ("spool/msglog/1pXyZa-000Abc-Zz", "msglog"),
        ("test-mail/userx", "mail"),
        ("suite/stdout/0001", "stdout"),
        ("suite/log/0001", "mainlog"),
        ("suite/mail/0001.userx", "mail"),
        ("suite/msglog/0001.10HmaX-0005vi-00", "msglog"),
        ("/home/logan/suite/mail/0001.userx", "mail"),
    ],
)
def test_kind_for_path(path: str, kind: str) -> None:
    assert kind_for_path(path) == kind


def test_munge_file_for_display(tmp_path: Path) -> None:
    f = tmp_path / "stderr" / "0001"
    f.parent.mkdir()
    f.write_bytes(b"Exim version 4.96 uid=0\n12:00:00 123 \xe9t\xe9\n")
    munged = munge_file_for_display(f, FACTS, Generation.G4_96)
    assert munged == "Exim version x.yz ....\n01:01:01 1234 \xe9t\xe9\n"


def test_munge_file_for_display_munges_as_the_generation_asked(tmp_path: Path) -> None:
    """A 4.97+ message id is munged as such only under 4.97 and later (--munge FILE used to
    munge everything as 4.96)."""
    f = tmp_path / "log" / "0001"
    f.parent.mkdir()
    f.write_text("2025-01-02 03:04:05 1tXYZa-00000000ABC-0ABC <= x@y\n")
    assert "10HmaX-000000005vi-0000" in munge_file_for_display(f, FACTS, Generation.G4_99)
    assert "10HmaX-000000005vi-0000" not in munge_file_for_display(f, FACTS, Generation.G4_96)


def test_munge_file_for_display_names_an_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nothing-here"):
        munge_file_for_display(tmp_path / "nothing-here", FACTS, Generation.G4_96)


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown output kind 'stdin'"):
        TestMunger(FACTS, TestOptions(Generation.G4_96)).munge("x\n", "stdin")


def test_empty_text_and_missing_final_newline() -> None:
    m = TestMunger(FACTS, TestOptions(Generation.G4_96))
    assert m.munge("", "stdout") == ("", False)
    assert m.munge("a\nmyhost.test.ex", "stdout") == ("a\nthe.local.host.name", False)


def test_only_newline_separates_lines() -> None:
    assert split_lines("a\rb\x85c\nd\x0ce\n\nf") == ["a\rb\x85c\n", "d\x0ce\n", "\n", "f"]
    out, _ = TestMunger(FACTS, TestOptions(Generation.G4_96)).munge("x\x85 pid=12\n", "stderr")
    assert out == "x\x85 pid=pppp\n"


def test_unknown_custom_munge_names_change_nothing() -> None:
    m = TestMunger(FACTS, TestOptions(Generation.G4_96))
    assert m.munge("Content-length: 123\n", "stdout", "no-such-munge")[0] == (
        "Content-length: 123\n"
    )


def all_steps():
    for kind in KINDS:
        yield from build(FACTS, kind, False, True, 40123, None, G96)


def test_step_names_are_unique_per_pipeline_and_explained() -> None:
    for kind in KINDS:
        steps = build(FACTS, kind, False, True, 40123, None, G96)
        names = [s.name for s in steps]
        assert len(names) == len(set(names)), kind
    for step in all_steps():
        assert step.reason and step.name
        assert step.kinds <= set(KINDS)


def test_custom_munges_name_only_known_kinds() -> None:
    for name, edits in CUSTOM_MUNGES.items():
        assert set(edits) <= set(KINDS), name


def test_pipelines_are_built_once_per_setting() -> None:
    assert compiled(FACTS, "stdout", False, False, None, None, G96) is compiled(
        FACTS, "stdout", False, False, None, None, G96
    )


def _step_by_step(text: str, kind: str, opts: dict) -> str:
    """Run the steps one by one (no compiled function) as a reference."""
    from harness.munge.model import EndOfInput, Restart

    generation = Generation.parse(opts.get("generation", "4.96"))
    steps = build(
        FACTS,
        kind,
        bool(opts.get("ipv6test")),
        bool(opts.get("rmfiltertest")),
        opts.get("dynport"),
        opts.get("custom"),
        generation,
    )
    run = FileRun(split_lines(text), kind, ValueCache(generation))
    try:
        while (line := run.read()) is not None:
            while True:
                try:
                    current: str | None = line
                    for step in steps:
                        current = step.apply(current, run)
                        if current is None:
                            break
                except Restart as again:
                    if again.line is None:
                        raise EndOfInput from None
                    line = again.line
                    continue
                break
            if current:
                run.out.append(current)
    except EndOfInput:
        pass
    return "".join(run.out)


def test_compiled_pipelines_match_applying_each_step() -> None:
    for case in CASES:
        rule, kind, raw, munged = case[:4]
        opts = case[4] if len(case) > 4 else {}
        assert _step_by_step(raw, kind, opts) == munged, rule


class _ShoutingRule(Rule):
    """A rule whose `apply` does more than its pattern: it upper-cases what it changed."""

    def apply(self, line: str, run: FileRun | None = None) -> str | None:
        munged = super().apply(line, run)
        return munged.upper() if munged is not None and munged != line else munged


class _SkipUnlessKept(Skip):
    """A skip whose `apply` spares lines that also say "keep"."""

    def apply(self, line: str, run: FileRun | None = None) -> str | None:
        return line if "keep" in line else super().apply(line, run)


def test_compiled_pipelines_call_subclasses_apply() -> None:
    steps = (
        _ShoutingRule("shout", r"quiet", "loud", "test", needle="quiet"),
        _SkipUnlessKept("drop", r"^drop", "test", needle="drop"),
        Rule("plain", r"x", "y", "test", needle="x"),
        Skip("plain-skip", r"^gone", "test", needle="gone"),
    )
    munge_line = compile_steps(steps)
    run = FileRun([], "stdout", ValueCache(G96))
    cases = {
        "a quiet line x\n": "A LOUD LINE X\n",
        "left alone\n": "left alone\n",
        "drop this\n": None,
        "drop but keep x\n": "drop but keep y\n",
        "gone\n": None,
    }
    for line, expected in cases.items():
        stepwise: str | None = line
        for step in steps:
            assert stepwise is not None
            stepwise = step.apply(stepwise, run)
            if stepwise is None:
                break
        assert stepwise == expected, line
        assert munge_line(line, run) == expected, line


def test_rules_for_makes_plain_rules_and_skips_of_those_kinds() -> None:
    rule, skip = rules_for(STDERR)
    made = [rule("r", "a", "b", "test", needle="a"), skip("s", "^c", "test")]
    assert [type(step) for step in made] == [Rule, Skip]  # so compiled pipelines inline them
    assert all(step.kinds == STDERR for step in made)
    assert compile_steps(tuple(made))("a c\n", FileRun([], "stderr", ValueCache(G96))) == "b c\n"


def test_every_step_class_is_an_identity_compared_dataclass() -> None:
    classes = {
        type(step)
        for kind in KINDS
        for custom in (None, *CUSTOM_MUNGES)
        for step in build(FACTS, kind, False, True, 4444, custom, G96)
    }
    assert len(classes) > 20
    for cls in classes:
        assert dataclasses.is_dataclass(cls), cls.__name__
        assert cls.__eq__ is object.__eq__, cls.__name__
