"""One ``moto_server`` process on 127.0.0.1 for a test session: started on a free port, waited
for, always stopped; and :class:`Snapshots`, which builds a deployment once per session and goes
back to it for each test (``tests/moto_snapshots.py``, the server both test folders run; the
rollout tests' adds p99)."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Generic, TypeVar

T = TypeVar("T")

START_SECONDS = 30
REQUEST_SECONDS = 60
"""Generous: a reset is fast, but a loaded 2-core CI machine can stall a request for seconds."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except OSError:
        return False
    return True


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def running(command: list[str], log: Path, cwd: Path | None = None) -> Iterator[str]:
    """``command -H 127.0.0.1 -p PORT`` until the block ends; yields its endpoint URL."""
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [*command, "-H", "127.0.0.1", "-p", str(port)],
            cwd=cwd,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(f"{endpoint}/moto-api/"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"moto_server did not start on {endpoint}: see {log}")
            time.sleep(0.1)
        yield endpoint
    finally:
        _stop(process)


def _post(url: str) -> bool:
    """POST ``url``; False on 404 (nothing saved under that name)."""
    try:
        urllib.request.urlopen(
            urllib.request.Request(url, method="POST"), timeout=REQUEST_SECONDS
        ).close()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise
    return True


def reset(endpoint: str) -> None:
    """moto as it starts: no resources in any service."""
    _post(f"{endpoint}/moto-api/reset")


class Snapshots(Generic[T]):
    """Deployments built once per test process and restored for each test that starts from one.

    :meth:`restore_or_build` gives a moto that holds exactly what ``build`` made (a test's own
    changes are gone) and the value ``build`` returned then (the ids it made); the caller copies
    that value before a test may change it."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._built: dict[str, T] = {}

    def restore_or_build(self, name: str, build: Callable[[], T]) -> T:
        if name in self._built and _post(f"{self.endpoint}/moto-snapshot/restore/{name}"):
            return self._built[name]
        reset(self.endpoint)
        value = build()
        _post(f"{self.endpoint}/moto-snapshot/save/{name}")
        self._built[name] = value
        return value
