"""Run the deploy driver against the recording stand-in for ``pulumi``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from shared.stacks import REPO_ROOT

FAKE_BIN = Path(__file__).parent / "bin"
POLICIES = str(REPO_ROOT / "policies")
NETWORK_OUTPUTS = {
    "contract_version": 1,
    "vpc_id": "vpc-a151da1655dc83610",
    "vpc_cidr": "10.40.0.0/16",
    "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    "public_subnet_ids": [
        "subnet-bc937a726289027a8",
        "subnet-d8bad5fc4ecf84bd1",
        "subnet-c6db0456163519741",
    ],
    "private_subnet_ids": [
        "subnet-35fcf2aecc9f7d076",
        "subnet-3eca44c2c4e3805f6",
        "subnet-76e146bdc9defb6de",
    ],
}


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    calls: list[dict[str, Any]]

    def commands(self) -> list[tuple[str, list[str]]]:
        """(project, argv) of every call."""
        return [(c["project"], c["argv"]) for c in self.calls]


class Driver:
    def __init__(self, tmp_path: Path) -> None:
        self.tmp = tmp_path
        self.log = tmp_path / "pulumi-calls.jsonl"
        self.outputs: dict[str, dict[str, Any]] = {
            "network": dict.fromkeys(("dev", "staging", "prod", "local"), NETWORK_OUTPUTS)
        }
        self.stacks: dict[str, list[dict[str, Any]]] = {}
        self.env: dict[str, str] = {
            "PATH": f"{FAKE_BIN}:{os.environ['PATH']}",
            "HOME": str(tmp_path / "home"),
            "FAKE_PULUMI_LOG": str(self.log),
            "PULUMI_BACKEND_URL": f"file://{tmp_path / 'state'}",
            "PULUMI_CONFIG_PASSPHRASE": "correct horse battery staple",
            "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_EC2_METADATA_DISABLED": "true",
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        }

    def _files(self) -> None:
        (self.tmp / "outputs.json").write_text(json.dumps(self.outputs))
        (self.tmp / "stacks.json").write_text(json.dumps(self.stacks))
        self.env["FAKE_PULUMI_OUTPUTS"] = str(self.tmp / "outputs.json")
        self.env["FAKE_PULUMI_STACKS"] = str(self.tmp / "stacks.json")

    def _calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        calls = [json.loads(line) for line in self.log.read_text().splitlines()]
        self.log.unlink()
        return calls

    def run(self, *args: str, **extra_env: str) -> Result:
        self._files()
        env = {**self.env, **extra_env}
        env = {k: v for k, v in env.items() if v != "<unset>"}
        done = subprocess.run(
            [sys.executable, "-m", "tooling.deploy", *args],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr, self._calls())

    def make(self, *args: str, **extra_env: str) -> Result:
        self._files()
        env = {**self.env, **extra_env}
        done = subprocess.run(
            ["make", "--no-print-directory", *args], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
            stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        return Result(done.returncode, done.stdout, done.stderr, self._calls())


@pytest.fixture
def driver(tmp_path: Path) -> Driver:
    return Driver(tmp_path)


def policy(env: str) -> list[str]:
    return ["--policy-pack", POLICIES, "--policy-pack-config", f"{POLICIES}/config/{env}.json"]
