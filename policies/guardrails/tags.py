"""Tag guardrail: the required tags on every taggable resource (the types ``shared.tagging`` tags)."""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy
from guardrails.findings import Finding, Unverified
from guardrails.meta import Guardrail, sees
from guardrails.resource import Resource
from guardrails.values import as_dict, as_list, is_unknown
from shared.tagging import ASG_TYPE, TAGGABLE_TYPES

TAG_KEY_PATTERN = r"^[A-Za-z0-9 _.:/=+@-]{1,128}$"

REQUIRED_TAGS = Guardrail(
    name="required-tags",
    description="Taggable resources carry the required tags (ownership and cost allocation).",
    severity=Severity.LOW,
    controls=("AWS tagging best practice",),
    remediation="Register shared.tagging.register_tagging(...) before building resources, or tag the resource.",
    config={
        "requiredTags": {
            "type": "array",
            "items": {"type": "string", "pattern": TAG_KEY_PATTERN},
            "uniqueItems": True,
            "default": ["team", "env"],
            "description": "Tag keys every taggable resource carries, each with a non-empty value.",
        }
    },
    sees=(
        sees(TAGGABLE_TYPES, "tags"),
        sees(ASG_TYPE, "tags[].key", "tags[].value"),
    ),
)


def present_tags(resource: Resource) -> set[str] | None:
    """The tag keys a resource carries with a value; ``None`` when a preview cannot know them.

    An Auto Scaling group's tags are a list of ``{key, value, propagateAtLaunch}`` blocks; every
    other taggable resource has a ``tags`` map. A tag whose value is unknown counts as present.
    """
    tags = resource.get("tags")
    if resource.type == ASG_TYPE:
        blocks = as_list(tags)
        if blocks is None:
            return None
        present: set[str] = set()
        for block in blocks:
            fields = as_dict(block)
            if fields is None or is_unknown(fields.get("key")):
                return None
            if _has_value(fields.get("value")):
                present.add(str(fields.get("key")))
        return present
    mapping = as_dict(tags)
    if mapping is None:
        return None
    return {key for key, value in mapping.items() if _has_value(value)}


def _has_value(value: Any) -> bool:
    return is_unknown(value) or (isinstance(value, str) and value.strip() != "")


def check_required_tags(resource: Resource, config: dict[str, Any]) -> list[Finding]:
    present = present_tags(resource)
    if present is None:
        return [Unverified("tags")]
    missing = [str(t) for t in config["requiredTags"] if t not in present]
    return [f"missing required tag(s): {', '.join(missing)}"] if missing else []


POLICIES = [resource_policy(REQUIRED_TAGS, TAGGABLE_TYPES | {ASG_TYPE}, check_required_tags)]
GUARDRAILS = [REQUIRED_TAGS]
