"""The facts layer on its own: IAM semantics, links by dependency or value, canonical values."""

from __future__ import annotations

from typing import Any

import pytest

from guardrails import iam_documents as iam
from guardrails import links
from guardrails.normalize import ip_protocol, split_list, upper
from guardrails.resource import Resource
from guardrails.values import UNKNOWN

BUCKET = "serving-prod-alb-logs"
ARNS = [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*", f"arn:aws:s3:::{BUCKET}/a/b.log"]
DENY: dict[str, Any] = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"Condition": {"Bool": {"aws:securetransport": "false"}}},
        {"Condition": {"Bool": {"AWS:SecureTransport": ["false"]}}},
        {"Condition": {"BoolIfExists": {"aws:SecureTransport": False}}},
        {"Condition": {"bool": {"aws:SecureTransport": "FALSE"}}},
        {"Action": ["s3:*"]},
        {"Action": "*"},
        {"Action": ["s3:GetObject", "S3:*"]},
        {"Principal": {"AWS": "*"}},
        {"Principal": {"AWS": ["*"]}},
        {"Resource": "*"},
        {"Resource": "arn:aws:s3:::*"},
        {"Resource": f"arn:aws:s3:::{BUCKET}*"},
        {"Effect": "deny"},
    ],
)
def test_every_valid_spelling_of_the_tls_only_deny_counts(changes: dict[str, Any]) -> None:
    assert iam.denies_insecure_transport({**DENY, **changes}, ARNS) is True


@pytest.mark.parametrize(
    "changes",
    [
        {"Action": "s3:GetObject"},
        {"Action": ["s3:Get*", "s3:Put*"]},
        {"Resource": f"arn:aws:s3:::{BUCKET}"},
        {"Resource": f"arn:aws:s3:::{BUCKET}/access/*"},
        {"Resource": [f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/?"]},
        {"Resource": "arn:aws:s3:::other-bucket/*"},
        {"Principal": {"AWS": "arn:aws:iam::210987654321:role/ci"}},
        {"Effect": "Allow"},
        {"Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {"Condition": {"Bool": {"aws:SecureTransport": "false", "aws:ViaAWSService": "false"}}},
        {"Condition": {"Bool": {"aws:SecureTransport": "false"}, "IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}},
        {"Condition": {"StringEquals": {"aws:SecureTransport": "false"}}},
        {"NotAction": "s3:GetObject"},
        {"NotPrincipal": {"AWS": "arn:aws:iam::210987654321:root"}},
    ],
)  # fmt: skip
def test_a_deny_that_leaves_a_way_in_does_not_count(changes: dict[str, Any]) -> None:
    assert iam.denies_insecure_transport({**DENY, **changes}, ARNS) is False


def test_an_unknown_part_of_the_deny_is_undecided() -> None:
    assert iam.denies_insecure_transport({**DENY, "Resource": [UNKNOWN]}, ARNS) is None
    assert iam.statements(UNKNOWN) is None
    assert iam.statements('{"Statement": {"Effect": "Deny"}}') == [{"Effect": "Deny"}]


ALLOW = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        (ALLOW, True),
        ({**ALLOW, "Principal": {"AWS": ["*"]}}, True),
        ({**ALLOW, "Condition": {"Bool": {"aws:SecureTransport": "true"}}}, True),
        (
            {**ALLOW, "Condition": {"IpAddress": {"aws:SourceIp": ["0.0.0.0/1", "128.0.0.0/1"]}}},
            True,
        ),
        ({**ALLOW, "Condition": {"StringNotEquals": {"aws:SourceAccount": "210987654321"}}}, True),
        ({**ALLOW, "Condition": {"StringEquals": {"aws:SourceAccount": "210987654321"}}}, False),
        ({**ALLOW, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}, False),
        ({**ALLOW, "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}, False),
        (
            {**ALLOW, "Principal": {"Service": "logdelivery.elasticloadbalancing.amazonaws.com"}},
            False,
        ),
        ({**ALLOW, "Effect": "Deny"}, False),
    ],
)
def test_allowing_everyone_is_judged_by_who_gets_in(
    statement: dict[str, Any], public: bool
) -> None:
    assert iam.allows_everyone(statement) is public


def resource(name: str, props: dict[str, Any], **deps: Resource) -> Resource:
    return Resource(
        "aws:s3/bucketPolicy:BucketPolicy" if deps else "aws:s3/bucket:Bucket",
        name,
        f"urn:{name}",
        props,
        property_dependencies={k: [v.urn] for k, v in deps.items()},
    )


def test_a_link_follows_a_dependency_or_a_known_value() -> None:
    logs = resource("logs", {"bucket": BUCKET, "arn": f"arn:aws:s3:::{BUCKET}"})
    other = resource("other", {"bucket": "other"})
    by_dependency = resource("p1", {"bucket": UNKNOWN}, bucket=logs)
    by_value = resource("p2", {"bucket": BUCKET})
    by_arn_tail = resource("p3", {"bucket": f"arn:aws:s3:::{BUCKET}"})
    pointed_elsewhere = resource("p4", {"bucket": "other"}, bucket=logs)
    for source in (by_dependency, by_value, by_arn_tail):
        assert links.SIDE_BUCKET.follow(source, [logs, other]).leads_to(logs), source.name
    link = links.SIDE_BUCKET.follow(pointed_elsewhere, [logs, other])
    assert link.leads_to(other) and not link.leads_to(logs)
    assert [m.name for m in link.mismatched] == ["logs"]


def test_a_literal_value_in_a_preview_may_name_a_resource_whose_id_is_unknown() -> None:
    new = resource("new", {})  # a preview knows neither its name nor its ARN
    link = links.SIDE_BUCKET.follow(resource("p", {"bucket": "legacy"}), [new])
    assert link.targets == [] and [m.name for m in link.maybe] == ["new"]
    link = links.SIDE_BUCKET.follow(resource("p", {"bucket": "legacy"}), [])
    assert link.external == ["legacy"] and not link.maybe


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [("tcp", "TCP"), ("6", "TCP"), (6.0, "TCP"), ("17", "UDP"), ("-1", "ALL"), ("all", "ALL"), (None, "ALL"), ("58", "ICMPV6"), ("47", "47")],
)  # fmt: skip
def test_protocols_have_one_spelling(raw: Any, canonical: str) -> None:
    assert ip_protocol(raw) == canonical


def test_listener_values_and_comma_lists_are_canonical() -> None:
    assert upper(" https ") == "HTTPS" and upper(None, default="HTTP") == "HTTP"
    assert upper(UNKNOWN) is UNKNOWN
    assert split_list("ELB, ebs") == ["ELB", "EBS"] and split_list(UNKNOWN) is UNKNOWN
