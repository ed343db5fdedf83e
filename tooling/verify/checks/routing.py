"""Routing, from the traffic's point of view: the HTTPS listener's rules evaluated the way the ALB
does (``tooling.verify.traffic``) for the requests a model's route is meant to take. The model is
reached when its target group (for a model with versions: one of its versions' groups) gets a
weight above 0; anything else names the rule that took them. Whether the weights are the stack's
is ``weights.py``'s question."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.actions import describe_reach, describe_weights, model_label
from tooling.verify.checks.listeners import find_listener
from tooling.verify.checks.record import Check
from tooling.verify.checks.versions import group_of, model_arns
from tooling.verify.routes import representative_requests, route_space
from tooling.verify.traffic import (
    Reach,
    Request,
    could_take,
    describe_conditions,
    final_action,
    in_order,
    priority_of,
    reach,
    weights_of,
)

NAME = "routing"


def _rule_text(rule: Mapping[str, Any] | None) -> str:
    if rule is None or rule.get("IsDefault"):
        return "the default action"
    return f"rule {rule.get('Priority')} ({describe_conditions(rule)})"


def _forwards_to(rule: Mapping[str, Any], arns: list[str]) -> bool:
    action, _ = final_action(rule.get("Actions", []))
    return action is not None and any(weights_of(action).get(arn, 0) > 0 for arn in arns)


def _reaches(got: Reach, arns: list[str]) -> bool:
    return any(got.reaches(arn) for arn in arns)


def _captured(
    outputs: ServingOutputs,
    model: ModelOutput,
    rules: list[dict[str, Any]],
    request: Request,
    got: Reach,
) -> Check:
    """The route's request ends somewhere else: say where, by which rule, and what to do."""
    target, arns = model_label(outputs, model), model_arns(model)
    actual = f"{_rule_text(got.rule)}: {describe_reach(outputs, got)}"
    ours = [r for r in rules if _forwards_to(r, arns)]
    if any(arn in got.weights for arn in arns):
        fix = f"give {target} a weight above 0 in {_rule_text(got.rule)}"
    elif not ours:
        fix = "redeploy the serving stack (`make deploy`): it creates the model's rule"
    else:
        fix = (
            f"delete {_rule_text(got.rule)} ({got.rule.get('RuleArn', 'no ARN') if got.rule else ''}), "
            f"narrow it, or move it after the stack's rule {ours[0].get('Priority')}"
        )
    detail = f"{request.describe()} is taken by {actual}, not {target}"
    if not ours:
        detail += "; no rule forwards here"
    expected = f"forward to {target}" + (
        f" by rule {model.route.priority}" if model.route.priority is not None else ""
    )
    return Check(group_of(model), NAME, "fail", detail, actual, expected, fix)


def stacks_rule(outputs: ServingOutputs, rule: Mapping[str, Any]) -> bool:
    """One of the stack's own rules: at a model's priority, forwarding to that model's group.
    (Path rules come before host rules by the stack's design; that is not a capture.)"""
    return any(
        m.route.priority is not None
        and str(m.route.priority) == str(rule.get("Priority"))
        and _forwards_to(rule, model_arns(m))
        for m in outputs.models.values()
    )


def _partial_captures(
    outputs: ServingOutputs, model: ModelOutput, rules: list[dict[str, Any]], got: Reach
) -> list[str]:
    """Earlier rules that take *some* of the route's requests (a header, method, query, client
    or host the representative requests do not have) and send them elsewhere."""
    space = route_space(model)
    if space is None or got.rule is None:
        return []
    limit = priority_of(got.rule)
    return [
        f"{_rule_text(rule)} takes some of its requests: {describe_reach(outputs, _as_reach(rule))}"
        for rule in in_order(rules)
        if not rule.get("IsDefault") and priority_of(rule) < limit and not stacks_rule(outputs, rule)
        and could_take(rule, space) and not _forwards_to(rule, model_arns(model))
    ]  # fmt: skip


def _as_reach(rule: Mapping[str, Any]) -> Reach:
    action, before = final_action(rule.get("Actions", []))
    return Reach(rule, action, weights_of(action) if action else {}, before)


def _reached(
    outputs: ServingOutputs, model: ModelOutput, rules: list[dict[str, Any]], got: Reach
) -> Check:
    target, arns = model_label(outputs, model), model_arns(model)
    actual = f"{_rule_text(got.rule)}: {describe_weights(outputs, got.weights)}"
    expected = f"forward to {target}" + (
        f" by rule {model.route.priority}" if model.route.priority is not None else ""
    )
    notes: list[str] = []
    if model.route.priority is not None and got.priority != str(model.route.priority):
        notes.append(f"the stack set priority {model.route.priority}")
    others = {arn: w for arn, w in got.weights.items() if arn not in arns and w > 0}
    if others:
        share = sum(got.share(arn) for arn in arns)
        notes.append(f"{100 * (1 - share):.0f}% goes to groups the stack does not know")
    notes += _partial_captures(outputs, model, rules, got)
    if not notes:
        return Check(group_of(model), NAME, "pass", actual, actual, expected)
    return Check(
        group_of(model), NAME, "warn", f"{actual}; " + "; ".join(notes), actual, expected,
        "check that the other rules and groups are meant to be there; the stack's rules are in its outputs",
    )  # fmt: skip


def routing_check(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> Check:
    https = find_listener(view, outputs.https_listener_arn)
    if https is None:
        return Check(
            group_of(model), NAME, "fail", "no HTTPS listener to route from", "missing",
            outputs.https_listener_arn, "redeploy the serving stack (`make deploy`)",
        )  # fmt: skip
    rules = view.rules.get(https["ListenerArn"], [])
    results = [
        (request, reach(https, rules, request))
        for request in representative_requests(outputs, model)
    ]
    for request, got in results:
        if not _reaches(got, model_arns(model)):
            return _captured(outputs, model, rules, request, got)
    return _reached(outputs, model, rules, results[0][1])
