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


def tag_values(resource: Resource) -> dict[str, Any] | None:
    """The resource's tags as key -> value (UNKNOWN where a preview cannot know the value);
    ``None`` when a preview cannot know which tags there are.

    An Auto Scaling group's tags are a list of ``{key, value, propagateAtLaunch}`` blocks; every
    other taggable resource has a ``tags`` map.
    """
    tags = resource.get("tags")
    if resource.type != ASG_TYPE:
        return as_dict(tags)
    blocks = as_list(tags)
    if blocks is None:
        return None
    values: dict[str, Any] = {}
    for block in blocks:
        fields = as_dict(block)
        if fields is None or is_unknown(fields.get("key")):
            return None
        values[str(fields.get("key"))] = fields.get("value")
    return values


def check_required_tags(resource: Resource, config: dict[str, Any]) -> list[Finding]:
    values = tag_values(resource)
    if values is None:
        return [Unverified("tags")]
    required = [str(t) for t in config["requiredTags"]]
    unknown = [t for t in required if is_unknown(values.get(t))]
    missing = [
        t
        for t in required
        if t not in unknown and not (isinstance(values.get(t), str) and values[t].strip())
    ]
    found: list[Finding] = [Unverified(f"tags.{t}") for t in unknown]
    if missing:
        found.append(f"missing required tag(s): {', '.join(missing)}")
    return found


POLICIES = [resource_policy(REQUIRED_TAGS, TAGGABLE_TYPES | {ASG_TYPE}, check_required_tags)]
GUARDRAILS = [REQUIRED_TAGS]
