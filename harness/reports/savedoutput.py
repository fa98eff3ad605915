"""The new output of failing tests, kept so that it can be reviewed and accepted later.

Every run keeps it in its work directory (`new-output/`), and `--save-output DIR` writes it
there too (a CI artefact). The store holds `files/<expected file>` with the munged text
that -UPDATE would have written, and `manifest.json` listing, per file, the test, the action
(write, or remove for an expected file the run made no output for) and a digest of the
expected file as the run saw it, so that accepting never overwrites a file changed since.
The file written is the one -UPDATE would write: where that is a harness generation's file
(`harness.suite.expectedfiles`), `compared` names the file the run compared with.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.core.results import MismatchKind, RunInfo, TestCase, TestResult
from harness.reports.common import atomic_write

MANIFEST = "manifest.json"
FILES = "files"
STORE = "new-output"  # its name in the work directory


def digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


@dataclass(frozen=True)
class Entry:
    test: str
    file: str  # the expected file to write, relative to the suite (a flavour's or
    # generation's file where the test has or gets one)
    action: str  # "write" or "remove"
    old_digest: str | None  # `file` as the run saw it (None: there was none)
    diff: str
    compared: str = ""  # the file the run compared with, when not `file`
    keep_empty: bool = False  # written even when empty (a flavour's or generation's file)


@dataclass(frozen=True)
class Store:
    directory: Path
    suite: str
    flavour: str | None
    entries: list[Entry]

    @classmethod
    def load(cls, directory: Path) -> Store:
        data = json.loads((directory / MANIFEST).read_text())
        return cls(
            directory, data["suite"], data.get("flavour"), [Entry(**e) for e in data["entries"]]
        )

    def new_text(self, entry: Entry) -> str:
        return (self.directory / FILES / entry.file).read_bytes().decode("latin-1")


class SavedOutput:
    """A listener writing the store into each of `directories` (emptied at the start)."""

    def __init__(self, directories: Sequence[Path], flavour: str | None) -> None:
        self.directories = list(directories)
        self.flavour = flavour
        self.entries: list[Entry] = []
        self.suite = Path()

    def notice(self, text: str) -> None:
        pass

    def run_started(self, info: RunInfo) -> None:
        self.suite = info.suite
        for d in self.directories:
            shutil.rmtree(d, ignore_errors=True)

    def test_started(self, case: TestCase, worker: int) -> None:
        pass

    def test_finished(self, result: TestResult) -> None:
        for m in result.real_mismatches:
            target = m.update_target
            # a generation's file is written empty where the plain file is removed
            tombstone = m.kind is MismatchKind.MISSING and target != m.expected
            action = "remove" if m.kind is MismatchKind.MISSING and not tombstone else "write"
            if action == "write" and m.new_text is None and not tombstone:
                continue
            entry = Entry(
                result.case.number,
                target,
                action,
                digest(self.suite / target),
                m.diff,
                compared="" if target == m.expected else m.expected,
                keep_empty=tombstone or target != m.expected,
            )
            self.entries.append(entry)
            for d in self.directories:
                if action == "write":
                    atomic_write(d / FILES / target, (m.new_text or "").encode("latin-1"))
        self._write_manifest()

    def run_finished(
        self, results: Sequence[TestResult], wall: float, interrupted: str | None
    ) -> None:
        self._write_manifest()

    def _write_manifest(self) -> None:
        entries = sorted(self.entries, key=lambda e: float(e.test))  # in test order
        data = {
            "format": 1,
            "suite": str(self.suite),
            "flavour": self.flavour,
            "entries": [asdict(e) for e in entries],
        }
        for d in self.directories:
            atomic_write(d / MANIFEST, json.dumps(data, indent=1).encode() + b"\n")
