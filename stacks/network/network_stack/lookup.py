"""Look up an existing VPC (default, by id or by tags) and pick one subnet per AZ and tier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from network_stack.config import NetworkConfig
from shared.config import ConfigError, config_error
from shared.contract import check_availability_zones
from shared.errors import first_line


@dataclass(frozen=True)
class NetworkLayout:
    """Plain values of an existing network, aligned per AZ like the contract."""

    vpc_id: str
    vpc_cidr: str
    availability_zones: list[str]
    public_subnet_ids: list[str]
    private_subnet_ids: list[str]


def _blame(cfg: NetworkConfig) -> tuple[str, object]:
    if cfg.use_default_vpc:
        return "network:useDefaultVpc", True
    if cfg.vpc_id:
        return "network:vpcId", cfg.vpc_id
    return "network:vpcTags", cfg.vpc_tags


def _error(cfg: NetworkConfig, message: str) -> ConfigError:
    key, value = _blame(cfg)
    return config_error(key, value, message)


def find_vpc(cfg: NetworkConfig) -> aws.ec2.GetVpcResult:
    try:
        if cfg.use_default_vpc:
            return aws.ec2.get_vpc(default=True)
        if cfg.vpc_id:
            return aws.ec2.get_vpc(id=cfg.vpc_id)
        return aws.ec2.get_vpc(tags=cfg.vpc_tags)
    except Exception as exc:  # the provider's invoke error: no VPC or several
        raise _error(cfg, f"VPC look-up failed: {first_line(exc)}") from None


def _subnets(
    vpc_id: str, *, default_for_az: bool, tags: Mapping[str, str] | None
) -> list[aws.ec2.GetSubnetResult]:
    filters = [aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc_id])]
    if default_for_az:
        filters.append(aws.ec2.GetSubnetsFilterArgs(name="default-for-az", values=["true"]))
    found = aws.ec2.get_subnets(filters=filters, tags=dict(tags) if tags else None)
    return [aws.ec2.get_subnet(id=subnet_id) for subnet_id in sorted(found.ids)]


def one_per_az(subnets: list[aws.ec2.GetSubnetResult]) -> dict[str, str]:
    """AZ -> subnet id, keeping the lowest subnet id where an AZ has several (an ALB takes one)."""
    chosen: dict[str, str] = {}
    for subnet in sorted(subnets, key=lambda s: s.id):
        chosen.setdefault(subnet.availability_zone, subnet.id)
    return dict(sorted(chosen.items()))


def look_up_network(cfg: NetworkConfig) -> NetworkLayout:
    """Resolve the configured VPC and its subnets now, failing with one line if it is not HA."""
    vpc = find_vpc(cfg)
    if cfg.use_default_vpc:
        public = one_per_az(_subnets(vpc.id, default_for_az=True, tags=None))
        private: dict[str, str] = {}
    else:
        public = one_per_az(_subnets(vpc.id, default_for_az=False, tags=cfg.public_subnet_tags))
        private = one_per_az(_subnets(vpc.id, default_for_az=False, tags=cfg.private_subnet_tags))
    zones = list(public)
    try:
        check_availability_zones(zones, f"the public subnets of {vpc.id}")
    except ValueError as exc:
        raise _error(cfg, str(exc)) from None
    if private:
        missing = [az for az in zones if az not in private]
        if missing:
            raise _error(
                cfg, f"no private subnet in {', '.join(missing)} (one per AZ with a public subnet)"
            )
    pulumi.log.info(f"network: using {vpc.id} ({vpc.cidr_block}) in {', '.join(zones)}")
    return NetworkLayout(
        vpc_id=vpc.id,
        vpc_cidr=vpc.cidr_block,
        availability_zones=zones,
        public_subnet_ids=[public[az] for az in zones],
        private_subnet_ids=[private[az] for az in zones] if private else [],
    )
