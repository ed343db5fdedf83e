"""Managed fleets: a model served by an Auto Scaling group this stack creates (``fleet: {...}``).

Config: ``image`` (required), ``ami`` (required: an AMI id such as ``ami-0c1f3a8058fde8814``,
pinned, so a new image is a reviewed config change; or ``latest``: the ECS-optimised Amazon Linux
2023 AMI for the instance type, read from its SSM parameter at every deploy, so every ``pulumi up``
after AWS publishes a new image rolls the fleet), ``amiParameter`` [with ``latest``: ``gpu`` for
NVIDIA families (g4dn, g5, g6, p4, p5, ...), ``arm64`` for Graviton families (m7g, c8g, ...)],
``instanceType`` [``m7i.large``], ``minSize`` [3], ``maxSize`` [6], ``requestsPerTarget`` [100],
``healthCheckGraceSeconds`` [180], ``volumeSizeGb`` [40], ``containerCredentials`` [``false``:
the container cannot reach the instance role through the metadata service (hop limit 1); ``true``
raises the hop limit to 2 for a container that must call AWS with the instance's role].

Placement: the network must have private subnets; where the profile wants targets in every AZ
(prod), ``minSize`` covers every AZ; the AMI is looked up now (a pinned one must exist and match
the instance type's architecture; ``latest`` reads the parameter), so a wrong one stops the
program before anything is registered. The resources are ``ModelFleet`` (``fleet_group.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from serving_stack.backends.base import (
    ModelBackend,
    PlacedTargets,
    PlacementContext,
    ServedModel,
    TargetsArgs,
)
from serving_stack.backends.fleet_config import FleetConfig
from serving_stack.backends.fleet_group import FleetArgs, ModelFleet
from serving_stack.lookups import look_up
from shared.config import config_error


@dataclass(frozen=True)
class PlacedFleet(PlacedTargets):
    fleet: FleetConfig
    image_id: str
    """The AMI id the parameter holds now."""
    subnet_ids: list[str]

    @property
    def default_min_healthy(self) -> int:
        return self.fleet.min_size

    def build(self, args: TargetsArgs, opts: pulumi.ResourceOptions) -> ModelFleet:
        return ModelFleet(
            args.name,
            FleetArgs(
                name=args.physical_name,
                env=args.env,
                model=args.model,
                version=args.version,
                fleet=self.fleet,
                image_id=self.image_id,
                subnet_ids=self.subnet_ids,
                security_group_id=args.security_group_id,
                target_group=args.target_group,
                load_balancer=args.load_balancer,
                attached_by=args.attached_by,
                region=args.region,
                logs=args.logs,
            ),
            opts=opts,
        )


class FleetBackend(ModelBackend[FleetConfig, PlacedFleet]):
    key = "fleet"
    spec_type = FleetConfig

    def capacity(self, spec: FleetConfig) -> int:
        return spec.min_size

    def place(
        self, model: ServedModel, spec: FleetConfig, key: str, ctx: PlacementContext
    ) -> PlacedFleet:
        zones = ctx.availability_zones
        if not ctx.private_subnet_ids:
            raise config_error(
                key, model.name, "a fleet needs private subnets; the network stack has none"
            )
        if spec.min_size < ctx.min_targets_per_az * len(zones):
            raise config_error(
                f"{key}.minSize",
                spec.min_size,
                f"{ctx.profile.name} needs at least one instance per AZ ({len(zones)})",
            )
        return PlacedFleet(
            kind=self.key,
            targets_per_zone=dict.fromkeys(zones, spec.min_size // len(zones)),
            fleet=spec,
            image_id=_image_id(spec, key),
            subnet_ids=list(ctx.private_subnet_ids),
        )


def _image_id(spec: FleetConfig, key: str) -> str:
    """The AMI: the pinned one, checked to exist for the instance type, or the parameter's now."""
    if not spec.pinned:
        parameter = spec.image_parameter
        return look_up(
            "AMI parameter",
            f"{key}.amiParameter",
            parameter,
            lambda: aws.ssm.get_parameter(name=parameter).value,
        )
    found = look_up(
        "AMI",
        f"{key}.ami",
        spec.ami,
        lambda: aws.ec2.get_ami(
            filters=[aws.ec2.GetAmiFilterArgs(name="image-id", values=[spec.ami])]
        ),
    )
    if found.architecture != spec.architecture:
        raise config_error(
            f"{key}.ami",
            spec.ami,
            f"an {found.architecture} image; {spec.instance_type} needs {spec.architecture}",
        )
    return spec.ami
