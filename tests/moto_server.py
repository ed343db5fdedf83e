"""One ``moto_server`` process on 127.0.0.1 for a test session: started on a free port, waited
for, always stopped. The verify tests run moto as it is; the rollout tests run it with p99."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_SECONDS = 30


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
