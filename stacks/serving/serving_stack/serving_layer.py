"""``ModelServingLayer``: every resource of the serving stack, built from validated inputs.

Nothing here checks input: ``__main__`` validates the config, the placement and the routes first,
so that a bad value stops the program before anything is registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from serving_stack.access_logs import AlbLogBucket, AlbLogBucketArgs
from serving_stack.alarms import create_model_alarms
from serving_stack.certificate import certificate_arn
from serving_stack.config import ModelConfig, ServingConfig
from serving_stack.listeners import (
    create_http_redirect_listener,
    create_https_listener,
    create_rule,
)
from serving_stack.load_balancer import AlbArgs, create_load_balancer
from serving_stack.placement import Placement
from serving_stack.routing import Route
from serving_stack.security_groups import ServingSecurityGroups, ServingSecurityGroupsArgs
from serving_stack.target_groups import create_target_group
from serving_stack.targets import (
    FleetArgs,
    ModelFleet,
    attach_instances,
    attach_security_group_to_instances,
)
from shared.contract import NetworkContract
from shared.naming import physical_name


@dataclass(frozen=True)
class ServingLayerArgs:
    env: str
    config: ServingConfig
    contract: NetworkContract
    placement: Placement
    routes: list[Route]
    """From ``routing.plan_routes``: one per model, in the order of ``config.models``."""
    region: str
    account_id: str


@dataclass
class ModelResources:
    model: ModelConfig
    route: Route
    target_group: aws.lb.TargetGroup
    min_healthy: int
    alarms: list[aws.cloudwatch.MetricAlarm] = field(default_factory=list)


class ModelServingLayer(pulumi.ComponentResource):
    load_balancer: aws.lb.LoadBalancer
    https_listener: aws.lb.Listener
    http_listener: aws.lb.Listener
    log_bucket_name: pulumi.Output[str]
    certificate_arn: pulumi.Output[str]
    models: dict[str, ModelResources]

    def __init__(
        self, name: str, args: ServingLayerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:serving:ModelServingLayer", name, None, opts)
        cfg, env, placement = args.config, args.env, args.placement
        prod = env == "prod"
        base = physical_name("serving", env)
        child = pulumi.ResourceOptions(parent=self)
        protected = pulumi.ResourceOptions(parent=self, protect=prod)

        groups = ServingSecurityGroups(
            f"{name}-sg",
            ServingSecurityGroupsArgs(
                name=base,
                vpc_id=args.contract.vpc_id,
                target_ports=[m.port for m in cfg.models],
                public=cfg.public,
                allowed_cidrs=cfg.allowed_cidrs,
                allowed_prefix_list_ids=cfg.allowed_prefix_list_ids,
            ),
            opts=child,
        )

        depends: list[pulumi.Resource] = []
        if cfg.access_logs.bucket is None:
            logs = AlbLogBucket(
                f"{name}-logs",
                AlbLogBucketArgs(
                    bucket_name=physical_name(
                        base, "", "alb-logs", args.account_id, args.region, kind="s3_bucket"
                    ),
                    retention_days=cfg.access_logs.retention_days,
                    region=args.region,
                    account_id=args.account_id,
                    protect=prod,
                ),
                opts=child,
            )
            self.log_bucket_name = logs.bucket.bucket
            depends.append(logs.policy)
        else:
            self.log_bucket_name = pulumi.Output.from_input(cfg.access_logs.bucket)

        self.load_balancer = create_load_balancer(
            f"{name}-alb",
            AlbArgs(
                internal=cfg.scheme == "internal",
                subnet_ids=placement.alb_subnet_ids,
                security_group_id=groups.alb.id,
                log_bucket=self.log_bucket_name,
                idle_timeout_seconds=cfg.idle_timeout_seconds,
                desync_mitigation_mode=cfg.desync_mitigation_mode,
                deletion_protection=cfg.deletion_protection_for(env),
                name=base,
            ),
            opts=pulumi.ResourceOptions.merge(
                protected, pulumi.ResourceOptions(depends_on=depends)
            ),
        )
        alb_child = pulumi.ResourceOptions(parent=self.load_balancer)

        routes = {r.model: r for r in args.routes}
        self.models = {}
        for model in cfg.models:
            target_group = create_target_group(env, model, args.contract.vpc_id, alb_child)
            default_min = (
                model.fleet.min_size if model.fleet else len(placement.target_zones(model.name))
            )
            min_healthy = model.min_healthy_targets or default_min
            self.models[model.name] = ModelResources(
                model, routes[model.name], target_group, min_healthy
            )
            tg_child = pulumi.ResourceOptions(parent=target_group)
            if model.fleet is not None:
                ModelFleet(
                    f"{name}-{model.name}",
                    FleetArgs(
                        name=f"{base}-{model.name}",
                        env=env,
                        model=model,
                        fleet=model.fleet,
                        image_id=placement.image_ids[model.name],
                        subnet_ids=placement.private_subnet_ids,
                        security_group_id=groups.targets.id,
                        target_group=target_group,
                        load_balancer=self.load_balancer,
                        region=args.region,
                    ),
                    opts=tg_child,
                )
            else:
                attach_instances(f"{name}-{model.name}", model, target_group, tg_child)
        if placement.instances:
            attach_security_group_to_instances(
                f"{name}-targets-sg",
                placement.instances.values(),
                groups.targets.id,
                pulumi.ResourceOptions(parent=groups.targets),
            )

        default = next((m for m in self.models.values() if m.route.kind == "default"), None)
        self.certificate_arn = pulumi.Output.from_input(
            certificate_arn(
                f"{name}-cert",
                cfg.certificate,
                cfg.certificate_names(),
                placement.zone_ids.get(cfg.certificate.zone or ""),
                child,
            )
        )
        listener_opts = pulumi.ResourceOptions(parent=self.load_balancer, protect=prod)
        self.https_listener = create_https_listener(
            f"{name}-https",
            load_balancer=self.load_balancer,
            certificate_arn=self.certificate_arn,
            tls_policy=cfg.tls_policy,
            default_target_group=default.target_group if default else None,
            opts=listener_opts,
        )
        self.http_listener = create_http_redirect_listener(
            f"{name}-http-redirect", load_balancer=self.load_balancer, opts=listener_opts
        )
        for resources in self.models.values():
            if resources.route.kind != "default":
                create_rule(
                    f"{name}-{resources.model.name}",
                    listener=self.https_listener,
                    route=resources.route,
                    target_group=resources.target_group,
                    opts=pulumi.ResourceOptions(parent=self.https_listener),
                )
            resources.alarms = create_model_alarms(
                f"{name}-{resources.model.name}",
                model=resources.model.name,
                min_healthy=resources.min_healthy,
                cfg=cfg.alarms,
                load_balancer=self.load_balancer,
                target_group=resources.target_group,
                opts=pulumi.ResourceOptions(parent=resources.target_group),
            )

        if cfg.waf_acl_arn:
            aws.wafv2.WebAclAssociation(
                f"{name}-waf",
                resource_arn=self.load_balancer.arn,
                web_acl_arn=cfg.waf_acl_arn,
                opts=alb_child,
            )
        if cfg.dns is not None:
            for index, alias in enumerate(cfg.alias_names()):
                aws.route53.Record(
                    f"{name}-alias" if index == 0 else f"{name}-alias-{alias}",
                    zone_id=placement.zone_ids[cfg.dns.zone],
                    name=alias,
                    type="A",
                    aliases=[
                        aws.route53.RecordAliasArgs(
                            name=self.load_balancer.dns_name,
                            zone_id=self.load_balancer.zone_id,
                            evaluate_target_health=True,
                        )
                    ],
                    opts=alb_child,
                )
        self.register_outputs({"alb_dns_name": self.load_balancer.dns_name})
