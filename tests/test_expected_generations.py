"""Expected files per harness generation (`stdout/0042@4.98`), on files made here."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.case.compare import Checker, CheckSpec
from harness.core.errors import UsageError
from harness.core.generation import Generation
from harness.core.results import Mismatch, MismatchKind, Outcome, TestCase, TestResult
from harness.munge import TestMunger, TestOptions
from harness.reports.savedoutput import SavedOutput, Store
from harness.run.review import accept_all
from harness.suite.expectedfiles import ExpectedFiles, read_base_generation

G96, G98, G99, MASTER = Generation.G4_96, Generation.G4_98, Generation.G4_99, Generation.MASTER


def checker(
    suite: Path,
    work: Path,
    facts,
    generation: Generation,
    flavour: str | None = None,
    update: bool = False,
) -> Checker:
    munger = TestMunger(facts, TestOptions(testno="0042", generation=generation))
    files = ExpectedFiles.for_suite(suite, generation, flavour)
    return Checker(suite, work, "0042", munger, files, update=update)


def stdout_check(c: Checker, work: Path) -> list[Mismatch]:
    return c.check_file(CheckSpec(work / "test-stdout", None, "stdout/0042", "stdout"))


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_newest_generation_file_not_after_the_run_is_compared(dirs):
    suite, _ = dirs
    write(suite / "stdout/0042", "4.96\n")
    write(suite / "stdout/0042@4.98", "4.98\n")
    write(suite / "stdout/0042@master", "master\n")
    picked = {
        g: ExpectedFiles.for_suite(suite, g).compared("stdout/0042")
        for g in (G96, Generation.G4_97, G98, G99, MASTER)
    }
    assert picked == {
        G96: "stdout/0042",
        Generation.G4_97: "stdout/0042",
        G98: "stdout/0042@4.98",
        G99: "stdout/0042@4.98",
        MASTER: "stdout/0042@master",
    }


def test_output_is_judged_against_the_generation_file(dirs, facts):
    suite, work = dirs
    write(suite / "stdout/0042", "old\n")
    write(suite / "stdout/0042@4.98", "new\n")
    write(work / "test-stdout", "new\n")
    assert stdout_check(checker(suite, work, facts, G99), work) == []
    (m,) = stdout_check(checker(suite, work, facts, G96), work)
    assert m.expected == "stdout/0042" and "-old" in m.diff and "+new" in m.diff


def test_a_flavour_file_comes_before_generation_files(dirs):
    suite, _ = dirs
    write(suite / "stdout/0042@4.98", "4.98\n")
    write(suite / "stdout/0042.debian12", "flavour\n")
    write(suite / "stdout/0042.debian12@4.99", "flavour 4.99\n")
    at = {
        g: ExpectedFiles.for_suite(suite, g, "debian12").compared("stdout/0042") for g in (G98, G99)
    }
    assert at == {G98: "stdout/0042.debian12", G99: "stdout/0042.debian12@4.99"}


def test_update_under_a_later_generation_writes_its_file(dirs, facts):
    suite, work = dirs
    write(suite / "GENERATION", "# the plain files are 4.96 output\n4.96\n")
    write(suite / "stdout/0042", "old\n")
    write(work / "test-stdout", "new\n")
    (m,) = stdout_check(checker(suite, work, facts, G98, update=True), work)
    assert m.updated and m.expected == "stdout/0042@4.98" and "written for 4.98 on" in m.message
    assert (suite / "stdout/0042").read_text() == "old\n"
    assert (suite / "stdout/0042@4.98").read_text() == "new\n"
    # the base generation's run still updates the plain file
    write(work / "test-stdout", "newer\n")
    (m,) = stdout_check(checker(suite, work, facts, G96, update=True), work)
    assert m.expected == "stdout/0042" and (suite / "stdout/0042").read_text() == "newer\n"
    assert (suite / "stdout/0042@4.98").read_text() == "new\n"


def test_update_from_an_older_generation_file_writes_a_new_one(dirs, facts):
    suite, work = dirs
    write(suite / "GENERATION", "4.96\n")
    write(suite / "stdout/0042", "4.96\n")
    write(suite / "stdout/0042@4.98", "4.98\n")
    write(work / "test-stdout", "master\n")
    stdout_check(checker(suite, work, facts, MASTER, update=True), work)
    assert (suite / "stdout/0042@4.98").read_text() == "4.98\n"
    assert (suite / "stdout/0042@master").read_text() == "master\n"


def test_without_generation_file_an_update_writes_in_place(dirs, facts):
    """Exim's own suites: a master binary's -UPDATE rewrites stdout/0042 as Exim's does."""
    suite, work = dirs
    write(suite / "stdout/0042", "old\n")
    write(work / "test-stdout", "new\n")
    (m,) = stdout_check(checker(suite, work, facts, MASTER, update=True), work)
    assert m.expected == "stdout/0042" and m.message == "updated"
    assert sorted(p.name for p in (suite / "stdout").iterdir()) == ["0042"]


def test_an_empty_generation_file_means_no_such_output(dirs, facts):
    suite, work = dirs
    write(suite / "mail/0042.userx", "a mail\n")
    write(suite / "mail/0042.userx@4.98", "")
    write(suite / "msglog/0042.10HmaX-0005vi-00", "a message log\n")
    write(suite / "msglog/0042.10HmaX-0005vi-00@4.97", "")
    assert checker(suite, work, facts, G98).check_mails(facts.caller) == []
    assert checker(suite, work, facts, G98).check_msglogs() == []
    (m,) = checker(suite, work, facts, G96).check_mails(facts.caller)
    assert m.kind is MismatchKind.MISSING and m.expected == "mail/0042.userx"
    write(suite / "stdout/0042", "4.96 said this\n")
    write(suite / "stdout/0042@4.99", "")
    assert stdout_check(checker(suite, work, facts, G99), work) == []


def test_missing_output_under_update_leaves_an_empty_generation_file(dirs, facts):
    suite, work = dirs
    write(suite / "GENERATION", "4.96\n")
    write(suite / "mail/0042.userx", "a mail\n")
    (m,) = checker(suite, work, facts, G98, update=True).check_mails(facts.caller)
    assert m.updated and m.expected == "mail/0042.userx@4.98"
    assert (suite / "mail/0042.userx").read_text() == "a mail\n"
    assert (suite / "mail/0042.userx@4.98").read_text() == ""
    assert checker(suite, work, facts, G98).check_mails(facts.caller) == []


def test_accepting_saved_output_writes_the_generation_file(dirs, facts, tmp_path):
    suite, work = dirs
    write(suite / "GENERATION", "4.96\n")
    write(suite / "stdout/0042", "old\n")
    write(suite / "mail/0042.userx", "a mail\n")
    write(work / "test-stdout", "new\n")
    c = checker(suite, work, facts, G98)
    found = [*stdout_check(c, work), *c.check_mails(facts.caller)]
    assert [m.update_target for m in found] == ["stdout/0042@4.98", "mail/0042.userx@4.98"]
    store_dir = tmp_path / "saved"
    saved = SavedOutput([store_dir], None)
    saved.suite = suite
    case = TestCase("0042", "0000-Basic", suite / "scripts/0000-Basic/0042")
    saved.test_finished(TestResult(case, Outcome.FAILED, mismatches=tuple(found)))
    tally = accept_all(Store.load(store_dir), suite, set(), say=lambda _: None)
    assert tally.accepted == 2
    assert (suite / "stdout/0042@4.98").read_text() == "new\n"
    assert (suite / "mail/0042.userx@4.98").read_text() == ""
    assert (suite / "stdout/0042").read_text() == "old\n"
    assert (suite / "mail/0042.userx").read_text() == "a mail\n"
    assert checker(suite, work, facts, G98).check_all(set(), facts.caller) == []


def test_the_files_a_test_compares_with_are_listed(dirs):
    suite, _ = dirs
    write(suite / "stdout/0042", "x\n")
    write(suite / "stdout/0042@4.98", "y\n")
    write(suite / "log/0042", "z\n")
    write(suite / "mail/0042.userx", "m\n")
    write(suite / "mail/0042.userx@4.99", "")
    write(suite / "stdout/00420", "another test\n")
    assert ExpectedFiles.for_suite(suite, G99).for_test("0042") == ["log/0042", "stdout/0042@4.98"]
    assert ExpectedFiles.for_suite(suite, G96).for_test("0042") == [
        "log/0042",
        "mail/0042.userx",
        "stdout/0042",
    ]


def test_a_mailbox_named_by_an_address_is_no_generation_file(dirs, facts):
    suite, work = dirs
    write(suite / "mail/0042.abc@def", "a mail\n")
    write(work / "test-mail/abc@def", "a mail\n")
    assert ExpectedFiles.for_suite(suite, G98).for_test("0042") == ["mail/0042.abc@def"]
    assert checker(suite, work, facts, G98).check_mails(facts.caller) == []


def test_bad_generation_names_are_one_line_naming_the_file(dirs):
    suite, _ = dirs
    write(suite / "stdout/0042@4.95", "x\n")
    with pytest.raises(UsageError, match=r"0042@4\.95: unknown harness generation '4\.95'"):
        ExpectedFiles.for_suite(suite, G98).compared("stdout/0042")
    write(suite / "GENERATION", "# comment\nfour\n")
    with pytest.raises(UsageError, match=r"GENERATION:2: unknown harness generation"):
        read_base_generation(suite)
