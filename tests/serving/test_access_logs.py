"""The access-log bucket: private, SSE-S3, TLS-only, log delivery grant, expiry, prod retention."""

from __future__ import annotations

import json

from tests.serving.conftest import BUCKET, BUCKET_POLICY
from tooling.mock_runtime import Rendered


def test_public_access_is_fully_blocked_and_acls_disabled(dev: Rendered) -> None:
    block = dev.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert {
        k: block.inputs[k]
        for k in (
            "blockPublicAcls",
            "blockPublicPolicy",
            "ignorePublicAcls",
            "restrictPublicBuckets",
        )
    } == dict.fromkeys(
        ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True
    )
    ownership = dev.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}


def test_sse_s3_not_kms(dev: Rendered) -> None:
    sse = dev.one(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "AES256"
    }


def test_policy_denies_plain_http_and_grants_the_regions_elb_account(dev: Rendered) -> None:
    bucket = dev.one(BUCKET)
    policy = json.loads(dev.one(BUCKET_POLICY).inputs["policy"])
    deny, allow = policy["Statement"]
    arn = bucket.outputs["arn"]
    assert deny["Effect"] == "Deny"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Resource"] == [arn, f"{arn}/*"]
    # eu-west-1 predates August 2022: its ELB account writes the logs
    assert allow["Principal"] == {"AWS": "arn:aws:iam::156460612806:root"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Resource"] == [
        f"{arn}/access/AWSLogs/210987654321/*",
        f"{arn}/connection/AWSLogs/210987654321/*",
    ]


def test_newer_regions_grant_the_log_delivery_service() -> None:
    from serving_stack.access_logs import log_writer_principal

    assert log_writer_principal("ap-southeast-5") == {
        "Service": "logdelivery.elasticloadbalancing.amazonaws.com"
    }


def test_logs_are_versioned_and_expire(prod: Rendered, dev: Rendered) -> None:
    """CKV_AWS_21: versioning keeps an overwritten or deleted log; old versions expire too."""
    for rendered, days in ((dev, 90), (prod, 365)):
        versioning = rendered.one("aws:s3/bucketVersioning:BucketVersioning")
        assert versioning.inputs["versioningConfiguration"] == {"status": "Enabled"}
        lifecycle = rendered.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
        expire, markers = lifecycle.inputs["rules"]
        assert expire["expiration"] == {"days": days}
        assert expire["noncurrentVersionExpiration"] == {"noncurrentDays": 30}
        assert expire["status"] == markers["status"] == "Enabled"
        assert markers["expiration"] == {"expiredObjectDeleteMarker": True}
        assert versioning.urn in lifecycle.dependencies  # AWS: versioning before lifecycle


def test_prod_bucket_is_protected_and_retained(prod: Rendered, dev: Rendered) -> None:
    bucket = prod.one(BUCKET)
    assert bucket.protect
    assert bucket.retain_on_delete
    assert bucket.inputs["forceDestroy"] is False
    assert not dev.one(BUCKET).protect
    assert dev.one(BUCKET).inputs["forceDestroy"] is True


def test_a_retained_bucket_stays_locked_down(prod: Rendered, dev: Rendered) -> None:
    """Destroying prod leaves the bucket with its access block, encryption, expiry and policy."""
    for rendered, retained in ((prod, True), (dev, False)):
        bucket = rendered.one(BUCKET)
        sides = [r for r in rendered.resources if r.parent == bucket.urn]
        assert sorted(r.type.rsplit(":", 1)[1] for r in sides) == [
            "BucketLifecycleConfiguration",
            "BucketOwnershipControls",
            "BucketPolicy",
            "BucketPublicAccessBlock",
            "BucketServerSideEncryptionConfiguration",
            "BucketVersioning",
        ]
        assert all(r.retain_on_delete is retained for r in sides)
        assert all(r.inputs["bucket"] == bucket.outputs["bucket"] for r in sides)


def test_the_bucket_name_is_fixed_so_a_preview_knows_its_policy(dev: Rendered) -> None:
    bucket = dev.one(BUCKET)
    assert bucket.inputs["bucket"] == "serving-dev-alb-logs-210987654321-eu-west-1"
    policy = json.loads(dev.one(BUCKET_POLICY).inputs["policy"])
    assert (
        policy["Statement"][0]["Resource"][0]
        == "arn:aws:s3:::serving-dev-alb-logs-210987654321-eu-west-1"
    )
