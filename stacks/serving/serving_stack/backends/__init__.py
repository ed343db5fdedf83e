"""The model backends, by the config key that selects them: one module per kind of targets.

A model names exactly one of these keys (``instances: [...]`` or ``fleet: {...}``). To add a kind,
write a module with a :class:`~serving_stack.backends.base.ModelBackend` and add it to
:data:`BACKENDS` below.
"""

from __future__ import annotations

from typing import Any

from serving_stack.backends.base import ModelBackend
from serving_stack.backends.fleet import FleetBackend
from serving_stack.backends.instances import InstancesBackend

BACKENDS: dict[str, ModelBackend[Any, Any]] = {
    backend.key: backend for backend in (InstancesBackend(), FleetBackend())
}


def backend(key: str) -> ModelBackend[Any, Any]:
    return BACKENDS[key]


def choices() -> str:
    """``instances or fleet``: the keys as an error message lists them."""
    keys = list(BACKENDS)
    return keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} or {keys[-1]}"
