"""``ModelServingLayer``: the serving stack's resources, built from validated inputs.

The ALB front door (``front_door.py``) and, per model, what its backend builds behind its target
group plus the model's alarms. Nothing here checks input: ``__main__`` validates the config, the
placement and the routes first, so that a bad value stops the program before anything is
registered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from serving_stack import backends
from serving_stack.alarms import create_model_alarms
from serving_stack.backends.base import LogSettings, PlacedTargets, SharedArgs, TargetsArgs
from serving_stack.config import ModelConfig, ServingConfig, VersionConfig
from serving_stack.front_door import (
    AccessLogs,
    AlbFrontDoor,
    Edge,
    Endpoint,
    EndpointVersion,
    FrontDoorArgs,
    Tls,
)
from serving_stack.load_balancer import AlbSettings
from serving_stack.placement import Placement
from serving_stack.routing import Route
from serving_stack.security_groups import ServingSecurityGroupsArgs
from shared.contract import NetworkContract
from shared.environments import EnvironmentProfile
from shared.naming import physical_name


@dataclass(frozen=True)
class ServingLayerArgs:
    env: str
    profile: EnvironmentProfile
    config: ServingConfig
    contract: NetworkContract
    placement: Placement
    routes: list[Route]
    """From ``routing.plan_routes``: one per model, in the order of ``config.models``."""
    region: str
    account_id: str

    @property
    def base_name(self) -> str:
        return physical_name("serving", self.env)


@dataclass
class VersionResources:
    version: VersionConfig
    placed: PlacedTargets
    target_group: aws.lb.TargetGroup
    min_healthy: int
    alarms: list[aws.cloudwatch.MetricAlarm] = field(default_factory=list)


@dataclass
class ModelResources:
    model: ModelConfig
    route: Route
    versions: dict[str, VersionResources]


def front_door_args(args: ServingLayerArgs) -> FrontDoorArgs:
    """The front door's inputs, from the config and the placement."""
    cfg, placement, base = args.config, args.placement, args.base_name
    routes = {r.model: r for r in args.routes}
    return FrontDoorArgs(
        env=args.env,
        vpc_id=args.contract.vpc_id,
        ingress=ServingSecurityGroupsArgs(
            name=base,
            vpc_id=args.contract.vpc_id,
            target_ports=[m.port for m in cfg.models],
            public=cfg.public,
            allowed_cidrs=cfg.allowed_cidrs,
            allowed_prefix_list_ids=cfg.allowed_prefix_list_ids,
            protect=args.profile.protect,
        ),
        alb=AlbSettings(
            name=base,
            internal=cfg.scheme == "internal",
            subnet_ids=placement.alb_subnet_ids,
            idle_timeout_seconds=cfg.idle_timeout_seconds,
            desync_mitigation_mode=cfg.desync_mitigation_mode,
            deletion_protection=cfg.deletion_protection_for(args.profile),
        ),
        tls=Tls(
            policy=cfg.tls_policy,
            certificate=cfg.certificate,
            names=cfg.certificate_names(),
            zone_id=placement.zone_ids.get(cfg.certificate.zone or ""),
        ),
        access_logs=AccessLogs(
            bucket=cfg.access_logs.bucket,
            bucket_name=physical_name(
                base, "", "alb-logs", args.account_id, args.region, kind="s3_bucket"
            ),
            retention_days=cfg.access_logs.retention_days,
            region=args.region,
            account_id=args.account_id,
        ),
        endpoints=[
            Endpoint(
                m,
                routes[m.name],
                [
                    EndpointVersion(v.name, v.weight, backends.backend(v.targets.kind).target_type)
                    for v in m.served
                ],
            )
            for m in cfg.models
        ],
        edge=Edge(
            waf_acl_arn=cfg.waf_acl_arn,
            dns_zone_id=placement.zone_ids[cfg.dns.zone] if cfg.dns else None,
            alias_names=cfg.alias_names(),
        ),
        protect=args.profile.protect,
    )


class ModelServingLayer(pulumi.ComponentResource):
    front_door: AlbFrontDoor
    models: dict[str, ModelResources]

    def __init__(
        self, name: str, args: ServingLayerArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:serving:ModelServingLayer", name, None, opts)
        self.front_door = AlbFrontDoor(
            name, front_door_args(args), opts=pulumi.ResourceOptions(parent=self)
        )
        routes = {r.model: r for r in args.routes}
        self.models = {
            m.name: self._model(name, m, routes[m.name], args) for m in args.config.models
        }
        self._shared(name)
        self.register_outputs({"alb_dns_name": self.front_door.load_balancer.dns_name})

    def _model(
        self, name: str, model: ModelConfig, route: Route, args: ServingLayerArgs
    ) -> ModelResources:
        return ModelResources(
            model=model,
            route=route,
            versions={v.name: self._model_version(name, model, v, args) for v in model.served},
        )

    def _model_version(
        self, name: str, model: ModelConfig, version: VersionConfig, args: ServingLayerArgs
    ) -> VersionResources:
        """A version's targets (its backend's component) and alarms, under its target group."""
        placed = args.placement.models[model.name][version.name]
        target_group = self.front_door.target_groups[model.name][version.name]
        under_group = pulumi.ResourceOptions(parent=target_group)
        suffix = "" if version.implicit else f"-{version.name}"
        placed.build(
            TargetsArgs(
                name=f"{name}-{model.name}{suffix}",
                physical_name=f"{args.base_name}-{model.name}{suffix}",
                env=args.env,
                profile=args.profile,
                model=model,
                version=None if version.implicit else version.name,
                target_group=target_group,
                load_balancer=self.front_door.load_balancer,
                attached_by=self.front_door.attached_by[model.name],
                security_group_id=self.front_door.security_groups.targets.id,
                region=args.region,
                logs=LogSettings(
                    retention_days=args.config.logs.retention_days
                    or args.profile.log_retention_days,
                    kms_key_arn=args.config.logs.kms_key_arn,
                ),
            ),
            under_group,
        )
        resources = VersionResources(
            version=version,
            placed=placed,
            target_group=target_group,
            min_healthy=model.min_healthy_targets or placed.default_min_healthy,
        )
        resources.alarms = create_model_alarms(
            f"{name}-{model.name}{suffix}",
            model=model.name if version.implicit else f"{model.name} {version.name}",
            min_healthy=resources.min_healthy,
            cfg=args.config.alarms,
            load_balancer=self.front_door.load_balancer,
            target_group=target_group,
            opts=under_group,
        )
        return resources

    def _shared(self, name: str) -> None:
        """What the models of one backend kind share, once per kind."""
        for key, backend in backends.BACKENDS.items():
            placed = [
                v.placed
                for r in self.models.values()
                for v in r.versions.values()
                if v.placed.kind == key
            ]
            if placed:
                backend.build_shared(
                    placed,
                    SharedArgs(name=name, security_group=self.front_door.security_groups.targets),
                )
