"""``MultiAzVpc``: a VPC with a public and a private subnet in each of N >= 2 AZs.

Secure and highly available by default:
- public subnets do not assign public IPs; only the ALB and NAT gateways live there;
- private subnets reach the internet only through NAT: one per AZ by default, so losing an AZ
  does not cut the others off (``single`` saves cost, ``none`` isolates the private tier);
- the VPC's default security group is emptied (Security Hub EC2.2) and flow logs go to CloudWatch
  Logs (EC2.6);
- with ``protect`` (prod), what everything else stands on, the VPC, its subnets, route tables,
  internet gateway, NAT gateways and their Elastic IPs, cannot be deleted or replaced by a deploy
  (``pulumi state unprotect`` first). Their children do not inherit it: each is set explicitly.
"""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from shared.naming import physical_name

NatMode = Literal["none", "single", "per-az"]


@dataclass(frozen=True)
class MultiAzVpcArgs:
    name: str
    """Physical name prefix, e.g. ``serving-prod``."""
    cidr: str
    availability_zones: list[str]
    region: str
    account_id: str
    """Where the flow logs go: the role's policy and trust name both, so previews know them."""
    subnet_prefix_length: int = 20
    nat_gateways: NatMode = "per-az"
    flow_log_retention_days: int = 90
    """0: no flow logs."""
    flow_log_kms_key_arn: str | None = None
    protect: bool = False
    """Protect the VPC, subnets, route tables and gateways (and EIPs): prod's."""


def subnet_cidrs(cidr: str, prefix: int, zones: int) -> tuple[list[str], list[str]]:
    """Public subnets first, then private, each ``/prefix``, carved from the start of ``cidr``."""
    blocks = ipaddress.IPv4Network(cidr).subnets(new_prefix=prefix)
    carved = [str(next(blocks)) for _ in range(2 * zones)]
    return carved[:zones], carved[zones:]


class MultiAzVpc(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    public_subnets: list[aws.ec2.Subnet]
    private_subnets: list[aws.ec2.Subnet]
    nat_gateways: list[aws.ec2.NatGateway]

    def __init__(
        self, resource_name: str, args: MultiAzVpcArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:network:MultiAzVpc", resource_name, None, opts)
        self._name, self._args = resource_name, args
        # protect is inherited from a parent unless set: the core resources get the stack's
        # choice, their other children an explicit False (they are cheap to recreate).
        self._core = pulumi.ResourceOptions(protect=args.protect)
        self.vpc = aws.ec2.Vpc(
            f"{resource_name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": args.name},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        aws.ec2.DefaultSecurityGroup(
            f"{resource_name}-default-sg",
            vpc_id=self.vpc.id,
            tags={"Name": f"{args.name}-default-deny"},
            opts=pulumi.ResourceOptions(parent=self.vpc, protect=False),
        )
        igw = aws.ec2.InternetGateway(
            f"{resource_name}-igw", vpc_id=self.vpc.id, tags={"Name": args.name}, opts=self._in_vpc
        )
        self._public_tier(igw)
        self._private_tier()
        if args.flow_log_retention_days > 0:
            self._flow_logs()
        self.register_outputs(
            {
                "vpc_id": self.vpc.id,
                "public_subnet_ids": [s.id for s in self.public_subnets],
                "private_subnet_ids": [s.id for s in self.private_subnets],
            }
        )

    @property
    def _in_vpc(self) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.vpc, protect=self._args.protect)

    def _subnet(self, tier: str, index: int, cidr: str) -> aws.ec2.Subnet:
        az = self._args.availability_zones[index]
        return aws.ec2.Subnet(
            f"{self._name}-{tier}-{az[-1]}",
            vpc_id=self.vpc.id,
            cidr_block=cidr,
            availability_zone=az,
            map_public_ip_on_launch=False,
            tags={"Name": f"{self._args.name}-{tier}-{az[-1]}", "tier": tier},
            opts=self._in_vpc,
        )

    def _associate(self, name: str, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable) -> None:
        aws.ec2.RouteTableAssociation(
            name,
            subnet_id=subnet.id,
            route_table_id=table.id,
            opts=pulumi.ResourceOptions(parent=subnet, protect=False),
        )

    def _public_tier(self, igw: aws.ec2.InternetGateway) -> None:
        """One public subnet per AZ behind the internet gateway, and the NAT gateways in them."""
        name, args = self._name, self._args
        cidrs, _ = subnet_cidrs(args.cidr, args.subnet_prefix_length, len(args.availability_zones))
        table = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=self.vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags={"Name": f"{args.name}-public"},
            opts=self._in_vpc,
        )
        self.public_subnets, self.nat_gateways = [], []
        for index, az in enumerate(args.availability_zones):
            public = self._subnet("public", index, cidrs[index])
            self._associate(f"{name}-public-{az[-1]}", public, table)
            self.public_subnets.append(public)
            if args.nat_gateways == "per-az" or (args.nat_gateways == "single" and index == 0):
                self.nat_gateways.append(self._nat_gateway(public, az[-1], igw))

    def _nat_gateway(
        self, public: aws.ec2.Subnet, suffix: str, igw: aws.ec2.InternetGateway
    ) -> aws.ec2.NatGateway:
        name, protect = f"{self._name}-nat-{suffix}", self._args.protect
        eip = aws.ec2.Eip(
            name,
            domain="vpc",
            tags={"Name": f"{self._args.name}-nat-{suffix}"},
            opts=pulumi.ResourceOptions(parent=public, protect=protect),
        )
        return aws.ec2.NatGateway(
            name,
            allocation_id=eip.id,
            subnet_id=public.id,
            tags={"Name": f"{self._args.name}-nat-{suffix}"},
            opts=pulumi.ResourceOptions(parent=public, depends_on=[igw], protect=protect),
        )

    def _private_tier(self) -> None:
        """One private subnet per AZ, routed through its AZ's NAT gateway (or the single one)."""
        name, args = self._name, self._args
        _, cidrs = subnet_cidrs(args.cidr, args.subnet_prefix_length, len(args.availability_zones))
        self.private_subnets = []
        for index, az in enumerate(args.availability_zones):
            private = self._subnet("private", index, cidrs[index])
            self.private_subnets.append(private)
            routes = []
            if self.nat_gateways:
                nat = self.nat_gateways[index if args.nat_gateways == "per-az" else 0]
                routes = [
                    aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)
                ]
            table = aws.ec2.RouteTable(
                f"{name}-private-{az[-1]}",
                vpc_id=self.vpc.id,
                routes=routes,
                tags={"Name": f"{args.name}-private-{az[-1]}"},
                opts=self._in_vpc,
            )
            self._associate(f"{name}-private-{az[-1]}", private, table)

    def _flow_logs(self) -> None:
        name, args = f"{self._name}-flow-logs", self._args
        opts = pulumi.ResourceOptions(parent=self.vpc, protect=False)
        log_group_name = f"/vpc/{args.name}/flow-logs"
        log_group = aws.cloudwatch.LogGroup(
            name,
            name=log_group_name,
            retention_in_days=args.flow_log_retention_days,
            kms_key_id=args.flow_log_kms_key_arn,
            opts=opts,
        )
        role = aws.iam.Role(
            name,
            name=physical_name(args.name, "", "flow-logs", kind="iam_role"),
            assume_role_policy=flow_log_trust_policy(args.region, args.account_id),
            opts=opts,
        )
        permissions = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=flow_log_role_policy(args.region, args.account_id, log_group_name),
            opts=pulumi.ResourceOptions(parent=role, protect=False),
        )
        # The flow log delivers as soon as it exists: its role must be able to write by then.
        aws.ec2.FlowLog(
            name,
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=pulumi.ResourceOptions.merge(
                opts, pulumi.ResourceOptions(depends_on=[permissions])
            ),
        )


def flow_log_trust_policy(region: str, account_id: str) -> str:
    """The flow-log service may assume the role for this account's flow logs only (confused deputy)."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    "Condition": {
                        "StringEquals": {"aws:SourceAccount": account_id},
                        "ArnLike": {
                            "aws:SourceArn": f"arn:aws:ec2:{region}:{account_id}:vpc-flow-log/*"
                        },
                    },
                }
            ],
        }
    )


def flow_log_role_policy(region: str, account_id: str, log_group: str) -> str:
    """What AWS documents for flow logs to CloudWatch Logs, scoped to the one log group (known in a
    preview: the ARN is built from its name)."""
    group_arn = f"arn:aws:logs:{region}:{account_id}:log-group:{log_group}"
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogGroup",
                        "logs:CreateLogStream",
                        "logs:PutLogEvents",
                        "logs:DescribeLogStreams",
                    ],
                    "Resource": [group_arn, f"{group_arn}:*"],
                },
                {
                    "Effect": "Allow",
                    "Action": "logs:DescribeLogGroups",
                    "Resource": f"arn:aws:logs:{region}:{account_id}:log-group:*",
                },
            ],
        }
    )
