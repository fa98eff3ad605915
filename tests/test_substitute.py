from harness.core.generation import Generation
from harness.suite.substitute import Substituter


def test_standard_names(facts):
    s = Substituter(facts, Generation.G4_96, dynamic_port=4444)
    text = (
        "CALLER CALLER_UID CALLER_GID CALLERGROUP DIR/x EXIMUSER EXIMGROUP HOSTIPV4 "
        "HOSTIPV6 HOSTNAME PORT_D PORT_D2 PORT_D3 PORT_D4 PORT_N PORT_S PORT_DYNAMIC TESTNUM"
    )
    assert s.apply(text, "0042") == (
        "tester 1001 1002 testers /work/dir/x Debian-exim Debian-exim 192.0.2.2 fd00::2 "
        "myhost.test.example 1225 1226 1227 1228 1223 1224 4444 0042"
    )


def test_words_need_boundaries(facts):
    s = Substituter(facts, Generation.G4_96)
    assert s.apply("XCALLER CALLERS MYDIR/x DIRX/", "1") == "XCALLER CALLERS MYDIR/x DIRX/"


def test_test_networks(facts):
    s = Substituter(facts, Generation.G4_96)
    assert s.apply("V4NET.0.0.1 x_V4NET_y V4NET V6NET:1::2", "1") == (
        "224.0.0.1 x_224_y V4NET ff00:1::2"
    )
