"""What AWS says about the serving layer: read-only ELBv2 and EC2 calls, fetched once per round.

Nothing here judges; the checks compare this view with the stack's outputs. Missing things (the
ALB, a target group) are recorded as missing, never raised, so that each becomes one failed check.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from shared.serving_outputs import ServingOutputs
from tooling.verify.bucket_view import BucketView

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client

FILTER_VALUES_MAX = 200
"""EC2 accepts at most 200 values per filter."""


@dataclass(frozen=True)
class TargetState:
    """One registered target as ``DescribeTargetHealth`` reports it, with the AZ it is in."""

    id: str
    port: int | None
    zone: str
    """The target's AZ (``unknown`` if AWS does not say and it cannot be looked up)."""
    state: str
    """``initial``, ``healthy``, ``unhealthy``, ``unused``, ``draining``, ``unavailable``..."""
    reason: str = ""

    @property
    def healthy(self) -> bool:
        return self.state == "healthy"

    def describe(self) -> str:
        return f"{self.id} {self.state}" + (f" ({self.reason})" if self.reason else "")


@dataclass
class AwsView:
    load_balancer: dict[str, Any] | None
    """``DescribeLoadBalancers`` entry of the stack's ALB; None if AWS does not know it."""
    attributes: dict[str, str] = field(default_factory=dict)
    listeners: list[dict[str, Any]] = field(default_factory=list)
    rules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Listener ARN -> its rules (the default rule included, as AWS lists it)."""
    ssl_protocols: dict[str, list[str] | None] = field(default_factory=dict)
    """TLS policy name -> the protocols AWS says it allows (None: AWS does not know the policy)."""
    target_groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Target group ARN -> description, for the models' groups that exist."""
    target_group_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    """Target group ARN -> ``DescribeTargetGroupAttributes`` as key -> value."""
    target_health: dict[str, list[TargetState]] = field(default_factory=dict)
    """Target group ARN -> its registered targets."""
    bucket: BucketView | None = None
    """The access-log bucket, read once the waiting is over (None: not read)."""

    @property
    def zones(self) -> list[str]:
        """The AZs the ALB is enabled in, sorted."""
        if self.load_balancer is None:
            return []
        return sorted(z["ZoneName"] for z in self.load_balancer.get("AvailabilityZones", []))

    @property
    def state(self) -> str:
        if self.load_balancer is None:
            return "missing"
        return str(self.load_balancer.get("State", {}).get("Code", "unknown"))


def plain(item: Mapping[str, Any]) -> dict[str, Any]:
    """An API answer (a TypedDict in the stubs) as the plain dict the checks read with ``.get``."""
    return cast("dict[str, Any]", item)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _paginate(client: Any, operation: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every item of a paginated ``Describe*`` call (the stubs type each paginator separately)."""
    items: list[dict[str, Any]] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        items.extend(plain(item) for item in page.get(key, []))
    return items


def _chunks(values: list[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def load_balancer(elbv2: ElasticLoadBalancingv2Client, arn: str) -> dict[str, Any] | None:
    try:
        found = elbv2.describe_load_balancers(LoadBalancerArns=[arn])["LoadBalancers"]
    except ClientError as error:
        if _error_code(error) == "LoadBalancerNotFound":
            return None
        raise
    return plain(found[0]) if found else None


def ssl_protocols(elbv2: ElasticLoadBalancingv2Client, policy: str) -> list[str] | None:
    try:
        found = elbv2.describe_ssl_policies(Names=[policy])["SslPolicies"]
    except ClientError as error:
        if _error_code(error) == "SSLPolicyNotFound":
            return None
        raise
    return list(found[0].get("SslProtocols", [])) if found else None


def target_groups(
    elbv2: ElasticLoadBalancingv2Client, alb_arn: str, wanted: list[str]
) -> dict[str, dict[str, Any]]:
    """The wanted groups: those attached to the ALB in one listing, the others one by one."""
    attached = {
        g["TargetGroupArn"]: g
        for g in _paginate(elbv2, "describe_target_groups", "TargetGroups", LoadBalancerArn=alb_arn)
    }
    found = {arn: attached[arn] for arn in wanted if arn in attached}
    for arn in wanted:
        if arn in found:
            continue
        try:
            groups = elbv2.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"]
        except ClientError as error:
            if _error_code(error) in ("TargetGroupNotFound", "ValidationError"):
                continue
            raise
        if groups:
            found[arn] = plain(groups[0])
    return found


def target_group_attributes(
    elbv2: ElasticLoadBalancingv2Client, groups: Iterable[str]
) -> dict[str, dict[str, str]]:
    return {
        arn: {
            a.get("Key", ""): a.get("Value", "")
            for a in elbv2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
        }
        for arn in groups
    }


def instance_zones(ec2: EC2Client, instance_ids: list[str]) -> dict[str, str]:
    """Instance id -> AZ. A filter, not ``InstanceIds``, so a vanished instance is not an error."""
    zones: dict[str, str] = {}
    for chunk in _chunks(sorted(set(instance_ids)), FILTER_VALUES_MAX):
        for reservation in _paginate(
            ec2,
            "describe_instances",
            "Reservations",
            Filters=[{"Name": "instance-id", "Values": chunk}],
        ):
            for instance in reservation.get("Instances", []):
                zones[instance["InstanceId"]] = instance["Placement"]["AvailabilityZone"]
    return zones


def ip_zones(ec2: EC2Client, vpc_id: str, ips: list[str]) -> dict[str, str]:
    """IP target -> AZ of the VPC subnet that contains it."""
    subnets = _paginate(
        ec2, "describe_subnets", "Subnets", Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
    )
    networks = [(ipaddress.ip_network(s["CidrBlock"]), s["AvailabilityZone"]) for s in subnets]
    zones: dict[str, str] = {}
    for ip in ips:
        address = ipaddress.ip_address(ip)
        zone = next((z for network, z in networks if address in network), None)
        if zone is not None:
            zones[ip] = zone
    return zones


def target_health(
    elbv2: ElasticLoadBalancingv2Client, ec2: EC2Client, groups: dict[str, dict[str, Any]]
) -> dict[str, list[TargetState]]:
    raw = {
        arn: [
            plain(d)
            for d in elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        ]
        for arn in groups
    }
    ids = [d["Target"]["Id"] for descriptions in raw.values() for d in descriptions]
    zones = instance_zones(ec2, [i for i in ids if i.startswith("i-")])
    for arn, group in groups.items():
        if group.get("TargetType") == "ip" and group.get("VpcId"):
            ips = [d["Target"]["Id"] for d in raw[arn]]
            zones.update(ip_zones(ec2, group["VpcId"], ips))
    health: dict[str, list[TargetState]] = {}
    for arn, descriptions in raw.items():
        health[arn] = [
            TargetState(
                id=d["Target"]["Id"],
                port=d["Target"].get("Port"),
                zone=d["Target"].get("AvailabilityZone") or zones.get(d["Target"]["Id"], "unknown"),
                state=d.get("TargetHealth", {}).get("State", "unknown"),
                reason=d.get("TargetHealth", {}).get("Reason", ""),
            )
            for d in descriptions
        ]
    return health


def model_group_arns(outputs: ServingOutputs) -> list[str]:
    """Every model's target group, and every version's (a model's is one of its versions')."""
    arns = [
        arn
        for m in outputs.models.values()
        for arn in (m.target_group_arn, *(v.target_group_arn for v in m.versions.values()))
    ]
    return list(dict.fromkeys(arns))


def fetch(elbv2: ElasticLoadBalancingv2Client, ec2: EC2Client, outputs: ServingOutputs) -> AwsView:
    """One round of read-only calls: the ALB, its attributes, listeners, rules, groups, health."""
    lb = load_balancer(elbv2, outputs.alb_arn)
    if lb is None:
        return AwsView(None)
    described = elbv2.describe_load_balancer_attributes(LoadBalancerArn=outputs.alb_arn)
    attributes = {a.get("Key", ""): a.get("Value", "") for a in described["Attributes"]}
    listeners = _paginate(elbv2, "describe_listeners", "Listeners", LoadBalancerArn=outputs.alb_arn)
    rules = {
        listener["ListenerArn"]: _paginate(
            elbv2, "describe_rules", "Rules", ListenerArn=listener["ListenerArn"]
        )
        for listener in listeners
    }
    policies = {listener["SslPolicy"] for listener in listeners if listener.get("SslPolicy")}
    groups = target_groups(elbv2, outputs.alb_arn, model_group_arns(outputs))
    return AwsView(
        load_balancer=lb,
        attributes=attributes,
        listeners=listeners,
        rules=rules,
        ssl_protocols={policy: ssl_protocols(elbv2, policy) for policy in sorted(policies)},
        target_groups=groups,
        target_group_attributes=target_group_attributes(elbv2, groups),
        target_health=target_health(elbv2, ec2, groups),
    )


def refresh_health(
    elbv2: ElasticLoadBalancingv2Client, ec2: EC2Client, outputs: ServingOutputs, view: AwsView
) -> AwsView:
    """Re-read what changes while a deploy settles: the ALB's state and the targets' health."""
    lb = load_balancer(elbv2, outputs.alb_arn)
    if lb is None or view.load_balancer is None:
        return fetch(elbv2, ec2, outputs)
    view.load_balancer = lb
    view.target_health = target_health(elbv2, ec2, view.target_groups)
    return view
