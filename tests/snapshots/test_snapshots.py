"""Every stack x env of ``tests/snapshots/configs`` renders exactly its snapshot: the same URNs (a
deployed stack sees no replacement it did not ask for), inputs, links and options.

An intended change regenerates the snapshots (``python -m tests.snapshots.snapshot``) and the diff
is reviewed with the code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.snapshots.snapshot import CASES, render_case, snapshot_of, snapshot_path


def _differences(old: Any, new: Any, path: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out: list[str] = []
        for key in sorted(set(old) | set(new)):
            where = f"{path}.{key}" if path else key
            if key not in new:
                out.append(f"{where}: removed")
            elif key not in old:
                out.append(f"{where}: added")
            else:
                out += _differences(old[key], new[key], where)
        return out
    return [] if old == new else [f"{path}: {json.dumps(old)[:120]} -> {json.dumps(new)[:120]}"]


@pytest.mark.parametrize(("stack", "env"), CASES, ids=[f"{s}-{e}" for s, e in CASES])
def test_render_matches_its_snapshot(stack: str, env: str) -> None:
    expected = json.loads(snapshot_path(stack, env).read_text())
    actual = snapshot_of(render_case(stack, env))
    gone = sorted(set(expected["resources"]) - set(actual["resources"]))
    new = sorted(set(actual["resources"]) - set(expected["resources"]))
    assert not gone and not new, f"URNs removed: {gone}\nURNs added: {new}"
    changes = _differences(expected["resources"], actual["resources"])
    assert not changes, "\n".join(changes[:40])
