"""`python -m harness`: the runner, as `runtest` or `./runtest.py`."""

from harness.cli.main import console_main

console_main()
