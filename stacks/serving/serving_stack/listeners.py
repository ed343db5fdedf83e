"""Listeners: HTTPS on 443 (modern TLS policy, routing rules per model) and HTTP on 80 (redirect only).

A model forwards to its target group; a model with versions forwards to one target group per
version, with the versions' weights (changed in place, never a replacement) and optional
target-group stickiness.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from serving_stack.routing import Route

NOT_FOUND_BODY = json.dumps({"error": "not_found", "message": "no model is routed here"})


@dataclass(frozen=True)
class Forward:
    """Where a route's requests go: target groups with their weights."""

    groups: list[tuple[aws.lb.TargetGroup, int]]
    weighted: bool
    """Weights in a ``forward`` block (a model with versions); else a plain forward to one group."""
    stickiness_seconds: int | None = None


def _default_forward(forward: Forward) -> aws.lb.ListenerDefaultActionArgs:
    if not forward.weighted:
        return aws.lb.ListenerDefaultActionArgs(
            type="forward", target_group_arn=forward.groups[0][0].arn
        )
    seconds = forward.stickiness_seconds
    return aws.lb.ListenerDefaultActionArgs(
        type="forward",
        forward=aws.lb.ListenerDefaultActionForwardArgs(
            target_groups=[
                aws.lb.ListenerDefaultActionForwardTargetGroupArgs(arn=group.arn, weight=weight)
                for group, weight in forward.groups
            ],
            stickiness=aws.lb.ListenerDefaultActionForwardStickinessArgs(
                enabled=True, duration=seconds
            )
            if seconds
            else None,
        ),
    )


def _rule_forward(forward: Forward) -> aws.lb.ListenerRuleActionArgs:
    if not forward.weighted:
        return aws.lb.ListenerRuleActionArgs(
            type="forward", target_group_arn=forward.groups[0][0].arn
        )
    seconds = forward.stickiness_seconds
    return aws.lb.ListenerRuleActionArgs(
        type="forward",
        forward=aws.lb.ListenerRuleActionForwardArgs(
            target_groups=[
                aws.lb.ListenerRuleActionForwardTargetGroupArgs(arn=group.arn, weight=weight)
                for group, weight in forward.groups
            ],
            stickiness=aws.lb.ListenerRuleActionForwardStickinessArgs(
                enabled=True, duration=seconds
            )
            if seconds
            else None,
        ),
    )


def create_https_listener(
    name: str,
    *,
    load_balancer: aws.lb.LoadBalancer,
    certificate_arn: pulumi.Input[str],
    tls_policy: str,
    default: Forward | None,
    opts: pulumi.ResourceOptions,
) -> aws.lb.Listener:
    if default is not None:
        action = _default_forward(default)
    else:
        action = aws.lb.ListenerDefaultActionArgs(
            type="fixed-response",
            fixed_response=aws.lb.ListenerDefaultActionFixedResponseArgs(
                content_type="application/json", message_body=NOT_FOUND_BODY, status_code="404"
            ),
        )
    return aws.lb.Listener(
        name,
        load_balancer_arn=load_balancer.arn,
        port=443,
        protocol="HTTPS",
        ssl_policy=tls_policy,
        certificate_arn=certificate_arn,
        default_actions=[action],
        tags={"Name": f"{name}"},
        opts=opts,
    )


def create_http_redirect_listener(
    name: str, *, load_balancer: aws.lb.LoadBalancer, opts: pulumi.ResourceOptions
) -> aws.lb.Listener:
    """Port 80 exists only to send clients to HTTPS: one action, a permanent redirect."""
    return aws.lb.Listener(
        name,
        load_balancer_arn=load_balancer.arn,
        port=80,
        protocol="HTTP",
        default_actions=[
            aws.lb.ListenerDefaultActionArgs(
                type="redirect",
                redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                    protocol="HTTPS", port="443", status_code="HTTP_301"
                ),
            )
        ],
        tags={"Name": f"{name}"},
        opts=opts,
    )


def create_rule(
    name: str,
    *,
    listener: aws.lb.Listener,
    route: Route,
    forward: Forward,
    opts: pulumi.ResourceOptions,
) -> aws.lb.ListenerRule:
    if route.kind == "path":
        condition = aws.lb.ListenerRuleConditionArgs(
            path_pattern=aws.lb.ListenerRuleConditionPathPatternArgs(
                values=[route.value, f"{route.value}/*"]
            )
        )
    else:
        condition = aws.lb.ListenerRuleConditionArgs(
            host_header=aws.lb.ListenerRuleConditionHostHeaderArgs(values=[route.value])
        )
    return aws.lb.ListenerRule(
        name,
        listener_arn=listener.arn,
        priority=route.priority,
        conditions=[condition],
        actions=[_rule_forward(forward)],
        tags={"Name": name, "model": route.model},
        opts=opts,
    )
