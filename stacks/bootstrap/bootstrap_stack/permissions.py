"""What the network and serving stacks do in AWS: one entry per Pulumi type token and invoke token.

Each entry says what the provider calls to create, read, update and delete a resource of that type
(or to answer that look-up), and how each call is scoped. ``policies.py`` turns the table into one
deploy role's documents per env (``{e}`` is the env) and the preview role's (reads only, any env).
A test renders every stack in every committed env, and a fixture with every feature on, under the
mock runtime and fails when a type or invoke is missing here, so a stack cannot start using a
service its deploy role cannot.

Scopes (AWS evaluates each resource of a call on its own, so a create names the new resource
and, separately, the existing resources it touches):

- ``created``: the new resource carries this repository's ``env`` and ``repo`` tags in the request
  (``aws:RequestTag``); the stacks' tagging transformation puts them on every taggable resource.
- ``owned``: an existing resource carrying those tags (``aws:ResourceTag``): a dev role never
  touches what prod owns.
- ``named``: services without tag conditions (S3, Logs, Route 53, IAM inline policies) by name:
  ``serving-{e}-*`` buckets, ``/serving/{e}/*`` log groups.
- ``uses``: an existing resource a create only refers to, which may belong to someone else (the
  default VPC in dev, an existing instance's network interface): its type, unconditioned.
- ``any``: reads, and calls without resource-level permissions (``Resource: "*"``).

The tag-on-create permissions of EC2 and ELB (``ec2:CreateTags`` / ``elasticloadbalancing:AddTags``
limited to the create calls by ``ec2:CreateAction`` / ``elasticloadbalancing:CreateAction``) are
derived from the ``created`` grants, and so are the tag changes of ``owned`` resources (which can
never move a resource to another env: the new ``env`` and ``repo`` values must be the same).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Scope = Literal["created", "owned", "named", "uses", "any", "claim"]

FLEET_ROLE_SERVICE = "ec2.amazonaws.com"
FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com"
INSTANCE_POLICY_ARNS = (
    "arn:{p}:iam::aws:policy/AmazonSSMManagedInstanceCore",
    "arn:{p}:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:{p}:iam::aws:policy/CloudWatchAgentServerPolicy",
)
"""The only managed policies the serving stack attaches to its fleet roles (``fleet_group.py``)."""
SERVICE_LINKED_ROLES = ("autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com")


@dataclass(frozen=True)
class Grant:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    scope: Scope
    condition: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Conditions on top of the scope's (e.g. ``iam:PassedToService``)."""
    write: bool = True
    """False for reads that need a resource ARN (``s3:GetBucketPolicy``): the preview role gets them."""


@dataclass(frozen=True)
class Access:
    reads: tuple[str, ...] = ()
    """Read calls without resource-level permissions (``Resource: "*"``)."""
    grants: tuple[Grant, ...] = ()


def _ec2(*kinds: str) -> tuple[str, ...]:
    return tuple(f"arn:{{p}}:ec2:{{r}}:{{a}}:{kind}/*" for kind in kinds)


def _elb(*kinds: str) -> tuple[str, ...]:
    shapes = {
        "loadbalancer": "loadbalancer/app/*/*",
        "targetgroup": "targetgroup/*/*",
        "listener": "listener/app/*/*/*",
        "listener-rule": "listener-rule/app/*/*/*/*",
    }
    return tuple(f"arn:{{p}}:elasticloadbalancing:{{r}}:{{a}}:{shapes[k]}" for k in kinds)


def created(actions: tuple[str, ...], resources: tuple[str, ...], **kw: Any) -> Grant:
    return Grant(actions, resources, "created", **kw)


def owned(actions: tuple[str, ...], resources: tuple[str, ...], **kw: Any) -> Grant:
    return Grant(actions, resources, "owned", **kw)


def named(actions: tuple[str, ...], resources: tuple[str, ...], **kw: Any) -> Grant:
    return Grant(actions, resources, "named", **kw)


def uses(actions: tuple[str, ...], resources: tuple[str, ...]) -> Grant:
    return Grant(actions, resources, "uses")


def reads(actions: tuple[str, ...], resources: tuple[str, ...]) -> Grant:
    return Grant(actions, resources, "named", write=False)


VPC = _ec2("vpc")
SUBNET = _ec2("subnet")
SECURITY_GROUP = _ec2("security-group")
BUCKETS = ("arn:{p}:s3:::serving-{e}-*",)
BUCKET_READS = ("s3:GetBucketLocation", "s3:ListBucket")
ROLES = ("arn:{p}:iam::{a}:role/serving-*",)
FLOW_LOG_ROLES = ("arn:{p}:iam::{a}:role/network-{e}-flow-logs",)
LOG_GROUPS = (
    "arn:{p}:logs:{r}:{a}:log-group:/serving/{e}/*",
    "arn:{p}:logs:{r}:{a}:log-group:/vpc/network-{e}/*",
)
HOSTED_ZONES = ("arn:{p}:route53:::hostedzone/*",)
AMI_PARAMETERS = ("arn:{p}:ssm:{r}:*:parameter/aws/service/*",)
"""AWS's public parameters (the ECS-optimised AMIs): their ARNs have no account."""
WEB_ACLS = ("arn:{p}:wafv2:{r}:{a}:regional/webacl/*/*",)
SG_READS = ("ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules")


def _bucket_side(put: str, get: str, delete: str | None = None) -> Access:
    """An S3 bucket's side resource (its policy, encryption, ...): one configuration call each way."""
    writes = (put,) if delete is None else (put, delete)
    return Access(grants=(named(writes, BUCKETS), reads((get, *BUCKET_READS), BUCKETS)))


def _sg_rule(direction: str) -> Access:
    authorize = f"ec2:AuthorizeSecurityGroup{direction}"
    return Access(
        reads=SG_READS,
        grants=(
            created((authorize,), _ec2("security-group-rule")),
            owned(
                (
                    authorize,
                    f"ec2:RevokeSecurityGroup{direction}",
                    "ec2:ModifySecurityGroupRules",
                    f"ec2:UpdateSecurityGroupRuleDescriptions{direction}",
                ),
                SECURITY_GROUP,
            ),
            owned(("ec2:ModifySecurityGroupRules",), _ec2("security-group-rule")),
        ),
    )


NETWORK: dict[str, Access] = {
    "aws:ec2/vpc:Vpc": Access(
        reads=(
            "ec2:DescribeVpcs",
            "ec2:DescribeNetworkAcls",
            "ec2:DescribeRouteTables",
            *SG_READS,
        ),
        grants=(
            created(("ec2:CreateVpc",), VPC),
            owned(("ec2:ModifyVpcAttribute", "ec2:DeleteVpc"), VPC),
            reads(("ec2:DescribeVpcAttribute",), VPC),
        ),
    ),
    "aws:ec2/subnet:Subnet": Access(
        reads=("ec2:DescribeSubnets",),
        grants=(
            created(("ec2:CreateSubnet",), SUBNET),
            owned(("ec2:CreateSubnet",), VPC),
            owned(("ec2:ModifySubnetAttribute", "ec2:DeleteSubnet"), SUBNET),
        ),
    ),
    "aws:ec2/internetGateway:InternetGateway": Access(
        reads=("ec2:DescribeInternetGateways",),
        grants=(
            created(("ec2:CreateInternetGateway",), _ec2("internet-gateway")),
            owned(
                (
                    "ec2:AttachInternetGateway",
                    "ec2:DetachInternetGateway",
                    "ec2:DeleteInternetGateway",
                ),
                _ec2("internet-gateway"),
            ),
            owned(("ec2:AttachInternetGateway", "ec2:DetachInternetGateway"), VPC),
        ),
    ),
    "aws:ec2/eip:Eip": Access(
        reads=("ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute"),
        grants=(
            created(("ec2:AllocateAddress",), _ec2("elastic-ip")),
            owned(("ec2:ReleaseAddress", "ec2:DisassociateAddress"), _ec2("elastic-ip")),
        ),
    ),
    "aws:ec2/natGateway:NatGateway": Access(
        reads=("ec2:DescribeNatGateways",),
        grants=(
            created(("ec2:CreateNatGateway",), _ec2("natgateway")),
            owned(("ec2:CreateNatGateway",), (*SUBNET, *_ec2("elastic-ip"))),
            owned(("ec2:DeleteNatGateway",), _ec2("natgateway")),
        ),
    ),
    "aws:ec2/routeTable:RouteTable": Access(
        reads=("ec2:DescribeRouteTables",),
        grants=(
            created(("ec2:CreateRouteTable",), _ec2("route-table")),
            owned(("ec2:CreateRouteTable",), VPC),
            owned(
                ("ec2:CreateRoute", "ec2:ReplaceRoute", "ec2:DeleteRoute", "ec2:DeleteRouteTable"),
                _ec2("route-table"),
            ),
        ),
    ),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": Access(
        reads=("ec2:DescribeRouteTables",),
        grants=(
            owned(
                (
                    "ec2:AssociateRouteTable",
                    "ec2:DisassociateRouteTable",
                    "ec2:ReplaceRouteTableAssociation",
                ),
                (*_ec2("route-table"), *SUBNET),
            ),
        ),
    ),
    # AWS creates a VPC's default group untagged: the stack claims it (tags it) before emptying it.
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": Access(
        reads=SG_READS,
        grants=(
            Grant(("ec2:CreateTags",), SECURITY_GROUP, "claim"),
            owned(
                ("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
                SECURITY_GROUP,
            ),
        ),
    ),
    "aws:ec2/flowLog:FlowLog": Access(
        reads=("ec2:DescribeFlowLogs",),
        grants=(
            created(("ec2:CreateFlowLogs",), _ec2("vpc-flow-log")),
            owned(("ec2:CreateFlowLogs",), VPC),
            owned(("ec2:DeleteFlowLogs",), _ec2("vpc-flow-log")),
            named(
                ("iam:PassRole",),
                FLOW_LOG_ROLES,
                condition={"StringEquals": {"iam:PassedToService": FLOW_LOGS_SERVICE}},
            ),
        ),
    ),
    "aws:cloudwatch/logGroup:LogGroup": Access(
        reads=("logs:DescribeLogGroups",),
        grants=(
            named(
                (
                    "logs:CreateLogGroup",
                    "logs:DeleteLogGroup",
                    "logs:PutRetentionPolicy",
                    "logs:DeleteRetentionPolicy",
                    "logs:TagResource",
                    "logs:UntagResource",
                ),
                LOG_GROUPS,
            ),
            reads(("logs:ListTagsForResource",), LOG_GROUPS),
        ),
    ),
    "aws:iam/role:Role": Access(
        grants=(
            created(("iam:CreateRole", "iam:TagRole"), (*ROLES, *FLOW_LOG_ROLES)),
            owned(
                ("iam:DeleteRole", "iam:UpdateRole", "iam:UpdateRoleDescription"),
                (*ROLES, *FLOW_LOG_ROLES),
            ),
            reads(
                (
                    "iam:GetRole",
                    "iam:ListRolePolicies",
                    "iam:ListAttachedRolePolicies",
                    "iam:ListInstanceProfilesForRole",
                ),
                (*ROLES, *FLOW_LOG_ROLES),
            ),
        ),
    ),
    # Inline policies only on the flow-logs role, which only VPC Flow Logs may be passed.
    "aws:iam/rolePolicy:RolePolicy": Access(
        grants=(
            named(("iam:PutRolePolicy", "iam:DeleteRolePolicy"), FLOW_LOG_ROLES),
            reads(("iam:GetRolePolicy",), FLOW_LOG_ROLES),
        ),
    ),
}

SERVING: dict[str, Access] = {
    "aws:ec2/securityGroup:SecurityGroup": Access(
        reads=SG_READS,
        grants=(
            created(("ec2:CreateSecurityGroup",), SECURITY_GROUP),
            uses(("ec2:CreateSecurityGroup",), VPC),
            owned(
                (
                    "ec2:DeleteSecurityGroup",
                    "ec2:RevokeSecurityGroupEgress",
                    "ec2:ModifySecurityGroupRules",
                ),
                SECURITY_GROUP,
            ),
        ),
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule("Ingress"),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule("Egress"),
    # The targets' group on an existing instance's interface: the interface is not this stack's.
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment": Access(
        reads=("ec2:DescribeNetworkInterfaces", "ec2:DescribeInstances"),
        grants=(
            uses(("ec2:ModifyNetworkInterfaceAttribute",), _ec2("network-interface")),
            owned(("ec2:ModifyNetworkInterfaceAttribute",), SECURITY_GROUP),
        ),
    ),
    "aws:ec2/launchTemplate:LaunchTemplate": Access(
        reads=("ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions"),
        grants=(
            created(("ec2:CreateLaunchTemplate",), _ec2("launch-template")),
            owned(
                (
                    "ec2:CreateLaunchTemplateVersion",
                    "ec2:ModifyLaunchTemplate",
                    "ec2:DeleteLaunchTemplate",
                    "ec2:DeleteLaunchTemplateVersions",
                ),
                _ec2("launch-template"),
            ),
        ),
    ),
    "aws:lb/loadBalancer:LoadBalancer": Access(
        reads=(
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        grants=(
            created(("elasticloadbalancing:CreateLoadBalancer",), _elb("loadbalancer")),
            owned(
                (
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:DeleteLoadBalancer",
                ),
                _elb("loadbalancer"),
            ),
            Grant(
                ("iam:CreateServiceLinkedRole",),
                ("arn:{p}:iam::{a}:role/aws-service-role/*",),
                "named",
                condition={"StringEquals": {"iam:AWSServiceName": list(SERVICE_LINKED_ROLES)}},
            ),
        ),
    ),
    "aws:lb/targetGroup:TargetGroup": Access(
        reads=(
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTags",
        ),
        grants=(
            created(("elasticloadbalancing:CreateTargetGroup",), _elb("targetgroup")),
            owned(
                (
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                ),
                _elb("targetgroup"),
            ),
        ),
    ),
    "aws:lb/listener:Listener": Access(
        reads=(
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeListenerAttributes",
            "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeTags",
        ),
        grants=(
            created(("elasticloadbalancing:CreateListener",), _elb("listener")),
            owned(("elasticloadbalancing:CreateListener",), _elb("loadbalancer")),
            owned(
                (
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:ModifyListenerAttributes",
                    "elasticloadbalancing:DeleteListener",
                ),
                _elb("listener"),
            ),
        ),
    ),
    "aws:lb/listenerRule:ListenerRule": Access(
        reads=("elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTags"),
        grants=(
            created(("elasticloadbalancing:CreateRule",), _elb("listener-rule")),
            owned(("elasticloadbalancing:CreateRule",), _elb("listener")),
            owned(
                (
                    "elasticloadbalancing:ModifyRule",
                    "elasticloadbalancing:DeleteRule",
                    "elasticloadbalancing:SetRulePriorities",
                ),
                _elb("listener-rule"),
            ),
        ),
    ),
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": Access(
        reads=("elasticloadbalancing:DescribeTargetHealth",),
        grants=(
            owned(
                ("elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"),
                _elb("targetgroup"),
            ),
        ),
    ),
    "aws:acm/certificate:Certificate": Access(
        grants=(
            Grant(("acm:RequestCertificate",), ("*",), "created"),
            created(("acm:AddTagsToCertificate",), ("arn:{p}:acm:{r}:{a}:certificate/*",)),
            owned(
                ("acm:DeleteCertificate", "acm:UpdateCertificateOptions"),
                ("arn:{p}:acm:{r}:{a}:certificate/*",),
            ),
            reads(
                ("acm:DescribeCertificate", "acm:ListTagsForCertificate"),
                ("arn:{p}:acm:{r}:{a}:certificate/*",),
            ),
        ),
    ),
    "aws:acm/certificateValidation:CertificateValidation": Access(
        grants=(reads(("acm:DescribeCertificate",), ("arn:{p}:acm:{r}:{a}:certificate/*",)),),
    ),
    "aws:route53/record:Record": Access(
        grants=(
            named(("route53:ChangeResourceRecordSets",), HOSTED_ZONES),
            reads(("route53:ListResourceRecordSets", "route53:GetHostedZone"), HOSTED_ZONES),
            reads(("route53:GetChange",), ("arn:{p}:route53:::change/*",)),
        ),
    ),
    "aws:wafv2/webAclAssociation:WebAclAssociation": Access(
        grants=(
            named(
                ("wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"),
                WEB_ACLS,
            ),
            owned(("wafv2:AssociateWebACL", "wafv2:DisassociateWebACL"), _elb("loadbalancer")),
            Grant(("elasticloadbalancing:SetWebAcl",), ("*",), "any"),  # no resource-level scope
            reads(("wafv2:GetWebACLForResource",), (*WEB_ACLS, *_elb("loadbalancer"))),
        ),
    ),
    "aws:s3/bucket:Bucket": Access(
        grants=(
            named(
                (
                    "s3:CreateBucket",
                    "s3:DeleteBucket",
                    "s3:PutBucketTagging",
                    "s3:ListBucketVersions",
                ),
                BUCKETS,
            ),
            # forceDestroy outside prod: the logs go with the bucket.
            named(("s3:DeleteObject", "s3:DeleteObjectVersion"), ("arn:{p}:s3:::serving-{e}-*/*",)),
            reads(
                (
                    *BUCKET_READS,
                    "s3:GetBucketTagging",
                    "s3:GetBucketPolicy",
                    "s3:GetBucketAcl",
                    "s3:GetBucketCORS",
                    "s3:GetBucketWebsite",
                    "s3:GetBucketVersioning",
                    "s3:GetAccelerateConfiguration",
                    "s3:GetBucketRequestPayment",
                    "s3:GetBucketLogging",
                    "s3:GetLifecycleConfiguration",
                    "s3:GetReplicationConfiguration",
                    "s3:GetEncryptionConfiguration",
                    "s3:GetBucketObjectLockConfiguration",
                ),
                BUCKETS,
            ),
        ),
    ),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _bucket_side(
        "s3:PutBucketPublicAccessBlock", "s3:GetBucketPublicAccessBlock"
    ),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _bucket_side(
        "s3:PutBucketOwnershipControls", "s3:GetBucketOwnershipControls"
    ),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _bucket_side(
        "s3:PutEncryptionConfiguration", "s3:GetEncryptionConfiguration"
    ),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _bucket_side(
        "s3:PutLifecycleConfiguration", "s3:GetLifecycleConfiguration"
    ),
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_side(
        "s3:PutBucketPolicy", "s3:GetBucketPolicy", "s3:DeleteBucketPolicy"
    ),
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_side(
        "s3:PutBucketVersioning", "s3:GetBucketVersioning"
    ),
    "aws:cloudwatch/metricAlarm:MetricAlarm": Access(
        grants=(
            created(
                ("cloudwatch:PutMetricAlarm", "cloudwatch:TagResource"),
                ("arn:{p}:cloudwatch:{r}:{a}:alarm:*",),
            ),
            owned(
                ("cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms"),
                ("arn:{p}:cloudwatch:{r}:{a}:alarm:*",),
            ),
            reads(
                ("cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource"),
                ("arn:{p}:cloudwatch:{r}:{a}:alarm:*",),
            ),
        ),
    ),
    "aws:autoscaling/group:Group": Access(
        reads=(
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeScalingActivities",
            "autoscaling:DescribeInstanceRefreshes",
            "autoscaling:DescribeLifecycleHooks",
            "autoscaling:DescribeLoadBalancerTargetGroups",
            "autoscaling:DescribeTrafficSources",
            "autoscaling:DescribeWarmPool",
            "autoscaling:DescribeTags",
        ),
        grants=(
            created(
                ("autoscaling:CreateAutoScalingGroup", "autoscaling:CreateOrUpdateTags"),
                ("arn:{p}:autoscaling:{r}:{a}:autoScalingGroup:*:autoScalingGroupName/*",),
            ),
            owned(
                (
                    "autoscaling:UpdateAutoScalingGroup",
                    "autoscaling:DeleteAutoScalingGroup",
                    "autoscaling:StartInstanceRefresh",
                    "autoscaling:CancelInstanceRefresh",
                    "autoscaling:EnableMetricsCollection",
                    "autoscaling:DisableMetricsCollection",
                    "autoscaling:AttachLoadBalancerTargetGroups",
                    "autoscaling:DetachLoadBalancerTargetGroups",
                ),
                ("arn:{p}:autoscaling:{r}:{a}:autoScalingGroup:*:autoScalingGroupName/*",),
            ),
            # The group launches from a template naming the fleet's instance profile.
            owned(
                ("iam:PassRole",),
                ROLES,
                condition={"StringEquals": {"iam:PassedToService": FLEET_ROLE_SERVICE}},
            ),
            owned(("ec2:RunInstances",), _ec2("launch-template")),
            created(("ec2:RunInstances",), _ec2("instance", "volume")),
            uses(
                ("ec2:RunInstances",),
                (
                    *_ec2("subnet", "security-group", "network-interface"),
                    "arn:{p}:ec2:{r}::image/*",
                ),
            ),
        ),
    ),
    "aws:autoscaling/policy:Policy": Access(
        reads=("autoscaling:DescribePolicies",),
        grants=(
            owned(
                ("autoscaling:PutScalingPolicy", "autoscaling:DeletePolicy"),
                ("arn:{p}:autoscaling:{r}:{a}:autoScalingGroup:*:autoScalingGroupName/*",),
            ),
        ),
    ),
    "aws:cloudwatch/logGroup:LogGroup": NETWORK["aws:cloudwatch/logGroup:LogGroup"],
    "aws:iam/role:Role": NETWORK["aws:iam/role:Role"],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": Access(
        grants=(
            owned(
                ("iam:AttachRolePolicy", "iam:DetachRolePolicy"),
                ROLES,
                condition={"ArnEquals": {"iam:PolicyARN": list(INSTANCE_POLICY_ARNS)}},
            ),
            reads(("iam:ListAttachedRolePolicies",), ROLES),
        ),
    ),
    "aws:iam/instanceProfile:InstanceProfile": Access(
        grants=(
            created(
                ("iam:CreateInstanceProfile", "iam:TagInstanceProfile"),
                ("arn:{p}:iam::{a}:instance-profile/serving-*",),
            ),
            owned(
                (
                    "iam:AddRoleToInstanceProfile",
                    "iam:RemoveRoleFromInstanceProfile",
                    "iam:DeleteInstanceProfile",
                ),
                ("arn:{p}:iam::{a}:instance-profile/serving-*",),
            ),
            reads(("iam:GetInstanceProfile",), ("arn:{p}:iam::{a}:instance-profile/serving-*",)),
            # Adding the role to the profile passes it (to EC2, through the profile).
            owned(
                ("iam:PassRole",),
                ROLES,
                condition={"StringEquals": {"iam:PassedToService": FLEET_ROLE_SERVICE}},
            ),
        ),
    ),
}

RESOURCES: dict[str, Access] = {**NETWORK, **SERVING}
"""Pulumi resource type token -> what the deploy role needs for it."""

INVOKES: dict[str, Access] = {
    "aws:ec2/getVpc:getVpc": Access(reads=("ec2:DescribeVpcs",)),
    "aws:ec2/getSubnets:getSubnets": Access(reads=("ec2:DescribeSubnets",)),
    "aws:ec2/getSubnet:getSubnet": Access(reads=("ec2:DescribeSubnets",)),
    "aws:index/getAvailabilityZones:getAvailabilityZones": Access(
        reads=("ec2:DescribeAvailabilityZones",)
    ),
    "aws:ec2/getInstance:getInstance": Access(
        reads=(
            "ec2:DescribeInstances",
            "ec2:DescribeInstanceCreditSpecifications",
            "ec2:DescribeTags",
        ),
        grants=(reads(("ec2:DescribeInstanceAttribute",), _ec2("instance")),),
    ),
    "aws:ec2/getAmi:getAmi": Access(reads=("ec2:DescribeImages",)),
    "aws:route53/getZone:getZone": Access(
        reads=("route53:ListHostedZones",),
        grants=(reads(("route53:GetHostedZone", "route53:ListTagsForResource"), HOSTED_ZONES),),
    ),
    "aws:ssm/getParameter:getParameter": Access(
        grants=(reads(("ssm:GetParameter",), AMI_PARAMETERS),)
    ),
    # Answered by the provider itself, or (sts:GetCallerIdentity) allowed to every identity.
    "aws:index/getCallerIdentity:getCallerIdentity": Access(),
    "aws:index/getRegion:getRegion": Access(),
    "aws:index/getPartition:getPartition": Access(),
    "aws:elb/getServiceAccount:getServiceAccount": Access(),
}
"""Pulumi invoke token -> what the deploy role needs for it."""

ENGINE_TYPES = frozenset({"pulumi:pulumi:StackReference"})
"""Types the engine handles without AWS (a StackReference reads the state backend)."""
