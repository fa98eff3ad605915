"""Reading files of an Exim-format suite.

Suites copied without symlink support (a git checkout on a file system without links, or an
export of one) hold each link as a small file whose whole content is the link's target, with
no newline. Such files are followed here, so `confs/4027` that says `4020` reads as `confs/4020`.
Text is read as latin-1 so that every byte survives unchanged to Exim and back.
"""

from __future__ import annotations

import os
from pathlib import Path

ENCODING = "latin-1"
# What a suite is made of (Exim's test/ has more: its C helpers, scripts of its own).
SUITE_PARTS = (
    "scripts",
    "confs",
    "stdout",
    "stderr",
    "log",
    "mail",
    "msglog",
    "rejectlog",
    "paniclog",
    "aux-fixed",
    "aux-var-src",
    "dnszones-src",
)
_MAX_LINK_TEXT = 255


def flattened_link_target(path: Path) -> Path | None:
    """The file a flattened symlink stands for, or None when `path` is an ordinary file."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > _MAX_LINK_TEXT:
            return None
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw or b"\n" in raw or b"\0" in raw or raw.strip() != raw:
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return None
    target = path.parent / text
    if target.exists() and target.resolve() != path.resolve():
        return target
    return None


def resolve(path: Path, depth: int = 8) -> Path:
    """Follow flattened links (a few levels at most) to the file that holds the content."""
    for _ in range(depth):
        target = flattened_link_target(path)
        if target is None:
            return path
        path = target
    return path


def read_text(path: Path) -> str:
    return resolve(path).read_bytes().decode(ENCODING)


def copy_tree(src: Path, dest: Path, owner: tuple[int, int] | None = None) -> None:
    """Copy a suite directory, turning flattened links back into links and normalising modes.

    Files are 0644 (0755 when they start with `#!`, since exec bits do not survive such
    exports), directories 0755, as in a fresh checkout made with umask 022.
    """
    dest.mkdir(parents=True, exist_ok=True)
    os.chmod(dest, 0o755)
    if owner:
        os.chown(dest, *owner)
    for entry in sorted(src.iterdir()):
        out = dest / entry.name
        if entry.is_symlink():
            out.symlink_to(os.readlink(entry))
        elif entry.is_dir():
            copy_tree(entry, out, owner)
            continue
        elif (target := flattened_link_target(entry)) is not None:
            out.symlink_to(os.path.relpath(target, entry.parent))
        else:
            data = entry.read_bytes()
            out.write_bytes(data)
            os.chmod(out, 0o755 if data.startswith(b"#!") else 0o644)
        if owner:
            os.lchown(out, *owner)
