"""In prod the network stack's VPC, subnets, route tables and gateways (with their EIPs) are
protected; elsewhere nothing is, and no other resource inherits it. Rendered under the mock runtime
from the test's own config (the committed prod file may change; this is the create mode)."""

from __future__ import annotations

from collections import Counter

import pytest

from tooling.mock_runtime import render

CREATE = {
    "aws:region": "eu-west-1",
    "network:costCenter": "ml-platform-test",
    "network:mode": "create",
    "network:cidr": "10.40.0.0/16",
    "network:azCount": "3",
    "network:natGateways": "per-az",
}
CORE = {
    "aws:ec2/vpc:Vpc": 1,
    "aws:ec2/subnet:Subnet": 6,
    "aws:ec2/routeTable:RouteTable": 4,
    "aws:ec2/internetGateway:InternetGateway": 1,
    "aws:ec2/natGateway:NatGateway": 3,
    "aws:ec2/eip:Eip": 3,
}


@pytest.mark.parametrize("env", ["prod", "staging"])
def test_only_prod_protects_the_vpc_subnets_route_tables_and_gateways(env: str) -> None:
    rendered = render("network", env, config=CREATE)
    protected = Counter(r.type for r in rendered.resources if r.protect)
    assert protected == (CORE if env == "prod" else Counter())
    others = {r.type for r in rendered.resources if r.type not in CORE and not r.read}
    assert {
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/flowLog:FlowLog",
    } <= others
