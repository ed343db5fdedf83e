"""The pack's process: started in two steps (see ``launcher.py``), read for its port, always stopped."""

from __future__ import annotations

import collections
import contextlib
import os
import selectors
import subprocess
import tempfile
import threading
import weakref
from pathlib import Path
from typing import IO, Any

from tooling.policy.errors import PolicyPackError

LAUNCHER = Path(__file__).with_name("launcher.py")
READY_TIMEOUT = 60.0
"""How long the launcher may take to import the SDK and the pack."""


def stop_process(process: subprocess.Popen[bytes], timeout: float = 5.0) -> None:
    """Stop a child by its own handle: terminate, wait, kill if it does not exit."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


class PackProcess:
    """``python -u <pack dir>`` through the launcher: :meth:`launch` (imports), :meth:`serve` (port)."""

    def __init__(
        self, pack_dir: Path, *, python: str, timeout: float, die_with_parent: bool = False
    ) -> None:
        self.pack_dir = pack_dir
        self.python = python
        self.timeout = timeout
        self.die_with_parent = die_with_parent
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None
        self._ready = False
        self._stdout_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._finalizer: weakref.finalize[Any, Any] | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def launched(self) -> bool:
        return self._process is not None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def launch(self) -> None:
        """Start the launcher: it imports the SDK and the pack, then waits. Returns at once."""
        if self._process is not None:
            raise PolicyPackError(f"policy pack {self.pack_dir} is already running")
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        command = [self.python, "-u", "-P", str(LAUNCHER), str(self.pack_dir)]
        if self.die_with_parent:
            command.append(str(os.getpid()))
        self._process = subprocess.Popen(
            command,
            cwd=self.pack_dir,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            # Its own process group: a Ctrl-C reaches the gate, which stops the pack itself.
            process_group=0,
        )
        self._finalizer = weakref.finalize(self, stop_process, self._process)

    def wait_ready(self) -> None:
        """Block until the pack has read everything it will run (see ``launcher.py``)."""
        if not self._ready:
            # Importing the SDK is the launcher's part, not the pack's: not held to its start time.
            line = self._read_line("was not ready", max(self.timeout, READY_TIMEOUT))
            if line != "ready":
                raise PolicyPackError(
                    f"policy pack {self.pack_dir} did not start (got {line[:200]!r})"
                )
            self._ready = True

    def serve(self) -> int:
        """Let the pack serve; return its port."""
        if self._process is None:
            self.launch()
        self.wait_ready()
        assert self._process is not None and self._process.stdin is not None
        try:
            self._process.stdin.write(b"go\n")
            self._process.stdin.close()
        except OSError:
            pass  # it died: reading its port says why
        line = self._read_line("printed no port", self.timeout)
        if not line.isdigit():
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not print a port (got {line[:200]!r})"
            )
        # Keep draining stdout (a policy that prints must never block on a full pipe).
        assert self._process.stdout is not None
        threading.Thread(target=self._drain, args=(self._process.stdout,), daemon=True).start()
        return int(line)

    def _read_line(self, what: str, timeout: float) -> str:
        assert self._process is not None and self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            ready = selector.select(timeout=timeout)
        if not ready:
            raise PolicyPackError(f"policy pack {self.pack_dir} {what} within {timeout:g}s")
        line = self._process.stdout.readline().decode(errors="replace").strip()
        if not line:
            self._process.wait(timeout=self.timeout)
            raise PolicyPackError(
                f"policy pack {self.pack_dir} exited before serving: {self.last_error()}"
            )
        return line

    def _drain(self, stream: IO[bytes]) -> None:
        try:
            for raw in stream:
                self._stdout_tail.append(raw.decode(errors="replace").rstrip())
        except (OSError, ValueError):
            return

    def last_error(self) -> str:
        """The last line the pack wrote to stderr (its exception, if it crashed)."""
        if self._stderr is None:
            return "no output"
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else "no output"

    def stop(self) -> None:
        """Stop the child (terminate, then kill if it hangs). Idempotent."""
        process, self._process = self._process, None
        self._ready = False
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if process is not None:
            stop_process(process)
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
