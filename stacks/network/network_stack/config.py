"""The network stack's configuration (namespace ``network``), validated before anything is built.

| key                   | mode   | default            | meaning                                                     |
|-----------------------|--------|--------------------|-------------------------------------------------------------|
| `costCenter`          | both   | required           | `cost-center` tag on every resource                         |
| `team`                | both   | `network`          | `team` tag                                                  |
| `mode`                | both   | required           | `lookup` an existing VPC or `create` one                    |
| `useDefaultVpc`       | lookup | `false`            | look up the region's default VPC                            |
| `vpcId`               | lookup |                    | look up this VPC                                            |
| `vpcTags`             | lookup |                    | look up the one VPC carrying these tags                     |
| `publicSubnetTags`    | lookup | `{tier: public}`   | tags of the public subnets (default VPC: its default subnets) |
| `privateSubnetTags`   | lookup | `{tier: private}`  | tags of the private subnets (none in the default VPC)       |
| `cidr`                | create | required           | VPC CIDR, an RFC 1918 block from /16 to /22                 |
| `azCount`             | create | `3`                | number of AZs (2 to 6)                                       |
| `availabilityZones`   | create | first `azCount`    | explicit AZ names instead of the first available ones       |
| `subnetPrefixLength`  | create | `20`               | size of each public and private subnet                      |
| `natGateways`         | create | `per-az`           | `none`, `single` or `per-az` (one NAT per AZ survives an AZ loss) |
| `flowLogRetentionDays`| create | `90`               | VPC flow logs to CloudWatch Logs (0 turns them off; else a period CloudWatch accepts) |
| `flowLogKmsKeyArn`    | create | none               | a KMS key (same region) for the flow-log group; its policy must let CloudWatch Logs use it |
"""

from __future__ import annotations

import ipaddress
from typing import Literal

from pydantic import Field, field_validator, model_validator

from shared.aws_values import check_log_retention
from shared.config import ConfigValueError, StackConfigModel, load_config

NAMESPACE = "network"
PRIVATE_RANGES = tuple(
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)


class NetworkConfig(StackConfigModel):
    cost_center: str = Field(min_length=1)
    team: str = "network"
    mode: Literal["lookup", "create"]
    # lookup
    use_default_vpc: bool = False
    vpc_id: str | None = Field(default=None, pattern=r"^vpc-[0-9a-f]{8,17}$")
    vpc_tags: dict[str, str] | None = None
    public_subnet_tags: dict[str, str] = Field(default_factory=lambda: {"tier": "public"})
    private_subnet_tags: dict[str, str] = Field(default_factory=lambda: {"tier": "private"})
    # create
    cidr: str | None = None
    az_count: int = Field(default=3, ge=2, le=6)
    availability_zones: list[str] | None = None
    subnet_prefix_length: int = Field(default=20, ge=16, le=28)
    nat_gateways: Literal["none", "single", "per-az"] = "per-az"
    flow_log_retention_days: int = 90
    flow_log_kms_key_arn: str | None = Field(
        default=None,
        pattern=r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key/[0-9a-f-]{36}|alias/[A-Za-z0-9/_-]+)$",
    )

    @field_validator("flow_log_retention_days")
    @classmethod
    def _retention(cls, value: int) -> int:
        return value if value == 0 else check_log_retention(value)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            network = ipaddress.IPv4Network(value, strict=True)
        except ValueError as exc:
            raise ValueError(f"not a valid IPv4 CIDR block ({exc})") from None
        if not 16 <= network.prefixlen <= 22:
            raise ValueError("the VPC CIDR must be between /16 and /22")
        if not any(network.subnet_of(r) for r in PRIVATE_RANGES):
            raise ValueError("the VPC CIDR must be inside an RFC 1918 private range")
        return value

    @model_validator(mode="after")
    def _mode_settings(self) -> NetworkConfig:
        if self.mode == "lookup":
            chosen = [
                k
                for k, v in (
                    ("useDefaultVpc", self.use_default_vpc),
                    ("vpcId", self.vpc_id),
                    ("vpcTags", self.vpc_tags),
                )
                if v
            ]
            if len(chosen) != 1:
                raise ConfigValueError(
                    "mode",
                    self.mode,
                    "lookup mode needs exactly one of useDefaultVpc, vpcId or vpcTags"
                    + (f" (got {', '.join(chosen)})" if chosen else ""),
                )
            return self
        if self.cidr is None:
            raise ConfigValueError("cidr", None, "create mode needs a VPC CIDR block")
        if self.availability_zones is not None and len(set(self.availability_zones)) < 2:
            raise ConfigValueError(
                "availabilityZones", self.availability_zones, "needs at least 2 distinct AZs"
            )
        network = ipaddress.IPv4Network(self.cidr)
        if self.subnet_prefix_length <= network.prefixlen:
            raise ConfigValueError(
                "subnetPrefixLength",
                self.subnet_prefix_length,
                f"must be longer than the VPC's /{network.prefixlen}",
            )
        needed = 2 * self.zone_count
        available = 2 ** (self.subnet_prefix_length - network.prefixlen)
        if needed > available:
            raise ConfigValueError(
                "subnetPrefixLength",
                self.subnet_prefix_length,
                f"{needed} subnets of /{self.subnet_prefix_length} do not fit in {self.cidr}",
            )
        return self

    @property
    def zone_count(self) -> int:
        return len(self.availability_zones) if self.availability_zones else self.az_count


def load_network_config() -> NetworkConfig:
    return load_config(NetworkConfig, NAMESPACE)
