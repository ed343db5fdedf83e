"""One stack x env rendered in a render child: what to render, and how the child does it.

A job renders a stack's program from a tree (this checkout, or another revision extracted for a
plan diff) with a config the gate has already read. In the child, a tree other than this checkout
gets its own ``shared``, ``serving_stack`` and ``network_stack`` modules: the gate's copies are
dropped from ``sys.modules`` and the tree's folders come first on ``sys.path``.
"""

from __future__ import annotations

import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi

from shared.errors import first_line
from shared.stacks import REPO_ROOT, STACKS
from tooling.mock_runtime import FakeAwsAccount, RenderError, render
from tooling.plan import landlock
from tooling.plan.transport import encode_payload, encode_resource, plain


@dataclass(frozen=True)
class RenderJob:
    stack: str
    env: str
    side: str
    """``head`` (the change) or ``base`` (what it is compared with)."""
    root: Path
    """The tree with ``stacks/`` and ``shared/``."""
    config: dict[str, str]
    program: Path | None = None
    preview: bool = True
    """Render a preview (for the pack and the diff)."""
    deployed: bool = False
    """Also render as deployed, for the outputs the stacks that reference this one read."""
    stack_outputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.side}:{self.stack}/{self.env}"

    @property
    def directory(self) -> Path:
        return self.root / "stacks" / self.stack


def use_tree(root: Path) -> None:
    """Make ``root``'s ``shared`` and stack packages the ones a program imports (in the child)."""
    here = [REPO_ROOT / "shared", *(spec.directory for spec in STACKS.values())]
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None) or ""
        if (
            name == "shared"
            or name.startswith("shared.")
            or any(file.startswith(str(folder) + "/") for folder in here)
        ):
            del sys.modules[name]
    theirs = [str(root / "stacks" / name) for name in STACKS]
    ours = {str(REPO_ROOT), *(str(spec.directory) for spec in STACKS.values())}
    sys.path[:] = [str(root), *theirs, *(p for p in sys.path if p not in ours)]


def describe_error(error: BaseException) -> str:
    """One line for a program that failed: its own message for a user error, else the type too."""
    if isinstance(error, SystemExit):
        return f"the program called sys.exit({error.code!r}) before it finished"
    if isinstance(error, KeyboardInterrupt):
        return "the program was interrupted (KeyboardInterrupt)"
    if isinstance(error, pulumi.RunError):
        return first_line(error)
    why = " (the render sandbox allows no writes, network or signals)"
    sandboxed = isinstance(error, PermissionError) and landlock.active()
    return f"{type(error).__name__}: {first_line(error)}{why if sandboxed else ''}"


def run(job: RenderJob) -> bytes:
    """In the child: render, and the payload to send (see :mod:`tooling.plan.transport`)."""
    if job.root != REPO_ROOT:
        use_tree(job.root)
    account = FakeAwsAccount()
    payload: dict[str, Any] = {}
    try:
        common: dict[str, Any] = {
            "config": job.config,
            "account": account,
            "stack_outputs": job.stack_outputs,
            "program": job.program,
            "directory": job.directory,
        }
        if job.preview:
            previewed = render(job.stack, job.env, preview=True, **common)
            payload["preview"] = {
                "resources": [encode_resource(r) for r in previewed.resources],
                "outputs": plain(previewed.outputs),
            }
        if job.deployed:
            payload["deployed_outputs"] = plain(render(job.stack, job.env, **common).outputs)
    except RenderError as error:
        cause = error.rendered.error or error
        payload = {
            "error": describe_error(cause),
            "traceback": "".join(traceback.format_exception(cause)),
        }
    return encode_payload(payload)
