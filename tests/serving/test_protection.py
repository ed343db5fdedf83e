"""In prod the front door is protected, and nothing a model brings is: a model can be added,
removed or rolled out in prod without a `pulumi state unprotect`; elsewhere nothing is protected."""

from __future__ import annotations

from typing import Any

import pytest

from tests.serving.conftest import render_serving
from tooling.mock_runtime import Rendered

WAF = "arn:aws:wafv2:eu-west-1:210987654321:regional/webacl/ml-serving-prod/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b"
FLEET = {
    "image": "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat:1.0",
    "ami": "latest",
    "minSize": 3,
}

FRONT_DOOR = {
    "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/listener:Listener",
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:wafv2/webAclAssociation:WebAclAssociation",
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketVersioning:BucketVersioning",
}


def _config() -> dict[str, Any]:
    return {
        "aws:region": "eu-west-1",
        "serving:costCenter": "ml-platform-test",
        "serving:scheme": "internet-facing",
        "serving:public": True,
        "serving:wafAclArn": WAF,
        "serving:certificate": {"domain": "api.ml.acme-corp.com", "zone": "ml.acme-corp.com"},
        "serving:dns": {"zone": "ml.acme-corp.com", "name": "api.ml.acme-corp.com"},
        "serving:models": [
            {"name": "chat", "route": {"pathPrefix": "/v1/chat"}, "fleet": FLEET},
            {"name": "embed", "route": {"host": "embed.ml.acme-corp.com"}, "fleet": FLEET},
        ],
    }


@pytest.fixture(scope="module")
def prod() -> Rendered:
    return render_serving("prod", _config())


def _protected(rendered: Rendered) -> set[tuple[str, str]]:
    return {(r.type, r.name) for r in rendered.created if r.protect}


def _descendants(rendered: Rendered, urn: str) -> list[Any]:
    children = [r for r in rendered.created if r.parent == urn]
    return children + [d for c in children for d in _descendants(rendered, c.urn)]


def test_prod_protects_the_front_door_and_nothing_of_a_model(prod: Rendered) -> None:
    protected = _protected(prod)
    assert {t for t, _ in protected} == FRONT_DOOR | {"aws:route53/record:Record"}
    records = {n for t, n in protected if t == "aws:route53/record:Record"}
    assert records == {
        "serving-alias",
        "serving-cert-validation",
        "serving-cert-validation-embed.ml.acme-corp.com",
    }
    assert not [r for r in prod.created if r.protect and r.type.startswith("aws:vpc/")]
    for group in prod.of_type("aws:lb/targetGroup:TargetGroup"):
        below = _descendants(prod, group.urn)
        assert len(below) > 10  # the fleet, its role, template, group, policy, and the alarms
        assert not group.protect and not [r.name for r in below if r.protect]
    assert not [r.name for r in prod.of_type("aws:lb/listenerRule:ListenerRule") if r.protect]


def test_elsewhere_nothing_is_protected() -> None:
    assert _protected(render_serving("staging", _config())) == set()
