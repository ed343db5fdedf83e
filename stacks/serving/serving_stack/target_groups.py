"""A model's target group: HTTP (or, with ``backendProtocol: HTTPS``, TLS end to end) on the
model's port, health checks tuned for fast failover.

Names: no fixed ``name`` is set. Pulumi auto-names the group from its logical name (kept <= 24
characters, env included) plus a random suffix, within the 32-character limit. A change that forces
a replacement (port, protocol, VPC) then creates the new group before the old one is deleted,
instead of failing on a name that is still taken.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from serving_stack.config import ModelConfig
from shared.naming import physical_name

AUTONAME_SUFFIX = 8  # "-" + 7 random characters


def target_group_logical_name(env: str, model: str, version: str | None = None) -> str:
    """``srv-<env>-<model>``, and ``-<version>`` for a version other than the initial one."""
    parts = (model,) if version is None else (model, version)
    return physical_name("srv", env, *parts, kind="target_group", reserve=AUTONAME_SUFFIX)


def create_target_group(
    env: str,
    model: ModelConfig,
    vpc_id: str,
    opts: pulumi.ResourceOptions,
    *,
    target_type: str = "instance",
    version: str | None = None,
) -> aws.lb.TargetGroup:
    hc = model.health_check
    tags = {"Name": f"{env}-{model.name}", "model": model.name}
    if version is not None:
        tags = {"Name": f"{env}-{model.name}-{version}", "model": model.name, "version": version}
    return aws.lb.TargetGroup(
        target_group_logical_name(env, model.name, version),
        port=model.port,
        protocol=model.backend_protocol,
        protocol_version="HTTP1",
        target_type=target_type,
        vpc_id=vpc_id,
        deregistration_delay=model.deregistration_delay_seconds,
        slow_start=model.slow_start_seconds,
        load_balancing_algorithm_type="least_outstanding_requests",
        health_check=aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol=model.backend_protocol,
            port="traffic-port",
            path=hc.path,
            interval=hc.interval_seconds,
            timeout=hc.timeout_seconds,
            healthy_threshold=hc.healthy_threshold,
            unhealthy_threshold=hc.unhealthy_threshold,
            matcher=hc.matcher,
        ),
        tags=tags,
        opts=opts,
    )
