"""The zone-file dialect of Exim's fake nameserver, and how fakens searches it.

A zone file holds one resource record per line: ``[prefixes] [owner] TYPE data``.
An owner without a trailing dot is relative to the zone; a line that starts with
white space continues the previous owner.  Prefixes: ``DNSSEC`` (secure), ``AA``
(authoritative), ``NXDOMAIN`` (the line only makes the name exist), ``DELAY=ms``
and ``TTL=s``.  ``;`` starts a comment line; a line ``PASS ON NOT FOUND`` makes an
unknown name answer PASS_ON.  A ``*`` owner is a wildcard.

This module knows no wire format (fakens renders with dnspython), so fakens pays
for the dnspython import only when it has a packet to write.  The matching rules
copy fakens.c of the run's harness generation exactly, quirks included, because
expected test output depends on them; record data is checked strictly and a bad line
raises ZoneError.  From 4.98 fakens.c reads zone lines into 512 bytes (256 before) and
a TXT record may hold several quoted strings (before, only the first was used).
"""

from __future__ import annotations

import os
from collections.abc import Callable

from harness.core.generation import Generation

# Exit codes of fakens (h_errno values, plus Exim's PASS_ON).
FOUND = 0
HOST_NOT_FOUND = 1
TRY_AGAIN = 2
NO_RECOVERY = 3
NO_DATA = 4
PASS_ON = 5

RECORD_TYPES = ("A", "NS", "CNAME", "SOA", "PTR", "MX", "TXT", "AAAA", "SRV", "TLSA")
DEFAULT_TTL = 3600
_SPACE = b" \t\n\r\x0b\x0c"


def line_chunk(generation: Generation) -> int:
    """How much of a zone line fakens.c takes at once: it reads with fgets() into a
    buffer of 256 bytes (512 from 4.98), so longer lines are split."""
    return (512 if generation >= Generation.G4_98 else 256) - 1


def multi_string_txt(generation: Generation) -> bool:
    """Whether a TXT record's data is every quoted string on the line (from 4.98)."""
    return generation >= Generation.G4_98


class ZoneError(Exception):
    """A zone file line that fakens cannot use."""

    def __init__(self, path: str, lineno: int, problem: str) -> None:
        super().__init__(f"{path}:{lineno}: {problem}")


class Entry:
    """One record line: its prefixes, owner (None = previous line's) and the rest."""

    __slots__ = (
        "lineno",
        "owner",
        "secure",
        "authoritative",
        "ignored",
        "delay_ms",
        "ttl",
        "body",
    )

    def __init__(self, lineno: int) -> None:
        self.lineno = lineno
        self.owner: bytes | None = None
        self.secure = False
        self.authoritative = False
        self.ignored = False
        self.delay_ms = 0
        self.ttl = DEFAULT_TTL
        self.body = b""


class Zone:
    """A parsed zone file; ``origin`` is the zone name with a leading dot.  ``wires``
    holds records rendered ahead of time, by `Record.key` (filled in by fakens)."""

    def __init__(
        self, path: str, origin: bytes, entries: list[Entry], pass_on: bool,
        generation: Generation,
    ) -> None:  # fmt: skip
        self.path = path
        self.origin = origin
        self.entries = entries
        self.pass_on_not_found = pass_on
        self.generation = generation
        self.wires: dict[tuple, bytes] = {}


class Record:
    """A record selected for an answer, with its data still as zone text."""

    __slots__ = ("zone", "lineno", "owner", "rtype", "ttl", "text")

    def __init__(self, zone: Zone, entry: Entry, owner: bytes, rtype: str, text: bytes) -> None:
        self.zone = zone
        self.lineno = entry.lineno
        self.owner = owner
        self.rtype = rtype
        self.ttl = entry.ttl
        self.text = text

    def error(self, problem: str) -> ZoneError:
        return ZoneError(self.zone.path, self.lineno, problem)

    def fields(self) -> tuple:
        """The record data as Python values; names are tuples of labels."""
        try:
            return _field_parser(self.rtype, self.zone.generation)(self.text, self.zone.origin)
        except ValueError as exc:
            raise self.error(f"bad {self.rtype} record {show(self.text)}: {exc}") from None

    def key(self) -> tuple:
        """All that its wire form depends on (a ZoneError if the data is bad)."""
        return self.owner, self.rtype, self.ttl, self.fields()


class Lookup:
    """The outcome of one search of a zone."""

    def __init__(self) -> None:
        self.status = HOST_NOT_FOUND
        self.records: list[Record] = []
        self.secure = False
        self.authoritative = False
        self.delay_ms = 0


# ---------------------------------------------------------------- reading


def zone_origin(filename: str) -> bytes | None:
    """The zone (with leading dot) a dnszones file serves, or None if not a zone file."""
    if not filename.startswith("db."):
        return None
    name = os.fsencode(filename)
    if name.startswith(b"db.ip4."):
        return name[6:] + b".in-addr.arpa"
    if name.startswith(b"db.ip6."):
        return name[6:] + b".ip6.arpa"
    return name[2:]


def _chunks(data: bytes, size: int):
    """(line number, text) pieces as fgets() returns them, size bytes at most."""
    lines = data.split(b"\n")
    for lineno, line in enumerate(lines, 1):
        if lineno < len(lines):
            line += b"\n"
        for start in range(0, len(line), size):
            yield lineno, line[start : start + size]


def show(text: bytes) -> str:
    """Zone text quoted for a message."""
    return repr(text.decode("utf-8", "backslashreplace"))


def _parse_entry(lineno: int, line: bytes, path: str, origin: bytes) -> Entry:
    entry = Entry(lineno)
    pos = 0
    while True:  # the prefix loop, in fakens.c's order
        if line.startswith(b"DNSSEC ", pos):
            entry.secure = True
            pos += 7
        if line.startswith(b"NXDOMAIN ", pos):
            entry.ignored = True
            pos += 9
        elif line.startswith(b"AA ", pos):
            entry.authoritative = True
            pos += 3
        elif line.startswith(b"DELAY=", pos):
            pos += 6
            while pos < len(line) and 48 <= line[pos] <= 57:  # repeats accumulate, as in C
                entry.delay_ms = entry.delay_ms * 10 + line[pos] - 48
                pos += 1
            pos += 1 if pos < len(line) and line[pos] in _SPACE else 0
        elif line.startswith(b"TTL=", pos):
            end = pos + 4
            while end < len(line) and 48 <= line[end] <= 57:
                end += 1
            entry.ttl = int(line[pos + 4 : end] or b"0") & 0xFFFFFFFF
            pos = end + (1 if end < len(line) and line[end] in _SPACE else 0)
        else:
            break
    if pos >= len(line):
        raise ZoneError(path, lineno, "no record after the prefixes")
    if line[pos] not in _SPACE:
        end = pos
        while end < len(line) and line[end] not in _SPACE:
            end += 1
        token = line[pos:end]
        entry.owner = token[:-1] if token.endswith(b".") else token + origin
        pos = end
    entry.body = line[pos:].lstrip()
    return entry


def read_zone(path: str, origin: bytes, generation: Generation) -> Zone:
    """Parse the zone file at ``path`` serving ``origin`` as the fakens of that harness
    generation reads it (OSError if unreadable)."""
    with open(path, "rb") as handle:
        data = handle.read()
    entries: list[Entry] = []
    pass_on = False
    for lineno, chunk in _chunks(data, line_chunk(generation)):
        text = chunk.lstrip()
        if not text or text.startswith(b";"):
            continue
        if text.startswith(b"PASS ON NOT FOUND"):
            pass_on = True
            continue
        entries.append(_parse_entry(lineno, chunk.rstrip(), path, origin))
    return Zone(path, origin, entries, pass_on, generation)


# ---------------------------------------------------------------- searching


def find_records(zone: Zone, domain: bytes, qtype: str) -> Lookup:
    """Search ``zone`` for ``qtype`` records of ``domain`` (lower case, no final dot).

    CNAME records of the name are always returned.  Secure/authoritative are
    true when the name exists and every record of the asked type is so marked.
    """
    result = Lookup()
    wanted = qtype.encode()
    owner: bytes | None = None
    owner_lower = b""
    for entry in zone.entries:
        if entry.owner is not None:
            owner = entry.owner
            owner_lower = owner.lower()
        elif owner is None:
            continue
        if owner_lower.startswith(b"*"):
            suffix = owner_lower[1:]
            # As in fakens.c, a wildcard also matches any name not longer than its suffix.
            if len(domain) > len(suffix) and not domain.endswith(suffix):
                continue
            answer_owner = domain
        elif owner_lower != domain:
            continue
        else:
            answer_owner = owner
        if result.status == HOST_NOT_FOUND:
            result.status = NO_DATA
            result.secure = result.authoritative = True
        typed = _record_type(entry.body, wanted)
        if typed is None:
            continue
        rtype, text = typed
        result.delay_ms += entry.delay_ms
        result.secure = result.secure and entry.secure
        result.authoritative = result.authoritative and entry.authoritative
        if entry.ignored:
            continue
        result.status = FOUND
        result.records.append(Record(zone, entry, answer_owner, rtype, text))
    if result.status == HOST_NOT_FOUND and zone.pass_on_not_found:
        result.status = PASS_ON
    return result


def _record_type(body: bytes, wanted: bytes) -> tuple[str, bytes] | None:
    """(type, data text) if a line with this body answers a ``wanted`` query, else None."""
    if body.startswith(b"CNAME"):  # a prefix test in fakens.c too
        return "CNAME", body[5:].lstrip()
    if body.startswith(wanted) and len(body) > len(wanted) and body[len(wanted)] in _SPACE:
        return wanted.decode(), body[len(wanted) :].lstrip()
    return None


def own_records(zone: Zone) -> list[Record | None]:
    """For each entry, the record it gives when its owner is asked for its type.

    None for lines whose record depends on the query (wildcards), that give no
    record (NXDOMAIN, unknown type) or that have no owner.
    """
    records: list[Record | None] = []
    owner: bytes | None = None
    for entry in zone.entries:
        owner = entry.owner if entry.owner is not None else owner
        words = entry.body.split(None, 1)
        typed = _record_type(entry.body, words[0]) if words else None
        if (
            owner is not None
            and not owner.startswith(b"*")
            and not entry.ignored
            and typed is not None
            and typed[0] in RECORD_TYPES
        ):
            records.append(Record(zone, entry, owner, typed[0], typed[1]))
        else:
            records.append(None)
    return records


# ---------------------------------------------------------------- record data


def _name(text: bytes, origin: bytes) -> tuple[bytes, ...]:
    """Labels of a domain name in record data, relative names completed with origin."""
    if not text or any(c in _SPACE for c in text):
        raise ValueError(f"expected one domain name, found {show(text)}")
    full = text[:-1] if text.endswith(b".") else text + origin
    if not full:
        return ()
    labels = tuple(full.split(b"."))
    if not all(labels):
        raise ValueError(f"empty label in {show(text)}")
    return labels


def _numbers(text: bytes, count: int, bits: int) -> tuple[list[int], bytes]:
    """``count`` unsigned numbers separated by white space, then the rest of the text."""
    values = []
    rest = text
    for _ in range(count):
        parts = rest.split(None, 1)
        word = parts[0] if parts else b""
        if not word.isdigit():
            raise ValueError(f"expected a number, found {show(word)}")
        values.append(int(word) & ((1 << bits) - 1))
        rest = parts[1] if len(parts) > 1 else b""
    return values, rest


def _address(text: bytes, origin: bytes) -> tuple:
    return (text.decode("ascii", "replace"),)


def _single_name(text: bytes, origin: bytes) -> tuple:
    return (_name(text, origin),)


def _mx(text: bytes, origin: bytes) -> tuple:
    (preference,), rest = _numbers(text, 1, 16)
    return preference, _name(rest, origin)


def _srv(text: bytes, origin: bytes) -> tuple:
    (priority, weight, port), rest = _numbers(text, 3, 16)
    return priority, weight, port, _name(rest, origin)


def _soa(text: bytes, origin: bytes) -> tuple:
    words = text.split()
    if len(words) != 7:
        raise ValueError("expected mname rname serial refresh retry expire minimum")
    mname = _name(words[0], origin)
    # fakens.c never completes the mailbox name with the zone
    rname = _name(words[1] if words[1].endswith(b".") else words[1] + b".", origin)
    numbers, _ = _numbers(b" ".join(words[2:]), 5, 32)
    return (mname, rname, *numbers)


def _txt(text: bytes, origin: bytes) -> tuple:
    # One string: the text up to a closing quote, taken literally (no escapes).
    if text.startswith(b'"'):
        text = text[1:]
    return (text.partition(b'"')[0],)


def _txt_strings(text: bytes, origin: bytes) -> tuple:
    """Every string of the data, as fakens.c from 4.98 takes them: each runs from an
    optional opening quote to the next quote (or the end), white space between them is
    skipped, and whatever follows a closing quote starts the next string."""
    strings = []
    pos = 0
    while pos < len(text):
        if text[pos] == 0x22:  # "
            pos += 1
        end = text.find(b'"', pos)
        if end < 0:  # no closing quote: the C program reads on past the line's end
            strings.append(text[pos:])
            break
        strings.append(text[pos:end])
        pos = end + 1
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
    return tuple(strings) if strings else (b"",)


def _tlsa(text: bytes, origin: bytes) -> tuple:
    (usage, selector, mtype), rest = _numbers(text, 3, 8)
    if not rest or any(c not in b"0123456789abcdefABCDEF" for c in rest):
        raise ValueError(f"expected hexadecimal association data, found {show(rest)}")
    if len(rest) % 2:  # fakens.c puts an odd final digit in the high half of a byte
        rest += b"0"
    return usage, selector, mtype, bytes.fromhex(rest.decode())


_FIELD_PARSERS = {
    "A": _address,
    "AAAA": _address,
    "NS": _single_name,
    "CNAME": _single_name,
    "PTR": _single_name,
    "MX": _mx,
    "SRV": _srv,
    "SOA": _soa,
    "TXT": _txt,
    "TLSA": _tlsa,
}


def _field_parser(rtype: str, generation: Generation) -> Callable[[bytes, bytes], tuple]:
    if rtype == "TXT" and multi_string_txt(generation):
        return _txt_strings
    return _FIELD_PARSERS[rtype]
