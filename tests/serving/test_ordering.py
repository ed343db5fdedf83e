"""The order AWS needs, which the mock runtime never enforces: stated on the dependency graph the
engine orders its steps by, for every env (the fixtures and the committed files)."""

from __future__ import annotations

import pytest

from tests.renders import shared_render
from tests.serving.conftest import (
    ALB,
    ASG,
    CERTIFICATE_VALIDATION,
    LAUNCH_TEMPLATE,
    LISTENER,
    RULE,
    TG,
)
from tooling.mock_runtime import Rendered, render
from tooling.mock_runtime.graph import DependencyGraph

POLICY = "aws:autoscaling/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
ENVS = ["dev", "staging", "prod"]


@pytest.fixture(
    params=[(env, source) for env in ENVS for source in ("fixture", "committed")], ids=str
)
def rendered(request: pytest.FixtureRequest) -> Rendered:
    env, source = request.param
    return shared_render("serving", env) if source == "fixture" else render("serving", env)


def _under(rendered: Rendered, ancestor: str, type_: str) -> list:  # type: ignore[type-arg]
    return [r for r in rendered.of_type(type_) if r.urn.startswith(ancestor.rsplit("::", 1)[0])]


def test_scaling_policies_wait_for_what_attaches_their_target_group(rendered: Rendered) -> None:
    """``PutScalingPolicy`` (ALBRequestCountPerTarget) refuses a target group with no ALB yet."""
    graph = DependencyGraph(rendered)
    attaching = {
        tg.urn: [
            r
            for r in (*rendered.of_type(RULE), *rendered.of_type(LISTENER))
            if tg.urn in graph.direct(r) and r.inputs.get("port") != 80
        ]
        for tg in rendered.of_type(TG)
    }
    for policy in rendered.of_type(POLICY):
        group = next(tg for tg in rendered.of_type(TG) if tg.urn in graph.upstream(policy))
        assert attaching[group.urn], f"nothing attaches {group.name}"
        for attach in attaching[group.urn]:
            assert graph.waits_for(policy, attach), f"{policy.name} does not wait for {attach.name}"


def test_instances_boot_after_their_role_may_pull_the_image(rendered: Rendered) -> None:
    graph = DependencyGraph(rendered)
    for template in rendered.of_type(LAUNCH_TEMPLATE):
        fleet = template.parent
        policies = [
            a
            for a in rendered.of_type(ATTACHMENT)
            if a.urn.split("::")[-1].startswith(template.name + "-")
        ]
        assert len(policies) == 3
        group = next(g for g in rendered.of_type(ASG) if g.parent == fleet)
        for policy in policies:
            assert graph.waits_for(template, policy)
            assert graph.waits_for(group, policy)


def test_the_https_listener_waits_for_certificate_validation(rendered: Rendered) -> None:
    graph = DependencyGraph(rendered)
    https = next(x for x in rendered.of_type(LISTENER) if x.inputs["port"] == 443)
    for validation in rendered.of_type(CERTIFICATE_VALIDATION):
        assert graph.waits_for(https, validation)


def test_the_alb_waits_for_its_log_bucket_policy(rendered: Rendered) -> None:
    graph = DependencyGraph(rendered)
    (alb,) = rendered.of_type(ALB)
    for policy in rendered.of_type(BUCKET_POLICY):
        assert graph.waits_for(alb, policy)


def test_the_graph_sees_through_components() -> None:
    """A dependency on a component is a dependency on what it holds (the helper's own check)."""
    prod = shared_render("serving", "prod")
    graph = DependencyGraph(prod)
    template = prod.of_type(LAUNCH_TEMPLATE)[0]
    assert all(
        urn in {r.urn for r in prod.resources if r.custom} for urn in graph.upstream(template)
    )
