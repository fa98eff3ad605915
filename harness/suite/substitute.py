"""The standard substitutions applied to confs, command lines, data lines and aux files.

Each name (CALLER, DIR/, HOSTIPV4, PORT_D, ...) is replaced by its value for this host in a
single pass; the values never contain another name, so one pass gives the same text as
applying the substitutions one after another.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from harness.core.generation import Generation
from harness.host.hostfacts import HostFacts


class Substituter:
    """The substitutions of one harness generation for one host (and test's dynamic port).

    From 4.99, PORT_D right after an underscore is replaced too (`_PORT_D._tcp` names).
    """

    def __init__(
        self, facts: HostFacts, generation: Generation, dynamic_port: int | None = None
    ) -> None:
        p = facts.ports
        words = {
            "CALLER": facts.caller,
            "CALLERGROUP": facts.caller_group,
            "CALLER_UID": str(facts.caller_uid),
            "CALLER_GID": str(facts.caller_gid),
            "CLAMSOCKET": facts.clamsocket,
            "EXIMGROUP": facts.eximgroup,
            "EXIMUSER": facts.eximuser,
            "HOSTIPV4": facts.ipv4,
            "HOSTIPV6": facts.ipv6,
            "HOSTNAME": facts.hostname,
            "PORT_D": str(p.d),
            "PORT_D2": str(p.d2),
            "PORT_D3": str(p.d3),
            "PORT_D4": str(p.d4),
            "PORT_N": str(p.n),
            "PORT_S": str(p.s),
            "MAILGROUP": facts.mailgroup,
        }
        if dynamic_port is not None:
            words["PORT_DYNAMIC"] = str(dynamic_port)
        self._words = words
        self._cwd = facts.cwd
        self._v4net = facts.ipv4_test_net
        self._v6net = facts.ipv6_test_net
        names = "|".join(sorted(words, key=len, reverse=True))
        after_underscore = r"|(?<=_)(?P<uword>PORT_D)\b" if generation >= Generation.G4_99 else ""
        self._pattern = re.compile(
            rf"\b(?P<word>{names}|TESTNUM)\b{after_underscore}"
            r"|\bDIR/"
            r"|(?P<pre>\b|_)V4NET(?P<post>[._])"
            r"|\bV6NET:"
        )

    def apply(self, text: str, testnum: str = "0") -> str:
        if not any(c.isupper() for c in text):
            return text
        return self._pattern.sub(self._replacer(testnum), text)

    def _replacer(self, testnum: str) -> Callable[[re.Match[str]], str]:
        def replace(m: re.Match[str]) -> str:
            word = m.group("word") or m.groupdict().get("uword")
            if word is not None:
                return testnum if word == "TESTNUM" else self._words[word]
            found = m.group(0)
            if found == "DIR/":
                return self._cwd + "/"
            if found.endswith(":"):
                return self._v6net + ":"
            return f"{m.group('pre')}{self._v4net}{m.group('post')}"

        return replace
