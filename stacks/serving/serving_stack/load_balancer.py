"""The ALB itself, with secure and highly available defaults.

Spans every AZ of the tier it lives in; drops invalid header fields; desync mitigation
``defensive`` or ``strictest``; HTTP/2 on; access and connection logs on; deletion protection in prod.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from serving_stack.access_logs import ACCESS_LOG_PREFIX, CONNECTION_LOG_PREFIX


@dataclass(frozen=True)
class AlbSettings:
    name: str
    internal: bool
    subnet_ids: list[str]
    idle_timeout_seconds: int
    desync_mitigation_mode: str
    deletion_protection: bool


def create_load_balancer(
    resource_name: str,
    args: AlbSettings,
    *,
    security_group_id: pulumi.Input[str],
    log_bucket: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> aws.lb.LoadBalancer:
    return aws.lb.LoadBalancer(
        resource_name,
        load_balancer_type="application",
        internal=args.internal,
        subnets=args.subnet_ids,
        security_groups=[security_group_id],
        ip_address_type="ipv4",
        idle_timeout=args.idle_timeout_seconds,
        enable_http2=True,
        drop_invalid_header_fields=True,
        desync_mitigation_mode=args.desync_mitigation_mode,
        enable_deletion_protection=args.deletion_protection,
        enable_cross_zone_load_balancing=True,
        preserve_host_header=False,
        xff_header_processing_mode="append",
        access_logs=aws.lb.LoadBalancerAccessLogsArgs(
            bucket=log_bucket, prefix=ACCESS_LOG_PREFIX, enabled=True
        ),
        connection_logs=aws.lb.LoadBalancerConnectionLogsArgs(
            bucket=log_bucket, prefix=CONNECTION_LOG_PREFIX, enabled=True
        ),
        tags={"Name": args.name},
        opts=opts,
    )
