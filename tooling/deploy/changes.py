"""Which stacks a change touches: the preview matrix of the pull-request workflow.

``stacks/<name>/**`` previews that stack; ``shared/**``, ``policies/**``, the requirements and the
preview workflow itself preview every stack. Other paths (docs, tests, tooling) preview nothing:
the offline gate covers them.

Light on purpose (standard library and the stack registry only), so that the workflow's first job
runs it without installing anything: ``python -m tooling.deploy.changes --base origin/main``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterable, Sequence

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
    """The stacks to preview for these changed paths, in registry order."""
    touched: set[str] = set()
    for path in paths:
        if path.startswith(EVERYTHING):
            return list(STACKS)
        parts = path.split("/")
        if len(parts) > 2 and parts[0] == "stacks" and parts[1] in STACKS:
            touched.add(parts[1])
    return [name for name in STACKS if name in touched]


def git_changed_paths(base: str) -> list[str]:
    """``git diff --name-only BASE...HEAD``: what the branch changed since it left ``base``."""
    diff = subprocess.run(
        ["git", "diff", "--name-only", f"{base}...HEAD"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if diff.returncode != 0:
        last = (diff.stderr.strip().splitlines() or [f"exit {diff.returncode}"])[-1]
        raise SystemExit(f"changes: git diff {base}...HEAD failed: {last}")
    return [line for line in diff.stdout.splitlines() if line]


def changed_matrix(paths: list[str] | None, *, base: str = "origin/main") -> str:
    """A GitHub Actions matrix: ``{"include": [{"stack": ..., "env": ...}]}`` as one JSON line."""
    if paths is None:
        paths = git_changed_paths(base)
    include = [
        {"stack": stack, "env": env} for stack in changed_stacks(paths) for env in ENVIRONMENTS
    ]
    return json.dumps({"include": include})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tooling.deploy.changes", description=__doc__)
    parser.add_argument("--base", default="origin/main", help="the git ref to diff against")
    parser.add_argument("paths", nargs="*", help="changed paths (default: from git diff)")
    args = parser.parse_args(argv)
    print(changed_matrix(args.paths or None, base=args.base))
    return 0


if __name__ == "__main__":
    sys.exit(main())
