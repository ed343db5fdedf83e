"""Rendered serving stacks, shared per module: rendering costs a few hundred milliseconds."""

from __future__ import annotations

from typing import Any

import pytest

from tooling.mock_runtime import Rendered, RenderError, render

ALB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
RULE = "aws:lb/listenerRule:ListenerRule"
TG = "aws:lb/targetGroup:TargetGroup"
ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG = "aws:ec2/securityGroup:SecurityGroup"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
ENI_SG_ATTACHMENT = (
    "aws:ec2/networkInterfaceSecurityGroupAttachment:NetworkInterfaceSecurityGroupAttachment"
)
CERTIFICATE = "aws:acm/certificate:Certificate"
CERTIFICATE_VALIDATION = "aws:acm/certificateValidation:CertificateValidation"
RECORD = "aws:route53/record:Record"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"

CERT_ARN = "arn:aws:acm:eu-west-1:210987654321:certificate/5f3c2b1a-8d4e-4f6a-9b7c-1e2d3c4b5a69"
SEED_INSTANCES = ["i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802"]


def seed_config(**extra: Any) -> dict[str, Any]:
    """The seed's case in one short block: one model on a few existing instances."""
    return {
        "aws:region": "eu-west-1",
        "serving:costCenter": "ml-platform-test",
        "serving:scheme": "internet-facing",
        "serving:allowedCidrs": ["198.51.100.0/24"],
        "serving:certificate": {"arn": CERT_ARN},
        "serving:models": [{"name": "sentiment", "instances": SEED_INSTANCES}],
        **extra,
    }


def render_serving(
    env: str = "dev", config: dict[str, Any] | None = None, **kwargs: Any
) -> Rendered:
    from tooling.mock_runtime.render import config_text

    values = None if config is None else {k: config_text(v) for k, v in config.items()}
    return render("serving", env, config=values, **kwargs)


def render_error(
    env: str = "dev", config: dict[str, Any] | None = None, **kwargs: Any
) -> RenderError:
    with pytest.raises(RenderError) as caught:
        render_serving(env, config, **kwargs)
    return caught.value


@pytest.fixture(scope="module")
def dev() -> Rendered:
    return render("serving", "dev")


@pytest.fixture(scope="module")
def staging() -> Rendered:
    return render("serving", "staging")


@pytest.fixture(scope="module")
def prod() -> Rendered:
    return render("serving", "prod")


ENVS = ["dev", "staging", "prod"]


@pytest.fixture
def rendered(request: pytest.FixtureRequest) -> Rendered:
    """The committed env named by the test's ``env`` parameter, from the module-scoped renders."""
    return request.getfixturevalue(request.node.callspec.params["env"])
