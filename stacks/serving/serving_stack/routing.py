"""Listener rule priorities that stay put when models are added or removed.

A priority comes from the model's config: its explicit ``priority``, else a number derived from a
hash of its route (so it depends on nothing but the model itself, never on list position). Path
rules get the range 1000-25999 and host rules 26000-49999, so that host rules are evaluated after
the more specific path rules; collisions are reported with the two models named.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from serving_stack.config import ModelConfig
from shared.config import config_error

PATH_RANGE = (1000, 25999)
HOST_RANGE = (26000, 49999)


@dataclass(frozen=True)
class Route:
    model: str
    kind: str  # "path" | "host" | "default"
    value: str
    priority: int | None


def derived_priority(kind: str, value: str) -> int:
    low, high = PATH_RANGE if kind == "path" else HOST_RANGE
    digest = int(hashlib.sha256(f"{kind}:{value}".encode()).hexdigest(), 16)
    return low + digest % (high - low + 1)


def plan_routes(models: list[ModelConfig]) -> list[Route]:
    """One route per model, with stable priorities; raises a one-line ConfigError on a collision."""
    routes: list[Route] = []
    taken: dict[int, str] = {}
    for index, model in enumerate(models):
        if model.route is None:
            routes.append(Route(model.name, "default", "*", None))
            continue
        priority = model.priority or derived_priority(model.route.kind, model.route.value)
        if priority in taken:
            raise config_error(
                f"serving:models[{index}].priority",
                priority,
                f"rule priority already used by model {taken[priority]!r}; set an explicit priority on one of them",
            )
        taken[priority] = model.name
        routes.append(Route(model.name, model.route.kind, model.route.value, priority))
    return routes
