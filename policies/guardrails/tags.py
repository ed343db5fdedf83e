"""Tag guardrail: the required tags on every taggable resource (the types ``shared.tagging`` tags)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.meta import Guardrail, Resource, is_unknown, resource_policy
from shared.tagging import ASG_TYPE, TAGGABLE_TYPES

REQUIRED_TAGS = Guardrail(
    name="required-tags",
    description="Taggable resources carry the required tags (ownership and cost allocation).",
    severity=Severity.LOW,
    controls=("AWS tagging best practice", "CKV_AWS_153"),
    remediation="Register shared.tagging.register_tagging(...) before building resources, or tag the resource.",
    config={
        "requiredTags": {"type": "array", "items": {"type": "string"}, "default": ["team", "env"]}
    },
)


def present_tags(resource: Resource) -> set[str] | None:
    """The tag keys on a resource; ``None`` when a preview cannot know them."""
    tags = resource.get("tags", default=None)
    if is_unknown(tags):
        return None
    if resource.type == ASG_TYPE:
        return {str(block.get("key")) for block in tags or [] if isinstance(block, dict)}
    if isinstance(tags, dict):
        return set(tags)
    return set()


def check_required_tags(resource: Resource, config: dict[str, Any]) -> list[str]:
    present = present_tags(resource)
    if present is None:
        return []
    missing = [t for t in config["requiredTags"] if t not in present]
    return [f"missing required tag(s): {', '.join(missing)}"] if missing else []


POLICIES = [resource_policy(REQUIRED_TAGS, TAGGABLE_TYPES | {ASG_TYPE}, check_required_tags)]
GUARDRAILS = [REQUIRED_TAGS]
