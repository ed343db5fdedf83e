"""Which stacks a change touches: the preview matrix of the pull-request workflow.

``stacks/<name>/**`` previews that stack; ``shared/**``, ``policies/**``, ``tooling/mock_runtime/**``,
the requirements and the workflow itself preview every stack. Other paths (docs, tests) preview nothing.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable

from shared.environments import ENVIRONMENTS
from shared.stacks import REPO_ROOT, STACKS

EVERYTHING = (
    "shared/",
    "policies/",
    "requirements.txt",
    "requirements.lock",
    ".github/workflows/preview.yml",
)


def changed_stacks(paths: Iterable[str]) -> list[str]:
    touched: set[str] = set()
    for path in paths:
        if path.startswith(EVERYTHING):
            return list(STACKS)
        parts = path.split("/")
        if len(parts) > 2 and parts[0] == "stacks" and parts[1] in STACKS:
            touched.add(parts[1])
    return [name for name in STACKS if name in touched]


def changed_matrix(paths: list[str] | None, *, base: str = "origin/main") -> str:
    """A GitHub Actions matrix: ``{"include": [{"stack": ..., "env": ...}]}`` as one JSON line."""
    if paths is None:
        diff = subprocess.run(
            ["git", "diff", "--name-only", f"{base}...HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        paths = [line for line in diff.stdout.splitlines() if line]
    include = [
        {"stack": stack, "env": env} for stack in changed_stacks(paths) for env in ENVIRONMENTS
    ]
    return json.dumps({"include": include})
