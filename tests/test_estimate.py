"""The duration estimate of a test never run: what its script waits for."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.core.results import TestCase
from harness.run.estimate import WEIGHTS, estimate
from harness.run.scheduling import longest_first


def _case(tmp_path: Path, number: str, text: str) -> TestCase:
    d = tmp_path / "scripts" / "0000-Basic"
    d.mkdir(parents=True, exist_ok=True)
    (d / number).write_text(text)
    return TestCase(number, "0000-Basic", d / number, "")


def test_each_wait_counts(tmp_path: Path) -> None:
    base = estimate(_case(tmp_path, "0001", "# nothing\n"))
    assert base == pytest.approx(WEIGHTS["base"])
    waits = _case(
        tmp_path,
        "0002",
        "# waits\n"
        "sleep 2\nmillisleep 500\n"
        "3 exim -bs\n****\n"  # a wait prefix: 3 s, and an exim command
        "exim -DSERVER=server -bd -oX PORT_D\n****\n"
        "exim -qf\n****\n"
        "client -t 5 127.0.0.1 PORT_D\n??? 220\n****\n"
        "server PORT_S\n*sleep 4\n****\n"
        "exim_msgdate E1pAnS3-003fPj-Tw\n****\n"
        "killdaemon\n",
    )
    w = WEIGHTS
    expected = (
        w["base"]
        + w["pauses"] * (2 + 0.5 + 3 + 4)
        + w["exim"] * 3
        + w["daemons"]
        + w["queue_runs"]
        + w["clients"]
        + w["client_timeouts"] * 5
        + w["servers"]
        + w["utility"]
    )
    assert estimate(waits) == pytest.approx(expected)


def test_messages_in_an_smtp_session_count(tmp_path: Path) -> None:
    message = "mail from:<a@b>\nrcpt to:<c@d>\ndata\nx\n.\n"
    one = _case(tmp_path, "0003", f"# one\nexim -bs\n{message}quit\n****\n")
    two = _case(tmp_path, "0004", f"# two\nexim -bs\n{message}{message}quit\n****\n")
    assert estimate(two) - estimate(one) == pytest.approx(WEIGHTS["messages"])


def test_a_script_that_cannot_be_read_counts_one_second(tmp_path: Path) -> None:
    assert estimate(TestCase("0009", "0000-Basic", tmp_path / "missing", "")) == 1.0


def test_the_test_that_waits_most_starts_first(tmp_path: Path) -> None:
    quick = _case(tmp_path, "0005", "# quick\nexim -bt x\n****\n")
    waits = _case(tmp_path, "0006", "# times out\n3 exim -bs\n****\n3 exim -bs\n****\n")
    known = _case(tmp_path, "0007", "# known\nexim -bt y\n****\n")
    order = longest_first([quick, waits, known], {"0007": 60.0})
    assert [c.number for c in order] == ["0007", "0006", "0005"]
