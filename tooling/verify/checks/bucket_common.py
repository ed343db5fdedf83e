"""What the access-log bucket checks share: their group, the fix wording, where logs land, and
the warning for a setting verify's role may not read."""

from __future__ import annotations

from shared.serving_outputs import ServingOutputs
from tooling.verify.bucket_view import BucketView
from tooling.verify.checks.record import Check

GROUP = "access-log bucket"


def bucket_fix(outputs: ServingOutputs, what: str) -> str:
    if outputs.log_bucket_settings.managed:
        return f"redeploy the serving stack (`make deploy`): it sets the bucket's {what}"
    return f"set the {what} on the bucket (it comes from accessLogs.bucket, outside the stack)"


def log_prefix(outputs: ServingOutputs, prefix: str) -> str:
    """Where the ALB writes: ``<prefix>/AWSLogs/<the ALB's account>/``."""
    return f"{prefix}/AWSLogs/{outputs.alb_arn.split(':')[4]}/"


def unreadable(view: BucketView, what: str, name: str) -> Check | None:
    """A warning when ``what`` could not be read (AccessDenied): nothing to judge it by."""
    code = view.unreadable.get(what)
    if code is None:
        return None
    return Check(
        GROUP, name, "warn", f"cannot read the {what} ({code})", code, None,
        f"let verify's role read it (s3:Get* on {view.name})",
    )  # fmt: skip
