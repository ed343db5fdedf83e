"""Running the ``pulumi`` executable: explicit argv lists, the stack's folder as working directory."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tooling.deploy.errors import DeployError

INSTALL_HINT = (
    "install it: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)"
)


@dataclass
class PulumiCli:
    executable: str
    variables: dict[str, str]
    echo: bool = True

    @classmethod
    def find(cls, variables: dict[str, str]) -> PulumiCli:
        found = shutil.which("pulumi", path=variables.get("PATH"))
        if found is None:
            raise DeployError(f"pulumi CLI not found on PATH: {INSTALL_HINT}")
        return cls(found, variables)

    def run(self, args: list[str], cwd: Path) -> int:
        """Run with the terminal attached (output streams to the user); return the exit code."""
        if self.echo:
            print(f"$ (cd {cwd.name}) pulumi {' '.join(args)}", flush=True)
        return subprocess.run(
            [self.executable, *args], cwd=cwd, env=self.variables, check=False
        ).returncode

    def capture(self, args: list[str], cwd: Path) -> tuple[int, str, str]:
        result = subprocess.run(
            [self.executable, *args],
            cwd=cwd,
            env=self.variables,
            capture_output=True,
            text=True,
            check=False,
        )
        return result.returncode, result.stdout, result.stderr

    def json(self, args: list[str], cwd: Path) -> Any | None:
        """Parsed JSON of a command, or None if it failed (e.g. the stack does not exist)."""
        code, out, _ = self.capture(args, cwd)
        if code != 0:
            return None
        try:
            return json.loads(out or "null")
        except json.JSONDecodeError:
            return None
