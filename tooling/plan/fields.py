"""Per resource type: the fields reviewers care about, and the ones whose change replaces a resource.

``KEY_FIELDS`` are wire-path patterns (``*`` for anything, list indices written ``[]``) shown first and
marked in a diff: listener protocols and TLS policies, security group sources and ports, health
checks, forward weights, deletion protection, the ``protect`` option.

``REPLACED_BY`` is the top-level inputs whose change makes the AWS provider create a new resource
(``ForceNew`` in its schema), for the types the stacks register. It is the gate's best knowledge,
offline; the real ``pulumi preview`` (``make preview``) asks the provider and is the authority.
"""

from __future__ import annotations

import re

PROTECT = "(protect)"
"""The ``protect`` resource option, as a diff path."""

_SG_RULE = ["cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "prefixListId"]
_SG_RULE += ["fromPort", "toPort", "ipProtocol"]

KEY_FIELDS: dict[str, list[str]] = {
    "aws:lb/listener:Listener": [
        "port", "protocol", "sslPolicy", "certificateArn", "alpnPolicy",
        "defaultActions[].type", "defaultActions[].forward.targetGroups[].weight",
        "defaultActions[].forward.targetGroups[].arn", "defaultActions[].targetGroupArn",
        "defaultActions[].redirect.*", "defaultActions[].fixedResponse.statusCode",
    ],
    "aws:lb/listenerRule:ListenerRule": [
        "priority", "actions[].type", "actions[].forward.targetGroups[].weight",
        "actions[].forward.targetGroups[].arn", "actions[].targetGroupArn",
        "actions[].redirect.*", "conditions[].*",
    ],
    "aws:lb/targetGroup:TargetGroup": [
        "port", "protocol", "healthCheck.*", "deregistrationDelay", "slowStart",
    ],
    "aws:lb/loadBalancer:LoadBalancer": [
        "internal", "enableDeletionProtection", "accessLogs.*", "dropInvalidHeaderFields",
        "desyncMitigationMode", "subnets[]", "subnetMappings[].*", "securityGroups[]",
    ],
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _SG_RULE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _SG_RULE,
    "aws:ec2/securityGroupRule:SecurityGroupRule": [
        "type", "cidrBlocks[]", "ipv6CidrBlocks[]", "sourceSecurityGroupId", "prefixListIds[]",
        "fromPort", "toPort", "protocol", "self",
    ],
    "aws:ec2/securityGroup:SecurityGroup": ["ingress[].*", "egress[].*"],
    "aws:autoscaling/group:Group": ["healthCheckType", "minSize", "maxSize"],
    "aws:ec2/launchTemplate:LaunchTemplate": ["metadataOptions.httpTokens"],
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["*"],
    "aws:wafv2/webAclAssociation:WebAclAssociation": ["webAclArn"],
}  # fmt: skip

REPLACED_BY: dict[str, frozenset[str]] = {
    t: frozenset(props)
    for t, props in {
        "aws:lb/loadBalancer:LoadBalancer": ["name", "namePrefix", "internal", "loadBalancerType"],
        "aws:lb/targetGroup:TargetGroup": [
            "name", "namePrefix", "port", "protocol", "protocolVersion", "vpcId", "targetType",
            "ipAddressType",
        ],
        "aws:lb/listener:Listener": ["loadBalancerArn"],
        "aws:lb/listenerRule:ListenerRule": ["listenerArn"],
        "aws:lb/targetGroupAttachment:TargetGroupAttachment": [
            "targetGroupArn", "targetId", "port", "availabilityZone",
        ],
        "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "description", "vpcId"],
        "aws:ec2/securityGroupRule:SecurityGroupRule": [
            "type", "fromPort", "toPort", "protocol", "cidrBlocks", "ipv6CidrBlocks",
            "prefixListIds", "securityGroupId", "sourceSecurityGroupId", "self",
        ],
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ["securityGroupId"],
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ["securityGroupId"],
        "aws:ec2/vpc:Vpc": ["cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"],
        "aws:ec2/subnet:Subnet": [
            "vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId", "ipv6Native",
        ],
        "aws:ec2/natGateway:NatGateway": ["allocationId", "subnetId", "connectivityType"],
        "aws:ec2/routeTable:RouteTable": ["vpcId"],
        "aws:ec2/routeTableAssociation:RouteTableAssociation": ["subnetId", "gatewayId"],
        "aws:ec2/flowLog:FlowLog": [
            "vpcId", "subnetId", "eniId", "logDestination", "logDestinationType", "trafficType",
            "iamRoleArn", "logFormat", "maxAggregationInterval",
        ],
        "aws:ec2/launchTemplate:LaunchTemplate": ["name", "namePrefix"],
        "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment": [
            "networkInterfaceId", "securityGroupId",
        ],
        "aws:autoscaling/group:Group": ["name", "namePrefix"],
        "aws:autoscaling/policy:Policy": ["name", "autoscalingGroupName"],
        "aws:acm/certificate:Certificate": [
            "domainName", "subjectAlternativeNames", "keyAlgorithm", "certificateAuthorityArn",
        ],
        "aws:acm/certificateValidation:CertificateValidation": [
            "certificateArn", "validationRecordFqdns",
        ],
        "aws:route53/record:Record": ["zoneId", "name", "type", "setIdentifier"],
        "aws:cloudwatch/logGroup:LogGroup": ["name", "namePrefix", "logGroupClass"],
        "aws:cloudwatch/metricAlarm:MetricAlarm": ["name"],
        "aws:iam/role:Role": ["name", "namePrefix", "path"],
        "aws:iam/rolePolicy:RolePolicy": ["name", "namePrefix", "role"],
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
        "aws:iam/instanceProfile:InstanceProfile": ["name", "namePrefix", "path"],
        "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix", "objectLockEnabled"],
        "aws:s3/bucketPolicy:BucketPolicy": ["bucket"],
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ["bucket"],
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ["bucket"],
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": [
            "bucket", "expectedBucketOwner",
        ],
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": [
            "bucket", "expectedBucketOwner",
        ],
        "aws:wafv2/webAclAssociation:WebAclAssociation": ["resourceArn", "webAclArn"],
    }.items()
}  # fmt: skip

_INDEX = re.compile(r"\[\d+\]")


def normalized(path: str) -> str:
    """``defaultActions[0].forward.targetGroups[1].weight`` -> ``defaultActions[].forward...``."""
    return _INDEX.sub("[]", path)


def _matches(shape: str, pattern: str) -> bool:
    """``*`` matches anything; the rest (brackets too) is literal."""
    return re.fullmatch(re.escape(pattern).replace(r"\*", ".*"), shape) is not None


def is_key_field(type_: str, path: str) -> bool:
    if path == PROTECT:
        return True
    shape = normalized(path)
    return any(_matches(shape, pattern) for pattern in KEY_FIELDS.get(type_, ()))


def top_level(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def replaces(type_: str, path: str, replace_on_changes: list[str]) -> bool:
    """Would changing ``path`` replace the resource (provider schema, or its ``replaceOnChanges``)?"""
    if path.startswith("("):
        return False
    prop = top_level(path)
    if prop in REPLACED_BY.get(type_, frozenset()):
        return True
    shape = normalized(path)
    for pattern in replace_on_changes:
        wanted = normalized(pattern.replace("[*]", "[]"))
        if wanted in ("*", shape) or shape.startswith((wanted + ".", wanted + "[")):
            return True
    return False
