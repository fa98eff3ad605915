"""At a real terminal (tmux): a failure's diff and the prompt stay on the screen, and the
answers do what Exim's harness does with them."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import RUNTEST, WORK, compared_file, copy_own_suite, needs_exim

pytestmark = [needs_exim, pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")]

PROMPT = "Continue, Retry, Update current & retry, Quit? [Q]"
BROKEN = "a line the run will not print"


class Screen:
    """One tmux session running a command in a 160x50 terminal."""

    def __init__(self, command: str) -> None:
        self.name = f"rt-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                "tmux",
                "new-session",
                "-d",
                "-s",
                self.name,
                "-x",
                "160",
                "-y",
                "50",
                f"{command}; echo EXIT=$?; sleep 600",
            ],
            check=True,
        )

    def text(self) -> str:
        return subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", self.name],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    def wait_for(self, what: str, timeout: float = 120) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = self.text()
            if what in shown:
                return shown
            time.sleep(0.2)
        raise AssertionError(f"{what!r} never appeared; the screen:\n{self.text()}")

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False)


def _runtest(suite: Path, *selection: str) -> str:
    """The shell command that runs `suite`'s tests `selection` at the terminal."""
    words = [
        sys.executable,
        str(RUNTEST),
        "--suite",
        str(suite),
        "--workdir",
        str(WORK / "e2e-terminal"),
        *selection,
    ]
    return " ".join(shlex.quote(w) for w in words)


@pytest.fixture
def broken_suite(tmp_path: Path) -> Path:
    suite = copy_own_suite(tmp_path / "suite")
    expected = compared_file(suite, "stdout/0002")
    expected.write_text(expected.read_text() + BROKEN + "\n")
    return suite


@pytest.fixture
def screen(broken_suite: Path) -> Iterator[Screen]:
    command = _runtest(broken_suite, "2", "4")
    s = Screen(command)
    yield s
    s.close()


def test_the_diff_and_the_prompt_stay_on_screen_and_c_goes_on(screen: Screen) -> None:
    shown = screen.wait_for(PROMPT)
    assert "** Comparison of" in shown and "stdout/0002" in shown
    assert f"-{BROKEN}" in shown  # the diff, before the prompt
    time.sleep(2.5)  # the console's clock ticks every second: it must not redraw over it
    later = screen.text()
    assert PROMPT in later and f"-{BROKEN}" in later
    assert "| 0002" not in later.splitlines()[-1]  # no status line under the prompt
    screen.keys("c", "Enter")
    done = screen.wait_for("EXIT=")
    assert "-> continue" in done
    assert "0002 FAILED" in done and "0004 passed" in done
    assert "EXIT=1" in done


def test_q_ends_the_run_and_names_the_tests_that_did_not_run(screen: Screen) -> None:
    screen.wait_for(PROMPT)
    screen.keys("q", "Enter")
    done = screen.wait_for("EXIT=")
    assert "did not run: 0003 0004" in done
    assert "EXIT=1" in done


def test_u_updates_the_file_and_runs_the_test_again(screen: Screen, broken_suite: Path) -> None:
    screen.wait_for(PROMPT)
    screen.keys("u", "Enter")
    done = screen.wait_for("EXIT=")
    assert "0002 passed" in done and "EXIT=0" in done
    assert BROKEN not in compared_file(broken_suite, "stdout/0002").read_text()


def test_a_diff_longer_than_the_screen_goes_through_the_pager(tmp_path: Path) -> None:
    suite = copy_own_suite(tmp_path / "suite")
    expected = compared_file(suite, "stdout/0002")
    expected.write_text(expected.read_text() + "".join(f"extra {i}\n" for i in range(80)))
    command = _runtest(suite, "2")
    s = Screen(f"PAGER='sed s/^/PAGED:/' {command}")
    try:
        shown = s.wait_for(PROMPT)
        assert "PAGED:-extra 79" in shown
        s.keys("c", "Enter")
        assert "EXIT=1" in s.wait_for("EXIT=")
    finally:
        s.close()
