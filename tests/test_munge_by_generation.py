"""A step written once whose pattern changes with the harness generation (`by_generation`)."""

from __future__ import annotations

import pytest

from harness.core.generation import Generation
from harness.munge.model import STDERR, Skip, by_generation, for_kind, rules_for

G96, G97, G98, G99, GM = Generation

_rule, _skip = rules_for(STDERR)

STEP = by_generation(
    _skip,
    "example",
    {
        G96: {"pattern": "^a", "needle": "a"},
        G98: "^b",
        G99: {"pattern": "^c", "needle": "c"},
        GM: None,
    },
    reason="an example",
)


@pytest.mark.parametrize(
    ("generation", "pattern", "needle"),
    [(G96, "^a", "a"), (G97, "^a", "a"), (G98, "^b", "a"), (G99, "^c", "c")],
)
def test_form_of_each_generation(generation: Generation, pattern: str, needle: str) -> None:
    (form,) = for_kind([STEP], "stderr", generation)
    assert type(form) is Skip
    assert (form.name, form.pattern, form.needle, form.reason) == (
        "example",
        pattern,
        needle,
        "an example",
    )
    assert form.in_generation(generation)
    assert form.regex.pattern == pattern


def test_dropped_and_other_kinds() -> None:
    assert for_kind([STEP], "stderr", GM) == []
    assert for_kind([STEP], "stdout", G96) == []


def test_forms_cover_their_ranges_only() -> None:
    ranges = [(f.since, f.until) for f in STEP.forms]
    assert ranges == [(G96, G98), (G98, G99), (G99, GM)]
    late = by_generation(_rule, "late", {G97: "x"}, repl="y", reason="r")
    assert for_kind([late], "stderr", G96) == []
    assert [f.pattern for f in for_kind([late], "stderr", GM)] == ["x"]


def test_a_form_made_otherwise_is_used_as_it_is() -> None:
    other = Skip("other", "^z", "made apart")
    step = by_generation(_skip, "mixed", {G96: other, G99: "^y"}, reason="r")
    assert for_kind([step], "stderr", G98) == [other]
    assert [f.pattern for f in for_kind([step], "stderr", G99)] == ["^y"]
