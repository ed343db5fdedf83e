"""Linux process controls the plan gate relies on, each a no-op where the kernel lacks it.

Why these: a stack program under review runs in a child of the gate, as the same user. These keep
what it leaves behind from outliving or fooling the gate (see README, "The gate as a trust boundary").
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36

_libc: ctypes.CDLL | None = None


def libc() -> ctypes.CDLL | None:
    global _libc  # noqa: PLW0603 (loaded once, on first use)
    if _libc is None and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError):
            _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def prctl(option: int, value: int) -> bool:
    """``prctl(option, value)``; False where it is not available or fails."""
    lib = libc()
    if lib is None:
        return False
    return lib.prctl(option, ctypes.c_ulong(value), 0, 0, 0) == 0


def die_with_parent(expected_parent: int) -> None:
    """SIGKILL this process when its parent dies (and exit now if it already has)."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != expected_parent:
        os._exit(70)


def undumpable() -> bool:
    """No core dumps, and no ``ptrace`` or ``/proc/<pid>/mem`` access by other same-user processes."""
    return prctl(PR_SET_DUMPABLE, 0)


def become_subreaper() -> bool:
    """Orphaned descendants are re-parented to this process (so it can find and stop them)."""
    return prctl(PR_SET_CHILD_SUBREAPER, 1)


def no_new_privileges() -> bool:
    return prctl(PR_SET_NO_NEW_PRIVS, 1)
