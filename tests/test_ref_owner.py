"""The notice for a binary built with "ref:" users or groups, read from its build's config.h."""

from __future__ import annotations

from pathlib import Path

from harness.host.eximbinary import build_config_h, check_ref_owner, ref_owner_warning, ref_settings

# Lines as Exim's build writes them into config.h for CONFIGURE_OWNER=1001 (a number) ...
NUMERIC = """\
#define CONFIGURE_FILE        "/opt/exim/configure"
/* CONFIGURE_FILE_USE_EUID not set */
#define CONFIGURE_GROUP              1001
#define CONFIGURE_OWNER              1001
#define EXIM_UID              102
#define EXIM_GID              109
#define SPOOL_DIRECTORY       "/opt/exim/spool"
"""

# ... and for CONFIGURE_OWNER=ref:rtcaller, CONFIGURE_GROUP=ref:rtcaller.
REF = """\
#define CONFIGURE_FILE        "/opt/exim/configure"
#define CONFIGURE_GROUPNAME         "rtcaller"
#define CONFIGURE_GROUP              0
#define CONFIGURE_OWNERNAME         "rtcaller"
#define CONFIGURE_OWNER              0
#define EXIM_UID              102
#define EXIM_GID              109
"""

EXIM = Path("/src/build-Linux-x86_64/exim")


def test_numeric_owner_gives_no_notice() -> None:
    assert ref_settings(NUMERIC) == {}
    assert ref_owner_warning(EXIM, NUMERIC) is None
    assert ref_owner_warning(EXIM, "/* CONFIGURE_OWNER not set */\n") is None


def test_ref_owner_gives_one_line() -> None:
    assert ref_settings(REF) == {"CONFIGURE_OWNER": "rtcaller", "CONFIGURE_GROUP": "rtcaller"}
    note = ref_owner_warning(EXIM, REF, EXIM.parent / "config.h")
    assert note is not None
    assert "\n" not in note
    assert note.startswith(
        f"** {EXIM} was built with CONFIGURE_OWNER=ref:rtcaller, "
        "CONFIGURE_GROUP=ref:rtcaller (its config.h "
        "/src/build-Linux-x86_64/config.h): "
    )
    assert "asks for numeric ids;" in note and '"cache not available"' in note


def test_ref_exim_user_is_named_too() -> None:
    text = NUMERIC + '#define EXIM_USERNAME         "Debian-exim"\n'
    note = ref_owner_warning(EXIM, text)
    assert note is not None and "EXIM_USER=ref:Debian-exim" in note
    assert "asks for the numeric id;" in note
    assert "CONFIGURE_OWNER" not in note


def _build(tmp_path: Path, config_h: str | None) -> Path:
    build = tmp_path / "src" / "build-Linux-x86_64"
    build.mkdir(parents=True)
    binary = build / "exim"
    binary.write_text("#!/bin/sh\n")
    if config_h is not None:
        (build / "config.h").write_text(config_h)
    return binary


def test_config_h_is_read_beside_the_binary(tmp_path: Path) -> None:
    binary = _build(tmp_path, REF)
    assert build_config_h(binary) == binary.parent / "config.h"
    note = check_ref_owner(binary)
    assert note is not None and f"(its config.h {binary.parent / 'config.h'})" in note


def test_numeric_build_and_installed_binary_give_none(tmp_path: Path) -> None:
    assert check_ref_owner(_build(tmp_path / "numeric", NUMERIC)) is None
    installed = _build(tmp_path / "installed", None)
    assert build_config_h(installed) is None
    assert check_ref_owner(installed) is None


def test_through_a_symlink_the_build_is_found(tmp_path: Path) -> None:
    binary = _build(tmp_path, REF)
    link = tmp_path / "exim"
    link.symlink_to(binary)
    assert check_ref_owner(link) is not None
