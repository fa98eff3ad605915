"""fakens, run as Exim runs it, against the test suite's own zone files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import dns.flags
import dns.message
import dns.rdatatype
import pytest

from harness.core.generation import Generation
from harness.peers import fakens
from tests.e2e import SHARED
from tests.test_peer_server import peer_environ

G4_96 = Generation.G4_96
REPO = Path(__file__).resolve().parents[1]
ZONE_SOURCES = SHARED / "dnszones-src"
SUBSTITUTIONS = {
    "V4NET": "224",
    "V6NET": "ff00",
    "HOSTIPV4": "192.0.2.2",
    "HOSTIPV6": "fd00::2",
    "PORT_S": "1225",
}
RENAMES = {"db.ip4.V4NET": "db.ip4.224", "db.ip6.V6NET": "db.ip6.0.0.f.f"}


def make_wrapper(bin_dir: Path, name: str) -> Path:
    bin_dir.mkdir(parents=True, exist_ok=True)
    path = bin_dir / name
    path.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(REPO)!r})\n"
        f"from harness.peers.{name} import main\nsys.exit(main())\n"
    )
    path.chmod(0o755)
    return path


def build_zones(dest: Path) -> None:
    dest.mkdir(parents=True)
    for source in ZONE_SOURCES.iterdir():
        text = source.read_text(encoding="utf-8")
        for marker, value in SUBSTITUTIONS.items():
            text = text.replace(marker, value)
        (dest / RENAMES.get(source.name, source.name)).write_text(text, encoding="utf-8")


def make_confdir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    """A directory fakens serves: the suite's zones, and bin/fakens."""
    if not ZONE_SOURCES.is_dir():
        pytest.skip("Exim's dnszones-src is not available")
    root = tmp_path_factory.mktemp(name)
    build_zones(root / "dnszones")
    make_wrapper(root / "bin", "fakens")
    return root


@pytest.fixture(scope="module")
def confdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_confdir(tmp_path_factory, "fakens")


class Answer:
    def __init__(self, done: subprocess.CompletedProcess[bytes]) -> None:
        self.code = done.returncode
        self.raw = done.stdout
        self.stderr = done.stderr.decode()
        self.message = dns.message.from_wire(done.stdout) if done.stdout else None

    def records(self, section: str = "answer") -> list[tuple[str, str, int, str]]:
        assert self.message is not None
        return [
            (rrset.name.to_text(), dns.rdatatype.to_text(rrset.rdtype), rrset.ttl, rd.to_text())
            for rrset in getattr(self.message, section)
            for rd in rrset
        ]

    def data(self, section: str = "answer") -> list[str]:
        return [record[3] for record in self.records(section)]


def ask(confdir: Path, name: str, qtype: str, *extra: str, generation: str | None = None) -> Answer:
    """fakens's answer, run as by the runner of that harness generation (None: as 4.96)."""
    command = [str(confdir / "bin" / "fakens"), str(confdir), name, qtype, *extra]
    done = subprocess.run(command, capture_output=True, timeout=30, env=peer_environ(generation))
    assert "Traceback" not in done.stderr.decode()
    return Answer(done)


# ---------------------------------------------------------------- record types


@pytest.mark.parametrize(
    ("name", "qtype", "expected"),
    [
        ("ten-1.test.ex", "A", ["224.0.0.1"]),
        ("46.test.ex", "AAAA", ["ff00:ffff:836f:a00:a:800:200a:c031"]),
        ("localhost.test.ex", "AAAA", ["::1"]),
        ("mxt6.test.ex", "MX", ["5 ten-1.test.ex.", "6 eximtesthost.test.ex.", "6 ten-2.test.ex."]),
        ("mx-unsec-a-unsec.test.ex", "MX", ["5 a-unsec.test.ex."]),
        ("mxt1c.test.ex", "MX", ["1 dontqualify."]),
        ("cname.test.ex", "CNAME", ["test.ex."]),
        ("test.ex", "NS", ["exim.test.ex."]),
        ("ptr.test.ex", "PTR", ["data.for.ptr.test.ex."]),
        ("3.0.0.224.in-addr.arpa", "PTR", ["ten-3.test.ex.", "ten-3-alias.test.ex."]),
        ("1.0.0.127.in-addr.arpa", "PTR", ["localhost."]),
        (
            "_smtp._tcp.srv02.test.ex",
            "SRV",
            ["1 3 99 ten-1.test.ex.", "1 1 99 ten-2.test.ex.", "3 0 66 ten-3.test.ex."],
        ),
        ("_smtp._tcp.srv27.test.ex", "SRV", ["0 0 1225 localhost.test.ex."]),
        ("_smtp._tcp.nosmtp.test.ex", "SRV", ["0 0 0 ."]),
        ("test.ex", "TXT", ['"A TXT record for test.ex."']),
        ("example.com", "TXT", ['"v=spf1 -all"']),
        ("sel_bad._domainkey.test.ex", "TXT", None),
        (
            "_1225._tcp.dane256ee.test.ex",
            "TLSA",
            ["3 1 1 9177e577d294f52da8eb206eb53e7963fb8d354bb4a1a62aa8318101dbc11e46"],
        ),
        (
            "test.ex",
            "SOA",
            ["exim.test.ex. hostmaster.exim.test.ex. 1430683638 1200 120 604800 3000"],
        ),
    ],
)
def test_record_types(confdir: Path, name: str, qtype: str, expected: list[str] | None) -> None:
    answer = ask(confdir, name, qtype)
    assert answer.code == 0
    if expected is None:  # a TXT line kept literally, backslash included
        line = next(
            line
            for line in (confdir / "dnszones" / "db.test.ex").read_text().splitlines()
            if line.startswith("sel_bad._domainkey")
        )
        expected_text = line.split('"')[1].encode()
        assert answer.message.answer[0][0].strings == (expected_text,)
    else:
        assert answer.data() == expected


def plain_address_lines(zone: Path):
    """(owner, type, address) for unprefixed, relative-owner A/AAAA lines of a zone."""
    owner = None
    for line in zone.read_text().splitlines():
        words = line.split()
        if not words or words[0].startswith((";", "#")):
            continue
        if not line[0].isspace():
            owner = words.pop(0)
            if owner in ("DNSSEC", "AA", "NXDOMAIN") or "=" in owner or owner.endswith("."):
                owner = None  # prefixed or absolute: covered by other tests
        if owner and words[0] in ("A", "AAAA"):
            yield owner, words[0], words[1]


def test_every_plain_address_line_is_served(confdir: Path) -> None:
    import ipaddress

    lines = list(plain_address_lines(confdir / "dnszones" / "db.test.ex"))
    assert len(lines) > 40
    for owner, qtype, address in lines:
        answer = ask(confdir, f"{owner}.test.ex", qtype)
        assert answer.code == 0
        served = [ipaddress.ip_address(text) for text in answer.data()]
        assert ipaddress.ip_address(address) in served, (owner, qtype)


def test_header_and_authority(confdir: Path) -> None:
    answer = ask(confdir, "ten-1.test.ex", "A")
    assert answer.raw[:12] == bytes.fromhex("0000 8000 0000 0001 0001 0000")
    assert answer.message.flags & dns.flags.QR
    assert not answer.message.flags & (dns.flags.AA | dns.flags.AD)
    assert answer.records("authority") == [("test.ex.", "NS", 3600, "exim.test.ex.")]
    assert answer.records()[0][:3] == ("ten-1.test.ex.", "A", 3600)


def test_names_are_not_compressed(confdir: Path) -> None:
    answer = ask(confdir, "mxt6.test.ex", "MX")
    assert answer.raw.count(b"\x04mxt6\x04test\x02ex\x00") == 3
    assert b"\xc0" not in answer.raw


def test_owner_keeps_zone_case(confdir: Path) -> None:
    answer = ask(confdir, "UPPERCASE.test.ex.", "A")
    assert answer.records()[0][0] == "UpperCase.test.ex."


def test_cname_answers_any_type(confdir: Path) -> None:
    answer = ask(confdir, "cname4.test.ex", "MX")
    assert answer.code == 0
    assert answer.records() == [("cname4.test.ex.", "CNAME", 3600, "thishost.test.ex.")]


def test_ttl_prefix(confdir: Path) -> None:
    assert ask(confdir, "shorthost.test.ex", "A").records()[0][2] == 2
    rbl = ask(confdir, "13.12.11.224.rbl.test.ex", "A")
    assert rbl.records()[0][2] == 3


def test_wildcard_uses_the_query_name(confdir: Path) -> None:
    answer = ask(confdir, "42.104.250.10.in-addr.arpa", "PTR")
    assert answer.records() == [("42.104.250.10.in-addr.arpa.", "PTR", 3600, "manyhome.test.ex.")]


def test_wildcard_also_matches_names_shorter_than_it(confdir: Path) -> None:
    """fakens.c lets ``*.250`` match any name no longer than ``.250.10.in-addr.arpa``."""
    answer = ask(confdir, "1.10.in-addr.arpa", "PTR")
    assert answer.records() == [("1.10.in-addr.arpa.", "PTR", 3600, "manyhome.test.ex.")]


# ---------------------------------------------------------------- DNSSEC and AA


@pytest.mark.parametrize(
    ("name", "qtype", "code", "ad", "aa"),
    [
        ("a-sec.test.ex", "A", 0, True, False),
        ("a-unsec.test.ex", "A", 0, False, False),
        ("a-aa.test.ex", "A", 0, False, True),
        ("mx-sec-a-unsec.test.ex", "MX", 0, True, False),
        ("mx-aa-a-sec.test.ex", "MX", 0, False, True),
        ("_1225._tcp.dane.no.3.test.ex", "TLSA", 4, True, False),
        ("_1225._tcp.danebroken3.test.ex", "TLSA", 0, False, False),
    ],
)
def test_dnssec_and_aa_bits(
    confdir: Path, name: str, qtype: str, code: int, ad: bool, aa: bool
) -> None:
    answer = ask(confdir, name, qtype)
    assert answer.code == code
    assert bool(answer.message.flags & dns.flags.AD) == ad
    assert bool(answer.message.flags & dns.flags.AA) == aa


# ---------------------------------------------------------------- failures and specials


def test_not_found_has_soa_in_authority(confdir: Path) -> None:
    answer = ask(confdir, "nonexist.test.ex", "A")
    assert answer.code == 1
    assert answer.message.answer == []
    assert answer.data("authority") == [
        "exim.test.ex. hostmaster.exim.test.ex. 1430683638 1200 120 604800 3000"
    ]


def test_no_data(confdir: Path) -> None:
    answer = ask(confdir, "ten-1.test.ex", "MX")
    assert answer.code == 4
    assert answer.message.answer == []
    assert [r[1] for r in answer.records("authority")] == ["SOA"]


def test_nxdomain_prefix_gives_no_data(confdir: Path) -> None:
    assert ask(confdir, "dontqualify", "A").code == 4


def test_unqualified_names_get_the_qualify_domain(confdir: Path) -> None:
    assert ask(confdir, "ten-1", "A").data() == ["224.0.0.1"]


def test_zone_without_soa_not_found(confdir: Path) -> None:
    answer = ask(confdir, "9.9.9.224.in-addr.arpa", "PTR")
    assert answer.code == 1
    assert answer.raw == bytes.fromhex("0000 8000 0000 0000 0000 0000")


def test_unknown_zone_passes_on(confdir: Path) -> None:
    answer = ask(confdir, "www.example.org", "A")
    assert (answer.code, answer.raw) == (5, b"")
    assert answer.stderr == "fakens: query not in faked zone: domain is: www.example.org\n"


def test_pass_on_not_found_line(confdir: Path) -> None:
    assert ask(confdir, "1.2.3.10.in-addr.arpa", "PTR").code == 5


def test_again_and_fail_names(confdir: Path) -> None:
    assert ask(confdir, "x.test.again.dns", "A").code == 2
    assert ask(confdir, "test.fail.dns", "MX").code == 3
    reply = fakens.answer_query(str(confdir), "3.test.again.dns", "A", G4_96)
    assert (reply.status, reply.packet, reply.delay_s) == (2, None, 3.0)


def test_delay_prefix_is_honoured(confdir: Path) -> None:
    reply = fakens.answer_query(str(confdir), "delay1500.test.ex", "A", G4_96)
    assert (reply.status, reply.delay_s) == (0, 1.5)


def test_manyhome(confdir: Path) -> None:
    answer = ask(confdir, "manyhome.test.ex", "A")
    assert answer.code == 0
    assert len(answer.raw) == 12 + 2048 * 32  # longer than Exim's 65535-byte buffer, as in C
    assert answer.raw[:12] == bytes.fromhex("0000 0000 0000 0800 0000 0000")
    addresses = answer.data()
    assert (len(addresses), addresses[0], addresses[-1]) == (2048, "10.250.104.0", "10.250.111.255")


def test_unknown_type(confdir: Path) -> None:
    answer = ask(confdir, "ten-1.test.ex", "SPF")
    assert answer.code == 3
    assert answer.stderr == "fakens: unknown record type SPF\n"
    assert answer.raw == bytes.fromhex("0000 8000 0000 0000 0000 0000")


def test_wrong_argument_count(confdir: Path) -> None:
    answer = ask(confdir, "ten-1.test.ex", "A", "extra")
    assert (answer.code, answer.stderr) == (3, "fakens: expected 3 arguments, received 4\n")


def test_missing_zone_directory(tmp_path: Path) -> None:
    make_wrapper(tmp_path / "bin", "fakens")
    answer = ask(tmp_path, "ten-1.test.ex", "A")
    assert answer.code == 3
    assert answer.stderr.startswith(f"fakens: failed to opendir {tmp_path}/dnszones: ")


def test_unreadable_zone_file(tmp_path: Path) -> None:
    make_wrapper(tmp_path / "bin", "fakens")
    (tmp_path / "dnszones").mkdir()
    (tmp_path / "dnszones" / "db.gone.example").symlink_to(tmp_path / "nowhere")
    answer = ask(tmp_path, "x.gone.example", "A")
    assert answer.code == 3
    assert "failed to open" in answer.stderr and "db.gone.example" in answer.stderr


@pytest.mark.parametrize(
    ("line", "qtype", "problem"),
    [
        ("host A 1.2.3", "A", "bad A record"),
        ("host AAAA 1::2::3", "AAAA", "bad AAAA record"),
        ("host MX ten mail", "MX", "expected a number"),
        ("host SRV 1 2 PORT_S target", "SRV", "expected a number"),
        ("host TLSA 3 1 1 xyz", "TLSA", "hexadecimal"),
        ("host CNAME a..b.", "A", "empty label"),
        ("host SOA ns. only", "SOA", "expected mname"),
    ],
)
def test_bad_zone_line_names_file_and_line(
    tmp_path: Path, line: str, qtype: str, problem: str
) -> None:
    make_wrapper(tmp_path / "bin", "fakens")
    (tmp_path / "dnszones").mkdir()
    zone = tmp_path / "dnszones" / "db.bad.example"
    zone.write_text(f"; a comment\n\nok A 192.0.2.1\n{line}\n")
    answer = ask(tmp_path, "host.bad.example", qtype)
    assert answer.code == 3
    assert answer.raw == b""
    assert answer.stderr.startswith(f"fakens: {zone}:4: ")
    assert problem in answer.stderr
    assert ask(tmp_path, "ok.bad.example", "A").code == 0  # other lines still serve


def test_long_lines_split_as_fakens_c_reads_them(tmp_path: Path) -> None:
    make_wrapper(tmp_path / "bin", "fakens")
    (tmp_path / "dnszones").mkdir()
    text = "x" * 300
    (tmp_path / "dnszones" / "db.long.example").write_text(f'long TXT "{text}"\n')
    answer = ask(tmp_path, "long.long.example", "TXT")
    kept = 255 - len('long TXT "')
    assert answer.message.answer[0][0].strings == (text[:kept].encode(),)


# ---------------------------------------------------------------- render cache

CACHE_QUERIES = [
    ("ten-1.test.ex", "A"),
    ("mxt6.test.ex", "MX"),
    ("alias-eximtesthost", "A"),
    ("nonexist.test.ex", "A"),
    ("ten-1.test.ex", "MX"),
    ("test.ex", "SOA"),
    ("_1225._tcp.danemixed.test.ex", "TLSA"),
    ("_smtp._tcp.srv02.test.ex", "SRV"),
    ("15.12.11.224.rbl.test.ex", "TXT"),
    ("46.test.ex", "AAAA"),
    ("d.0.0.0.c.b.a.0.8.0.0.0.7.0.0.0.6.0.0.0.5.0.0.0.4.3.2.1.0.0.f.f.ip6.arpa", "PTR"),
    ("5.104.250.10.in-addr.arpa", "PTR"),
    ("manyhome.test.ex", "A"),
    ("example.com", "NS"),
    ("ed25519._domainkey.kitterman.org", "TXT"),
]


def test_prepared_cache_gives_identical_packets(confdir: Path, tmp_path: Path) -> None:
    cached = tmp_path / "cached"
    shutil.copytree(confdir / "dnszones", cached / "dnszones")
    fakens.prepare_zones(cached / "dnszones")
    assert (cached / "dnszones" / ".fakens-db.test.ex").is_file()
    for name, qtype in CACHE_QUERIES:
        plain = fakens.answer_query(str(confdir), name, qtype, G4_96)
        fast = fakens.answer_query(str(cached), name, qtype, G4_96)
        assert (fast.status, fast.packet) == (plain.status, plain.packet), (name, qtype)
    make_wrapper(cached / "bin", "fakens")
    assert ask(cached, "mxt6.test.ex", "MX").raw == ask(confdir, "mxt6.test.ex", "MX").raw


def test_stale_cache_is_ignored(tmp_path: Path) -> None:
    zones = tmp_path / "dnszones"
    zones.mkdir()
    zone = zones / "db.change.example"
    zone.write_text("host A 192.0.2.1\n")
    fakens.prepare_zones(zones)
    zone.write_text("host A 192.0.2.99\n")
    os.utime(zone, ns=(1, 1))
    reply = fakens.answer_query(str(tmp_path), "host.change.example", "A", G4_96)
    assert dns.message.from_wire(reply.packet).answer[0][0].to_text() == "192.0.2.99"


# ---------------------------------------------------------------- harness generations
# fakens.c of 4.98 reads a TXT record's every quoted string and zone lines of up to 511
# bytes; before, the first string only, and lines of up to 255 bytes.

GENERATIONS = [None, "4.96", "4.97", "4.98", "4.99", "master"]


def _multi_string_from(generation: str | None) -> bool:
    return generation not in (None, "4.96", "4.97")


def _one_zone(root: Path, text: str) -> Path:
    make_wrapper(root / "bin", "fakens")
    (root / "dnszones").mkdir(exist_ok=True)
    (root / "dnszones" / "db.gen.example").write_text(text)
    return root


@pytest.mark.parametrize("generation", GENERATIONS)
@pytest.mark.parametrize(
    ("data", "strings"),
    [
        ('"one" "two"\t"three"', (b"one", b"two", b"three")),
        ('"a"b"c"', (b"a", b"b", b"c")),  # what follows a closing quote starts a string
        ('"solo"', (b"solo",)),
        ('""', (b"",)),
        ("bare words", (b"bare words",)),
        ('"unclosed', (b"unclosed",)),
    ],
)
def test_txt_strings(
    tmp_path: Path, generation: str | None, data: str, strings: tuple[bytes, ...]
) -> None:
    root = _one_zone(tmp_path, f"txt TXT {data}\n")
    answer = ask(root, "txt.gen.example", "TXT", generation=generation)
    assert answer.code == 0, answer.stderr
    expected = strings if _multi_string_from(generation) else strings[:1]
    assert answer.message.answer[0][0].strings == expected


@pytest.mark.parametrize("generation", GENERATIONS)
def test_zone_line_length(tmp_path: Path, generation: str | None) -> None:
    a, b, c = "a" * 200, "b" * 200, "c" * 200
    text = f'two TXT "{a}" "{b}"\nthree TXT "{a}" "{b}" "{c}"\nafter A 192.0.2.9\n'
    root = _one_zone(tmp_path, text)
    two = ask(root, "two.gen.example", "TXT", generation=generation)
    three = ask(root, "three.gen.example", "TXT", generation=generation)
    if _multi_string_from(generation):
        assert two.message.answer[0][0].strings == (a.encode(), b.encode())
        kept = 511 - len(f'three TXT "{a}" "{b}" "')  # the rest of the line is cut off
        assert three.message.answer[0][0].strings == (a.encode(), b.encode(), c[:kept].encode())
    else:
        assert two.message.answer[0][0].strings == (a.encode(),)
        assert three.message.answer[0][0].strings == (a.encode(),)
    assert ask(root, "after.gen.example", "A", generation=generation).data() == ["192.0.2.9"]


@pytest.mark.parametrize("generation", ["4.96", "4.98"])
def test_prepared_cache_serves_each_generation(tmp_path: Path, generation: str) -> None:
    """One prepared cache answers as each generation reads the zone (cache and no cache
    give the same packet)."""
    text = f'multi TXT "one" "two"\nlong TXT "{"x" * 200}" "{"y" * 200}"\nhost A 192.0.2.1\n'
    plain, cached = _one_zone(tmp_path / "plain", text), _one_zone(tmp_path / "cached", text)
    fakens.prepare_zones(cached / "dnszones")
    chosen = fakens.Generation.parse(generation)
    for name, qtype in [("multi", "TXT"), ("long", "TXT"), ("host", "A")]:
        want = fakens.answer_query(str(plain), f"{name}.gen.example", qtype, chosen)
        got = fakens.answer_query(str(cached), f"{name}.gen.example", qtype, chosen)
        assert (got.status, got.packet) == (want.status, want.packet), name
    assert ask(cached, "multi.gen.example", "TXT", generation=generation).raw == (
        ask(plain, "multi.gen.example", "TXT", generation=generation).raw
    )


def test_cached_records_are_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _one_zone(tmp_path, 'multi TXT "one" "two"\n')
    fakens.prepare_zones(root / "dnszones")

    def no_rendering(record: object) -> bytes:
        raise AssertionError("rendered although cached")

    monkeypatch.setattr(fakens, "render_record", no_rendering)
    for generation in fakens.Generation:
        assert fakens.answer_query(str(root), "multi.gen.example", "TXT", generation).status == 0


def test_unknown_generation_is_a_complaint(tmp_path: Path) -> None:
    root = _one_zone(tmp_path, "host A 192.0.2.1\n")
    answer = ask(root, "host.gen.example", "A", generation="5.0")
    assert answer.code == 3
    assert "unknown harness generation '5.0'" in answer.stderr
