"""What S3 says about the access-log bucket: read-only calls, each with ``ExpectedBucketOwner``.

Ownership is settled first: a bucket that is gone, or that AWS refuses to show as the expected
account's (``ExpectedBucketOwner`` answers 403), or that is missing from that account's own
``ListBuckets``, is not read any further -- its settings would be somebody else's. A setting that is
not configured is recorded as ``None``; a call the credentials may not make is recorded in
``unreadable`` (the check then says so) instead of failing the run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

Ownership = Literal["owned", "missing", "refused", "foreign"]

NOT_CONFIGURED = {
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchBucketPolicy",
    "NoSuchLifecycleConfiguration",
    "OwnershipControlsNotFoundError",
}
DENIED = {"AccessDenied", "403", "AllAccessDisabled"}


@dataclass
class BucketView:
    name: str
    account: str
    """The account that must own it."""
    ownership: Ownership
    """``refused``: AWS denies it is ``account``'s; ``foreign``: not in that account's buckets."""
    owner: str | None = None
    """``GetBucketAcl``'s owner (display name or canonical id)."""
    region: str | None = None
    public_access_block: dict[str, bool] | None = None
    encryption: list[dict[str, Any]] | None = None
    policy: dict[str, Any] | None = None
    versioning: str | None = None
    """``Enabled``, ``Suspended``, or None (never enabled)."""
    lifecycle: list[dict[str, Any]] | None = None
    object_ownership: str | None = None
    log_object: str | None = None
    """A key found under the access-log prefix (None: none yet)."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """What could not be read -> AWS's error code."""


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def ownership(s3: S3Client, bucket: str, account: str, caller_account: str | None) -> Ownership:
    """``HeadBucket`` with ``ExpectedBucketOwner``; then, when the caller is in that account, its
    ``ListBuckets`` (AWS lists only the caller's own buckets: a bucket of the same name that
    another account re-created is not there)."""
    try:
        s3.head_bucket(Bucket=bucket, ExpectedBucketOwner=account)
    except ClientError as error:
        code = _code(error)
        if code in ("404", "NoSuchBucket", "NotFound"):
            return "missing"
        if code in DENIED:
            return "refused"
        raise
    if caller_account != account:
        return "owned"
    try:
        listed = s3.list_buckets(Prefix=bucket).get("Buckets", [])
    except ClientError as error:
        if _code(error) in DENIED:
            return "owned"  # no ListAllMyBuckets: ExpectedBucketOwner has spoken
        raise
    return "owned" if any(b.get("Name") == bucket for b in listed) else "foreign"


def _read(view: BucketView, what: str, call: Any, **kwargs: Any) -> Any:
    """One ``Get*`` call: its answer, or None when not configured or not readable."""
    try:
        return call(Bucket=view.name, ExpectedBucketOwner=view.account, **kwargs)
    except ClientError as error:
        code = _code(error)
        if code not in NOT_CONFIGURED:
            if code not in DENIED:
                raise
            view.unreadable[what] = code
        return None


def _region(answer: dict[str, Any] | None) -> str | None:
    if answer is None:
        return None
    constraint = answer.get("LocationConstraint")
    # GetBucketLocation's legacy answers: no constraint is us-east-1, ``EU`` is eu-west-1.
    return {None: "us-east-1", "": "us-east-1", "EU": "eu-west-1"}.get(constraint, constraint)


def fetch_bucket(
    s3: S3Client, bucket: str, *, account: str, caller_account: str | None, log_prefix: str
) -> BucketView:
    view = BucketView(bucket, account, ownership(s3, bucket, account, caller_account))
    if view.ownership != "owned":
        return view
    acl = _read(view, "owner", s3.get_bucket_acl)
    if acl is not None:
        owner = acl.get("Owner", {})
        view.owner = owner.get("DisplayName") or owner.get("ID")
    view.region = _region(_read(view, "region", s3.get_bucket_location))
    block = _read(view, "public access block", s3.get_public_access_block)
    if block is not None:
        view.public_access_block = dict(block["PublicAccessBlockConfiguration"])
    encryption = _read(view, "encryption", s3.get_bucket_encryption)
    if encryption is not None:
        view.encryption = list(encryption["ServerSideEncryptionConfiguration"]["Rules"])
    policy = _read(view, "bucket policy", s3.get_bucket_policy)
    if policy is not None:
        view.policy = json.loads(policy["Policy"])
    versioning = _read(view, "versioning", s3.get_bucket_versioning)
    view.versioning = versioning.get("Status") if versioning is not None else None
    lifecycle = _read(view, "lifecycle", s3.get_bucket_lifecycle_configuration)
    if lifecycle is not None:
        view.lifecycle = list(lifecycle.get("Rules", []))
    controls = _read(view, "object ownership", s3.get_bucket_ownership_controls)
    if controls is not None:
        view.object_ownership = controls["OwnershipControls"]["Rules"][0]["ObjectOwnership"]
    view.log_object = log_object(s3, view, log_prefix)
    return view


def log_object(s3: S3Client, view: BucketView, prefix: str) -> str | None:
    listed = _read(view, "log objects", s3.list_objects_v2, Prefix=prefix, MaxKeys=1)
    contents = (listed or {}).get("Contents") or []
    return str(contents[0]["Key"]) if contents else None
