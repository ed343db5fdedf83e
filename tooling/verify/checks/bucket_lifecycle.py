"""What the stack sets on a bucket it creates: object ownership, log expiry, versioning (with the
expiry of non-current versions). Versioning warns until the stack exports that it turns it on."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.serving_outputs import ServingOutputs
from tooling.verify.bucket_view import BucketView
from tooling.verify.checks.bucket_common import GROUP, bucket_fix, unreadable
from tooling.verify.checks.record import Check, check, compare


def _whole_bucket(rule: Mapping[str, Any]) -> bool:
    """A rule for every object: no filter, or an empty prefix and nothing else."""
    scope = rule.get("Filter", {"Prefix": rule.get("Prefix", "")})
    return scope in ({}, {"Prefix": ""})


def _enabled_rules(view: BucketView) -> list[Mapping[str, Any]]:
    return [r for r in view.lifecycle or [] if r.get("Status") == "Enabled" and _whole_bucket(r)]


def expiry_check(view: BucketView, outputs: ServingOutputs, days: int) -> Check:
    found = sorted(
        {
            int(r["Expiration"]["Days"])
            for r in _enabled_rules(view)
            if "Days" in r.get("Expiration", {})
        }
    )
    actual = ", ".join(f"{d} days" for d in found) or "never"
    return check(
        GROUP, "log expiry", days in found, actual + ("" if days in found else f" (expected {days} days)"),
        actual=actual, expected=f"{days} days", fix=bucket_fix(outputs, "lifecycle rule"),
    )  # fmt: skip


def noncurrent_check(view: BucketView, outputs: ServingOutputs, days: int) -> Check:
    found = sorted({
        int(r["NoncurrentVersionExpiration"]["NoncurrentDays"])
        for r in _enabled_rules(view) if "NoncurrentDays" in r.get("NoncurrentVersionExpiration", {})
    })  # fmt: skip
    actual = ", ".join(f"{d} days" for d in found) or "never"
    return check(
        GROUP, "non-current version expiry", days in found,
        actual + ("" if days in found else f" (expected {days} days)"),
        actual=actual, expected=f"{days} days", fix=bucket_fix(outputs, "lifecycle rule"),
    )  # fmt: skip


def versioning_check(view: BucketView, outputs: ServingOutputs) -> Check:
    wanted = outputs.log_bucket_settings.versioning
    actual = view.versioning or "never enabled"
    on = view.versioning == "Enabled"
    if wanted is None:
        return check(
            GROUP, "versioning", on,
            actual + ("" if on else " (the stack does not say yet; CKV_AWS_21 wants it on)"),
            otherwise="warn", actual=actual, expected="Enabled (not exported by the stack yet)",
            fix="turn versioning on in the serving stack, with a non-current version expiry, and export it",
        )  # fmt: skip
    return compare(
        GROUP,
        "versioning",
        actual,
        "Enabled" if wanted else actual,
        fix=bucket_fix(outputs, "versioning"),
    )


def lifecycle_checks(view: BucketView, outputs: ServingOutputs) -> list[Check]:
    settings = outputs.log_bucket_settings
    checks = [
        unreadable(view, "object ownership", "object ownership") or compare(
            GROUP, "object ownership", view.object_ownership or "not set", settings.object_ownership,
            fix=bucket_fix(outputs, "ownership controls"),
        ),
        unreadable(view, "versioning", "versioning") or versioning_check(view, outputs),
    ]  # fmt: skip
    if settings.retention_days is not None:
        checks.append(
            unreadable(view, "lifecycle", "log expiry")
            or expiry_check(view, outputs, settings.retention_days)
        )
    if settings.noncurrent_version_expiry_days is not None:
        checks.append(
            unreadable(view, "lifecycle", "non-current version expiry")
            or noncurrent_check(view, outputs, settings.noncurrent_version_expiry_days)
        )
    return checks
