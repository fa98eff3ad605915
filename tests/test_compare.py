"""The output checks against expected files, on files made here (no Exim needed)."""

from __future__ import annotations

from pathlib import Path

from harness.case.compare import Checker, CheckSpec
from harness.core.generation import Generation
from harness.munge import TestMunger, TestOptions
from harness.suite.expectedfiles import ExpectedFiles


def checker(
    suite: Path,
    work: Path,
    facts,
    flavour: str | None = None,
    generation: Generation = Generation.G4_96,
    **kw,
) -> Checker:
    munger = TestMunger(facts, TestOptions(testno="0042", generation=generation))
    files = ExpectedFiles.for_suite(suite, generation, flavour)
    return Checker(suite, work, "0042", munger, files, **kw)


def test_equal_output_passes_and_server_part_is_appended(dirs, facts):
    suite, work = dirs
    (work / "test-stdout").write_text("hello\n")
    (work / "test-stdout-server").write_text("from server\n")
    (suite / "stdout" / "0042").write_text("hello\n\n******** SERVER ********\nfrom server\n")
    c = checker(suite, work, facts)
    found = c.check_file(
        CheckSpec(work / "test-stdout", work / "test-stdout-server", "stdout/0042", "stdout")
    )
    assert found == []


def test_difference_gives_a_unified_diff_naming_the_file(dirs, facts):
    suite, work = dirs
    (work / "test-stdout").write_text("hello\n")
    (suite / "stdout" / "0042").write_text("goodbye\n")
    c = checker(suite, work, facts)
    found = c.check_file(CheckSpec(work / "test-stdout", None, "stdout/0042", "stdout"))
    (m,) = found
    assert m.expected == "stdout/0042" and not m.updated
    assert "--- stdout/0042\n" in m.diff and "-goodbye\n" in m.diff and "+hello\n" in m.diff
    assert (suite / "stdout" / "0042").read_text() == "goodbye\n"


def test_output_without_expected_file_is_a_mismatch_and_shown(dirs, facts):
    suite, work = dirs
    (work / "test-stdout").write_text("unexpected\n")
    c = checker(suite, work, facts)
    found = c.check_file(CheckSpec(work / "test-stdout", None, "stdout/0042", "stdout"))
    (m,) = found
    assert "no expected file" in m.message and "unexpected" in m.diff


def test_empty_output_needs_no_expected_file(dirs, facts):
    suite, work = dirs
    (work / "test-stdout").write_text("")
    c = checker(suite, work, facts)
    found = c.check_file(CheckSpec(work / "test-stdout", None, "stdout/0042", "stdout"))
    assert found == []


def test_flavour_file_wins_and_update_writes_it(dirs, facts):
    suite, work = dirs
    (work / "test-stdout").write_text("new\n")
    (suite / "stdout" / "0042").write_text("common\n")
    (suite / "stdout" / "0042.debian12").write_text("flavoured\n")
    c = checker(suite, work, facts, flavour="debian12", update=True)
    found = c.check_file(CheckSpec(work / "test-stdout", None, "stdout/0042", "stdout"))
    assert found[0].expected == "stdout/0042.debian12" and found[0].updated
    assert (suite / "stdout" / "0042.debian12").read_text() == "new\n"
    assert (suite / "stdout" / "0042").read_text() == "common\n"
    assert not list((suite / "stdout").glob(".*tmp*"))


def test_munging_applies_before_comparison(dirs, facts):
    suite, work = dirs
    (work / "spool" / "log" / "mainlog").write_text(
        "2026-11-24 15:39:03 1xVsM6-0003Mk-2m <= tester@test.ex U=tester P=local S=341\n"
    )
    (suite / "log" / "0042").write_text(
        "1999-03-02 09:44:33 10HmaX-0005vi-00 <= CALLER@test.ex U=CALLER P=local S=sss\n"
    )
    c = checker(suite, work, facts)
    found = c.check_all(set(), facts.caller)
    assert found == []


def test_mail_in_directories_and_missing_mail(dirs, facts):
    suite, work = dirs
    (work / "test-mail" / "sub").mkdir()
    (work / "test-mail" / "sub" / "userx").write_text("mail body\n")
    (suite / "mail" / "0042.sub").mkdir()
    (suite / "mail" / "0042.sub" / "userx").write_text("mail body\n")
    (suite / "mail" / "0042.usery").write_text("never delivered\n")
    c = checker(suite, work, facts)
    found = c.check_mails(facts.caller)
    assert [m.expected for m in found] == ["mail/0042.usery"]
