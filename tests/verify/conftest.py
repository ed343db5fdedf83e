"""A moto server on 127.0.0.1 (started and stopped by its own handle), a deploy of the tests' own
prod-like layout (``layout.py``, never the committed env files) and ``make verify`` run in-process.

moto is lax (it accepts a one-AZ ALB, an unknown TLS policy at creation, an HTTP listener that
forwards): the broken cases are built on purpose and the checks never rely on moto refusing them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests import moto_server
from tests.verify.layout import PROD_LIKE, REGION, Deployment, Layout, deploy

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
}
LOG_BUCKET = PROD_LIKE.bucket


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto_server (with snapshots: ``tests/moto_snapshots.py``) on 127.0.0.1 for the session."""
    pytest.importorskip(
        "moto.server", reason="moto[server] is in requirements.txt: run `make setup`"
    )
    command = [sys.executable, "-m", "tests.moto_snapshots"]
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with moto_server.running(command, log, cwd=Path(__file__).resolve().parents[2]) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def snapshots(moto_endpoint: str) -> moto_server.Snapshots[Deployment]:
    return moto_server.Snapshots(moto_endpoint)


@pytest.fixture
def aws_variables(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """An environment in which boto3 can only ever reach moto."""
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION"):
        monkeypatch.delenv(key, raising=False)
    variables = {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials"),
        "COLUMNS": "220",
    }
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    return moto_endpoint


@pytest.fixture
def aws_env(aws_variables: str) -> str:
    """An empty moto, for a test that deploys a layout of its own."""
    moto_server.reset(aws_variables)
    return aws_variables


def deployed(snapshots: moto_server.Snapshots[Deployment], layout: Layout) -> Deployment:
    """moto holding ``layout``'s deployment and nothing else: built by the first test of this
    process that asks for it, restored from its snapshot for the others."""
    name = hashlib.sha256(repr(layout).encode()).hexdigest()[:16]
    return snapshots.restore_or_build(name, lambda: deploy(layout)).fresh()


@pytest.fixture
def deployment(aws_variables: str, snapshots: moto_server.Snapshots[Deployment]) -> Deployment:
    return deployed(snapshots, PROD_LIKE)


class FakeClock:
    """Time that moves only when the code under test sleeps; actions scheduled with :meth:`at`
    run when it gets there. Nothing depends on how fast the machine is."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._due: list[tuple[float, Callable[[], object]]] = []

    def at(self, seconds: float, action: Callable[[], object]) -> None:
        self._due = sorted([*self._due, (seconds, action)], key=lambda item: item[0])

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        while self._due and self._due[0][0] <= self.now:
            _, action = self._due.pop(0)
            action()


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    report: dict[str, Any] | None

    def failed(self) -> list[tuple[str, str]]:
        assert self.report is not None
        return [(c["group"], c["name"]) for c in self.report["checks"] if c["status"] == "fail"]

    def check(self, group: str, name: str) -> dict[str, str]:
        assert self.report is not None
        (found,) = [c for c in self.report["checks"] if (c["group"], c["name"]) == (group, name)]
        return found


def verify(
    deployment: Deployment,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    *args: str,
    clock: FakeClock | None = None,
) -> Run:
    """``main()`` in-process against moto, with the outputs file and ``--json`` (and a fake clock:
    a test never waits for real time)."""
    from tooling.verify.cli import main

    outputs = deployment.write_outputs(tmp_path / "outputs.json")
    report = tmp_path / "report.json"
    report.unlink(missing_ok=True)
    argv = ["--env", "prod", "--outputs", str(outputs), "--json", str(report), *args]
    code = main(argv, clock=clock or FakeClock())
    captured = capsys.readouterr()
    data = json.loads(report.read_text()) if report.exists() else None
    return Run(code, captured.out, captured.err, data)


def child_env(**extra: str) -> dict[str, str]:
    """The current (test) environment for a child process, plus ``extra``."""
    return {**os.environ, **extra}
