"""``moto_server`` that can also save its whole state under a name and go back to it.

Most AWS tests start from the same deployment and then break one thing. Building it through the
API costs about a second of CPU a test; going back to a snapshot costs about 0.06 s.

- ``POST /moto-snapshot/save/NAME``: every backend in use, pickled in one go (an object that two
  services share stays shared).
- ``POST /moto-snapshot/restore/NAME``: moto's own reset, then a fresh copy of that state, so one
  test's changes never reach the next; 404 if nothing was saved under NAME.

Everything else is moto as it is. Run as ``python -m tests.moto_snapshots -H 127.0.0.1 -p PORT``
(the rollout tests' server, ``moto_percentiles``, is this one with p99 added).
"""

from __future__ import annotations

import io
import os
import pickle
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from moto import server
from moto.core.base_backend import BackendDict, backend_lock
from moto.moto_api._internal.models import moto_api_backend
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

PREFIX = "/moto-snapshot/"


class _Pickler(pickle.Pickler):
    """Keeps cryptography's objects (ACM's private keys, which do not pickle) by reference: they
    are immutable, so every copy may share them."""

    def __init__(self, file: io.BytesIO, kept: list[Any]) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.kept = kept

    def persistent_id(self, obj: Any) -> int | None:
        if type(obj).__module__.startswith("cryptography."):
            self.kept.append(obj)
            return len(self.kept) - 1
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: io.BytesIO, kept: list[Any]) -> None:
        super().__init__(file)
        self.kept = kept

    def persistent_load(self, pid: Any) -> Any:
        return self.kept[pid]


@dataclass(frozen=True)
class _Snapshot:
    backends: list[BackendDict[Any]]
    """The live ``*_backends`` objects (moto's module globals) that were in use."""
    state: bytes
    """What each of them held (account -> region -> backend), pickled together."""
    kept: list[Any]


_saved: dict[str, _Snapshot] = {}


def save(name: str) -> None:
    with backend_lock:
        backends: list[BackendDict[Any]] = list(BackendDict._instances)  # type: ignore[attr-defined]
        file, kept = io.BytesIO(), []
        _Pickler(file, kept).dump([dict(backend) for backend in backends])
        _saved[name] = _Snapshot(backends, file.getvalue(), kept)


def restore(name: str) -> bool:
    snapshot = _saved.get(name)
    if snapshot is None:
        return False
    with backend_lock:
        state = _Unpickler(io.BytesIO(snapshot.state), snapshot.kept).load()
        moto_api_backend.reset()  # what POST /moto-api/reset does
        for backend, accounts in zip(snapshot.backends, state, strict=True):
            backend.update(accounts)
            BackendDict._instances.append(backend)  # type: ignore[attr-defined]
    return True


class _App(DomainDispatcherApplication):
    """moto's WSGI application, answering the two snapshot paths itself."""

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "POST" or not path.startswith(PREFIX):
            return super().__call__(environ, start_response)
        action, _, name = path.removeprefix(PREFIX).partition("/")
        if action == "save" and name:
            save(name)
            status = "200 OK"
        elif action == "restore" and name:
            status = "200 OK" if restore(name) else "404 Not Found"
        else:
            status = "400 Bad Request"
        start_response(status, [("Content-Type", "text/plain")])
        return [status.encode()]


def main(argv: list[str]) -> None:
    server.DomainDispatcherApplication = _App  # type: ignore[misc]
    # On SIGTERM, end at once: nothing here outlives the session, and the interpreter's own
    # teardown of moto's models took seconds at the end of every test session.
    server.signal_handler = lambda *_: os._exit(0)
    server.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
