"""A fake AWS account: ids and ARNs shaped like AWS's, and the things look-ups find.

Everything is deterministic (ids derive from a hash of what they name), so a render is repeatable
and tests can compute the id a resource will get.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

# ELB account ids per region (for the access-log bucket policy of regions older than Aug 2022).
ELB_ACCOUNT_IDS = {
    "us-east-1": "127311923021",
    "us-east-2": "033677994240",
    "us-west-2": "797873946194",
    "eu-west-1": "156460612806",
    "eu-central-1": "054676820928",
}
# Canonical hosted zone ids of ALBs per region.
ALB_ZONE_IDS = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
}


GPU_AMI_ID = "ami-0a7d2c9e4b6f81350"
"""An ECS GPU-optimised AMI the fake account has (x86_64)."""
ARM_AMI_ID = "ami-05e3b1c7d9f2a4608"
"""An arm64 AMI the fake account has (for Graviton instance types)."""
DEFAULT_INSTANCE_IDS = ("i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802")


def _hex(seed: str, length: int) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:length]


def fake_id(prefix: str, seed: str, length: int = 17) -> str:
    """An AWS-style id such as ``vpc-0a1b2c3d4e5f67890`` derived from ``seed``."""
    return f"{prefix}-{_hex(prefix + seed, length)}"


@dataclass(frozen=True)
class FakeSubnet:
    id: str
    vpc_id: str
    availability_zone: str
    cidr_block: str
    tier: str  # "public" | "private"
    default_for_az: bool = False
    tags: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FakeVpc:
    id: str
    cidr_block: str
    is_default: bool
    tags: dict[str, str]
    subnets: tuple[FakeSubnet, ...]


def _vpc(name: str, cidr: str, *, default: bool, tags: dict[str, str], zones: list[str]) -> FakeVpc:
    vpc_id = fake_id("vpc", name)
    base = cidr.split(".")
    subnets: list[FakeSubnet] = []
    if default:
        for i, az in enumerate(zones):
            subnets.append(
                FakeSubnet(
                    id=fake_id("subnet", f"{name}-{az}"),
                    vpc_id=vpc_id,
                    availability_zone=az,
                    cidr_block=f"{base[0]}.{base[1]}.{16 * i}.0/20",
                    tier="public",
                    default_for_az=True,
                )
            )
    else:
        for tier_index, tier in enumerate(("public", "private")):
            for i, az in enumerate(zones):
                subnets.append(
                    FakeSubnet(
                        id=fake_id("subnet", f"{name}-{tier}-{az}"),
                        vpc_id=vpc_id,
                        availability_zone=az,
                        cidr_block=f"{base[0]}.{base[1]}.{64 * tier_index + 16 * i}.0/20",
                        tier=tier,
                        tags={"tier": tier, "Name": f"{name}-{tier}-{az[-1]}"},
                    )
                )
    return FakeVpc(
        id=vpc_id, cidr_block=cidr, is_default=default, tags=tags, subnets=tuple(subnets)
    )


@dataclass
class FakeAwsAccount:
    """The account the programs run against under mocks. Override fields to shape a test."""

    account_id: str = "210987654321"
    region: str = "eu-west-1"
    partition: str = "aws"
    availability_zones: list[str] = field(
        default_factory=lambda: ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    )
    vpcs: list[FakeVpc] = field(default_factory=list)
    instances: dict[str, str] = field(default_factory=dict)
    """Existing EC2 instances: id -> availability zone."""
    instance_overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per instance id: getInstance answer fields replacing the defaults (IMDSv2 required, an
    encrypted root volume), e.g. ``{"metadataOptions": [{"httpTokens": "optional"}]}``."""
    hosted_zones: dict[str, str] = field(default_factory=dict)
    """Route 53 public hosted zones: domain -> zone id."""
    ami_id: str = "ami-0c1f3a8058fde8814"
    images: dict[str, str] = field(default_factory=dict)
    """AMIs that exist: id -> architecture (default: ``ami_id`` and the ones below)."""

    def __post_init__(self) -> None:
        if not self.vpcs:
            self.vpcs = [
                _vpc(
                    "default", "172.31.0.0/16", default=True, tags={}, zones=self.availability_zones
                ),
                _vpc(
                    "shared-services",
                    "10.20.0.0/16",
                    default=False,
                    tags={"Name": "acme-shared-services", "network": "serving"},
                    zones=self.availability_zones,
                ),
            ]
        if not self.instances:
            # The seed's case: a few existing model servers, one per AZ (the dev config lists them).
            self.instances = dict(zip(DEFAULT_INSTANCE_IDS, self.availability_zones, strict=False))
        if not self.images:
            self.images = {self.ami_id: "x86_64", GPU_AMI_ID: "x86_64", ARM_AMI_ID: "arm64"}
        if not self.hosted_zones:
            self.hosted_zones = {
                "ml.acme-corp.com": "Z0" + _hex("ml.acme-corp.com", 19).upper(),
                "ml-staging.acme-corp.com": "Z0" + _hex("ml-staging.acme-corp.com", 19).upper(),
            }

    # ---- look-ups -------------------------------------------------------------------------
    @property
    def default_vpc(self) -> FakeVpc:
        return next(v for v in self.vpcs if v.is_default)

    def vpc(self, vpc_id: str) -> FakeVpc | None:
        return next((v for v in self.vpcs if v.id == vpc_id), None)

    def subnet(self, subnet_id: str) -> FakeSubnet | None:
        return next((s for v in self.vpcs for s in v.subnets if s.id == subnet_id), None)

    @property
    def elb_account_id(self) -> str:
        return ELB_ACCOUNT_IDS.get(self.region, "127311923021")

    @property
    def alb_zone_id(self) -> str:
        return ALB_ZONE_IDS.get(self.region, "Z35SXDOTRQ7X7K")

    # ---- ARNs -----------------------------------------------------------------------------
    def arn(
        self, service: str, resource: str, *, regional: bool = True, account: bool = True
    ) -> str:
        region = self.region if regional else ""
        acct = self.account_id if account else ""
        return f"arn:{self.partition}:{service}:{region}:{acct}:{resource}"

    def certificate_arn(self, seed: str) -> str:
        return self.arn("acm", f"certificate/{uuid.UUID(_hex(seed, 32))}")

    def web_acl_arn(self, name: str) -> str:
        return self.arn("wafv2", f"regional/webacl/{name}/{uuid.UUID(_hex(name, 32))}")

    def sns_topic_arn(self, name: str) -> str:
        return self.arn("sns", name)

    def network_outputs(self, vpc: FakeVpc | None = None) -> dict[str, Any]:
        """Outputs a network stack would export for ``vpc`` (default: the tagged shared VPC)."""
        vpc = vpc or next(v for v in self.vpcs if not v.is_default)
        public = [s for s in vpc.subnets if s.tier == "public"]
        private = [s for s in vpc.subnets if s.tier == "private"]
        zones = [s.availability_zone for s in public]
        return {
            "contract_version": 1,
            "vpc_id": vpc.id,
            "vpc_cidr": vpc.cidr_block,
            "availability_zones": zones,
            "public_subnet_ids": [s.id for s in public],
            "private_subnet_ids": [
                next(s.id for s in private if s.availability_zone == az) for az in zones
            ]
            if private
            else [],
        }
