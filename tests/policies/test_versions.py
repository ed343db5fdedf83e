"""Weighted forwards to model versions are judged like any forward: the serving stack with a canary
passes in prod, every version's target group must be health-checked, and an HTTP listener that
forwards by weight is still a listener that serves clear text."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.renders import fixture_config, shared_render
from tooling.mock_runtime import RegisteredResource, Rendered
from tooling.policy_analyzer import PolicyPackAnalyzer

TG = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"


def _canary_config() -> dict[str, Any]:
    """The prod fixture's first model (a fleet) as two versions, 90/10 (v2: a new image)."""
    config = fixture_config("serving", "prod")
    first, *others = json.loads(config["serving:models"])
    current = first.pop("fleet")
    new = {**current, "image": f"{current['image'].rsplit(':', 1)[0]}:v2"}
    first["versions"] = [
        {"name": "initial", "weight": 90, "fleet": current},
        {"name": "v2", "weight": 10, "fleet": new},
    ]
    return {**config, "serving:models": json.dumps([first, *others])}


@pytest.fixture(scope="module")
def canary() -> Rendered:
    return shared_render("serving", "prod", _canary_config())


def _v2_group(resources: list[RegisteredResource]) -> RegisteredResource:
    (group,) = [r for r in resources if r.type == TG and r.name.endswith("-v2")]
    return group


def test_a_canary_passes_in_prod(pack: PolicyPackAnalyzer, canary: Rendered) -> None:
    pack.configure_env("prod")
    analysis = pack.analyze_all(canary.created)
    assert analysis.mandatory == []
    assert analysis.of("preview-unverified") == []


def test_every_version_target_group_is_health_checked(
    pack: PolicyPackAnalyzer, canary: Rendered
) -> None:
    resources = copy.deepcopy(canary.created)
    group = _v2_group(resources)
    group.inputs["healthCheck"] = {**group.inputs["healthCheck"], "enabled": False}
    pack.configure_env("prod")
    found = pack.analyze_all(resources).of("tg-health-check-enabled")
    assert [(d.urn, d.level) for d in found] == [(group.urn, "mandatory")]


def test_an_http_listener_forwarding_by_weight_is_stopped(
    pack: PolicyPackAnalyzer, canary: Rendered
) -> None:
    resources = copy.deepcopy(canary.created)
    group = _v2_group(resources)
    (http,) = [r for r in resources if r.type == LISTENER and r.inputs.get("port") == 80]
    weighted = {"targetGroups": [{"arn": group.outputs["arn"], "weight": 10}]}
    http.inputs["defaultActions"] = [{"type": "forward", "forward": weighted}]
    pack.configure_env("prod")
    found = pack.analyze_all(resources).of("alb-http-redirects-to-https")
    assert [(d.urn, d.level) for d in found] == [(http.urn, "mandatory")]
    assert "forward" in found[0].message
