"""Required tags, applied to every taggable resource by one stack transformation.

``register_tagging(tags)`` installs a stack-wide *resource transformation*: every AWS resource of a
type in :data:`TAGGABLE_TYPES` constructed afterwards gets the required tags merged under its own
``tags`` (explicit tags win). Auto Scaling groups get them as ``tag`` blocks propagated at launch.

Why a transformation and not provider ``default_tags``: default tags appear only in the provider's
computed ``tagsAll``, so the policy pack (which sees resource inputs during ``Analyze``) and reviewers of
a plan could not see them. Why the in-process transformation rather than the newer engine-side
``register_resource_transform``: it runs inside the program, so the real engine, Pulumi's mock runtime
and the offline plan gate all see exactly the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any, cast

import pulumi

REQUIRED_TAG_KEYS: tuple[str, ...] = ("team", "env", "stack", "managed-by", "repo", "cost-center")
MANAGED_BY = "pulumi"
REPO = "acme/alb-serving-platform"

ASG_TYPE = "aws:autoscaling/group:Group"

# Resource types this repository creates (or may create) that accept a `tags` map. Shared with the
# policy pack's tag policy, so the transformation and the guardrail agree on what is taggable.
TAGGABLE_TYPES: frozenset[str] = frozenset(
    {
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/eip:Eip",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:alb/loadBalancer:LoadBalancer",
        "aws:alb/targetGroup:TargetGroup",
        "aws:alb/listener:Listener",
        "aws:alb/listenerRule:ListenerRule",
        "aws:s3/bucket:Bucket",
        "aws:acm/certificate:Certificate",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:sns/topic:Topic",
        "aws:iam/role:Role",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/policy:Policy",
        "aws:wafv2/webAcl:WebAcl",
        "aws:kms/key:Key",
    }
)


def standard_tags(*, team: str, env: str, stack: str, cost_center: str) -> dict[str, str]:
    """The tags every taggable resource carries."""
    return {
        "team": team,
        "env": env,
        "stack": stack,
        "managed-by": MANAGED_BY,
        "repo": REPO,
        "cost-center": cost_center,
    }


def merged_tags(existing: Any, required: Mapping[str, str]) -> Any:
    """Required tags under the resource's own (the resource's explicit values win).

    ``existing`` may be an ``Output``; the result is then an ``Output`` too.
    """
    if isinstance(existing, pulumi.Output):
        return existing.apply(lambda tags: {**required, **dict(tags or {})})
    return {**required, **dict(existing or {})}


def asg_tag_blocks(existing: list[Any] | None, required: Mapping[str, str]) -> list[Any]:
    """Required tags as ASG ``tag`` blocks (propagated to instances), unless already present."""
    blocks = list(existing or [])
    present = {_block_key(b) for b in blocks}
    for key, value in required.items():
        if key not in present:
            blocks.append({"key": key, "value": value, "propagate_at_launch": True})
    return blocks


def _block_key(block: Any) -> Any:
    if isinstance(block, Mapping):
        return block.get("key")
    return getattr(block, "key", None)


def tagging_transformation(
    required: Mapping[str, str],
) -> pulumi.ResourceTransformation:
    """A resource transformation that adds ``required`` tags to taggable AWS resources."""

    def transform(
        args: pulumi.ResourceTransformationArgs,
    ) -> pulumi.ResourceTransformationResult | None:
        props = cast(MutableMapping[str, Any], args.props)
        if args.type_ in TAGGABLE_TYPES:
            props["tags"] = merged_tags(props.get("tags"), required)
        elif args.type_ == ASG_TYPE:
            props["tags"] = asg_tag_blocks(props.get("tags"), required)
        else:
            return None
        return pulumi.ResourceTransformationResult(props=props, opts=args.opts)

    return transform


def register_tagging(required: Mapping[str, str]) -> None:
    """Tag every taggable resource constructed after this call (call it before building anything)."""
    pulumi.runtime.register_stack_transformation(tagging_transformation(dict(required)))
