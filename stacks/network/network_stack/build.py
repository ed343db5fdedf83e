"""Pick the mode: look up an existing VPC, or create a multi-AZ one; return the contract's values."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from network_stack.config import NetworkConfig
from network_stack.lookup import look_up_network
from network_stack.vpc import MultiAzVpc, MultiAzVpcArgs
from shared.config import config_error
from shared.environments import profile
from shared.naming import physical_name


@dataclass(frozen=True)
class NetworkValues:
    """The contract's values; outputs when the VPC is created, plain values when looked up."""

    vpc_id: pulumi.Input[str]
    vpc_cidr: pulumi.Input[str]
    availability_zones: list[str]
    public_subnet_ids: list[pulumi.Input[str]]
    private_subnet_ids: list[pulumi.Input[str]]


def choose_availability_zones(cfg: NetworkConfig) -> list[str]:
    """The configured AZs, or the first ``azCount`` available ones in the region."""
    available = aws.get_availability_zones(state="available").names
    if cfg.availability_zones:
        unknown = [az for az in cfg.availability_zones if az not in available]
        if unknown:
            raise config_error(
                "network:availabilityZones",
                cfg.availability_zones,
                f"{', '.join(unknown)} not available in this region (available: {', '.join(available)})",
            )
        return list(cfg.availability_zones)
    if len(available) < cfg.az_count:
        raise config_error(
            "network:azCount", cfg.az_count, f"the region has only {len(available)} available AZs"
        )
    return sorted(available)[: cfg.az_count]


def build_network(cfg: NetworkConfig) -> NetworkValues:
    if cfg.mode == "lookup":
        found = look_up_network(cfg)
        return NetworkValues(
            vpc_id=found.vpc_id,
            vpc_cidr=found.vpc_cidr,
            availability_zones=found.availability_zones,
            public_subnet_ids=list(found.public_subnet_ids),
            private_subnet_ids=list(found.private_subnet_ids),
        )
    assert cfg.cidr is not None  # guaranteed by NetworkConfig's validator
    zones = choose_availability_zones(cfg)
    env = pulumi.get_stack()
    vpc = MultiAzVpc(
        "serving",
        MultiAzVpcArgs(
            name=physical_name("network", env),
            cidr=cfg.cidr,
            availability_zones=zones,
            subnet_prefix_length=cfg.subnet_prefix_length,
            nat_gateways=cfg.nat_gateways,
            flow_log_retention_days=cfg.flow_log_retention_days,
            flow_log_kms_key_arn=cfg.flow_log_kms_key_arn,
            region=aws.get_region().region,
            account_id=aws.get_caller_identity().account_id,
            protect=profile(env).protect,
        ),
    )
    return NetworkValues(
        vpc_id=vpc.vpc.id,
        vpc_cidr=vpc.vpc.cidr_block,
        availability_zones=zones,
        public_subnet_ids=[s.id for s in vpc.public_subnets],
        private_subnet_ids=[s.id for s in vpc.private_subnets],
    )
