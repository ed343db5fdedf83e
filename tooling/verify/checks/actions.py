"""Listener actions and target groups in words, for details and the report's ``actual`` fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.serving_outputs import ModelOutput, ServingOutputs
from tooling.verify.checks.versions import version_of, versioned
from tooling.verify.traffic import Reach, weights_of


def target_label(outputs: ServingOutputs, arn: str) -> str:
    """``srv-prod-llm-chat-4f1c2d7 (model llm-chat)``, ``... (model llm-chat, version v2)`` for a
    version's group, or the group's name for one the stack lacks."""
    name = arn.split(":targetgroup/", 1)[-1].split("/", 1)[0] if ":targetgroup/" in arn else arn
    for m in outputs.models.values():
        version = version_of(m, arn) if versioned(m) else None
        if version is not None:
            return f"{name} (model {m.name}, version {version})"
        if m.target_group_arn == arn:
            return f"{name} (model {m.name})"
    return name


def model_label(outputs: ServingOutputs, model: ModelOutput) -> str:
    """Where a model's traffic should go, in words: its group, or its versions."""
    if not versioned(model):
        return target_label(outputs, model.target_group_arn)
    return f"model {model.name} (versions {', '.join(model.versions)})"


def describe_weights(outputs: ServingOutputs, weights: Mapping[str, int]) -> str:
    total = sum(weights.values())
    return ", ".join(
        f"{target_label(outputs, arn)} weight {w}" + (f" ({100 * w / total:.0f}%)" if total else "")
        for arn, w in weights.items()
    )


def describe_action(outputs: ServingOutputs, action: Mapping[str, Any] | None) -> str:
    if action is None:
        return "no action"
    kind = str(action.get("Type", "?"))
    if kind == "forward":
        return f"forward to {describe_weights(outputs, weights_of(action)) or 'nothing'}"
    if kind == "redirect":
        r = action.get("RedirectConfig", {})
        return (
            f"redirect to {r.get('Protocol', '#{protocol}')}:{r.get('Port', '#{port}')}"
            f" ({r.get('StatusCode', '?')})"
        )
    if kind == "fixed-response":
        f = action.get("FixedResponseConfig", {})
        return (
            f"fixed-response {f.get('StatusCode', '?')} ({f.get('ContentType', 'no content type')})"
        )
    return kind


def describe_reach(outputs: ServingOutputs, reached: Reach) -> str:
    before = f" after {', '.join(reached.before)}" if reached.before else ""
    return f"{describe_action(outputs, reached.action)}{before}"
