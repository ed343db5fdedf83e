"""Compliant and violating cases for every policy, from realistic camelCase props.

Resource cases are props as ``Analyze`` receives them (known values, update mode); a preview of
each is derived by :func:`tests.policies.conftest.preview`. Stack cases are built as a preview
sees them (ARNs unknown, resources linked by property dependencies); an update of each is derived
by :func:`tests.policies.conftest.update`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from guardrails.values import UNKNOWN
from tests.policies.conftest import (
    ALB_SG,
    BUCKET_NAME,
    CERT_ARN,
    SUBNETS,
    TAGS,
    VPC_ID,
    WAF_ARN,
    FakeResource,
    alb_arn,
    make,
    tg_arn,
)

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TG = "aws:lb/targetGroup:TargetGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ASG = "aws:autoscaling/group:Group"
ASG_ATTACHMENT = "aws:autoscaling/attachment:Attachment"
LT = "aws:ec2/launchTemplate:LaunchTemplate"
WAF = "aws:wafv2/webAclAssociation:WebAclAssociation"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_CONFIGURATION = "aws:ec2/launchConfiguration:LaunchConfiguration"
CFN_STACK = "aws:cloudformation/stack:Stack"
CLASSIC_ELB = "aws:elb/loadBalancer:LoadBalancer"
BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl"


def without(base: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in base.items() if k not in keys}


def with_(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


# ---- resource props ----------------------------------------------------------------------------
GOOD_LB = {
    "loadBalancerType": "application",
    "internal": False,
    "subnets": SUBNETS,
    "securityGroups": [ALB_SG],
    "accessLogs": {"bucket": BUCKET_NAME, "enabled": True, "prefix": "access"},
    "dropInvalidHeaderFields": True,
    "desyncMitigationMode": "strictest",
    "enableDeletionProtection": True,
    "idleTimeout": 60,
    "tags": TAGS,
}
HTTPS = {
    "port": 443,
    "protocol": "HTTPS",
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "certificateArn": CERT_ARN,
    "loadBalancerArn": alb_arn(),
    "defaultActions": [
        {
            "type": "fixed-response",
            "fixedResponse": {"contentType": "application/json", "statusCode": "404"},
        }
    ],
    "tags": TAGS,
}
REDIRECT = {
    "type": "redirect",
    "redirect": {"protocol": "HTTPS", "port": "443", "statusCode": "HTTP_301"},
}
HTTP = {
    "port": 80,
    "protocol": "HTTP",
    "loadBalancerArn": alb_arn(),
    "defaultActions": [REDIRECT],
    "tags": TAGS,
}
NLB_TLS = {
    "port": 443,
    "protocol": "TLS",
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "certificateArn": CERT_ARN,
    "loadBalancerArn": alb_arn("grpc-nlb-5c2e1f0"),
    "defaultActions": [{"type": "forward", "targetGroupArn": tg_arn("grpc-tcp-8443")}],
    "tags": TAGS,
}
HEALTH = {
    "enabled": True,
    "path": "/health",
    "protocol": "HTTP",
    "matcher": "200",
    "interval": 5,
    "timeout": 4,
    "unhealthyThreshold": 2,
    "healthyThreshold": 2,
}
GOOD_TG = {
    "port": 8080,
    "protocol": "HTTP",
    "targetType": "instance",
    "vpcId": VPC_ID,
    "deregistrationDelay": 30,
    "healthCheck": HEALTH,
    "tags": TAGS,
}
HTTPS_IN = {
    "securityGroupId": ALB_SG,
    "ipProtocol": "tcp",
    "fromPort": 443,
    "toPort": 443,
    "cidrIpv4": "0.0.0.0/0",
    "description": "HTTPS from anywhere",
    "tags": TAGS,
}
SG_RULE_443 = {
    "type": "ingress",
    "securityGroupId": ALB_SG,
    "protocol": "tcp",
    "fromPort": 443,
    "toPort": 443,
    "cidrBlocks": ["0.0.0.0/0"],
    "description": "HTTPS from anywhere",
}
INLINE_SG = {
    "description": "serving ALB",
    "vpcId": VPC_ID,
    "ingress": [
        {
            "protocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrBlocks": ["0.0.0.0/0"],
            "ipv6CidrBlocks": ["::/0"],
            "description": "HTTPS from anywhere",
        },
        {
            "protocol": "icmp",
            "fromPort": 3,
            "toPort": 4,
            "cidrBlocks": ["0.0.0.0/0"],
            "description": "path MTU discovery",
        },
    ],
    "egress": [
        {
            "protocol": "tcp",
            "fromPort": 8080,
            "toPort": 8080,
            "cidrBlocks": ["10.20.0.0/16"],
            "description": "to the model servers",
        }
    ],
    "tags": TAGS,
}
GOOD_LT = {
    "imageId": "ami-0c1f3a8058fde8814",
    "instanceType": "g5.2xlarge",
    "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"},
    "blockDeviceMappings": [
        {
            "deviceName": "/dev/xvda",
            "ebs": {"encrypted": "true", "volumeType": "gp3", "volumeSize": 100},
        }
    ],
    "tags": TAGS,
}


@dataclass(frozen=True)
class Case:
    policy: str
    type: str
    good: dict[str, Any]
    bad: dict[str, Any]
    expect: str
    """Part of the violation message of ``bad``."""
    bad_type: str | None = None
    """The type of ``bad`` when it is not ``type`` (a policy on types)."""

    @property
    def bad_kind(self) -> str:
        return self.bad_type or self.type


GOOD_INSTANCE = {
    "ami": "ami-0c1f3a8058fde8814",
    "instanceType": "m7i.large",
    "subnetId": SUBNETS[0],
    "associatePublicIpAddress": False,
    "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"},
    "rootBlockDevice": {"encrypted": True, "volumeSize": 40},
    "ebsBlockDevices": [{"deviceName": "/dev/sdf", "encrypted": True, "volumeSize": 100}],
    "tags": TAGS,
}
GOOD_LC = {k: v for k, v in GOOD_INSTANCE.items() if k not in ("ami", "subnetId", "tags")} | {
    "imageId": "ami-0c1f3a8058fde8814"
}

RESOURCE_CASES = [
    Case("alb-access-logs-enabled", LB, GOOD_LB, with_(GOOD_LB, accessLogs={"bucket": BUCKET_NAME, "enabled": False}), "access logs are off"),
    Case("alb-access-logs-enabled", LB, GOOD_LB, without(GOOD_LB, "accessLogs"), "access logs are off"),
    Case("alb-access-logs-enabled", LB, GOOD_LB, with_(GOOD_LB, accessLogs={"bucket": "", "enabled": True}), "name no bucket"),
    Case("alb-drop-invalid-header-fields", LB, GOOD_LB, with_(GOOD_LB, dropInvalidHeaderFields=False), "dropInvalidHeaderFields is off"),
    Case("alb-drop-invalid-header-fields", LB, without(with_(GOOD_LB, loadBalancerType="network"), "dropInvalidHeaderFields"), without(GOOD_LB, "dropInvalidHeaderFields"), "dropInvalidHeaderFields is off"),
    Case("alb-desync-mitigation", LB, without(GOOD_LB, "desyncMitigationMode"), with_(GOOD_LB, desyncMitigationMode="monitor"), "desyncMitigationMode is 'monitor'"),
    Case("alb-deletion-protection", LB, GOOD_LB, without(GOOD_LB, "enableDeletionProtection"), "deletion protection is off"),
    Case("alb-multi-az", LB, GOOD_LB, with_(GOOD_LB, subnets=SUBNETS[:1]), "1 subnet(s); it needs at least 3"),
    Case("alb-multi-az", LB, with_(without(GOOD_LB, "subnets"), subnetMappings=[{"subnetId": s} for s in SUBNETS]), with_(GOOD_LB, subnets=SUBNETS[:2]), "2 subnet(s); it needs at least 3"),
    Case("alb-http-redirects-to-https", LISTENER, HTTP, with_(HTTP, defaultActions=[{"type": "forward", "targetGroupArn": tg_arn()}]), "HTTP listener on port 80 serves traffic (forward) instead of redirecting to HTTPS"),
    Case("alb-http-redirects-to-https", LISTENER, HTTP, with_(HTTP, defaultActions=[REDIRECT, {"type": "fixed-response", "fixedResponse": {"contentType": "text/plain", "statusCode": "200"}}]), "serves traffic (fixed-response)"),
    Case("alb-http-redirects-to-https", LISTENER, HTTPS, with_(HTTP, defaultActions=[{"type": "redirect", "redirect": {"port": "8080", "statusCode": "HTTP_302"}}]), "redirects to #{protocol} instead of HTTPS"),
    Case("alb-tls-policy-allowed", LISTENER, HTTPS, with_(HTTPS, sslPolicy="ELBSecurityPolicy-TLS-1-0-2015-04"), "TLS policy ELBSecurityPolicy-TLS-1-0-2015-04 is not allowed"),
    Case("alb-tls-policy-allowed", LISTENER, HTTPS, without(HTTPS, "sslPolicy"), "ELBSecurityPolicy-2016-08 allows TLS 1.0"),
    Case("alb-tls-policy-allowed", LISTENER, NLB_TLS, with_(NLB_TLS, sslPolicy="ELBSecurityPolicy-2016-08"), "TLS policy ELBSecurityPolicy-2016-08 is not allowed"),
    Case("alb-https-certificate", LISTENER, HTTPS, without(HTTPS, "certificateArn"), "HTTPS listener has no certificate"),
    Case("alb-https-certificate", LISTENER, NLB_TLS, with_(NLB_TLS, certificateArn=""), "TLS listener has no certificate"),
    Case("tg-health-check-enabled", TG, GOOD_TG, with_(GOOD_TG, healthCheck=with_(HEALTH, enabled=False)), "health checks are disabled"),
    Case("tg-health-check-enabled", TG, GOOD_TG, with_(GOOD_TG, healthCheck=without(HEALTH, "path")), "no explicit path"),
    Case("tg-health-check-enabled", TG, with_(GOOD_TG, protocol="TCP", healthCheck=with_(without(HEALTH, "path"), protocol="TCP")), with_(GOOD_TG, protocol="TCP", healthCheck=without(HEALTH, "path", "protocol")), "no explicit path"),
    Case("tg-failover-detection", TG, GOOD_TG, with_(GOOD_TG, healthCheck=with_(HEALTH, interval=30, unhealthyThreshold=3)), "failure detection takes 90s (30s x 3), above the 10s allowed"),
    Case("tg-failover-detection", TG, GOOD_TG, without(GOOD_TG, "healthCheck"), "takes 60s (30s x 2)"),
    Case("tg-health-check-timeout", TG, GOOD_TG, with_(GOOD_TG, healthCheck=with_(HEALTH, timeout=5)), "timeout 5s is not below the interval 5s"),
    Case("tg-health-check-timeout", TG, GOOD_TG, with_(GOOD_TG, healthCheck=without(HEALTH, "timeout", "interval", "unhealthyThreshold") | {"interval": 5}), "timeout 5s is not below the interval 5s"),
    Case("tg-deregistration-delay", TG, GOOD_TG, without(GOOD_TG, "deregistrationDelay"), "deregistration delay 300s is above the 120s allowed"),
    Case("sg-descriptions", INGRESS, HTTPS_IN, without(HTTPS_IN, "description"), "no description"),
    Case("sg-descriptions", SG, INLINE_SG, with_(INLINE_SG, description="Managed by Pulumi"), "no description"),
    Case("sg-descriptions", SG, INLINE_SG, with_(INLINE_SG, egress=[{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}]), "egress[0] has no description"),
    Case("required-tags", LB, GOOD_LB, with_(GOOD_LB, tags={"team": "ml-platform"}), "missing required tag(s): env, stack, managed-by, repo, cost-center"),
    Case("required-tags", TG, GOOD_TG, with_(GOOD_TG, tags={**TAGS, "cost-center": " "}), "missing required tag(s): cost-center"),
    Case("required-tags", ASG, {"minSize": 3, "maxSize": 12, "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in TAGS.items()]},
         {"minSize": 3, "maxSize": 12, "tags": [{"key": "Name", "value": "llm-chat", "propagateAtLaunch": True}]}, "missing required tag(s): team, env, stack"),
    Case("launch-template-imdsv2", LT, GOOD_LT, with_(GOOD_LT, metadataOptions={"httpTokens": "optional"}), "tokens are 'optional'"),
    Case("launch-template-imdsv2", LT, with_(GOOD_LT, metadataOptions={"httpEndpoint": "disabled"}), without(GOOD_LT, "metadataOptions"), "tokens are 'optional'"),
    Case("launch-template-encrypted-volumes", LT, GOOD_LT, with_(GOOD_LT, blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 100}}]), "blockDeviceMappings[0] (/dev/xvda) is not encrypted"),
    Case("launch-template-encrypted-volumes", LT, GOOD_LT, without(GOOD_LT, "blockDeviceMappings"), "no block device mapping for the root device"),
    Case("launch-template-encrypted-volumes", LT, GOOD_LT, with_(GOOD_LT, blockDeviceMappings=[{"deviceName": "/dev/sdf", "ebs": {"encrypted": "true"}}]), "no block device mapping for the root device"),
    Case("launch-template-imdsv2", INSTANCE, GOOD_INSTANCE, with_(GOOD_INSTANCE, metadataOptions={"httpTokens": "OPTIONAL"}), "tokens are 'optional'"),
    Case("launch-template-imdsv2", LAUNCH_CONFIGURATION, GOOD_LC, without(GOOD_LC, "metadataOptions"), "tokens are 'optional'"),
    Case("launch-template-encrypted-volumes", INSTANCE, GOOD_INSTANCE, with_(GOOD_INSTANCE, rootBlockDevice={"volumeSize": 40}), "rootBlockDevice is not encrypted"),
    Case("launch-template-encrypted-volumes", INSTANCE, GOOD_INSTANCE, without(GOOD_INSTANCE, "rootBlockDevice"), "no rootBlockDevice"),
    Case("launch-template-encrypted-volumes", LAUNCH_CONFIGURATION, GOOD_LC, with_(GOOD_LC, ebsBlockDevices=[{"deviceName": "/dev/sdf", "encrypted": "false"}]), "ebsBlockDevices[0] is not encrypted"),
    Case("allowed-resource-types", BUCKET, {"bucket": BUCKET_NAME, "tags": TAGS}, {"templateBody": "{}"}, "resource type aws:cloudformation/stack:Stack is not on the platform's allowlist", bad_type=CFN_STACK),
]  # fmt: skip

CASE_CONFIG = {
    "all": "mandatory",
    "alb-multi-az": {"minAvailabilityZones": 3},
    "tg-failover-detection": {"maxDetectionSeconds": 10},
    "sg-ingress-cidr-allowlist": {"allowedIngressCidrs": ["10.0.0.0/8"]},
    "required-tags": {"requiredTags": list(TAGS)},
}
"""The config the cases are judged with (prod-like, mandatory)."""


# ---- stacks ------------------------------------------------------------------------------------
def alb(name: str = "serving-alb", internal: bool = False) -> FakeResource:
    return FakeResource(
        LB,
        name,
        {
            "loadBalancerType": "application",
            "internal": internal,
            "subnets": SUBNETS,
            "securityGroups": [UNKNOWN],
            "arn": UNKNOWN,
            "tags": TAGS,
        },
    )


def listener(lb: FakeResource, protocol: str, name: str) -> FakeResource:
    props: dict[str, Any] = {
        "port": 443 if protocol == "HTTPS" else 80,
        "protocol": protocol,
        "loadBalancerArn": UNKNOWN,
        "arn": UNKNOWN,
        "defaultActions": [REDIRECT],
    }
    return make(LISTENER, name, props, loadBalancerArn=lb)


def rule(on: FakeResource, name: str, actions: list[dict[str, Any]]) -> FakeResource:
    return make(
        RULE, name, {"listenerArn": UNKNOWN, "priority": 22919, "actions": actions}, listenerArn=on
    )


FORWARD = [{"type": "forward", "targetGroupArn": UNKNOWN}]


def bucket() -> FakeResource:
    return FakeResource(
        BUCKET, "serving-logs", {"bucket": BUCKET_NAME, "arn": UNKNOWN, "tags": TAGS}
    )


def side(type_: str, b: FakeResource, props: dict[str, Any]) -> FakeResource:
    return make(
        type_,
        f"{b.name}-{type_.rsplit(':', maxsplit=1)[-1]}",
        {"bucket": UNKNOWN, **props},
        bucket=b,
    )


def tls_policy(deny: bool) -> str:
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{BUCKET_NAME}/access/AWSLogs/210987654321/*",
        }
    ]
    if deny:
        statements.insert(
            0,
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{BUCKET_NAME}", f"arn:aws:s3:::{BUCKET_NAME}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


ALL_BLOCKED: dict[str, Any] = dict.fromkeys(
    ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True
)
AES = {
    "rules": [
        {
            "applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"},
            "bucketKeyEnabled": False,
        }
    ]
}
KMS = {
    "rules": [
        {
            "applyServerSideEncryptionByDefault": {
                "sseAlgorithm": "aws:kms",
                "kmsMasterKeyId": "alias/alb-logs",
            }
        }
    ]
}


def security_group(inline: bool) -> list[FakeResource]:
    group = FakeResource(
        SG,
        "serving-sg-alb",
        {"description": "serving ALB", "vpcId": VPC_ID, "tags": TAGS}
        | ({"ingress": INLINE_SG["ingress"][:1]} if inline else {}),
    )
    ingress = make(
        INGRESS,
        "serving-sg-alb-in-443",
        with_(HTTPS_IN, securityGroupId=UNKNOWN),
        securityGroupId=group,
    )
    egress = make(
        EGRESS,
        "serving-sg-alb-out-8080",
        {
            "securityGroupId": UNKNOWN,
            "ipProtocol": "tcp",
            "fromPort": 8080,
            "toPort": 8080,
            "cidrIpv4": "10.20.0.0/16",
            "description": "to the model servers",
            "tags": TAGS,
        },
        securityGroupId=group,
    )
    return [group, ingress, egress]


def fleet(health_check_type: str, *, attachment: bool = False) -> list[FakeResource]:
    tg = FakeResource(TG, "srv-prod-llm-chat", with_(GOOD_TG, arn=UNKNOWN))
    props = {
        "minSize": 3,
        "maxSize": 12,
        "healthCheckType": health_check_type,
        "healthCheckGracePeriod": 300,
        "vpcZoneIdentifiers": SUBNETS,
        "launchTemplate": {"id": UNKNOWN, "version": "$Latest"},
    }
    if attachment:
        group = FakeResource(ASG, "llm-chat-fleet", props)
        attach = make(
            ASG_ATTACHMENT,
            "llm-chat-fleet-tg",
            {"autoscalingGroupName": UNKNOWN, "lbTargetGroupArn": UNKNOWN},
            autoscalingGroupName=group,
            lbTargetGroupArn=tg,
        )
        return [tg, group, attach]
    return [
        tg,
        make(ASG, "llm-chat-fleet", props | {"targetGroupArns": [UNKNOWN]}, targetGroupArns=tg),
    ]


StackBuilder = Callable[[], list[FakeResource]]


@dataclass(frozen=True)
class StackCase:
    policy: str
    good: StackBuilder
    bad: StackBuilder
    expect: str
    blamed: str
    """The logical name of the resource the violation is reported on."""


STACK_CASES = [
    StackCase("alb-https-listener-present",
              lambda: [lb := alb(), listener(lb, "HTTPS", "https"), listener(lb, "HTTP", "http")],
              lambda: [lb := alb(), listener(lb, "HTTP", "http"), alb("other-alb"), listener(lb, "HTTPS", "https")],
              "load balancer other-alb has no HTTPS listener", "other-alb"),
    StackCase("alb-https-listener-present",
              lambda: [lb := alb(), listener(lb, "HTTPS", "https")],
              lambda: [lb := alb(), listener(lb, "HTTP", "http")],
              "load balancer serving-alb has no HTTPS listener", "serving-alb"),
    StackCase("alb-http-rules-redirect-only",
              lambda: [lb := alb(), listener(lb, "HTTP", "http"), https := listener(lb, "HTTPS", "https"), rule(https, "chat", FORWARD)],
              lambda: [lb := alb(), http := listener(lb, "HTTP", "http"), listener(lb, "HTTPS", "https"), rule(http, "debug", FORWARD)],
              "rule debug on an HTTP listener serves traffic (forward)", "debug"),
    StackCase("alb-waf-associated",
              lambda: [lb := alb(), make(WAF, "serving-alb-waf", {"resourceArn": UNKNOWN, "webAclArn": WAF_ARN}, resourceArn=lb)],
              lambda: [alb()],
              "internet-facing load balancer serving-alb has no WAF web ACL association", "serving-alb"),
    StackCase("alb-waf-associated", lambda: [alb(internal=True)], lambda: [alb(internal=True), alb("public-alb")], "public-alb has no WAF", "public-alb"),
    StackCase("sg-no-world-ingress", lambda: one(INGRESS, HTTPS_IN), lambda: one(INGRESS, with_(HTTPS_IN, fromPort=8080, toPort=8080)),
              "rule under-test opens port 8080 to the world (0.0.0.0/0)", "under-test"),
    StackCase("sg-no-world-ingress", lambda: one(INGRESS, with_(HTTPS_IN, cidrIpv4=None, cidrIpv6="::/0")),
              lambda: one(INGRESS, with_(HTTPS_IN, ipProtocol="-1", fromPort=None, toPort=None, cidrIpv4=None, cidrIpv6="::/0")),
              "rule under-test opens all ports to the world (::/0)", "under-test"),
    StackCase("sg-no-world-ingress", lambda: one(SG_RULE, SG_RULE_443),
              lambda: one(SG_RULE, with_(SG_RULE_443, protocol="-1", fromPort=0, toPort=0, cidrBlocks=None, ipv6CidrBlocks=["::/0"])),
              "rule under-test opens all ports to the world (::/0)", "under-test"),
    StackCase("sg-no-world-ingress", lambda: one(SG, INLINE_SG),
              lambda: one(SG, with_(INLINE_SG, ingress=[{"protocol": "tcp", "fromPort": 8000, "toPort": 8999, "cidrBlocks": ["0.0.0.0/0"], "description": "models"}])),
              "ingress[0] opens ports 8000-8999 to the world (0.0.0.0/0)", "under-test"),
    StackCase("sg-no-world-ingress", lambda: split_world(port=443), lambda: split_world(port=22),
              "rule alb-in-low opens port 22 to the world (0.0.0.0/1)", "alb-in-low"),
    StackCase("sg-no-world-ingress", lambda: split_world(443, "11.0.0.0/8", "12.0.0.0/8"), lambda: split_world(22, "11.0.0.0/8", "12.0.0.0/8"),
              "rule alb-in-low opens port 22 to 11.0.0.0/8; with rule alb-in-high the group admits the world (11.0.0.0/8, 12.0.0.0/8)", "alb-in-low"),
    StackCase("sg-no-high-risk-ports", lambda: one(INGRESS, HTTPS_IN), lambda: one(INGRESS, with_(HTTPS_IN, fromPort=22, toPort=22)),
              "rule under-test opens high-risk port(s) 22 to the world (0.0.0.0/0)", "under-test"),
    StackCase("sg-no-high-risk-ports", lambda: one(INGRESS, with_(HTTPS_IN, cidrIpv4="10.0.0.0/8", fromPort=8080, toPort=8080)),
              lambda: one(INGRESS, with_(HTTPS_IN, fromPort=8000, toPort=9000)), "high-risk port(s) 8080, 8088, 8888", "under-test"),
    StackCase("sg-no-high-risk-ports", lambda: one(SG_RULE, SG_RULE_443), lambda: one(SG_RULE, with_(SG_RULE_443, protocol="-1", fromPort=0, toPort=0)),
              "high-risk port(s) 20, 21, 22, 23, 25, 110 and 18 more", "under-test"),
    StackCase("sg-no-high-risk-ports", lambda: world_prefix_list(port=443), lambda: world_prefix_list(port=22),
              "rule ssh-from-list opens high-risk port(s) 22 to the world (0.0.0.0/0 (prefix list everyone))", "ssh-from-list"),
    StackCase("sg-ingress-cidr-allowlist", lambda: one(INGRESS, with_(HTTPS_IN, cidrIpv4="10.20.0.0/16")), lambda: one(INGRESS, with_(HTTPS_IN, cidrIpv4="192.0.2.0/24")),
              "rule under-test admits 192.0.2.0/24, outside the allowlist", "under-test"),
    StackCase("sg-ingress-cidr-allowlist",
              lambda: one(SG, with_(INLINE_SG, ingress=[{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["10.1.0.0/16"], "description": "https"}])),
              lambda: one(SG, with_(INLINE_SG, ingress=[{"protocol": "tcp", "fromPort": 443, "toPort": 443, "ipv6CidrBlocks": ["2001:db8::/32"], "description": "https"}])),
              "ingress[0] admits 2001:db8::/32, outside the allowlist", "under-test"),
    StackCase("lb-no-cleartext-listeners", lambda: [lb := nlb(), nlb_listener(lb, "TLS")], lambda: [lb := nlb(), nlb_listener(lb, "tcp")],
              "TCP listener on port 8443 of internet-facing NLB grpc-nlb carries clear text", "grpc-nlb-listener"),
    StackCase("lb-no-cleartext-listeners", lambda: [lb := nlb(internal=True), nlb_listener(lb, "TCP")], lambda: [classic_elb()],
              "classic ELB legacy-elb listens for HTTP on port 80 from the internet", "legacy-elb"),
    StackCase("alb-access-log-bucket-in-stack", lambda: [bucket(), FakeResource(LB, "serving-alb", GOOD_LB)],
              lambda: [FakeResource(LB, "serving-alb", with_(GOOD_LB, accessLogs={"bucket": "someone-elses-logs", "enabled": True}))],
              "access logs go to bucket someone-elses-logs, which this stack does not create: its policy and encryption are checked after deploy by `make verify`", "serving-alb"),
    StackCase("s3-no-public-grants", lambda: [b := bucket(), side(BUCKET_POLICY, b, {"policy": tls_policy(deny=True)})],
              lambda: [b := bucket(), side(BUCKET_POLICY, b, {"policy": public_read_policy()})],
              'bucket serving-logs: serving-logs-BucketPolicy\'s policy allows Principal "*" (statement 0) with no condition narrowing who', "serving-logs"),
    StackCase("s3-no-public-grants", lambda: [b := bucket(), side(BUCKET_ACL, b, {"acl": "private"})], lambda: [b := bucket(), side(BUCKET_ACL, b, {"acl": "public-read"})],
              "bucket serving-logs: serving-logs-BucketAcl sets the canned ACL public-read", "serving-logs"),
    StackCase("compute-no-public-ip", lambda: [FakeResource(INSTANCE, "bastion", GOOD_INSTANCE)],
              lambda: [FakeResource(INSTANCE, "bastion", with_(GOOD_INSTANCE, associatePublicIpAddress=True))],
              "associatePublicIpAddress is true", "bastion"),
    StackCase("resource-links-consistent", lambda: [b := bucket(), side(PAB, b, ALL_BLOCKED)],
              lambda: [b := bucket(), side(PAB, b, {**ALL_BLOCKED, "bucket": "someone-elses-bucket"})],
              f"serving-logs-BucketPublicAccessBlock.bucket depends on serving-logs but names someone-elses-bucket, not serving-logs's bucket {BUCKET_NAME}",
              "serving-logs-BucketPublicAccessBlock"),
    StackCase("sg-no-mixed-rule-styles", lambda: security_group(inline=False), lambda: security_group(inline=True),
              "security group serving-sg-alb has inline rules and 2 standalone rule(s)", "serving-sg-alb"),
    StackCase("s3-public-access-blocked", lambda: [b := bucket(), side(PAB, b, ALL_BLOCKED)],
              lambda: [b := bucket(), side(PAB, b, {**ALL_BLOCKED, "restrictPublicBuckets": False})],
              "bucket serving-logs: public access block leaves restrictPublicBuckets off", "serving-logs"),
    StackCase("s3-public-access-blocked", lambda: [b := bucket(), side(PAB, b, ALL_BLOCKED)], lambda: [bucket()],
              "bucket serving-logs has no public access block", "serving-logs"),
    StackCase("s3-sse-s3", lambda: [b := bucket(), side(SSE, b, AES)], lambda: [b := bucket(), side(SSE, b, KMS)],
              "bucket serving-logs uses aws:kms: ALB access-log delivery fails with SSE-KMS", "serving-logs"),
    StackCase("s3-sse-s3", lambda: [with_bucket_props(serverSideEncryptionConfiguration={"rule": AES["rules"][0]})], lambda: [bucket()],
              "bucket serving-logs has no server-side encryption configuration", "serving-logs"),
    StackCase("s3-tls-only", lambda: [b := bucket(), side(BUCKET_POLICY, b, {"policy": tls_policy(deny=True)})],
              lambda: [b := bucket(), side(BUCKET_POLICY, b, {"policy": tls_policy(deny=False)})],
              "bucket serving-logs has no policy denying non-TLS requests", "serving-logs"),
    StackCase("s3-acls-disabled", lambda: [b := bucket(), side(OWNERSHIP, b, {"rule": {"objectOwnership": "BucketOwnerEnforced"}})],
              lambda: [b := bucket(), side(OWNERSHIP, b, {"rule": {"objectOwnership": "ObjectWriter"}})],
              "bucket serving-logs still allows ACLs", "serving-logs"),
    StackCase("asg-elb-health-check", lambda: fleet("ELB"), lambda: fleet("EC2"),
              "group llm-chat-fleet is behind a target group with health check type EC2", "llm-chat-fleet"),
    StackCase("asg-elb-health-check", lambda: fleet("ELB", attachment=True), lambda: fleet("EC2", attachment=True),
              "group llm-chat-fleet is behind a target group with health check type EC2", "llm-chat-fleet"),
]  # fmt: skip


def nlb(internal: bool = False) -> FakeResource:
    return FakeResource(
        LB,
        "grpc-nlb",
        {
            "loadBalancerType": "network",
            "internal": internal,
            "subnets": SUBNETS,
            "arn": UNKNOWN,
            "tags": TAGS,
        },
    )


def nlb_listener(lb: FakeResource, protocol: str) -> FakeResource:
    props = with_(NLB_TLS, protocol=protocol, port=8443, loadBalancerArn=UNKNOWN, arn=UNKNOWN)
    return make(LISTENER, "grpc-nlb-listener", props, loadBalancerArn=lb)


def classic_elb() -> FakeResource:
    listeners = [
        {"instancePort": 8080, "instanceProtocol": "http", "lbPort": 80, "lbProtocol": "http"}
    ]
    return FakeResource(
        CLASSIC_ELB, "legacy-elb", {"subnets": SUBNETS, "listeners": listeners, "tags": TAGS}
    )


def public_read_policy() -> str:
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": ["*"]},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET_NAME}/*",
    }
    return json.dumps({"Version": "2012-10-17", "Statement": statement})


def one(type_: str, props: dict[str, Any]) -> list[FakeResource]:
    """A stack of one resource, named ``under-test``."""
    return [FakeResource(type_, "under-test", props)]


def split_world(port: int, low: str = "0.0.0.0/1", high: str = "128.0.0.0/1") -> list[FakeResource]:
    """The ALB's group opened on ``port`` by two rules, one source each."""
    group = FakeResource(
        SG, "serving-sg-alb", {"description": "serving ALB", "vpcId": VPC_ID, "tags": TAGS}
    )
    return [group] + [
        make(
            INGRESS,
            f"alb-in-{part}",
            with_(HTTPS_IN, securityGroupId=UNKNOWN, fromPort=port, toPort=port, cidrIpv4=cidr),
            securityGroupId=group,
        )
        for part, cidr in (("low", low), ("high", high))
    ]


def world_prefix_list(port: int) -> list[FakeResource]:
    """A rule whose source is a prefix list the stack defines with 0.0.0.0/0 in it."""
    pl = FakeResource(
        PREFIX_LIST,
        "everyone",
        {
            "addressFamily": "IPv4",
            "maxEntries": 5,
            "entries": [{"cidr": "0.0.0.0/0", "description": "all"}],
            "id": UNKNOWN,
            "tags": TAGS,
        },
    )
    rule = make(
        INGRESS,
        "ssh-from-list",
        with_(without(HTTPS_IN, "cidrIpv4"), fromPort=port, toPort=port, prefixListId=UNKNOWN),
        prefixListId=pl,
    )
    return [pl, rule]


def with_bucket_props(**props: Any) -> FakeResource:
    b = bucket()
    b.inputs.update(props)
    b.outputs.update(props)
    return b


# The bootstrap stack's guardrails (iam, kms, state_bucket) keep their cases in their own module.
from tests.policies import bootstrap_cases  # noqa: E402

RESOURCE_CASES += bootstrap_cases.resource_cases(Case)
STACK_CASES += bootstrap_cases.stack_cases(StackCase)
