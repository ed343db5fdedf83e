"""``AlbFrontDoor``: the ALB and everything that receives traffic for the models.

Its security groups, its log bucket, the load balancer, the certificate, the HTTPS listener
(default action: the default model, or a JSON 404) and its rules, one target group per model
(HTTP on the model's port, health-checked for fast failover), the redirect-only HTTP listener,
and the edge (WAF association, Route 53 aliases). What serves behind each target group is the
models' backends' business (``backends/``).

With ``protect`` (prod): the groups, the bucket, the load balancer and its listeners, the
certificate, the WAF association and the service's alias are protected; what belongs to one model
(its target group and everything below it, its rule, its host alias) is not.

Built before 2026-12 straight under ``ModelServingLayer``: the resources that moved here carry an
alias to their old parent, and everything below them follows, so no URN a deployed stack knows
changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from serving_stack.access_logs import AlbLogBucket, AlbLogBucketArgs
from serving_stack.certificate import certificate_arn
from serving_stack.config import INITIAL_VERSION, CertificateConfig, ModelConfig
from serving_stack.listeners import (
    Forward,
    create_http_redirect_listener,
    create_https_listener,
    create_rule,
)
from serving_stack.load_balancer import AlbSettings, create_load_balancer
from serving_stack.routing import Route
from serving_stack.security_groups import ServingSecurityGroups, ServingSecurityGroupsArgs
from serving_stack.target_groups import create_target_group


@dataclass(frozen=True)
class EndpointVersion:
    name: str
    weight: int
    target_type: str
    """The backend's target type (``instance`` for instances and fleets)."""


@dataclass(frozen=True)
class Endpoint:
    """One model as the ALB sees it: its route and a target group per version."""

    model: ModelConfig
    route: Route
    versions: list[EndpointVersion]


@dataclass(frozen=True)
class Tls:
    policy: str
    certificate: CertificateConfig
    names: list[str]
    """What a requested certificate covers, domain first (``ServingConfig.certificate_names``)."""
    zone_id: str | None
    """The Route 53 zone a requested certificate is validated in."""


@dataclass(frozen=True)
class AccessLogs:
    bucket: str | None
    """An existing bucket, or ``None`` for one this stack creates."""
    bucket_name: str
    """The name of the bucket this stack creates."""
    retention_days: int
    region: str
    account_id: str


@dataclass(frozen=True)
class Edge:
    waf_acl_arn: str | None
    dns_zone_id: str | None
    alias_names: list[str]
    """Route 53 alias records to the ALB, in ``dns_zone_id``."""


@dataclass(frozen=True)
class FrontDoorArgs:
    env: str
    vpc_id: str
    ingress: ServingSecurityGroupsArgs
    alb: AlbSettings
    tls: Tls
    access_logs: AccessLogs
    endpoints: list[Endpoint]
    edge: Edge
    protect: bool


class AlbFrontDoor(pulumi.ComponentResource):
    load_balancer: aws.lb.LoadBalancer
    security_groups: ServingSecurityGroups
    https_listener: aws.lb.Listener
    http_listener: aws.lb.Listener
    target_groups: dict[str, dict[str, aws.lb.TargetGroup]]
    """Model name -> version name -> its target group."""
    attached_by: dict[str, pulumi.Resource]
    """Model name -> the rule, or the HTTPS listener, that puts its target group behind the ALB."""
    log_bucket_name: pulumi.Output[str]
    certificate_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: FrontDoorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:serving:AlbFrontDoor", name, None, opts)
        self._name, self._args = name, args
        layer = opts.parent if opts is not None else None
        self._moved = pulumi.ResourceOptions(
            parent=self, aliases=[pulumi.Alias(parent=layer)] if layer else None
        )
        self.security_groups = ServingSecurityGroups(f"{name}-sg", args.ingress, opts=self._moved)
        self.load_balancer = self._load_balancer()
        alb_child = pulumi.ResourceOptions(parent=self.load_balancer)
        # What a model brings is never protected (children inherit protect): a model can be
        # added, removed or rolled out in prod without unprotecting anything.
        per_model = pulumi.ResourceOptions(parent=self.load_balancer, protect=False)
        self.target_groups = {
            e.model.name: {
                v.name: create_target_group(
                    args.env,
                    e.model,
                    args.vpc_id,
                    per_model,
                    target_type=v.target_type,
                    version=None if v.name == INITIAL_VERSION else v.name,
                )
                for v in e.versions
            }
            for e in args.endpoints
        }
        self.certificate_arn = pulumi.Output.from_input(
            certificate_arn(
                f"{name}-cert",
                args.tls.certificate,
                args.tls.names,
                args.tls.zone_id,
                pulumi.ResourceOptions.merge(
                    self._moved, pulumi.ResourceOptions(protect=args.protect)
                ),
            )
        )
        self._listeners()
        self._edge(alb_child)
        self.register_outputs({"alb_dns_name": self.load_balancer.dns_name})

    def _load_balancer(self) -> aws.lb.LoadBalancer:
        args, depends = self._args, []
        logs = args.access_logs
        if logs.bucket is None:
            bucket = AlbLogBucket(
                f"{self._name}-logs",
                AlbLogBucketArgs(
                    bucket_name=logs.bucket_name,
                    retention_days=logs.retention_days,
                    region=logs.region,
                    account_id=logs.account_id,
                    protect=args.protect,
                ),
                opts=self._moved,
            )
            self.log_bucket_name = bucket.bucket.bucket
            depends.append(bucket.policy)  # AWS checks the grant when access logs are turned on
        else:
            self.log_bucket_name = pulumi.Output.from_input(logs.bucket)
        return create_load_balancer(
            f"{self._name}-alb",
            args.alb,
            security_group_id=self.security_groups.alb.id,
            log_bucket=self.log_bucket_name,
            opts=pulumi.ResourceOptions.merge(
                self._moved, pulumi.ResourceOptions(protect=args.protect, depends_on=depends)
            ),
        )

    def _listeners(self) -> None:
        name, args = self._name, self._args
        default = next((e for e in args.endpoints if e.route.kind == "default"), None)
        listener_opts = pulumi.ResourceOptions(parent=self.load_balancer, protect=args.protect)
        self.https_listener = create_https_listener(
            f"{name}-https",
            load_balancer=self.load_balancer,
            certificate_arn=self.certificate_arn,
            tls_policy=args.tls.policy,
            default=self._forward(default) if default else None,
            opts=listener_opts,
        )
        self.http_listener = create_http_redirect_listener(
            f"{name}-http-redirect", load_balancer=self.load_balancer, opts=listener_opts
        )
        self.attached_by = {}
        for endpoint in args.endpoints:
            model = endpoint.model.name
            if endpoint.route.kind == "default":
                self.attached_by[model] = self.https_listener
                continue
            self.attached_by[model] = create_rule(
                f"{name}-{model}",
                listener=self.https_listener,
                route=endpoint.route,
                forward=self._forward(endpoint),
                opts=pulumi.ResourceOptions(parent=self.https_listener, protect=False),
            )

    def _forward(self, endpoint: Endpoint) -> Forward:
        groups = self.target_groups[endpoint.model.name]
        return Forward(
            groups=[(groups[v.name], v.weight) for v in endpoint.versions],
            weighted=endpoint.model.weighted,
            stickiness_seconds=endpoint.model.stickiness_seconds,
        )

    def _edge(self, alb_child: pulumi.ResourceOptions) -> None:
        name, edge = self._name, self._args.edge
        if edge.waf_acl_arn:
            aws.wafv2.WebAclAssociation(
                f"{name}-waf",
                resource_arn=self.load_balancer.arn,
                web_acl_arn=edge.waf_acl_arn,
                opts=alb_child,
            )
        for index, alias in enumerate(edge.alias_names):
            # The service's own name stays with the ALB; a host route's alias comes and goes with its model.
            opts = (
                alb_child
                if index == 0
                else pulumi.ResourceOptions(parent=self.load_balancer, protect=False)
            )
            aws.route53.Record(
                f"{name}-alias" if index == 0 else f"{name}-alias-{alias}",
                zone_id=edge.dns_zone_id,
                name=alias,
                type="A",
                aliases=[
                    aws.route53.RecordAliasArgs(
                        name=self.load_balancer.dns_name,
                        zone_id=self.load_balancer.zone_id,
                        evaluate_target_health=True,
                    )
                ],
                opts=opts,
            )
