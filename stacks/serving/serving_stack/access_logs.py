"""``AlbLogBucket``: the encrypted, private S3 bucket the ALB writes access and connection logs to.

Secure by default: all public access blocked, ACLs disabled (bucket-owner-enforced), SSE-S3 (ALB log
delivery does not support SSE-KMS), a bucket policy that denies plain HTTP and grants the region's
ELB log delivery ``s3:PutObject`` under the log prefixes only, versioning (an overwritten or deleted
log keeps its old version for 30 days), and a lifecycle rule that expires logs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from shared.buckets import deny_insecure_transport, lock_down

ACCESS_LOG_PREFIX = "access"
CONNECTION_LOG_PREFIX = "connection"

# Regions available before August 2022 deliver ALB logs from a regional ELB account; newer regions
# use the log-delivery service principal.
LEGACY_ELB_REGIONS = frozenset(
    {
        "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
        "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
        "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
        "eu-south-1", "eu-north-1", "me-south-1", "sa-east-1", "us-gov-west-1", "us-gov-east-1",
        "cn-north-1", "cn-northwest-1",
    }
)  # fmt: skip
LOG_DELIVERY_SERVICE = "logdelivery.elasticloadbalancing.amazonaws.com"
NONCURRENT_DAYS = 30
"""How long an overwritten or deleted log version is kept."""


@dataclass(frozen=True)
class AlbLogBucketArgs:
    bucket_name: str
    """Set explicitly (not auto-named) so that the bucket policy is known already in a preview,
    where the policy pack checks it."""
    retention_days: int
    region: str
    account_id: str
    protect: bool = False
    """Protect the bucket and keep it (retain on delete), and keep its public access block,
    ownership, encryption, lifecycle and TLS-only policy with it: prod keeps its audit trail."""


def log_writer_principal(region: str) -> dict[str, str]:
    if region in LEGACY_ELB_REGIONS:
        return {"AWS": aws.elb.get_service_account(region=region).arn}
    return {"Service": LOG_DELIVERY_SERVICE}


def bucket_policy_document(
    bucket_arn: str, region: str, account_id: str, principal: dict[str, str]
) -> str:
    writes = [
        f"{bucket_arn}/{prefix}/AWSLogs/{account_id}/*"
        for prefix in (ACCESS_LOG_PREFIX, CONNECTION_LOG_PREFIX)
    ]
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                deny_insecure_transport(bucket_arn),
                {
                    "Sid": "AllowElbLogDelivery",
                    "Effect": "Allow",
                    "Principal": principal,
                    "Action": "s3:PutObject",
                    "Resource": writes,
                },
            ],
        },
        sort_keys=False,
    )


class AlbLogBucket(pulumi.ComponentResource):
    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy
    """The ALB must depend on this: AWS checks the grant when access logs are turned on."""

    def __init__(
        self, name: str, args: AlbLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("acme:serving:AlbLogBucket", name, None, opts)
        bucket_opts = pulumi.ResourceOptions(
            parent=self, protect=args.protect, retain_on_delete=args.protect
        )
        self.bucket = aws.s3.Bucket(
            name,
            bucket=args.bucket_name,
            force_destroy=not args.protect,
            opts=bucket_opts,
        )
        # A retained bucket stays locked down: its side resources are retained with it.
        child = pulumi.ResourceOptions(parent=self.bucket, retain_on_delete=args.protect)
        locked = lock_down(name, self.bucket, child)
        self._expire(name, args, child)
        principal = log_writer_principal(args.region)
        self.policy = aws.s3.BucketPolicy(
            name,
            bucket=self.bucket.id,
            policy=bucket_policy_document(
                f"arn:aws:s3:::{args.bucket_name}", args.region, args.account_id, principal
            ),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=locked)),
        )
        self.register_outputs({"bucket": self.bucket.bucket})

    def _expire(self, name: str, args: AlbLogBucketArgs, child: pulumi.ResourceOptions) -> None:
        """Versioned (an overwrite or delete keeps the old log), expired after the retention."""
        versioning = aws.s3.BucketVersioning(
            name,
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(
                status="Enabled"
            ),
            opts=child,
        )
        lifecycle = aws.s3.BucketLifecycleConfigurationRuleArgs
        aws.s3.BucketLifecycleConfiguration(
            name,
            bucket=self.bucket.id,
            rules=[
                lifecycle(
                    id="expire-logs",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        days=args.retention_days
                    ),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=NONCURRENT_DAYS
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=7
                    ),
                ),
                # AWS refuses a delete-marker clean-up in a rule that expires by days.
                lifecycle(
                    id="remove-expired-delete-markers",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(
                        expired_object_delete_marker=True
                    ),
                ),
            ],
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions(depends_on=[versioning])
            ),
        )
