"""The access-log bucket: in the expected account and the ALB's region, private, SSE-S3, a policy
that denies plain HTTP and lets ELB log delivery write, and logs arriving. A bucket the stack
creates is also held to its ownership controls, lifecycle and versioning."""

from __future__ import annotations

from shared.serving_outputs import ServingOutputs
from tooling.verify.bucket_view import BucketView
from tooling.verify.checks.bucket_common import GROUP, bucket_fix, log_prefix, unreadable
from tooling.verify.checks.bucket_lifecycle import lifecycle_checks
from tooling.verify.checks.bucket_policy import log_delivery_check, tls_only_check
from tooling.verify.checks.record import Check, check, compare
from tooling.verify.outputs import region_of

BLOCKS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def ownership_check(view: BucketView) -> Check:
    where = f"s3://{view.name}"
    if view.ownership == "missing":
        return Check(
            GROUP, "exists in the stack's account", "fail",
            f"{where} does not exist: the ALB cannot deliver logs", "missing", f"owned by {view.account}",
            "re-create it: `make refresh` then `make deploy` (or set accessLogs.bucket to an existing one)",
        )  # fmt: skip
    if view.ownership in ("refused", "foreign"):
        how = (
            f"AWS refuses ExpectedBucketOwner={view.account} (403; or verify's role may not read it)"
            if view.ownership == "refused"
            else f"it is not among account {view.account}'s buckets (ListBuckets)"
        )
        return Check(
            GROUP, "exists in the stack's account", "fail",
            f"{where} is owned by another account: {how}; the ALB's logs go to someone else",
            "another account's bucket", f"owned by {view.account}",
            "turn access logs off or point them at a bucket of this account now; then delete or rename the stack's "
            "bucket and `make deploy`",
        )  # fmt: skip
    owner = f" (ACL owner {view.owner})" if view.owner else ""
    return Check(
        GROUP, "exists in the stack's account", "pass", f"{where} in account {view.account}{owner}",
        f"owned by {view.account}", f"owned by {view.account}",
    )  # fmt: skip


def public_access_check(view: BucketView, outputs: ServingOutputs) -> Check:
    block = view.public_access_block or {}
    off = [key for key in BLOCKS if not block.get(key)]
    actual = "all four on" if not off else ("none" if not block else f"off: {', '.join(off)}")
    return check(
        GROUP, "public access blocked", not off, actual + ("" if not off else " (expected all four on)"),
        actual=actual, expected="all four on", fix=bucket_fix(outputs, "public access block"),
    )  # fmt: skip


def encryption_check(view: BucketView, outputs: ServingOutputs) -> Check:
    rules = view.encryption or []
    algorithms = [
        r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules
    ]
    actual = ", ".join(str(a) for a in algorithms) or "none"
    fix = bucket_fix(outputs, "default encryption (SSE-S3, AES256)")
    if "aws:kms" in algorithms or "aws:kms:dsse" in algorithms:
        fix += "; ALB log delivery cannot write with SSE-KMS"
    return compare(GROUP, "encryption", actual, outputs.log_bucket_settings.sse_algorithm, fix=fix)


def region_check(view: BucketView, outputs: ServingOutputs) -> Check:
    return compare(
        GROUP, "region", view.region or "unknown", region_of(outputs),
        fix="an ALB writes logs only to a bucket in its own region: use one there",
    )  # fmt: skip


def log_objects_check(view: BucketView, outputs: ServingOutputs) -> Check:
    prefix = log_prefix(outputs, outputs.alb_settings.access_logs_prefix)
    if view.log_object is not None:
        return Check(
            GROUP,
            "log objects",
            "pass",
            f"e.g. {view.log_object}",
            view.log_object,
            f"objects under {prefix}",
        )
    return Check(
        GROUP, "log objects", "warn", f"none under {prefix} yet",
        "none", f"objects under {prefix}",
        "ALBs deliver every 5 minutes (a test file when logging is turned on): run again with --wait; "
        "if none ever arrives, check the policy and the ALB's access_logs attributes",
    )  # fmt: skip


def bucket_checks(outputs: ServingOutputs, view: BucketView | None) -> list[Check]:
    """Ownership first: a bucket that is gone or someone else's gets that one line only."""
    if view is None:
        return []
    owned = ownership_check(view)
    if view.ownership != "owned":
        return [owned]
    alb = outputs.alb_settings
    prefixes = [alb.access_logs_prefix] + (
        [alb.connection_logs_prefix] if alb.connection_logs else []
    )
    checks = [
        owned,
        unreadable(view, "region", "region") or region_check(view, outputs),
        unreadable(view, "public access block", "public access blocked") or public_access_check(view, outputs),
        unreadable(view, "encryption", "encryption") or encryption_check(view, outputs),
        unreadable(view, "bucket policy", "TLS-only policy") or tls_only_check(view, outputs),
        unreadable(view, "bucket policy", "log delivery policy") or log_delivery_check(view, outputs, prefixes),
    ]  # fmt: skip
    if outputs.log_bucket_settings.managed:
        checks += lifecycle_checks(view, outputs)
    return [
        *checks,
        unreadable(view, "log objects", "log objects") or log_objects_check(view, outputs),
    ]
