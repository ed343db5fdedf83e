"""Pulumi ``Mocks`` answering like AWS would for the resource types and look-ups the stacks use."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import pulumi

from tooling.mock_runtime.account import FakeAwsAccount, _hex, fake_id

STACK_REFERENCE = "pulumi:pulumi:StackReference"


class AwsMocks(pulumi.runtime.Mocks):
    def __init__(
        self,
        account: FakeAwsAccount,
        stack_outputs: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        preview: bool = False,
    ) -> None:
        self.account = account
        self.preview = preview
        self.stack_outputs = {k: dict(v) for k, v in (stack_outputs or {}).items()}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    # ---- resources --------------------------------------------------------------------------
    def new_resource(
        self, args: pulumi.runtime.MockResourceArgs
    ) -> tuple[str | None, dict[str, Any]]:
        if args.typ == STACK_REFERENCE:
            name = args.resource_id or args.name
            outputs = self.stack_outputs.get(name, {})
            return name, {"name": name, "outputs": copy.deepcopy(outputs), "secretOutputNames": []}
        state = dict(args.inputs)
        if self.preview and args.custom and not args.resource_id:
            # A preview of a new resource: the provider knows only the inputs; the id and every
            # computed output stay unknown, and so does every input derived from them.
            return "", state
        computed = _COMPUTED.get(args.typ)
        resource_id = args.resource_id or fake_id(
            _ID_PREFIX.get(args.typ, "res"), f"{args.typ}/{args.name}"
        )
        if computed is not None:
            extra, resource_id = computed(self.account, args.name, state, resource_id)
            for key, value in extra.items():
                state.setdefault(key, value)
        if "tags" in state:
            state.setdefault("tagsAll", state["tags"])
        state.setdefault(
            "arn", self.account.arn(args.typ.split(":")[1].split("/")[0], f"{args.name}")
        )
        return resource_id, state

    # ---- invokes ----------------------------------------------------------------------------
    def call(
        self, args: pulumi.runtime.MockCallArgs
    ) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        self.calls.append((args.token, dict(args.args)))
        handler = _INVOKES.get(args.token)
        if handler is None:
            raise NotImplementedError(f"the fake AWS account has no answer for invoke {args.token}")
        return handler(self.account, dict(args.args)), []


# ---- computed outputs per resource type ---------------------------------------------------------
Computed = Callable[[FakeAwsAccount, str, dict[str, Any], str], tuple[dict[str, Any], str]]


def _lb(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    lb_name = state.get("name") or f"{name[:24]}-{_hex(name, 7)}"
    arn = acct.arn("elasticloadbalancing", f"loadbalancer/app/{lb_name}/{_hex(name, 16)}")
    internal = bool(state.get("internal"))
    prefix = "internal-" if internal else ""
    dns = f"{prefix}{lb_name}-{int(_hex(name, 8), 16) % 10**10}.{acct.region}.elb.amazonaws.com"
    return {
        "name": lb_name,
        "arn": arn,
        "arnSuffix": arn.split(":loadbalancer/")[1],
        "dnsName": dns,
        "zoneId": acct.alb_zone_id,
        "vpcId": acct.vpcs[0].id,
    }, arn


def _tg(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    tg_name = state.get("name") or f"{(state.get('namePrefix') or name)[:24]}-{_hex(name, 7)}"
    arn = acct.arn("elasticloadbalancing", f"targetgroup/{tg_name}/{_hex(name, 16)}")
    return {"name": tg_name, "arn": arn, "arnSuffix": arn.split(":")[-1]}, arn


def _listener(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    lb_arn = str(state.get("loadBalancerArn", ""))
    suffix = (
        lb_arn.rsplit(":loadbalancer/", maxsplit=1)[-1]
        if ":loadbalancer/" in lb_arn
        else f"app/lb/{_hex(name, 16)}"
    )
    arn = acct.arn("elasticloadbalancing", f"listener/{suffix}/{_hex(name, 16)}")
    return {"arn": arn}, arn


def _rule(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    listener_arn = str(state.get("listenerArn", ""))
    suffix = (
        listener_arn.rsplit(":listener/", maxsplit=1)[-1]
        if ":listener/" in listener_arn
        else f"app/lb/{_hex(name, 16)}/x"
    )
    arn = acct.arn("elasticloadbalancing", f"listener-rule/{suffix}/{_hex(name, 16)}")
    return {"arn": arn}, arn


def _bucket(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    prefix = str(state.get("bucketPrefix") or f"{name}-")[:37]
    bucket = state.get("bucket") or f"{prefix}{_hex(name, 26)}"
    return {
        "bucket": bucket,
        "arn": f"arn:{acct.partition}:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{acct.region}.amazonaws.com",
        "region": acct.region,
    }, bucket


def _with_arn(service: str, kind: str) -> Computed:
    def computed(
        acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
    ) -> tuple[dict[str, Any], str]:
        return {"arn": acct.arn(service, f"{kind}/{rid}")}, rid

    return computed


def _vpc(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    return {
        "arn": acct.arn("ec2", f"vpc/{rid}"),
        "defaultSecurityGroupId": fake_id("sg", f"default-{rid}"),
        "mainRouteTableId": fake_id("rtb", f"main-{rid}"),
        "ownerId": acct.account_id,
    }, rid


def _subnet(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    return {"arn": acct.arn("ec2", f"subnet/{rid}"), "ownerId": acct.account_id}, rid


def _eip(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    n = int(_hex(name, 4), 16)
    return {
        "publicIp": f"54.{n % 200 + 20}.{(n >> 8) % 250}.{n % 250 + 1}",
        "allocationId": rid,
    }, rid


def _asg(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    group = state.get("name") or f"{(state.get('namePrefix') or name)}-{_hex(name, 7)}"
    arn = acct.arn(
        "autoscaling", f"autoScalingGroup:{uuid_from(name)}:autoScalingGroupName/{group}"
    )
    return {"name": group, "arn": arn}, group


def _launch_template(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    return {
        "arn": acct.arn("ec2", f"launch-template/{rid}"),
        "latestVersion": 1,
        "defaultVersion": 1,
    }, rid


def _sns(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    topic = state.get("name") or f"{name}-{_hex(name, 7)}"
    arn = acct.sns_topic_arn(topic)
    return {"arn": arn, "name": topic}, arn


def _cert(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    arn = acct.certificate_arn(name)
    domain = str(state.get("domainName", "example.com"))
    names = [domain, *[str(n) for n in state.get("subjectAlternativeNames") or [] if n != domain]]
    return {
        "arn": arn,
        "domainValidationOptions": [
            {
                "domainName": name,
                "resourceRecordName": f"_{_hex(name, 32)}.{name}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{_hex(name + 'v', 32)}.mhbtsbpdnt.acm-validations.aws.",
            }
            for name in names
        ],
    }, arn


def _alarm(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    alarm = state.get("name") or f"{name}-{_hex(name, 7)}"  # the provider's auto-name
    return {"name": alarm, "arn": acct.arn("cloudwatch", f"alarm:{alarm}")}, alarm


def _role(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    role = state.get("name") or f"{name}-{_hex(name, 7)}"
    return {"arn": f"arn:{acct.partition}:iam::{acct.account_id}:role/{role}", "name": role}, role


def _instance_profile(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    profile = state.get("name") or f"{name}-{_hex(name, 7)}"
    return {
        "arn": f"arn:{acct.partition}:iam::{acct.account_id}:instance-profile/{profile}",
        "name": profile,
    }, profile


def _kms_key(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    key_id = uuid_from(f"kms/{name}")
    return {"arn": acct.arn("kms", f"key/{key_id}"), "keyId": key_id}, key_id


def _kms_alias(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    alias = str(state.get("name") or f"alias/{name}")
    return {"arn": acct.arn("kms", alias), "targetKeyArn": acct.arn("kms", "key/x")}, alias


def _iam_policy(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    policy = state.get("name") or f"{name}-{_hex(name, 7)}"
    arn = f"arn:{acct.partition}:iam::{acct.account_id}:policy/{policy}"
    return {"arn": arn, "name": policy, "policyId": "ANPA" + _hex(name, 17).upper()}, arn


def _oidc_provider(
    acct: FakeAwsAccount, name: str, state: dict[str, Any], rid: str
) -> tuple[dict[str, Any], str]:
    host = str(state.get("url", "")).removeprefix("https://")
    arn = f"arn:{acct.partition}:iam::{acct.account_id}:oidc-provider/{host}"
    return {"arn": arn}, arn


def uuid_from(seed: str) -> str:
    import uuid

    return str(uuid.UUID(_hex(seed, 32)))


_ID_PREFIX = {
    "aws:ec2/vpc:Vpc": "vpc",
    "aws:ec2/subnet:Subnet": "subnet",
    "aws:ec2/internetGateway:InternetGateway": "igw",
    "aws:ec2/natGateway:NatGateway": "nat",
    "aws:ec2/eip:Eip": "eipalloc",
    "aws:ec2/routeTable:RouteTable": "rtb",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "rtbassoc",
    "aws:ec2/route:Route": "r-rtb",
    "aws:ec2/securityGroup:SecurityGroup": "sg",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "sgrule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "sgr",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "sgr",
    "aws:ec2/launchTemplate:LaunchTemplate": "lt",
    "aws:ec2/instance:Instance": "i",
    "aws:ec2/flowLog:FlowLog": "fl",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "vpce",
    "aws:route53/record:Record": "rec",
}

_COMPUTED: dict[str, Computed] = {
    "aws:lb/loadBalancer:LoadBalancer": _lb,
    "aws:lb/targetGroup:TargetGroup": _tg,
    "aws:lb/listener:Listener": _listener,
    "aws:lb/listenerRule:ListenerRule": _rule,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/securityGroup:SecurityGroup": _with_arn("ec2", "security-group"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _with_arn(
        "ec2", "security-group-rule"
    ),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _with_arn(
        "ec2", "security-group-rule"
    ),
    "aws:ec2/internetGateway:InternetGateway": _with_arn("ec2", "internet-gateway"),
    "aws:ec2/routeTable:RouteTable": _with_arn("ec2", "route-table"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:autoscaling/group:Group": _asg,
    "aws:sns/topic:Topic": _sns,
    "aws:acm/certificate:Certificate": _cert,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:iam/role:Role": _role,
    "aws:iam/instanceProfile:InstanceProfile": _instance_profile,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
}


# ---- invokes ----------------------------------------------------------------------------------
def _match_filters(
    tags: Mapping[str, str], attrs: Mapping[str, Any], filters: list[dict[str, Any]]
) -> bool:
    for flt in filters or []:
        name, values = flt.get("name", ""), list(flt.get("values", []))
        actual = tags.get(name[4:]) if name.startswith("tag:") else attrs.get(name)
        if actual is None:
            return False
        if str(actual).lower() not in [str(v).lower() for v in values] and "*" not in values:
            return False
    return True


def _get_vpc(acct: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
    candidates = acct.vpcs
    if args.get("default"):
        candidates = [v for v in candidates if v.is_default]
    if args.get("id"):
        candidates = [v for v in candidates if v.id == args["id"]]
    wanted_tags = args.get("tags") or {}
    candidates = [
        v for v in candidates if all(v.tags.get(k) == val for k, val in wanted_tags.items())
    ]
    candidates = [
        v
        for v in candidates
        if _match_filters(v.tags, {"vpc-id": v.id, "cidr": v.cidr_block}, args.get("filters") or [])
    ]
    if len(candidates) != 1:
        raise Exception(f"no matching EC2 VPC found (matched {len(candidates)})")
    vpc = candidates[0]
    return {
        "id": vpc.id,
        "cidrBlock": vpc.cidr_block,
        "default": vpc.is_default,
        "tags": vpc.tags,
        "arn": acct.arn("ec2", f"vpc/{vpc.id}"),
        "state": "available",
        "ownerId": acct.account_id,
    }


def _subnet_attrs(s: Any) -> dict[str, Any]:
    return {
        "vpc-id": s.vpc_id,
        "availability-zone": s.availability_zone,
        "default-for-az": str(s.default_for_az).lower(),
        "subnet-id": s.id,
        "map-public-ip-on-launch": str(s.tier == "public").lower(),
    }


def _get_subnets(acct: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
    wanted_tags = args.get("tags") or {}
    ids = [
        s.id
        for v in acct.vpcs
        for s in v.subnets
        if _match_filters(s.tags, _subnet_attrs(s), args.get("filters") or [])
        and all(s.tags.get(k) == val for k, val in wanted_tags.items())
    ]
    return {"ids": ids, "id": acct.region, "filters": args.get("filters"), "tags": wanted_tags}


def _get_subnet(acct: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
    subnet = acct.subnet(str(args.get("id", "")))
    if subnet is None:
        raise Exception(f"no matching EC2 Subnet found for {args.get('id')!r}")
    return {
        "id": subnet.id,
        "vpcId": subnet.vpc_id,
        "availabilityZone": subnet.availability_zone,
        "availabilityZoneId": f"euw1-az{subnet.availability_zone[-1]}",
        "cidrBlock": subnet.cidr_block,
        "defaultForAz": subnet.default_for_az,
        "mapPublicIpOnLaunch": subnet.tier == "public",
        "tags": subnet.tags,
        "arn": acct.arn("ec2", f"subnet/{subnet.id}"),
    }


def _get_azs(acct: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "names": list(acct.availability_zones),
        "zoneIds": [f"euw1-az{i + 1}" for i in range(len(acct.availability_zones))],
        "id": acct.region,
        "state": "available",
    }


def _get_instance(acct: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
    instance_id = str(args.get("instanceId", ""))
    if instance_id not in acct.instances:
        raise Exception(f"Your query returned no results: instance {instance_id!r} not found")
    return {
        "id": instance_id,
        "instanceId": instance_id,
        "availabilityZone": acct.instances[instance_id],
        "instanceState": "running",
        "arn": acct.arn("ec2", f"instance/{instance_id}"),
        "networkInterfaceId": fake_id("eni", instance_id),
        "metadataOptions": [
            {"httpEndpoint": "enabled", "httpTokens": "required", "httpPutResponseHopLimit": 2}
        ],
        "rootBlockDevices": [{"deviceName": "/dev/xvda", "encrypted": True, "volumeType": "gp3"}],
        "ebsBlockDevices": [],
        **acct.instance_overrides.get(instance_id, {}),
    }


def _get_ami(acct: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
    wanted = [
        value
        for f in args.get("filters") or []
        if f.get("name") == "image-id"
        for value in f.get("values") or []
    ]
    image_id = wanted[0] if wanted else acct.ami_id
    if image_id not in acct.images:
        raise Exception(
            "Your query returned no results. Please change your search criteria and try again."
        )
    return {
        "id": image_id,
        "imageId": image_id,
        "architecture": acct.images[image_id],
        "state": "available",
    }


def _get_zone(acct: FakeAwsAccount, args: dict[str, Any]) -> dict[str, Any]:
    name = str(args.get("name", "")).rstrip(".")
    if name not in acct.hosted_zones:
        raise Exception(f"no matching Route 53 Hosted Zone found for {name!r}")
    zone_id = acct.hosted_zones[name]
    return {"id": zone_id, "zoneId": zone_id, "name": name, "privateZone": False}


_INVOKES: dict[str, Callable[[FakeAwsAccount, dict[str, Any]], dict[str, Any]]] = {
    "aws:ec2/getVpc:getVpc": _get_vpc,
    "aws:ec2/getSubnets:getSubnets": _get_subnets,
    "aws:ec2/getSubnet:getSubnet": _get_subnet,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _get_azs,
    "aws:ec2/getInstance:getInstance": _get_instance,
    "aws:route53/getZone:getZone": _get_zone,
    "aws:index/getRegion:getRegion": lambda a, _: {
        "name": a.region,
        "region": a.region,
        "id": a.region,
    },
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a, _: {
        "accountId": a.account_id,
        "arn": f"arn:{a.partition}:sts::{a.account_id}:assumed-role/deployer/session",
        "userId": "AROAEXAMPLEDEPLOYER:session",
        "id": a.account_id,
    },
    "aws:index/getPartition:getPartition": lambda a, _: {
        "partition": a.partition,
        "dnsSuffix": "amazonaws.com",
        "id": a.partition,
    },
    "aws:elb/getServiceAccount:getServiceAccount": lambda a, _: {
        "arn": f"arn:{a.partition}:iam::{a.elb_account_id}:root",
        "id": a.elb_account_id,
    },
    "aws:ec2/getAmi:getAmi": _get_ami,
    "aws:ssm/getParameter:getParameter": lambda a, args: {
        "name": args.get("name"),
        "value": a.ami_id,
        "type": "String",
        "id": args.get("name"),
    },
}
