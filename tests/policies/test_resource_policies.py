"""Every resource policy: a compliant and a violating case, called directly and through the pack.

Through the pack the cases run in update mode (all values known) and in preview mode (the values a
preview cannot know are sent as the engine's unknown sentinel); prod's config makes them mandatory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from guardrails import GUARDRAILS
from guardrails.meta import RESOURCE_CHECKS, UNKNOWN, Resource, effective_config
from tests.policies.conftest import (
    CERT_ARN,
    SUBNETS,
    TAGS,
    FakeResource,
    alb_arn,
    make,
    tg_arn,
    wire,
)
from tooling.policy_analyzer import PolicyPackAnalyzer

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TG = "aws:lb/targetGroup:TargetGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ASG = "aws:autoscaling/group:Group"
LT = "aws:ec2/launchTemplate:LaunchTemplate"

GOOD_LB = {
    "loadBalancerType": "application",
    "internal": False,
    "subnets": SUBNETS,
    "securityGroups": ["sg-0c1d2e3f4a5b6c7d8"],
    "accessLogs": {
        "bucket": "serving-prod-alb-logs-210987654321-eu-west-1",
        "enabled": True,
        "prefix": "access",
    },
    "dropInvalidHeaderFields": True,
    "desyncMitigationMode": "strictest",
    "enableDeletionProtection": True,
    "tags": TAGS,
}
HTTPS = {
    "port": 443,
    "protocol": "HTTPS",
    "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09",
    "certificateArn": CERT_ARN,
    "loadBalancerArn": alb_arn(),
    "defaultActions": [{"type": "forward", "targetGroupArn": tg_arn()}],
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
GOOD_TG = {
    "port": 8080,
    "protocol": "HTTP",
    "vpcId": "vpc-0a1b2c3d4e5f67890",
    "deregistrationDelay": 30,
    "healthCheck": {
        "enabled": True,
        "path": "/health",
        "interval": 5,
        "timeout": 4,
        "unhealthyThreshold": 2,
        "healthyThreshold": 2,
    },
    "tags": TAGS,
}
ALB_SG = "sg-0c1d2e3f4a5b6c7d8"
HTTPS_IN = {
    "securityGroupId": ALB_SG,
    "ipProtocol": "tcp",
    "fromPort": 443,
    "toPort": 443,
    "cidrIpv4": "0.0.0.0/0",
    "description": "HTTPS from anywhere",
    "tags": TAGS,
}
GOOD_LT = {
    "imageId": "ami-0c1f3a8058fde8814",
    "instanceType": "g5.2xlarge",
    "metadataOptions": {"httpEndpoint": "enabled", "httpTokens": "required"},
    "blockDeviceMappings": [
        {"deviceName": "/dev/xvda", "ebs": {"encrypted": "true", "volumeType": "gp3"}}
    ],
    "tags": TAGS,
}
GOOD_ASG = {
    "minSize": 3,
    "maxSize": 12,
    "healthCheckType": "ELB",
    "targetGroupArns": [tg_arn()],
    "vpcZoneIdentifiers": SUBNETS,
    "tags": [{"key": k, "value": v, "propagateAtLaunch": True} for k, v in TAGS.items()],
}


def _with(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, **changes}


@dataclass(frozen=True)
class Case:
    policy: str
    type: str
    good: dict[str, Any]
    bad: dict[str, Any]
    expect: str
    preview: dict[str, Any] | None = None
    """Compliant props as a preview sees them (unknowns in place of computed values)."""


CASES = [
    Case("alb-access-logs-enabled", LB, GOOD_LB, _with(GOOD_LB, accessLogs={"bucket": "x-logs", "enabled": False}), "access logs are off",
         _with(GOOD_LB, accessLogs={"bucket": UNKNOWN, "enabled": True})),
    Case("alb-access-logs-enabled", LB, GOOD_LB, {k: v for k, v in GOOD_LB.items() if k != "accessLogs"}, "access logs are off"),
    Case("alb-drop-invalid-header-fields", LB, GOOD_LB, _with(GOOD_LB, dropInvalidHeaderFields=False), "dropInvalidHeaderFields is off"),
    Case("alb-desync-mitigation", LB, GOOD_LB, _with(GOOD_LB, desyncMitigationMode="monitor"), "desyncMitigationMode is 'monitor'"),
    Case("alb-deletion-protection", LB, GOOD_LB, _with(GOOD_LB, enableDeletionProtection=False), "deletion protection is off"),
    Case("alb-multi-az", LB, GOOD_LB, _with(GOOD_LB, subnets=SUBNETS[:1]), "1 subnet(s); it needs at least 3",
         _with(GOOD_LB, subnets=[UNKNOWN, UNKNOWN, UNKNOWN])),
    Case("alb-http-redirects-to-https", LISTENER, HTTP, _with(HTTP, defaultActions=[{"type": "forward", "targetGroupArn": tg_arn()}]), "serves traffic (forward)",
         _with(HTTP, loadBalancerArn=UNKNOWN)),
    Case("alb-http-redirects-to-https", LISTENER, HTTP, _with(HTTP, defaultActions=[REDIRECT, {"type": "fixed-response"}]), "serves traffic (fixed-response)"),
    Case("alb-tls-policy-allowed", LISTENER, HTTPS, _with(HTTPS, sslPolicy="ELBSecurityPolicy-TLS-1-0-2015-04"), "TLS policy ELBSecurityPolicy-TLS-1-0-2015-04 is not allowed",
         _with(HTTPS, loadBalancerArn=UNKNOWN, certificateArn=UNKNOWN)),
    Case("alb-tls-policy-allowed", LISTENER, HTTPS, {k: v for k, v in HTTPS.items() if k != "sslPolicy"}, "ELBSecurityPolicy-2016-08 allows TLS 1.0"),
    Case("alb-https-certificate", LISTENER, HTTPS, {k: v for k, v in HTTPS.items() if k != "certificateArn"}, "no certificate",
         _with(HTTPS, certificateArn=UNKNOWN)),
    Case("tg-health-check-enabled", TG, GOOD_TG, _with(GOOD_TG, healthCheck={"enabled": False}), "health checks are disabled"),
    Case("tg-health-check-enabled", TG, GOOD_TG, _with(GOOD_TG, healthCheck={"enabled": True, "interval": 5, "timeout": 4}), "no explicit path"),
    Case("tg-failover-detection", TG, GOOD_TG, _with(GOOD_TG, healthCheck={"path": "/health", "interval": 30, "unhealthyThreshold": 3}), "failure detection takes 90s (30s x 3), above the 10s allowed",
         _with(GOOD_TG, vpcId=UNKNOWN)),
    Case("tg-failover-detection", TG, GOOD_TG, {k: v for k, v in GOOD_TG.items() if k != "healthCheck"}, "takes 60s (30s x 2)"),
    Case("tg-health-check-timeout", TG, GOOD_TG, _with(GOOD_TG, healthCheck={"path": "/health", "interval": 5, "timeout": 5}), "timeout 5s is not below the interval 5s"),
    Case("tg-deregistration-delay", TG, GOOD_TG, {k: v for k, v in GOOD_TG.items() if k != "deregistrationDelay"}, "deregistration delay 300s is above the 120s allowed"),
    Case("sg-no-world-ingress", INGRESS, HTTPS_IN, _with(HTTPS_IN, fromPort=8080, toPort=8080), "rule opens port 8080 to 0.0.0.0/0",
         _with(HTTPS_IN, securityGroupId=UNKNOWN)),
    Case("sg-no-world-ingress", SG_RULE, {"type": "ingress", "securityGroupId": ALB_SG, "protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "description": "https"},
         {"type": "ingress", "securityGroupId": ALB_SG, "protocol": "-1", "fromPort": 0, "toPort": 0, "ipv6CidrBlocks": ["::/0"], "description": "all"}, "rule opens all ports to ::/0"),
    Case("sg-no-world-ingress", SG, {"description": "alb", "ingress": [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"], "description": "https"}], "tags": TAGS},
         {"description": "alb", "ingress": [{"protocol": "tcp", "fromPort": 8000, "toPort": 8999, "cidrBlocks": ["0.0.0.0/0"], "description": "models"}], "tags": TAGS}, "ingress[0] opens ports 8000-8999 to 0.0.0.0/0"),
    Case("sg-no-high-risk-ports", INGRESS, HTTPS_IN, _with(HTTPS_IN, fromPort=22, toPort=22), "high-risk port(s) 22"),
    Case("sg-no-high-risk-ports", INGRESS, _with(HTTPS_IN, cidrIpv4="10.0.0.0/8", fromPort=8080, toPort=8080), _with(HTTPS_IN, fromPort=8000, toPort=9000), "high-risk port(s) 8080, 8088, 8888"),
    Case("sg-ingress-cidr-allowlist", INGRESS, _with(HTTPS_IN, cidrIpv4="10.20.0.0/16"), _with(HTTPS_IN, cidrIpv4="192.0.2.0/24"), "admits 192.0.2.0/24, outside the allowlist"),
    Case("sg-descriptions", INGRESS, HTTPS_IN, {k: v for k, v in HTTPS_IN.items() if k != "description"}, "no description"),
    Case("sg-descriptions", SG, {"description": "alb", "tags": TAGS}, {"description": "alb", "egress": [{"protocol": "-1", "fromPort": 0, "toPort": 0, "cidrBlocks": ["0.0.0.0/0"]}], "tags": TAGS}, "egress[0] has no description"),
    Case("required-tags", LB, GOOD_LB, _with(GOOD_LB, tags={"team": "ml-platform"}), "missing required tag(s): env, stack, managed-by, repo, cost-center",
         _with(GOOD_LB, tags={**TAGS, "Name": UNKNOWN})),
    Case("required-tags", ASG, GOOD_ASG, _with(GOOD_ASG, tags=[{"key": "Name", "value": "llm", "propagateAtLaunch": True}]), "missing required tag(s): team, env"),
    Case("asg-elb-health-check", ASG, GOOD_ASG, _with(GOOD_ASG, healthCheckType="EC2"), "health check type is EC2",
         _with(GOOD_ASG, targetGroupArns=[UNKNOWN], vpcZoneIdentifiers=[UNKNOWN])),
    Case("launch-template-imdsv2", LT, GOOD_LT, _with(GOOD_LT, metadataOptions={"httpTokens": "optional"}), "tokens are 'optional'",
         _with(GOOD_LT, imageId=UNKNOWN)),
    Case("launch-template-encrypted-volumes", LT, GOOD_LT, _with(GOOD_LT, blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"volumeSize": 40}}]), "blockDeviceMappings[0] (/dev/xvda) is not encrypted"),
]  # fmt: skip

PROD = {
    "all": "mandatory",
    "alb-multi-az": {"minAvailabilityZones": 3},
    "tg-failover-detection": {"maxDetectionSeconds": 10},
    "sg-ingress-cidr-allowlist": {"allowedIngressCidrs": ["10.0.0.0/8"]},
    "required-tags": {"requiredTags": list(TAGS)},
}


def _ids(case: Case) -> str:
    return f"{case.policy}-{case.type.split(':')[-1]}-{case.expect[:20]}"


def _direct(case: Case, props: dict[str, Any]) -> list[str]:
    types, check = RESOURCE_CHECKS[case.policy]
    assert case.type in types
    config = effective_config(
        GUARDRAILS[case.policy],
        PROD.get(case.policy) if isinstance(PROD.get(case.policy), dict) else None,
    )  # type: ignore[arg-type]
    return check(
        Resource(case.type, "example", "urn:pulumi:prod::serving::t::example", props), config
    )


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_direct_call(case: Case) -> None:
    assert _direct(case, case.good) == []
    messages = _direct(case, case.bad)
    assert any(case.expect in m for m in messages), messages


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_through_the_pack_in_update_mode(pack: PolicyPackAnalyzer, case: Case) -> None:
    pack.configure(PROD)
    good = pack.analyze(FakeResource(case.type, "good", case.good))
    assert good.of(case.policy) == []
    bad = pack.analyze(FakeResource(case.type, "bad", case.bad)).of(case.policy)
    assert len(bad) >= 1
    assert any(case.expect in d.detail for d in bad), [d.detail for d in bad]
    assert {d.level for d in bad} == {"mandatory"}
    assert bad[0].urn == "urn:pulumi:prod::serving::" + case.type + "::bad"


@pytest.mark.parametrize("case", [c for c in CASES if c.preview is not None], ids=_ids)
def test_through_the_pack_in_preview_mode(pack: PolicyPackAnalyzer, case: Case) -> None:
    assert case.preview is not None
    pack.configure(PROD)
    result = pack.analyze(FakeResource(case.type, "new", wire(case.preview)))
    assert result.of(case.policy) == []
    # no policy gave up on an unknown value ("can't run policy during preview")
    assert not [d for d in result.diagnostics if "during preview" in d.message]
    # and the violating case is still caught when only the computed values are unknown
    unknown = {
        k: v
        for k, v in case.preview.items()
        if v is UNKNOWN and case.bad.get(k) == case.good.get(k)
    }
    bad = wire({**case.bad, **unknown})
    assert pack.analyze(FakeResource(case.type, "new-bad", bad)).of(case.policy)


def test_every_resource_policy_has_a_case() -> None:
    covered = {c.policy for c in CASES}
    assert covered == set(RESOURCE_CHECKS)


def test_a_load_balancer_made_with_make_links_inputs() -> None:
    alb = FakeResource(LB, "serving-alb", GOOD_LB)
    listener = make(LISTENER, "https", HTTPS, loadBalancerArn=alb)
    assert listener.property_dependencies == {"loadBalancerArn": [alb.urn]}
