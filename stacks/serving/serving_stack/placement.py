"""Where things go: the ALB's subnets and AZs, and a check of every model's targets against them.

Runs before anything is built; every problem is one ``ConfigError`` naming the key and the value.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi_aws as aws

from serving_stack.config import ServingConfig
from shared.config import ConfigError, config_error
from shared.contract import NetworkContract, check_availability_zones


@dataclass(frozen=True)
class Placement:
    alb_subnet_ids: list[str]
    availability_zones: list[str]
    private_subnet_ids: list[str]
    """Where fleet instances run (one per AZ, aligned with ``availability_zones``)."""
    target_zones: dict[str, list[str]]
    """Model name -> the AZs its targets are in."""


def _fail(key: str, value: object, message: str) -> ConfigError:
    return config_error(f"serving:{key}", value, message)


def instance_zone(instance_id: str, key: str) -> str:
    try:
        return aws.ec2.get_instance(instance_id=instance_id).availability_zone
    except Exception as exc:  # the provider's look-up error
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise _fail(key, instance_id, f"instance look-up failed: {text}") from None


def place(cfg: ServingConfig, contract: NetworkContract, env: str) -> Placement:
    zones = list(contract.availability_zones)
    tier = "private" if cfg.scheme == "internal" else "public"
    alb_subnets = contract.subnets(tier)
    if not alb_subnets:
        raise _fail(
            "scheme", cfg.scheme, f"the network stack has no {tier} subnets for an {cfg.scheme} ALB"
        )
    target_zones: dict[str, list[str]] = {}
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
            target_zones[model.name] = zones
            continue
        key = f"models[{index}].instances"
        found = [instance_zone(i, key) for i in model.instances or []]
        outside = sorted({z for z in found if z not in zones})
        if outside:
            raise _fail(
                key,
                model.instances,
                f"instances in {', '.join(outside)}, where the ALB has no subnet ({', '.join(zones)})",
            )
        try:
            check_availability_zones(sorted(set(found)), "the instances")
        except ValueError as exc:
            raise _fail(key, model.instances, str(exc)) from None
        target_zones[model.name] = sorted(set(found))
    return Placement(
        alb_subnet_ids=list(alb_subnets),
        availability_zones=zones,
        private_subnet_ids=list(contract.private_subnet_ids),
        target_zones=target_zones,
    )
