"""fakens: the fake nameserver Exim runs, instead of the resolver, under the test harness.

Usage: ``fakens CONFIG_DIR NAME TYPE``.  It answers from the zone files in
``CONFIG_DIR/dnszones`` (see zonefile.py) and writes a DNS response packet on
stdout; the exit code is the h_errno-style status Exim expects (zonefile.FOUND ..
PASS_ON).  Packets match fakens.c of the run's harness generation (which reads zone
files as zonefile.py says) byte for byte: no question section,
no name compression (so manyhome's packet overflows Exim's buffer just as the C
one does), and the authority section holds the zone's NS records (or its SOA
when nothing was found).  One deliberate difference: a bare "." in record data is
the root name, where fakens.c writes two zero bytes.  Special names: ``manyhome.test.ex`` (A) gets
2048 addresses in 10.250.104.0/21, names ending ``test.again.dns`` give TRY_AGAIN
after sleeping for their leading digits in seconds, names ending ``test.fail.dns``
give NO_RECOVERY.

Exim starts fakens for every lookup, so it must start fast.  dnspython (about
50 ms to import) is loaded only when a record has to be rendered, and
``prepare_zones()`` lets the runner render every zone record ahead of time into
cache files beside the zones (``.fakens-*``, ignored as zones), as each harness
generation reads them; a lookup then joins cached records.  A cache is used only
while its zone file's size and modification time are unchanged.
"""

from __future__ import annotations

import marshal
import os
import sys
import time

from harness.core.generation import Generation
from harness.peers.peerscript import harness_generation
from harness.peers.zonefile import (
    FOUND,
    NO_RECOVERY,
    PASS_ON,
    RECORD_TYPES,
    TRY_AGAIN,
    Record,
    Zone,
    ZoneError,
    find_records,
    own_records,
    read_zone,
    show,
    zone_origin,
)

TYPE_CHECKING = False  # typing is not imported at run time, to start fast
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

MANYHOME = b"manyhome.test.ex"
CACHE_PREFIX = ".fakens-"
_CACHE_FORMAT = 2
_MANYHOME_CACHE = "manyhome"
_HEADER_QR = 0x8000
_HEADER_AA = 0x0400
_HEADER_AD = 0x0020
_RDATA_CLASSES = {
    "A": ("dns.rdtypes.IN.A", "A"),
    "AAAA": ("dns.rdtypes.IN.AAAA", "AAAA"),
    "NS": ("dns.rdtypes.ANY.NS", "NS"),
    "CNAME": ("dns.rdtypes.ANY.CNAME", "CNAME"),
    "PTR": ("dns.rdtypes.ANY.PTR", "PTR"),
    "MX": ("dns.rdtypes.ANY.MX", "MX"),
    "SRV": ("dns.rdtypes.IN.SRV", "SRV"),
    "SOA": ("dns.rdtypes.ANY.SOA", "SOA"),
    "TXT": ("dns.rdtypes.ANY.TXT", "TXT"),
    "TLSA": ("dns.rdtypes.ANY.TLSA", "TLSA"),
}


class Reply:
    """What fakens does for one query: wait, write a packet, complain, exit."""

    def __init__(self, status: int, packet: bytes | None = None, complaint: str = "") -> None:
        self.status = status
        self.packet = packet
        self.complaint = complaint
        self.delay_s = 0.0


# ---------------------------------------------------------------- answering


def load_zone(path: str, origin: bytes, generation: Generation) -> Zone:
    """A zone file as that generation reads it, with its rendered records if cached."""
    zone = read_zone(path, origin, generation)
    _attach_cache(zone, _cache_path(path))
    return zone


def answer_query(
    config_dir: str,
    name: str,
    qtype: str,
    generation: Generation,
    load: Callable[[str, bytes, Generation], Zone] = load_zone,
) -> Reply:
    """Work out fakens's reply to a query, as the fakens.c of that harness generation
    does, without sleeping or writing; `load` reads a zone file (a resident server
    keeps them)."""
    zone_dir = f"{config_dir}/dnszones"
    zones: list[tuple[bytes, str]] = []
    qualify = None
    try:
        with os.scandir(zone_dir) as listing:  # directory order, like readdir()
            for item in listing:
                if item.name.startswith("qualify."):
                    qualify = os.fsencode(item.name[7:])
                elif (origin := zone_origin(item.name)) is not None:
                    zones.append((origin, item.name))
    except OSError as exc:
        return Reply(NO_RECOVERY, complaint=f"failed to opendir {zone_dir}: {exc.strerror}")

    rtype = os.fsencode(qtype)[:11].upper().decode("ascii", "replace")
    domain = os.fsencode(name)
    if domain.endswith(b"."):
        domain = domain[:-1]
    domain = domain.lower()

    if domain == MANYHOME and rtype == "A":
        cached = _load_cache(f"{zone_dir}/{CACHE_PREFIX}{_MANYHOME_CACHE}", None)
        return Reply(FOUND, cached if isinstance(cached, bytes) else _manyhome_packet())
    if domain.endswith(b"test.again.dns"):
        reply = Reply(TRY_AGAIN)
        digits = len(domain) - len(domain.lstrip(b"0123456789"))
        reply.delay_s = float(domain[:digits] or 0)
        return reply
    if domain.endswith(b"test.fail.dns"):
        return Reply(NO_RECOVERY)

    if b"." not in domain and qualify is not None and domain != b"dontqualify":
        domain += qualify
    served = next((z for z in zones if domain == z[0][1:] or domain.endswith(z[0])), None)
    if served is None:
        shown = domain.decode("utf-8", "backslashreplace")
        return Reply(PASS_ON, complaint=f"query not in faked zone: domain is: {shown}")

    origin, filename = served
    path = f"{zone_dir}/{filename}"
    try:
        zone = load(path, origin, generation)
    except OSError as exc:
        return Reply(NO_RECOVERY, complaint=f"failed to open {path}: {exc.strerror}")
    if rtype not in RECORD_TYPES:
        return Reply(NO_RECOVERY, _packet(_HEADER_QR, [], [], {}), f"unknown record type {rtype}")

    answer = find_records(zone, domain, rtype)
    apex = origin[1:]
    if rtype in ("SOA", "NS"):
        authority = None
    else:
        authority = find_records(zone, apex, "NS" if answer.records else "SOA")
    flags = _HEADER_QR
    if answer.secure:
        flags |= _HEADER_AD
    if answer.authoritative:
        flags |= _HEADER_AA
    extra = authority.records if authority else []
    reply = Reply(answer.status, _packet(flags, answer.records, extra, zone.wires))
    reply.delay_s = (answer.delay_ms + (authority.delay_ms if authority else 0)) / 1000
    return reply


# ---------------------------------------------------------------- rendering


def _import_dnspython() -> None:
    """Import dnspython's core without its import-time probe of optional packages.

    dns.name asks importlib.metadata whether the idna package is installed; loading
    importlib.metadata costs tens of milliseconds, paid on every DNS lookup of every
    test.  fakens needs no optional package, so a stand-in answers "not installed".
    """
    if "dns.rrset" in sys.modules or "importlib.metadata" in sys.modules:
        import dns.rrset  # noqa: F401

        return
    stand_in = type(sys)("importlib.metadata")

    class PackageNotFoundError(ImportError):
        pass

    def version(package: str) -> str:
        raise PackageNotFoundError(package)

    vars(stand_in).update(PackageNotFoundError=PackageNotFoundError, version=version)
    sys.modules["importlib.metadata"] = stand_in
    try:
        import dns.rrset  # noqa: F401
    except ImportError:  # a dnspython that wants more of importlib.metadata
        for module in [m for m in sys.modules if m == "dns" or m.startswith("dns.")]:
            del sys.modules[module]
        del sys.modules["importlib.metadata"]
        import dns.rrset  # noqa: F401
    finally:
        if sys.modules.get("importlib.metadata") is stand_in:
            del sys.modules["importlib.metadata"]


def _dns_name(labels: tuple[bytes, ...] | bytes):
    import dns.name

    if isinstance(labels, bytes):
        labels = tuple(labels.split(b".")) if labels else ()
    return dns.name.Name((*labels, b""))


def _rdata(record: Record):
    import importlib

    import dns.exception
    import dns.rdataclass
    import dns.rdatatype

    module, cls_name = _RDATA_CLASSES[record.rtype]
    cls = getattr(importlib.import_module(module), cls_name)
    fields = record.fields()
    if record.rtype == "TXT":  # its fields are its strings, one argument for dnspython
        values: list[object] = [fields]
    else:
        values = [_dns_name(v) if isinstance(v, tuple) else v for v in fields]
    try:
        return cls(dns.rdataclass.IN, dns.rdatatype.from_text(record.rtype), *values)
    except (dns.exception.DNSException, ValueError) as exc:
        raise record.error(f"bad {record.rtype} record {show(record.text)}: {exc}") from None


def render_record(record: Record) -> bytes:
    """One resource record in uncompressed wire format, rendered by dnspython."""
    import io

    _import_dnspython()
    import dns.exception
    import dns.rrset

    try:
        owner = _dns_name(record.owner)
    except dns.exception.DNSException as exc:
        raise record.error(f"cannot encode owner name {show(record.owner)}: {exc}") from None
    out = io.BytesIO()
    dns.rrset.from_rdata(owner, record.ttl, _rdata(record)).to_wire(out)
    return out.getvalue()


def _packet(
    flags: int, answer: list[Record], authority: list[Record], rendered: dict[tuple, bytes]
) -> bytes:
    """A response: header, then the answer and authority records, uncompressed; records
    found in `rendered` (by Record.key) are not rendered again."""
    parts = [_header(flags, len(answer), len(authority))]
    for record in (*answer, *authority):
        wire = rendered.get(record.key()) if rendered else None
        parts.append(wire if wire is not None else render_record(record))
    return b"".join(parts)


def _header(flags: int, answers: int, authorities: int) -> bytes:
    # id 0, no question, no additional records
    return b"".join(n.to_bytes(2, "big") for n in (0, flags, 0, answers, authorities, 0))


def _manyhome_packet() -> bytes:
    """2048 A records for manyhome.test.ex, with fakens.c's bare header (QR clear, TTL 0)."""
    import io

    _import_dnspython()
    import dns.rdataclass
    import dns.rdatatype
    import dns.rdtypes.IN.A
    import dns.rrset

    addresses = dns.rrset.RRset(_dns_name(MANYHOME), dns.rdataclass.IN, dns.rdatatype.A)
    for third in range(104, 112):
        for fourth in range(256):
            rdata = dns.rdtypes.IN.A.A(
                dns.rdataclass.IN, dns.rdatatype.A, f"10.250.{third}.{fourth}"
            )
            addresses.add(rdata, 0)
    out = io.BytesIO()
    out.write(_header(0, len(addresses), 0))
    addresses.to_wire(out, want_shuffle=False)
    return out.getvalue()


# ---------------------------------------------------------------- render cache


def prepare_zones(zone_dir: str | os.PathLike[str]) -> None:
    """Render every record of the zone files in ``zone_dir`` into cache files there,
    as the fakens of every harness generation reads them (records read alike are
    rendered once).

    Call after building or changing the zones (as a user who may write there);
    records that fail to render are left out and fail, with their error, when
    a lookup needs them.
    """
    zone_dir = os.fspath(zone_dir)
    for item in sorted(os.scandir(zone_dir), key=lambda item: item.name):
        origin = zone_origin(item.name)
        if origin is None or not item.is_file():
            continue
        stamp = zone_stamp(item.path)
        wires: dict[tuple, bytes] = {}
        for generation in Generation:
            try:
                _render_all(read_zone(item.path, origin, generation), wires)
            except ZoneError:
                continue  # lookups in it report the problem
        _write_cache(f"{zone_dir}/{CACHE_PREFIX}{item.name}", (stamp, wires))
    _write_cache(f"{zone_dir}/{CACHE_PREFIX}{_MANYHOME_CACHE}", _manyhome_packet())


def _render_all(zone: Zone, wires: dict[tuple, bytes]) -> None:
    """Add the zone's own records, by key, to wires (those not there yet)."""
    for record in own_records(zone):
        if record is None:
            continue
        try:
            key = record.key()
            if key not in wires:
                wires[key] = render_record(record)
        except ZoneError:
            pass


def _cache_path(zone_path: str) -> str:
    directory, _, name = zone_path.rpartition("/")
    return f"{directory}/{CACHE_PREFIX}{name}"


def zone_stamp(path: str) -> tuple[int, int]:
    """What tells a changed zone file: its size and modification time."""
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def _write_cache(path: str, content: tuple[tuple[int, int], dict[tuple, bytes]] | bytes) -> None:
    temporary = f"{path}.new"
    with open(temporary, "wb") as handle:
        handle.write(marshal.dumps((_CACHE_FORMAT, content)))
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def _load_cache(path: str, default: object) -> Any:  # whatever the file held: check it
    try:
        with open(path, "rb") as handle:
            cache_format, content = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return default
    return content if cache_format == _CACHE_FORMAT else default


def _attach_cache(zone: Zone, cache_path: str) -> None:
    """Give the zone its rendered records, if the cache is current."""
    cached = _load_cache(cache_path, None)
    try:
        stamp, wires = cached
        current = tuple(stamp) == zone_stamp(zone.path) and isinstance(wires, dict)
    except (TypeError, ValueError, OSError):
        return
    if current:
        zone.wires = wires


# ---------------------------------------------------------------- program


def reply_to(
    args: list[str],
    generation: Generation,
    load: Callable[[str, bytes, Generation], Zone] = load_zone,
) -> Reply:
    """fakens's reply to its command-line arguments (`load` as for answer_query)."""
    if len(args) != 3:
        return Reply(NO_RECOVERY, complaint=f"expected 3 arguments, received {len(args)}")
    config_dir, name, qtype = args
    try:
        return answer_query(config_dir, name, qtype, generation, load)
    except ZoneError as exc:
        return Reply(NO_RECOVERY, complaint=str(exc))
    except Exception as exc:  # never a traceback into Exim's output
        return Reply(NO_RECOVERY, complaint=f"internal error: {exc!r}")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    try:
        reply = reply_to(args, harness_generation())
    except Exception as exc:  # an unknown generation: never a traceback into Exim's output
        reply = Reply(NO_RECOVERY, complaint=f"internal error: {exc!r}")
    if reply.complaint:
        print(f"fakens: {reply.complaint}", file=sys.stderr, flush=True)
    if reply.delay_s > 0:
        time.sleep(reply.delay_s)
    if reply.packet is not None:
        try:
            sys.stdout.buffer.write(reply.packet)
            sys.stdout.buffer.flush()
        except OSError:
            return NO_RECOVERY
    return reply.status
