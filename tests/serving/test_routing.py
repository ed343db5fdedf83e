"""Models, target groups and rules: routing by path and by host, stable priorities, health checks."""

from __future__ import annotations

from typing import Any

from serving_stack.routing import derived_priority, nested_in
from shared.serving_outputs import ModelRoute, ServingOutputs
from tests.serving.conftest import (
    LISTENER,
    RULE,
    SEED_INSTANCES,
    TG,
    render_error,
    render_serving,
    seed_config,
)
from tooling.mock_runtime import Rendered

CHAT = {"name": "llm-chat", "route": {"pathPrefix": "/v1/chat"}, "instances": SEED_INSTANCES}
EMBED = {
    "name": "embeddings",
    "port": 8000,
    "route": {"host": "embeddings.ml.acme-corp.com"},
    "instances": SEED_INSTANCES,
}
RERANK = {"name": "rerank", "route": {"pathPrefix": "/v1/rerank"}, "instances": SEED_INSTANCES[:2]}


def _render(*models: dict[str, Any]) -> Rendered:
    return render_serving("dev", seed_config(**{"serving:models": list(models)}))


def _priorities(rendered: Rendered) -> dict[str, int]:
    return {r.inputs["tags"]["model"]: r.inputs["priority"] for r in rendered.of_type(RULE)}


def test_two_models_routed_by_path_and_by_host() -> None:
    rendered = _render(CHAT, EMBED)
    tgs = {tg.inputs["tags"]["model"]: tg for tg in rendered.of_type(TG)}
    rules = {r.inputs["tags"]["model"]: r for r in rendered.of_type(RULE)}
    assert rules["llm-chat"].inputs["conditions"] == [
        {"pathPattern": {"values": ["/v1/chat", "/v1/chat/*"]}}
    ]
    assert rules["embeddings"].inputs["conditions"] == [
        {"hostHeader": {"values": ["embeddings.ml.acme-corp.com"]}}
    ]
    for model, rule in rules.items():
        assert rule.inputs["actions"] == [
            {"type": "forward", "targetGroupArn": tgs[model].outputs["arn"]}
        ]
        assert rule.property_dependencies["actions"] == [tgs[model].urn]
    assert tgs["embeddings"].inputs["port"] == 8000
    assert tgs["llm-chat"].inputs["port"] == 8080
    # path rules are evaluated before host rules
    assert rules["llm-chat"].inputs["priority"] < rules["embeddings"].inputs["priority"]


def test_priorities_do_not_move_when_models_are_added_or_removed() -> None:
    before = _priorities(_render(CHAT, EMBED))
    after = _priorities(_render(RERANK, EMBED, CHAT))
    removed = _priorities(_render(EMBED))
    assert after["llm-chat"] == before["llm-chat"]
    assert after["embeddings"] == before["embeddings"] == removed["embeddings"]
    assert after["rerank"] == derived_priority("path", "/v1/rerank")


def test_an_explicit_priority_wins() -> None:
    assert _priorities(_render({**CHAT, "priority": 10}, EMBED))["llm-chat"] == 10


def test_target_group_health_check_defaults_detect_failure_in_10s(dev: Rendered) -> None:
    tg = dev.one(TG)
    assert tg.inputs["protocol"] == "HTTP"
    assert tg.inputs["port"] == 8080
    assert tg.inputs["healthCheck"] == {
        "enabled": True,
        "protocol": "HTTP",
        "port": "traffic-port",
        "path": "/health",
        "interval": 5,
        "timeout": 4,
        "healthyThreshold": 2,
        "unhealthyThreshold": 2,
        "matcher": "200",
    }
    assert tg.inputs["deregistrationDelay"] == 30
    assert tg.inputs["slowStart"] == 0


def test_target_group_names_fit_and_survive_replacement() -> None:
    rendered = _render({**CHAT, "name": "sentence-embeddings-multilingual"})
    tg = rendered.one(TG)
    assert "name" not in tg.inputs  # auto-named: a replacement is created before the old one goes
    assert len(tg.name) <= 24  # + Pulumi's 8-character suffix <= 32
    assert tg.name.startswith("srv-dev-")
    assert len(tg.outputs["name"]) <= 32


def test_configured_health_check_and_slow_start_reach_the_target_group() -> None:
    model = {
        **CHAT,
        "healthCheck": {
            "path": "/ready",
            "intervalSeconds": 5,
            "timeoutSeconds": 3,
            "matcher": "200-299",
        },
        "deregistrationDelaySeconds": 120,
        "slowStartSeconds": 60,
    }
    tg = _render(model).one(TG)
    assert tg.inputs["healthCheck"]["path"] == "/ready"
    assert tg.inputs["healthCheck"]["matcher"] == "200-299"
    assert tg.inputs["deregistrationDelay"] == 120
    assert tg.inputs["slowStart"] == 60


def test_instances_are_registered_on_the_model_port(dev: Rendered) -> None:
    tg = dev.one(TG)
    attachments = dev.of_type("aws:lb/targetGroupAttachment:TargetGroupAttachment")
    assert sorted(a.inputs["targetId"] for a in attachments) == sorted(SEED_INSTANCES)
    assert all(
        a.inputs["port"] == 8080 and a.inputs["targetGroupArn"] == tg.outputs["arn"]
        for a in attachments
    )


def test_one_hundred_models_fit_the_quotas() -> None:
    models = [
        {
            "name": f"model-{i:03d}",
            "route": {"pathPrefix": f"/m/{i}"},
            "instances": SEED_INSTANCES[:2],
        }
        for i in range(100)
    ]
    rendered = _render(*models)
    assert len(rendered.of_type(TG)) == 100
    assert len(set(_priorities(rendered).values())) == 100


def test_an_explicit_default_route_is_the_listeners_default_action() -> None:
    rendered = _render({**EMBED, "route": {"default": True}}, CHAT)
    https = next(r for r in rendered.of_type(LISTENER) if r.inputs["port"] == 443)
    tgs = {tg.inputs["tags"]["model"]: tg for tg in rendered.of_type(TG)}
    assert https.inputs["defaultActions"] == [
        {"type": "forward", "targetGroupArn": tgs["embeddings"].outputs["arn"]}
    ]
    assert set(_priorities(rendered)) == {"llm-chat"}
    outputs = ServingOutputs.model_validate(rendered.outputs)
    assert outputs.models["embeddings"].route == ModelRoute(kind="default", value="*")


def _nested_pair(outer: str, *, inner_first: bool) -> str:
    """A route inside ``outer`` whose derived priority is below (or above) ``outer``'s."""
    outer_priority = derived_priority("path", outer)
    for leaf in ("chat", "embeddings", "rerank", "completions", "moderations", "images"):
        inner = f"{outer}/{leaf}"
        if (derived_priority("path", inner) < outer_priority) == inner_first:
            return inner
    raise AssertionError("no candidate route found")


def test_a_nested_path_evaluated_first_is_fine() -> None:
    inner = _nested_pair("/v1", inner_first=True)
    priorities = _priorities(
        _render(
            {**CHAT, "route": {"pathPrefix": "/v1"}}, {**RERANK, "route": {"pathPrefix": inner}}
        )
    )
    assert priorities["rerank"] < priorities["llm-chat"]


def test_a_nested_path_that_would_never_match_is_refused_with_the_fix() -> None:
    inner = _nested_pair("/v1", inner_first=False)
    outer_priority, inner_priority = (
        derived_priority("path", "/v1"),
        derived_priority("path", inner),
    )
    models = [{**CHAT, "route": {"pathPrefix": "/v1"}}, {**RERANK, "route": {"pathPrefix": inner}}]
    error = render_error("dev", seed_config(**{"serving:models": models}))
    assert error.message == (
        f"Pulumi.dev.yaml: serving:models[1].priority = {inner_priority}: {inner} is inside /v1 "
        f"(models[0], priority {outer_priority}), whose rule would take its requests; give "
        f"models[1] a lower priority, e.g. {outer_priority - 1}"
    )
    assert error.rendered.created == []
    # the suggested fix works
    models[1] = {**models[1], "priority": outer_priority - 1}
    assert _priorities(_render(*models))["rerank"] == outer_priority - 1


def test_two_rules_on_one_priority_are_refused() -> None:
    taken = derived_priority("path", "/v1/chat")
    error = render_error(
        "dev", seed_config(**{"serving:models": [CHAT, {**EMBED, "priority": taken}]})
    )
    assert error.message == (
        f"Pulumi.dev.yaml: serving:models[1].priority = {taken}: rule priority already used by "
        "models[0] (llm-chat); set an explicit priority on one of them"
    )
    assert error.rendered.created == []


def test_a_sibling_path_is_not_nested() -> None:
    assert nested_in("/v1/chat/stream", "/v1/chat")
    assert nested_in("/v1/chat", "/v1")
    assert not nested_in("/v1/chat-beta", "/v1/chat")
    assert not nested_in("/v1", "/v1/chat")
