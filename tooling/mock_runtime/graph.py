"""A render's registrations as the dependency graph the engine orders its steps by.

The engine creates a resource only after everything it depends on: its ``dependsOn`` and the
resources its inputs came from (property dependencies), transitively. A dependency on a component
stands for the component's children. AWS needs some orderings the mock runtime never checks (a
scaling policy after its target group is behind the ALB, say): :meth:`DependencyGraph.waits_for`
states them in tests.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from tooling.mock_runtime.render import RegisteredResource, Rendered


class DependencyGraph:
    def __init__(self, rendered: Rendered) -> None:
        self.rendered = rendered
        self._by_urn = {r.urn: r for r in rendered.resources}

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {}
        for r in self.rendered.resources:
            children.setdefault(r.parent, []).append(r.urn)
        return children

    def _expand(self, urn: str) -> Iterable[str]:
        """A URN, or for a component, the resources inside it (what depending on it means)."""
        resource = self._by_urn.get(urn)
        if resource is None or resource.custom:
            yield urn
            return
        for child in self._children.get(urn, []):
            yield from self._expand(child)

    def direct(self, resource: RegisteredResource) -> set[str]:
        urns = set(resource.dependencies)
        for deps in resource.property_dependencies.values():
            urns.update(deps)
        return {u for d in urns for u in self._expand(d)}

    def upstream(self, resource: RegisteredResource) -> set[str]:
        """Every resource the engine finishes before it starts ``resource``."""
        seen: set[str] = set()
        todo = list(self.direct(resource))
        while todo:
            urn = todo.pop()
            if urn in seen:
                continue
            seen.add(urn)
            if urn in self._by_urn:
                todo.extend(self.direct(self._by_urn[urn]))
        return seen

    def waits_for(self, resource: RegisteredResource, other: RegisteredResource) -> bool:
        return other.urn in self.upstream(resource)
