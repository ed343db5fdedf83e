"""The checks: small functions of the stack's outputs (what was asked for) and the AWS view.

Groups, in report order: ``load balancer``, ``attributes``, ``listeners``, ``access-log bucket``,
then per model its target group, health check and attributes, its healthy targets per AZ and
overall (for a model with versions: each version's, in a group of its own), its routing, and a
versioned model's weights and forward stickiness.
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
from tooling.verify.checks.target_groups import target_group_checks
from tooling.verify.checks.targets import model_ready, progress, target_checks
from tooling.verify.checks.versions import Served, served, versioned
from tooling.verify.checks.weights import weight_checks

__all__ = ["Check", "Status", "all_checks", "check", "model_checks", "progress", "ready"]


def _served_checks(outputs: ServingOutputs, view: AwsView, one: Served) -> list[Check]:
    tg = view.target_groups.get(one.arn)
    if tg is None:
        return [
            Check(
                one.group, "target group", "fail",
                f"AWS does not know {one.arn}", "missing", one.arn,
                "redeploy the serving stack (`make deploy`); if it was deleted, `make refresh` first",
            )
        ]  # fmt: skip
    return target_group_checks(outputs, view, one, tg) + target_checks(outputs, view, one)


def model_checks(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> list[Check]:
    """Its target group (each version's), healthy targets, routing, and a versioned model's
    weights and stickiness. A model without versions whose group is gone: that one failure."""
    checks = [c for one in served(outputs, model) for c in _served_checks(outputs, view, one)]
    if not versioned(model) and view.target_groups.get(model.target_group_arn) is None:
        return checks
    return [*checks, routing_check(outputs, view, model), *weight_checks(outputs, view, model)]


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
