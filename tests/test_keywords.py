"""-k EXPR, as pytest's -k: words in a test's number, directory or title."""

from pathlib import Path

import pytest

from harness.core.errors import UsageError
from harness.core.results import TestCase
from harness.suite.keywords import keyword_filter

CASES = [
    TestCase("0001", "0000-Basic", Path("x"), "Basic delivery"),
    TestCase("2001", "2000-GnuTLS", Path("x"), "TLS client certificate"),
    TestCase("3001", "3000-Perl", Path("x"), "Perl with TLS off"),
]


def chosen(expr: str) -> list[str]:
    keep = keyword_filter(expr)
    return [c.number for c in CASES if keep(c)]


@pytest.mark.parametrize(
    ("expr", "numbers"),
    [
        ("tls", ["2001", "3001"]),
        ("TLS and not perl", ["2001"]),
        ("basic or perl", ["0001", "3001"]),
        ("not (gnutls or perl)", ["0001"]),
        ("2001", ["2001"]),
        ("0000-basic", ["0001"]),
    ],
)
def test_words_combine_as_in_pytest(expr: str, numbers: list[str]) -> None:
    assert chosen(expr) == numbers


@pytest.mark.parametrize("expr", ["", "tls and", "(tls", "tls)", "or tls"])
def test_a_broken_expression_is_one_usage_error(expr: str) -> None:
    with pytest.raises(UsageError, match="-k"):
        keyword_filter(expr)
