"""Data lines fed to commands: substitution and the `:eval:`, `:noeol:`, `:sleep:`,
`:file:` prefixes, as Exim's harness sends them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.case.commands import CommandError, data_bytes


class _Ctx:
    """The two things data_bytes needs of a test context."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def substitute(self, text: str) -> str:
        return text.replace("DIR", str(self.root))

    def path(self, name: str) -> str:
        return str(self.root / name)


def test_plain_lines_keep_their_newline(tmp_path: Path) -> None:
    assert data_bytes(_Ctx(tmp_path), ["EHLO x", ""]) == [b"EHLO x\n", b"\n"]


def test_eval_line_has_no_newline_of_its_own(tmp_path: Path) -> None:
    # The escapes supply the line end; a PROXY header must not gain an extra "\n".
    got = data_bytes(_Ctx(tmp_path), [r":eval:PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "QUIT"])
    assert got == [b"PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n", b"QUIT\n"]
    assert data_bytes(_Ctx(tmp_path), [r":eval:\x0d\x0a\x00"]) == [b"\r\n\x00"]


def test_noeol_sleep_and_file(tmp_path: Path) -> None:
    (tmp_path / "body").write_bytes(b"from a file\n")
    got = data_bytes(_Ctx(tmp_path), [":noeol:no end", ":sleep:2", ":file:body", "DIR/x"])
    assert got == [b"no end", 2.0, b"from a file\n", f"{tmp_path}/x\n".encode()]


def test_missing_file_is_a_command_error(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot read nonexist"):
        data_bytes(_Ctx(tmp_path), [":file:nonexist"])


def test_file_name_ignores_surrounding_blanks(tmp_path: Path) -> None:
    # 4.99's 4516 writes ":file: long_line_file", with a blank after the prefix.
    (tmp_path / "long_line_file").write_bytes(b"x" * 10 + b"\n")
    got = data_bytes(_Ctx(tmp_path), [":file: long_line_file  "])
    assert got == [b"x" * 10 + b"\n"]
