"""Run the deploy driver against the recording stand-in for ``pulumi`` (``bin/pulumi``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.stacks import REPO_ROOT, STACKS

FAKE_BIN = Path(__file__).parent / "bin"
POLICIES = str(REPO_ROOT / "policies")
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
DIRECTORIES = {str(spec.directory): name for name, spec in STACKS.items()}


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    calls: list[dict[str, Any]]
    """Every call the stand-in logged, in order (``event`` lines are what it did after a signal)."""

    def commands(self) -> list[tuple[str, list[str]]]:
        """(stack, argv) per call, where stack is the stack whose folder was the cwd (else the cwd)."""
        calls = [c for c in self.calls if "event" not in c]
        return [(DIRECTORIES.get(str(c["cwd"]), str(c["cwd"])), list(c["argv"])) for c in calls]

    def ran(self, command: str) -> list[tuple[str, list[str]]]:
        return [(stack, argv) for stack, argv in self.commands() if argv[0] == command]


class Driver:
    """The driver as a user runs it: a child process with the stand-in first on PATH."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.log = tmp_path / "pulumi-calls.jsonl"
        self.state = tmp_path / "stacks.json"
        self.outputs: dict[str, dict[str, Any]] = {
            "network": dict.fromkeys(("dev", "staging", "prod", "local"), NETWORK_OUTPUTS),
            "serving": {"prod": SERVING_OUTPUTS},
        }
        self.env: dict[str, str] = {
            "PATH": f"{FAKE_BIN}:{os.environ['PATH']}",
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

    def stacks(self) -> dict[str, dict[str, int]]:
        """project -> stack -> resource count, as the stand-in's state has it now."""
        if not self.state.exists():
            return {}
        data = json.loads(self.state.read_text())
        return {p: {s["name"]: s.get("resourceCount", 0) for s in ss} for p, ss in data.items()}

    def set_stacks(self, **projects: dict[str, int]) -> None:
        """Existing stacks, e.g. ``set_stacks(network={"dev": 30})``."""
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

    def start(self, *args: str, **extra_env: str) -> subprocess.Popen[str]:
        """The driver in its own process group, as a terminal would run it (for signals)."""
        return subprocess.Popen(
            [sys.executable, "-m", "tooling.deploy", *args],
            cwd=REPO_ROOT,
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
            cwd=REPO_ROOT,
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


def policy(env: str) -> list[str]:
    return ["--policy-pack", POLICIES, "--policy-pack-config", f"{POLICIES}/config/{env}.json"]
