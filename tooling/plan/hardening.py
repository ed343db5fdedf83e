"""The gate process's own defences, for ``python -m tooling.plan`` (not for in-process callers).

- Every signal whose default would end the gate quietly (SIGTERM, SIGHUP, SIGUSR1, ...) is turned
  into :class:`Stopped`, so the gate stops its children and the pack and exits 2 with one line.
  SIGKILL and SIGSTOP cannot be caught: a SIGKILLed gate exits 137 (never 0), and its render
  children and the pack die with it (``PR_SET_PDEATHSIG``).
- The gate is a child subreaper: whatever a program started and left behind is re-parented to the
  gate, which kills it (:func:`sweep`) before the pack serves and before any report is written.
- The gate is not dumpable: no other same-user process can ``ptrace`` it or write its memory.
- Once programs run, the gate imports nothing more (:func:`seal_imports`): a program that could
  write to the checkout or the venv (no Landlock) must not get its code run by the gate's lazy
  imports. What the gate imports late is imported before the first render instead.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from types import FrameType, ModuleType

import psutil

from tooling import linux

_FATAL = ("SIGHUP", "SIGINT", "SIGQUIT", "SIGTERM", "SIGUSR1", "SIGUSR2", "SIGALRM")
_FATAL += ("SIGVTALRM", "SIGPROF", "SIGXCPU", "SIGXFSZ", "SIGIO", "SIGPWR", "SIGSTKFLT")
HANDLED: tuple[int, ...] = tuple(
    int(getattr(signal, name)) for name in _FATAL if hasattr(signal, name)
) + tuple(range(signal.SIGRTMIN, signal.SIGRTMAX + 1))
"""Signals that would end the gate by default and can be caught."""

_subreaper = False
LATE_IMPORTS = (
    "grpc._channel", "grpc._simple_stubs", "grpc._utilities", "grpc.experimental",
    "rich._emoji_codes", "traceback", "linecache", "tokenize",
)  # fmt: skip
"""What the gate would otherwise import after the renders (connecting to the pack, printing)."""


class _Sealed(importlib.abc.MetaPathFinder):
    """Refuses every new import in the gate's own process (render children import freely)."""

    def __init__(self) -> None:
        self.pid = os.getpid()

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if os.getpid() == self.pid:
            raise ImportError(
                f"the gate imports nothing once programs have run (asked for {fullname})"
            )
        return None


def seal_imports() -> None:
    """From now on the gate imports nothing (only as ``python -m tooling.plan``)."""
    if not _subreaper:
        return
    for name in LATE_IMPORTS:
        importlib.import_module(name)
    sys.meta_path.insert(0, _Sealed())


class Stopped(BaseException):
    """The gate got a signal; it stops everything it started and exits 2."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        try:
            return signal.Signals(self.signum).name
        except ValueError:
            return f"signal {self.signum}"


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


@contextlib.contextmanager
def guarded() -> Iterator[None]:
    """Run the gate with its defences on; afterwards, nothing it started is left running."""
    global _subreaper  # noqa: PLW0603 (one gate per process)
    _subreaper = linux.become_subreaper()
    linux.undumpable()
    previous = {signum: signal.signal(signum, _stop) for signum in HANDLED}
    try:
        yield
    finally:
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _Sealed)]
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        sweep()
        _subreaper = False


@contextlib.contextmanager
def signals_blocked() -> Iterator[None]:
    """Hold the gate's signals while a child is forked and registered (none may slip between)."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, HANDLED)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def reset_in_child() -> None:
    """A forked child starts with default signal handling and nothing blocked."""
    for signum in HANDLED:
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())


def sweep(keep: frozenset[int] = frozenset()) -> list[int]:
    """Kill every descendant of the gate but ``keep`` (the pack); the PIDs killed.

    Only as a subreaper does the gate see what a program left behind (re-parented orphans); an
    in-process caller keeps its own children, so this does nothing there.
    """
    if not _subreaper:
        return []
    me = psutil.Process(os.getpid())
    killed: list[int] = []
    for _ in range(10):  # orphans appear as their parents die: repeat until none is left
        left = [p for p in _descendants(me) if p.pid not in keep]
        if not left:
            break
        for process in left:
            with contextlib.suppress(psutil.Error):
                process.kill()
                killed.append(process.pid)
        psutil.wait_procs(left, timeout=2)
    return killed


def _descendants(me: psutil.Process) -> list[psutil.Process]:
    try:
        return me.children(recursive=True)
    except psutil.Error:
        return []
