"""Rendered serving stacks: the fixture envs (``tests/fixtures/stacks``) and configs built here,
each rendered once per session (``tests/renders.py``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.renders import fixture_config, shared_render
from tooling.mock_runtime import Rendered, RenderError, render
from tooling.mock_runtime.render import config_text

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
SERVICE_NAME = "sentiment.ml-dev.acme-corp.com"
AMI = "ami-0c1f3a8058fde8814"
"""The fake account's x86_64 ECS AMI (``FakeAwsAccount.ami_id``)."""
SEED_INSTANCES = ["i-0d3c5e7a9b1f24680", "i-0e4d6f8b0c2a35791", "i-0f5e7a9c1d3b46802"]


def seed_config(**extra: Any) -> dict[str, Any]:
    """The seed's case in one short block: one model on a few existing instances."""
    return {
        "aws:region": "eu-west-1",
        "serving:costCenter": "ml-platform-test",
        "serving:scheme": "internet-facing",
        "serving:allowedCidrs": ["198.51.100.0/24"],
        "serving:certificate": {"arn": CERT_ARN, "names": [SERVICE_NAME, "*.ml.acme-corp.com"]},
        "serving:models": [{"name": "sentiment", "instances": SEED_INSTANCES}],
        **extra,
    }


def render_serving(
    env: str = "dev", config: dict[str, Any] | None = None, **kwargs: Any
) -> Rendered:
    """The serving stack for ``config`` (default: the env's fixture config), shared when it can be."""
    if not kwargs:
        return shared_render("serving", env, config)
    values = fixture_config("serving", env) if config is None else config
    return render("serving", env, config={k: config_text(v) for k, v in values.items()}, **kwargs)


def render_error(
    env: str = "dev", config: dict[str, Any] | None = None, **kwargs: Any
) -> RenderError:
    with pytest.raises(RenderError) as caught:
        render_serving(env, config, **kwargs)
    return caught.value


@pytest.fixture
def dev() -> Rendered:
    return shared_render("serving", "dev")


@pytest.fixture
def staging() -> Rendered:
    return shared_render("serving", "staging")


@pytest.fixture
def prod() -> Rendered:
    return shared_render("serving", "prod")


ENVS = ["dev", "staging", "prod"]


@pytest.fixture
def rendered(request: pytest.FixtureRequest) -> Rendered:
    """The committed env named by the test's ``env`` parameter, from the module-scoped renders."""
    return request.getfixturevalue(request.node.callspec.params["env"])
