"""``ServingSecurityGroups``: the ALB's group and the targets' group, linked rule by rule.

- ALB ingress: 443 (and 80, which only redirects) from the configured CIDRs / prefix lists, or from
  0.0.0.0/0 only when the config says ``public: true`` (the ALB is IPv4-only).
- ALB egress: only to the targets' group, only on the models' ports.
- Targets ingress: only from the ALB's group, only on the models' ports.
- Targets egress: HTTPS out (image pulls, SSM, CloudWatch Logs) - fleets run in private subnets
  behind NAT.

In prod both groups are protected; the rules are not, so that a config change (a new allowed CIDR,
a model on a new port) never meets a protected resource.

The targets' group is the launch template's group for a fleet; existing instances get it attached
to their primary network interface (``attach_to_instances``), next to the groups they already have,
so that the ALB's egress (which only reaches this group) gets to them.

Standalone ``aws.vpc`` rules, each with a description; the groups carry no inline rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

LISTENER_PORTS = (443, 80)


@dataclass(frozen=True)
class ServingSecurityGroupsArgs:
    name: str
    vpc_id: str
    target_ports: list[int]
    public: bool = False
    allowed_cidrs: list[str] = field(default_factory=list)
    allowed_prefix_list_ids: list[str] = field(default_factory=list)
    protect: bool = False
    """Protect the two groups (prod); their rules follow the config and stay unprotected."""


class ServingSecurityGroups(pulumi.ComponentResource):
    alb: aws.ec2.SecurityGroup
    targets: aws.ec2.SecurityGroup

    def __init__(
        self, name: str, args: ServingSecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:serving:ServingSecurityGroups", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, protect=args.protect)
        self.alb = aws.ec2.SecurityGroup(
            f"{name}-alb",
            name_prefix=f"{args.name}-alb-",
            description=f"{args.name} load balancer: HTTPS (and the HTTP redirect) in, model ports out",
            vpc_id=args.vpc_id,
            tags={"Name": f"{args.name}-alb"},
            opts=child,
        )
        self.targets = aws.ec2.SecurityGroup(
            f"{name}-targets",
            name_prefix=f"{args.name}-targets-",
            description=f"{args.name} model servers: model ports from the load balancer only",
            vpc_id=args.vpc_id,
            tags={"Name": f"{args.name}-targets"},
            opts=child,
        )
        self._alb_ingress(name, args)
        self._alb_to_targets(name, args)
        self.register_outputs({"alb": self.alb.id, "targets": self.targets.id})

    def _alb_ingress(self, name: str, args: ServingSecurityGroupsArgs) -> None:
        for port in LISTENER_PORTS:
            purpose = "HTTPS" if port == 443 else "HTTP (redirects to HTTPS)"
            for source_name, source in self._sources(args):
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-alb-in-{port}-{source_name}",
                    security_group_id=self.alb.id,
                    ip_protocol="tcp",
                    from_port=port,
                    to_port=port,
                    cidr_ipv4=source.get("cidr_ipv4"),
                    prefix_list_id=source.get("prefix_list_id"),
                    description=f"{purpose} from {next(iter(source.values()))}",
                    opts=pulumi.ResourceOptions(parent=self.alb, protect=False),
                )

    def _alb_to_targets(self, name: str, args: ServingSecurityGroupsArgs) -> None:
        """ALB egress and targets' ingress on the model ports only, each naming the other group."""
        for port in sorted(set(args.target_ports)):
            aws.vpc.SecurityGroupEgressRule(
                f"{name}-alb-out-{port}",
                security_group_id=self.alb.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                referenced_security_group_id=self.targets.id,
                description=f"to the model servers on {port}",
                opts=pulumi.ResourceOptions(parent=self.alb, protect=False),
            )
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-targets-in-{port}",
                security_group_id=self.targets.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                referenced_security_group_id=self.alb.id,
                description=f"model traffic and health checks on {port} from the load balancer",
                opts=pulumi.ResourceOptions(parent=self.targets, protect=False),
            )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-targets-out-https",
            security_group_id=self.targets.id,
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            cidr_ipv4="0.0.0.0/0",
            description="HTTPS out for image pulls, SSM and AWS APIs (through NAT)",
            opts=pulumi.ResourceOptions(parent=self.targets, protect=False),
        )

    @staticmethod
    def _sources(args: ServingSecurityGroupsArgs) -> list[tuple[str, dict[str, str]]]:
        """(label for the logical name, source) pairs. The ALB is IPv4-only: no ``::/0`` rule."""
        if args.public:
            return [("world-v4", {"cidr_ipv4": "0.0.0.0/0"})]
        sources: list[tuple[str, dict[str, str]]] = [
            (cidr.replace("/", "-").replace(".", "-"), {"cidr_ipv4": cidr})
            for cidr in args.allowed_cidrs
        ]
        sources += [(pl, {"prefix_list_id": pl}) for pl in args.allowed_prefix_list_ids]
        return sources
