"""Listener rule priorities that stay put when models are added or removed.

A priority comes from the model's config only: its explicit ``priority``, else a number derived
from a hash of its route (``path:/v1/chat``, ``host:chat.example.com``). It never depends on list
position or on the other models, so adding or removing a model changes no other rule (a moved
priority would be an update racing the new rule for the same number). Path rules get
1000-25999 and host rules 26000-49999, so a path rule is evaluated before any host rule;
1-999 are left for explicit priorities.

Two things a hash cannot promise are checked and reported with the fix, never silently shifted:
two routes on one priority, and a path nested in another (``/v1/chat`` in ``/v1``) that would be
evaluated after it and so never match.
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


def nested_in(inner: str, outer: str) -> bool:
    """``/v1/chat`` is nested in ``/v1`` (the rule for ``/v1/*`` also matches its requests)."""
    return inner.startswith(outer.rstrip("/") + "/")


def plan_routes(models: list[ModelConfig]) -> list[Route]:
    """One route per model, with stable priorities; raises a one-line ConfigError on a conflict."""
    routes: list[Route] = []
    taken: dict[int, int] = {}
    for index, model in enumerate(models):
        if model.route.default:
            routes.append(Route(model.name, "default", "*", None))
            continue
        priority = model.priority or derived_priority(model.route.kind, model.route.value)
        if priority in taken:
            other = taken[priority]
            raise config_error(
                f"serving:models[{index}].priority",
                priority,
                f"rule priority already used by models[{other}] ({models[other].name}); "
                "set an explicit priority on one of them",
            )
        taken[priority] = index
        routes.append(Route(model.name, model.route.kind, model.route.value, priority))
    _check_nesting(routes)
    return routes


def _check_nesting(routes: list[Route]) -> None:
    paths = [(i, r) for i, r in enumerate(routes) if r.kind == "path"]
    for i, inner in paths:
        for j, outer in paths:
            if not nested_in(inner.value, outer.value):
                continue
            assert inner.priority is not None and outer.priority is not None
            if inner.priority < outer.priority:
                continue
            taken = {r.priority for r in routes}
            suggestion = next(p for p in range(outer.priority - 1, 0, -1) if p not in taken)
            raise config_error(
                f"serving:models[{i}].priority",
                inner.priority,
                f"{inner.value} is inside {outer.value} (models[{j}], priority {outer.priority}), "
                f"whose rule would take its requests; give models[{i}] a lower priority, e.g. {suggestion}",
            )
