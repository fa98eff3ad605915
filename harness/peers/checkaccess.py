"""checkaccess: can the Exim user and group read a file?  Run as root.

Usage: ``checkaccess FILE USER GROUP``.  Drops all supplementary groups, becomes
GROUP and USER, then opens FILE for reading.  Exit codes, as Exim's C program:
0 readable, 1 no such user, 2 no such group, 4 cannot drop supplementary groups,
5 cannot set gid, 6 cannot set uid, 7 cannot open the file.
"""

from __future__ import annotations

import grp
import os
import pwd
import sys

NO_USER = 1
NO_GROUP = 2
NO_SETGROUPS = 4
NO_SETGID = 5
NO_SETUID = 6
NO_OPEN = 7


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else list(argv)
    path, user, group = (args + ["", "", ""])[:3]
    try:
        uid = pwd.getpwnam(user).pw_uid
    except KeyError:
        return NO_USER
    try:
        gid = grp.getgrnam(group).gr_gid
    except KeyError:
        return NO_GROUP
    try:
        os.setgroups([])
    except OSError:
        return NO_SETGROUPS
    try:
        os.setgid(gid)
    except OSError:
        return NO_SETGID
    try:
        os.setuid(uid)
    except OSError:
        return NO_SETUID
    try:
        os.close(os.open(path, os.O_RDONLY))
    except OSError:
        return NO_OPEN
    return 0
