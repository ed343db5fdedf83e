"""What the ALB forwards a model's traffic with, after a step's deploy: the weights of the
listener rule (or default action) whose forward names the model's versions' target groups, read
with ``DescribeRules`` and the verify room's reading of a forward (``tooling.verify.traffic``)."""

from __future__ import annotations

from typing import Any

from tooling.verify.traffic import final_action, weights_of


def served_weights(elbv2: Any, listener_arn: str, groups: dict[str, str]) -> dict[str, int] | None:
    """Version -> weight as the ALB has it (``groups``: version -> target group ARN); None if no
    rule forwards to any of them. A group that is no version of the model keeps its ARN."""
    versions = {arn: name for name, arn in groups.items()}
    rules = [
        rule
        for page in elbv2.get_paginator("describe_rules").paginate(ListenerArn=listener_arn)
        for rule in page.get("Rules", [])
    ]
    for rule in rules:
        action, _ = final_action(rule.get("Actions", []))
        weights = weights_of(action) if action is not None else {}
        if set(weights) & set(versions):
            return {versions.get(arn, arn): weight for arn, weight in weights.items()}
    return None
