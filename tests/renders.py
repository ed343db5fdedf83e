"""Renders shared by the whole test session: the mock runtime is deterministic, so a config is
rendered once (per test process) and every test that reads it gets the same result.

Tests must treat a shared ``Rendered`` as read-only. Renders with a custom fake account or stack
outputs are not shared (they depend on objects, not on text).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from tooling.mock_runtime import Rendered, load_stack_config, render
from tooling.mock_runtime.render import config_text

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "stacks"


def fixture_config(stack: str, env: str) -> dict[str, str]:
    """The fixture config of ``stack`` x ``env`` as a program gets it (``tests/fixtures/stacks``)."""
    return load_stack_config(stack, env, path=FIXTURES / f"{stack}.{env}.yaml")


@functools.cache
def _render(stack: str, env: str, config_json: str, preview: bool) -> Rendered:
    return render(stack, env, config=json.loads(config_json), preview=preview)


def shared_render(
    stack: str, env: str, config: dict[str, Any] | None = None, *, preview: bool = False
) -> Rendered:
    """``render`` of ``config`` (default: the fixture config), shared by every caller."""
    values = fixture_config(stack, env) if config is None else config
    text = {key: config_text(value) for key, value in values.items()}
    return _render(stack, env, json.dumps(text, sort_keys=True), preview)
