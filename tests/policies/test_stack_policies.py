"""Every stack policy: compliant and violating stacks, directly and through ``AnalyzeStack``.

Resources are linked the way the engine links them: by the property dependencies of the input that
refers to another resource (never by ARN value, which a preview does not know).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from guardrails import GUARDRAILS
from guardrails.meta import STACK_CHECKS, UNKNOWN, Resource, effective_config
from tests.policies.conftest import SUBNETS, TAGS, FakeResource, make, wire
from tooling.policy_analyzer import PolicyPackAnalyzer

LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
WAF = "aws:wafv2/webAclAssociation:WebAclAssociation"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
BUCKET = "aws:s3/bucket:Bucket"
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
POLICY = "aws:s3/bucketPolicy:BucketPolicy"
OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
WAF_ARN = "arn:aws:wafv2:eu-west-1:210987654321:regional/webacl/ml-serving-prod/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
BUCKET_NAME = "serving-prod-alb-logs-210987654321-eu-west-1"


def alb(internal: bool = False) -> FakeResource:
    return FakeResource(
        LB,
        "serving-alb",
        {
            "loadBalancerType": "application",
            "internal": internal,
            "subnets": SUBNETS,
            "arn": UNKNOWN,
            "tags": TAGS,
        },
    )


def listener(lb: FakeResource, protocol: str, name: str) -> FakeResource:
    return make(
        LISTENER,
        name,
        {
            "port": 443 if protocol == "HTTPS" else 80,
            "protocol": protocol,
            "loadBalancerArn": UNKNOWN,
        },
        loadBalancerArn=lb,
    )


def bucket() -> FakeResource:
    return FakeResource(
        BUCKET,
        "serving-logs",
        {"bucket": BUCKET_NAME, "arn": f"arn:aws:s3:::{BUCKET_NAME}", "tags": TAGS},
    )


def tls_policy(deny: bool) -> str:
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::156460612806:root"},
            "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{BUCKET_NAME}/access/*",
        }
    ]
    if deny:
        statements.insert(
            0,
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": f"arn:aws:s3:::{BUCKET_NAME}/*",
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
        )
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def side(type_: str, b: FakeResource, props: dict[str, Any]) -> FakeResource:
    return make(
        type_,
        f"{b.name}-{type_.rsplit(':', maxsplit=1)[-1]}",
        {"bucket": BUCKET_NAME, **props},
        bucket=b,
    )


ALL_BLOCKED: dict[str, Any] = dict.fromkeys(
    ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True
)
AES = {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}}]}


def _sg(inline: bool) -> list[FakeResource]:
    group = FakeResource(
        SG,
        "serving-alb-sg",
        {
            "description": "alb",
            "tags": TAGS,
            **(
                {
                    "ingress": [
                        {
                            "protocol": "tcp",
                            "fromPort": 443,
                            "toPort": 443,
                            "cidrBlocks": ["10.0.0.0/8"],
                            "description": "https",
                        }
                    ]
                }
                if inline
                else {}
            ),
        },
    )
    rule = make(
        INGRESS,
        "alb-in-443",
        {
            "securityGroupId": UNKNOWN,
            "ipProtocol": "tcp",
            "fromPort": 443,
            "toPort": 443,
            "cidrIpv4": "10.0.0.0/8",
            "description": "https",
        },
        securityGroupId=group,
    )
    return [group, rule]


StackBuilder = Callable[[], list[FakeResource]]
CASES: list[tuple[str, StackBuilder, StackBuilder, str]] = [
    ("alb-https-listener-present",
     lambda: [lb := alb(), listener(lb, "HTTPS", "https"), listener(lb, "HTTP", "http")],
     lambda: [lb := alb(), listener(lb, "HTTP", "http")],
     "load balancer serving-alb has no HTTPS listener"),
    ("alb-http-rules-redirect-only",
     lambda: [lb := alb(), listener(lb, "HTTP", "http"), https := listener(lb, "HTTPS", "https"),
              make(RULE, "chat", {"listenerArn": UNKNOWN, "priority": 22919, "actions": [{"type": "forward", "targetGroupArn": UNKNOWN}]}, listenerArn=https)],
     lambda: [lb := alb(), http := listener(lb, "HTTP", "http"),
              make(RULE, "debug", {"listenerArn": UNKNOWN, "priority": 10, "actions": [{"type": "forward", "targetGroupArn": UNKNOWN}]}, listenerArn=http)],
     "rule debug on an HTTP listener serves traffic (forward)"),
    ("alb-waf-associated",
     lambda: [lb := alb(), make(WAF, "waf", {"resourceArn": UNKNOWN, "webAclArn": WAF_ARN}, resourceArn=lb)],
     lambda: [alb()],
     "internet-facing load balancer serving-alb has no WAF web ACL association"),
    ("alb-waf-associated", lambda: [alb(internal=True)], lambda: [alb(), alb(internal=True)], "has no WAF"),
    ("sg-no-mixed-rule-styles", lambda: _sg(inline=False), lambda: _sg(inline=True), "security group serving-alb-sg has inline rules and 1 standalone rule(s)"),
    ("s3-public-access-blocked",
     lambda: [b := bucket(), side(PAB, b, ALL_BLOCKED)],
     lambda: [b := bucket(), side(PAB, b, {**ALL_BLOCKED, "restrictPublicBuckets": False})],
     "public access block leaves restrictPublicBuckets off"),
    ("s3-public-access-blocked", lambda: [b := bucket(), side(PAB, b, ALL_BLOCKED)], lambda: [bucket()], "has no public access block"),
    ("s3-sse-s3",
     lambda: [b := bucket(), side(SSE, b, AES)],
     lambda: [b := bucket(), side(SSE, b, {"rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/logs"}}]})],
     "uses aws:kms: ALB access-log delivery fails with SSE-KMS"),
    ("s3-tls-only",
     lambda: [b := bucket(), side(POLICY, b, {"policy": tls_policy(deny=True)})],
     lambda: [b := bucket(), side(POLICY, b, {"policy": tls_policy(deny=False)})],
     "has no policy denying non-TLS requests"),
    ("s3-acls-disabled",
     lambda: [b := bucket(), side(OWNERSHIP, b, {"rule": {"objectOwnership": "BucketOwnerEnforced"}})],
     lambda: [b := bucket(), side(OWNERSHIP, b, {"rule": {"objectOwnership": "ObjectWriter"}})],
     "still allows ACLs"),
]  # fmt: skip


def _plain(resources: list[FakeResource]) -> list[Resource]:
    return [
        Resource(r.type, r.name, r.urn, r.outputs, None, r.dependencies, r.property_dependencies)
        for r in resources
    ]


def _wire(resources: list[FakeResource]) -> list[FakeResource]:
    for r in resources:
        r.inputs = wire(r.inputs)
        r.outputs = wire(r.outputs)
    return resources


@pytest.mark.parametrize(
    ("policy", "good", "bad", "expect"), CASES, ids=[f"{c[0]}-{c[3][:25]}" for c in CASES]
)
def test_direct_call(policy: str, good: StackBuilder, bad: StackBuilder, expect: str) -> None:
    check = STACK_CHECKS[policy]
    config = effective_config(GUARDRAILS[policy], None)
    assert check(_plain(good()), config) == []
    violations = check(_plain(bad()), config)
    assert any(expect in message for _, message in violations), violations


@pytest.mark.parametrize(
    ("policy", "good", "bad", "expect"), CASES, ids=[f"{c[0]}-{c[3][:25]}" for c in CASES]
)
def test_through_analyze_stack_in_preview_mode(
    pack: PolicyPackAnalyzer, policy: str, good: StackBuilder, bad: StackBuilder, expect: str
) -> None:
    """Computed outputs (ARNs) are unknown: the verdicts come from property dependencies."""
    pack.configure({"all": "mandatory"})
    result = pack.analyze_stack(_wire(good()))
    assert result.of(policy) == []
    assert not [d for d in result.diagnostics if "during preview" in d.message]
    violations = pack.analyze_stack(_wire(bad())).of(policy)
    assert any(expect in v.detail for v in violations), [v.detail for v in violations]
    assert {v.level for v in violations} == {"mandatory"}
    assert all(v.urn.startswith("urn:pulumi:prod::serving::") for v in violations)


def test_through_analyze_stack_in_update_mode(pack: PolicyPackAnalyzer) -> None:
    """Known ARNs everywhere: the same verdicts."""
    pack.configure({"all": "mandatory"})
    lb = alb()
    lb.outputs["arn"] = (
        "arn:aws:elasticloadbalancing:eu-west-1:210987654321:loadbalancer/app/serving-alb-3a0bd19/3a0bd194de54e842"
    )
    http = listener(lb, "HTTP", "http")
    http.outputs["loadBalancerArn"] = lb.outputs["arn"]
    assert pack.analyze_stack([lb, http]).of("alb-https-listener-present")
    https = listener(lb, "HTTPS", "https")
    https.outputs["loadBalancerArn"] = lb.outputs["arn"]
    assert pack.analyze_stack([lb, http, https]).of("alb-https-listener-present") == []


def test_an_unknown_bucket_policy_is_checked_at_update_not_guessed(
    pack: PolicyPackAnalyzer,
) -> None:
    pack.configure({"all": "mandatory"})
    b = bucket()
    resources = _wire([b, side(POLICY, b, {"policy": UNKNOWN})])
    result = pack.analyze_stack(resources)
    assert result.of("s3-tls-only") == []
    assert not [d for d in result.diagnostics if "during preview" in d.message]


def test_every_stack_policy_has_a_case() -> None:
    assert {c[0] for c in CASES} == set(STACK_CHECKS)
