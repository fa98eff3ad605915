"""A whole run: its phases, preparation, workers and scheduling, the console, review."""
