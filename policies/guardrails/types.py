"""Resource type tokens the guardrails look at (pulumi-aws 7.x, with the ``aws:alb`` aliases)."""

from __future__ import annotations

LOAD_BALANCERS = frozenset(
    {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
)
LISTENERS = frozenset({"aws:lb/listener:Listener", "aws:alb/listener:Listener"})
LISTENER_RULES = frozenset(
    {"aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule"}
)
TARGET_GROUPS = frozenset({"aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup"})
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
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
ASG = "aws:autoscaling/group:Group"
ASG_ATTACHMENTS = frozenset(
    {
        "aws:autoscaling/attachment:Attachment",
        "aws:autoscaling/trafficSourceAttachment:TrafficSourceAttachment",
    }
)
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
