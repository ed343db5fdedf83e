"""Model versions: a target group, backend and alarms each, weighted forwards, and no replacement
when a model that had no versions gains some."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared.serving_outputs import ServingOutputs
from tests.renders import fixture_config
from tests.serving.conftest import (
    ALARM,
    ASG,
    LISTENER,
    LOG_GROUP,
    RULE,
    TG,
    render_error,
    render_serving,
)
from tests.snapshots.snapshot import snapshot_of
from tests.snapshots.test_snapshots import compare
from tooling.mock_runtime import Rendered

IMAGE = "210987654321.dkr.ecr.eu-west-1.amazonaws.com/llm-chat"


def _prod(models: list[dict[str, Any]]) -> dict[str, Any]:
    return {**fixture_config("serving", "prod"), "serving:models": models}


def _fixture_models() -> list[dict[str, Any]]:
    return json.loads(fixture_config("serving", "prod")["serving:models"])


def _with_versions(weights: dict[str, int], **extra: Any) -> list[dict[str, Any]]:
    """The fixture's llm-chat as versions: ``initial`` (what it had) and ``v2`` (a new image)."""
    chat, *others = _fixture_models()
    fleet = chat.pop("fleet")
    new = {**fleet, "image": f"{IMAGE}:2026.12.1"}
    versions = [{"name": "initial", "weight": weights["initial"], "fleet": fleet}]
    versions.append({"name": "v2", "weight": weights["v2"], "fleet": new})
    return [{**chat, "versions": versions, **extra}, *others]


@pytest.fixture
def canary() -> Rendered:
    return render_serving("prod", _prod(_with_versions({"initial": 90, "v2": 10})))


def test_gaining_a_version_replaces_nothing(prod: Rendered, canary: Rendered) -> None:
    """Every resource the model had is still there, as it was, but its rule's action."""
    before = snapshot_of(prod)
    problems = compare(before, canary)
    created = [p for p in problems if p.startswith("created:")]
    changed = [p for p in problems if not p.startswith("created:")]
    assert all("-v2" in p or "llm-chat-v2" in p for p in created), created
    assert len(created) > 10  # v2's target group, fleet and alarms
    # Only the rule changes, in place: its action (and so its links) names both target groups.
    assert {p.split(": ", 1)[0].rsplit("::", 1)[1] for p in changed} == {"serving-llm-chat"}
    assert {p.split(": ", 2)[1] for p in changed} == {
        "dependencies",
        "property_dependencies.actions",
        "inputs.actions",
    }


def test_the_rule_forwards_to_both_versions_by_weight(canary: Rendered) -> None:
    groups = {t.name: t for t in canary.of_type(TG)}
    rule = next(r for r in canary.of_type(RULE) if r.name == "serving-llm-chat")
    (action,) = rule.inputs["actions"]
    assert action["type"] == "forward" and "targetGroupArn" not in action
    assert [(g["arn"], g["weight"]) for g in action["forward"]["targetGroups"]] == [
        (groups["srv-prod-llm-chat"].outputs["arn"], 90),
        (groups["srv-prod-llm-chat-v2"].outputs["arn"], 10),
    ]
    assert "stickiness" not in action["forward"]


def test_each_version_has_its_own_fleet_alarms_and_logs(canary: Rendered) -> None:
    v2 = next(t for t in canary.of_type(TG) if t.name == "srv-prod-llm-chat-v2")
    assert v2.inputs["tags"]["version"] == "v2"
    assert {g.name for g in canary.of_type(ASG)} == {
        "serving-llm-chat",
        "serving-llm-chat-v2",
        "serving-embeddings",
    }
    alarms = [a.name for a in canary.of_type(ALARM) if a.name.startswith("serving-llm-chat-v2-")]
    assert len(alarms) == 4
    logs = {g.inputs["name"] for g in canary.of_type(LOG_GROUP)}
    assert {"/serving/prod/llm-chat", "/serving/prod/llm-chat/v2"} <= logs


def test_outputs_and_failover_figures_per_version(canary: Rendered) -> None:
    chat = ServingOutputs.model_validate(canary.outputs).models["llm-chat"]
    assert chat.weighted is True
    assert {n: (v.weight, v.min_healthy_per_az) for n, v in chat.versions.items()} == {
        "initial": (90, 1),
        "v2": (10, 1),
    }
    assert chat.target_group_arn == chat.versions["initial"].target_group_arn  # the heaviest


def test_stickiness_and_a_weighted_default_route() -> None:
    models = _with_versions({"initial": 0, "v2": 1}, stickinessSeconds=3600)
    models[0]["route"] = {"default": True}
    rendered = render_serving("prod", _prod(models))
    https = next(x for x in rendered.of_type(LISTENER) if x.inputs["port"] == 443)
    (action,) = https.inputs["defaultActions"]
    assert [g["weight"] for g in action["forward"]["targetGroups"]] == [0, 1]
    assert action["forward"]["stickiness"] == {"enabled": True, "duration": 3600}


def test_a_version_without_traffic_may_have_no_capacity() -> None:
    """After a rollout, the old version can keep its target group with no instances (prod too)."""
    models = _with_versions({"initial": 0, "v2": 100})
    models[0]["versions"][0]["fleet"].update(minSize=0, maxSize=0)
    rendered = render_serving("prod", _prod(models))
    sizes = {g.name: g.inputs["minSize"] for g in rendered.of_type(ASG)}
    assert sizes["serving-llm-chat"] == 0
    assert ServingOutputs.model_validate(rendered.outputs).failover.min_healthy_per_az == 1


def _error(models: list[dict[str, Any]]) -> str:
    error = render_error("prod", _prod(models))
    assert error.rendered.created == []
    return error.message


def test_weights_that_sum_to_zero() -> None:
    assert _error(_with_versions({"initial": 0, "v2": 0})) == (
        'Pulumi.prod.yaml: serving:models[0].versions = [{"initial": 0}, {"v2": 0}]: '
        "the weights sum to 0: no version would get traffic"
    )


def test_more_than_five_versions() -> None:
    models = _with_versions({"initial": 1, "v2": 1})
    fleet = models[0]["versions"][1]["fleet"]
    models[0]["versions"] += [{"name": f"v{i}", "weight": 0, "fleet": fleet} for i in range(3, 7)]
    assert _error(models) == (
        "Pulumi.prod.yaml: serving:models[0].versions = 6: a forward action takes at most 5 "
        "target groups (one per version)"
    )


def test_duplicate_version_names() -> None:
    models = _with_versions({"initial": 1, "v2": 1})
    models[0]["versions"][1]["name"] = "initial"
    assert _error(models) == (
        "Pulumi.prod.yaml: serving:models[0].versions[1].name = 'initial': "
        "version names must be unique (also versions[0])"
    )


def test_traffic_needs_capacity() -> None:
    models = _with_versions({"initial": 100, "v2": 10})
    models[0]["versions"][1]["fleet"].update(minSize=0, maxSize=0)
    assert _error(models) == (
        "Pulumi.prod.yaml: serving:models[0].versions[1].weight = 10: gets traffic but its fleet "
        "has no capacity: give it targets, or weight 0"
    )


def test_prod_versions_with_traffic_need_an_instance_per_az() -> None:
    models = _with_versions({"initial": 100, "v2": 10})
    models[0]["versions"][1]["fleet"]["minSize"] = 2
    assert _error(models) == (
        "Pulumi.prod.yaml: serving:models[0].versions[1].fleet.minSize = 2: "
        "prod needs at least one instance per AZ (3)"
    )


def test_a_backend_beside_versions_and_stickiness_without_them() -> None:
    models = _with_versions({"initial": 1, "v2": 1})
    models[0]["fleet"] = models[0]["versions"][0]["fleet"]
    assert _error(models).startswith("Pulumi.prod.yaml: serving:models[0].fleet = {") and _error(
        models
    ).endswith("a model with versions has its backend in each version")
    plain = _fixture_models()
    plain[0]["stickinessSeconds"] = 60
    assert _error(plain) == (
        "Pulumi.prod.yaml: serving:models[0].stickinessSeconds = 60: only for a model with versions"
    )


def test_the_plan_diff_shows_a_weight_step_as_an_in_place_rule_update(canary: Rendered) -> None:
    """What a rollout step looks like in `make plan BASE=`: the rule's weights, old -> new."""
    from tooling.plan.diff import diff_resources

    step = render_serving("prod", _prod(_with_versions({"initial": 50, "v2": 50})))
    (change,) = diff_resources(canary.resources, step.resources)
    assert (change.action, change.name) == ("change", "serving-llm-chat")
    weights = {p.path: (p.old, p.new) for p in change.properties if p.path.endswith("weight")}
    assert weights == {
        "actions[0].forward.targetGroups[0].weight": (90, 50),
        "actions[0].forward.targetGroups[1].weight": (10, 50),
    }
    assert all(p.key and not p.replaces for p in change.properties if p.path in weights)
