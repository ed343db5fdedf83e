"""Where things go, checked against the account before anything is built.

The ALB's subnets and AZs come from the network contract (public subnets for an internet-facing
ALB, private ones for an internal ALB); every model's targets are checked against those AZs
(existing instances are looked up, synchronously, to learn their AZ and network interface); ARNs
from the config must be in the stack's region (and, for ACM, its account); the Route 53 zones and
the fleets' AMI parameters are looked up here too, so that none of it fails halfway through the
build. Every problem is one ``ConfigError`` naming the key and the value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pulumi
import pulumi_aws as aws

from serving_stack.config import ServingConfig, arn_account, arn_region
from shared.config import ConfigError, config_error
from shared.contract import NetworkContract, check_availability_zones
from shared.errors import first_line


@dataclass(frozen=True)
class ExistingInstance:
    id: str
    availability_zone: str
    network_interface_id: str
    """The primary network interface: the targets' security group is attached to it."""


@dataclass(frozen=True)
class Placement:
    alb_subnet_ids: list[str]
    availability_zones: list[str]
    private_subnet_ids: list[str]
    """Where fleet instances run (one per AZ, aligned with ``availability_zones``)."""
    targets_per_zone: dict[str, dict[str, int]]
    """Model name -> AZ -> targets there at the least (a fleet at ``minSize``, balanced by AZ)."""
    instances: dict[str, ExistingInstance]
    """Every existing instance of an ``instances`` model, by id."""
    zone_ids: dict[str, str]
    """Route 53 public hosted zones the config names (certificate, dns): name -> zone id."""
    image_ids: dict[str, str]
    """Fleet model name -> the AMI id its SSM parameter holds now."""

    def target_zones(self, model: str) -> list[str]:
        return sorted(z for z, n in self.targets_per_zone[model].items() if n > 0)

    @property
    def min_targets_per_alb_zone(self) -> int:
        """The fewest targets any model has in any of the ALB's AZs (0: an AZ without targets)."""
        return min(
            per_zone.get(zone, 0)
            for per_zone in self.targets_per_zone.values()
            for zone in self.availability_zones
        )


def _fail(key: str, value: object, message: str) -> ConfigError:
    return config_error(f"serving:{key}", value, message)


def look_up_instance(instance_id: str, key: str) -> ExistingInstance:
    found = _look_up(
        "instance", key, instance_id, lambda: aws.ec2.get_instance(instance_id=instance_id)
    )
    _warn_about_instance(found, key)
    return ExistingInstance(
        id=instance_id,
        availability_zone=found.availability_zone,
        network_interface_id=found.network_interface_id,
    )


T = TypeVar("T")


def _look_up(what: str, key: str, value: str, invoke: Callable[[], T]) -> T:
    """Run a look-up now; its failure is a one-line error naming the key and the value."""
    try:
        return invoke()
    except Exception as exc:  # the provider's look-up error
        raise _fail(key, value, f"{what} look-up failed: {first_line(exc)}") from None


def look_up_zones(cfg: ServingConfig) -> dict[str, str]:
    wanted: list[tuple[str, str]] = []
    if cfg.certificate.zone is not None:
        wanted.append(("certificate.zone", cfg.certificate.zone))
    if cfg.dns is not None:
        wanted.append(("dns.zone", cfg.dns.zone))
    zone_ids: dict[str, str] = {}
    for key, zone in wanted:
        if zone not in zone_ids:
            zone_ids[zone] = _look_up(
                "Route 53 public zone",
                key,
                zone,
                lambda zone=zone: aws.route53.get_zone(name=zone, private_zone=False).zone_id,
            )
    return zone_ids


def _warn_about_instance(found: aws.ec2.GetInstanceResult, key: str) -> None:
    """Existing instances are not this stack's to change; say what falls short of the fleet's bar."""
    options = list(found.metadata_options or [])
    if options and options[0].http_tokens != "required":
        pulumi.log.warn(
            f"serving:{key}: {found.id} accepts IMDSv1 (http_tokens={options[0].http_tokens!r}); "
            "require IMDSv2 on it (aws ec2 modify-instance-metadata-options --http-tokens required)"
        )
    volumes = list(found.root_block_devices or []) + list(found.ebs_block_devices or [])
    plain = [v.device_name for v in volumes if not v.encrypted]
    if plain:
        pulumi.log.warn(f"serving:{key}: {found.id} has unencrypted volumes: {', '.join(plain)}")


def check_arns(cfg: ServingConfig, region: str, account_id: str) -> None:
    """ARNs that only work in the ALB's own region (and, for a certificate, its own account)."""
    arn = cfg.certificate.arn
    if arn is not None:
        if arn_region(arn) != region:
            raise _fail(
                "certificate.arn",
                arn,
                f"the certificate is in {arn_region(arn)}; an ALB in {region} needs one from ACM in {region}",
            )
        if arn_account(arn) != account_id:
            raise _fail(
                "certificate.arn",
                arn,
                f"the certificate belongs to account {arn_account(arn)}; the ALB is in {account_id}",
            )
    if cfg.waf_acl_arn is not None and arn_region(cfg.waf_acl_arn) != region:
        raise _fail(
            "wafAclArn",
            cfg.waf_acl_arn,
            f"the web ACL is in {arn_region(cfg.waf_acl_arn)}; the ALB is in {region}",
        )


def place(cfg: ServingConfig, contract: NetworkContract, env: str) -> Placement:
    zones = list(contract.availability_zones)
    tier = "private" if cfg.scheme == "internal" else "public"
    alb_subnets = contract.subnets(tier)
    if not alb_subnets:
        raise _fail(
            "scheme", cfg.scheme, f"the network stack has no {tier} subnets for an {cfg.scheme} ALB"
        )
    targets_per_zone: dict[str, dict[str, int]] = {}
    instances: dict[str, ExistingInstance] = {}
    image_ids: dict[str, str] = {}
    for index, model in enumerate(cfg.models):
        if model.fleet is not None:
            if not contract.private_subnet_ids:
                raise _fail(
                    f"models[{index}].fleet",
                    model.name,
                    "a fleet needs private subnets; the network stack has none",
                )
            if env == "prod" and model.fleet.min_size < len(zones):
                raise _fail(
                    f"models[{index}].fleet.minSize",
                    model.fleet.min_size,
                    f"prod needs at least one instance per AZ ({len(zones)})",
                )
            targets_per_zone[model.name] = dict.fromkeys(zones, model.fleet.min_size // len(zones))
            parameter = model.fleet.image_parameter
            image_ids[model.name] = _look_up(
                "AMI parameter",
                f"models[{index}].fleet.amiParameter",
                parameter,
                lambda parameter=parameter: aws.ssm.get_parameter(name=parameter).value,
            )
            continue
        key = f"models[{index}].instances"
        found = [instances.get(i) or look_up_instance(i, key) for i in model.instances or []]
        instances.update({i.id: i for i in found})
        outside = sorted({i.availability_zone for i in found} - set(zones))
        if outside:
            raise _fail(
                key,
                model.instances,
                f"instances in {', '.join(outside)}, where the ALB has no subnet ({', '.join(zones)})",
            )
        try:
            check_availability_zones(sorted({i.availability_zone for i in found}), "the instances")
        except ValueError as exc:
            raise _fail(key, model.instances, str(exc)) from None
        per_zone: dict[str, int] = {}
        for instance in found:
            per_zone[instance.availability_zone] = per_zone.get(instance.availability_zone, 0) + 1
        targets_per_zone[model.name] = per_zone
    return Placement(
        alb_subnet_ids=list(alb_subnets),
        availability_zones=zones,
        private_subnet_ids=list(contract.private_subnet_ids),
        targets_per_zone=targets_per_zone,
        instances=instances,
        zone_ids=look_up_zones(cfg),
        image_ids=image_ids,
    )
