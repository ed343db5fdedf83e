"""Where things go, checked against the account before anything is built.

The ALB's subnets and AZs come from the network contract (public subnets for an internet-facing
ALB, private ones for an internal ALB); each model's backend places its targets against those AZs
(``backends/``: existing instances are looked up, a fleet's AMI parameter is read); ARNs from the
config must be in the stack's region (and, for ACM, its account); the Route 53 zones are looked up
too, so that none of it fails halfway through the build. Every problem is one ``ConfigError``
naming the key and the value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pulumi_aws as aws

from serving_stack import backends
from serving_stack.backends.base import PlacedTargets, PlacementContext
from serving_stack.config import ModelConfig, ServingConfig, arn_account, arn_region
from serving_stack.lookups import look_up
from shared.config import config_error
from shared.contract import NetworkContract
from shared.environments import EnvironmentProfile


@dataclass(frozen=True)
class Placement:
    alb_subnet_ids: list[str]
    availability_zones: list[str]
    private_subnet_ids: list[str]
    """Where fleet instances run (one per AZ, aligned with ``availability_zones``)."""
    models: dict[str, dict[str, PlacedTargets]]
    """Model name -> version name -> its targets, placed by its backend."""
    weights: dict[str, dict[str, int]]
    """Model name -> version name -> its weight (a model without versions: ``{"initial": 1}``)."""
    zone_ids: dict[str, str]
    """Route 53 public hosted zones the config names (certificate, dns): name -> zone id."""

    def serving(self, model: str) -> list[PlacedTargets]:
        """The versions of ``model`` that get traffic."""
        weights = self.weights[model]
        return [p for version, p in self.models[model].items() if weights[version] > 0]

    def min_targets_per_zone(self, placed: list[PlacedTargets]) -> int:
        """The fewest targets any of ``placed`` has in any of the ALB's AZs (0: an AZ without)."""
        return min(
            p.targets_per_zone.get(zone, 0) for p in placed for zone in self.availability_zones
        )

    @property
    def min_targets_per_alb_zone(self) -> int:
        """The same over every version that gets traffic, of every model."""
        return self.min_targets_per_zone([p for m in self.models for p in self.serving(m)])


def look_up_zones(cfg: ServingConfig) -> dict[str, str]:
    wanted: list[tuple[str, str]] = []
    if cfg.certificate.zone is not None:
        wanted.append(("certificate.zone", cfg.certificate.zone))
    if cfg.dns is not None:
        wanted.append(("dns.zone", cfg.dns.zone))
    zone_ids: dict[str, str] = {}
    for key, zone in wanted:
        if zone not in zone_ids:
            zone_ids[zone] = look_up(
                "Route 53 public zone",
                f"serving:{key}",
                zone,
                lambda zone=zone: aws.route53.get_zone(name=zone, private_zone=False).zone_id,
            )
    return zone_ids


def check_arns(cfg: ServingConfig, region: str, account_id: str) -> None:
    """ARNs that only work in the ALB's own region (and, for a certificate, its own account)."""
    arn = cfg.certificate.arn
    if arn is not None:
        if arn_region(arn) != region:
            raise config_error(
                "serving:certificate.arn",
                arn,
                f"the certificate is in {arn_region(arn)}; an ALB in {region} needs one from ACM in {region}",
            )
        if arn_account(arn) != account_id:
            raise config_error(
                "serving:certificate.arn",
                arn,
                f"the certificate belongs to account {arn_account(arn)}; the ALB is in {account_id}",
            )
    kms = cfg.logs.kms_key_arn
    if kms is not None and arn_region(kms) != region:
        raise config_error(
            "serving:logs.kmsKeyArn",
            kms,
            f"the key is in {arn_region(kms)}; CloudWatch Logs in {region} needs one in {region}",
        )
    if cfg.waf_acl_arn is not None and arn_region(cfg.waf_acl_arn) != region:
        raise config_error(
            "serving:wafAclArn",
            cfg.waf_acl_arn,
            f"the web ACL is in {arn_region(cfg.waf_acl_arn)}; the ALB is in {region}",
        )


def place(cfg: ServingConfig, contract: NetworkContract, profile: EnvironmentProfile) -> Placement:
    tier = "private" if cfg.scheme == "internal" else "public"
    alb_subnets = contract.subnets(tier)
    if not alb_subnets:
        raise config_error(
            "serving:scheme",
            cfg.scheme,
            f"the network stack has no {tier} subnets for an {cfg.scheme} ALB",
        )
    ctx = PlacementContext(
        profile=profile,
        availability_zones=list(contract.availability_zones),
        private_subnet_ids=list(contract.private_subnet_ids),
    )
    models = {
        model.name: {
            version.name: backends.backend(version.targets.kind).place(
                model,
                version.targets.spec,
                _key(index, model, version_index, version.targets.kind),
                replace(ctx, serving=version.weight > 0),
            )
            for version_index, version in enumerate(model.served)
        }
        for index, model in enumerate(cfg.models)
    }
    return Placement(
        alb_subnet_ids=list(alb_subnets),
        availability_zones=ctx.availability_zones,
        private_subnet_ids=ctx.private_subnet_ids,
        models=models,
        weights={m.name: {v.name: v.weight for v in m.served} for m in cfg.models},
        zone_ids=look_up_zones(cfg),
    )


def _key(index: int, model: ModelConfig, version_index: int, kind: str) -> str:
    """Where a backend's value is in the config: the model's key, or its version's."""
    if model.weighted:
        return f"serving:models[{index}].versions[{version_index}].{kind}"
    return f"serving:models[{index}].{kind}"
