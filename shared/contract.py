"""The network -> serving contract: the network stack's outputs, defined once for both sides.

The network team may change how the VPC is made; the serving stack only relies on this shape.
Lists are aligned: ``public_subnet_ids[i]`` and ``private_subnet_ids[i]`` are in
``availability_zones[i]``, one subnet per AZ and tier (an ALB takes at most one subnet per AZ).
``private_subnet_ids`` is empty when the network has no private tier (e.g. the default VPC).

Changing the contract: add fields as optional first and bump :data:`CONTRACT_VERSION` only for a
breaking change, which the serving stack then refuses with a clear message until it is updated.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any

import pulumi
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from shared.sync_wait import wait_now

CONTRACT_VERSION = 1
MIN_AVAILABILITY_ZONES = 2

VPC_ID_PATTERN = r"^vpc-[0-9a-f]{8,17}$"
SUBNET_ID_PATTERN = r"^subnet-[0-9a-f]{8,17}$"


class NetworkContract(BaseModel):
    """What the network stack exports and the serving stack reads (stack output names = fields)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    contract_version: int = CONTRACT_VERSION
    vpc_id: str = Field(pattern=VPC_ID_PATTERN)
    vpc_cidr: str
    availability_zones: list[str]
    public_subnet_ids: list[str]
    private_subnet_ids: list[str] = Field(default_factory=list)

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        ipaddress.IPv4Network(value, strict=True)
        return value

    @field_validator("public_subnet_ids", "private_subnet_ids")
    @classmethod
    def _subnet_ids(cls, value: list[str]) -> list[str]:
        import re

        for subnet_id in value:
            if not re.match(SUBNET_ID_PATTERN, subnet_id):
                raise ValueError(f"{subnet_id!r} is not a subnet id")
        return value

    @model_validator(mode="after")
    def _aligned_and_highly_available(self) -> NetworkContract:
        if self.contract_version != CONTRACT_VERSION:
            raise ValueError(
                f"contract_version {self.contract_version} is not supported "
                f"(this code reads version {CONTRACT_VERSION})"
            )
        check_availability_zones(self.availability_zones, "availability_zones")
        if len(self.public_subnet_ids) != len(self.availability_zones):
            raise ValueError(
                f"public_subnet_ids has {len(self.public_subnet_ids)} subnets for "
                f"{len(self.availability_zones)} availability_zones (one per AZ expected)"
            )
        if self.private_subnet_ids and len(self.private_subnet_ids) != len(self.availability_zones):
            raise ValueError(
                f"private_subnet_ids has {len(self.private_subnet_ids)} subnets for "
                f"{len(self.availability_zones)} availability_zones (one per AZ, or none)"
            )
        return self

    def subnets(self, tier: str) -> list[str]:
        return self.public_subnet_ids if tier == "public" else self.private_subnet_ids


def check_availability_zones(zones: Sequence[str], what: str) -> None:
    """Raise ``ValueError`` unless ``zones`` holds at least two distinct AZs, each once."""
    distinct = sorted(set(zones))
    if len(distinct) < MIN_AVAILABILITY_ZONES:
        raise ValueError(
            f"{what}: {len(distinct)} distinct availability zone(s) {distinct}; high availability "
            f"needs at least {MIN_AVAILABILITY_ZONES}"
        )
    if len(distinct) != len(zones):
        raise ValueError(f"{what} lists an availability zone twice: {list(zones)}")


OUTPUT_NAMES: tuple[str, ...] = tuple(NetworkContract.model_fields)


def export_contract(
    *,
    vpc_id: pulumi.Input[str],
    vpc_cidr: pulumi.Input[str],
    availability_zones: pulumi.Input[Sequence[str]],
    public_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
    private_subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]],
) -> None:
    """Export the contract from the network stack (values may be outputs)."""
    pulumi.export("contract_version", CONTRACT_VERSION)
    pulumi.export("vpc_id", vpc_id)
    pulumi.export("vpc_cidr", vpc_cidr)
    pulumi.export("availability_zones", availability_zones)
    pulumi.export("public_subnet_ids", public_subnet_ids)
    pulumi.export("private_subnet_ids", private_subnet_ids)


def default_network_stack_name(env: str, organization: str = "organization") -> str:
    """``organization/network/<env>``: the file backend's org name is literally ``organization``."""
    return f"{organization}/network/{env}"


class NetworkContractError(pulumi.RunError):
    """The referenced network stack's outputs are missing or break the contract."""


def read_network_contract(stack_name: str) -> NetworkContract:
    """Read and validate the contract from the stack ``stack_name`` *now*, before anything is built.

    Stack outputs are already known (also during a preview: they come from the network stack's
    state), so the serving program waits for them here (:func:`shared.sync_wait.wait_now`), and a
    broken contract stops it with one line before anything is registered.
    """
    reference = pulumi.StackReference(stack_name)
    name = stack_name
    values: dict[str, Any] = {}
    for output in OUTPUT_NAMES:
        details = wait_now(reference.get_output_details(output))
        value = details.value if details.value is not None else details.secret_value
        if value is None:
            if output in ("contract_version", "private_subnet_ids"):
                continue
            raise NetworkContractError(
                f"stack {name} has no output {output!r}: deploy the network stack for this "
                f"environment first (make deploy ENV={pulumi.get_stack()} STACK=network)"
            )
        values[output] = value
    try:
        return NetworkContract.model_validate(values)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        blame = f"output {where}: " if where else ""
        raise NetworkContractError(f"stack {name}: {blame}{message}") from None
