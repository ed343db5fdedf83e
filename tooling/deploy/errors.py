"""Errors the driver reports as one line, with the exit code they carry."""

from __future__ import annotations

USAGE = 2
"""Bad input or a missing prerequisite (ENV, STACK, pulumi, credentials, passphrase, a guard)."""
INTERRUPTED = 130
"""Ctrl-C, as a shell reports it (128 + SIGINT)."""


class DeployError(Exception):
    """A problem before or between stacks: one line on stderr, then exit with ``code``."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
