"""``StateBucket``: the S3 bucket every other stack keeps its Pulumi state in.

Secure and durable by default: versioned (a bad write or a deletion is one restore away), all
public access blocked, ACLs disabled, SSE-S3 (secret values in the state are already encrypted by
each env's KMS key), a policy denying requests without TLS, old versions expired after a
retention, incomplete uploads aborted. The bucket is ``protect``ed and retained on delete, and so
are its side resources: deleting the stack never deletes the state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.buckets import deny_insecure_transport, lock_down

PURPOSE_TAG = {"purpose": "pulumi-state"}
"""Marks the bucket as a state bucket (the policy pack requires versioning on such buckets)."""


@dataclass(frozen=True)
class StateBucketArgs:
    bucket_name: str
    """Explicit, so ``make bootstrap`` knows the backend URL before the stack exists."""
    partition: str
    version_retention_days: int = 90


def tls_only_policy(bucket_arn: str) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [deny_insecure_transport(bucket_arn)]})


class StateBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    arn: str
    """Known before the bucket exists (its name is), so every policy that names it is too."""

    def __init__(
        self, name: str, args: StateBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:bootstrap:StateBucket", name, None, opts)
        self.arn = f"arn:{args.partition}:s3:::{args.bucket_name}"
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=False,
            tags={**PURPOSE_TAG, "Name": args.bucket_name},
            opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True),
        )
        kept = pulumi.ResourceOptions(parent=self.bucket, retain_on_delete=True)
        aws.s3.BucketVersioning(
            name,
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=kept,
        )
        locked = lock_down(name, self.bucket, kept)
        self._expire(name, args, kept)
        aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.id,
            policy=tls_only_policy(self.arn),
            opts=pulumi.ResourceOptions.merge(kept, pulumi.ResourceOptions(depends_on=locked)),
        )
        self.register_outputs({"bucket": self.bucket.bucket})

    def _expire(self, name: str, args: StateBucketArgs, kept: pulumi.ResourceOptions) -> None:
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=self.bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-old-state-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.version_retention_days
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=7
                    ),
                )
            ],
            opts=kept,
        )
