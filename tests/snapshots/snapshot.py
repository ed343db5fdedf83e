"""Resource snapshots: what a render registers, as the engine would store it, for review and for
proving that a refactor keeps every URN and every input.

A snapshot is one JSON file per stack x env of ``tests/fixtures/stacks/`` (the fixture configs
the tests use, modelled on the committed envs but independent of them: tests never read the
committed env files for this). Each resource: URN, type, parent, inputs, dependencies, property dependencies, and the
options that change what a deploy does (protect, retain on delete, ignore changes, aliases).

Regenerate after an intended change, then review the diff like code::

    .venv/bin/python -m tests.snapshots.snapshot
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from tooling.mock_runtime import Rendered, load_stack_config, render

HERE = Path(__file__).resolve().parent
CONFIGS = HERE.parent / "fixtures" / "stacks"
CASES = [(stack, env) for stack in ("network", "serving") for env in ("dev", "staging", "prod")]


def config_path(stack: str, env: str) -> Path:
    return CONFIGS / f"{stack}.{env}.yaml"


def snapshot_path(stack: str, env: str) -> Path:
    return HERE / f"{stack}.{env}.json"


def render_case(stack: str, env: str) -> Rendered:
    config = load_stack_config(stack, env, path=config_path(stack, env))
    return render(stack, env, config=config)


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value, default=repr, sort_keys=True))


def snapshot_of(rendered: Rendered) -> dict[str, Any]:
    """URN -> what the engine would record of that resource (reads included: they are state too)."""
    resources: dict[str, Any] = {}
    for r in rendered.resources:
        resources[r.urn] = {
            "type": r.type,
            "parent": r.parent,
            "inputs": _plain(r.inputs),
            "dependencies": sorted(r.dependencies),
            "property_dependencies": {
                key: sorted(urns) for key, urns in sorted(r.property_dependencies.items()) if urns
            },
            "protect": r.protect,
            "retain_on_delete": r.retain_on_delete,
            "ignore_changes": sorted(r.ignore_changes),
            "read": r.read,
        }
    return {"stack": rendered.stack, "env": rendered.env, "resources": resources}


def write_all() -> None:
    for stack, env in CASES:
        snapshot = snapshot_of(render_case(stack, env))
        snapshot_path(stack, env).write_text(json.dumps(snapshot, indent=1, sort_keys=True) + "\n")
        print(f"wrote {snapshot_path(stack, env).relative_to(HERE.parent.parent)}")


if __name__ == "__main__":
    write_all()
    sys.exit(0)
