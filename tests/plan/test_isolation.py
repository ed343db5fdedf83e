"""The render child, by itself: what the parent concludes however the child ends, and the sandbox."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import psutil
import pytest

from tooling.plan import isolation, landlock


def _pid_file(path: Path) -> int:
    return int(path.read_text())


def test_the_parent_judges_the_child_by_its_frame_and_its_end(tmp_path: Path) -> None:
    def grandchild_holds_the_pipe() -> bytes:
        if os.fork() == 0:
            threading.Event().wait()
        return b"done"

    outcomes = isolation.run_all(
        [
            ("ok", lambda: print("noise") or b"result"),  # type: ignore[func-returns-value]
            ("exit0", lambda: os._exit(0)),
            ("sysexit", lambda: sys.exit(0)),
            ("selfkill", lambda: os.kill(os.getpid(), signal.SIGKILL) or b""),  # type: ignore[func-returns-value]
            ("hang", lambda: threading.Event().wait() or b""),  # type: ignore[func-returns-value]
            ("big", lambda: b"x" * (3 * 2**20)),
            ("held", grandchild_holds_the_pipe),
        ],
        timeout=2,
    )
    summary = {k: (o.status, o.how, len(o.payload)) for k, o in outcomes.items()}
    assert summary == {
        "ok": ("ok", "exit status 0", 6),
        "exit0": ("no-result", "exit status 0", 0),
        "sysexit": ("no-result", "exit status 0", 0),
        "selfkill": ("no-result", "SIGKILL", 0),
        "hang": ("timeout", "SIGKILL", 0),
        "big": ("ok", "exit status 0", 3 * 2**20),
        "held": ("ok", "exit status 0", 4),
    }
    assert outcomes["ok"].last_line == "noise"
    assert outcomes["sysexit"].last_line == "SystemExit: 0"


def test_a_child_has_no_file_descriptor_of_the_parent_but_its_pipes(tmp_path: Path) -> None:
    secret = (tmp_path / "secret").open("w")
    secret_fd = secret.fileno()
    try:
        (outcome,) = isolation.run_all(
            [
                (
                    "fds",
                    lambda: " ".join(
                        sorted(p.name for p in Path("/proc/self/fd").iterdir())
                    ).encode(),
                )
            ],
            timeout=30,
        ).values()
    finally:
        secret.close()
    fds = outcome.payload.decode().split()
    assert str(secret_fd) not in fds
    assert len(fds) <= 6  # stdin, stdout, stderr, the result pipe, and listdir's own


@pytest.mark.skipif(landlock.abi_version() < 1, reason="this kernel has no Landlock")
def test_a_sandboxed_child_cannot_write_outside_its_scratch_folder_nor_connect(
    tmp_path: Path,
) -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def attempts() -> bytes:
        results = []
        for what, attempt in (
            ("write", lambda: (tmp_path / "forged").write_text("x")),
            ("scratch", lambda: (Path(os.environ["TMPDIR"]) / "ok").write_text("x")),
            ("connect", lambda: socket.create_connection(("127.0.0.1", port), timeout=5)),
            ("signal", lambda: os.kill(os.getppid(), 0)),
        ):
            try:
                attempt()
                results.append(f"{what}=allowed")
            except PermissionError:
                results.append(f"{what}=denied")
        return " ".join(results).encode()

    try:
        (outcome,) = isolation.run_all([("sandbox", attempts)], timeout=30).values()
    finally:
        listener.close()
    abi = landlock.abi_version()
    assert outcome.payload.decode() == " ".join([
        "write=denied",
        "scratch=allowed",
        f"connect={'denied' if abi >= 4 else 'allowed'}",
        f"signal={'denied' if abi >= 6 else 'allowed'}",
    ])  # fmt: skip
    assert not (tmp_path / "forged").exists()


def test_a_child_dies_with_its_parent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The gate killed with SIGKILL takes its render children along (PR_SET_PDEATHSIG)."""
    monkeypatch.setenv(isolation.SANDBOX_SWITCH, "off")  # the child writes its PID down
    record = tmp_path / "pid"
    middle = os.fork()
    if middle == 0:  # plays the gate

        def note_and_wait() -> bytes:
            record.write_text(str(os.getpid()))
            threading.Event().wait()
            return b""

        try:
            isolation.run_all([("orphan", note_and_wait)], timeout=600)
        finally:
            os._exit(0)
    while not record.exists() or not record.read_text():
        if os.waitpid(middle, os.WNOHANG)[0]:
            pytest.fail("the stand-in gate ended early")
        threading.Event().wait(0.01)
    child = psutil.Process(_pid_file(record))
    os.kill(middle, signal.SIGKILL)
    os.waitpid(middle, 0)
    psutil.wait_procs([child], timeout=30)
    assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE


def test_once_sealed_the_gate_imports_nothing_but_its_children_do() -> None:
    code = (
        "import os, sys\n"
        "from tooling.plan import hardening\n"
        "with hardening.guarded():\n"
        "    hardening.seal_imports()\n"
        "    pid = os.fork()\n"
        "    if pid == 0:\n"
        "        import csv\n"  # a render child imports what its program needs
        "        os._exit(0)\n"
        "    assert os.waitpid(pid, 0)[1] == 0\n"
        "    try:\n"
        "        import csv\n"
        "    except ImportError as exc:\n"
        "        print(exc)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout == "the gate imports nothing once programs have run (asked for csv)\n"
