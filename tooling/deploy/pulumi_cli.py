"""Running the ``pulumi`` executable: explicit argv lists, the stack's folder as working directory."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from shared.errors import first_line
from tooling.deploy.errors import DeployError

INSTALL_HINT = (
    "install it: curl -fsSL https://get.pulumi.com | sh (https://www.pulumi.com/docs/install/)"
)


class PulumiInterrupted(Exception):
    """Ctrl-C during a command; raised once ``pulumi`` itself has stopped, with its exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Captured:
    code: int
    stdout: str
    stderr: str

    @property
    def error_line(self) -> str:
        """The CLI's last line on stderr (where it says ``error: …``)."""
        return first_line(self.stderr, last=True) if self.stderr.strip() else f"exit {self.code}"


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
        """Run with the terminal attached (output streams to the user); return the exit code.

        On Ctrl-C the terminal interrupts ``pulumi`` too, which then cancels cleanly and saves its
        state: wait for it (killing it could leave pending operations in the state), then raise
        :class:`PulumiInterrupted`. A second Ctrl-C reaches ``pulumi`` as its "stop now".
        """
        if self.echo:
            print(f"$ (cd stacks/{cwd.name}) pulumi {' '.join(args)}", flush=True)
        process = subprocess.Popen([self.executable, *args], cwd=cwd, env=self.variables)
        interrupted = False
        while True:
            try:
                code = process.wait()
                break
            except KeyboardInterrupt:
                if not interrupted:
                    print(
                        "deploy: interrupted: waiting for pulumi to stop cleanly",
                        file=sys.stderr,
                        flush=True,
                    )
                interrupted = True
        if interrupted:
            raise PulumiInterrupted(code)
        return code

    def capture(self, args: list[str], cwd: Path) -> Captured:
        """Run a read-only command (``stack ls``, ``stack output``) and keep its output."""
        result = subprocess.run(
            [self.executable, *args],
            cwd=cwd,
            env=self.variables,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return Captured(result.returncode, result.stdout, result.stderr)
