"""One test: the run's frozen configuration, the work directory, the script's commands,
the comparison with the expected files."""
