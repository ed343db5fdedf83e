"""Listeners: HTTPS on 443 (modern TLS policy, routing rules per model) and HTTP on 80 (redirect only)."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from serving_stack.routing import Route

NOT_FOUND_BODY = json.dumps({"error": "not_found", "message": "no model is routed here"})


def create_https_listener(
    name: str,
    *,
    load_balancer: aws.lb.LoadBalancer,
    certificate_arn: pulumi.Input[str],
    tls_policy: str,
    default_target_group: aws.lb.TargetGroup | None,
    opts: pulumi.ResourceOptions,
) -> aws.lb.Listener:
    if default_target_group is not None:
        action = aws.lb.ListenerDefaultActionArgs(
            type="forward", target_group_arn=default_target_group.arn
        )
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
    target_group: aws.lb.TargetGroup,
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
        actions=[aws.lb.ListenerRuleActionArgs(type="forward", target_group_arn=target_group.arn)],
        tags={"Name": name, "model": route.model},
        opts=opts,
    )
