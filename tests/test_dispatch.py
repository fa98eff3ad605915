"""The order in which workers are handed tests: first runs up to the workers' number,
then tests queued again only while few tests run."""

from __future__ import annotations

from pathlib import Path

from harness.core.results import TestCase
from harness.run.workers import Dispatch


def _cases(*numbers: str) -> list[TestCase]:
    return [TestCase(number=n, directory="0000-Basic", path=Path("/nonexistent")) for n in numbers]


def _numbers(cases: list[TestCase]) -> list[str]:
    return [c.number for c in cases]


def test_first_runs_fill_every_worker_and_no_more() -> None:
    d = Dispatch(_cases("0001", "0002", "0003"), jobs=2, quiet=1)
    assert _numbers(d.take()) == ["0001", "0002"]
    assert d.take() == []
    d.done()
    assert _numbers(d.take()) == ["0003"]


def test_a_test_queued_again_waits_until_few_run() -> None:
    a, b, c, e = _cases("0001", "0002", "0003", "0004")
    d = Dispatch([a, b, c, e], jobs=3, quiet=2)
    assert _numbers(d.take()) == ["0001", "0002", "0003"]
    d.done()
    d.again(a)  # 0001 failed; 0004 still waits for its first run
    assert _numbers(d.take()) == ["0004"]
    d.done()
    assert d.take() == []  # two running: with the rerun they would be more than quiet
    d.done()
    assert _numbers(d.take()) == ["0001"]  # one running, and the rerun
    assert not d.finished
    d.done()
    assert not d.finished
    d.done()
    assert d.finished


def test_tests_queued_again_start_longest_first() -> None:
    a, b, c = _cases("0001", "0002", "0003")
    d = Dispatch([a, b, c], jobs=3, quiet=3)
    d.take()
    for case, took in ((a, 1.0), (b, 9.0), (c, 4.0)):
        d.done()
        d.again(case, took)
    assert _numbers(d.take()) == ["0002", "0003", "0001"]


def test_racers_start_only_when_few_run_before_the_reruns() -> None:
    a, b, c, e = _cases("0001", "0002", "0003", "0004")
    d = Dispatch([a, b, c, e], jobs=3, quiet=1, later=[b])
    assert _numbers(d.take()) == ["0001", "0003", "0004"]  # 0002 held back
    d.done()
    d.again(a)  # 0001 failed: its rerun comes after the held-back racer
    d.done()
    assert d.take() == []  # one still running: quiet is 1
    d.done()
    assert _numbers(d.take()) == ["0002"]
    d.done()
    assert _numbers(d.take()) == ["0001"]
    d.done()
    assert d.finished
