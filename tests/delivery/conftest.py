"""Run the deploy driver against the recording stand-in for ``pulumi`` (``bin/pulumi``).

The driver runs in a copy of the repository (code, stacks, pack, Makefile; the virtualenv linked),
because the stand-in, like the real CLI, writes the secrets provider's lines into
``Pulumi.<env>.yaml`` when it creates a stack, and tests write broken configs of their own.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.stacks import REPO_ROOT
from tests.interpreter import stand_in_path

FAKE_BIN = Path(__file__).parent / "bin"
COPIED = ("shared", "stacks", "policies", "tooling", "Makefile", "pyproject.toml")
NETWORK_OUTPUTS = {
    "contract_version": 1,
    "vpc_id": "vpc-0a1b2c3d4e5f67890",
    "vpc_cidr": "10.40.0.0/16",
    "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    "public_subnet_ids": [
        "subnet-0bc937a726289027a",
        "subnet-0d8bad5fc4ecf84bd",
        "subnet-0c6db045616351974",
    ],
    "private_subnet_ids": [
        "subnet-035fcf2aecc9f7d07",
        "subnet-03eca44c2c4e3805f",
        "subnet-076e146bdc9defb6d",
    ],
}
SERVING_OUTPUTS = {
    "alb_dns_name": "serving-prod-alb-1234567890.eu-west-1.elb.amazonaws.com",
    "url": "https://serving-prod-alb-1234567890.eu-west-1.elb.amazonaws.com",
    "https_listener_arn": "arn:aws:elasticloadbalancing:eu-west-1:210987654321:listener/app/serving-prod-alb/50dc6c495c0c9188/f2f7dc8efc522ab2",
}


def copy_repository(target: Path) -> Path:
    """What the driver needs of the repository, in ``target`` (about 100 small files)."""
    for part in COPIED:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / part)
    (target / ".venv").symlink_to(REPO_ROOT / ".venv")
    return target


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    calls: list[dict[str, Any]]
    """Every call the stand-in logged, in order (``event`` lines are what it did after a signal)."""

    def commands(self) -> list[tuple[str, list[str]]]:
        """(stack, argv) per call, where stack is the stack whose folder was the cwd."""
        calls = [c for c in self.calls if "event" not in c]
        return [(Path(c["cwd"]).name, list(c["argv"])) for c in calls]

    def events(self) -> list[str]:
        return [c["event"] for c in self.calls if "event" in c]

    def ran(self, command: str) -> list[tuple[str, list[str]]]:
        return [(stack, argv) for stack, argv in self.commands() if argv[0] == command]


class Driver:
    """The driver as a user runs it: a child process with the stand-in first on PATH."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.root = copy_repository(tmp_path / "repo")
        self.log = tmp_path / "pulumi-calls.jsonl"
        self.state = tmp_path / "stacks.json"
        self.outputs: dict[str, dict[str, Any]] = {
            "network": dict.fromkeys(("dev", "staging", "prod", "local"), NETWORK_OUTPUTS),
            "serving": {"prod": SERVING_OUTPUTS},
        }
        self.env: dict[str, str] = {
            "PATH": stand_in_path(FAKE_BIN, tmp_path),
            "HOME": str(tmp_path / "home"),
            "FAKE_PULUMI_LOG": str(self.log),
            "FAKE_PULUMI_STACKS": str(self.state),
            "FAKE_PULUMI_OUTPUTS": str(tmp_path / "outputs.json"),
            "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "correct horse battery staple",
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_EC2_METADATA_DISABLED": "true",
        }

    def stack_file(self, stack: str, env: str) -> Path:
        return self.root / "stacks" / stack / f"Pulumi.{env}.yaml"

    def policy(self, env: str) -> list[str]:
        policies = str(self.root / "policies")
        return ["--policy-pack", policies, "--policy-pack-config", f"{policies}/config/{env}.json"]

    def stacks(self) -> dict[str, dict[str, int]]:
        """project -> stack -> resource count, as the stand-in's state has it now."""
        if not self.state.exists():
            return {}
        data = json.loads(self.state.read_text())
        return {p: {s["name"]: s.get("resourceCount", 0) for s in ss} for p, ss in data.items()}

    def set_stacks(self, **projects: dict[str, int]) -> None:
        """Existing stacks, e.g. ``set_stacks(network={"dev": 30})``, created as the CLI would:
        their files carry the salt it wrote."""
        for project, stacks in projects.items():
            for name in stacks:
                path = self.stack_file(project, name)
                if path.exists() and "encryptionsalt:" not in path.read_text():
                    path.write_text(f"encryptionsalt: {SALT}\n" + path.read_text())
        self.state.write_text(
            json.dumps(
                {
                    project: [
                        {"name": name, "resourceCount": count} for name, count in stacks.items()
                    ]
                    for project, stacks in projects.items()
                }
            )
        )

    def _environment(self, extra_env: dict[str, str]) -> dict[str, str]:
        (self.tmp / "outputs.json").write_text(json.dumps(self.outputs))
        env = {**self.env, **extra_env}
        return {k: v for k, v in env.items() if v != "<unset>"}

    def _calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        calls = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.log.unlink()
        return calls

    def wait_for(self, event: str, process: subprocess.Popen[str]) -> None:
        """Until the stand-in has logged ``event`` (it does so once its signal handlers are set)."""
        deadline = time.monotonic() + 60  # a safety net, not a timing: the event always comes
        while not (self.log.exists() and f'"event": "{event}"' in self.log.read_text()):
            assert process.poll() is None, (
                f"the driver ended before {event!r}: {process.communicate()}"
            )
            assert time.monotonic() < deadline, f"the stand-in never logged {event!r}"
            time.sleep(0.02)

    def wait_for_count(self, event: str, count: int, process: subprocess.Popen[str]) -> None:
        """Until the stand-in has logged ``event`` ``count`` times."""
        needle = f'"event": "{event}"'
        self.wait_until(
            lambda: self.log.exists() and self.log.read_text().count(needle) >= count,
            process=process,
        )

    def wait_for_event_anywhere(self, event: str) -> None:
        """Until the stand-in has logged ``event``, whoever its parent is now."""
        self.wait_until(lambda: self.log.exists() and f'"event": "{event}"' in self.log.read_text())

    @staticmethod
    def wait_until(
        condition: Callable[[], bool], process: subprocess.Popen[str] | None = None
    ) -> None:
        deadline = time.monotonic() + 60  # a safety net, not a timing
        while not condition():
            assert process is None or process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "never happened"
            time.sleep(0.02)

    def lock(self, project: str, stack: str) -> None:
        """The lock a killed update leaves behind."""
        data = json.loads(self.state.read_text())
        for entry in data[project]:
            if entry["name"] == stack:
                entry["locked"] = True
        self.state.write_text(json.dumps(data))

    def pulumi(self, *args: str, cwd: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
        """The stand-in itself, as a user would run it in ``stacks/<cwd>``."""
        return subprocess.run(
            [str(FAKE_BIN / "pulumi"), *args],
            cwd=self.root / "stacks" / cwd,
            env=self._environment(extra_env),
            capture_output=True,
            text=True,
            check=False,
        )

    def start(self, *args: str, **extra_env: str) -> subprocess.Popen[str]:
        """The driver in its own process group, as a terminal would run it (for signals)."""
        return subprocess.Popen(
            [sys.executable, "-m", "tooling.deploy", *args],
            cwd=self.root,
            env=self._environment(extra_env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )

    def finish(self, process: subprocess.Popen[str]) -> Result:
        stdout, stderr = process.communicate(timeout=60)
        return Result(process.returncode, stdout, stderr, self._calls())

    def run(self, *args: str, **extra_env: str) -> Result:
        return self.finish(self.start(*args, **extra_env))

    def make(self, *args: str, **extra_env: str) -> Result:
        done = subprocess.run(
            ["make", "--no-print-directory", *args],
            cwd=self.root,
            env=self._environment(extra_env),
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr, self._calls())


@pytest.fixture
def driver(tmp_path: Path) -> Driver:
    return Driver(tmp_path)


SALT = "v1:SGVsbG9TYWx0:v1:ZmFrZW5vbmNl:ZmFrZWNpcGhlcnRleHQ="
"""What the stand-in writes as ``encryptionsalt`` (the shape of the real CLI's)."""
