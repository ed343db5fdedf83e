"""What every S3 bucket this repository creates gets: no public access, no ACLs, SSE-S3, and a
policy that denies requests without TLS. One place, so the serving stack's log bucket and the
bootstrap stack's state bucket cannot drift apart (the pack checks both the same way).

SSE-S3 rather than SSE-KMS: ALB access-log delivery cannot write to a KMS-encrypted bucket, and
the state bucket's secrets are encrypted by the Pulumi secrets provider's own KMS key.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def deny_insecure_transport(bucket_arn: str) -> dict[str, object]:
    """The policy statement that refuses every request to the bucket and its objects without TLS."""
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def lock_down(
    name: str, bucket: aws.s3.Bucket, opts: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """Public access blocked, ACLs disabled, SSE-S3 for ``bucket`` (``opts``: its children's).

    Returns the access block and the ownership controls: a bucket policy must wait for both.
    """
    block = aws.s3.BucketPublicAccessBlock(
        name,
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=opts,
    )
    ownership = aws.s3.BucketOwnershipControls(
        name,
        bucket=bucket.id,
        rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
        opts=opts,
    )
    default = (
        aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256"
        )
    )
    aws.s3.BucketServerSideEncryptionConfiguration(
        name,
        bucket=bucket.id,
        rules=[
            aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                apply_server_side_encryption_by_default=default
            )
        ],
        opts=opts,
    )
    return [block, ownership]
