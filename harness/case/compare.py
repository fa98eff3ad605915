"""Checking a test's output against the suite's expected files.

The files are checked in Exim's harness order (paniclog, rejectlog, mainlog, stdout, stderr,
delivered mail, message logs) with one munger, because message ids are renumbered in order
of first appearance across them all. Which file a test compares with (a flavour's or a
harness generation's, `harness.suite.expectedfiles`) and which one an update writes are the
`ExpectedFiles`' to say. Only `update=True` writes into the suite, atomically.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from harness.case.context import SERVER_STDERR, SERVER_STDOUT, STDERR, STDOUT
from harness.core.generation import Generation
from harness.core.results import Mismatch, MismatchKind
from harness.core.suitefiles import ENCODING, resolve
from harness.munge import (
    LONG_MSGID_PATTERN,
    MSGID_PATTERN,
    TestMunger,
    drop_truncation_variance,
    maildir_sort_key,
    sort_delivery_lines,
    split_lines,
)
from harness.suite.expectedfiles import ExpectedFiles

SERVER_MARK = "\n******** SERVER ********\n"
# A message log is named by its message's id (the long form from 4.97).
_MSGID = re.compile(MSGID_PATTERN, re.ASCII)
_LONG_MSGID = re.compile(LONG_MSGID_PATTERN, re.ASCII)
MAX_DIFF_LINES = 400


@dataclass
class CheckSpec:
    raw: Path
    server_raw: Path | None
    expected: str  # suite-relative, without flavour or generation
    kind: str
    sortlog: bool = False


@dataclass(frozen=True)
class Checker:
    """Compares one test's output with the suite; `update` writes what differs instead.

    `raw_only` compares the output unmunged (the script said no_munge). The munger's
    renumbering state is the only state that carries from file to file.
    """

    suite: Path
    work: Path
    testno: str
    munger: TestMunger
    files: ExpectedFiles
    custom: str | None = None
    update: bool = False
    raw_only: bool = False

    # -- the whole set --------------------------------------------------------------
    def check_all(self, flags: set[str], caller: str) -> list[Mismatch]:
        log = self.work / "spool" / "log"
        n = self.testno
        specs = [
            CheckSpec(log / "paniclog", log / "serverpaniclog", f"paniclog/{n}", "paniclog"),
            CheckSpec(log / "rejectlog", log / "serverrejectlog", f"rejectlog/{n}", "rejectlog"),
            CheckSpec(
                log / "mainlog", log / "servermainlog", f"log/{n}", "mainlog", "sortlog" in flags
            ),
        ]
        if "no_stdout_check" not in flags:
            specs.append(
                CheckSpec(self.work / STDOUT, self.work / SERVER_STDOUT, f"stdout/{n}", "stdout")
            )
        if "no_stderr_check" not in flags:
            specs.append(
                CheckSpec(self.work / STDERR, self.work / SERVER_STDERR, f"stderr/{n}", "stderr")
            )
        found: list[Mismatch] = []
        for spec in specs:
            found += self.check_file(spec)
        if "no_message_check" not in flags:
            found += self.check_mails(caller)
        if "no_msglog_check" not in flags:
            found += self.check_msglogs()
        return found

    def check_mails(self, caller: str) -> list[Mismatch]:
        root = self.work / "test-mail"
        # Expected mail may sit in directories (maildirs): mail/NNNN.dir/new/..., so list files.
        mail = self.suite / "mail"
        expected = self._expected_names(
            "mail",
            {
                f.relative_to(mail).as_posix()
                for top in mail.glob(f"{self.testno}.*")
                for f in (_files_below(top) if top.is_dir() else [top])
            },
        )
        made: list[tuple[Path, str]] = []
        msgno = 0
        for path in _files_below(root):
            rel = path.relative_to(root).as_posix()
            if re.fullmatch(r"oncelog(\.(dir|pag|db))?", rel):
                continue
            saved = re.sub(rf"^{re.escape(caller)}(/|$)", r"CALLER\1", rel)
            if re.search(r"\d+\.[^.]+\.", saved):
                msgno += 1
                saved = re.sub(r"\d+\.[^.]+\.", f"{msgno}.", saved)
            made.append((path, f"{self.testno}.{saved}"))
        return self._check_made(
            "mail", made, expected, "no mail was delivered to match this expected file"
        )

    def check_msglogs(self) -> list[Mismatch]:
        expected = self._expected_names(
            "msglog", {p.name for p in (self.suite / "msglog").glob(f"{self.testno}.*")}
        )
        d = self.work / "spool" / "msglog"
        made = [
            (path, f"{self.testno}.{self._msglog_name(path.name)}")
            for path in (sorted(d.iterdir()) if d.is_dir() else [])
            if path.is_file()
        ]
        return self._check_made(
            "msglog", made, expected, "no message log remained to match this file"
        )

    def _check_made(
        self, kind: str, made: list[tuple[Path, str]], expected: set[str], why: str
    ) -> list[Mismatch]:
        """Each file the run made against the expected file of its (munged) name, then
        each expected file that nothing was made for (`why` says what is missing)."""
        found: list[Mismatch] = []
        for path, name in made:
            found += self.check_file(CheckSpec(path, None, f"{kind}/{name}", kind))
            expected.discard(name)
        for name in sorted(expected):
            found.append(self._missing(f"{kind}/{name}", why))
        return found

    def _msglog_name(self, name: str) -> str:
        """A message log's name with its id renumbered: the short form, then (4.97 on,
        counted apart) the long one."""
        munger = self.munger
        name = _MSGID.sub(lambda m: munger.message_id(m.group(0)), name)
        if munger.options.generation >= Generation.G4_97:
            name = _LONG_MSGID.sub(lambda m: munger.long_message_id(m.group(0)), name)
        return name

    def _expected_names(self, directory: str, names: set[str]) -> set[str]:
        """The plain names (`0042.userx`) among a directory's files for this test whose
        output the run expects (an empty variant says none is)."""
        plain = {self.files.plain_name(f"{directory}/{n}") for n in names}
        return {p.split("/", 1)[1] for p in plain if self.files.expected(p)}

    # -- one file ------------------------------------------------------------------
    def check_file(self, spec: CheckSpec) -> list[Mismatch]:
        """The mismatch of one output file with its expected file (none when they match)."""
        rel_expected = self.files.compared(spec.expected)
        expected = self.suite / rel_expected
        target = self.files.target(spec.expected, rel_expected)
        raw_size = _size(spec.raw)
        server_size = _size(spec.server_raw) if spec.server_raw else 0
        if not expected.exists():
            if raw_size == 0 and server_size == 0:
                return []
            text, _ = self._munged(spec)
            if self.update:
                self._write_expected(target, text)
                return [Mismatch(target, "created", text, True)]
            return [
                Mismatch(
                    spec.expected,
                    f"{spec.raw.name} is not empty and there is no expected file "
                    "(shown as -UPDATE or --accept would store it)",
                    unified_diff("", text, "/dev/null", f"{target} (this run)"),
                    kind=MismatchKind.UNEXPECTED,
                    raw=spec.raw.relative_to(self.work).as_posix(),
                    new_text=text,
                    target=target,
                )
            ]
        actual, truncated = self._munged(spec)
        try:
            saved = resolve(expected).read_bytes().decode(ENCODING)
        except OSError as exc:
            return [Mismatch(spec.expected, f"cannot read: {exc.strerror}")]
        if truncated:
            actual = "".join(drop_truncation_variance(split_lines(actual), split_lines(saved)))
        if spec.sortlog:
            actual = "".join(
                sort_delivery_lines(split_lines(actual), self.munger.options.generation)
            )
        if actual == saved:
            return []
        diff = unified_diff(saved, actual, rel_expected, f"{rel_expected} (this run)")
        if self.update:
            self._write_expected(target, actual)
            how = (
                "updated"
                if target == rel_expected
                else f"written for {self.files.generation.label} on ({rel_expected} stays as it is)"
            )
            return [Mismatch(target, how, diff, True)]
        return [
            Mismatch(
                rel_expected,
                "differs",
                diff,
                new_text=actual,
                target=target,
                raw=spec.raw.relative_to(self.work).as_posix(),
            )
        ]

    def _munged(self, spec: CheckSpec) -> tuple[str, bool]:
        """The munged output (with the server's part), and whether any was truncated."""
        text, truncated = "", False
        if spec.raw.exists():
            text, truncated = self._munge_one(spec.raw, spec.kind)
        if spec.server_raw is not None and spec.server_raw.exists():
            more, more_truncated = self._munge_one(spec.server_raw, spec.kind)
            text += SERVER_MARK + more
            truncated |= more_truncated
        return text, truncated

    def _munge_one(self, path: Path, kind: str) -> tuple[str, bool]:
        if self.raw_only:
            return unmunged(_read(path), self.work, self.munger.options.generation), False
        return self.munger.munge(_read(path), kind, self.custom)

    def _missing(self, rel: str, why: str) -> Mismatch:
        """An expected file the run made no output for: an update removes it, or, where
        it writes a generation's file, writes that file empty."""
        compared = self.files.compared(rel)
        target = self.files.target(rel, compared)
        if self.update:
            self._write_expected(target, "")
            return Mismatch(
                target, "removed (" + why + ")", updated=True, kind=MismatchKind.MISSING
            )
        return Mismatch(compared, why, kind=MismatchKind.MISSING, target=target)

    def _write_expected(self, rel: str, text: str) -> None:
        write_update(self.files, rel, text)


def write_update(files: ExpectedFiles, rel: str, text: str) -> None:
    """Write `text` as the expected file `rel` of the suite, as -UPDATE does: an empty text
    removes a plain file, and is kept in a flavour's or generation's file where it stands
    for "no such output"."""
    path = files.suite / rel
    keep_empty = files.is_variant(rel) and (path.exists() or files.expected(files.plain_name(rel)))
    write_expected(path, text, keep_empty)


def write_expected(path: Path, text: str, keep_empty: bool) -> None:
    """Atomically replace an expected file; an empty text removes it, unless `keep_empty`
    (a flavour's or generation's file, which stands for no output when empty)."""
    if not text and not keep_empty:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_bytes(text.encode(ENCODING))
    os.replace(tmp, path)


def unmunged(text: str, work: Path, generation: Generation) -> str:
    """Output of a no_munge test as it is compared: unchanged but for one line.

    exim_msgdate's complaint names its own path; Exim's harness (4.97+) writes the part
    before `/test/eximdir/` as DIR. Ours runs from the work directory, so its path is
    written as the one the suite expects, `DIR/test/eximdir/exim_msgdate`. In 4.97 and
    4.98 only the line number of those releases' exim_msgdate is recognised.
    """
    if generation < Generation.G4_97:
        return text
    line = r"\d+" if generation >= Generation.G4_99 else "387"
    pattern = (
        rf"^(localhost \d+ from message-id != given number \d+ at )"
        rf"{re.escape(str(work))}(?=/eximdir/exim_msgdate line {line}\.$)"
    )
    return re.sub(pattern, r"\1DIR/test", text, flags=re.M)


def _files_below(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    out: list[Path] = []
    for entry in sorted(root.iterdir(), key=lambda p: maildir_sort_key(p.name)):
        if entry.name == "CVS":
            continue
        if entry.is_dir() and not entry.is_symlink():
            out.extend(_files_below(entry))
        else:
            out.append(entry)
    return out


def _size(path: Path | None) -> int:
    try:
        return path.stat().st_size if path else 0
    except OSError:
        return 0


def _read(path: Path | None) -> str:
    if path is None:
        return ""
    try:
        return path.read_bytes().decode(ENCODING)
    except OSError:
        return ""


def unified_diff(expected: str, actual: str, name_a: str, name_b: str) -> str:
    lines = list(difflib.unified_diff(split_lines(expected), split_lines(actual), name_a, name_b))
    if len(lines) > MAX_DIFF_LINES:
        lines = lines[:MAX_DIFF_LINES] + [f"... ({len(lines) - MAX_DIFF_LINES} more lines)\n"]
    return "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in lines)
