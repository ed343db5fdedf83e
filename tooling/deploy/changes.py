"""Which stacks and envs a change touches: the preview matrix of the pull-request workflow.

``stacks/<name>/Pulumi.<env>.yaml`` previews that stack in that env only; any other file under
``stacks/<name>/`` previews that stack in every env; ``policies/config/<env>.json`` previews every
stack in that env; ``shared/**``, the rest of ``policies/**``, the requirements and the preview
workflow itself preview everything. Other paths (docs, tests, tooling) preview nothing: the
offline gate covers them.

Light on purpose (standard library and the stack registry only), so that the workflow's first job
runs it without installing anything: ``python -m tooling.deploy.changes --base origin/main``.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Iterable, Sequence

from shared.environments import ENVIRONMENTS
from shared.errors import first_line
from shared.stacks import REPO_ROOT, STACKS

ENV_FILE = re.compile(r"^Pulumi\.([\w-]+)\.yaml$")
EVERYTHING = (
    "shared/",
    "policies/",
    "requirements.txt",
    "requirements.lock",
    ".github/workflows/preview.yml",
)


def changed_pairs(paths: Iterable[str]) -> list[tuple[str, str]]:
    """The (stack, env) pairs to preview for these changed paths, in registry and env order."""
    touched: set[tuple[str, str]] = set()
    everything = {(stack, env) for stack in STACKS for env in ENVIRONMENTS}
    for path in paths:
        parts = path.split("/")
        if parts[:2] == ["policies", "config"] and len(parts) == 3:
            env = parts[2].removesuffix(".json")
            touched |= {(s, e) for s, e in everything if e == env} if env in ENVIRONMENTS else set()
        elif path.startswith(EVERYTHING):
            touched = everything
        elif len(parts) > 2 and parts[0] == "stacks" and parts[1] in STACKS:
            env_file = ENV_FILE.match(parts[2]) if len(parts) == 3 else None
            if env_file:  # one env's settings (local is not previewed in CI)
                if env_file.group(1) in ENVIRONMENTS:
                    touched.add((parts[1], env_file.group(1)))
            else:
                touched |= {(parts[1], env) for env in ENVIRONMENTS}
    return [(s, e) for s in STACKS for e in ENVIRONMENTS if (s, e) in touched]


def changed_stacks(paths: Iterable[str]) -> list[str]:
    """The stacks to preview (in some env) for these changed paths, in registry order."""
    pairs = changed_pairs(paths)
    return [name for name in STACKS if any(stack == name for stack, _ in pairs)]


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
        last = (
            first_line(diff.stderr, last=True) if diff.stderr.strip() else f"exit {diff.returncode}"
        )
        raise SystemExit(f"changes: git diff {base}...HEAD failed: {last}")
    return [line for line in diff.stdout.splitlines() if line]


def changed_matrix(paths: list[str] | None, *, base: str = "origin/main") -> str:
    """A GitHub Actions matrix: ``{"include": [{"stack": ..., "env": ...}]}`` as one JSON line."""
    if paths is None:
        paths = git_changed_paths(base)
    include = [{"stack": stack, "env": env} for stack, env in changed_pairs(paths)]
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
