from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.contract import OUTPUT_NAMES, NetworkContract, default_network_stack_name
from tooling.mock_runtime import FakeAwsAccount


def test_output_names_are_the_documented_contract() -> None:
    assert OUTPUT_NAMES == (
        "contract_version",
        "vpc_id",
        "vpc_cidr",
        "availability_zones",
        "public_subnet_ids",
        "private_subnet_ids",
    )
    assert default_network_stack_name("prod") == "organization/network/prod"


def test_fake_network_outputs_satisfy_the_contract(account: FakeAwsAccount) -> None:
    contract = NetworkContract.model_validate(account.network_outputs())
    assert contract.subnets("private") == contract.private_subnet_ids
    assert len(contract.availability_zones) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {
                "availability_zones": ["eu-west-1a"],
                "public_subnet_ids": ["subnet-0a1b2c3d4e5f60718"],
            },
            "1 distinct availability zone",
        ),
        ({"vpc_cidr": "10.0.0.1/16"}, "has host bits set"),
        (
            {"public_subnet_ids": ["subnet-0a1b2c3d4e5f60718"]},
            "public_subnet_ids has 1 subnets for 3",
        ),
        (
            {"private_subnet_ids": ["subnet-0a1b2c3d4e5f60718"]},
            "private_subnet_ids has 1 subnets for 3",
        ),
        ({"vpc_id": "sg-0a1b2c3d4e5f60718"}, "String should match pattern"),
        ({"contract_version": 2}, "contract_version 2 is not supported"),
    ],
)
def test_broken_contracts_are_rejected(
    account: FakeAwsAccount, change: dict[str, object], message: str
) -> None:
    values = {**account.network_outputs(), **change}
    with pytest.raises(ValidationError, match=message):
        NetworkContract.model_validate(values)


def test_a_duplicated_zone_is_named(account: FakeAwsAccount) -> None:
    values = {
        **account.network_outputs(),
        "availability_zones": ["eu-west-1a", "eu-west-1b", "eu-west-1a"],
    }
    with pytest.raises(ValidationError, match="lists an availability zone twice"):
        NetworkContract.model_validate(values)
