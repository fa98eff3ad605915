"""How long each test took last time, kept in the work directory between runs.

Used to estimate the time left and to start the longest tests first.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from harness.core.results import TestResult

FILE = "durations.json"


def load_durations(root: Path) -> dict[str, float]:
    try:
        data = json.loads((root / FILE).read_text())
        return {str(k): float(v) for k, v in data.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def save_durations(root: Path, results: Iterable[TestResult]) -> None:
    """Add this run's durations to the file (tests that ran; skips tell nothing)."""
    known = load_durations(root)
    known.update((r.case.number, round(r.duration, 3)) for r in results if r.outcome.ran)
    tmp = root / f".{FILE}.tmp"
    try:
        tmp.write_text(json.dumps(known, sort_keys=True))
        os.replace(tmp, root / FILE)
    except OSError:
        pass
