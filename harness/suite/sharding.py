"""Splitting a selection of tests into N shards, for CI matrix jobs that each run one.

Which shard owns a test depends only on the test and N, never on what this binary can
run, so that jobs with different builds agree and a skipped test is still owned by one
shard. By default a test goes by a stable hash of its number (adding a test moves no
other); `--shard-by durations REPORT...` instead deals the whole selection out by the
durations of earlier runs, longest first onto the least-loaded shard, tests without a
known duration counting as the mean.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from harness.core.errors import UsageError
from harness.core.results import TestCase


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    total: int
    strategy: str = "hash"  # or "durations"

    @property
    def label(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str, where: str = "--shard") -> Shard:
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise UsageError(f"{where} needs K/N (e.g. 2/4), not {text!r}") from None
    if not 1 <= k <= n:
        raise UsageError(f"{where} {text}: K must be between 1 and N")
    return Shard(k, n)


def shard_from_environment(environ: Mapping[str, str] = os.environ) -> Shard | None:
    """RUNTEST_SHARD=K/N, or Bazel's TEST_TOTAL_SHARDS and 0-based TEST_SHARD_INDEX."""
    if environ.get("RUNTEST_SHARD"):
        return parse_shard(environ["RUNTEST_SHARD"], "RUNTEST_SHARD")
    total, index = environ.get("TEST_TOTAL_SHARDS"), environ.get("TEST_SHARD_INDEX")
    if total and index is not None:
        try:
            return parse_shard(f"{int(index) + 1}/{int(total)}", "TEST_SHARD_INDEX")
        except ValueError:
            raise UsageError(
                f"TEST_SHARD_INDEX={index!r} TEST_TOTAL_SHARDS={total!r} are not numbers"
            ) from None
    return None


def acknowledge_bazel(environ: Mapping[str, str] = os.environ) -> None:
    """Touch TEST_SHARD_STATUS_FILE, telling Bazel this runner understands sharding."""
    status = environ.get("TEST_SHARD_STATUS_FILE")
    if status:
        Path(status).touch()


def hash_owner(number: str, total: int) -> int:
    """The 1-based shard that owns a test under the hash strategy."""
    return zlib.crc32(number.encode()) % total + 1


def duration_owners(
    cases: Sequence[TestCase], durations: Mapping[str, float], total: int
) -> dict[str, int]:
    """Each test's shard when the selection is dealt out by duration (longest first onto
    the least-loaded shard; ties go to the lower shard and the lower test number)."""
    known = [durations[c.number] for c in cases if c.number in durations]
    mean = sum(known) / len(known) if known else 1.0
    load = [0.0] * total
    owners: dict[str, int] = {}
    for case in sorted(cases, key=lambda c: (-durations.get(c.number, mean), c.sort_key)):
        shard = min(range(total), key=lambda i: (load[i], i))
        load[shard] += durations.get(case.number, mean)
        owners[case.number] = shard + 1
    return owners


def select_shard(
    cases: Sequence[TestCase], shard: Shard, durations: Mapping[str, float] | None = None
) -> list[TestCase]:
    """The tests of `cases` (the whole selection) that belong to `shard`."""
    if shard.strategy == "durations":
        owners = duration_owners(cases, durations or {}, shard.total)
        return [c for c in cases if owners[c.number] == shard.index]
    return [c for c in cases if hash_owner(c.number, shard.total) == shard.index]


def durations_from(reports: Iterable[tuple[str, float]]) -> dict[str, float]:
    """Test number -> duration, the last report naming a test winning."""
    return dict(reports)
