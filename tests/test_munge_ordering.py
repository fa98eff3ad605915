"""Whole-file fix-ups: sorted delivery lines, truncated lines, maildir file order."""

from __future__ import annotations

from harness.core.generation import Generation
from harness.munge import drop_truncation_variance, maildir_sort_key, sort_delivery_lines

NOTE = "**NOTE: The delivery lines in this file have been sorted.\n"


def delivery(msg: str, arrow: str, addr: str) -> str:
    return f"1999-03-02 09:44:33 10Hm{msg}-0005vi-00 {arrow} {addr}\n"


def test_runs_of_delivery_lines_are_sorted_and_noted() -> None:
    lines = [
        delivery("aX", "<=", "a@b"),
        delivery("aX", "=>", "z@b"),
        delivery("aX", "->", "m@b"),
        delivery("aX", "*>", "a@b"),
        delivery("aX", "Completed", ""),
        delivery("aY", "=>", "y@b"),
        delivery("aY", "=>", "b@b"),
    ]
    assert sort_delivery_lines(lines, Generation.G4_96) == [
        NOTE,
        lines[0],
        lines[3],
        lines[2],
        lines[1],
        lines[4],
        lines[6],
        lines[5],
    ]


def test_from_4_97_only_lines_with_long_ids_are_sorted_and_times_may_have_ms() -> None:
    long_z = "1999-03-02 09:44:33.712 10HmaX-000000005vi-0000 => z@b\n"
    long_a = "1999-03-02 09:44:33 10HmaX-000000005vi-0000 => a@b\n"
    short = [delivery("aX", "=>", "z@b"), delivery("aX", "=>", "a@b")]
    assert sort_delivery_lines([long_z, long_a], Generation.G4_97) == [NOTE, long_a, long_z]
    assert sort_delivery_lines(short, Generation.G4_99) == [NOTE, *short]
    assert sort_delivery_lines([long_z, long_a], Generation.G4_96) == [NOTE, long_z, long_a]


def test_sorting_an_empty_log_still_adds_the_note() -> None:
    assert sort_delivery_lines([], Generation.G4_96) == [NOTE]


def test_lines_before_a_truncation_are_dropped_back_to_the_expected_anchor() -> None:
    cut = "1999-03-02 09:44:33 long line *** truncated ***\n"
    munged = ["start\n", "anchor\n", "extra 1\n", "extra 2\n", cut, "after\n"]
    saved = ["start\n", "anchor\n", cut, "after\n"]
    assert drop_truncation_variance(munged, saved) == saved


def test_truncation_without_a_match_in_the_expected_file_changes_nothing() -> None:
    munged = ["a\n", "b\n", "x *** truncated ***\n"]
    assert drop_truncation_variance(munged, ["a\n", "b\n"]) == munged


def test_truncation_anchor_on_the_first_line_changes_nothing() -> None:
    # Exim's harness gives up when the anchor is the very first line; so do we.
    munged = ["anchor\n", "extra\n", "x *** truncated ***\n"]
    saved = ["anchor\n", "x *** truncated ***\n"]
    assert drop_truncation_variance(munged, saved) == munged


def test_truncation_input_lists_are_not_modified() -> None:
    cut = "c *** truncated ***\n"
    munged = ["s\n", "a\n", "x\n", cut]
    drop_truncation_variance(munged, ["s\n", "a\n", cut])
    assert munged == ["s\n", "a\n", "x\n", cut]


def test_maildir_names_sort_by_time_then_microseconds() -> None:
    names = [
        "new",
        "1715952121.H12P3.host",
        ".hidden",
        "1715952121.H9P3.host",
        "cur",
        "1715952120.H999P1.host",
        "maildirsize",
    ]
    assert sorted(names, key=maildir_sort_key) == [
        ".hidden",
        "1715952120.H999P1.host",
        "1715952121.H9P3.host",
        "1715952121.H12P3.host",
        "cur",
        "maildirsize",
        "new",
    ]


def test_maildir_m_names_sort_by_time_not_text() -> None:
    # Within one second a 6-digit microsecond field must not sort before a 5-digit one.
    names = ["1795541753.M662590P992.host:S370", "1795541753.M99001P990.host"]
    assert sorted(names, key=maildir_sort_key) == names[::-1]


def test_plain_names_sort_by_name() -> None:
    assert sorted(["userx", "CALLER", "abc"], key=maildir_sort_key) == ["CALLER", "abc", "userx"]
