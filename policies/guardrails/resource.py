"""A resource as a check sees it: plain props, and (for stack checks) its links to other resources."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from guardrails.values import UNKNOWN, is_unknown


@dataclass
class Resource:
    type: str
    name: str
    urn: str
    props: dict[str, Any]
    """Inputs in ``Analyze``, outputs in ``AnalyzeStack``; camelCase, unknowns as ``UNKNOWN``."""
    parent: str | None = None
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    """Input name -> URNs of the resources that input's value came from."""

    def get(self, *path: str | int, default: Any = None) -> Any:
        """The value at ``path``; ``default`` if absent; :data:`UNKNOWN` if it or a parent is unknown."""
        value: Any = self.props
        for key in path:
            if is_unknown(value):
                return UNKNOWN
            if isinstance(key, int):
                if not isinstance(value, list) or not -len(value) <= key < len(value):
                    return default
                value = value[key]
            else:
                if not isinstance(value, dict) or key not in value:
                    return default
                value = value[key]
        return default if value is None else value

    def linked_to(self, other: Resource, prop: str | None = None) -> bool:
        """True if this resource's input ``prop`` (or, without ``prop``, any input) came from ``other``.

        This is how the engine links resources, and the only link a preview can see: the ARN or id
        that ``prop`` holds is unknown until the other resource exists.
        """
        if prop is not None:
            return other.urn in self.property_dependencies.get(prop, [])
        return other.urn in self.dependencies or any(
            other.urn in urns for urns in self.property_dependencies.values()
        )
