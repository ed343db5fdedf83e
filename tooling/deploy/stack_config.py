"""What the driver reads from a stack's ``Pulumi.<env>.yaml``: that it exists, and its references."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from shared.stacks import REPO_ROOT, StackSpec
from tooling.deploy.errors import DeployError


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def require_config_file(spec: StackSpec, env: str) -> Path:
    """A stack is never created without its settings: a missing file is one line, before any call."""
    path = spec.config_file(env)
    if not path.is_file():
        raise DeployError(
            f"{_relative(path)} does not exist: {spec.name} has no settings for {env} "
            f"(copy another env's file and adjust it)"
        )
    return path


def _config(spec: StackSpec, env: str) -> dict[str, Any]:
    path = require_config_file(spec, env)
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise DeployError(f"{_relative(path)}: not valid YAML{where}") from None
    config = data.get("config") if isinstance(data, dict) else None
    return config if isinstance(config, dict) else {}


def referenced_stack(spec: StackSpec, reference: str, env: str) -> str:
    """The stack ``spec`` reads ``reference``'s outputs from, as ``pulumi stack output --stack`` takes it.

    ``<spec>:<reference>Stack`` in ``Pulumi.<env>.yaml`` (``serving:networkStack``, e.g.
    ``acme/network/prod`` on Pulumi Cloud) when set, else the stack named ``env`` of the referenced
    project, which is what the program's default ``organization/<reference>/<env>`` means on the
    file and S3 backends.
    """
    key = f"{spec.name}:{reference}Stack"
    value = _config(spec, env).get(key)
    if value is None:
        return env
    if not isinstance(value, str) or not value.strip():
        raise DeployError(
            f"{_relative(spec.config_file(env))}: {key} = {value!r}: expected a stack name "
            f"such as organization/{reference}/{env}"
        )
    return value.strip()
