from pathlib import Path

import pytest

from harness.cli.commandline import OPTIONS, Kind, UsageError, parse_args
from harness.cli.main import main
from harness.core.errors import HelpRequested
from harness.core.exitcodes import ExitCode


def test_exim_style_options_any_case():
    o = parse_args(["-CONTINUE", "-debug", "--Update", "-FLAVOUR", "x", "-NOIPV6", "4027"])
    assert o.continue_ and o.debug and o.update and o.flavour == "x" and not o.ipv6
    assert o.selection == (4027, 4027)


def test_binary_range_and_exim_options():
    o = parse_args(["/usr/sbin/exim4", "-d+all", "1", "+"])
    assert o.binary == "/usr/sbin/exim4"
    assert o.exim_args == ("-d+all",)
    assert o.selection == (1, 8999)
    assert parse_args(["9000", "+"]).selection == (9000, 9999)
    assert parse_args(["5", "10"]).selection == (5, 10)


def test_runner_options():
    o = parse_args(["--suite", "/s", "--json=/tmp/r.json", "--timeout", "5", "-PORTBASE", "2000"])
    assert str(o.suite) == "/s" and str(o.json) == "/tmp/r.json"
    assert o.timeout == 5 and o.portbase == 2000


@pytest.mark.parametrize(
    "argv", [["10", "5"], ["a"], ["1", "2", "3"], ["--json"], ["-PORTBASE", "x"]]
)
def test_bad_arguments(argv):
    with pytest.raises(UsageError):
        parse_args(argv)


def test_help_lists_every_exit_status(capsys):
    assert main(["--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    section = out[out.index("Exit status:") :]
    for code in ExitCode:
        assert f"  {code.value} {code.name} " in section and code.description[:30] in section
    assert "128+N" in section
    assert [c.value for c in ExitCode] == [0, 1, 2, 5]


def test_a_usage_error_exits_with_the_harness_status(capsys):
    assert main(["--timeout", "soon"]) == ExitCode.HARNESS_ERROR == 2
    assert "** --timeout needs a number" in capsys.readouterr().err


def test_every_option_says_how_it_takes_its_value():
    assert all(isinstance(spec.kind, Kind) for spec in OPTIONS)
    o = parse_args(["--review", "--last-failed", "a.json", "b.json", "-CONTINUE"])
    assert o.review is not None and len(o.last_failed) == 2 and o.continue_


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--josn", "x.json", "1"], "unknown option --josn (did you mean --json?)"),
        (["--jsno=x.json", "1"], "unknown option --jsno (did you mean --json?)"),
        (
            ["--no-quiet-reruns"],
            "unknown option --no-quiet-reruns (did you mean --no-quiet-rerun?)",
        ),
        (["--frobnicate"], "unknown option --frobnicate; see --help"),
        (["--continue=yes"], "--continue takes no value"),
    ],
)
def test_an_unknown_long_option_is_refused_with_the_one_meant(argv, message):
    with pytest.raises(UsageError) as caught:
        parse_args(argv)
    assert str(caught.value) == message


def test_single_dash_options_the_runner_does_not_know_go_on_to_exim():
    assert parse_args(["-d+all", "-bV"]).exim_args == ("-d+all", "-bV")


def test_version_answers_without_running_anything():
    with pytest.raises(HelpRequested, match=r"^runtest\.py \d"):
        parse_args(["--version"])


def test_pytest_habits_x_k_and_lf():
    o = parse_args(["-x", "-k", "tls and not perl", "--lf"])
    assert o.max_failures == 1 and o.keyword == "tls and not perl"
    assert o.last_failed == (Path(""),)  # the last run in the work directory
    assert parse_args(["--last-failed", "a.json", "b.xml"]).last_failed == (
        Path("a.json"),
        Path("b.xml"),
    )
    assert parse_args(["--max-failures", "3"]).max_failures == 3


def test_a_missing_package_is_one_line_naming_what_installs_it():
    """As a new user's system python3 (without ./setup.sh) meets it: no traceback."""
    import subprocess

    system = "/usr/bin/python3"
    if subprocess.run([system, "-c", "import psutil"], capture_output=True).returncode == 0:
        pytest.skip("the system python3 has psutil")
    repo = Path(__file__).resolve().parents[1]
    proc = subprocess.run(
        [system, "-c", "import sys; from harness.cli.main import main; sys.exit(main(['--list']))"],
        capture_output=True,
        text=True,
        cwd=repo,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("** runtest.py needs the Python package psutil"), proc.stderr
    assert "Traceback" not in proc.stderr and "./setup.sh" in proc.stderr
