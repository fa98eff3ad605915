"""The entry points: the command line, main, --munge, --merge-reports, --accept and
--review, --new, the pytest plugin."""
