from __future__ import annotations

from typing import Any, cast

import pulumi

from shared.tagging import ASG_TYPE, REQUIRED_TAG_KEYS, standard_tags, tagging_transformation

REQUIRED = standard_tags(team="ml-platform", env="prod", stack="serving", cost_center="ml-42")


def _apply(type_: str, props: dict[str, object]) -> pulumi.ResourceTransformationResult | None:
    transform = tagging_transformation(REQUIRED)
    args = pulumi.ResourceTransformationArgs(
        resource=None,  # type: ignore[arg-type]
        type_=type_,
        name="example",
        props=props,
        opts=pulumi.ResourceOptions(),
    )
    return transform(args)


def test_standard_tags_have_every_required_key() -> None:
    assert set(REQUIRED) == set(REQUIRED_TAG_KEYS)
    assert REQUIRED["managed-by"] == "pulumi"


def test_taggable_resources_get_the_tags_and_keep_their_own() -> None:
    result = _apply(
        "aws:lb/loadBalancer:LoadBalancer", {"tags": {"Name": "serving-prod", "team": "override"}}
    )
    assert result is not None
    assert result.props["tags"] == {**REQUIRED, "Name": "serving-prod", "team": "override"}


def test_untaggable_types_are_left_alone() -> None:
    assert _apply("aws:lb/targetGroupAttachment:TargetGroupAttachment", {"port": 8080}) is None


def test_auto_scaling_groups_get_propagated_tag_blocks() -> None:
    result = _apply(
        ASG_TYPE, {"tags": [{"key": "Name", "value": "llm", "propagate_at_launch": True}]}
    )
    assert result is not None
    blocks = cast(list[dict[str, Any]], result.props["tags"])
    assert blocks[0] == {"key": "Name", "value": "llm", "propagate_at_launch": True}
    assert {b["key"] for b in blocks} == {"Name", *REQUIRED_TAG_KEYS}
    assert all(b["propagate_at_launch"] for b in blocks)
