"""A model with versions: the weights AWS forwards its route's requests with, and the forward's
target-group stickiness, against the stack's outputs (what the last deploy of the env file set).

AWS's side is read the way traffic sees it (``tooling.verify.traffic.reach`` for the route's first
representative request), so it is the rule, or the default action, that actually takes the requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.actions import target_label
from tooling.verify.checks.listeners import find_listener
from tooling.verify.checks.record import REDEPLOY, Check, compare
from tooling.verify.checks.versions import group_of, model_arns, version_of, versioned
from tooling.verify.routes import representative_requests
from tooling.verify.traffic import Reach, reach

WEIGHTS = "version weights"
STICKINESS = "forward stickiness"


def weights_text(weights: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {weight}" for name, weight in weights.items()) or "none"


def _by_version(outputs: ServingOutputs, model: ModelOutput, got: Reach) -> dict[str, int]:
    """AWS's weights by version name (a group the model does not have: by its own name)."""
    return {
        version_of(model, arn) or target_label(outputs, arn): weight
        for arn, weight in got.weights.items()
    }


def _where(got: Reach) -> str:
    rule = got.rule
    if rule is None or rule.get("IsDefault"):
        return "the default action"
    return f"rule {rule.get('Priority')}"


def _weights_check(outputs: ServingOutputs, model: ModelOutput, got: Reach) -> Check:
    group = group_of(model)
    expected = {v.name: v.weight for v in model.versions.values()}
    actual = _by_version(outputs, model, got)
    shown, wanted = weights_text(actual), weights_text(expected)
    if not any(arn in got.weights for arn in model_arns(model)):
        return Check(
            group, WEIGHTS, "fail",
            f"not compared: {_where(got)} takes the route's requests and forwards to none of the "
            f"versions ({shown}); the stack's outputs say {wanted}",
            shown, wanted, "see the routing check: another rule takes the model's requests",
        )  # fmt: skip
    if actual == expected:
        return Check(group, WEIGHTS, "pass", f"{_where(got)}: {shown}", shown, wanted)
    return Check(
        group, WEIGHTS, "fail",
        f"AWS forwards with {shown} in {_where(got)}; the stack's outputs say {wanted}",
        shown, wanted,
        "the weights were changed outside the stack, or a rollout stopped midway: `make deploy` "
        f"sets the env file's weights back; `make rollout MODEL={model.name} TO=<version>` moves them on",
    )  # fmt: skip


def stickiness_text(action: Mapping[str, Any] | None) -> str:
    """``on, 300 s`` or ``off``: a forward's ``TargetGroupStickinessConfig``."""
    config = ((action or {}).get("ForwardConfig") or {}).get("TargetGroupStickinessConfig") or {}
    if not config.get("Enabled"):
        return "off"
    return f"on, {config.get('DurationSeconds', '?')} s"


def _stickiness_check(model: ModelOutput, got: Reach) -> Check:
    seconds = model.stickiness_seconds
    return compare(
        group_of(model), STICKINESS, stickiness_text(got.action),
        f"on, {seconds} s" if seconds else "off", fix=REDEPLOY,
    )  # fmt: skip


def weight_checks(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> list[Check]:
    """For a model with versions: its weights and stickiness in AWS. None for one without."""
    if not versioned(model):
        return []
    https = find_listener(view, outputs.https_listener_arn)
    if https is None:
        return []  # the routing check fails for it
    rules = view.rules.get(https["ListenerArn"], [])
    got = reach(https, rules, representative_requests(outputs, model)[0])
    return [_weights_check(outputs, model, got), _stickiness_check(model, got)]
