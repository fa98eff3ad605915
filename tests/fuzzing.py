"""Mutating real scripts: a seeded generator of broken variants of Exim's test scripts."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

Mutation = Callable[[random.Random, bytes], bytes]


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def drop_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def duplicate_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return b"\n".join(lines)


def swap_commands(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    commands = [i for i, x in enumerate(lines) if x[:1].isalpha()]
    if len(commands) >= 2:
        a, b = rng.sample(commands, 2)
        lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def random_bytes(rng: random.Random, data: bytes) -> bytes:
    at = rng.randrange(len(data) + 1)
    return data[:at] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40))) + data[at:]


def bad_return_code(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    bad = rng.choice(
        [
            b"99999999999999999999999",
            b"~",
            b"1 lower=case",
            b"-1",
            b"3 A=",
            b"~~0",
            b"0 X=1 Y=2",
            b"2",
        ]
    )
    lines.insert(rng.randrange(1, len(lines) + 1), bad)
    return b"\n".join(lines)


def unterminate_data(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    ends = [i for i, x in enumerate(lines) if x.strip() in (b"****", b"++++")]
    if ends:
        del lines[rng.choice(ends)]
    return b"\n".join(lines)


def deep_continuation(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
    lines[i:i] = [b"exim -bt \\"] + [b"  x@y \\"] * rng.randrange(500, 3000)
    return b"\n".join(lines)


def huge_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    lines.insert(rng.randrange(1, len(lines) + 1), b"echo " + b"x" * rng.randrange(10**5, 10**6))
    return b"\n".join(lines)


def not_utf8(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines[i] = lines[i] + rng.choice([b"\xff\xfe", b"\xc3(", b"\xe9t\xe9", b"\x80\x80\x80"])
    return b"\n".join(lines)


def no_title(rng: random.Random, data: bytes) -> bytes:
    return b"\n".join(_lines(data)[1:])


MUTATIONS: tuple[Mutation, ...] = (
    truncate,
    drop_line,
    duplicate_line,
    swap_commands,
    random_bytes,
    bad_return_code,
    unterminate_data,
    deep_continuation,
    huge_line,
    not_utf8,
    no_title,
)


def mutants(sources: list[Path], count: int, seed: int) -> list[tuple[Path, str, bytes]]:
    """`count` mutated scripts: (source script, what was done, the new text)."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        source = rng.choice(sources)
        data = source.read_bytes()
        done = []
        for _ in range(rng.choice((1, 1, 2, 3))):
            mutation = (
                MUTATIONS[(n + len(done)) % len(MUTATIONS)] if not done else rng.choice(MUTATIONS)
            )
            data = mutation(rng, data)
            done.append(mutation.__name__)
        out.append((source, "+".join(done), data))
    return out
