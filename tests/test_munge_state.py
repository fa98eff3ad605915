"""Renumbering and other state kept across the lines and files of one test."""

from __future__ import annotations

import pytest

from harness.core.generation import Generation
from harness.munge import TestMunger, TestOptions
from harness.munge.model import ValueCache, next_tag
from harness.munge.state import local_seconds
from tests.test_munge_rules import FACTS

ID_A = "1pXyZa-000Abc-Zz"
ID_B = "1pQrSt-000Xyz-Ab"


def munger() -> TestMunger:
    return TestMunger(FACTS, TestOptions(Generation.G4_96, testno="0042"))


@pytest.mark.parametrize(
    ("tag", "following"),
    [
        ("aX", "aY"),
        ("aZ", "bA"),
        ("az", "ba"),
        ("zz", "aaa"),
        ("Zz", "AAa"),
        ("a9", "b0"),
        ("Az", "Ba"),
        ("99", "100"),
    ],
)
def test_next_tag_carries_within_character_classes(tag: str, following: str) -> None:
    assert next_tag(tag) == following


def test_message_ids_are_numbered_in_order_of_first_appearance_across_files() -> None:
    m = munger()
    log, _ = m.munge(f"2024-05-17 13:22:01 {ID_B} <= a@b\n", "mainlog")
    out, _ = m.munge(f"{ID_A} then {ID_B}\n", "stdout")
    assert log == "1999-03-02 09:44:33 10HmaX-0005vi-00 <= a@b\n"
    assert out == "10HmaY-0005vi-00 then 10HmaX-0005vi-00\n"


def test_server_part_continues_the_numbering() -> None:
    m = munger()
    client, _ = m.munge(f"{ID_A}\n", "stdout")
    server, _ = m.munge(f"{ID_B}\n{ID_A}\n", "stdout")
    assert client == "10HmaX-0005vi-00\n"
    assert server == "10HmaY-0005vi-00\n10HmaX-0005vi-00\n"


def test_long_message_ids_are_numbered_apart_from_short_ones_from_4_97() -> None:
    m = TestMunger(FACTS, TestOptions(generation=Generation.G4_97))
    long_a, long_b = "1pXyZa-00000000Abc-Zzzz", "1pQrSt-00000000Xyz-Abcd"
    out, _ = m.munge(f"{long_a} {ID_A} {long_b}\n", "stdout")
    assert out == "10HmaX-000000005vi-0000 10HmaX-0005vi-00 10HmaY-000000005vi-0000\n"
    assert m.long_message_id(long_b) == "10HmaY-000000005vi-0000"
    assert m.long_message_id("1aaaaa-00000000bbb-cccc") == "10HmaZ-000000005vi-0000"
    old, _ = TestMunger(FACTS, TestOptions(Generation.G4_96)).munge(f"{long_a}\n", "stdout")
    assert old == f"{long_a}\n"  # 4.96 knows only the short form


def test_a_prefixed_stand_in_is_remembered_with_its_prefix() -> None:
    values = ValueCache(Generation.G4_99)
    assert values.pid_for("77", "p") == "p1234"
    assert values.port_for("77") == "p1234"  # the same raw text, whatever its shape
    assert values.port_for("78") == "10001"
    assert values.conn_for("79", "conn") == "conn1111"


def test_message_id_lookup_both_ways() -> None:
    m = munger()
    m.munge(f"{ID_A}\n", "mainlog")
    assert m.message_id(ID_A) == "10HmaX-0005vi-00"
    assert m.message_id(ID_B) == "10HmaY-0005vi-00"  # a msglog file name seen first here
    assert m.original_of("10HmaY-0005vi-00") == ID_B
    assert m.original_of("10HmaZ-0005vi-00") is None


def test_a_new_munger_starts_afresh() -> None:
    assert munger().munge(f"{ID_B}\n", "stdout")[0] == "10HmaX-0005vi-00\n"
    assert munger().munge(f"{ID_A}\n", "stdout")[0] == "10HmaX-0005vi-00\n"


def test_pids_in_different_shapes_are_numbered_separately() -> None:
    m = munger()
    log, _ = m.munge("2024-05-17 13:22:01 [777] x\n2024-05-17 13:22:02 [777] y\n", "mainlog")
    err, _ = m.munge("13:22:01   777 z\n", "stderr")
    assert log == "1999-03-02 09:44:33 [1234] x\n1999-03-02 09:44:33 [1234] y\n"
    assert err == "01:01:01 1235 z\n"


def test_client_ports_share_one_sequence() -> None:
    m = munger()
    out, _ = m.munge("Port: 50000\nPort: 50001\n", "stdout")
    log, _ = m.munge("2024-05-17 13:22:01 SMTP connection from [127.0.0.1]:50001\n", "mainlog")
    assert out == "Port: 1111\nPort: 1112\n"
    assert log.endswith("[127.0.0.1]:1112\n")


def test_value_cache_sequences_are_independent() -> None:
    values = ValueCache(Generation.G4_96)
    assert values.pid_for(" [9] ") == "1234"
    assert values.port_for("9") == "1111"
    assert values.msgid("x") == "10HmaX-0005vi-00"
    assert values.pid_for(" [9] ") == "1234"


def test_daemon_pid_prefix_is_remembered_only_within_a_file() -> None:
    m = munger()
    first, _ = m.munge(" 4321 listening for SMTP on port 1225\n 4321 accepted\n", "stderr")
    second, _ = m.munge(" 4321 accepted\n", "stderr")
    assert first == "listening for SMTP on port 1225\naccepted\n"
    assert second == " 4321 accepted\n"


def test_truncation_is_reported_per_file() -> None:
    m = munger()
    assert m.munge("x *** truncated ***\n", "mainlog")[1] is True
    assert m.munge("x\n", "mainlog")[1] is False


def test_retry_gap_is_rounded_up_to_even_seconds() -> None:
    text = "17-May-2024 13:22:01  17-May-2024 13:22:05  17-May-2024 13:23:08 *\n"
    out, _ = munger().munge(text, "stdout")
    assert out == "first failed = time last try = time2 next try = time2 + 64 *\n"


def test_absurd_dumpdb_dates_do_not_stop_munging() -> None:
    assert isinstance(local_seconds("70-May-9999 24:76:92"), int)
    text = "75-May-3156 24:49:92  70-May-8104 23:53:20  70-May-6302 00:14:76\nnext\n"
    out, _ = munger().munge(text, "stdout")
    assert out.startswith("first failed = time last try = time2 next try = time2 + ")
    assert out.endswith("\nnext\n")
