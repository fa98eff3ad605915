"""`--xfail FILE`: tests expected to fail on this build, and what becomes of them.

The file lists one test number a line; `#` starts a comment, which is the reason shown
(`0178  # HEADERS_CHARSET is UTF-8 in Debian's build`). A listed test that fails or errors
is an expected failure (XFAIL, the run still succeeds); one that passes is XPASS, which
fails the run, so that a list cannot go stale unnoticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import UsageError
from harness.core.results import Outcome, TestResult

_LINE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:#\s*(.*?))?\s*$")


def normalise(number: str) -> str:
    """Test numbers as file names have them: 178 -> 0178, 5000.1 stays."""
    whole, dot, rest = number.partition(".")
    return f"{int(whole):04d}{dot}{rest}"


@dataclass(frozen=True)
class ExpectedFailures:
    source: Path
    reasons: dict[str, str]  # test number -> why it is expected to fail

    @classmethod
    def load(cls, path: Path) -> ExpectedFailures:
        try:
            text = path.read_text(errors="replace")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read: {exc.strerror}") from exc
        reasons: dict[str, str] = {}
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            m = _LINE.match(line)
            if m is None:
                raise UsageError(
                    f"{path}:{n}: not a test number with an optional "
                    f"# comment: {line.strip()[:60]!r}"
                )
            reasons[normalise(m.group(1))] = m.group(2) or ""
        return cls(path, reasons)

    def judge(self, result: TestResult) -> TestResult:
        """The result as the list sees it."""
        why = self.reasons.get(result.case.number)
        if why is None:
            return result
        listed = f"{self.source.name} lists it" + (f" ({why})" if why else "")
        if result.outcome in (Outcome.FAILED, Outcome.ERROR, Outcome.TIMEOUT):
            return result.but(
                outcome=Outcome.XFAIL, reason=f"expected to fail: {listed}; {result.reason}"
            )
        if result.outcome in (Outcome.PASSED, Outcome.FLAKY):
            return result.but(
                outcome=Outcome.XPASS, reason=f"passed, but {listed} as expected to fail"
            )
        return result
