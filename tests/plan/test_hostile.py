"""Programs that attack the gate: each ends with exit 2 and one line (never 0, never a hang), none
changes a verdict, and no process the gate ran is left behind (checked by PID, the pack's too).

Each case runs ``python -m tooling.plan`` as CI does, with ``tests/fixtures/plan/programs/hostile``
as the serving program; ``PLAN_HOSTILE_<ENV>`` picks the attack per env. The program waits on a
FIFO until the test has noted every process the gate runs, then attacks. With Landlock (the
default where the kernel has it) and with ``PLAN_SANDBOX=off`` (the gate's other defences alone).
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from shared.stacks import REPO_ROOT
from tooling.plan import landlock

HOSTILE = REPO_ROOT / "tests" / "fixtures" / "plan" / "programs" / "hostile"
ABI = landlock.abi_version()
HANG = 180.0
"""Only a safety net: a gate still running after this long has hung (the test fails)."""


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    seen: list[psutil.Process]
    names: list[str]
    """The names of the processes seen, as they were then."""
    out: Path

    @property
    def lines(self) -> list[str]:
        return self.stderr.splitlines()

    def report(self, env: str) -> dict[str, object]:
        return json.loads((self.out / env / "serving.json").read_text())


def _alive(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _release(
    fifo: Path, gate: subprocess.Popen[str], seen: dict[int, tuple[psutil.Process, str]]
) -> None:
    """Wait for the program to open its FIFO, note the gate's processes, let the program go on."""
    deadline = time.monotonic() + HANG
    while True:
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO or gate.poll() is not None or time.monotonic() > deadline:
                return  # no reader came (the gate ended first): nothing to release
            time.sleep(0.02)
    try:
        for process in psutil.Process(gate.pid).children(recursive=True):
            try:
                seen.setdefault(process.pid, (process, process.name()))
            except psutil.NoSuchProcess:
                continue
    finally:
        os.write(fd, b"go")
        os.close(fd)


def run_gate(tmp_path: Path, attacks: dict[str, str], *args: str, sandbox: bool = True) -> Run:
    out = tmp_path / "out"
    env = {**os.environ, "PLAN_SANDBOX": "on" if sandbox else "off"}
    fifos = {}
    for name, how in attacks.items():
        fifo = tmp_path / f"sync-{name}"
        os.mkfifo(fifo)
        fifos[name] = fifo
        env[f"PLAN_HOSTILE_{name.upper()}"] = how
        env[f"PLAN_HOSTILE_SYNC_{name.upper()}"] = str(fifo)
    env["PLAN_HOSTILE_REPORT"] = str(out / "plan.md")
    command = [sys.executable, "-m", "tooling.plan", "--quiet", "--stack", "serving"]
    for name in attacks:
        command += ["--env", name]
    command += ["--program", f"serving={HOSTILE}", "--out-dir", str(out), "--jobs", "3", *args]
    gate = subprocess.Popen(
        command, cwd=REPO_ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    seen: dict[int, tuple[psutil.Process, str]] = {}
    try:
        for fifo in fifos.values():
            _release(fifo, gate, seen)
        stdout, stderr = gate.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        gate.kill()
        pytest.fail("the gate hung")
    processes = [p for p, _ in seen.values()]
    psutil.wait_procs(processes, timeout=30)
    return Run(gate.returncode, stdout, stderr, processes, [n for _, n in seen.values()], out)


def assert_nothing_left(run: Run) -> None:
    assert run.seen, "the test saw none of the gate's processes"
    left = [f"{p.pid} {name}" for p, name in zip(run.seen, run.names, strict=True) if _alive(p)]
    assert not left, f"left running: {left}"


def test_programs_that_end_their_render_are_one_line_each(tmp_path: Path) -> None:
    run = run_gate(tmp_path, {"dev": "exit0", "staging": "sysexit", "prod": "segfault"})
    assert run.code == 2
    assert run.lines == [
        "plan: serving/dev: the render ended (exit status 0) before the program finished",
        "plan: serving/staging: the program called sys.exit(0) before it finished",
        "plan: serving/prod: the render ended (SIGSEGV) before the program finished",
    ]
    assert all(run.report(env)["exit_code"] == 2 for env in ("dev", "staging", "prod"))
    assert_nothing_left(run)


def test_a_self_kill_a_daemon_and_a_flood_change_nothing_but_their_own_render(
    tmp_path: Path,
) -> None:
    run = run_gate(tmp_path, {"dev": "selfkill", "staging": "daemon", "prod": "flood"})
    assert run.code == 2
    assert run.lines == [
        "plan: serving/dev: the render ended (SIGKILL) before the program finished"
    ]
    # the daemon's stack and the flooder's stack still get their verdicts
    for env in ("staging", "prod"):
        (stack,) = run.report(env)["stacks"]  # type: ignore[misc]
        assert stack["status"] != "error" and stack["resource_count"] > 0
    assert run.report("prod")["stacks"][0]["status"] in ("clean", "advisory")  # type: ignore[index]
    assert "exit code 0\nplan: serving/prod: clean" not in run.stdout + run.stderr
    assert "sleep" in run.names  # the daemon was there, and is gone
    # the daemon's program also registered whole blocks a preview cannot know: summarised, not a crash
    (staging,) = run.report("staging")["stacks"]  # type: ignore[misc]
    settings = {r["name"]: r["settings"] for r in staging["resources"]}
    assert settings["unknown-blocks-alb"]["access logs"] == "(known after deploy)"
    assert settings["unknown-blocks-listener"]["default"] == "(known after deploy)"
    assert_nothing_left(run)


def test_a_program_that_blocks_is_killed_at_the_time_limit(tmp_path: Path) -> None:
    run = run_gate(tmp_path, {"dev": "hang"}, "--timeout", "3")
    assert run.code == 2
    assert run.lines == [
        "plan: serving/dev: the program did not finish within 3s; its render was killed"
    ]
    assert_nothing_left(run)


@pytest.mark.parametrize("sandbox", [True, False], ids=["landlock", "no-landlock"])
def test_a_program_that_signals_the_gate_stops_it_with_exit_2(
    tmp_path: Path, sandbox: bool
) -> None:
    run = run_gate(tmp_path, {"prod": "kill-parent-term"}, sandbox=sandbox)
    assert run.code == 2
    if sandbox and ABI >= 6:  # Landlock scopes signals: the program cannot reach the gate
        assert run.lines == [
            "plan: serving/prod: PermissionError: [Errno 1] Operation not permitted "
            "(the render sandbox allows no writes, network or signals)"
        ]
    else:
        assert run.lines == [
            "plan: stopped by SIGTERM; every render and the policy pack were stopped"
        ]
    assert run.report("prod")["exit_code"] == 2
    assert "💥" in (run.out / "plan.md").read_text()
    assert_nothing_left(run)


@pytest.mark.parametrize("sandbox", [True, False], ids=["landlock", "no-landlock"])
def test_a_program_that_kills_the_gate_never_passes_and_leaves_nothing(
    tmp_path: Path, sandbox: bool
) -> None:
    run = run_gate(tmp_path, {"prod": "kill-parent-kill"}, sandbox=sandbox)
    if sandbox and ABI >= 6:
        assert run.code == 2
        assert len(run.lines) == 1 and run.lines[0].startswith(
            "plan: serving/prod: PermissionError"
        )
    else:
        # SIGKILL cannot be caught: the gate dies (never 0), its renders and the pack with it.
        assert run.code == -9
        assert not (run.out / "plan.md").exists()  # removed before any program ran
    assert_nothing_left(run)


@pytest.mark.parametrize("sandbox", [True, False], ids=["landlock", "no-landlock"])
def test_a_tampering_program_cannot_change_its_verdict(tmp_path: Path, sandbox: bool) -> None:
    """It patches the analyzer client, the report code, sys.exit and atexit in its own process,
    prints a fake summary and writes a fake plan.md, and opens SSH to the world."""
    run = run_gate(tmp_path, {"prod": "tamper"}, sandbox=sandbox)
    assert run.code == 1
    assert run.lines == []
    (stack,) = run.report("prod")["stacks"]  # type: ignore[misc]
    blocking = {
        (v["policy"], v["resource_name"]) for v in stack["violations"] if v["level"] == "mandatory"
    }
    assert {
        ("sg-no-world-ingress", "debug-ssh"),
        ("sg-no-high-risk-ports", "debug-ssh"),
    } <= blocking
    comment = (run.out / "plan.md").read_text()
    assert "❌ mandatory violations" in comment and "Exit code: **1**" in comment
    assert "Plan summary: serving prod clean" not in run.stdout
    assert_nothing_left(run)
