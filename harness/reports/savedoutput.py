"""The new output of failing tests, kept so that it can be reviewed and accepted later.

Every run keeps it in its work directory (`new-output/`), and `--save-output DIR` writes it
there too (a CI artefact). The store holds `files/<expected file>` with the munged text
that -UPDATE would have written, and `manifest.json` listing, per file, the test, the action
(write, or remove for an expected file the run made no output for) and a digest of the
expected file as the run saw it, so that accepting never overwrites a file changed since.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from harness.reports.common import atomic_write
from harness.results import RunInfo, TestCase, TestResult

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
    file: str  # the expected file, relative to the suite (a flavour's file where it has one)
    action: str  # "write" or "remove"
    old_digest: str | None  # the expected file as the run saw it (None: there was none)
    diff: str


@dataclass(frozen=True)
class Store:
    directory: Path
    suite: str
    flavour: str | None
    entries: list[Entry]

    @classmethod
    def load(cls, directory: Path) -> Store:
        data = json.loads((directory / MANIFEST).read_text())
        return cls(directory, data["suite"], data.get("flavour"),
                   [Entry(**e) for e in data["entries"]])

    def new_text(self, entry: Entry) -> str:
        return (self.directory / FILES / entry.file).read_bytes().decode("latin-1")


class SavedOutput:
    """A listener writing the store into each of `directories` (emptied at the start)."""

    def __init__(self, directories: Sequence[Path], flavour: str | None) -> None:
        self.directories = list(directories)
        self.flavour = flavour
        self.entries: list[Entry] = []
        self.suite = Path()

    def run_started(self, info: RunInfo) -> None:
        self.suite = info.suite
        for d in self.directories:
            shutil.rmtree(d, ignore_errors=True)

    def test_started(self, case: TestCase, worker: int) -> None:
        pass

    def test_finished(self, result: TestResult) -> None:
        for m in result.real_mismatches:
            if m.kind not in ("differs", "unexpected", "missing"):
                continue
            action = "remove" if m.kind == "missing" else "write"
            if action == "write" and m.new_text is None:
                continue
            entry = Entry(result.case.number, m.expected, action,
                          digest(self.suite / m.expected), m.diff)
            self.entries.append(entry)
            for d in self.directories:
                if action == "write":
                    atomic_write(d / FILES / m.expected, (m.new_text or "").encode("latin-1"))
        self._write_manifest()

    def run_finished(self, results: Sequence[TestResult], wall: float,
                     interrupted: str | None) -> None:
        self._write_manifest()

    def _write_manifest(self) -> None:
        entries = sorted(self.entries, key=lambda e: float(e.test))  # in test order
        data = {"format": 1, "suite": str(self.suite), "flavour": self.flavour,
                "entries": [asdict(e) for e in entries]}
        for d in self.directories:
            atomic_write(d / MANIFEST, json.dumps(data, indent=1).encode() + b"\n")
