"""Existing instances: a model served by EC2 instances this stack does not own (``instances: [...]``).

The seed's case. Placement looks each instance up (its AZ and primary network interface) and
checks that they span at least two of the ALB's AZs; one that accepts IMDSv1 or has an
unencrypted volume is reported as a warning (it is not this stack's to change). The resources:
one target group attachment per instance, and, shared by every model that lists an instance, the
targets' security group attached to its primary network interface, next to its own groups, so
that the ALB (whose egress only reaches that group) gets to it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import pulumi
import pulumi_aws as aws
from pydantic import AfterValidator

from serving_stack.backends.base import (
    ModelBackend,
    PlacedTargets,
    PlacementContext,
    ServedModel,
    SharedArgs,
    TargetsArgs,
)
from serving_stack.lookups import look_up
from shared.config import config_error
from shared.contract import check_availability_zones

INSTANCE_ID = re.compile(r"^i-[0-9a-f]{8,17}$")


def _instance_ids(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("list at least one instance id")
    for instance_id in value:
        if not INSTANCE_ID.match(instance_id):
            raise ValueError(f"{instance_id!r} is not an EC2 instance id")
    if len(set(value)) != len(value):
        raise ValueError("an instance id is listed twice")
    return value


InstanceIds = Annotated[list[str], AfterValidator(_instance_ids)]


@dataclass(frozen=True)
class ExistingInstance:
    id: str
    availability_zone: str
    network_interface_id: str
    """The primary network interface: the targets' security group is attached to it."""


def _warn_about(found: aws.ec2.GetInstanceResult, key: str) -> None:
    """Existing instances are not this stack's to change; say what falls short of the fleet's bar."""
    options = list(found.metadata_options or [])
    if options and options[0].http_tokens != "required":
        pulumi.log.warn(
            f"{key}: {found.id} accepts IMDSv1 (http_tokens={options[0].http_tokens!r}); "
            "require IMDSv2 on it (aws ec2 modify-instance-metadata-options --http-tokens required)"
        )
    volumes = list(found.root_block_devices or []) + list(found.ebs_block_devices or [])
    plain = [v.device_name for v in volumes if not v.encrypted]
    if plain:
        pulumi.log.warn(f"{key}: {found.id} has unencrypted volumes: {', '.join(plain)}")


def look_up_instance(instance_id: str, key: str) -> ExistingInstance:
    found = look_up(
        "instance", key, instance_id, lambda: aws.ec2.get_instance(instance_id=instance_id)
    )
    _warn_about(found, key)
    return ExistingInstance(
        id=instance_id,
        availability_zone=found.availability_zone,
        network_interface_id=found.network_interface_id,
    )


class InstanceTargets(pulumi.ComponentResource):
    """The instances registered in the model's target group, on the model's port."""

    def __init__(
        self,
        name: str,
        instances: Sequence[ExistingInstance],
        args: TargetsArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("acme:serving:InstanceTargets", name, None, opts)
        self.attachments = [
            aws.lb.TargetGroupAttachment(
                f"{name}-{instance.id}",
                target_group_arn=args.target_group.arn,
                target_id=instance.id,
                port=args.model.port,
                # Attached straight to the target group before this component existed.
                opts=pulumi.ResourceOptions(
                    parent=self, aliases=[pulumi.Alias(parent=args.target_group)]
                ),
            )
            for instance in instances
        ]
        self.register_outputs({})


@dataclass(frozen=True)
class PlacedInstances(PlacedTargets):
    instances: list[ExistingInstance]

    @property
    def default_min_healthy(self) -> int:
        """One healthy target per AZ the instances are in."""
        return len(self.zones)

    def build(self, args: TargetsArgs, opts: pulumi.ResourceOptions) -> InstanceTargets:
        return InstanceTargets(args.name, self.instances, args, opts)


class InstancesBackend(ModelBackend[list[str], PlacedInstances]):
    key = "instances"
    spec_type = InstanceIds

    def capacity(self, spec: list[str]) -> int:
        return len(spec)

    def place(
        self, model: ServedModel, spec: list[str], key: str, ctx: PlacementContext
    ) -> PlacedInstances:
        found = [self._instance(instance_id, key, ctx) for instance_id in spec]
        zones = ctx.availability_zones
        outside = sorted({i.availability_zone for i in found} - set(zones))
        if outside:
            raise config_error(
                key,
                spec,
                f"instances in {', '.join(outside)}, where the ALB has no subnet ({', '.join(zones)})",
            )
        try:
            check_availability_zones(sorted({i.availability_zone for i in found}), "the instances")
        except ValueError as exc:
            raise config_error(key, spec, str(exc)) from None
        per_zone: dict[str, int] = {}
        for instance in found:
            per_zone[instance.availability_zone] = per_zone.get(instance.availability_zone, 0) + 1
        return PlacedInstances(kind=self.key, targets_per_zone=per_zone, instances=found)

    @staticmethod
    def _instance(instance_id: str, key: str, ctx: PlacementContext) -> ExistingInstance:
        memo_key = ("instance", instance_id)
        if memo_key not in ctx.memo:
            ctx.memo[memo_key] = look_up_instance(instance_id, key)
        return ctx.memo[memo_key]

    def build_shared(self, placed: Sequence[PlacedInstances], args: SharedArgs) -> None:
        """The targets' group on each instance's primary interface, once (removed on destroy)."""
        instances = {i.id: i for p in placed for i in p.instances}
        for instance in sorted(instances.values(), key=lambda i: i.id):
            aws.ec2.NetworkInterfaceSecurityGroupAttachment(
                f"{args.name}-targets-sg-{instance.id}",
                network_interface_id=instance.network_interface_id,
                security_group_id=args.security_group.id,
                opts=pulumi.ResourceOptions(parent=args.security_group),
            )
