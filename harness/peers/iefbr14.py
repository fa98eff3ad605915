"""iefbr14: do nothing and succeed (a ``true`` at a known path, as in Exim's suite)."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    return 0
