"""The network stack under the mock runtime: modes, envs, the contract, errors, tags."""

from __future__ import annotations

import ipaddress
import json

import pulumi
import pytest

from shared.contract import NetworkContract
from shared.tagging import ASG_TYPE, REQUIRED_TAG_KEYS, TAGGABLE_TYPES
from tests.renders import shared_render
from tooling.mock_runtime import FakeAwsAccount, Rendered, RenderError, render
from tooling.mock_runtime.account import FakeSubnet, FakeVpc, fake_id
from tooling.mock_runtime.render import KNOWN_AFTER_DEPLOY, config_text

BASE = {"network:costCenter": "ml-platform-test", "aws:region": "eu-west-1"}
SUBNETS = "aws:ec2/subnet:Subnet"
NAT = "aws:ec2/natGateway:NatGateway"


def _config(config: dict[str, object]) -> dict[str, str]:
    values = {**BASE, **{f"network:{k}": v for k, v in config.items()}}
    return {k: config_text(v) for k, v in values.items()}


def _render(
    env: str = "dev", *, account: FakeAwsAccount | None = None, **config: object
) -> Rendered:
    return render("network", env, config=_config(config), account=account)


def _error(
    env: str = "dev", *, account: FakeAwsAccount | None = None, **config: object
) -> RenderError:
    with pytest.raises(RenderError) as caught:
        _render(env, account=account, **config)
    return caught.value


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_committed_configs_render_and_export_a_valid_contract(env: str) -> None:
    rendered = shared_render("network", env)
    contract = NetworkContract.model_validate(rendered.outputs)
    assert len(contract.availability_zones) >= 3
    assert set(rendered.outputs) == set(NetworkContract.model_fields)


def test_dev_looks_up_the_default_vpc_and_creates_nothing(account: FakeAwsAccount) -> None:
    rendered = render("network", "dev", account=account)
    assert rendered.created == []
    assert rendered.invokes_of("aws:ec2/getVpc:getVpc") == [{"default": True}]
    (subnet_query,) = rendered.invokes_of("aws:ec2/getSubnets:getSubnets")
    assert subnet_query["filters"] == [
        {"name": "vpc-id", "values": [account.default_vpc.id]},
        {"name": "default-for-az", "values": ["true"]},
    ]
    default = account.default_vpc
    assert rendered.outputs["vpc_id"] == default.id
    assert rendered.outputs["vpc_cidr"] == "172.31.0.0/16"
    assert rendered.outputs["private_subnet_ids"] == []
    # aligned: subnet i is in AZ i
    for subnet_id, az in zip(
        rendered.outputs["public_subnet_ids"], rendered.outputs["availability_zones"], strict=True
    ):
        found = account.subnet(subnet_id)
        assert found is not None
        assert found.availability_zone == az


def test_staging_looks_up_a_vpc_by_tags_and_subnets_by_tier(account: FakeAwsAccount) -> None:
    rendered = render("network", "staging", account=account)
    assert rendered.invokes_of("aws:ec2/getVpc:getVpc") == [
        {"tags": {"Name": "acme-shared-services", "network": "serving"}}
    ]
    queries = rendered.invokes_of("aws:ec2/getSubnets:getSubnets")
    assert [q["tags"] for q in queries] == [{"tier": "public"}, {"tier": "private"}]
    contract = NetworkContract.model_validate(rendered.outputs)
    for ids, tier in (
        (contract.public_subnet_ids, "public"),
        (contract.private_subnet_ids, "private"),
    ):
        for subnet_id, az in zip(ids, contract.availability_zones, strict=True):
            subnet = account.subnet(subnet_id)
            assert subnet is not None
            assert (subnet.tier, subnet.availability_zone) == (tier, az)


def test_lookup_by_vpc_id(account: FakeAwsAccount) -> None:
    vpc = account.vpcs[1]
    rendered = _render(mode="lookup", vpcId=vpc.id, account=account)
    assert rendered.invokes_of("aws:ec2/getVpc:getVpc") == [{"id": vpc.id}]
    assert rendered.outputs["vpc_id"] == vpc.id
    assert len(rendered.outputs["private_subnet_ids"]) == 3


def test_prod_creates_a_three_az_vpc_with_one_nat_per_az() -> None:
    rendered = shared_render("network", "prod")
    (vpc,) = rendered.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == "10.40.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True
    subnets = sorted(rendered.of_type(SUBNETS), key=lambda s: s.inputs["availabilityZone"])
    public = [s for s in subnets if s.inputs["tags"]["tier"] == "public"]
    private = [s for s in subnets if s.inputs["tags"]["tier"] == "private"]
    assert [s.inputs["availabilityZone"] for s in public] == [
        "eu-west-1a",
        "eu-west-1b",
        "eu-west-1c",
    ]
    assert [s.inputs["availabilityZone"] for s in private] == [
        "eu-west-1a",
        "eu-west-1b",
        "eu-west-1c",
    ]
    assert all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)
    cidrs = [ipaddress.IPv4Network(s.inputs["cidrBlock"]) for s in subnets]
    assert all(
        c.prefixlen == 20 and c.subnet_of(ipaddress.IPv4Network("10.40.0.0/16")) for c in cidrs
    )
    assert len(set(cidrs)) == 6
    nats = rendered.of_type(NAT)
    assert len(nats) == 3
    assert {n.inputs["subnetId"] for n in nats} == {s.id for s in public}
    # each private route table routes to the NAT of its own AZ
    nat_by_subnet = {n.inputs["subnetId"]: n.id for n in nats}
    for az, public_subnet in zip("abc", public, strict=True):
        table = rendered.one("aws:ec2/routeTable:RouteTable", f"serving-private-{az}")
        assert table.inputs["routes"] == [
            {"cidrBlock": "0.0.0.0/0", "natGatewayId": nat_by_subnet[public_subnet.id]}
        ]
    contract = NetworkContract.model_validate(rendered.outputs)
    assert contract.public_subnet_ids == [s.id for s in public]
    assert contract.private_subnet_ids == [s.id for s in private]


@pytest.mark.parametrize(("mode", "expected_nats", "routes"), [("single", 1, 3), ("none", 0, 0)])
def test_nat_modes(mode: str, expected_nats: int, routes: int) -> None:
    rendered = _render("staging", mode="create", cidr="10.50.0.0/16", azCount=3, natGateways=mode)
    assert len(rendered.of_type(NAT)) == expected_nats
    private_tables = [
        t for t in rendered.of_type("aws:ec2/routeTable:RouteTable") if "private" in t.name
    ]
    assert sum(len(t.inputs.get("routes", [])) for t in private_tables) == routes


def test_create_mode_secures_the_default_security_group_and_logs_flows() -> None:
    rendered = shared_render("network", "prod")
    default_sg = rendered.one("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert "ingress" not in default_sg.inputs
    assert "egress" not in default_sg.inputs
    flow_log = rendered.one("aws:ec2/flowLog:FlowLog")
    assert flow_log.inputs["trafficType"] == "ALL"
    log_group = rendered.one("aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == 365


def test_flow_logs_can_deliver_from_the_start() -> None:
    """The role has what AWS documents (log group and stream creation, DescribeLogGroups), only
    for this account's flow logs (confused deputy), and exists, with its policy, first."""
    from tooling.mock_runtime.graph import DependencyGraph

    rendered = shared_render("network", "prod")
    role = rendered.one("aws:iam/role:Role")
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Condition"] == {
        "StringEquals": {"aws:SourceAccount": "210987654321"},
        "ArnLike": {"aws:SourceArn": "arn:aws:ec2:eu-west-1:210987654321:vpc-flow-log/*"},
    }
    policy = rendered.one("aws:iam/rolePolicy:RolePolicy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    group = "arn:aws:logs:eu-west-1:210987654321:log-group:/vpc/network-prod/flow-logs"
    assert statements[0]["Resource"] == [group, f"{group}:*"]
    assert set(statements[0]["Action"]) == {
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "logs:DescribeLogStreams",
    }
    assert statements[1] == {
        "Effect": "Allow",
        "Action": "logs:DescribeLogGroups",
        "Resource": "arn:aws:logs:eu-west-1:210987654321:log-group:*",
    }
    flow_log = rendered.one("aws:ec2/flowLog:FlowLog")
    assert DependencyGraph(rendered).waits_for(flow_log, policy)


def test_a_flow_log_key_encrypts_the_log_group() -> None:
    key = "arn:aws:kms:eu-west-1:210987654321:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
    rendered = _render("prod", mode="create", cidr="10.40.0.0/16", flowLogKmsKeyArn=key)
    assert rendered.one("aws:cloudwatch/logGroup:LogGroup").inputs["kmsKeyId"] == key


def test_explicit_availability_zones_are_used_in_order() -> None:
    rendered = _render(
        "staging",
        mode="create",
        cidr="10.60.0.0/20",
        availabilityZones=["eu-west-1c", "eu-west-1a"],
        subnetPrefixLength=24,
    )
    assert rendered.outputs["availability_zones"] == ["eu-west-1c", "eu-west-1a"]
    assert len(rendered.of_type(SUBNETS)) == 4


def test_every_taggable_resource_carries_the_required_tags() -> None:
    rendered = shared_render("network", "prod")
    taggable = [r for r in rendered.created if r.type in TAGGABLE_TYPES]
    assert len(taggable) >= 20
    for resource in taggable:
        tags = resource.inputs.get("tags", {})
        missing = [k for k in REQUIRED_TAG_KEYS if k not in tags]
        assert not missing, f"{resource.type} {resource.name} lacks {missing}"
        assert tags["env"] == "prod"
        assert tags["stack"] == "network"
        assert tags["team"] == "network"
        assert tags["cost-center"] == "ml-platform-prod"
    assert not [r for r in rendered.created if r.type == ASG_TYPE]


# ---- errors: one line, naming file, key and value; nothing registered ---------------------------------
def _one_az_account() -> FakeAwsAccount:
    zone = "eu-west-1a"
    vpc_id = fake_id("vpc", "one-az")
    subnets = tuple(
        FakeSubnet(
            id=fake_id("subnet", f"one-az-{i}"),
            vpc_id=vpc_id,
            availability_zone=zone,
            cidr_block=f"10.9.{16 * i}.0/20",
            tier="public",
            default_for_az=True,
            tags={"tier": "public"},
        )
        for i in range(2)
    )
    return FakeAwsAccount(
        vpcs=[
            FakeVpc(id=vpc_id, cidr_block="10.9.0.0/16", is_default=True, tags={}, subnets=subnets)
        ]
    )


def test_a_vpc_whose_subnets_are_in_one_az_is_an_error() -> None:
    error = _error("dev", account=_one_az_account(), mode="lookup", useDefaultVpc=True)
    assert error.message == (
        "Pulumi.dev.yaml: network:useDefaultVpc = True: the public subnets of "
        f"{fake_id('vpc', 'one-az')}: 1 distinct availability zone(s) ['eu-west-1a']; high availability "
        "needs at least 2"
    )
    assert error.rendered.created == []


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (
            {"mode": "create", "cidr": "10.40.0.0/33"},
            "Pulumi.prod.yaml: network:cidr = '10.40.0.0/33': not a valid IPv4 CIDR block",
        ),
        (
            {"mode": "create", "cidr": "10.40.1.0/16"},
            "Pulumi.prod.yaml: network:cidr = '10.40.1.0/16': not a valid IPv4 CIDR block",
        ),
        (
            {"mode": "create", "cidr": "8.8.0.0/16"},
            "Pulumi.prod.yaml: network:cidr = '8.8.0.0/16': the VPC CIDR must be inside an RFC 1918 private range",
        ),
        (
            {"mode": "peer"},
            "Pulumi.prod.yaml: network:mode = 'peer': Input should be 'lookup' or 'create'",
        ),
        (
            {"mode": "create"},
            "Pulumi.prod.yaml: network:cidr = None: create mode needs a VPC CIDR block",
        ),
        (
            {"mode": "create", "cidr": "10.40.0.0/16", "azCount": 1},
            "Pulumi.prod.yaml: network:azCount = '1': Input should be greater than or equal to 2",
        ),
        (
            {"mode": "lookup"},
            "Pulumi.prod.yaml: network:mode = 'lookup': lookup mode needs exactly one of useDefaultVpc, vpcId or vpcTags",
        ),
        (
            {"mode": "create", "cidr": "10.40.0.0/22", "subnetPrefixLength": 24},
            "Pulumi.prod.yaml: network:subnetPrefixLength = 24: 6 subnets of /24 do not fit in 10.40.0.0/22",
        ),
        (
            {"mode": "create", "cidr": "10.40.0.0/16", "natGateway": "single"},
            "Pulumi.prod.yaml: network:natGateway = 'single': Extra inputs are not permitted",
        ),
        (
            {"mode": "create", "cidr": "10.40.0.0/16", "flowLogRetentionDays": 45},
            "Pulumi.prod.yaml: network:flowLogRetentionDays = '45': CloudWatch Logs keeps logs for one of 1, 3, 5",
        ),
        (
            {"mode": "create", "cidr": "10.40.0.0/16", "flowLogKmsKeyArn": "alias/flow"},
            "Pulumi.prod.yaml: network:flowLogKmsKeyArn = 'alias/flow': String should match pattern",
        ),
        (
            {"mode": "lookup", "vpcId": "vpc-123"},
            "Pulumi.prod.yaml: network:vpcId = 'vpc-123': String should match pattern",
        ),
    ],
)
def test_bad_config_is_one_line_naming_file_key_and_value(
    config: dict[str, object], expected: str
) -> None:
    with pytest.raises(RenderError) as caught:
        render("network", "prod", config=_config(config))
    error = caught.value
    assert error.message.startswith(expected), error.message
    assert "\n" not in error.message
    assert error.rendered.created == []


def test_a_missing_required_key_is_named() -> None:
    with pytest.raises(RenderError) as caught:
        render("network", "prod", remove=("network:costCenter",))
    assert (
        caught.value.message == "Pulumi.prod.yaml: network:costCenter = <missing>: Field required"
    )
    assert caught.value.rendered.created == []


def test_an_unknown_vpc_id_is_one_line() -> None:
    error = _error("staging", mode="lookup", vpcId="vpc-0123456789abcdef0")
    assert error.message.startswith(
        "Pulumi.staging.yaml: network:vpcId = 'vpc-0123456789abcdef0': VPC look-up failed:"
    )
    assert error.rendered.created == []


def test_unavailable_zone_is_rejected_before_anything_is_created() -> None:
    error = _error(
        "prod", mode="create", cidr="10.40.0.0/16", availabilityZones=["eu-west-1a", "eu-west-1z"]
    )
    assert error.message.startswith(
        'Pulumi.prod.yaml: network:availabilityZones = ["eu-west-1a", "eu-west-1z"]: eu-west-1z not available'
    )
    assert error.rendered.created == []


def test_a_preview_leaves_computed_values_unknown_like_the_engine() -> None:
    rendered = render("network", "prod", preview=True)
    table = rendered.one("aws:ec2/routeTable:RouteTable", "serving-private-a")
    assert isinstance(table.inputs["vpcId"], pulumi.output.Unknown)
    assert isinstance(table.inputs["routes"][0]["natGatewayId"], pulumi.output.Unknown)
    assert table.inputs["tags"]["env"] == "prod"
    assert rendered.outputs["vpc_id"] == KNOWN_AFTER_DEPLOY
    assert rendered.outputs["vpc_cidr"] == "10.40.0.0/16"
