from pathlib import Path

import pytest

from harness.case.commands import COMMANDS, parse_script
from harness.suite.script import ScriptError, parse_text

P = Path("scripts/0000-Basic/0999")


def parse(text: str):
    return parse_text(P, text, COMMANDS)


def test_title_flags_and_steps():
    s = parse("# my title\nno_msglog_check\n#\n\nexim -bt x\n****\nkilldaemon\n")
    assert s.title == "my title"
    assert s.flags == {"no_msglog_check"}
    assert [st.name for st in s.commands] == ["exim", "killdaemon"]
    assert s.commands[0].line == 5 and s.commands[0].data == []
    assert s.commands[1].number == 2


def test_return_code_forms():
    s = parse("# t\n2\nexim -bt x\n****\n~0\nexim -bt y\n****\n3 FOO=bar\nperl\nexit 3;\n****\n")
    a, b, c = s.commands
    assert (a.expect.code, a.expect.negate) == (2, False)
    assert b.expect.negate and b.expect.met_by(1) and not b.expect.met_by(0)
    assert c.expect.env == {"FOO": "bar"} and c.expect.met_by(3)


def test_continuation_lines_are_joined():
    s = parse("# t\nexim -bt \\\n   a@b \\\n   c@d\n****\n")
    assert s.commands[0].text == "exim -bt a@b c@d"


def test_triple_hash_is_a_command_but_double_is_a_comment():
    s = parse("# t\n### shown\n## not shown\n#comment\n")
    assert [st.name for st in s.commands] == ["comment"]


def test_write_with_sizes_reads_predata_and_data():
    s = parse("# t\nwrite f 2x10\nhead\n++++\ntail\n****\n")
    st = s.commands[0]
    assert st.predata == ["head"] and st.data == ["tail"]


def test_background_takes_one_line():
    s = parse("# t\nbackground\nexim -bd\n****\nkilldaemon\n")
    assert s.commands[0].data == ["exim -bd"] and s.commands[1].name == "killdaemon"


def test_exim_variants_are_recognised():
    for line in (
        "exim -bV",
        "sudo exim -bV",
        "sudo -u exim exim -bV",
        "exim_exim -bV",
        "A=1 B=2 exim -bV",
        "3 exim -bs",
    ):
        assert parse(f"# t\n{line}\n****\n").commands[0].name == "exim", line


def test_need_lines_become_steps_and_data_keeps_bytes():
    s = parse("# t\nneed_ipv6\nclient ::1 25\nhello\r\x85\xff\n****\n")
    assert s.needs == ["need_ipv6"]
    assert s.commands[0].name == "client" and s.commands[0].number == 1
    assert s.commands[0].data == ["hello\r\x85\xff"]


def test_end_of_file_ends_the_last_data():
    s = parse("# t\nexim -bh 1.1.1.1\nquit\n")
    assert s.commands[0].data == ["quit"]


def test_dynamic_port_is_noticed():
    assert parse("# t\nexim -DSERVER=wait:PORT_DYNAMIC -bd\n****\n").uses_dynamic_port


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("no title\n", 1, "missing identifying comment"),
        ("# t\nfrobnicate now\n", 2, "unknown command: frobnicate now"),
        ("# t\n\n2\n", 3, "return code line at end of script"),
    ],
)
def test_errors_name_file_and_line(text, line, message):
    with pytest.raises(ScriptError) as err:
        parse(text)
    assert err.value.line == line
    assert str(err.value).startswith(f"{P}:{line}: ")
    assert message in str(err.value)


def test_binary_script_is_rejected(tmp_path):
    f = tmp_path / "0001"
    f.write_bytes(b"# t\n" + bytes(range(256)) * 4)
    with pytest.raises(ScriptError, match="not a text file"):
        parse_script(f)


def test_every_script_of_the_shared_corpus_parses():
    corpus = Path(__file__).resolve().parents[2] / "shared" / "exim-4.96" / "scripts"
    if not corpus.is_dir():
        pytest.skip("shared corpus not present")
    paths = [p for p in corpus.glob("*/*") if p.name[:1].isdigit()]
    assert paths
    for p in paths:
        parse_script(p)
