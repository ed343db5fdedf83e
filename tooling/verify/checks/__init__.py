"""The checks: small functions of the stack's outputs (what was asked for) and the AWS view.

Groups, in report order: ``load balancer``, ``attributes``, ``listeners``, ``access-log bucket``,
then per model its target group, health check and attributes, its healthy targets per AZ and
overall, and its routing.
"""

from __future__ import annotations

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.attributes import attribute_checks
from tooling.verify.checks.listeners import listener_checks
from tooling.verify.checks.load_balancer import load_balancer_checks
from tooling.verify.checks.log_bucket import bucket_checks
from tooling.verify.checks.record import Check, Status, check
from tooling.verify.checks.routing import routing_check
from tooling.verify.checks.target_groups import group_of, target_group_checks
from tooling.verify.checks.targets import model_ready, progress, target_checks

__all__ = ["Check", "Status", "all_checks", "check", "model_checks", "progress", "ready"]


def model_checks(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> list[Check]:
    tg = view.target_groups.get(model.target_group_arn)
    if tg is None:
        return [
            Check(
                group_of(model), "target group", "fail",
                f"AWS does not know {model.target_group_arn}", "missing", model.target_group_arn,
                "redeploy the serving stack (`make deploy`); if it was deleted, `make refresh` first",
            )
        ]  # fmt: skip
    return (
        target_group_checks(outputs, view, model, tg)
        + target_checks(outputs, view, model)
        + [routing_check(outputs, view, model)]
    )


def all_checks(outputs: ServingOutputs, view: AwsView) -> list[Check]:
    checks = (
        load_balancer_checks(outputs, view)
        + attribute_checks(outputs, view)
        + listener_checks(outputs, view)
        + bucket_checks(outputs, view.bucket)
    )
    if view.load_balancer is not None:
        for model in outputs.models.values():
            checks += model_checks(outputs, view, model)
    return checks


def ready(outputs: ServingOutputs, view: AwsView) -> bool:
    """What ``--wait`` waits for: the ALB active and every model's healthy-target checks passing."""
    return view.state == "active" and all(
        model_ready(outputs, view, m) for m in outputs.models.values()
    )
