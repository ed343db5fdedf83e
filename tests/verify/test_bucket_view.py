"""The access-log bucket's reads and checks against recorded AWS answers (botocore's Stubber), for
what moto cannot show: ``ExpectedBucketOwner`` refused with 403 (moto ignores the parameter), a
role without ``s3:ListAllMyBuckets``, a read that is denied, and bucket policies in AWS's shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from shared.serving_outputs import ServingOutputs
from tests.verify.test_checks import staging_outputs
from tooling.verify.bucket_view import BucketView, fetch_bucket
from tooling.verify.checks.bucket_policy import log_delivery_check, tls_only_check
from tooling.verify.checks.log_bucket import bucket_checks

BUCKET = "serving-staging-alb-logs-210987654321-eu-west-1"
ACCOUNT = "210987654321"
PREFIX = f"access/AWSLogs/{ACCOUNT}/"
ELB = "arn:aws:iam::156460612806:root"
OWNED = {"Bucket": BUCKET, "ExpectedBucketOwner": ACCOUNT}


@pytest.fixture
def s3() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.session.Session(
        region_name="eu-west-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x"
    ).client("s3")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def policy(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


ARN = f"arn:aws:s3:::{BUCKET}"
TLS_ONLY = {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": ["s3:*"], "Resource": [ARN, f"{ARN}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}  # fmt: skip
DELIVERY = {"Effect": "Allow", "Principal": {"AWS": [ELB]}, "Action": "s3:PutObject",
            "Resource": f"{ARN}/*/AWSLogs/{ACCOUNT}/*"}  # fmt: skip


def outputs() -> ServingOutputs:
    return staging_outputs(
        log_bucket_settings={"writer_principal": {"AWS": ELB}, "retention_days": 90}
    )


def read(client: Any, caller: str | None = ACCOUNT) -> BucketView:
    return fetch_bucket(client, BUCKET, account=ACCOUNT, caller_account=caller, log_prefix=PREFIX)


def _owned_reads(stubber: Stubber, *, policy_doc: dict[str, Any] | None) -> None:
    """What AWS answers for the stack's bucket, call by call, in the order they are made."""
    stubber.add_response("get_bucket_acl", {"Owner": {"ID": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}, "Grants": []}, OWNED)  # fmt: skip
    stubber.add_response("get_bucket_location", {"LocationConstraint": "eu-west-1"}, OWNED)
    stubber.add_response("get_public_access_block", {"PublicAccessBlockConfiguration": {
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}}, OWNED)  # fmt: skip
    stubber.add_response("get_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}, "BucketKeyEnabled": False}]}}, OWNED)  # fmt: skip
    if policy_doc is None:
        stubber.add_client_error(
            "get_bucket_policy", "AccessDenied", "Access Denied", 403, expected_params=OWNED
        )
    else:
        stubber.add_response("get_bucket_policy", {"Policy": json.dumps(policy_doc)}, OWNED)
    stubber.add_response("get_bucket_versioning", {}, OWNED)
    stubber.add_response("get_bucket_lifecycle_configuration", {"Rules": [
        {"ID": "expire-logs", "Status": "Enabled", "Filter": {}, "Expiration": {"Days": 90}}]}, OWNED)  # fmt: skip
    stubber.add_response("get_bucket_ownership_controls", {"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}}, OWNED)  # fmt: skip
    stubber.add_response("list_objects_v2", {"KeyCount": 0, "Name": BUCKET, "Prefix": PREFIX}, {**OWNED, "Prefix": PREFIX, "MaxKeys": 1})  # fmt: skip


def test_a_bucket_aws_refuses_as_the_accounts_is_someone_elses(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_client_error("head_bucket", "403", "Forbidden", 403, expected_params=OWNED)
    view = read(client)
    assert view.ownership == "refused"
    (check,) = bucket_checks(outputs(), view)
    assert (check.name, check.status) == ("exists in the stack's account", "fail")
    assert check.detail == (
        f"s3://{BUCKET} is owned by another account: AWS refuses ExpectedBucketOwner={ACCOUNT}"
        " (403; or verify's role may not read it);"
        " the ALB's logs go to someone else"
    )


def test_a_bucket_that_is_gone(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_client_error("head_bucket", "404", "Not Found", 404, expected_params=OWNED)
    assert read(client).ownership == "missing"


def test_without_list_all_my_buckets_expected_bucket_owner_decides(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_response("head_bucket", {}, OWNED)
    stubber.add_client_error(
        "list_buckets", "AccessDenied", "Access Denied", 403, expected_params={"Prefix": BUCKET}
    )
    _owned_reads(stubber, policy_doc=policy(TLS_ONLY, DELIVERY))
    view = read(client)
    assert view.ownership == "owned"
    checks = {c.name: c for c in bucket_checks(outputs(), view)}
    assert [n for n, c in checks.items() if c.status != "pass"] == ["versioning", "log objects"]
    assert checks["log objects"].status == "warn"


def test_a_caller_of_another_account_does_not_list_buckets(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_response("head_bucket", {}, OWNED)
    _owned_reads(stubber, policy_doc=policy(TLS_ONLY, DELIVERY))
    assert read(client, caller="999999999999").ownership == "owned"


def test_a_read_that_is_denied_is_a_warning_naming_the_permission(s3: tuple[Any, Stubber]) -> None:
    client, stubber = s3
    stubber.add_response("head_bucket", {}, OWNED)
    stubber.add_response(
        "list_buckets", {"Buckets": [{"Name": BUCKET}], "Owner": {"ID": "x"}}, {"Prefix": BUCKET}
    )
    _owned_reads(stubber, policy_doc=None)
    checks = {c.name: c for c in bucket_checks(outputs(), read(client))}
    assert (checks["TLS-only policy"].status, checks["TLS-only policy"].detail) == (
        "warn",
        "cannot read the bucket policy (AccessDenied)",
    )
    assert checks["log delivery policy"].fix == f"let verify's role read it (s3:Get* on {BUCKET})"


def test_settings_that_cannot_be_read_are_warnings_not_drift() -> None:
    view = _view(
        unreadable={
            "versioning": "AccessDenied",
            "lifecycle": "AccessDenied",
            "object ownership": "AccessDenied",
        }
    )
    checks = {c.name: c for c in bucket_checks(outputs(), view)}
    assert {n: (c.status, c.detail) for n, c in checks.items() if n in ("versioning", "log expiry", "object ownership")} == {
        "object ownership": ("warn", "cannot read the object ownership (AccessDenied)"),
        "versioning": ("warn", "cannot read the versioning (AccessDenied)"),
        "log expiry": ("warn", "cannot read the lifecycle (AccessDenied)"),
    }  # fmt: skip


def _view(**fields: Any) -> BucketView:
    return BucketView(BUCKET, ACCOUNT, "owned", **fields)


@pytest.mark.parametrize(
    ("statement", "ok"),
    [
        (TLS_ONLY, True),
        ({**TLS_ONLY, "Principal": "*", "Action": "*", "Resource": [ARN, f"{ARN}/*"]}, True),
        ({**TLS_ONLY, "Resource": f"{ARN}/*"}, False),  # the bucket itself is left out
        ({**TLS_ONLY, "Action": ["s3:GetObject"]}, False),
        ({**TLS_ONLY, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, False),
        ({**TLS_ONLY, "Effect": "Allow"}, False),
    ],
)  # fmt: skip
def test_the_tls_only_statement_in_its_shapes(statement: dict[str, Any], ok: bool) -> None:
    assert (tls_only_check(_view(policy=policy(statement)), outputs()).status == "pass") is ok


@pytest.mark.parametrize(
    ("statement", "status"),
    [
        (DELIVERY, "pass"),
        ({**DELIVERY, "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}}, "fail"),
        ({**DELIVERY, "Resource": f"{ARN}/access/AWSLogs/{ACCOUNT}/*"}, "fail"),  # connection logs left out
        ({**DELIVERY, "Action": ["s3:Put*"]}, "pass"),
        ({**DELIVERY, "Effect": "Deny"}, "fail"),
    ],
)  # fmt: skip
def test_the_log_delivery_grant_in_its_shapes(statement: dict[str, Any], status: str) -> None:
    check = log_delivery_check(_view(policy=policy(statement)), outputs(), ["access", "connection"])
    assert check.status == status


def test_a_grant_whose_writer_the_stack_does_not_export_is_a_warning() -> None:
    old = staging_outputs()
    check = log_delivery_check(_view(policy=policy(DELIVERY)), old, ["access"])
    assert check.status == "warn"
    assert check.fix == "export log_bucket_settings.writer_principal from the serving stack"


def test_sse_kms_fails_with_the_reason() -> None:
    view = _view(
        region="eu-west-1",
        public_access_block=dict.fromkeys(("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True),
        encryption=[{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/logs"}}],
        policy=policy(TLS_ONLY, DELIVERY), object_ownership="BucketOwnerEnforced", versioning="Enabled",
        lifecycle=[{"Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 90}}], log_object=f"{PREFIX}x",
    )  # fmt: skip
    failed = [c for c in bucket_checks(outputs(), view) if c.status != "pass"]
    assert [(c.name, c.detail) for c in failed] == [("encryption", "aws:kms (expected AES256)")]
    assert failed[0].fix is not None and failed[0].fix.endswith(
        "ALB log delivery cannot write with SSE-KMS"
    )
