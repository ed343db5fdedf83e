"""Landlock (Linux >= 5.13): a render child gives up writing files, TCP, and signalling the gate.

A process can restrict itself (and everything it starts) without privileges. A render child keeps
reading everything (a program reads its own files and the SDK) but may write only beneath its own
scratch folder; with ABI 4 (Linux 6.7) it may not bind or connect TCP sockets (the policy pack's
port included); with ABI 6 (Linux 6.12) it may not signal processes outside its sandbox (the gate,
the pack) nor reach abstract unix sockets. Where the kernel has less, the rest still applies;
where it has none, :func:`restrict` returns 0 and the gate's other defences stand alone.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Sequence
from pathlib import Path

from tooling import linux

SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446  # the same on every arch
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1

# filesystem rights
WRITE_FILE, REMOVE_DIR, REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
MAKE_CHAR, MAKE_DIR, MAKE_REG, MAKE_SOCK = 1 << 6, 1 << 7, 1 << 8, 1 << 9
MAKE_FIFO, MAKE_BLOCK, MAKE_SYM, REFER, TRUNCATE = 1 << 10, 1 << 11, 1 << 12, 1 << 13, 1 << 14
# network rights (ABI 4) and scopes (ABI 6)
BIND_TCP, CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version, 0 if it has none."""
    lib = linux.libc()
    if lib is None:
        return 0
    version = lib.syscall(SYS_CREATE_RULESET, None, ctypes.c_size_t(0), CREATE_RULESET_VERSION)
    return max(int(version), 0)


def _write_rights(abi: int) -> int:
    rights = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE_CHAR | MAKE_DIR | MAKE_REG
    rights |= MAKE_SOCK | MAKE_FIFO | MAKE_BLOCK | MAKE_SYM
    if abi >= 2:
        rights |= REFER
    if abi >= 3:
        rights |= TRUNCATE
    return rights


_active = 0


def active() -> int:
    """The ABI this process restricted itself with (0: not sandboxed)."""
    return _active


def restrict(writable: Sequence[Path]) -> int:
    """Sandbox this process: writes only beneath ``writable``; no TCP; no signals out. The ABI used."""
    abi = abi_version()
    lib = linux.libc()
    if abi < 1 or lib is None:
        return 0
    rights = _write_rights(abi)
    attr = _RulesetAttr(
        handled_access_fs=rights,
        handled_access_net=(BIND_TCP | CONNECT_TCP) if abi >= 4 else 0,
        scoped=(SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL) if abi >= 6 else 0,
    )
    size = 8 if abi < 4 else 16 if abi < 6 else 24
    ruleset = lib.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0)
    if ruleset < 0:
        return 0
    try:
        for path in writable:
            _allow(lib, ruleset, path, rights)
        if not linux.no_new_privileges():
            return 0
        if lib.syscall(SYS_RESTRICT_SELF, ruleset, 0) != 0:
            return 0
    finally:
        os.close(ruleset)
    global _active  # noqa: PLW0603 (a process is sandboxed once, for good)
    _active = abi
    return abi


def _allow(lib: ctypes.CDLL, ruleset: int, path: Path, rights: int) -> None:
    fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    try:
        # A file takes only the rights that apply to files.
        allowed = rights if path.is_dir() else rights & (WRITE_FILE | TRUNCATE)
        rule = _PathBeneathAttr(allowed_access=allowed, parent_fd=fd)
        lib.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0)
    finally:
        os.close(fd)
