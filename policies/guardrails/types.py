"""Resource type tokens the guardrails look at (pulumi-aws 7.x, with the ``aws:alb`` aliases)."""

from __future__ import annotations

LOAD_BALANCERS = frozenset(
    {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
)
CLASSIC_ELB = "aws:elb/loadBalancer:LoadBalancer"
LISTENERS = frozenset({"aws:lb/listener:Listener", "aws:alb/listener:Listener"})
LISTENER_RULES = frozenset(
    {"aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"}
)
TARGET_GROUPS = frozenset({"aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"})
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SECURITY_GROUPS = frozenset({SECURITY_GROUP, DEFAULT_SECURITY_GROUP})
"""Groups that carry inline ``ingress``/``egress`` rules."""
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
STANDALONE_RULES = frozenset({SG_RULE, SG_INGRESS, SG_EGRESS})
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
SUBNET = "aws:ec2/subnet:Subnet"
WAF_ASSOCIATIONS = frozenset(
    {
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafregional/webAclAssociation:WebAclAssociation",
    }
)
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
BUCKETS = frozenset({BUCKET, BUCKET_V2})
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
SSE = frozenset(
    {
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
    }
)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_ACLS = frozenset({"aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2"})
BUCKET_SIDE_RESOURCES = frozenset(
    {
        PUBLIC_ACCESS_BLOCK,
        OWNERSHIP,
        BUCKET_POLICY,
        *SSE,
        *BUCKET_ACLS,
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketLogging:BucketLogging",
    }
)
"""Resources that configure a bucket through their ``bucket`` input."""
ASG = "aws:autoscaling/group:Group"
ASG_ATTACHMENTS = frozenset(
    {
        "aws:autoscaling/attachment:Attachment",
        "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
    }
)
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
INSTANCE = "aws:ec2/instance:Instance"
SPOT_INSTANCE_REQUEST = "aws:ec2/spotInstanceRequest:SpotInstanceRequest"
INSTANCE_LIKE = frozenset({INSTANCE, SPOT_INSTANCE_REQUEST})
"""Resources that boot one instance from their own arguments."""
LAUNCHERS = frozenset({LAUNCH_TEMPLATE, LAUNCH_CONFIGURATION, *INSTANCE_LIKE})
"""Every resource whose arguments decide how an instance boots (metadata service, volumes)."""
EBS_VOLUME = "aws:ebs/volume:Volume"
EIP = "aws:ec2/eip:Eip"
EIP_ASSOCIATION = "aws:ec2/eipAssociation:EipAssociation"


def short(type_: str) -> str:
    """``aws:lb/listener:Listener`` -> ``aws.lb.Listener`` (how a program spells it)."""
    package, _, rest = type_.partition(":")
    module, _, name = rest.partition(":")
    return f"{package}.{module.split('/')[0]}.{name}" if name else type_
