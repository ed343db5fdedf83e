"""Exemptions: a resource named in a policy's config is reported *not applicable*, with the reason.

``"<policy>": {"exemptions": [{"resource": "<logical name or URN>", "reason": "..."}]}``
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from guardrails.resource import Resource

EXEMPT_PREFIX = "exempt by policy config: "
"""How an exemption reads in the engine's not-applicable list (followed by the reason)."""

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "description": "Resources exempt from this policy: logical name or URN, with the reason.",
    "items": {
        "type": "object",
        "properties": {
            "resource": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 1},
        },
        "required": ["resource", "reason"],
    },
}


def exemption_reason(config: Mapping[str, Any], resource: Resource) -> str | None:
    """The reason ``resource`` is exempt under this policy's ``config``, or ``None``."""
    for exemption in config.get("exemptions") or []:
        if isinstance(exemption, Mapping) and exemption.get("resource") in (
            resource.name,
            resource.urn,
        ):
            return str(exemption.get("reason") or "no reason given")
    return None
