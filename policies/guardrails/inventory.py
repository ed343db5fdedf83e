"""What a stack may declare at all: an allowlist of resource types.

A guardrail reads the types it knows. A type it does not know is a way around every guardrail: an
``aws.cloudformation.Stack`` or ``aws.cloudcontrol.Resource`` declares the insecure thing in a
template the pack never reads, a classic ELB or a dynamic provider does what no policy looks at. So
in prod (and staging) only the types the platform uses pass; anything else is blocked until someone
adds it here, on purpose, with the guardrails it needs.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import Severity

from guardrails.adapters import resource_policy
from guardrails.findings import Finding
from guardrails.meta import ANY_TYPE, Guardrail, sees
from guardrails.resource import Resource

ENGINE_TYPES = ["pulumi:pulumi:Stack", "pulumi:pulumi:StackReference", "pulumi:providers:aws"]
"""What the engine itself registers (the stack, the AWS provider) and the serving stack's read of
the network stack's outputs; the engine may analyze them too."""
COMPONENT_TYPES = ["acme:*"]
"""The stacks' own components (``acme:serving:ModelFleet``...), by namespace: a component groups
resources and creates nothing itself (each child is judged on its own), and a custom resource in
that namespace would need a ``pulumi:providers:acme`` provider, which is not allowed."""
PLATFORM_TYPES = [
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:autoscaling/group:Group",
    "aws:autoscaling/policy:Policy",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    "aws:ec2/eip:Eip",
    "aws:ec2/flowLog:FlowLog",
    "aws:ec2/internetGateway:InternetGateway",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/natGateway:NatGateway",
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/routeTableAssociation:RouteTableAssociation",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:ec2/subnet:Subnet",
    "aws:ec2/vpc:Vpc",
    "aws:iam/instanceProfile:InstanceProfile",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:lb/listener:Listener",
    "aws:lb/listenerRule:ListenerRule",
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:route53/record:Record",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
]
"""Everything the committed network and serving stacks create, in any of their configurations."""
BOOTSTRAP_TYPES = [
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:iam/policy:Policy",
    "aws:kms/alias:Alias",
    "aws:kms/key:Key",
    "aws:s3/bucketLogging:BucketLogging",
    "aws:s3/bucketVersioning:BucketVersioning",
]
"""What a bootstrap stack (state bucket, its KMS key, the CI's OIDC role) adds to the above."""
ALLOWED_TYPES = sorted({*ENGINE_TYPES, *COMPONENT_TYPES, *PLATFORM_TYPES, *BOOTSTRAP_TYPES})

ALLOWED_RESOURCE_TYPES = Guardrail(
    name="allowed-resource-types",
    description="Stacks declare only the resource types the platform uses (no CloudFormation stacks, Cloud Control resources, classic ELBs or anything not reviewed).",
    severity=Severity.HIGH,
    controls=("AWS Control Tower proactive controls", "least functionality (NIST CM-7)"),
    remediation="Use a type the platform already uses; to add one, put it in allowedTypes with the guardrails it needs, or exempt the resource by name with the reason.",
    config={
        "allowedTypes": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[A-Za-z0-9_-]+:([A-Za-z0-9_./-]*:[A-Za-z0-9_]+|\\*)$|^pulumi:providers:[a-z0-9-]+$"},
            "uniqueItems": True,
            "minItems": 1,
            "default": ALLOWED_TYPES,
            "description": "Resource type tokens a stack may declare (package:* allows a component namespace).",
        }
    },
    sees=(sees(ANY_TYPE, "(its type)"),),
)  # fmt: skip


def allowed(type_: str, entries: list[str]) -> bool:
    """``type_`` is listed, or in a listed namespace (``acme:*``)."""
    return any(
        type_ == entry or (entry.endswith(":*") and type_.startswith(entry[:-1]))
        for entry in entries
    )


def check_allowed_type(resource: Resource, config: dict[str, Any]) -> list[Finding]:
    if allowed(resource.type, [str(e) for e in config["allowedTypes"]]):
        return []
    return [
        f"resource type {resource.type} is not on the platform's allowlist: it escapes the "
        "guardrails until it is added to allowedTypes on purpose"
    ]


POLICIES = [resource_policy(ALLOWED_RESOURCE_TYPES, frozenset({ANY_TYPE}), check_allowed_type)]
GUARDRAILS = [ALLOWED_RESOURCE_TYPES]
