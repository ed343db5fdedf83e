"""Checkov findings the stacks accept, each with its reason (the README lists them too).

A finding not listed here fails ``make compliance``; a listed one that no longer fails is stale
(``tests/compliance`` fails on it, so the list stays true).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Accepted:
    check: str
    terraform_type: str
    reason: str


ACCEPTED = [
    Accepted(
        "CKV_AWS_260",
        "aws_vpc_security_group_ingress_rule",
        "A public ALB's port 80 only redirects to HTTPS (held by the pack's "
        "alb-http-redirects-to-https and alb-http-rules-redirect-only); closing it would fail "
        "every client that types http://.",
    ),
    Accepted(
        "CKV_AWS_158",
        "aws_cloudwatch_log_group",
        "CloudWatch Logs encrypts every log group with a key of its own; a customer-managed key is "
        "one config key away (serving:logs.kmsKeyArn, network:flowLogKmsKeyArn) once its key policy "
        "lets CloudWatch Logs use it.",
    ),
    Accepted(
        "CKV_AWS_145",
        "aws_s3_bucket",
        "ALB access-log delivery supports SSE-S3 only: the log bucket cannot use SSE-KMS.",
    ),
    Accepted(
        "CKV_AWS_144",
        "aws_s3_bucket",
        "Access logs stay in the ALB's region (AWS requires it); versioning keeps a deleted or "
        "overwritten log, and replication would double the cost of a year of logs.",
    ),
    Accepted(
        "CKV_AWS_18",
        "aws_s3_bucket",
        "Logging access to the access-log bucket needs yet another bucket; only the ELB log-delivery "
        "service may write to this one, over TLS, and nothing public can read it.",
    ),
    Accepted(
        "CKV2_AWS_62",
        "aws_s3_bucket",
        "Nothing consumes the log bucket's events; notifications would be a queue nobody reads.",
    ),
    Accepted(
        "CKV2_AWS_76",
        "aws_lb",
        "The web ACL (serving:wafAclArn) is the security team's, defined outside this stack; its "
        "rule groups (the Log4j AMR among them) are checked where it is defined.",
    ),
    Accepted(
        "CKV_AWS_378",
        "aws_lb_target_group",
        "Inside the VPC the ALB speaks HTTP to targets that admit only its security group; a model "
        "opts in to TLS end to end with backendProtocol: HTTPS.",
    ),
]


def accepted(check: str, terraform_type: str) -> Accepted | None:
    return next(
        (a for a in ACCEPTED if (a.check, a.terraform_type) == (check, terraform_type)), None
    )


def markdown_table() -> str:
    """The README's table of accepted findings."""
    rows = ["| check | resource | why it stays |", "|---|---|---|"]
    rows += [f"| `{a.check}` | `{a.terraform_type}` | {a.reason} |" for a in ACCEPTED]
    return "\n".join(rows)
