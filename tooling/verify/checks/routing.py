"""Routing: the HTTPS listener's rule (or default action) that sends a model's route to its group."""

from __future__ import annotations

from typing import Any

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.aws_view import AwsView
from tooling.verify.checks.listeners import custom_rules, find_listener
from tooling.verify.checks.record import Check
from tooling.verify.checks.target_groups import group_of

FIELDS = {
    "path": ("path-pattern", "PathPatternConfig"),
    "host": ("host-header", "HostHeaderConfig"),
}


def forwards_to(actions: list[dict[str, Any]], target_group_arn: str) -> bool:
    for action in actions:
        if action.get("Type") != "forward":
            continue
        if action.get("TargetGroupArn") == target_group_arn:
            return True
        weighted = action.get("ForwardConfig", {}).get("TargetGroups", [])
        if any(t.get("TargetGroupArn") == target_group_arn for t in weighted):
            return True
    return False


def condition_values(rule: dict[str, Any], kind: str) -> list[str]:
    field, config = FIELDS[kind]
    values: list[str] = []
    for condition in rule.get("Conditions", []):
        if condition.get("Field") == field:
            values += condition.get(config, {}).get("Values") or condition.get("Values") or []
    return values


def _priority(rule: dict[str, Any]) -> int:
    try:
        return int(rule.get("Priority", ""))
    except ValueError:
        return 50001  # the default rule is evaluated last


def routing_check(outputs: ServingOutputs, view: AwsView, model: ModelOutput) -> Check:
    group = group_of(model)
    route = model.route
    https = find_listener(view, outputs.https_listener_arn)
    if https is None:
        return Check(group, "routing", "fail", "no HTTPS listener to route from")
    if route.kind == "default":
        ok = forwards_to(https.get("DefaultActions", []), model.target_group_arn)
        detail = (
            "the HTTPS listener's default action forwards here"
            if ok
            else ("the HTTPS listener's default action does not forward here")
        )
        return Check(group, "routing", "pass" if ok else "fail", detail)
    rules = sorted(custom_rules(view, https["ListenerArn"]), key=_priority)
    matching = [r for r in rules if route.value in condition_values(r, route.kind)]
    ours = [r for r in matching if forwards_to(r.get("Actions", []), model.target_group_arn)]
    if not ours:
        return Check(group, "routing", "fail", f"no rule forwards {route.kind} {route.value} here")
    rule = ours[0]
    shown = (
        f"rule {rule.get('Priority')}: {route.kind} {', '.join(condition_values(rule, route.kind))}"
    )
    earlier = [r for r in matching[: matching.index(rule)] if r not in ours]
    if earlier:
        return Check(
            group,
            "routing",
            "fail",
            f"{shown}, but rule {earlier[0].get('Priority')} matches {route.value} first and sends it elsewhere",
        )
    if route.priority is not None and _priority(rule) != route.priority:
        return Check(group, "routing", "warn", f"{shown} (the stack set priority {route.priority})")
    return Check(group, "routing", "pass", shown)
