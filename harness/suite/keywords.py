"""`-k EXPR`: choosing tests by words, as pytest's `-k` does.

A word matches a test when it is part of its number, directory or title, in any case;
words combine with `and`, `or`, `not` and parentheses (`not` binds tightest, then `and`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harness.core.errors import UsageError
from harness.core.results import TestCase

Matcher = Callable[[str], bool]  # is this word part of the test's text?
_TOKEN = re.compile(r"\s*(\(|\)|[^\s()]+)")


def keyword_filter(expr: str) -> Callable[[TestCase], bool]:
    """A predicate for the tests that `expr` selects; a UsageError names what is wrong."""
    tokens = _TOKEN.findall(expr)
    if not tokens:
        raise UsageError("-k needs an expression")
    predicate, used = _parse_or(tokens, 0, expr)
    if used != len(tokens):
        raise UsageError(f"-k {expr!r}: unexpected {tokens[used]!r}")

    def selects(case: TestCase) -> bool:
        text = f"{case.number} {case.directory} {case.title}".lower()
        return predicate(lambda word: word.lower() in text)

    return selects


Node = Callable[[Matcher], bool]


Parser = Callable[[list[str], int, str], tuple[Node, int]]


def _chain(
    operator: str, operand: Parser, tokens: list[str], i: int, expr: str
) -> tuple[Node, int]:
    """Operands joined by `operator` ("and": all must hold; "or": any)."""
    node, i = operand(tokens, i, expr)
    nodes = [node]
    while i < len(tokens) and tokens[i] == operator:
        node, i = operand(tokens, i + 1, expr)
        nodes.append(node)
    join = all if operator == "and" else any
    return (lambda m: join(n(m) for n in nodes)), i


def _parse_or(tokens: list[str], i: int, expr: str) -> tuple[Node, int]:
    return _chain("or", _parse_and, tokens, i, expr)


def _parse_and(tokens: list[str], i: int, expr: str) -> tuple[Node, int]:
    return _chain("and", _parse_not, tokens, i, expr)


def _parse_not(tokens: list[str], i: int, expr: str) -> tuple[Node, int]:
    if i >= len(tokens):
        raise UsageError(f"-k {expr!r}: ends where a word was expected")
    token = tokens[i]
    if token == "not":
        inner, i = _parse_not(tokens, i + 1, expr)
        return (lambda a: lambda m: not a(m))(inner), i
    if token == "(":
        inner, i = _parse_or(tokens, i + 1, expr)
        if i >= len(tokens) or tokens[i] != ")":
            raise UsageError(f"-k {expr!r}: a parenthesis is not closed")
        return inner, i + 1
    if token in (")", "and", "or"):
        raise UsageError(f"-k {expr!r}: unexpected {token!r}")
    return (lambda word: lambda m: m(word))(token), i + 1
