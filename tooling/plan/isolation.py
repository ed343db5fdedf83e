"""Run a piece of work in a forked child that can end, lie about nothing but its own data, or hang.

The parent has imported the SDK already, so a fork costs little. The child gets a process group of
its own, dies with the parent, has no file descriptors but its result pipe and an output pipe
(stdin is /dev/null), is sandboxed with Landlock where the kernel has it (writes only to a scratch
folder, no TCP, no signals out), and sends one length-prefixed frame of bytes. The parent decides
from outside: a frame and an exit (:class:`Outcome` ``ok``), an exit without a frame, a frame
that is too large, or the time limit (the child's process group is killed).
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import resource
import selectors
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tooling import linux
from tooling.plan import hardening, landlock

SANDBOX_SWITCH = "PLAN_SANDBOX"
"""``PLAN_SANDBOX=off`` in the gate's environment skips Landlock (to test the other defences)."""
MAX_RESULT_BYTES = 512 * 2**20
OUTPUT_TAIL_BYTES = 64 * 2**10
_HEADER = 8

Status = Literal["ok", "no-result", "timeout", "too-large"]


@dataclass
class Outcome:
    status: Status
    payload: bytes = b""
    how: str = ""
    """How the process ended: ``exit status 0``, ``SIGKILL``."""
    output: str = ""
    """The tail of what the child printed (stdout and stderr)."""

    @property
    def last_line(self) -> str:
        lines = [line.strip() for line in self.output.splitlines() if line.strip()]
        return lines[-1] if lines else ""


@dataclass
class Child:
    """A running child and what it has sent so far."""

    key: str
    pid: int
    deadline: float
    result_fd: int
    output_fd: int
    pidfd: int | None
    scratch: Path
    result: bytearray = field(default_factory=bytearray)
    output: deque[bytes] = field(default_factory=lambda: deque(maxlen=256))
    exit_status: int | None = None
    timed_out: bool = False
    too_large: bool = False

    def frame(self) -> bytes | None:
        if len(self.result) < _HEADER:
            return None
        size = int.from_bytes(self.result[:_HEADER], "big")
        body = self.result[_HEADER:]
        return bytes(body[:size]) if len(body) >= size else None


def _child_main(
    work: Callable[[], bytes], parent: int, result_fd: int, output_fd: int, scratch: Path
) -> None:
    """In the child: give up everything but the two pipes, sandbox, work, send, leave at once."""
    try:
        hardening.reset_in_child()
        os.setpgid(0, 0)
        linux.die_with_parent(parent)
        result_fd = fcntl.fcntl(result_fd, fcntl.F_DUPFD_CLOEXEC, 10)
        output_fd = fcntl.fcntl(output_fd, fcntl.F_DUPFD_CLOEXEC, 10)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(output_fd, 1)
        os.dup2(output_fd, 2)
        low, high = sorted((result_fd, output_fd))
        os.closerange(3, low)
        os.closerange(low + 1, high)
        os.closerange(high + 1, 1 << 20)
        os.close(output_fd)
        sys.stdout = open(1, "w", buffering=1, closefd=False)  # noqa: SIM115 (the child's whole life)
        sys.stderr = open(2, "w", buffering=1, closefd=False)  # noqa: SIM115
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.environ["TMPDIR"] = str(scratch)
        tempfile.tempdir = None
        if os.environ.get(SANDBOX_SWITCH) != "off":
            landlock.restrict([scratch, Path(os.devnull)])
        gc.disable()  # a short-lived render: collecting costs more than it frees
        write = os.write  # bound before any program code can replace it
        payload = work()
        frame = len(payload).to_bytes(_HEADER, "big") + payload
        view = memoryview(frame)
        while view:
            view = view[write(result_fd, view) :]
    except BaseException:  # the parent reports a child without a result; say why on its output
        with contextlib.suppress(BaseException):
            traceback.print_exc()
            sys.stderr.flush()
    finally:
        os._exit(0)


def spawn(key: str, work: Callable[[], bytes], *, timeout: float) -> Child:
    """Fork a child that runs ``work`` and sends what it returns."""
    scratch = Path(tempfile.mkdtemp(prefix="plan-render-"))
    result_r, result_w = os.pipe()
    output_r, output_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    with hardening.signals_blocked():
        pid = os.fork()
        if pid == 0:
            _child_main(work, parent, result_w, output_w, scratch)
        os.close(result_w)
        os.close(output_w)
        with contextlib.suppress(OSError):
            os.setpgid(
                pid, pid
            )  # also here: the kill must find the group even if the child is slow
        pidfd: int | None = None
        with contextlib.suppress(AttributeError, OSError):
            pidfd = os.pidfd_open(pid)
        for fd in (result_r, output_r):
            os.set_blocking(fd, False)
        return Child(
            key=key,
            pid=pid,
            deadline=time.monotonic() + timeout,
            result_fd=result_r,
            output_fd=output_r,
            pidfd=pidfd,
            scratch=scratch,
        )


class Supervisor:
    """Waits on running children: their pipes, their exits, their deadlines."""

    def __init__(self) -> None:
        self.running: dict[str, Child] = {}
        self._selector = selectors.DefaultSelector()

    def add(self, child: Child) -> None:
        self.running[child.key] = child
        self._selector.register(child.result_fd, selectors.EVENT_READ, (child, "result"))
        self._selector.register(child.output_fd, selectors.EVENT_READ, (child, "output"))
        if child.pidfd is not None:
            self._selector.register(child.pidfd, selectors.EVENT_READ, (child, "exit"))

    def wait(self) -> list[tuple[Child, Outcome]]:
        """Block until at least one child is done; their outcomes."""
        while True:
            done = [c for c in self.running.values() if self._finished(c)]
            if done:
                return [(child, self._close(child)) for child in done]
            now = time.monotonic()
            next_deadline = min(c.deadline for c in self.running.values())
            wait = max(next_deadline - now, 0.0)
            if any(c.pidfd is None for c in self.running.values()):
                wait = min(wait, 0.05)  # no pidfd (not Linux): poll for exits
            for key, _ in self._selector.select(timeout=wait):
                child, what = key.data
                if what == "exit":
                    self._reap(child, block=True)
                else:
                    self._read(child, what)
            for child in self.running.values():
                if child.exit_status is None and child.pidfd is None:
                    self._reap(child, block=False)
                if child.exit_status is None and time.monotonic() >= child.deadline:
                    child.timed_out = True
                    self._kill(child)

    def _finished(self, child: Child) -> bool:
        return child.exit_status is not None

    def _read(self, child: Child, what: str) -> bool:
        """Read what is there; False when nothing more is to be had now."""
        fd = child.result_fd if what == "result" else child.output_fd
        try:
            data = os.read(fd, 1 << 20)
        except (BlockingIOError, OSError):
            return False
        if not data:
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(fd)
            return False
        if what == "output":
            child.output.append(data)
        elif len(child.result) + len(data) > MAX_RESULT_BYTES + _HEADER:
            child.too_large = True
            self._kill(child)
            return False
        else:
            child.result.extend(data)
        return True

    def _drain(self, child: Child) -> None:
        """After the exit: what is still in the pipes (a descendant may hold them open; no wait)."""
        for what in ("result", "output"):
            while self._read(child, what):
                pass

    def _reap(self, child: Child, *, block: bool) -> None:
        try:
            pid, status = os.waitpid(child.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            child.exit_status = child.exit_status if child.exit_status is not None else 0
            return
        if pid == child.pid:
            child.exit_status = status

    def _kill(self, child: Child) -> None:
        for target in (
            lambda: os.killpg(child.pid, signal.SIGKILL),
            lambda: os.kill(child.pid, signal.SIGKILL),
        ):
            with contextlib.suppress(OSError):
                target()

    def _close(self, child: Child) -> Outcome:
        self._drain(child)
        self.running.pop(child.key, None)
        # Whatever the child left in its group (the rest is swept by the subreaper).
        with contextlib.suppress(OSError):
            os.killpg(child.pid, signal.SIGKILL)
        for fd in (child.result_fd, child.output_fd, child.pidfd):
            if fd is None:
                continue
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(fd)
            with contextlib.suppress(OSError):
                os.close(fd)
        shutil.rmtree(child.scratch, ignore_errors=True)
        output = b"".join(child.output)[-OUTPUT_TAIL_BYTES:].decode(errors="replace")
        how = _how(child.exit_status or 0)
        if child.too_large:
            return Outcome("too-large", how=how, output=output)
        if child.timed_out:
            return Outcome("timeout", how=how, output=output)
        frame = child.frame()
        if frame is None:
            return Outcome("no-result", how=how, output=output)
        return Outcome("ok", payload=frame, how=how, output=output)

    def stop_all(self) -> None:
        """Kill every running child and its group, and wait for them."""
        for child in list(self.running.values()):
            self._kill(child)
            if child.exit_status is None:
                self._reap(child, block=True)
            self._close(child)
        self._selector.close()


def _how(status: int) -> str:
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            return signal.Signals(signum).name
        except ValueError:
            return f"signal {signum}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def run_all(
    work: Iterable[tuple[str, Callable[[], bytes]]], *, timeout: float
) -> dict[str, Outcome]:
    """Run independent pieces of work one child each, one after another (tests, small callers)."""
    outcomes: dict[str, Outcome] = {}
    supervisor = Supervisor()
    try:
        for key, fn in work:
            supervisor.add(spawn(key, fn, timeout=timeout))
            while supervisor.running:
                for child, outcome in supervisor.wait():
                    outcomes[child.key] = outcome
    finally:
        supervisor.stop_all()
    return outcomes
