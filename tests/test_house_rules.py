"""Rules of the house that a reviewer would otherwise have to check by eye."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from shared.stacks import REPO_ROOT

MAX_FUNCTION_LINES = 60


def _functions(root: Path) -> list[tuple[str, int]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                lines = node.end_lineno - node.lineno + 1
                found.append((f"{path.relative_to(REPO_ROOT)}:{node.lineno} {node.name}", lines))
    return found


@pytest.mark.parametrize("room", ["stacks", "policies"])
def test_every_function_fits_on_a_screen(room: str) -> None:
    long = [
        f"{where} ({n} lines)"
        for where, n in _functions(REPO_ROOT / room)
        if n > MAX_FUNCTION_LINES
    ]
    assert long == []


def test_only_the_profile_decides_what_prod_means() -> None:
    """No stack, policy or tool compares an env with "prod" itself (shared/environments.py does)."""
    offenders = []
    for room in ("stacks", "policies", "tooling"):
        for path in sorted((REPO_ROOT / room).rglob("*.py")):
            text = path.read_text()
            if '== "prod"' in text or '"prod" ==' in text or '!= "prod"' in text:
                offenders.append(str(path.relative_to(REPO_ROOT)))
    assert offenders == []
