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

from shared.iam import assume_role_policy
from shared.naming import physical_name

NatMode = Literal["none", "single", "per-az"]


@dataclass(frozen=True)
class MultiAzVpcArgs:
    name: str
    """Physical name prefix, e.g. ``serving-prod``."""
    cidr: str
    availability_zones: list[str]
    subnet_prefix_length: int = 20
    nat_gateways: NatMode = "per-az"
    flow_log_retention_days: int = 90
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
        zones = args.availability_zones
        # protect is inherited from a parent unless set: the core resources get the stack's
        # choice, their other children an explicit False (they are cheap to recreate).
        core, other = args.protect, False
        public_cidrs, private_cidrs = subnet_cidrs(args.cidr, args.subnet_prefix_length, len(zones))

        self.vpc = aws.ec2.Vpc(
            f"{resource_name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags={"Name": args.name},
            opts=pulumi.ResourceOptions(parent=self, protect=core),
        )
        vpc_child = pulumi.ResourceOptions(parent=self.vpc, protect=core)
        aws.ec2.DefaultSecurityGroup(
            f"{resource_name}-default-sg",
            vpc_id=self.vpc.id,
            tags={"Name": f"{args.name}-default-deny"},
            opts=pulumi.ResourceOptions(parent=self.vpc, protect=other),
        )
        igw = aws.ec2.InternetGateway(
            f"{resource_name}-igw", vpc_id=self.vpc.id, tags={"Name": args.name}, opts=vpc_child
        )

        public_rt = aws.ec2.RouteTable(
            f"{resource_name}-public",
            vpc_id=self.vpc.id,
            routes=[aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", gateway_id=igw.id)],
            tags={"Name": f"{args.name}-public"},
            opts=vpc_child,
        )

        self.public_subnets, self.private_subnets, self.nat_gateways = [], [], []
        for index, az in enumerate(zones):
            suffix = az[-1]
            public = aws.ec2.Subnet(
                f"{resource_name}-public-{suffix}",
                vpc_id=self.vpc.id,
                cidr_block=public_cidrs[index],
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags={"Name": f"{args.name}-public-{suffix}", "tier": "public"},
                opts=vpc_child,
            )
            aws.ec2.RouteTableAssociation(
                f"{resource_name}-public-{suffix}",
                subnet_id=public.id,
                route_table_id=public_rt.id,
                opts=pulumi.ResourceOptions(parent=public, protect=other),
            )
            private = aws.ec2.Subnet(
                f"{resource_name}-private-{suffix}",
                vpc_id=self.vpc.id,
                cidr_block=private_cidrs[index],
                availability_zone=az,
                map_public_ip_on_launch=False,
                tags={"Name": f"{args.name}-private-{suffix}", "tier": "private"},
                opts=vpc_child,
            )
            self.public_subnets.append(public)
            self.private_subnets.append(private)
            if args.nat_gateways == "per-az" or (args.nat_gateways == "single" and index == 0):
                eip = aws.ec2.Eip(
                    f"{resource_name}-nat-{suffix}",
                    domain="vpc",
                    tags={"Name": f"{args.name}-nat-{suffix}"},
                    opts=pulumi.ResourceOptions(parent=public, protect=core),
                )
                self.nat_gateways.append(
                    aws.ec2.NatGateway(
                        f"{resource_name}-nat-{suffix}",
                        allocation_id=eip.id,
                        subnet_id=public.id,
                        tags={"Name": f"{args.name}-nat-{suffix}"},
                        opts=pulumi.ResourceOptions(parent=public, depends_on=[igw], protect=core),
                    )
                )

        for index, (az, private) in enumerate(zip(zones, self.private_subnets, strict=True)):
            suffix = az[-1]
            routes = []
            if self.nat_gateways:
                nat = (
                    self.nat_gateways[index]
                    if args.nat_gateways == "per-az"
                    else self.nat_gateways[0]
                )
                routes = [
                    aws.ec2.RouteTableRouteArgs(cidr_block="0.0.0.0/0", nat_gateway_id=nat.id)
                ]
            private_rt = aws.ec2.RouteTable(
                f"{resource_name}-private-{suffix}",
                vpc_id=self.vpc.id,
                routes=routes,
                tags={"Name": f"{args.name}-private-{suffix}"},
                opts=vpc_child,
            )
            aws.ec2.RouteTableAssociation(
                f"{resource_name}-private-{suffix}",
                subnet_id=private.id,
                route_table_id=private_rt.id,
                opts=pulumi.ResourceOptions(parent=private, protect=other),
            )

        if args.flow_log_retention_days > 0:
            self._flow_logs(resource_name, args)

        self.register_outputs(
            {
                "vpc_id": self.vpc.id,
                "public_subnet_ids": [s.id for s in self.public_subnets],
                "private_subnet_ids": [s.id for s in self.private_subnets],
            }
        )

    def _flow_logs(self, resource_name: str, args: MultiAzVpcArgs) -> None:
        opts = pulumi.ResourceOptions(parent=self.vpc, protect=False)
        log_group = aws.cloudwatch.LogGroup(
            f"{resource_name}-flow-logs",
            name=f"/vpc/{args.name}/flow-logs",
            retention_in_days=args.flow_log_retention_days,
            opts=opts,
        )
        role = aws.iam.Role(
            f"{resource_name}-flow-logs",
            name=physical_name(args.name, "", "flow-logs", kind="iam_role"),
            assume_role_policy=assume_role_policy("vpc-flow-logs.amazonaws.com"),
            opts=opts,
        )
        aws.iam.RolePolicy(
            f"{resource_name}-flow-logs",
            role=role.id,
            policy=log_group.arn.apply(
                lambda arn: json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": [
                                    "logs:CreateLogStream",
                                    "logs:PutLogEvents",
                                    "logs:DescribeLogStreams",
                                ],
                                "Resource": f"{arn}:*",
                            }
                        ],
                    }
                )
            ),
            opts=pulumi.ResourceOptions(parent=role, protect=False),
        )
        aws.ec2.FlowLog(
            f"{resource_name}-flow-logs",
            vpc_id=self.vpc.id,
            traffic_type="ALL",
            log_destination=log_group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=opts,
        )
