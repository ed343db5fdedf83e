"""Errors the driver reports as one line, with the exit code they carry."""

from __future__ import annotations

USAGE = 2


class DeployError(Exception):
    """A problem before or between stacks: one line on stderr, then exit with ``code``."""

    def __init__(self, message: str, code: int = USAGE) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
