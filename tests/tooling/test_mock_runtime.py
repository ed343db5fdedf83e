"""The mock-runtime kit: fresh runtime per render, realistic ids, what a registration records."""

from __future__ import annotations

import re

from tooling.mock_runtime import FakeAwsAccount, fake_id, load_stack_config, render


def test_each_render_gets_a_fresh_runtime() -> None:
    prod = render("network", "prod")
    dev = render("network", "dev")
    prod_again = render("network", "prod")
    assert dev.created == []
    assert len(prod.created) == len(prod_again.created) > 20
    assert prod.outputs == prod_again.outputs
    assert all(r.urn.startswith("urn:pulumi:prod::network::") for r in prod_again.resources)


def test_ids_and_urns_look_like_aws_and_pulumi() -> None:
    rendered = render("network", "prod")
    vpc = rendered.one("aws:ec2/vpc:Vpc")
    assert re.fullmatch(r"vpc-[0-9a-f]{17}", vpc.id)
    subnet = rendered.of_type("aws:ec2/subnet:Subnet")[0]
    assert re.fullmatch(r"subnet-[0-9a-f]{17}", subnet.id)
    assert (
        vpc.urn == "urn:pulumi:prod::network::acme:network:MultiAzVpc$aws:ec2/vpc:Vpc::serving-vpc"
    )
    assert fake_id("vpc", "x") == fake_id("vpc", "x") != fake_id("vpc", "y")


def test_registrations_record_parent_and_property_dependencies() -> None:
    rendered = render("network", "prod")
    vpc = rendered.one("aws:ec2/vpc:Vpc")
    subnet = rendered.one("aws:ec2/subnet:Subnet", "serving-public-a")
    assert subnet.parent == vpc.urn
    assert subnet.property_dependencies["vpcId"] == [vpc.urn]
    assert subnet.depends_on(vpc)
    assert not vpc.depends_on(subnet)
    component = rendered.one("acme:network:MultiAzVpc")
    assert not component.custom
    assert vpc.parent == component.urn


def test_committed_config_is_loaded_with_namespaces() -> None:
    config = load_stack_config("network", "staging")
    assert config["network:mode"] == "lookup"
    assert config["network:vpcTags"] == '{"Name": "acme-shared-services", "network": "serving"}'
    assert config["aws:region"] == "eu-west-1"


def test_account_answers_lookups_with_aligned_subnets() -> None:
    account = FakeAwsAccount()
    outputs = account.network_outputs()
    assert outputs["vpc_cidr"] == "10.20.0.0/16"
    for subnet_id, az in zip(
        outputs["public_subnet_ids"], outputs["availability_zones"], strict=True
    ):  # type: ignore[arg-type]
        subnet = account.subnet(subnet_id)
        assert subnet is not None
        assert subnet.availability_zone == az
    assert account.elb_account_id == "156460612806"
