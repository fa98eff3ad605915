"""runtest.py: an Exim-compatible regression test runner."""
